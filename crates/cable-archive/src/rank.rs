//! A page ranked apart from its count and facets.
//!
//! A page's count and facets need every match, its top only the best scores. For a query of
//! words, tantivy finds the best scores by block-max WAND, skipping the blocks of postings whose
//! best score cannot enter the top; the count and facets then take a pass of their own without
//! scores. When negations are part of the query (`iran OR iraq -tag:PREL`, which reads
//! `iran OR (iraq -tag:PREL)`), WAND cannot run on the query itself; it runs instead on the
//! union of the query's words ([`TopBounded`]'s bound), whose score is never below the query's
//! (every word the query scores, it scores as the union does, and a negation adds nothing), and
//! each document that could enter the top is scored by the query itself, which says whether it
//! matches at all. Scoring every match in one pass cost more than both passes together
//! (BENCHMARKS.md, sessions 12 and 13).
//!
//! The top keeps tantivy's own order: a higher score first, then the lower document address.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

/// The top of `exact`'s scores (a weight of the whole query), from `offset`, `limit` of them,
/// searched by block-max WAND over a bound: the query this collector is run with, whose score
/// is at least `exact`'s for every document `exact` matches.
pub struct TopBounded {
    pub exact: Box<dyn Weight>,
    pub offset: usize,
    pub limit: usize,
}

impl TopBounded {
    /// Hits a segment keeps: the most one segment can give the page.
    fn keep(&self) -> usize {
        self.offset + self.limit
    }
}

/// One segment's top by a scored pass over every document the bound matches, each scored by
/// the exact query; [`TopBounded::collect_segment`] finds the same by pruning.
pub struct SegmentTopBounded {
    ord: SegmentOrdinal,
    exact: Box<dyn Scorer>,
    heap: TopHeap,
}

impl SegmentTopBounded {
    /// Offer `doc` (in increasing order): scored by the exact query if it matches it.
    fn offer(&mut self, doc: DocId) {
        if self.exact.doc() < doc {
            self.exact.seek(doc);
        }
        if self.exact.doc() == doc {
            self.heap.push(self.exact.score(), doc);
        }
    }
}

impl SegmentCollector for SegmentTopBounded {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.offer(doc);
    }

    fn harvest(self) -> Self::Fruit {
        self.heap.into_hits(self.ord)
    }
}

impl Collector for TopBounded {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTopBounded;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentTopBounded> {
        Ok(SegmentTopBounded {
            ord,
            exact: self.exact.scorer(segment, 1.0)?,
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
        bound: &dyn Weight,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let mut segment = self.for_segment(ord, reader)?;
        if segment.exact.doc() == TERMINATED {
            return Ok(Vec::new());
        }
        let alive = reader.alive_bitset();
        // WAND passes over what the bound scores at or below the threshold; the exact score is
        // never above the bound, so nothing it passes over could enter the top.
        bound.for_each_pruning(Score::MIN, reader, &mut |doc, _| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                segment.offer(doc);
            }
            segment.heap.threshold()
        })?;
        Ok(segment.harvest())
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
/// document with the score of the least is ranked below it and is not taken.
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
