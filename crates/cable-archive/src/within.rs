//! A query's matches limited by a per-segment test: the access filter of a restricted view
//! ([`crate::keyset`]) and the ranges of a conjunction (`date:2009`, `class>=SECRET`,
//! [`crate::ranges`]).
//!
//! As a clause of tantivy's conjunction, such a filter is a doc set the intersection seeks
//! through for every candidate, behind two boxed scorers: the access filter took a restricted
//! reader's `tag:PREL` page to twice the owner's time, and `date:[2008-01-01 TO 2008-06-30]
//! tag:PGOV` spent about 100 instructions a match there at 250,000 cables, after building a
//! bit set of the range in every segment. [`Within`] instead lets the inner query visit its
//! matches its own way (blocks of postings, block-max pruning for the top hits) and tests each
//! one: a bit, or the document's one value against the range's ends.
//!
//! A test costs every candidate of the inner query; when the restriction is far smaller than
//! the inner query (a single day against `tag:PREL`) it leads instead: its documents are walked
//! and the inner query sought to each, as the intersection does.
//!
//! Invariant: a `Within` matches exactly the documents of the conjunction of its inner query and
//! its restriction, with the inner query's scores (the restriction scores nothing: as a clause
//! it was a constant 0).

use std::fmt;
use std::sync::Arc;

use tantivy::query::{
    intersect_scorers, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use crate::bits::{Bits, BitsDocSet};

/// A restriction leads when it holds fewer than one document in this many of the inner query's
/// candidates: walking it and seeking the inner query costs a seek a document of the
/// restriction, testing costs a test a candidate of the inner query.
const LEAD_SHARE: u64 = 8;

/// What a restriction keeps of one segment.
pub(crate) enum Keep {
    /// Every document.
    All,
    /// No document.
    Nothing,
    /// The documents of a set.
    Set(Arc<Bits>),
    /// The documents whose value, one a document, is in `lo..=hi`; `values[d]` is document
    /// `d`'s value, [`NO_VALUE`] for a document without one.
    Values {
        values: Arc<[i32]>,
        lo: i32,
        hi: i32,
        /// How many documents are kept.
        count: u32,
    },
}

/// A document without a value in [`Keep::Values`]; ranges never reach it (their ends are
/// raised above it).
pub(crate) const NO_VALUE: i32 = i32::MIN;

impl Keep {
    fn contains(&self, doc: DocId) -> bool {
        match self {
            Keep::All => true,
            Keep::Nothing => false,
            Keep::Set(set) => set.contains(doc),
            Keep::Values { values, lo, hi, .. } => in_values(values, *lo, *hi, doc),
        }
    }
}

/// The test of each match a segment needs: what a [`Keep`] that is neither everything nor
/// nothing keeps.
enum Test {
    Set(Arc<Bits>),
    Values {
        values: Arc<[i32]>,
        lo: i32,
        hi: i32,
    },
}

impl Test {
    fn contains(&self, doc: DocId) -> bool {
        match self {
            Test::Set(set) => set.contains(doc),
            Test::Values { values, lo, hi } => in_values(values, *lo, *hi, doc),
        }
    }
}

/// A filter a [`Within`] applies to its inner query, segment by segment.
pub(crate) trait Restriction: Send + Sync + fmt::Debug {
    /// What the restriction keeps of `segment`.
    fn keep(&self, segment: &SegmentReader) -> tantivy::Result<Keep>;

    /// The documents kept of `segment` as a doc set, to lead an inner query of far more
    /// candidates; `None` when this restriction never leads.
    fn lead(&self, segment: &SegmentReader) -> tantivy::Result<Option<BitsDocSet>>;

    fn box_clone(&self) -> Box<dyn Restriction>;
}

/// `inner` limited to what `restriction` keeps (see the module's invariant).
#[derive(Debug)]
pub struct Within {
    inner: Box<dyn Query>,
    restriction: Box<dyn Restriction>,
}

impl Clone for Within {
    fn clone(&self) -> Within {
        Within {
            inner: self.inner.box_clone(),
            restriction: self.restriction.box_clone(),
        }
    }
}

impl Within {
    pub(crate) fn new(inner: Box<dyn Query>, restriction: Box<dyn Restriction>) -> Within {
        Within { inner, restriction }
    }
}

impl Query for Within {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WithinWeight {
            inner: self.inner.weight(scoring)?,
            restriction: self.restriction.box_clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct WithinWeight {
    inner: Box<dyn Weight>,
    restriction: Box<dyn Restriction>,
}

/// How one segment's matches are found.
enum Plan {
    /// No document can match.
    Nothing,
    /// The inner query's own matches, untested.
    Inner,
    /// The inner query's matches, each tested.
    Test(Test),
    /// This scorer's matches: the restriction leading the inner query.
    Lead(Box<dyn Scorer>),
}

impl WithinWeight {
    /// How to find `segment`'s matches; `inner` is the inner query's scorer when the caller
    /// has one (its cost decides whether the restriction leads), `boost` the scores' boost.
    fn plan(
        &self,
        segment: &SegmentReader,
        inner: Option<Box<dyn Scorer>>,
        boost: Score,
    ) -> tantivy::Result<(Plan, Option<Box<dyn Scorer>>)> {
        let keep = self.restriction.keep(segment)?;
        let (test, kept) = match keep {
            Keep::All => return Ok((Plan::Inner, inner)),
            Keep::Nothing => return Ok((Plan::Nothing, None)),
            Keep::Set(set) => return Ok((Plan::Test(Test::Set(set)), inner)),
            Keep::Values {
                values,
                lo,
                hi,
                count,
            } => (Test::Values { values, lo, hi }, u64::from(count)),
        };
        // A range holding an eighth of the segment or more never leads (a query's candidates
        // are at most the segment's documents, but for a union's): no inner scorer is opened
        // to weigh it.
        if kept.saturating_mul(LEAD_SHARE) >= u64::from(segment.max_doc()) {
            return Ok((Plan::Test(test), inner));
        }
        let inner = match inner {
            Some(s) => s,
            None => self.inner.scorer(segment, boost)?,
        };
        if kept.saturating_mul(LEAD_SHARE) < inner.cost() {
            if let Some(docs) = self.restriction.lead(segment)? {
                let scorers: Vec<Box<dyn Scorer>> =
                    vec![inner, Box::new(ConstScorer::new(docs, 0.0))];
                let led = intersect_scorers(scorers, segment.num_docs());
                return Ok((Plan::Lead(led), None));
            }
        }
        Ok((Plan::Test(test), Some(inner)))
    }
}

impl Weight for WithinWeight {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(segment, boost)?;
        let (plan, inner) = self.plan(segment, Some(inner), boost)?;
        Ok(match (plan, inner) {
            (Plan::Lead(led), _) => led,
            (Plan::Inner, Some(inner)) => inner,
            (Plan::Test(test), Some(inner)) => {
                let mut scorer = TestScorer { inner, test };
                let doc = scorer.inner.doc();
                if doc != TERMINATED && !scorer.test.contains(doc) {
                    scorer.advance();
                }
                Box::new(scorer)
            }
            _ => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if !self.restriction.keep(segment)?.contains(doc) {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} is outside {:?}",
                self.restriction
            )));
        }
        self.inner.explain(segment, doc)
    }

    fn for_each(
        &self,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        match self.plan(segment, None, 1.0)?.0 {
            Plan::Nothing => Ok(()),
            Plan::Inner => self.inner.for_each(segment, callback),
            Plan::Lead(mut led) => {
                let mut doc = led.doc();
                while doc != TERMINATED {
                    callback(doc, led.score());
                    doc = led.advance();
                }
                Ok(())
            }
            Plan::Test(Test::Set(set)) => {
                tested(&*self.inner, segment, |d| set.contains(d), callback)
            }
            Plan::Test(Test::Values { values, lo, hi }) => {
                let test = |d| in_values(&values, lo, hi, d);
                tested(&*self.inner, segment, test, callback)
            }
        }
    }

    fn for_each_no_score(
        &self,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        match self.plan(segment, None, 1.0)?.0 {
            Plan::Nothing => Ok(()),
            Plan::Inner => self.inner.for_each_no_score(segment, callback),
            Plan::Lead(mut led) => {
                let mut buffer = [0; tantivy::COLLECT_BLOCK_BUFFER_LEN];
                loop {
                    let n = led.fill_buffer(&mut buffer);
                    if n == 0 {
                        break;
                    }
                    callback(&buffer[..n]);
                }
                Ok(())
            }
            Plan::Test(Test::Set(set)) => {
                tested_no_score(&*self.inner, segment, |d| set.contains(d), callback)
            }
            Plan::Test(Test::Values { values, lo, hi }) => {
                let test = |d| in_values(&values, lo, hi, d);
                tested_no_score(&*self.inner, segment, test, callback)
            }
        }
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        match self.plan(segment, None, 1.0)?.0 {
            Plan::Nothing => Ok(()),
            Plan::Inner => self.inner.for_each_pruning(threshold, segment, callback),
            Plan::Lead(mut led) => {
                let mut threshold = threshold;
                let mut doc = led.doc();
                while doc != TERMINATED {
                    let score = led.score();
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                    doc = led.advance();
                }
                Ok(())
            }
            Plan::Test(Test::Set(set)) => {
                let test = |d| set.contains(d);
                tested_pruning(&*self.inner, threshold, segment, test, callback)
            }
            Plan::Test(Test::Values { values, lo, hi }) => {
                let test = |d| in_values(&values, lo, hi, d);
                tested_pruning(&*self.inner, threshold, segment, test, callback)
            }
        }
    }
}

// The loops that test each match, one for each kind of test (a test behind a `match` on every
// match cost a restricted `tag:PREL` page 0.8 M instructions more than a bit test alone).

/// Whether the document's value in `values` is in `lo..=hi`.
#[inline]
fn in_values(values: &[i32], lo: i32, hi: i32, doc: DocId) -> bool {
    values
        .get(doc as usize)
        .is_some_and(|v| (lo..=hi).contains(v))
}

/// `inner`'s matches in `segment` that `test` keeps, with their scores.
fn tested(
    inner: &dyn Weight,
    segment: &SegmentReader,
    test: impl Fn(DocId) -> bool,
    callback: &mut dyn FnMut(DocId, Score),
) -> tantivy::Result<()> {
    inner.for_each(segment, &mut |doc, score| {
        if test(doc) {
            callback(doc, score);
        }
    })
}

/// `inner`'s matches in `segment` that `test` keeps, a block at a time.
fn tested_no_score(
    inner: &dyn Weight,
    segment: &SegmentReader,
    test: impl Fn(DocId) -> bool,
    callback: &mut dyn FnMut(&[DocId]),
) -> tantivy::Result<()> {
    let mut kept = Vec::new();
    inner.for_each_no_score(segment, &mut |docs| {
        kept.clear();
        kept.extend(docs.iter().copied().filter(|&d| test(d)));
        if !kept.is_empty() {
            callback(&kept);
        }
    })
}

/// `inner`'s matches in `segment` that `test` keeps, for the top hits.
fn tested_pruning(
    inner: &dyn Weight,
    threshold: Score,
    segment: &SegmentReader,
    test: impl Fn(DocId) -> bool,
    callback: &mut dyn FnMut(DocId, Score) -> Score,
) -> tantivy::Result<()> {
    // A match outside leaves the threshold as the last kept match set it.
    let mut current = threshold;
    inner.for_each_pruning(threshold, segment, &mut |doc, score| {
        if test(doc) {
            current = callback(doc, score);
        }
        current
    })
}

/// A scorer's matches that a restriction keeps.
struct TestScorer {
    inner: Box<dyn Scorer>,
    test: Test,
}

impl DocSet for TestScorer {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.inner.advance();
            if doc == TERMINATED || self.test.contains(doc) {
                return doc;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.inner.seek(target);
        if doc == TERMINATED || self.test.contains(doc) {
            return doc;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for TestScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranges::{Numbers, RangeIndexCache, RangeOfQuery};
    use tantivy::collector::{Count, DocSetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, NumericOptions, Schema, FAST, INDEXED, TEXT};
    use tantivy::{doc, DocAddress, Index};

    /// A range as a [`Within`] answers as the conjunction it replaces, a range clause scoring
    /// 0, whichever plan a segment takes: a range holding none of a segment or all of it, a
    /// narrow one against a common word (it leads), a broad one (it tests each match's value),
    /// a field with two values in some documents (it tests a set); through every way tantivy
    /// visits matches, after deletes too.
    #[test]
    fn within_answers_as_the_conjunction() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let num = NumericOptions::default() | INDEXED | FAST;
        let day = builder.add_i64_field("day", num.clone());
        let many = builder.add_i64_field("many", num);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for i in 0..4000u64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Segment 0 holds the 1990s alone, so a range of the 2000s holds none of it and
            // one of the 1990s all of it.
            let year = if i < 1000 { 1990 } else { 2000 } + (state % 10) as i64;
            let d = year * 10_000 + 101 + ((state >> 8) % 12) as i64 * 100;
            let words = match state % 5 {
                0 => "common rare",
                1 | 2 => "common common",
                _ => "common other",
            };
            let mut document = doc!(text => words, day => d, many => d);
            if i % 7 == 0 {
                document.add_i64(many, d + 50_000);
            }
            if i % 13 == 0 && i >= 1000 {
                document = doc!(text => words);
            }
            writer.add_document(document).expect("add");
            if i % 1000 == 999 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let cache = Arc::new(RangeIndexCache::default());
        let range = |field, lo: i64, hi: i64| {
            RangeOfQuery::new(
                field,
                if field == day { "day" } else { "many" },
                Numbers::Signed,
                Some(lo),
                Some(hi),
                cache.clone(),
            )
        };
        let word = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(text, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let cases = [
            ("common", range(day, 2000_0101, 2009_1231)),
            // Both ends on values some documents hold.
            ("common", range(day, 2001_0301, 2008_0601)),
            ("common", range(day, 1990_0101, 1999_1231)),
            ("common", range(day, 2003_0301, 2003_0301)),
            ("rare", range(day, 2001_0101, 2006_1231)),
            ("common", range(many, 2001_0101, 2004_1231)),
            ("rare", range(day, 2030_0101, 2040_0101)),
        ];
        let check = |searcher: &tantivy::Searcher| {
            assert_eq!(searcher.segment_readers().len(), 4);
            let mut matched = 0;
            for (w, r) in &cases {
                let within = Within::new(word(w), Box::new(r.clone()));
                let both = BooleanQuery::new(vec![
                    (Occur::Must, word(w)),
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(Box::new(r.clone()), 0.0)),
                    ),
                ]);
                let what = format!("{w} {r:?}");
                let docs = |q: &dyn Query| searcher.search(q, &DocSetCollector).expect("docs");
                let (ours, theirs) = (docs(&within), docs(&both));
                let differ = ours.symmetric_difference(&theirs).count();
                assert!(differ == 0, "{what}: {differ} documents differ");
                let count = |q: &dyn Query| searcher.search(q, &Count).expect("count");
                assert_eq!(count(&within), count(&both), "{what}: count");
                let top = |q: &dyn Query| -> Vec<(u32, DocAddress)> {
                    searcher
                        .search(q, &TopDocs::with_limit(5).order_by_score())
                        .expect("top")
                        .into_iter()
                        .map(|(s, a)| ((s * 1000.0).round() as u32, a))
                        .collect()
                };
                assert_eq!(top(&within), top(&both), "{what}: top hits");
                let scored = |q: &dyn Query| {
                    searcher
                        .search(q, &(Count, TopDocs::with_limit(5).order_by_score()))
                        .expect("scored")
                        .0
                };
                assert_eq!(scored(&within), scored(&both), "{what}: scored pass");
                matched += count(&within);
            }
            assert!(matched > 1000, "{matched} matched");
        };
        let searcher = index.reader().expect("reader").searcher();
        check(&searcher);
        // Every plan was taken somewhere.
        let plans = |w: &str, r: &RangeOfQuery| -> Vec<&'static str> {
            let weight = WithinWeight {
                inner: word(w)
                    .weight(EnableScoring::disabled_from_searcher(&searcher))
                    .expect("weight"),
                restriction: Box::new(r.clone()),
            };
            searcher
                .segment_readers()
                .iter()
                .map(|s| match weight.plan(s, None, 1.0).expect("plan").0 {
                    Plan::Nothing => "nothing",
                    Plan::Inner => "inner",
                    Plan::Test(Test::Values { .. }) => "values",
                    Plan::Test(Test::Set(_)) => "set",
                    Plan::Lead(_) => "lead",
                })
                .collect()
        };
        let taken: Vec<&str> = cases.iter().flat_map(|(w, r)| plans(w, r)).collect();
        for plan in ["nothing", "inner", "values", "set", "lead"] {
            assert!(taken.contains(&plan), "{plan} never taken: {taken:?}");
        }
        writer.delete_term(Term::from_field_text(text, "other"));
        writer.commit().expect("commit");
        check(&index.reader().expect("reader").searcher());
    }
}
