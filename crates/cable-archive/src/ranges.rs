//! Ranges over a numeric column (`date:2009`, `declassify<=2019`, `class>=SECRET`) answered from
//! each segment's documents sorted by value, built once per segment.
//!
//! tantivy answers a range over a fast field by scanning the column's values for every document
//! of the segment (a 2008 half-year against a tag cost 5 M of a page's 10 M instructions at
//! 250,000 cables), and over the inverted index by reading the postings of every value in the
//! range into a bit set (a decade is 3,650 short postings lists: three times slower than the
//! scan; `class>=SECRET`, two long ones, 2.1 M instructions, then 2.9 M to walk the set). A
//! segment's values never change, so its documents are sorted by value once
//! ([`RangeIndexCache`]) and a range is two binary searches and a bit set of the documents
//! between them; a range over most of the documents with a value starts from all of them and
//! takes out the ones on either side.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, Score, SegmentReader, TantivyError};

use crate::bits::{Bits, BitsDocSet};
use crate::within::{Keep, Restriction, NO_VALUE};

/// One segment's documents with a value, sorted by value.
struct RangeIndex {
    /// The values, in increasing order.
    days: Vec<i64>,
    /// `docs[i]` has value `days[i]`.
    docs: Vec<DocId>,
    /// Every document with a value.
    dated: Bits,
    /// How many documents have a value.
    dated_count: usize,
    /// Each document's value, [`NO_VALUE`] for none: when every document has at most one and
    /// every value fits (days and ranks do), for testing a document without a set
    /// ([`Keep::Values`]).
    by_doc: Option<Arc<[i32]>>,
}

/// The type of a column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Numbers {
    /// `i64` (days as YYYYMMDD).
    Signed,
    /// `u64` (ranks).
    Unsigned,
}

impl RangeIndex {
    fn build(segment: &SegmentReader, name: &str, numbers: Numbers) -> tantivy::Result<RangeIndex> {
        let max_doc = segment.max_doc();
        let mut pairs: Vec<(i64, DocId)> = Vec::new();
        let mut dated = Bits::empty(max_doc);
        let fast = segment.fast_fields();
        let mut add = |doc: DocId, value: i64| {
            pairs.push((value, doc));
            dated.insert(doc);
        };
        match numbers {
            Numbers::Signed => {
                if let Some(column) = fast.column_opt::<i64>(name)? {
                    for doc in 0..max_doc {
                        column.values_for_doc(doc).for_each(|v| add(doc, v));
                    }
                }
            }
            Numbers::Unsigned => {
                if let Some(column) = fast.column_opt::<u64>(name)? {
                    for doc in 0..max_doc {
                        // Ranks: far below i64::MAX; a larger value is kept at the top.
                        column
                            .values_for_doc(doc)
                            .for_each(|v| add(doc, i64::try_from(v).unwrap_or(i64::MAX)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        let dated_count = dated.len();
        let fits = |v: i64| v > i64::from(NO_VALUE) && v <= i64::from(i32::MAX);
        let by_doc =
            (pairs.len() == dated_count && pairs.iter().all(|&(v, _)| fits(v))).then(|| {
                let mut values = vec![NO_VALUE; max_doc as usize];
                for &(v, doc) in &pairs {
                    values[doc as usize] = v as i32; // fits, checked above
                }
                Arc::from(values)
            });
        let (days, docs) = pairs.into_iter().unzip();
        Ok(RangeIndex {
            days,
            docs,
            dated,
            dated_count,
            by_doc,
        })
    }

    /// Where the values in `lo..=hi` are in `days` (either end open when `None`).
    fn span(&self, lo: Option<i64>, hi: Option<i64>) -> std::ops::Range<usize> {
        let from = lo.map_or(0, |lo| self.days.partition_point(|&d| d < lo));
        let to = hi.map_or(self.days.len(), |hi| {
            self.days.partition_point(|&d| d <= hi)
        });
        from..to.max(from)
    }

    /// The documents with a value in `lo..=hi` (either end open when `None`).
    fn range(&self, lo: Option<i64>, hi: Option<i64>, max_doc: DocId) -> Bits {
        let std::ops::Range {
            start: from,
            end: to,
        } = self.span(lo, hi);
        let inside = &self.docs[from..to];
        // A document with two values may be both inside and outside; the complement is exact
        // only when each document has one.
        let one_each = self.days.len() == self.dated_count;
        if one_each && inside.len() > self.docs.len() / 2 {
            let mut set = self.dated.clone();
            for &doc in self.docs[..from].iter().chain(&self.docs[to..]) {
                set.remove(doc);
            }
            return set;
        }
        let mut set = Bits::empty(max_doc);
        for &doc in inside {
            set.insert(doc);
        }
        set
    }
}

/// Range indexes by segment and field, shared by every search of an archive.
#[derive(Default)]
pub struct RangeIndexCache {
    indexes: Mutex<HashMap<(SegmentId, Field), Arc<RangeIndex>>>,
}

impl RangeIndexCache {
    fn index_for(
        &self,
        field: Field,
        name: &str,
        numbers: Numbers,
        segment: &SegmentReader,
    ) -> tantivy::Result<Arc<RangeIndex>> {
        let id = (segment.segment_id(), field);
        if let Some(index) = self.indexes.lock().expect("range index lock").get(&id) {
            return Ok(index.clone());
        }
        // Built outside the lock: two searches may both build it the first time, harmlessly.
        let index = Arc::new(RangeIndex::build(segment, name, numbers)?);
        self.indexes
            .lock()
            .expect("range index lock")
            .insert(id, index.clone());
        Ok(index)
    }

    /// Forget segments that are no longer in `live` (merged away).
    pub fn retain(&self, live: &[SegmentId]) {
        self.indexes
            .lock()
            .expect("range index lock")
            .retain(|(id, _), _| live.contains(id));
    }
}

/// Matches the documents whose numeric field `name` holds a value in `lo..=hi`, each with the
/// same score, like tantivy's `RangeQuery` over the field.
#[derive(Clone)]
pub struct RangeOfQuery {
    field: Field,
    name: Arc<str>,
    numbers: Numbers,
    lo: Option<i64>,
    hi: Option<i64>,
    cache: Arc<RangeIndexCache>,
}

impl RangeOfQuery {
    pub fn new(
        field: Field,
        name: &str,
        numbers: Numbers,
        lo: Option<i64>,
        hi: Option<i64>,
        cache: Arc<RangeIndexCache>,
    ) -> RangeOfQuery {
        RangeOfQuery {
            field,
            name: Arc::from(name),
            numbers,
            lo,
            hi,
            cache,
        }
    }

    fn set_for(&self, segment: &SegmentReader) -> tantivy::Result<Bits> {
        let index = self
            .cache
            .index_for(self.field, &self.name, self.numbers, segment)?;
        Ok(index.range(self.lo, self.hi, segment.max_doc()))
    }
}

impl Restriction for RangeOfQuery {
    /// Nothing or everything when the range holds no document or every one; otherwise each
    /// document's value against the ends, or the range's set when a document has several.
    fn keep(&self, segment: &SegmentReader) -> tantivy::Result<Keep> {
        let index = self
            .cache
            .index_for(self.field, &self.name, self.numbers, segment)?;
        let span = index.span(self.lo, self.hi);
        let one_each = index.days.len() == index.dated_count;
        if span.is_empty() {
            return Ok(Keep::Nothing);
        }
        if one_each && span.len() == segment.max_doc() as usize {
            return Ok(Keep::All);
        }
        Ok(match &index.by_doc {
            Some(values) => {
                // The span is not empty, so some value lies between the ends: clamped to the
                // values' room, they keep the same values.
                let end = |v: i64| v.clamp(i64::from(NO_VALUE) + 1, i64::from(i32::MAX)) as i32;
                Keep::Values {
                    values: values.clone(),
                    lo: self.lo.map_or(NO_VALUE + 1, end),
                    hi: self.hi.map_or(i32::MAX, end),
                    count: span.len() as u32,
                }
            }
            None => Keep::Set(Arc::new(index.range(self.lo, self.hi, segment.max_doc()))),
        })
    }

    fn lead(&self, segment: &SegmentReader) -> tantivy::Result<Option<BitsDocSet>> {
        Ok(Some(BitsDocSet::from(self.set_for(segment)?)))
    }

    fn box_clone(&self) -> Box<dyn Restriction> {
        Box::new(self.clone())
    }
}

impl fmt::Debug for RangeOfQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "RangeOfQuery({}: {:?}..={:?})",
            self.name, self.lo, self.hi
        )
    }
}

impl Query for RangeOfQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for RangeOfQuery {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            BitsDocSet::from(self.set_for(segment)?),
            boost,
        )))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.set_for(segment)?.contains(doc) {
            Ok(Explanation::new("RangeOfQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no value in the range"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Bound;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::RangeQuery;
    use tantivy::schema::{NumericOptions, Schema, FAST, INDEXED};
    use tantivy::{doc, Index, TantivyDocument, Term};

    /// Every range, narrow or over most documents, open at either end or empty, matches what
    /// tantivy's own range query over the field matches, across segments, with documents
    /// without a day and after deletes.
    #[test]
    fn ranges_match_tantivys() {
        let mut builder = Schema::builder();
        let day = builder.add_i64_field("day", NumericOptions::default() | INDEXED | FAST);
        let rank = builder.add_u64_field("rank", NumericOptions::default() | INDEXED | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..3000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if i % 11 == 0 {
                writer
                    .add_document(TantivyDocument::default())
                    .expect("add");
            } else {
                let d = 2000_0101 + (state % 40) as i64 * 10_000 + (state % 12) as i64 * 100;
                writer
                    .add_document(doc!(day => d, rank => state % 7))
                    .expect("add");
            }
            if i % 1000 == 999 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let cache = Arc::new(RangeIndexCache::default());
        let ranges = [
            (Some(2005_0101), Some(2005_1231)),
            (Some(2001_0101), Some(2038_1231)),
            (None, Some(2019_0601)),
            (Some(2030_0101), None),
            (None, Some(1990_0101)),
            (Some(2010_0101), Some(2009_0101)),
            (Some(2012_0301), Some(2012_0301)),
        ];
        let check = |searcher: &tantivy::Searcher| {
            assert_eq!(searcher.segment_readers().len(), 3);
            let mut matched = 0;
            for (lo, hi) in ranges {
                let bound = |d: Option<i64>| match d {
                    Some(d) => Bound::Included(Term::from_field_i64(day, d)),
                    None => Bound::Unbounded,
                };
                let theirs = searcher
                    .search(&RangeQuery::new(bound(lo), bound(hi)), &DocSetCollector)
                    .expect("theirs");
                let ours = searcher
                    .search(
                        &RangeOfQuery::new(day, "day", Numbers::Signed, lo, hi, cache.clone()),
                        &DocSetCollector,
                    )
                    .expect("ours");
                assert_eq!(ours, theirs, "{lo:?}..={hi:?}");
                matched += ours.len();
            }
            assert!(matched > 3000, "{matched} matched");
            for (lo, hi) in [(0, 0), (2, 6), (1, 3), (5, 9), (4, 2)] {
                let (min, max) = (
                    Term::from_field_u64(rank, lo),
                    Term::from_field_u64(rank, hi),
                );
                let theirs = searcher
                    .search(
                        &RangeQuery::new(Bound::Included(min), Bound::Included(max)),
                        &DocSetCollector,
                    )
                    .expect("theirs");
                let (lo, hi) = (Some(lo as i64), Some(hi as i64));
                let ours = searcher
                    .search(
                        &RangeOfQuery::new(rank, "rank", Numbers::Unsigned, lo, hi, cache.clone()),
                        &DocSetCollector,
                    )
                    .expect("ours");
                assert_eq!(ours, theirs, "rank {lo:?}..={hi:?}");
            }
        };
        check(&index.reader().expect("reader").searcher());
        writer.delete_term(Term::from_field_i64(day, 2005_0101));
        writer.commit().expect("commit");
        check(&index.reader().expect("reader").searcher());
    }
}
