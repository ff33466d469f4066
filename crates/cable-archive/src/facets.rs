//! Exact facet counts over every match, from the `facets` column, near memory speed.
//!
//! tantivy's `FacetCollector` maps each segment's facet dictionary to the requested facets on
//! every query (walking the dictionary) and turns each counted ordinal back into a facet by a
//! dictionary look-up at the end; on a broad search page those two steps cost more than the
//! counting itself (a profile of `cables serve` under the query mix: about a quarter of all
//! server time). Segments never change once written, so the map from a segment's facet ordinal
//! to its (facet, value) pair is built once per segment and kept ([`FacetCache`]); a query then
//! only reads each match's ordinals and increments a counter per ordinal.

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

/// What one facet ordinal of a segment stands for: the index of its facet among the requested
/// names, and its value. Ordinals of facets nobody asks for map to `None`.
struct SegmentMap {
    /// For each ordinal: (facet name, value), the name as found in the dictionary.
    entries: Vec<Option<(Arc<str>, Arc<str>)>>,
}

/// Per-segment maps, shared by every search of an archive. Entries of merged-away segments are
/// dropped when the cache is pruned against the live segments.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentMap>>>,
}

impl FacetCache {
    fn map_for(
        &self,
        segment: &SegmentReader,
        reader: &FacetReader,
    ) -> tantivy::Result<Arc<SegmentMap>> {
        let id = segment.segment_id();
        if let Some(m) = self.segments.lock().expect("facet cache lock").get(&id) {
            return Ok(m.clone());
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
        let map = Arc::new(SegmentMap { entries });
        self.segments
            .lock()
            .expect("facet cache lock")
            .insert(id, map.clone());
        Ok(map)
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
    reader: FacetReader,
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
        let reader = segment.facet_reader("facets")?;
        let map = self.cache.map_for(segment, &reader)?;
        Ok(SegmentFacetCounter {
            counts: vec![0; reader.num_facets()],
            reader,
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
        let mut previous = u64::MAX;
        for ord in self.reader.facet_ords(doc) {
            // A document carrying the same value twice counts once.
            if ord != previous {
                self.counts[ord as usize] += 1;
                previous = ord;
            }
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
