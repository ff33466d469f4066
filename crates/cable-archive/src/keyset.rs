//! The access filter of a restricted view as a doc set read once per segment.
//!
//! A reader who may not see everything searches only the cables holding one of the class keys
//! their clearance allows (`access` terms, see [`crate::access`]). As a `TermSetQuery` that
//! filter walked the postings of every allowed key and filled a bit set of the whole segment on
//! every search: at 2,500,000 cables it made a selective page for a SECRET reader 4× slower than
//! the owner's (`subject:elections` 16.8 ms against 3.9). The set of documents a list of keys
//! selects in a segment never changes (segments are immutable; deleted documents are never
//! collected), so it is built once per (segment, keys) and kept ([`KeySetCache`]) as plain bits
//! ([`crate::bits`]), which a search walks or tests without copying.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

use crate::bits::{Bits, BitsDocSet};

/// How many (segment, keys) sets are kept before the cache starts over: the key lists come
/// from the clearances of the archive's readers, a handful, so this is only a bound.
const MAX_SETS: usize = 1024;

/// A segment and a sorted key list.
type SetId = (SegmentId, Arc<[String]>);

/// Doc sets by segment and key list, shared by every search of an archive.
#[derive(Default)]
pub struct KeySetCache {
    sets: Mutex<HashMap<SetId, Arc<Bits>>>,
}

impl KeySetCache {
    /// The documents of `segment` whose `field` holds one of `keys`.
    fn set_for(
        &self,
        field: Field,
        keys: &Arc<[String]>,
        segment: &SegmentReader,
    ) -> tantivy::Result<Arc<Bits>> {
        let id = (segment.segment_id(), keys.clone());
        if let Some(set) = self.sets.lock().expect("key set cache lock").get(&id) {
            return Ok(set.clone());
        }
        let index = segment.inverted_index(field)?;
        let mut set = Bits::empty(segment.max_doc());
        for key in keys.iter() {
            let term = Term::from_field_text(field, key);
            if let Some(mut postings) = index.read_postings(&term, IndexRecordOption::Basic)? {
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    set.insert(doc);
                    doc = postings.advance();
                }
            }
        }
        let set = Arc::new(set);
        let mut sets = self.sets.lock().expect("key set cache lock");
        if sets.len() >= MAX_SETS {
            sets.clear();
        }
        sets.insert(id, set.clone());
        Ok(set)
    }

    /// Forget segments that are no longer in `live` (merged away).
    pub fn retain(&self, live: &[SegmentId]) {
        self.sets
            .lock()
            .expect("key set cache lock")
            .retain(|(id, _), _| live.contains(id));
    }
}

/// Matches the documents whose `field` holds any of `keys`, each with the same score, like
/// tantivy's `TermSetQuery`, from the cache.
#[derive(Clone)]
pub struct KeySetQuery {
    field: Field,
    keys: Arc<[String]>,
    cache: Arc<KeySetCache>,
}

impl KeySetQuery {
    /// `keys` in any order; they are sorted so that the same list finds the same sets.
    pub fn new(field: Field, keys: &[String], cache: Arc<KeySetCache>) -> KeySetQuery {
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        KeySetQuery {
            field,
            keys: keys.into(),
            cache,
        }
    }
}

impl KeySetQuery {
    /// The sorted key list.
    pub(crate) fn keys(&self) -> &Arc<[String]> {
        &self.keys
    }

    /// The documents of `segment` that hold one of the keys (deleted ones too).
    pub(crate) fn set_for(&self, segment: &SegmentReader) -> tantivy::Result<Arc<Bits>> {
        self.cache.set_for(self.field, &self.keys, segment)
    }
}

impl fmt::Debug for KeySetQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySetQuery")
            .field("field", &self.field)
            .field("keys", &self.keys)
            .finish()
    }
}

impl Query for KeySetQuery {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

impl Weight for KeySetQuery {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self.cache.set_for(self.field, &self.keys, segment)?;
        Ok(Box::new(ConstScorer::new(BitsDocSet::from(set), boost)))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let set = self.cache.set_for(self.field, &self.keys, segment)?;
        if set.contains(doc) {
            Ok(Explanation::new("KeySetQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} holds none of the keys"
            )))
        }
    }
}

/// `inner` limited to the documents of `keys`: the same matches as a conjunction of `inner` and
/// the [`KeySetQuery`], and `inner`'s scores. Each match of `inner` is tested against the
/// segment's cached set, a bit test; a conjunction instead made tantivy's intersection seek
/// through a copy of the set for every match, which took a restricted reader's filter page
/// (`tag:PREL` as a SECRET reader) to twice the owner's time. `inner` keeps its own ways of
/// visiting its matches (blocks of postings, block-max pruning for the top hits).
#[derive(Debug)]
pub struct Within {
    inner: Box<dyn Query>,
    keys: KeySetQuery,
}

impl Clone for Within {
    fn clone(&self) -> Within {
        Within {
            inner: self.inner.box_clone(),
            keys: self.keys.clone(),
        }
    }
}

impl Within {
    pub fn new(inner: Box<dyn Query>, keys: KeySetQuery) -> Within {
        Within { inner, keys }
    }
}

impl Query for Within {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(WithinWeight {
            inner: self.inner.weight(scoring)?,
            keys: self.keys.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct WithinWeight {
    inner: Box<dyn Weight>,
    keys: KeySetQuery,
}

impl Weight for WithinWeight {
    fn scorer(&self, segment: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let set = self.keys.set_for(segment)?;
        let inner = self.inner.scorer(segment, boost)?;
        let mut scorer = WithinScorer { inner, set };
        let doc = scorer.inner.doc();
        if doc != TERMINATED && !scorer.set.contains(doc) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if !self.keys.set_for(segment)?.contains(doc) {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} holds none of the keys"
            )));
        }
        self.inner.explain(segment, doc)
    }

    fn for_each(
        &self,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        let set = self.keys.set_for(segment)?;
        self.inner.for_each(segment, &mut |doc, score| {
            if set.contains(doc) {
                callback(doc, score);
            }
        })
    }

    fn for_each_no_score(
        &self,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        let set = self.keys.set_for(segment)?;
        let mut kept = Vec::new();
        self.inner.for_each_no_score(segment, &mut |docs| {
            kept.clear();
            kept.extend(docs.iter().copied().filter(|&d| set.contains(d)));
            if !kept.is_empty() {
                callback(&kept);
            }
        })
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        segment: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let set = self.keys.set_for(segment)?;
        // A match outside the set leaves the threshold as the last kept match set it.
        let mut current = threshold;
        self.inner
            .for_each_pruning(threshold, segment, &mut |doc, score| {
                if set.contains(doc) {
                    current = callback(doc, score);
                }
                current
            })
    }
}

/// A scorer's matches that are in `set`.
struct WithinScorer {
    inner: Box<dyn Scorer>,
    set: Arc<Bits>,
}

impl DocSet for WithinScorer {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.inner.advance();
            if doc == TERMINATED || self.set.contains(doc) {
                return doc;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.inner.seek(target);
        if doc == TERMINATED || self.set.contains(doc) {
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

impl Scorer for WithinScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
