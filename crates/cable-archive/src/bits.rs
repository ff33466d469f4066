//! A set of documents as plain bits (a `u64` word for each 64 documents), and the doc set that
//! walks them a word at a time.
//!
//! tantivy's `BitSetDocSet` finds each document through its bucket bookkeeping (17 instructions
//! a document over a decade's range at 250,000 cables); here a document is a trailing-zero count
//! and a bit cleared, and a block of 64 is filled from the words directly.

use std::sync::Arc;

use tantivy::{DocId, DocSet, COLLECT_BLOCK_BUFFER_LEN, TERMINATED};

/// Documents as bits: document `d` is bit `d % 64` of word `d / 64`.
#[derive(Clone, Debug)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// No document, room for documents below `max_doc`.
    pub fn empty(max_doc: DocId) -> Bits {
        Bits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
        }
    }

    pub fn insert(&mut self, doc: DocId) {
        self.words[doc as usize / 64] |= 1 << (doc % 64);
    }

    pub fn remove(&mut self, doc: DocId) {
        self.words[doc as usize / 64] &= !(1 << (doc % 64));
    }

    pub fn contains(&self, doc: DocId) -> bool {
        self.words
            .get(doc as usize / 64)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    /// How many documents are in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Word `w`: documents `64 * w..64 * (w + 1)`, one a bit (none beyond the set's room).
    pub fn word(&self, w: usize) -> u64 {
        self.words.get(w).copied().unwrap_or(0)
    }
}

/// The documents of a [`Bits`], in increasing order.
pub struct BitsDocSet {
    bits: Arc<Bits>,
    /// The word `doc` is in.
    word: usize,
    /// The bits of that word above `doc`.
    rest: u64,
    doc: DocId,
    len: u32,
}

impl From<Bits> for BitsDocSet {
    fn from(bits: Bits) -> BitsDocSet {
        BitsDocSet::from(Arc::new(bits))
    }
}

impl From<Arc<Bits>> for BitsDocSet {
    fn from(bits: Arc<Bits>) -> BitsDocSet {
        let len = bits.len() as u32;
        let mut set = BitsDocSet {
            rest: bits.words.first().copied().unwrap_or(0),
            bits,
            word: 0,
            doc: 0,
            len,
        };
        set.doc = set.next();
        set
    }
}

impl BitsDocSet {
    /// Take the lowest bit left from the current word on: the next document.
    fn next(&mut self) -> DocId {
        while self.rest == 0 {
            self.word += 1;
            match self.bits.words.get(self.word) {
                Some(&w) => self.rest = w,
                None => {
                    self.word = self.bits.words.len();
                    return TERMINATED;
                }
            }
        }
        let doc = (self.word * 64) as DocId + self.rest.trailing_zeros();
        self.rest &= self.rest - 1;
        doc
    }
}

impl DocSet for BitsDocSet {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next();
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        let word = target as usize / 64;
        match self.bits.words.get(word) {
            Some(&w) => {
                self.word = word;
                self.rest = w & (u64::MAX << (target % 64));
                self.doc = self.next();
            }
            None => {
                self.word = self.bits.words.len();
                self.rest = 0;
                self.doc = TERMINATED;
            }
        }
        self.doc
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        if self.doc == TERMINATED {
            return 0;
        }
        // The current document, then the rest of its word and the words after, in locals.
        buffer[0] = self.doc;
        let mut n = 1;
        let words = &self.bits.words;
        let (mut word, mut rest) = (self.word, self.rest);
        loop {
            while rest != 0 && n < buffer.len() {
                buffer[n] = (word * 64) as DocId + rest.trailing_zeros();
                rest &= rest - 1;
                n += 1;
            }
            if n == buffer.len() || word + 1 >= words.len() {
                break;
            }
            word += 1;
            rest = words[word];
        }
        (self.word, self.rest) = (word, rest);
        self.doc = if n == buffer.len() || rest != 0 {
            self.next()
        } else {
            self.word = words.len();
            TERMINATED
        };
        n
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Advancing, seeking and filling blocks give the documents of the set, in order, whatever
    /// the gaps between them.
    #[test]
    fn walks_the_set() {
        let max_doc = 1000;
        let docs: Vec<DocId> = (0..max_doc)
            .filter(|d| d % 7 == 0 || (130..260).contains(d) || *d == 999)
            .collect();
        let mut bits = Bits::empty(max_doc);
        for &d in &docs {
            bits.insert(d);
        }
        bits.insert(500);
        bits.remove(500);
        assert_eq!(bits.len(), docs.len());
        assert!(bits.contains(999) && !bits.contains(998) && !bits.contains(5000));
        let mut set = BitsDocSet::from(bits.clone());
        let mut walked = Vec::new();
        while set.doc() != TERMINATED {
            walked.push(set.doc());
            set.advance();
        }
        assert_eq!(walked, docs);
        let mut set = BitsDocSet::from(bits.clone());
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        let mut filled = Vec::new();
        loop {
            let n = set.fill_buffer(&mut buffer);
            filled.extend_from_slice(&buffer[..n]);
            if n < buffer.len() {
                break;
            }
        }
        assert_eq!(filled, docs);
        for target in [0, 1, 63, 64, 129, 130, 200, 998, 999] {
            let mut set = BitsDocSet::from(bits.clone());
            let expected = docs
                .iter()
                .copied()
                .find(|&d| d >= target)
                .unwrap_or(TERMINATED);
            assert_eq!(set.seek(target), expected, "seek {target}");
            let after = docs
                .iter()
                .copied()
                .find(|&d| d > expected)
                .unwrap_or(TERMINATED);
            assert_eq!(set.advance(), after, "after {target}");
        }
        let mut set = BitsDocSet::from(bits);
        assert_eq!(set.seek(5000), TERMINATED);
        assert_eq!(set.advance(), TERMINATED);
        let mut empty = BitsDocSet::from(Bits::empty(100));
        assert_eq!(empty.doc(), TERMINATED);
        assert_eq!(empty.advance(), TERMINATED);
    }
}
