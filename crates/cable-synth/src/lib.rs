//! `cable-synth`: deterministic synthetic cables for demos, tests and benchmarks.
//!
//! [`generate`]`(seed, count)` streams `count` cables that look like the real ones in structure
//! and statistics: transmission headings with and without VZCZC (and partial extracts), FL2
//! routing, DE lines whose serial and Julian filing time agree with the DTG, addressees with
//! routing indicators, spaced classification lines with `SECTION n OF m` and page breaks on long
//! cables, captions, E.O. lines, TAGS from the code tables, subjects, REF lists that cite other
//! cables of the same set, Classified By lines, numbered paragraphs with mixed portion marks,
//! summaries, comments and signatures, hard-wrapped at about 60 columns. The mixes (classification,
//! year, origin, length, markings, ...) are measured from the development corpus and committed
//! as constants in [`stats`]; the words come from a frequency table of the corpus's words
//! (`data/words.tsv`), never its sentences. Nothing is read from disk at run time.
//!
//! Each [`SynthCable`] carries its text and the truth it was written from (id, date, banner,
//! tags, references, paragraph markings, ...), so tests can check a parser against it.
//!
//! # Determinism and streaming
//!
//! The output is a pure function of `(seed, count)`: cable `i` is computed from the seed, the
//! count and `i` alone (per-cable PCG generators seeded from a hash of the three), so the
//! iterator holds no growing state and any cable can be generated on its own ([`cable`]). Cables
//! run in date order; a cable's references point to earlier indices, found by hashing, not by
//! remembering them.
//!
//! ```
//! let cables: Vec<_> = cable_synth::generate(7, 3).collect();
//! assert_eq!(cables.len(), 3);
//! assert!(cables[0].text.contains(&cables[0].subject[..10]));
//! assert_eq!(cable_synth::cable(7, 3, 1).text, cables[1].text);
//! ```

mod compose;
mod data;
mod output;
mod plan;
mod rng;
pub mod stats;
mod text;
mod time;

pub use output::{write_cables_csv, write_txt, write_txt_dir, CablesCsvWriter};

use plan::Plan;

/// The shape of a cable's transmission heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeadingKind {
    /// The full ACP-127 heading: VZCZC, routing, DE, ZNY/ZNR, DTG, FM, TO, INFO.
    Vzczc,
    /// Old style: the DTG, FM, TO and INFO lines only (addresses without routing indicators).
    DtgOnly,
    /// A Cablegate partial extract: no transmission heading; dated by its E.O. line.
    PartialExtract,
}

/// One generated cable: its text and the truth it was written from.
///
/// Field names follow the parse contract (`cable_format::Cable`): a correct parser reads back
/// `id`, `date`, `classification`, `banner`, `origin`, `tags`, `subject`, the references' ids and
/// the paragraph markings exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthCable {
    /// Position in the generated set (0-based); sets run in date order.
    pub index: usize,
    /// Canonical id (`09MADRID1234`): unique in the set, serial unique per origin and year.
    pub id: String,
    /// The cable as a text file holds it: `header + "\n\n" + body + "\n"`.
    pub text: String,
    header_len: usize,
    pub heading: HeadingKind,
    /// The date the text gives, RFC 3339 UTC: the DTG, or for a partial extract the E.O.
    /// declassification date minus ten years (midnight).
    pub date: String,
    /// `dtg` or `declassify-on-minus-10-years`, as the parser says.
    pub date_source: &'static str,
    created: time::Minute,
    /// The level: `UNCLASSIFIED`, `CONFIDENTIAL` or `SECRET`.
    pub classification: String,
    /// The overall marking, as Cablegate writes it (`SECRET//NOFORN`).
    pub banner: String,
    pub caveats: Vec<String>,
    /// Captions in the order written (`SIPDIS`, `SENSITIVE`, `CORRECTED COPY`).
    pub captions: Vec<String>,
    /// The station, as ids spell it (`MADRID`, `STATE`).
    pub origin: String,
    /// The origin as Cablegate's metadata writes it (`Embassy Madrid`).
    pub origin_name: String,
    /// FL5 precedence (`IMMEDIATE`, `PRIORITY`, `ROUTINE`); `None` for partial extracts.
    pub precedence: Option<String>,
    /// The FM address; `None` for partial extracts.
    pub from: Option<String>,
    /// TO and INFO addresses (plain-language names, without routing indicators).
    pub to: Vec<String>,
    pub info: Vec<String>,
    /// `m` of `SECTION 01 OF m` when the classification line says it.
    pub section_of: Option<u32>,
    /// The E.O. declassification date (`YYYY-MM-DD`), when the E.O. line gives one.
    pub declassify_on: Option<String>,
    /// TAGS codes in order (a person as `SURNAME, GIVEN` after `OVIP`).
    pub tags: Vec<String>,
    pub subject: String,
    /// The subject's portion mark (`C`), when it has one.
    pub subject_marking: Option<String>,
    /// Ids of the cables the REF list cites, in order.
    pub references: Vec<String>,
    /// For each of `references`: the index of the cited cable when it is in the generated set
    /// (always an earlier one), `None` for a cable outside the set.
    pub cited: Vec<Option<usize>>,
    /// REF entries that name no cable (a mail, a telephone call), as written.
    pub other_references: Vec<String>,
    /// The Classified By text, when the cable has one.
    pub classified_by: Option<String>,
    /// Classification reasons in the form `1.4(b)`.
    pub reasons: Vec<String>,
    /// Portion marking of each numbered paragraph (`1.`, `2.`, ...), `None` when unmarked.
    pub paragraphs: Vec<Option<String>>,
    /// The section heading before each numbered paragraph, if any.
    pub headings: Vec<Option<String>>,
    pub has_summary: bool,
    pub has_comment: bool,
    /// Signature lines (surnames in capitals).
    pub signature: Vec<String>,
}

impl SynthCable {
    /// The transmission heading part (Cablegate's first `<pre>` block, `cables.csv` field 7).
    pub fn header(&self) -> &str {
        &self.text[..self.header_len]
    }

    /// The text from the classification line on (the second block, `cables.csv` field 8).
    pub fn body(&self) -> &str {
        let end = self.text.len() - 1;
        &self.text[(self.header_len + 2).min(end)..end]
    }

    /// The creation time as the `cables.csv` dump writes it: `M/D/YYYY H:MM`.
    pub fn created(&self) -> String {
        let (y, m, d, hh, mm) = self.created.parts();
        format!("{m}/{d}/{y} {hh}:{mm:02}")
    }
}

/// Streams `count` synthetic cables for `seed`, in date order. Deterministic: the same
/// `(seed, count)` gives the same cables, byte for byte. Memory stays constant however large
/// `count` is.
pub fn generate(seed: u64, count: usize) -> Generator {
    Generator {
        plan: Plan::new(seed, count),
        next: 0,
    }
}

/// Cable `index` of the set `(seed, count)`, computed on its own (the same as the `index`-th item
/// of [`generate`]).
///
/// # Panics
/// When `index >= count`.
pub fn cable(seed: u64, count: usize, index: usize) -> SynthCable {
    assert!(index < count, "cable {index} of a set of {count}");
    compose::compose(&Plan::new(seed, count), index)
}

/// The iterator [`generate`] returns. Besides iterating, it hands out any cable of its set
/// ([`Generator::cable`]), from any thread: generating in parallel gives the same cables.
#[derive(Debug, Clone)]
pub struct Generator {
    plan: Plan,
    next: usize,
}

impl Generator {
    /// Cable `index` of the set, whatever the iterator's position.
    ///
    /// # Panics
    /// When `index` is not below the set's count.
    pub fn cable(&self, index: usize) -> SynthCable {
        assert!(
            index < self.plan.count,
            "cable {index} of a set of {}",
            self.plan.count
        );
        compose::compose(&self.plan, index)
    }

    /// The seed and count of the set.
    pub fn seed(&self) -> u64 {
        self.plan.seed
    }

    pub fn count(&self) -> usize {
        self.plan.count
    }

    /// The path an ingest records as the source of this set's cables: the command that makes
    /// the set (`cables gen --seed 1 --count 250000`).
    pub fn source_path(&self) -> String {
        format!("cables gen --seed {} --count {}", self.seed(), self.count())
    }

    /// The set, one cable after another, as raw cables ([`SynthCable::into_raw`]): what an
    /// ingest of the set reads, on one thread.
    pub fn into_raw_cables(self) -> impl Iterator<Item = cable_sources::RawCable> {
        let path = self.source_path();
        self.map(move |c| c.into_raw(&path))
    }
}

impl SynthCable {
    /// This cable as generated cables reach an ingest (`cables gen --ingest`, the benchmark's
    /// `--stream`): a raw cable of container `generated` whose path is its set's
    /// [`Generator::source_path`] and whose row is its 1-based index in the set.
    pub fn into_raw(self, source_path: &str) -> cable_sources::RawCable {
        cable_sources::RawCable {
            container_id: Some(self.id),
            text: self.text,
            source: cable_sources::Source {
                path: source_path.to_string(),
                row: Some(self.index as u64 + 1),
                offset: None,
                container: "generated".into(),
            },
            ..Default::default()
        }
    }
}

impl Iterator for Generator {
    type Item = SynthCable;

    fn next(&mut self) -> Option<SynthCable> {
        if self.next >= self.plan.count {
            return None;
        }
        let c = compose::compose(&self.plan, self.next);
        self.next += 1;
        Some(c)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.plan.count - self.next;
        (left, Some(left))
    }

    fn nth(&mut self, n: usize) -> Option<SynthCable> {
        self.next = self.next.saturating_add(n).min(self.plan.count);
        self.next()
    }
}

impl ExactSizeIterator for Generator {}
