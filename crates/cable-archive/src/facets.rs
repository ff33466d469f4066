//! Exact facet counts over every match, from the `facets` column, near memory speed.
//!
//! tantivy's `FacetCollector` maps each segment's facet dictionary to the requested facets on
//! every query (walking the dictionary) and turns each counted ordinal back into a facet by a
//! dictionary look-up at the end; on a broad search page those two steps cost more than the
//! counting itself (a profile of `cables serve` under the query mix: about a quarter of all
//! server time). Reading each match's ordinals through the facet column (a bit-packed
//! multi-valued column behind an optional index) was then the largest cost left: about 40% of a
//! profile of the query mix at 250,000 cables.
//!
//! Segments never change once written, so both are done once per segment and kept
//! ([`FacetCache`]): the map from a segment's facet ordinal to its (facet, value) pair, and every
//! document's ordinals laid out flat (`starts`/`ords`, about 40 bytes a cable). A query then
//! increments one counter per ordinal of each match, reading two plain arrays.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::index::SegmentId;

/// The byte between the levels of an encoded facet (`tantivy::schema::Facet`).
const FACET_SEP_BYTE: u8 = 0;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Facet counts by facet name (`year`, `tag`, ...), then value.
pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// One segment's facets, read once: what each ordinal stands for, and each document's ordinals.
struct SegmentMap {
    /// For each ordinal: (facet name, value), the name as found in the dictionary.
    entries: Vec<Option<(Arc<str>, Arc<str>)>>,
    /// Document `d`'s distinct ordinals are `ords[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    ords: Vec<u32>,
}

impl SegmentMap {
    fn doc_ords(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        match (self.starts.get(d), self.starts.get(d + 1)) {
            (Some(&a), Some(&b)) => &self.ords[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Per-segment maps, shared by every search of an archive. Entries of merged-away segments are
/// dropped when the cache is pruned against the live segments.
///
/// A segment's map is built once: the first search to need it builds it while holding that
/// segment's slot, and concurrent searches wait for it instead of building it again (under a
/// server's load every request would otherwise read the whole facet column at once).
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Slot>>,
}

/// One segment's map, once built.
type Slot = Arc<Mutex<Option<Arc<SegmentMap>>>>;

impl FacetCache {
    fn map_for(&self, segment: &SegmentReader) -> tantivy::Result<Arc<SegmentMap>> {
        let id = segment.segment_id();
        let slot = self
            .segments
            .lock()
            .expect("facet cache lock")
            .entry(id)
            .or_default()
            .clone();
        let mut slot = slot.lock().expect("facet cache slot lock");
        if let Some(m) = slot.as_ref() {
            return Ok(m.clone());
        }
        let reader = segment.facet_reader("facets")?;
        let map = Arc::new(Self::build(id, segment, &reader)?);
        *slot = Some(map.clone());
        Ok(map)
    }

    /// Read a segment's facet dictionary and every document's ordinals.
    fn build(
        id: SegmentId,
        segment: &SegmentReader,
        reader: &FacetReader,
    ) -> tantivy::Result<SegmentMap> {
        if u32::try_from(reader.num_facets()).is_err() {
            return Err(tantivy::TantivyError::InternalError(format!(
                "segment {id}: more than 4 billion distinct facet values"
            )));
        }
        let mut entries = vec![None; reader.num_facets()];
        let mut names: HashMap<Vec<u8>, Arc<str>> = HashMap::new();
        let mut stream = reader.facet_dict().stream()?;
        while stream.advance() {
            let ord = stream.term_ord() as usize;
            let key = stream.key();
            // `name\0value`: the facets here are two levels deep.
            let Some(sep) = key.iter().position(|&b| b == FACET_SEP_BYTE) else {
                continue;
            };
            let (name, value) = (&key[..sep], &key[sep + 1..]);
            let value = match value.iter().rposition(|&b| b == FACET_SEP_BYTE) {
                Some(p) => &value[p + 1..],
                None => value,
            };
            let name = names
                .entry(name.to_vec())
                .or_insert_with(|| Arc::from(String::from_utf8_lossy(name).as_ref()))
                .clone();
            if let Some(slot) = entries.get_mut(ord) {
                *slot = Some((name, Arc::from(String::from_utf8_lossy(value).as_ref())));
            }
        }
        let max_doc = segment.max_doc();
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::with_capacity(max_doc as usize * 8);
        starts.push(0u32);
        for doc in 0..max_doc {
            let mut previous = u64::MAX;
            for ord in reader.facet_ords(doc) {
                // A document carrying the same value twice counts once.
                if ord != previous {
                    ords.push(ord as u32); // below num_facets, checked above
                    previous = ord;
                }
            }
            let end = u32::try_from(ords.len()).map_err(|_| {
                tantivy::TantivyError::InternalError(format!(
                    "segment {id}: more than 4 billion facet values in all"
                ))
            })?;
            starts.push(end);
        }
        ords.shrink_to_fit();
        Ok(SegmentMap {
            entries,
            starts,
            ords,
        })
    }

    /// Build the maps of every segment of `searcher` not built yet.
    pub fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.map_for(segment)?;
        }
        Ok(())
    }

    /// Forget segments that are no longer in `live` (merged away).
    pub fn retain(&self, live: &[SegmentId]) {
        self.segments
            .lock()
            .expect("facet cache lock")
            .retain(|id, _| live.contains(id));
    }
}

/// Counts the values of the facets `names` over every collected document.
pub struct FacetCounter<'a> {
    pub names: &'a [&'a str],
    pub cache: Arc<FacetCache>,
}

pub struct SegmentFacetCounter {
    map: Arc<SegmentMap>,
    /// The requested facet names, checked only for the ordinals that were counted.
    names: Vec<String>,
    counts: Vec<u32>,
}

impl Collector for FacetCounter<'_> {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let map = self.cache.map_for(segment)?;
        Ok(SegmentFacetCounter {
            counts: vec![0; map.entries.len()],
            map,
            names: self.names.iter().map(|n| n.to_string()).collect(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out: Counts = self
            .names
            .iter()
            .map(|n| (n.to_string(), BTreeMap::new()))
            .collect();
        for fruit in fruits {
            for (name, values) in fruit {
                let into = out.entry(name).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        for &ord in self.map.doc_ords(doc) {
            self.counts[ord as usize] += 1;
        }
    }

    fn harvest(self) -> Counts {
        let mut out: Counts = BTreeMap::new();
        for (ord, &n) in self.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let Some((name, value)) = &self.map.entries[ord] else {
                continue;
            };
            if self.names.iter().any(|n| n.as_str() == name.as_ref()) {
                *out.entry(name.to_string())
                    .or_default()
                    .entry(value.to_string())
                    .or_default() += u64::from(n);
            }
        }
        out
    }
}
