//! A page ranked apart from its count and facets, when what ranks it is only part of the query.
//!
//! A page for `(iran OR iraq) -tag:PREL` is scored by its words alone: the negation excludes
//! and adds nothing to a score. So the page can be made in two passes: every match of the whole
//! query once without scores, for the count and the facets, keeping the matches ([`Matches`]);
//! then the top of the words' query alone, which tantivy finds by block-max WAND, taking only
//! the documents the first pass matched ([`TopWithin`]). `nuclear -sanctions` as the owner:
//! 36.5 M → 34.7 M instructions a page (BENCHMARKS.md, session 13).
//!
//! Where a negation sits inside a disjunction (`iran OR iraq -tag:PREL` reads
//! `iran OR (iraq -tag:PREL)`), the words' score is not the query's. WAND over the words' union
//! (a bound of the query's score) with each candidate scored as the query scores it was tried:
//! 61 M → 89 M instructions, since the bound counts `iraq` for the 60% of cables tagged PREL
//! and so passes over few blocks. Such a query keeps one scored pass.
//!
//! The second pass keeps tantivy's own order: a higher score first, then the lower document
//! address, within a segment and when the segments' tops are merged.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{BitSet, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Collects every match of a segment as a bit set, by segment.
pub struct Matches;

pub struct SegmentMatches {
    ord: SegmentOrdinal,
    set: BitSet,
}

impl Collector for Matches {
    /// Each segment's matches, by segment ordinal.
    type Fruit = Vec<BitSet>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SegmentMatches {
            ord,
            set: BitSet::with_max_value(segment.max_doc()),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        mut fruits: Vec<(SegmentOrdinal, BitSet)>,
    ) -> tantivy::Result<Vec<BitSet>> {
        fruits.sort_by_key(|(ord, _)| *ord);
        Ok(fruits.into_iter().map(|(_, set)| set).collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (SegmentOrdinal, BitSet);

    fn collect(&mut self, doc: DocId, _: Score) {
        self.set.insert(doc);
    }

    fn harvest(self) -> Self::Fruit {
        (self.ord, self.set)
    }
}

/// The top of a query's scores among the documents of `within` (by segment ordinal, as
/// [`Matches`] gives them), from `offset`, `limit` of them. Each segment's top is found by
/// block-max WAND (`Weight::for_each_pruning`) with the documents outside `within` passed over;
/// the segments' tops are merged as tantivy's `TopDocs` merges them.
pub struct TopWithin {
    pub offset: usize,
    pub limit: usize,
    pub within: Arc<[BitSet]>,
}

impl TopWithin {
    /// Hits a segment keeps: the most one segment can give the page.
    fn keep(&self) -> usize {
        self.offset + self.limit
    }
}

/// One segment's top by a scored pass over every match; [`TopWithin::collect_segment`] finds
/// the same by pruning.
pub struct SegmentTopWithin {
    ord: SegmentOrdinal,
    within: Arc<[BitSet]>,
    heap: TopHeap,
}

impl SegmentCollector for SegmentTopWithin {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self
            .within
            .get(self.ord as usize)
            .is_some_and(|w| w.contains(doc))
        {
            self.heap.push(score, doc);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.heap.into_hits(self.ord)
    }
}

impl Collector for TopWithin {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTopWithin;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentTopWithin> {
        Ok(SegmentTopWithin {
            ord,
            within: self.within.clone(),
            heap: TopHeap::new(self.keep()),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    /// A higher score first, then the lower address (segment, then document), as `TopDocs`.
    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(Score, DocAddress)>>,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(Ordering::Equal)
                .then_with(|| a.1.cmp(&b.1))
        });
        Ok(all.into_iter().skip(self.offset).take(self.limit).collect())
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let Some(within) = self.within.get(ord as usize).filter(|w| w.len() > 0) else {
            return Ok(Vec::new());
        };
        let mut heap = TopHeap::new(self.keep());
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if within.contains(doc) {
                heap.push(score, doc);
            }
            heap.threshold()
        })?;
        Ok(heap.into_hits(ord))
    }
}

/// A score and a document, ordered as tantivy ranks hits: a higher score first, then the
/// lower document.
#[derive(Clone, Copy)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .partial_cmp(&other.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// The best `k` entries seen, the least on top. Documents come in increasing order, so a later
/// document with the score of the least is ranked below it and is not taken. (tantivy's public
/// `TopNComputer` raises its threshold only every `k` documents, a stale bound for WAND; the
/// heap its own top-by-score uses is private.)
struct TopHeap {
    k: usize,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl TopHeap {
    fn new(k: usize) -> TopHeap {
        TopHeap {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    fn push(&mut self, score: Score, doc: DocId) {
        let entry = Entry { score, doc };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(entry));
        } else if let Some(mut least) = self.heap.peek_mut() {
            if entry > least.0 {
                *least = Reverse(entry);
            }
        }
    }

    /// The score a document must exceed to enter: the least kept, once `k` are kept.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(least)) if self.heap.len() >= self.k => least.score,
            _ => Score::MIN,
        }
    }

    /// The entries kept, as hits of segment `ord`.
    fn into_hits(self, ord: SegmentOrdinal) -> Vec<(Score, DocAddress)> {
        self.heap
            .into_iter()
            .map(|Reverse(e)| (e.score, DocAddress::new(ord, e.doc)))
            .collect()
    }
}

/// The matches from `offset`, `limit` of them, in index order (segment, then document): the
/// page of a query whose every match scores the same, which tantivy's `TopDocs` gives in that
/// order too. Needs no scores, so it is collected in the unscored pass that counts the matches
/// and their facets, a block of documents at a time; a segment stops keeping once it holds
/// enough for the page.
pub struct InIndexOrder {
    pub offset: usize,
    pub limit: usize,
}

pub struct SegmentInIndexOrder {
    ord: SegmentOrdinal,
    keep: usize,
    docs: Vec<DocId>,
}

impl Collector for InIndexOrder {
    type Fruit = Vec<DocAddress>;
    type Child = SegmentInIndexOrder;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentInIndexOrder> {
        let keep = self.offset + self.limit;
        Ok(SegmentInIndexOrder {
            ord,
            keep,
            docs: Vec::with_capacity(keep.min(1024)),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, mut fruits: Vec<Vec<DocAddress>>) -> tantivy::Result<Vec<DocAddress>> {
        fruits.sort_by_key(|f| f.first().map(|a| a.segment_ord));
        Ok(fruits
            .into_iter()
            .flatten()
            .skip(self.offset)
            .take(self.limit)
            .collect())
    }
}

impl SegmentCollector for SegmentInIndexOrder {
    type Fruit = Vec<DocAddress>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.docs.len() < self.keep {
            self.docs.push(doc);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let room = self.keep - self.docs.len();
        if room > 0 {
            self.docs.extend_from_slice(&docs[..room.min(docs.len())]);
        }
    }

    fn harvest(self) -> Vec<DocAddress> {
        let ord = self.ord;
        self.docs
            .into_iter()
            .map(|doc| DocAddress::new(ord, doc))
            .collect()
    }
}
