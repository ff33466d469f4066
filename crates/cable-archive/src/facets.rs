//! Exact facet counts over every match, from the `facets` column, near memory speed.
//!
//! tantivy's `FacetCollector` maps each segment's facet dictionary to the requested facets on
//! every query (walking the dictionary) and turns each counted ordinal back into a facet by a
//! dictionary look-up at the end; on a broad search page those two steps cost more than the
//! counting itself. Reading each match's ordinals through the facet column (a bit-packed
//! multi-valued column behind an optional index) was then the largest cost left.
//!
//! Segments never change once written, so the facet column is read once per segment and kept
//! ([`FacetCache`]) in a layout made for counting: one [`Column`] per facet name (`year`,
//! `tag`, ...), holding each document's values in a fixed number of slots (`width`), values
//! numbered within their facet. A fixed width makes the inner loop's trip count the same for
//! every document, so the processor predicts it (a variable count of ordinals a document cost a
//! mispredicted branch per match); a search counts only the facets it asks for; and the rare
//! values beyond a column's width (a cable with many tags) sit in a short side list.
//!
//! A search keeps a segment's matches as bits (a bit a document) and counts them a batch at a
//! time, column by column, into [`LANES`] copies of each counter array taken in turn:
//! consecutive matches mostly share a year or a classification, and incrementing one counter
//! over and over waits on the previous increment each time; four copies let four increments
//! run at once. When the matches
//! are most of the segment, the documents left out are counted instead and taken from the
//! segment's totals.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::{AliveBitSet, FacetReader};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::bits::Bits;

use crate::keyset::KeySetQuery;

/// The byte between the levels of an encoded facet (`tantivy::schema::Facet`).
const FACET_SEP_BYTE: u8 = 0;

/// Facet counts by facet name (`year`, `tag`, ...), then value.
pub type Counts = BTreeMap<String, BTreeMap<String, u64>>;

/// One segment's counts, by value number: turned into strings once, when the segments' counts
/// are merged (making strings and maps for every segment was a sixth of a selective page).
pub struct SegmentCounts {
    map: Arc<SegmentMap>,
    /// For each requested column counted: its index and (value number, count) for each value
    /// counted.
    columns: Vec<(usize, Vec<(u32, u64)>)>,
}

/// Copies of each counter array, taken by matches in turn.
const LANES: usize = 4;

/// Matches counted at a time.
const BATCH: usize = 1024;

/// Matches are counted sparsely while their slots are at most this many times the counters
/// of the batch counting (see [`SegmentFacetCounter::few`]).
const SPARSE_SHARE: usize = 2;

/// The widest a column gets; values beyond go to its side list.
const MAX_WIDTH: usize = 16;

/// A column is made one slot wider only when more than one document in this many would
/// otherwise put a value in the side list (a side entry costs a binary search in a batch, a
/// slot a read for every match). Measured at 250,000 cables (instructions a page, see
/// BENCHMARKS.md, session 15): 8 against 32 saves 9% of `tag:PREL` and 4% of
/// `class>=SECRET caveat:NOFORN`; 4 costs a third more on the latter.
const OVERFLOW_SHARE: usize = 8;

/// A value number in a slot.
trait Number: Copy {
    fn index(self) -> usize;
}

impl Number for u16 {
    fn index(self) -> usize {
        usize::from(self)
    }
}

impl Number for u32 {
    fn index(self) -> usize {
        self as usize
    }
}

/// A column's slots, two bytes each when its values and fillers fit.
enum Slots {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// One facet's values in one segment.
struct Column {
    /// The facet's name as found in the dictionary.
    name: Arc<str>,
    /// The facet's values, numbered from 0.
    values: Vec<Arc<str>>,
    /// Slots a document.
    width: usize,
    /// Document `d`'s values are in `slots[d * width..(d + 1) * width]`; slot `k` of a document
    /// with fewer values holds the filler `values.len() + k` (one filler a slot position, so
    /// that the fillers' counters do not all wait on one another).
    slots: Slots,
    /// The values that did not fit in a document's slots, by document.
    overflow: Vec<(DocId, u32)>,
    /// A bit a document: set when it has values in `overflow` (empty when none has).
    spilled: Vec<u64>,
    /// Each value's number in the cache's [`Dictionary`].
    global: Vec<u32>,
}

impl Column {
    /// Counters a lane needs: the values and the fillers.
    fn counters(&self) -> usize {
        self.values.len() + self.width
    }

    /// The length of a counter array: [`Self::counters`] rounded up to a power of two, so that
    /// a slot's value masked by one less is the value itself and in bounds without a check.
    fn counter_len(&self) -> usize {
        self.counters().next_power_of_two()
    }

    /// Copies of the counters a search takes in turn: [`LANES`] for a one-value column, one
    /// otherwise (a wider column's values already spread a match's increments over several
    /// counters).
    fn lanes(&self) -> usize {
        if self.width == 1 {
            LANES
        } else {
            1
        }
    }
}

/// One segment's facets, read once.
struct SegmentMap {
    columns: Vec<Column>,
    /// Every column's counts over the segment's live documents, made when a search first
    /// counts a complement (see [`SegmentFacetCounter::harvest`]), with the number of live
    /// documents they count. Deletes only ever add to a segment's deleted set, so the same
    /// number means the same set.
    totals: Mutex<Option<LiveTotals>>,
    /// The same over the live documents a restricted view sees (its key list's documents,
    /// [`crate::keyset`]), by key list.
    view_totals: Mutex<FxHashMap<Arc<[String]>, LiveTotals>>,
}

/// Counts by column index, then value number.
type Totals = Vec<Vec<u64>>;

/// Totals and the number of live documents of the segment when they were made.
type LiveTotals = (DocId, Arc<Totals>);

/// The documents a restricted view sees in one segment: its key list and their documents.
type Universe = (Arc<[String]>, Arc<Bits>);

/// Whether `doc` is in `within` (every document when `None`) and alive.
fn counted(doc: DocId, within: Option<&Bits>, alive: Option<&AliveBitSet>) -> bool {
    within.is_none_or(|w| w.contains(doc)) && alive.is_none_or(|a| a.is_alive(doc))
}

impl SegmentMap {
    /// Every column's counts over the live documents of `segment` (this map's segment), or
    /// over those of them in `universe`.
    fn totals(
        &self,
        universe: Option<&Universe>,
        alive: Option<&AliveBitSet>,
        max_doc: DocId,
    ) -> Arc<Totals> {
        let live = alive.map_or(max_doc, |a| a.num_alive_docs() as DocId);
        let cached = match universe {
            None => self.totals.lock().expect("facet totals lock").clone(),
            Some((keys, _)) => self
                .view_totals
                .lock()
                .expect("facet totals lock")
                .get(keys)
                .cloned(),
        };
        if let Some((l, t)) = cached {
            if l == live {
                return t;
            }
        }
        // Made outside the lock: two searches may both make it the first time, harmlessly.
        let within = universe.map(|(_, set)| &**set);
        let mut tallies: Vec<Tally> = (0..self.columns.len())
            .map(|column| Tally {
                column,
                lanes: Vec::new(),
            })
            .collect();
        let mut docs = Vec::with_capacity(BATCH);
        for doc in 0..max_doc {
            if counted(doc, within, alive) {
                docs.push(doc);
                if docs.len() == BATCH {
                    count_into(self, &mut tallies, &docs);
                    docs.clear();
                }
            }
        }
        count_into(self, &mut tallies, &docs);
        let totals: Arc<Totals> = Arc::new(
            tallies
                .iter()
                .map(|t| {
                    let values = self.columns[t.column].values.len();
                    (0..values).map(|v| t.sum(v)).collect()
                })
                .collect(),
        );
        match universe {
            None => *self.totals.lock().expect("facet totals lock") = Some((live, totals.clone())),
            Some((keys, _)) => {
                let mut views = self.view_totals.lock().expect("facet totals lock");
                // Key lists come from the readers' clearances, a handful; this only bounds them.
                if views.len() >= 64 {
                    views.clear();
                }
                views.insert(keys.clone(), (live, totals.clone()));
            }
        }
        totals
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
    /// Every value of the segments' maps, numbered; replaced (copied on write) when a new
    /// segment brings new values, so a search reads a snapshot without holding the lock.
    dictionary: Mutex<Arc<Dictionary>>,
}

/// The values of every segment the cache has read, numbered by facet name across segments, so
/// that segments' counts are summed by number and come out in order without hashing or
/// comparing strings on every search (which cost a broad page 2.1 M instructions). Numbers
/// are never taken back: a merged-away segment's values stay, bounded by the values ever seen.
#[derive(Default, Clone)]
struct Dictionary {
    columns: FxHashMap<Arc<str>, DictionaryColumn>,
}

#[derive(Default, Clone)]
struct DictionaryColumn {
    values: Vec<Arc<str>>,
    numbers: FxHashMap<Arc<str>, u32>,
    /// The numbers in the order of their values.
    sorted: Vec<u32>,
}

impl Dictionary {
    /// Number `columns`' values (setting each column's `global`), adding the new ones.
    fn number(&mut self, columns: &mut [Column]) -> tantivy::Result<()> {
        for column in columns {
            let entry = self.columns.entry(column.name.clone()).or_default();
            let before = entry.values.len();
            column.global = column
                .values
                .iter()
                .map(|v| {
                    if let Some(&n) = entry.numbers.get(v) {
                        return Ok(n);
                    }
                    let n = u32::try_from(entry.values.len()).map_err(|_| {
                        tantivy::TantivyError::InternalError(format!(
                            "facet {}: more than 4 billion values",
                            column.name
                        ))
                    })?;
                    entry.values.push(v.clone());
                    entry.numbers.insert(v.clone(), n);
                    Ok(n)
                })
                .collect::<tantivy::Result<_>>()?;
            if entry.values.len() != before {
                let values = &entry.values;
                let mut sorted: Vec<u32> = (0..values.len() as u32).collect();
                sorted.sort_by(|&a, &b| values[a as usize].cmp(&values[b as usize]));
                entry.sorted = sorted;
            }
        }
        Ok(())
    }
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
        let mut map = Self::build(id, segment.max_doc(), &reader)?;
        {
            let mut dictionary = self.dictionary.lock().expect("facet dictionary lock");
            Arc::make_mut(&mut dictionary).number(&mut map.columns)?;
        }
        let map = Arc::new(map);
        *slot = Some(map.clone());
        Ok(map)
    }

    /// Read a segment's facet dictionary and every document's values.
    fn build(id: SegmentId, max_doc: DocId, reader: &FacetReader) -> tantivy::Result<SegmentMap> {
        let too_many = || {
            tantivy::TantivyError::InternalError(format!(
                "segment {id}: more than 4 billion facet values"
            ))
        };
        // Each ordinal's column and value number.
        let mut of_ord: Vec<Option<(usize, u32)>> = vec![None; reader.num_facets()];
        let mut names: Vec<(Arc<str>, Vec<Arc<str>>)> = Vec::new();
        let mut by_name: HashMap<Vec<u8>, usize> = HashMap::new();
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
            let column = *by_name.entry(name.to_vec()).or_insert_with(|| {
                names.push((
                    Arc::from(String::from_utf8_lossy(name).as_ref()),
                    Vec::new(),
                ));
                names.len() - 1
            });
            let values = &mut names[column].1;
            let number = u32::try_from(values.len()).map_err(|_| too_many())?;
            values.push(Arc::from(String::from_utf8_lossy(value).as_ref()));
            if let Some(slot) = of_ord.get_mut(ord) {
                *slot = Some((column, number));
            }
        }
        // A document's distinct values, column by column (the ordinals come sorted, so a
        // repeated value is a repeated ordinal next to itself).
        let doc_values = |doc: DocId, out: &mut Vec<(usize, u32)>| {
            out.clear();
            let mut previous = u64::MAX;
            for ord in reader.facet_ords(doc) {
                if ord != previous {
                    if let Some(Some(cv)) = of_ord.get(ord as usize) {
                        out.push(*cv);
                    }
                    previous = ord;
                }
            }
        };
        // First pass: how many documents have n values of each facet, to choose the widths.
        let mut histogram = vec![[0usize; MAX_WIDTH + 2]; names.len()];
        let mut per_doc = vec![0usize; names.len()];
        let mut values = Vec::new();
        for doc in 0..max_doc {
            doc_values(doc, &mut values);
            for &(c, _) in &values {
                per_doc[c] += 1;
            }
            for (c, n) in per_doc.iter_mut().enumerate() {
                histogram[c][(*n).min(MAX_WIDTH + 1)] += 1;
                *n = 0;
            }
        }
        let limit = max_doc as usize / OVERFLOW_SHARE;
        let widths: Vec<usize> = histogram
            .iter()
            .map(|h| {
                // The narrowest width that leaves at most `limit` documents with values over.
                (0..MAX_WIDTH)
                    .find(|&w| h[w + 1..].iter().sum::<usize>() <= limit)
                    .unwrap_or(MAX_WIDTH)
            })
            .collect();
        // Second pass: fill the slots.
        let docs = max_doc as usize;
        let mut filled: Vec<Vec<u32>> = names
            .iter()
            .zip(&widths)
            .map(|((_, v), &w)| {
                let mut slots = Vec::with_capacity(docs * w);
                for _ in 0..docs {
                    slots.extend((0..w).map(|k| (v.len() + k) as u32));
                }
                slots
            })
            .collect();
        let mut overflow: Vec<Vec<(DocId, u32)>> = vec![Vec::new(); names.len()];
        for doc in 0..max_doc {
            doc_values(doc, &mut values);
            for &(c, v) in &values {
                let k = per_doc[c];
                if k < widths[c] {
                    filled[c][doc as usize * widths[c] + k] = v;
                } else {
                    overflow[c].push((doc, v));
                }
                per_doc[c] += 1;
            }
            for &(c, _) in &values {
                per_doc[c] = 0;
            }
        }
        let columns = names
            .into_iter()
            .zip(widths)
            .zip(filled)
            .zip(overflow)
            .map(|((((name, values), width), slots), overflow)| {
                let mut spilled = Vec::new();
                if !overflow.is_empty() {
                    spilled = vec![0u64; docs.div_ceil(64)];
                    for &(doc, _) in &overflow {
                        spilled[doc as usize / 64] |= 1 << (doc % 64);
                    }
                }
                let narrow = values.len() + width <= usize::from(u16::MAX) + 1;
                let slots = if narrow {
                    Slots::Narrow(slots.into_iter().map(|s| s as u16).collect())
                } else {
                    Slots::Wide(slots)
                };
                Column {
                    name,
                    values,
                    width,
                    slots,
                    overflow,
                    spilled,
                    global: Vec::new(),
                }
            })
            .collect();
        Ok(SegmentMap {
            columns,
            totals: Mutex::new(None),
            view_totals: Mutex::default(),
        })
    }

    /// Build the maps of every segment of `searcher` not built yet.
    pub fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for segment in searcher.segment_readers() {
            self.map_for(segment)?
                .totals(None, segment.alive_bitset(), segment.max_doc());
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
    /// The documents a restricted view sees, when they are exactly one key list's: every
    /// match is among them, so a broad search's complement is taken within them.
    pub within: Option<KeySetQuery>,
}

/// One requested column's counters in one segment.
struct Tally {
    column: usize,
    /// Empty until a first batch is counted; then [`Column::lanes`] copies of the counters.
    lanes: Vec<Vec<u32>>,
}

impl Tally {
    /// Value `v`'s count over the lanes (0 before any batch).
    fn sum(&self, v: usize) -> u64 {
        self.lanes.iter().map(|lane| u64::from(lane[v])).sum()
    }
}

pub struct SegmentFacetCounter {
    map: Arc<SegmentMap>,
    tallies: Vec<Tally>,
    /// Every match, a bit a document; counted at harvest, when their number says whether to
    /// count them or the live documents they leave out. A bit costs a match less than a place
    /// in a growing list, and the documents a broad search leaves out are the bits' complement.
    matched: Vec<u64>,
    /// How many bits are set in `matched` (tantivy gives each match once); counting the bits
    /// at harvest instead cost `Interpol kidnapping` 1.5–2% more instructions a page.
    count: usize,
    alive: Option<AliveBitSet>,
    max_doc: DocId,
    live: DocId,
    /// The view's documents in this segment, when the counter was given them.
    universe: Option<Universe>,
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
        let tallies = map
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| self.names.iter().any(|n| *n == c.name.as_ref()))
            .map(|(i, _)| Tally {
                column: i,
                lanes: Vec::new(),
            })
            .collect();
        Ok(SegmentFacetCounter {
            map,
            tallies,
            matched: vec![0; (segment.max_doc() as usize).div_ceil(64)],
            count: 0,
            alive: segment.alive_bitset().cloned(),
            max_doc: segment.max_doc(),
            live: segment.num_docs(),
            universe: match &self.within {
                Some(q) => Some((q.keys().clone(), q.set_for(segment)?)),
                None => None,
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Counts> {
        // Summed by the value's number in the dictionary, which every counted segment's values
        // were given before the search counted them: segments share values, and two paths can
        // end in the same value (`/tag/a/x`, `/tag/b/x`), one number.
        let dictionary = self
            .cache
            .dictionary
            .lock()
            .expect("facet dictionary lock")
            .clone();
        // Every requested facet is in the result, counted or not.
        Ok(self
            .names
            .iter()
            .map(|&name| {
                let mut values = BTreeMap::new();
                if let Some(d) = dictionary.columns.get(name) {
                    let mut sums = vec![0u64; d.values.len()];
                    for fruit in &fruits {
                        for (c, counted) in &fruit.columns {
                            let column = &fruit.map.columns[*c];
                            if column.name.as_ref() != name {
                                continue;
                            }
                            for &(v, n) in counted {
                                sums[column.global[v as usize] as usize] += n;
                            }
                        }
                    }
                    values = d
                        .sorted
                        .iter()
                        .map(|&g| (g as usize, sums[g as usize]))
                        .filter(|&(_, n)| n > 0)
                        .map(|(g, n)| (d.values[g].to_string(), n))
                        .collect();
                }
                (name.to_string(), values)
            })
            .collect())
    }
}

/// Add one to the counter of each slot of each document of `docs`; with [`LANES`] lanes, the
/// documents take them in turn. Every lane is as long, a power of two above every slot's value
/// ([`Column::counter_len`]): a value masked by one less indexes a lane without a bounds
/// check (which took a compare and a branch for every slot, and the lanes' addresses read
/// again for every document; 29 of 125 instructions a match of the PGOV half-year).
fn tally<S: Number>(slots: &[S], width: usize, docs: &[DocId], lanes: &mut [Vec<u32>]) {
    let mask = lanes[0].len() - 1;
    debug_assert!(lanes.iter().all(|l| l.len() == mask + 1));
    if let (1, Ok([a, b, c, d])) = (width, <&mut [Vec<u32>; LANES]>::try_from(&mut *lanes)) {
        // One value a document (a year, a classification): no inner loop.
        let (a, b, c, d) = (
            &mut a[..=mask],
            &mut b[..=mask],
            &mut c[..=mask],
            &mut d[..=mask],
        );
        let value = |doc: DocId| {
            let v = slots[doc as usize].index();
            debug_assert!(v <= mask);
            v & mask
        };
        let mut chunks = docs.chunks_exact(LANES);
        for chunk in &mut chunks {
            a[value(chunk[0])] += 1;
            b[value(chunk[1])] += 1;
            c[value(chunk[2])] += 1;
            d[value(chunk[3])] += 1;
        }
        for &doc in chunks.remainder() {
            a[value(doc)] += 1;
        }
        return;
    }
    let lane = &mut lanes[0][..=mask];
    // A width known when compiling unrolls each document's slots (a loop over a run-time width
    // cost the tag column 118 instructions a match at width 9; see BENCHMARKS.md, session 17).
    macro_rules! rows {
        ($($w:literal)*) => {
            match width {
                $($w => return tally_rows::<S, $w>(slots, docs, lane),)*
                _ => {}
            }
        };
    }
    rows!(2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
    for &doc in docs {
        let start = doc as usize * width;
        for &s in &slots[start..start + width] {
            debug_assert!(s.index() <= mask);
            lane[s.index() & mask] += 1;
        }
    }
}

/// [`tally`] for documents of `W` slots, taken as rows of a fixed length; `lane`'s length is a
/// power of two above every slot's value.
fn tally_rows<S: Number, const W: usize>(slots: &[S], docs: &[DocId], lane: &mut [u32]) {
    let mask = lane.len() - 1;
    let lane = &mut lane[..=mask];
    let (rows, _) = slots.as_chunks::<W>();
    for &doc in docs {
        for &s in &rows[doc as usize] {
            debug_assert!(s.index() <= mask);
            lane[s.index() & mask] += 1;
        }
    }
}

/// The side-list values of the documents of `batch`: a bit test a document, a search of the
/// side list for the few with values there.
fn side_values(column: &Column, batch: &[DocId], mut each: impl FnMut(u32)) {
    if column.overflow.is_empty() {
        return;
    }
    let side = &column.overflow;
    // The batch and the side list are both in document order: each search starts where the
    // last ended and gallops (a binary search of the whole list cost 13 steps a document).
    let mut from = 0;
    for &doc in batch {
        let d = doc as usize;
        if column.spilled[d / 64] & (1 << (d % 64)) == 0 {
            continue;
        }
        let rest = &side[from..];
        let mut end = 1;
        while end < rest.len() && rest[end].0 < doc {
            end *= 2;
        }
        // Below `end / 2` every entry is of an earlier document (the gallop passed it).
        let start = end / 2;
        from += start + rest[start..end.min(rest.len())].partition_point(|&(e, _)| e < doc);
        for &(_, value) in side[from..].iter().take_while(|&&(e, _)| e == doc) {
            each(value);
        }
    }
}

/// Count `docs` (increasing) into the counter arrays of `tallies`.
fn count_into(map: &SegmentMap, tallies: &mut [Tally], docs: &[DocId]) {
    debug_assert!(docs.windows(2).all(|w| w[0] < w[1]));
    for t in tallies {
        let column = &map.columns[t.column];
        if t.lanes.is_empty() {
            t.lanes = vec![vec![0; column.counter_len()]; column.lanes()];
        }
        match &column.slots {
            _ if column.width == 0 => {}
            Slots::Narrow(s) => tally(s, column.width, docs, &mut t.lanes),
            Slots::Wide(s) => tally(s, column.width, docs, &mut t.lanes),
        }
        let lane = &mut t.lanes[0];
        side_values(column, docs, |v| lane[v as usize] += 1);
    }
}

impl SegmentFacetCounter {
    /// Whether the matches are few enough to count sparsely ([`Self::harvest_few`]): their
    /// slots at most [`SPARSE_SHARE`] times the counters the batch counting would clear and sum
    /// (a sparse count costs a slot a test more, the batch counting every counter of every
    /// lane at the end).
    fn few(&self, matched: usize) -> bool {
        let (mut values, mut counters) = (0, 0);
        for t in &self.tallies {
            let column = &self.map.columns[t.column];
            values += matched * column.width;
            counters += column.lanes() * column.counters();
        }
        values <= SPARSE_SHARE * counters
    }

    /// Counts of a segment with few matches (see [`Self::few`]): one counter array reused by
    /// every column, and a list of the counters a match touched, so that only those are read
    /// and cleared (a selective page's segments would otherwise each clear and sum every
    /// counter of every lane, or sort their values: `Interpol kidnapping` 0.4 M instructions a
    /// page in its six facets' harvests).
    fn harvest_few(mut self, count: usize) -> SegmentCounts {
        let mut matched = Vec::with_capacity(count);
        each_batch(
            self.matched.iter().copied(),
            self.max_doc,
            |_| true,
            |docs| matched.extend_from_slice(docs),
        );
        let widest = self
            .tallies
            .iter()
            .map(|t| self.map.columns[t.column].counter_len())
            .max()
            .unwrap_or(0);
        let mut counters = vec![0u32; widest];
        let mut touched = Vec::new();
        let mut columns = Vec::with_capacity(self.tallies.len());
        for t in &mut self.tallies {
            let column = &self.map.columns[t.column];
            touched.clear();
            match &column.slots {
                Slots::Narrow(s) => touch(s, column.width, &matched, &mut counters, &mut touched),
                Slots::Wide(s) => touch(s, column.width, &matched, &mut counters, &mut touched),
            }
            side_values(column, &matched, |v| {
                bump(&mut counters[v as usize], v, &mut touched)
            });
            let n = column.values.len();
            let mut counted = Vec::with_capacity(touched.len());
            for &v in &touched {
                let c = std::mem::take(&mut counters[v as usize]);
                // Fillers are counted with the values and left out here.
                if (v as usize) < n {
                    counted.push((v, u64::from(c)));
                }
            }
            columns.push((t.column, counted));
        }
        SegmentCounts {
            map: self.map,
            columns,
        }
    }
}

/// Add one to `counter` (number `v`), noting it in `touched` when it leaves zero.
fn bump(counter: &mut u32, v: u32, touched: &mut Vec<u32>) {
    if *counter == 0 {
        touched.push(v);
    }
    *counter += 1;
}

/// Add one to the counter of each slot of each document of `docs`, noting each counter that
/// leaves zero in `touched`; `counters`' length is a power of two above every slot's value.
fn touch<S: Number>(
    slots: &[S],
    width: usize,
    docs: &[DocId],
    counters: &mut [u32],
    touched: &mut Vec<u32>,
) {
    let mask = counters.len() - 1;
    let counters = &mut counters[..=mask];
    for &doc in docs {
        let start = doc as usize * width;
        for &s in &slots[start..start + width] {
            debug_assert!(s.index() <= mask);
            // A counter's index, below a column's u32 count of values and fillers.
            bump(&mut counters[s.index() & mask], s.index() as u32, touched);
        }
    }
}

impl SegmentFacetCounter {
    /// The live documents not matched (of the universe, when there is one), in increasing
    /// order, a batch at a time.
    fn unmatched(&self, each: impl FnMut(&[DocId])) {
        let within = self.universe.as_ref().map(|(_, set)| &**set);
        let words = self
            .matched
            .iter()
            .enumerate()
            .map(|(w, &word)| match within {
                Some(set) => !word & set.word(w),
                None => !word,
            });
        let alive = self.alive.as_ref();
        each_batch(
            words,
            self.max_doc,
            |doc| alive.is_none_or(|a| a.is_alive(doc)),
            each,
        );
    }

    /// Mark `doc` matched.
    fn mark(&mut self, doc: DocId) {
        self.matched[doc as usize / 64] |= 1 << (doc % 64);
    }

    /// Mark `first..=last` matched.
    fn mark_run(&mut self, first: DocId, last: DocId) {
        let (first, last) = (first as usize, last as usize);
        let (a, b) = (first / 64, last / 64);
        // The bits of a word from bit `i` up, and up to bit `i`.
        let from = |i: usize| u64::MAX << (i % 64);
        let upto = |i: usize| u64::MAX >> (63 - i % 64);
        if a == b {
            self.matched[a] |= from(first) & upto(last);
            return;
        }
        self.matched[a] |= from(first);
        self.matched[a + 1..b].fill(u64::MAX);
        self.matched[b] |= upto(last);
    }

    /// Whether counting the complement pays: the `matched` matches are more than half of the
    /// documents they are drawn from (the live ones, or the universe's), and, with a universe,
    /// all in it.
    fn complement(&self, matched: usize) -> bool {
        match &self.universe {
            None => matched > 0 && matched > self.live as usize / 2,
            Some((_, set)) => {
                matched > 0
                    && matched > set.len() / 2
                    && self
                        .matched
                        .iter()
                        .enumerate()
                        .all(|(w, &word)| word & !set.word(w) == 0)
            }
        }
    }
}

/// The documents below `max_doc` whose bits are set in `words` (a bit a document, from
/// document 0) and that `keep` keeps, in increasing order, [`BATCH`] at a time.
fn each_batch(
    words: impl Iterator<Item = u64>,
    max_doc: DocId,
    keep: impl Fn(DocId) -> bool,
    mut each: impl FnMut(&[DocId]),
) {
    let mut batch = Vec::with_capacity(BATCH);
    for (w, word) in words.enumerate() {
        let mut rest = word;
        while rest != 0 {
            let doc = (w * 64) as DocId + rest.trailing_zeros();
            rest &= rest - 1;
            if doc >= max_doc {
                break;
            }
            if keep(doc) {
                batch.push(doc);
                if batch.len() == BATCH {
                    each(&batch);
                    batch.clear();
                }
            }
        }
    }
    if !batch.is_empty() {
        each(&batch);
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        self.mark(doc);
        self.count += 1;
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        match (docs.first(), docs.last()) {
            // A run of consecutive documents (every document, a broad range): whole words.
            (Some(&first), Some(&last)) if (last - first) as usize + 1 == docs.len() => {
                self.mark_run(first, last)
            }
            _ => {
                for &doc in docs {
                    self.mark(doc);
                }
            }
        }
        self.count += docs.len();
    }

    /// Counts the matches, in one of three ways: when they are most of the segment's live
    /// documents, the live documents they leave out are counted and taken from the segment's
    /// totals (a search matching 90% of the archive counts a tenth of it); when their values
    /// are fewer than the counters, by sorting; otherwise a batch at a time into counters.
    fn harvest(mut self) -> SegmentCounts {
        let matched = self.count;
        let complement = self.complement(matched);
        if !complement && self.few(matched) {
            return self.harvest_few(matched);
        }
        let mut tallies = std::mem::take(&mut self.tallies);
        let totals = if complement {
            let totals = self
                .map
                .totals(self.universe.as_ref(), self.alive.as_ref(), self.max_doc);
            self.unmatched(|docs| count_into(&self.map, &mut tallies, docs));
            Some(totals)
        } else {
            let map = &self.map;
            each_batch(
                self.matched.iter().copied(),
                self.max_doc,
                |_| true,
                |docs| count_into(map, &mut tallies, docs),
            );
            None
        };
        let columns = tallies
            .iter()
            .map(|t| {
                let values = self.map.columns[t.column].values.len();
                let counted = (0..values)
                    .filter_map(|v| {
                        let n = match &totals {
                            Some(totals) => totals[t.column][v] - t.sum(v),
                            None => t.sum(v),
                        };
                        (n > 0).then_some((v as u32, n)) // below values.len(), a u32
                    })
                    .collect();
                (t.column, counted)
            })
            .collect();
        SegmentCounts {
            map: self.map,
            columns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{Facet, FacetOptions, IndexRecordOption, Schema, STRING};
    use tantivy::{doc, Index, Term};

    /// A document's facet values: (name, value), repeated values included.
    type Values = Vec<(&'static str, String)>;

    /// Documents with one year each, no to many tags (some repeated, some cables with more tags
    /// than any column is wide), a rare diagnostic, and a word to select them by.
    fn documents() -> Vec<(&'static str, Values)> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        (0..7500)
            .map(|i| {
                let word = match next(50) {
                    _ if i % 1000 == 0 => "lone",
                    0 => "rare",
                    n => ["red", "green", "blue"][n as usize % 3],
                };
                let mut values: Values = vec![("year", format!("{}", 1970 + next(3)))];
                let tags = match next(100) {
                    // The lone documents reach the side list.
                    _ if word == "lone" => 20,
                    0..=1 => 9 + next(12),
                    2..=9 => 0,
                    _ => 1 + next(4),
                };
                for _ in 0..tags {
                    values.push(("tag", format!("T{}", next(70))));
                }
                if next(200) == 0 {
                    values.push(("diagnostic", "odd".to_string()));
                }
                if i % 7 == 0 {
                    values.push(("origin", "PARIS".to_string()));
                }
                (word, values)
            })
            .collect()
    }

    /// Count what `counter` should find: each document's distinct values once. `word` selects
    /// the documents with that word, or with `-rare`, those without `rare`.
    fn naive(docs: &[(&str, Values)], word: Option<&str>, names: &[&str]) -> Counts {
        let mut out: Counts = names
            .iter()
            .map(|n| (n.to_string(), BTreeMap::new()))
            .collect();
        for (w, values) in docs {
            let selected = match word {
                None => true,
                Some("-rare") => *w != "rare",
                Some(word) => word == *w,
            };
            if !selected {
                continue;
            }
            let mut seen: Vec<&(&str, String)> = values.iter().collect();
            seen.sort();
            seen.dedup();
            for (name, value) in seen {
                if names.contains(name) {
                    *out.entry(name.to_string())
                        .or_default()
                        .entry(value.clone())
                        .or_default() += 1;
                }
            }
        }
        out
    }

    #[test]
    fn counts_equal_a_naive_count() {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let facets = builder.add_facet_field("facets", FacetOptions::default());
        let index = Index::create_in_ram(builder.build());
        let docs = documents();
        let mut writer = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        for (i, (w, values)) in docs.iter().enumerate() {
            let mut d = doc!(word => *w);
            for (name, value) in values {
                d.add_facet(facets, Facet::from_path([*name, value.as_str()]));
            }
            writer.add_document(d).expect("add");
            if i % 2500 == 2499 {
                // Three segments, each with more documents than a batch.
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let cache = Arc::new(FacetCache::default());
        // Some tag values must lie beyond their column's width, or the side list is untested.
        cache.warm(&searcher).expect("warm");
        let sides: usize = cache
            .segments
            .lock()
            .expect("lock")
            .values()
            .map(|slot| {
                let map = slot.lock().expect("slot").clone().expect("built");
                map.columns.iter().map(|c| c.overflow.len()).sum::<usize>()
            })
            .sum();
        assert!(sides > 0, "no value in a side list");
        check(&searcher, &cache, word, &docs, None);
        // Deleting the blue documents changes each segment's live set: the totals a complement
        // is taken from must follow.
        writer.delete_term(Term::from_field_text(word, "blue"));
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        assert!(searcher
            .segment_readers()
            .iter()
            .all(|s| s.num_deleted_docs() > 0));
        check(&searcher, &cache, word, &docs, Some("blue"));
    }

    /// A run of documents marks the bits that marking each of them marks, whether it lies in
    /// one word, ends on a word's edge or spans several.
    #[test]
    fn a_run_marks_each_of_its_documents() {
        let counter = || SegmentFacetCounter {
            map: Arc::new(SegmentMap {
                columns: Vec::new(),
                totals: Mutex::new(None),
                view_totals: Mutex::default(),
            }),
            tallies: Vec::new(),
            matched: vec![0; 5],
            count: 0,
            alive: None,
            max_doc: 320,
            live: 320,
            universe: None,
        };
        for (first, last) in [
            (0, 0),
            (0, 63),
            (5, 9),
            (63, 64),
            (60, 130),
            (64, 127),
            (1, 318),
            (0, 319),
        ] {
            let (mut run, mut each) = (counter(), counter());
            run.mark_run(first, last);
            for doc in first..=last {
                each.mark(doc);
            }
            assert_eq!(run.matched, each.matched, "{first}..={last}");
        }
        // Through the block a collector is given: a run, and a block with a gap.
        let mut c = counter();
        c.collect_block(&[70, 71, 72, 73]);
        c.collect_block(&[200, 202]);
        assert_eq!(c.count, 6);
        assert_eq!(c.matched[1], 0b1111 << 6);
        assert_eq!(c.matched[3], 0b101 << 8);
    }

    /// Every way of counting against the naive count, over the documents not carrying the word
    /// `deleted`.
    fn check(
        searcher: &tantivy::Searcher,
        cache: &Arc<FacetCache>,
        word: tantivy::schema::Field,
        docs: &[(&'static str, Values)],
        deleted: Option<&str>,
    ) {
        let live: Vec<(&'static str, Values)> = docs
            .iter()
            .filter(|(w, _)| Some(*w) != deleted)
            .cloned()
            .collect();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(word, w),
                IndexRecordOption::Basic,
            ))
        };
        for names in [
            &["year", "tag", "diagnostic", "origin"][..],
            &["tag"][..],
            &["year", "nothing"][..],
        ] {
            // All (every live document: an empty complement); all but the rare ones (most of
            // each segment: counted as a complement); a third (in batches); a fiftieth; and
            // three documents a segment (counted by sorting their values).
            for w in [None, Some("-rare"), Some("red"), Some("rare"), Some("lone")] {
                let query: Box<dyn Query> = match w {
                    None => Box::new(AllQuery),
                    Some("-rare") => Box::new(BooleanQuery::new(vec![
                        (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                        (Occur::MustNot, term("rare")),
                    ])),
                    Some(w) => term(w),
                };
                let counter = || FacetCounter {
                    names,
                    cache: cache.clone(),
                    within: None,
                };
                let expected = naive(&live, w, names);
                // Alone, the counter is handed blocks of matches; beside a scoring collector,
                // one match at a time.
                let alone = searcher.search(&query, &counter()).expect("search");
                assert_eq!(alone, expected, "{names:?} {w:?}, blocks");
                let (scored, _) = searcher
                    .search(
                        &query,
                        &(counter(), TopDocs::with_limit(3).order_by_score()),
                    )
                    .expect("search");
                assert_eq!(scored, expected, "{names:?} {w:?}, one at a time");
                // A view that sees the documents of some words: the query within it, counted
                // with the view's documents known (a complement within them), equals the naive
                // count over the view; and a query not within the view, given it anyway, is
                // counted directly, not as a complement.
                let view = ["red", "green", "rare", "lone"].map(String::from);
                let keys = Arc::new(crate::keyset::KeySetCache::default());
                let within = crate::keyset::KeySetQuery::new(word, &view, keys);
                let viewed: Vec<_> = live
                    .iter()
                    .filter(|(w, _)| view.iter().any(|v| v == w))
                    .cloned()
                    .collect();
                let restricted = BooleanQuery::new(vec![
                    (Occur::Must, query.box_clone()),
                    (Occur::Must, Box::new(within.clone()) as Box<dyn Query>),
                ]);
                let in_view = || FacetCounter {
                    names,
                    cache: cache.clone(),
                    within: Some(within.clone()),
                };
                let counted = searcher.search(&restricted, &in_view()).expect("search");
                assert_eq!(counted, naive(&viewed, w, names), "{names:?} {w:?} in view");
                let outside = searcher.search(&query, &in_view()).expect("search");
                assert_eq!(outside, expected, "{names:?} {w:?} outside the view");
            }
            // A small view (the rare documents): the rare ones are all of it (a complement within
            // it); the rare and the lone ones are more than half of it but not all in it, so they
            // are counted directly.
            let small = ["rare"].map(String::from);
            let keys = Arc::new(crate::keyset::KeySetCache::default());
            let within = crate::keyset::KeySetQuery::new(word, &small, keys);
            let in_small = || FacetCounter {
                names,
                cache: cache.clone(),
                within: Some(within.clone()),
            };
            let rare = searcher.search(&term("rare"), &in_small()).expect("search");
            assert_eq!(rare, naive(&live, Some("rare"), names), "{names:?} rare");
            let either = BooleanQuery::new(vec![
                (Occur::Should, term("rare")),
                (Occur::Should, term("lone")),
            ]);
            let mut expected = naive(&live, Some("rare"), names);
            for (name, values) in naive(&live, Some("lone"), names) {
                let into = expected.entry(name).or_default();
                for (value, n) in values {
                    *into.entry(value).or_default() += n;
                }
            }
            let counted = searcher.search(&either, &in_small()).expect("search");
            assert_eq!(
                counted, expected,
                "{names:?} rare or lone, given the rare ones"
            );
        }
    }
}
