//! Code dictionaries: routing indicators, TAGS, precedence, classification markings, E.O. reasons
//! and the station names used in cable ids.
//!
//! The facts live in the TSV files under `crates/cable-format/tables/` (copied from the spec's
//! `tables/`, provenance in `tables/sources.md`). They are embedded with `include_str!` and decoded
//! lazily on first use, so the crate needs no files at run time. Every lookup is total: unknown
//! input gives `None`, never a panic.

use std::borrow::Cow;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use crate::model::TagKind;

const ROUTING_INDICATORS_TSV: &str = include_str!("../tables/routing-indicators.tsv");
const TAGS_TSV: &str = include_str!("../tables/tags.tsv");
const PRECEDENCE_TSV: &str = include_str!("../tables/precedence.tsv");
const CLASSIFICATION_TSV: &str = include_str!("../tables/classification.tsv");
const EO_REASONS_TSV: &str = include_str!("../tables/eo-reasons.tsv");

/// A fast hasher for the short keys of these tables (FxHash's rotate-xor-multiply, a word at a
/// time). The tables are fixed, embedded data, so SipHash's defence against chosen keys buys
/// nothing here, and lookups run for every addressee, TAG and station.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<KeyHasher>>;
type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<KeyHasher>>;

/// The columns of a row the tables use; later ones are left out.
const COLUMNS: usize = 4;

/// The data rows of a TSV file (header skipped), each split on tabs into its first [`COLUMNS`]
/// columns (missing ones empty), without allocating.
fn rows(tsv: &'static str) -> impl Iterator<Item = [&'static str; COLUMNS]> {
    // `crate::lines::trim` is `str::trim` with an ASCII fast path: the tables are read once per
    // process, but thousands of rows make the general path's cost show.
    tsv.lines()
        .skip(1)
        .filter(|l| !crate::lines::trim(l).is_empty())
        .map(|l| {
            // The cells `split('\t')` gives, found with a byte loop: they are short, and a
            // `memchr` call per cell costs more than it saves.
            let mut row = [""; COLUMNS];
            let mut rest = l.trim_end_matches('\r');
            for cell in row.iter_mut() {
                match rest.bytes().position(|c| c == b'\t') {
                    Some(i) => {
                        *cell = crate::lines::trim(&rest[..i]);
                        rest = &rest[i + 1..];
                    }
                    None => {
                        *cell = crate::lines::trim(rest);
                        break;
                    }
                }
            }
            row
        })
}

fn col(row: &[&'static str], i: usize) -> &'static str {
    row.get(i).copied().unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Routing indicators

static ROUTING: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::default();
    for row in rows(ROUTING_INDICATORS_TSV) {
        let (ri, name) = (col(&row, 0), col(&row, 1));
        if !ri.is_empty() && !name.is_empty() {
            map.entry(ri).or_insert(name);
        }
    }
    map
});

/// The station name of a routing indicator (`RUEHBK` → `AMEMBASSY BANGKOK`). Case-insensitive;
/// `None` for unknown indicators and for the few listed without a name (`RUEHWEB`).
pub fn routing_indicator(ri: &str) -> Option<&'static str> {
    let ri = ri.trim();
    if let Some(name) = ROUTING.get(ri) {
        return Some(name);
    }
    if !ri.bytes().any(|c| c.is_ascii_lowercase()) {
        return None;
    }
    ROUTING.get(ri.to_ascii_uppercase().as_str()).copied()
}

// ---------------------------------------------------------------------------------------------
// TAGS

/// One row of the TAGS dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagInfo {
    pub code: &'static str,
    pub kind: TagKind,
    /// The meaning as the table gives it; empty when the table has none (many organizations).
    pub meaning: &'static str,
}

static TAGS: LazyLock<Vec<TagInfo>> = LazyLock::new(|| {
    rows(TAGS_TSV)
        .filter_map(|row| {
            let code = col(&row, 0);
            let kind = match col(&row, 1) {
                "subject" => TagKind::Subject,
                "program" => TagKind::Program,
                "geo" | "geographic" => TagKind::Geographic,
                "org" | "organization" => TagKind::Organization,
                "person" => TagKind::Person,
                _ => TagKind::Unknown,
            };
            (!code.is_empty()).then(|| TagInfo {
                code,
                kind,
                meaning: col(&row, 2),
            })
        })
        .collect()
});

static TAG_INDEX: LazyLock<HashMap<&'static str, usize>> = LazyLock::new(|| {
    let mut map = HashMap::default();
    for (i, t) in TAGS.iter().enumerate() {
        map.entry(t.code).or_insert(i);
    }
    map
});

/// Looks up a TAGS code (`PREL`, `PK`, `NATO`, `AER LINGUS`). Case-insensitive.
pub fn tag(code: &str) -> Option<&'static TagInfo> {
    let code = code.trim();
    let i = match TAG_INDEX.get(code) {
        Some(i) => *i,
        None if code.bytes().any(|c| c.is_ascii_lowercase()) => {
            *TAG_INDEX.get(code.to_ascii_uppercase().as_str())?
        }
        None => return None,
    };
    TAGS.get(i)
}

/// Every row of the TAGS dictionary, in table order.
pub fn all_tags() -> &'static [TagInfo] {
    &TAGS
}

/// ISO codes (and a few common abbreviations) that cables write in TAGS where State's geographic
/// TAGS use FIPS codes. Only codes that are *not* themselves a FIPS code are listed, so the
/// mapping is unambiguous (`CN` is FIPS Comoros, so it is not here).
const ISO_TO_STATE: &[(&str, &str, &str)] = &[
    ("RU", "RS", "Russia"),
    ("IQ", "IZ", "Iraq"),
    ("YE", "YM", "Yemen"),
    ("VN", "VM", "Vietnam"),
    ("GE", "GG", "Georgia"),
    ("JP", "JA", "Japan"),
    ("DE", "GM", "Germany"),
    ("ES", "SP", "Spain"),
    ("RUS", "RS", "Russia"),
    ("SYR", "SY", "Syria"),
    ("PAK", "PK", "Pakistan"),
    ("AFG", "AF", "Afghanistan"),
    ("IRQ", "IZ", "Iraq"),
    ("IRN", "IR", "Iran"),
    ("UAE", "AE", "United Arab Emirates"),
    ("USA", "US", "United States"),
];

/// The State geographic TAGS code and country name for an ISO code written in its place
/// (`RU` → `("RS", "Russia")`, `SYR` → `("SY", "Syria")`). `None` for codes that are valid State
/// codes themselves or are not known ISO codes.
pub fn iso_geo_code(code: &str) -> Option<(&'static str, &'static str)> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() == 2 && TAG_INDEX.contains_key(code.as_str()) {
        return None;
    }
    ISO_TO_STATE
        .iter()
        .find(|(iso, _, _)| *iso == code)
        .map(|(_, state, name)| (*state, *name))
}

// ---------------------------------------------------------------------------------------------
// Precedence

struct PrecedenceRow {
    prosign: char,
    precedence: &'static str,
}

static PRECEDENCE: LazyLock<Vec<PrecedenceRow>> = LazyLock::new(|| {
    rows(PRECEDENCE_TSV)
        .filter_map(|row| {
            let prosign = col(&row, 0).chars().next()?;
            let precedence = col(&row, 1);
            (!precedence.is_empty()).then_some(PrecedenceRow {
                prosign,
                precedence,
            })
        })
        .collect()
});

fn precedence_named(name: &str) -> Option<&'static str> {
    PRECEDENCE
        .iter()
        .find(|r| r.precedence == name)
        .map(|r| r.precedence)
}

/// The precedence of an FL2/FL5 prosign letter: `Z` FLASH, `O` IMMEDIATE, `P` PRIORITY, `R`
/// ROUTINE, `Y` EMERGENCY COMMAND PRECEDENCE, `M` DEFERRED. Case-insensitive.
pub fn precedence(prosign: char) -> Option<&'static str> {
    let p = prosign.to_ascii_uppercase();
    PRECEDENCE
        .iter()
        .find(|r| r.prosign == p)
        .map(|r| r.precedence)
}

/// Normalises a precedence word from a TO/INFO line: `NIACT IMMEDIATE` (also `NIACT`),
/// `IMMEDIATE`, `PRIORITY` (also the typos `PIORITY`, `PRIORTY`), `ROUTINE`, `FLASH`, `DEFERRED`.
/// Case and spacing are ignored; `None` when the word is not a precedence.
pub fn precedence_word(word: &str) -> Option<&'static str> {
    // Most words arrive already in capitals with single spaces: no need to rebuild them.
    if let Some(name) = precedence_spelling(word) {
        return precedence_named(name);
    }
    let w: String = word
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    precedence_named(precedence_spelling(&w)?)
}

/// The precedence a spelling (capitals, single spaces) stands for.
fn precedence_spelling(w: &str) -> Option<&'static str> {
    let name = match w {
        "NIACT IMMEDIATE" | "NIACT IMMED" | "NIACT" | "NIACT IMMEDIATELY" => "NIACT IMMEDIATE",
        "IMMEDIATE" | "IMMED" | "IMMEDIATELY" | "IMMEDAITE" | "IMMEDIAT" | "IMMEIDATE" => {
            "IMMEDIATE"
        }
        "PRIORITY" | "PIORITY" | "PRIORTY" | "PRIORIY" | "PRIOIRTY" | "PRORITY" | "PRIORITIY" => {
            "PRIORITY"
        }
        "ROUTINE" | "ROUTNE" | "ROUINE" => "ROUTINE",
        "FLASH" => "FLASH",
        "DEFERRED" => "DEFERRED",
        "EMERGENCY COMMAND PRECEDENCE" => "EMERGENCY COMMAND PRECEDENCE",
        _ => return None,
    };
    Some(name)
}

// ---------------------------------------------------------------------------------------------
// Classification

struct MarkingRow {
    marking: &'static str,
    kind: &'static str,
    rank: Option<u8>,
    portion_mark: &'static str,
}

static MARKINGS: LazyLock<Vec<MarkingRow>> = LazyLock::new(|| {
    rows(CLASSIFICATION_TSV)
        .map(|row| MarkingRow {
            marking: col(&row, 0),
            kind: col(&row, 1),
            rank: col(&row, 2).parse().ok(),
            portion_mark: col(&row, 3),
        })
        .collect()
});

/// Upper-cases, collapses whitespace, and closes up spaced letters (`C O N F I D E N T I A L`).
fn squeeze_level(level: &str) -> String {
    let words: Vec<String> = level
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let mut out = String::new();
    let mut prev_single = false;
    for w in &words {
        let single = w.chars().count() == 1;
        if !out.is_empty() && (!single || !prev_single) {
            out.push(' ');
        }
        out.push_str(w);
        prev_single = single;
    }
    out
}

/// The `level`-kind row of classification.tsv for a level word or its short forms.
fn level_row(level: &str) -> Option<&'static MarkingRow> {
    let s = squeeze_level(level);
    let base = s.split("//").next().unwrap_or("").trim().to_string();
    // The full metadata value first (UNCLASSIFIED//FOR OFFICIAL USE ONLY has its own row).
    for cand in [s.as_str(), base.as_str()] {
        let name = match cand {
            "U" | "UNCLAS" | "UNCLASS" | "UNCLASSIFED" => "UNCLASSIFIED",
            "SBU" | "SENSITIVE BUT UNCLASSIFIED" | "SENSITIVE-BUT-UNCLASSIFIED" => {
                "SENSITIVE BUT UNCLASSIFIED"
            }
            "LOU" | "LIMITED OFFICIAL USE" => "LIMITED OFFICIAL USE",
            "FOUO" | "U//FOUO" | "UNCLASSIFIED//FOUO" | "UNCLASSIFIED//FOR OFFICIAL USE ONLY" => {
                "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
            }
            "C" | "CONF" => "CONFIDENTIAL",
            "S" => "SECRET",
            "TS" => "TOP SECRET",
            other => other,
        };
        if let Some(row) = MARKINGS
            .iter()
            .find(|r| r.kind == "level" && r.marking == name)
        {
            return Some(row);
        }
    }
    None
}

/// The rank of a classification level: 0 UNCLASSIFIED, 1 SBU/LOU/FOUO, 2 CONFIDENTIAL, 3 SECRET,
/// 4 TOP SECRET. Accepts the table's markings, short forms (`C`, `SBU`, `UNCLAS`), spaced letters
/// and caveated values (`SECRET//NOFORN` ranks as SECRET).
pub fn level_rank(level: &str) -> Option<u8> {
    level_row(level).and_then(|r| r.rank)
}

/// Portion marks of level × caveat combinations, built once so they can be handed out as
/// `&'static str`.
static COMBINED_MARKS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut map = HashMap::default();
    let levels: Vec<&MarkingRow> = MARKINGS
        .iter()
        .filter(|r| r.kind == "level" && !r.portion_mark.is_empty())
        .collect();
    let caveats: Vec<&MarkingRow> = MARKINGS
        .iter()
        .filter(|r| r.kind == "caveat" && !r.portion_mark.is_empty() && r.marking != "REL TO")
        .collect();
    for l in &levels {
        for c in &caveats {
            map.insert(
                format!("{}//{}", l.marking, c.marking),
                format!("{}//{}", l.portion_mark, c.portion_mark),
            );
        }
    }
    map
});

/// The portion mark of a classification level (`UNCLASSIFIED` → `U`, `SECRET` → `S`,
/// `CONFIDENTIAL//NOFORN` → `C//NF`, `UNCLASSIFIED//FOR OFFICIAL USE ONLY` → `U//FOUO`).
pub fn portion_mark(level: &str) -> Option<&'static str> {
    let s = squeeze_level(level);
    if let Some((base, caveat)) = s.split_once("//") {
        if let Some(row) = level_row(base) {
            let caveat = caveat.trim();
            let caveat = if caveat == "NF" { "NOFORN" } else { caveat };
            if let Some(mark) = COMBINED_MARKS.get(&format!("{}//{}", row.marking, caveat)) {
                return Some(mark.as_str());
            }
        }
    }
    level_row(&s)
        .map(|r| r.portion_mark)
        .filter(|m| !m.is_empty())
}

/// Short level forms accepted inside a paragraph's parentheses, longest first.
const PORTION_LEVELS: &[(&str, &str)] = &[
    ("SENSITIVE BUT UNCLASSIFIED", "SBU"),
    ("UNCLASSIFIED", "U"),
    ("CONFIDENTIAL", "C"),
    ("TOP SECRET", "TS"),
    ("SECRET", "S"),
    ("UNCLAS", "U"),
    ("FOUO", "U//FOUO"),
    ("SBU", "SBU"),
    ("LOU", "LOU"),
    ("TS", "TS"),
    ("U", "U"),
    ("C", "C"),
    ("S", "S"),
];

/// Normalises what stands inside a paragraph's parentheses to the short portion marking: `U`,
/// `SBU`, `LOU`, `C`, `S`, `TS`, with caveats joined by `//`: `C/NF` → `C//NF`, `SBU/N` →
/// `SBU//NF`, `S//FGI//NF`, `C//REL TO USA, GBR`, `U//FOUO`. Upper-cases everything. `None` when
/// the text is not a marking (`b`, `U.S.`, `Iran`).
pub fn normalize_portion_marking(raw: &str) -> Option<String> {
    portion_marking(raw).map(Cow::into_owned)
}

/// [`normalize_portion_marking`], borrowing the short form when it is one of the common ones.
pub(crate) fn portion_marking(raw: &str) -> Option<Cow<'static, str>> {
    // Nearly every paragraph carries one of a handful of spellings; answer those without
    // allocating. A test checks that each answer equals the general path's.
    if let Some((_, short)) = COMMON_MARKINGS.iter().find(|(form, _)| *form == raw) {
        return Some(Cow::Borrowed(short));
    }
    normalize_portion_marking_general(raw).map(Cow::Owned)
}

/// The most frequent portion-mark spellings in the corpus and their short forms.
const COMMON_MARKINGS: &[(&str, &str)] = &[
    ("C", "C"),
    ("U", "U"),
    ("S", "S"),
    ("SBU", "SBU"),
    ("S/NF", "S//NF"),
    ("S//NF", "S//NF"),
    ("C/NF", "C//NF"),
    ("C//NF", "C//NF"),
    ("TS", "TS"),
    ("SBU/NF", "SBU//NF"),
];

fn normalize_portion_marking_general(raw: &str) -> Option<String> {
    let s = raw
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim()
        .to_ascii_uppercase();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    // The level: the longest known form at the start, followed by an end or a separator.
    let mut level = None;
    let mut rest = "";
    for (form, short) in PORTION_LEVELS {
        if let Some(r) = s.strip_prefix(form) {
            if r.is_empty() || r.starts_with(['/', ' ', '-']) || glued_caveat(r) {
                level = Some(*short);
                rest = r;
                break;
            }
        }
    }
    let level = level?;
    let mut out = level.to_string();
    let rest = rest.trim_start_matches([' ', '/', '-']).trim();
    if rest.is_empty() {
        return Some(out);
    }
    // Caveats separated by `/`, `//` or spaces; REL swallows the rest (its country list has
    // commas and spaces).
    let mut remaining = rest;
    while !remaining.is_empty() {
        let upper = remaining;
        if upper.starts_with("REL") && (upper.len() == 3 || upper[3..].starts_with([' ', '/'])) {
            let list = upper[3..].trim_start_matches(['/', ' ']).trim();
            if list.is_empty() {
                return None;
            }
            out.push_str("//REL ");
            out.push_str(list);
            return Some(out);
        }
        let end = upper.find(['/', ' ']).unwrap_or(upper.len());
        let word = &upper[..end];
        let caveat = match word {
            "NF" | "N" | "NOFORN" | "NOFOR" => "NF",
            "FGI" => "FGI",
            "OC" | "ORCON" => "OC",
            "FOUO" => "FOUO",
            "PROPIN" | "PR" => "PR",
            _ => return None,
        };
        if !out.ends_with(&format!("//{caveat}")) {
            out.push_str("//");
            out.push_str(caveat);
        }
        remaining = upper[end..].trim_start_matches(['/', ' ']).trim();
    }
    Some(out)
}

/// `SNF`, `CNF`: a caveat glued to a one-letter level.
fn glued_caveat(rest: &str) -> bool {
    matches!(rest, "NF" | "/NF")
}

// ---------------------------------------------------------------------------------------------
// E.O. reasons

static EO_REASONS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::default();
    for row in rows(EO_REASONS_TSV) {
        let (code, meaning) = (col(&row, 0), col(&row, 3));
        if !code.is_empty() {
            map.entry(code).or_insert(meaning);
        }
    }
    map
});

/// Normalises an E.O. reason or declassification code to the table's form: `1.4 (b)`, `1.4B`,
/// `1.4(B)` → `1.4(b)`; `x1` → `X1`; `25x1` → `25X1`.
pub fn normalize_eo_code(code: &str) -> String {
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = compact.as_bytes();
    // n.n followed by a letter, with or without parentheses.
    if bytes.len() >= 4
        && bytes[0].is_ascii_digit()
        && bytes[1] == b'.'
        && bytes[2].is_ascii_digit()
    {
        let letter: String = compact[3..]
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        if letter.len() == 1 {
            return format!("{}({})", &compact[..3], letter.to_ascii_lowercase());
        }
    }
    compact.to_ascii_uppercase()
}

/// The meaning of an E.O. reason or declassification code (`1.4(d)`, `1.5 (b)`, `X1`, `25X1`,
/// `OADR`, `GDS`, `N/A`).
pub fn eo_reason(code: &str) -> Option<&'static str> {
    let code = code.trim();
    if let Some(m) = EO_REASONS.get(code) {
        return Some(m);
    }
    EO_REASONS.get(normalize_eo_code(code).as_str()).copied()
}

// ---------------------------------------------------------------------------------------------
// Stations

/// Id origins that no routing indicator name gives: Washington senders, travel series, missions
/// whose id spelling differs from their address, and posts closed before the 2010 indicator book.
const SPECIAL_STATIONS: &[&str] = &[
    // Washington and the travel series
    "STATE",
    "SECDEF",
    "PARTO",
    "TOSEC",
    "SECTO",
    "FSINFATC",
    // missions, as WikiLeaks ids spell them
    "USUNNEWYORK",
    "USNATO",
    "USEUBRUSSELS",
    "UNVIEVIENNA",
    "USOSCE",
    "UNROME",
    "USTRGENEVA",
    "CDGENEVA",
    "AITTAIPEI",
    "IRANRPODUBAI",
    "RPODUBAI",
    // regional embassy offices and PRTs in Iraq
    "HILLAH",
    "KIRKUK",
    "MOSUL",
    "BASRAH",
    // posts in Cablegate ids that the 2010 indicator book lists under another name or not at all
    "MANAMA",
    "MUSCAT",
    "CHENNAI",
    "SHANGHAI",
    "JOHANNESBURG",
    "PORTLOUIS",
    // renamed posts keep the name used at the time; closed posts
    "KIEV",
    "CALCUTTA",
    "MADRAS",
    "BOMBAY",
    "DACCA",
    "SAIGON",
    "LENINGRAD",
    "TEHRAN",
    "BONN",
    "ALMATY",
    "TAIPEI",
    "MOGADISHU",
    "BELIZE",
];

/// Corrections of routing-indicator names whose station word is misspelt in the ACP book or that
/// WikiLeaks ids write differently.
const STATION_FIXES: &[(&str, &str)] = &[
    ("COLUMBO", "COLOMBO"),
    ("PARAMIARBO", "PARAMARIBO"),
    ("PRINSTINA", "PRISTINA"),
    ("QUINTO", "QUITO"),
    ("VAOUNDE", "YAOUNDE"),
    ("VIENTIENE", "VIENTIANE"),
    ("MAZARESHAIRF", "MAZARESHARIF"),
    ("MEXICOCITY", "MEXICO"),
    ("GUATEMALACITY", "GUATEMALA"),
    ("PANAMACITY", "PANAMA"),
    ("VATICANCITY", "VATICAN"),
    ("KUWAITCITY", "KUWAIT"),
];

/// The id spelling of a routing-indicator name (`AMEMBASSY BUENOS AIRES` → `BUENOSAIRES`), for the
/// names that stand for a post.
fn station_from_ri_name(name: &str) -> Option<String> {
    // Most names are not a post's: tell by the first word before collecting the words.
    let first = name.split_whitespace().next()?;
    if !matches!(
        first,
        "AMEMBASSY"
            | "AMCONSUL"
            | "USINT"
            | "REO"
            | "APP"
            | "AIT"
            | "USMISSION"
            | "USMISSIN"
            | "US"
            | "IRAN"
    ) {
        return None;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let (first, rest) = words.split_first()?;
    let rest: Vec<&str> = match *first {
        "AMEMBASSY" | "AMCONSUL" | "USINT" | "REO" | "APP" => rest.to_vec(),
        "AIT" | "USMISSION" | "USMISSIN" => rest.to_vec(),
        "US" if rest.first() == Some(&"MISSION") => rest[1..].to_vec(),
        "IRAN" => words.clone(),
        _ => return None,
    };
    let mut rest = rest;
    // A trailing state or country code (`MUNICH GE`, `MELBOURNE VIC`, `USUN NEW YORK NY`).
    if rest.len() > 1 {
        let last = rest[rest.len() - 1];
        if (last.len() == 2 || last == "VIC") && last.chars().all(|c| c.is_ascii_uppercase()) {
            rest.pop();
        }
    }
    let joined: String = match (*first, rest.as_slice()) {
        // Missions to international bodies: the id names the mission, not the city.
        ("USMISSION" | "USMISSIN" | "US", [m, ..]) if m.starts_with("US") && m.len() > 2 => {
            match *m {
                "USUN" | "USTR" => rest.concat(),
                "USOSCE" | "USNATO" => m.to_string(),
                _ => return None,
            }
        }
        ("USMISSION" | "USMISSIN", ["CD" | "UN" | "UNVIE", ..]) => rest.concat(),
        ("USMISSION" | "USMISSIN", [_, _, ..]) => return None,
        ("AIT", [city]) if *city == "TAIPEI" => "AITTAIPEI".to_string(),
        _ => rest.concat(),
    };
    let joined: String = joined.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    if joined.len() < 3 {
        return None;
    }
    let fixed = STATION_FIXES
        .iter()
        .find(|(from, _)| *from == joined)
        .map_or(joined, |(_, to)| to.to_string());
    Some(fixed)
}

static STATION_STRINGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut set: HashSet<String> = SPECIAL_STATIONS.iter().map(|s| s.to_string()).collect();
    for row in rows(ROUTING_INDICATORS_TSV) {
        for name in std::iter::once(col(&row, 1)).chain(col(&row, 2).split('|')) {
            if let Some(s) = station_from_ri_name(name.trim()) {
                set.insert(s);
            }
        }
    }
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort();
    v
});

static STATIONS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| STATION_STRINGS.iter().map(String::as_str).collect());

static STATION_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| STATIONS.iter().copied().collect());

/// The station names as cable ids spell them (`ROME` … `BANDARSERIBEGAWAN`, `STATE`, `USNATO`,
/// `AITTAIPEI`, `PARTO`, …), sorted. Derived from the routing-indicator names of posts (AMEMBASSY,
/// AMCONSUL, USMISSION, …) with spaces removed, plus the special origins of spec §4.
pub fn stations() -> &'static [&'static str] {
    &STATIONS
}

/// Whether `origin` is exactly a station name of [`stations`] (upper-case, no spaces).
pub fn is_station(origin: &str) -> bool {
    STATION_SET.contains(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_markings_agree_with_the_general_path() {
        for (form, short) in COMMON_MARKINGS {
            assert_eq!(
                normalize_portion_marking_general(form).as_deref(),
                Some(*short),
                "{form}"
            );
        }
    }

    #[test]
    fn routing_indicators() {
        assert_eq!(routing_indicator("RUEHBK"), Some("AMEMBASSY BANGKOK"));
        assert_eq!(routing_indicator("ruehrk"), Some("AMEMBASSY REYKJAVIK"));
        assert_eq!(routing_indicator("RUEHWEB"), None);
        assert_eq!(routing_indicator(""), None);
        assert_eq!(routing_indicator("XXXXXXXX"), None);
    }

    #[test]
    fn tags_table() {
        let t = tag("PREL").unwrap();
        assert_eq!(t.kind, TagKind::Subject);
        assert_eq!(tag("pk").unwrap().kind, TagKind::Geographic);
        assert_eq!(tag("KPAO").unwrap().kind, TagKind::Program);
        assert_eq!(tag("NATO").unwrap().kind, TagKind::Organization);
        assert_eq!(tag("RS").unwrap().meaning, "Russia");
        assert!(tag("AER LINGUS").is_some());
        assert!(tag("ZZZZ").is_none());
        assert!(tag("").is_none());
        assert!(all_tags().len() > 900);
        assert_eq!(iso_geo_code("RU"), Some(("RS", "Russia")));
        assert_eq!(iso_geo_code("SYR"), Some(("SY", "Syria")));
        assert_eq!(iso_geo_code("RS"), None);
        assert_eq!(iso_geo_code("CN"), None);
    }

    #[test]
    fn precedences() {
        assert_eq!(precedence('O'), Some("IMMEDIATE"));
        assert_eq!(precedence('p'), Some("PRIORITY"));
        assert_eq!(precedence('R'), Some("ROUTINE"));
        assert_eq!(precedence('Z'), Some("FLASH"));
        assert_eq!(precedence('Q'), None);
        assert_eq!(precedence_word("niact  immediate"), Some("NIACT IMMEDIATE"));
        assert_eq!(precedence_word("IMMEDIATE"), Some("IMMEDIATE"));
        assert_eq!(precedence_word("PIORITY"), Some("PRIORITY"));
        assert_eq!(precedence_word("ROUTINE"), Some("ROUTINE"));
        assert_eq!(precedence_word("FLASH"), Some("FLASH"));
        assert_eq!(precedence_word("WASHDC"), None);
        assert_eq!(precedence_word(""), None);
    }

    #[test]
    fn classification() {
        assert_eq!(level_rank("UNCLASSIFIED"), Some(0));
        assert_eq!(level_rank("UNCLAS"), Some(0));
        assert_eq!(level_rank("SENSITIVE BUT UNCLASSIFIED"), Some(1));
        assert_eq!(level_rank("LIMITED OFFICIAL USE"), Some(1));
        assert_eq!(level_rank("UNCLASSIFIED//FOR OFFICIAL USE ONLY"), Some(1));
        assert_eq!(level_rank("C O N F I D E N T I A L"), Some(2));
        assert_eq!(level_rank("secret"), Some(3));
        assert_eq!(level_rank("SECRET//NOFORN"), Some(3));
        assert_eq!(level_rank("TOP SECRET"), Some(4));
        assert_eq!(level_rank("NOFORN"), None);
        assert_eq!(level_rank(""), None);
        assert_eq!(portion_mark("UNCLASSIFIED"), Some("U"));
        assert_eq!(portion_mark("SECRET"), Some("S"));
        assert_eq!(portion_mark("S E C R E T"), Some("S"));
        assert_eq!(portion_mark("CONFIDENTIAL"), Some("C"));
        assert_eq!(portion_mark("SECRET//NOFORN"), Some("S//NF"));
        assert_eq!(portion_mark("CONFIDENTIAL//NOFORN"), Some("C//NF"));
        assert_eq!(
            portion_mark("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            Some("U//FOUO")
        );
        assert_eq!(portion_mark("LIMITED OFFICIAL USE"), Some("LOU"));
        assert_eq!(portion_mark("bogus"), None);
    }

    #[test]
    fn portion_markings() {
        let n = |s: &str| normalize_portion_marking(s);
        for (raw, want) in [
            ("U", "U"),
            ("u", "U"),
            ("SBU", "SBU"),
            ("C", "C"),
            ("c", "C"),
            ("S", "S"),
            ("TS", "TS"),
            ("C/NF", "C//NF"),
            ("S//NF", "S//NF"),
            ("s/nf", "S//NF"),
            ("SBU/N", "SBU//NF"),
            ("SBU/NF", "SBU//NF"),
            ("S/NF", "S//NF"),
            ("C NF", "C//NF"),
            ("S-NF", "S//NF"),
            ("SNF", "S//NF"),
            ("C/NOFORN", "C//NF"),
            ("S//FGI//NF", "S//FGI//NF"),
            ("U//FOUO", "U//FOUO"),
            ("FOUO", "U//FOUO"),
            ("LOU", "LOU"),
            ("CONFIDENTIAL", "C"),
            ("SECRET", "S"),
            ("(C)", "C"),
            ("C//REL TO USA, GBR", "C//REL TO USA, GBR"),
            ("C/REL NATO", "C//REL NATO"),
            ("S//Rel NATO, ISAF", "S//REL NATO, ISAF"),
            ("S/REL to Pakistan", "S//REL TO PAKISTAN"),
            ("SECRET/REL FRANCE", "S//REL FRANCE"),
        ] {
            assert_eq!(n(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "",
            "b",
            "B",
            "b/d",
            "U.S.",
            "Iran",
            "China",
            "/Rel UK",
            "SB",
            "CX",
            "S/XYZ",
            "REL",
            "C/REL",
            "as she has before",
        ] {
            assert_eq!(n(raw), None, "{raw}");
        }
    }

    #[test]
    fn eo_reasons() {
        assert!(eo_reason("1.4(d)").unwrap().contains("Foreign relations"));
        assert!(eo_reason("1.4 (B)").unwrap().contains("Foreign government"));
        assert!(eo_reason("1.5d").is_some());
        assert!(eo_reason("x1").is_some());
        assert!(eo_reason("25X1").is_some());
        assert!(eo_reason("OADR").is_some());
        assert!(eo_reason("N/A").is_some());
        assert_eq!(eo_reason("1.9(z)"), None);
        assert_eq!(eo_reason(""), None);
        assert_eq!(normalize_eo_code("1.4 ( B )"), "1.4(b)");
    }

    #[test]
    fn station_list() {
        let s = stations();
        for want in [
            "ROME",
            "BANGKOK",
            "BANDARSERIBEGAWAN",
            "BUENOSAIRES",
            "RIODEJANEIRO",
            "THEHAGUE",
            "PORTAUPRINCE",
            "NDJAMENA",
            "MEXICO",
            "VATICAN",
            "HOCHIMINHCITY",
            "STPETERSBURG",
            "MUNICH",
            "MELBOURNE",
            "GENEVA",
            "HAVANA",
            "COLOMBO",
            "QUITO",
            "STATE",
            "SECDEF",
            "USUNNEWYORK",
            "USNATO",
            "USEUBRUSSELS",
            "UNVIEVIENNA",
            "USOSCE",
            "UNROME",
            "USTRGENEVA",
            "CDGENEVA",
            "AITTAIPEI",
            "IRANRPODUBAI",
            "RPODUBAI",
            "PARTO",
            "TOSEC",
            "FSINFATC",
        ] {
            assert!(s.contains(&want), "missing {want}");
        }
        for bad in [
            "COLUMBO",
            "QUINTO",
            "MEXICOCITY",
            "USMISSION",
            "WASHINGTONDC",
        ] {
            assert!(!s.contains(&bad), "unexpected {bad}");
        }
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(is_station("PARTO"));
        assert!(!is_station("parto"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in proptest::prelude::any::<String>(), c in proptest::prelude::any::<char>()) {
            let _ = routing_indicator(&s);
            let _ = tag(&s);
            let _ = precedence(c);
            let _ = precedence_word(&s);
            let _ = level_rank(&s);
            let _ = portion_mark(&s);
            let _ = normalize_portion_marking(&s);
            let _ = eo_reason(&s);
            let _ = iso_geo_code(&s);
        }
    }
}
