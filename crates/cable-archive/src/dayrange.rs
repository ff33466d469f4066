//! Date ranges (`date:2009`, `declassify<=2019`) answered from a sorted index of a day column,
//! built once per segment.
//!
//! tantivy answers a range over a fast field by scanning the column's values for every document
//! of the segment (a 2008 half-year against a tag cost 5 M of a page's 10 M instructions at
//! 250,000 cables), and over the inverted index by reading the postings of every day in the range
//! (a decade is 3,650 short postings lists: three times slower than the scan). A segment's days
//! never change, so its documents are sorted by day once ([`DayIndexCache`]) and a range is two
//! binary searches and a bit set of the documents between them; a range over most of the
//! documents with a day starts from all of them and takes out the ones on either side.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::Field;
use tantivy::{DocId, Score, SegmentReader, TantivyError};

use crate::bits::{Bits, BitsDocSet};

/// One segment's documents with a day, sorted by day.
struct DayIndex {
    /// The days, in increasing order.
    days: Vec<i64>,
    /// `docs[i]` has day `days[i]`.
    docs: Vec<DocId>,
    /// Every document with a day.
    dated: Bits,
    /// How many documents have a day.
    dated_count: usize,
}

impl DayIndex {
    fn build(segment: &SegmentReader, name: &str) -> tantivy::Result<DayIndex> {
        let max_doc = segment.max_doc();
        let mut pairs: Vec<(i64, DocId)> = Vec::new();
        let mut dated = Bits::empty(max_doc);
        if let Some(column) = segment.fast_fields().column_opt::<i64>(name)? {
            for doc in 0..max_doc {
                for day in column.values_for_doc(doc) {
                    pairs.push((day, doc));
                    dated.insert(doc);
                }
            }
        }
        pairs.sort_unstable();
        let (days, docs) = pairs.into_iter().unzip();
        let dated_count = dated.len();
        Ok(DayIndex {
            days,
            docs,
            dated,
            dated_count,
        })
    }

    /// The documents with a day in `lo..=hi` (either end open when `None`).
    fn range(&self, lo: Option<i64>, hi: Option<i64>, max_doc: DocId) -> Bits {
        let from = lo.map_or(0, |lo| self.days.partition_point(|&d| d < lo));
        let to = hi.map_or(self.days.len(), |hi| {
            self.days.partition_point(|&d| d <= hi)
        });
        let to = to.max(from);
        let inside = &self.docs[from..to];
        // A document with two days may be both inside and outside; the complement is exact
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

/// Day indexes by segment and field, shared by every search of an archive.
#[derive(Default)]
pub struct DayIndexCache {
    indexes: Mutex<HashMap<(SegmentId, Field), Arc<DayIndex>>>,
}

impl DayIndexCache {
    fn index_for(
        &self,
        field: Field,
        name: &str,
        segment: &SegmentReader,
    ) -> tantivy::Result<Arc<DayIndex>> {
        let id = (segment.segment_id(), field);
        if let Some(index) = self.indexes.lock().expect("day index lock").get(&id) {
            return Ok(index.clone());
        }
        // Built outside the lock: two searches may both build it the first time, harmlessly.
        let index = Arc::new(DayIndex::build(segment, name)?);
        self.indexes
            .lock()
            .expect("day index lock")
            .insert(id, index.clone());
        Ok(index)
    }

    /// Forget segments that are no longer in `live` (merged away).
    pub fn retain(&self, live: &[SegmentId]) {
        self.indexes
            .lock()
            .expect("day index lock")
            .retain(|(id, _), _| live.contains(id));
    }
}

/// Matches the documents whose day field `name` holds a day in `lo..=hi`, each with the same
/// score, like tantivy's `RangeQuery` over the field.
#[derive(Clone)]
pub struct DayRangeQuery {
    field: Field,
    name: Arc<str>,
    lo: Option<i64>,
    hi: Option<i64>,
    cache: Arc<DayIndexCache>,
}

impl DayRangeQuery {
    pub fn new(
        field: Field,
        name: &str,
        lo: Option<i64>,
        hi: Option<i64>,
        cache: Arc<DayIndexCache>,
    ) -> DayRangeQuery {
        DayRangeQuery {
            field,
            name: Arc::from(name),
            lo,
            hi,
            cache,
        }
    }

    fn set_for(&self, segment: &SegmentReader) -> tantivy::Result<Bits> {
        let index = self.cache.index_for(self.field, &self.name, segment)?;
        Ok(index.range(self.lo, self.hi, segment.max_doc()))
    }
}

impl fmt::Debug for DayRangeQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DayRangeQuery({}: {:?}..={:?})",
            self.name, self.lo, self.hi
        )
    }
}

impl Query for DayRangeQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for DayRangeQuery {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ConstScorer::new(
            BitsDocSet::from(self.set_for(segment)?),
            boost,
        )))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.set_for(segment)?.contains(doc) {
            Ok(Explanation::new("DayRangeQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} has no day in the range"
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
                writer.add_document(doc!(day => d)).expect("add");
            }
            if i % 1000 == 999 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let cache = Arc::new(DayIndexCache::default());
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
                        &DayRangeQuery::new(day, "day", lo, hi, cache.clone()),
                        &DocSetCollector,
                    )
                    .expect("ours");
                assert_eq!(ours, theirs, "{lo:?}..={hi:?}");
                matched += ours.len();
            }
            assert!(matched > 3000, "{matched} matched");
        };
        check(&index.reader().expect("reader").searcher());
        writer.delete_term(Term::from_field_i64(day, 2005_0101));
        writer.commit().expect("commit");
        check(&index.reader().expect("reader").searcher());
    }
}
