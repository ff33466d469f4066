//! The generator's vocabulary: the word table and the origin table measured from the corpus
//! (`data/words.tsv`, `data/origins.tsv`, both written by `scripts/measure.py` and embedded, so
//! nothing is read at run time), and small hand-written lists of invented names, titles, office
//! symbols and section headings.
//!
//! No sentence of a real cable is stored anywhere: the word table holds words and counts only,
//! the origin table what a post's headings say (station, address, routing indicators).

use std::sync::LazyLock;

use rand::RngExt;

use crate::rng::{alias_columns, CableRng};

const WORDS_TSV: &str = include_str!("../data/words.tsv");
const ORIGINS_TSV: &str = include_str!("../data/origins.tsv");

/// Data rows of an embedded TSV: comment lines (`#`) and the header skipped.
fn rows(tsv: &'static str, header: bool) -> impl Iterator<Item = Vec<&'static str>> {
    tsv.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(usize::from(header))
        .map(|l| l.split('\t').collect())
}

// ---------------------------------------------------------------------------------------------
// Words

/// The word table, sampled by frequency with the alias method: words come out with their corpus
/// frequency, which is Zipf-like (the hundred most frequent words make about half of all text).
///
/// The sampler sits on the hottest path of the generator (a 100,000-cable set has about 150
/// million words), so a column is packed into 8 bytes holding both of its words' places in one
/// string of all words: one table load and one string read per word.
pub struct Vocabulary {
    /// Every word, one after the other.
    bytes: String,
    columns: Vec<Column>,
}

#[derive(Clone, Copy)]
struct Column {
    /// Keep the column's own word when the 16-bit coin is below this.
    threshold: u16,
    /// Byte offset and length in `bytes` of the column's own word and of its alias.
    offset: [u16; 2],
    len: [u8; 2],
}

impl Vocabulary {
    /// A word from 48 random bits of `x` (its top 48: the low 16 are left to the caller), as
    /// the word's bytes followed by at least 16 more readable bytes, and its length.
    pub fn word_bytes(&self, x: u64) -> (&[u8], usize) {
        let i = (((x >> 32) * self.columns.len() as u64) >> 32) as usize;
        let c = self.columns[i];
        let k = usize::from((x >> 16) as u16 >= c.threshold);
        let start = usize::from(c.offset[k]);
        (&self.bytes.as_bytes()[start..], usize::from(c.len[k]))
    }

    pub fn sample(&self, rng: &mut CableRng) -> &str {
        let (bytes, len) = self.word_bytes(rng.random());
        std::str::from_utf8(&bytes[..len]).unwrap_or("")
    }

    /// Every word, with its chance of being drawn.
    #[cfg(test)]
    pub fn chances(&self) -> Vec<(&str, f64)> {
        let n = self.columns.len() as f64;
        let mut out: Vec<(&str, f64)> = Vec::new();
        let mut add = |off: u16, len: u8, p: f64| {
            let w = &self.bytes[usize::from(off)..usize::from(off) + usize::from(len)];
            match out.iter_mut().find(|(x, _)| std::ptr::eq(*x, w)) {
                Some((_, q)) => *q += p,
                None => out.push((w, p)),
            }
        };
        for c in &self.columns {
            let keep = f64::from(c.threshold) / 65_536.0;
            add(c.offset[0], c.len[0], keep / n);
            add(c.offset[1], c.len[1], (1.0 - keep) / n);
        }
        out
    }
}

pub static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| {
    let mut bytes = String::new();
    let mut places: Vec<(u16, u8)> = Vec::new();
    let mut weights = Vec::new();
    for row in rows(WORDS_TSV, false) {
        if let (Some(w), Some(n)) = (row.first(), row.get(1).and_then(|n| n.parse::<u64>().ok())) {
            let (Ok(offset), Ok(len)) = (u16::try_from(bytes.len()), u8::try_from(w.len())) else {
                break;
            };
            places.push((offset, len));
            bytes.push_str(w);
            weights.push(n as f64);
        }
    }
    // Slack for the 16-byte copies of the last words.
    bytes.push_str(&" ".repeat(16));
    let columns = alias_columns(&weights)
        .into_iter()
        .enumerate()
        .map(|(i, (keep, alias))| Column {
            threshold: (keep * 65_536.0).min(65_535.0) as u16,
            offset: [places[i].0, places[alias].0],
            len: [places[i].1, places[alias].1],
        })
        .collect();
    Vocabulary { bytes, columns }
});

// ---------------------------------------------------------------------------------------------
// Origins

/// A post that sends cables, with what its headings say.
#[derive(Debug)]
pub struct Origin {
    /// The station as ids spell it (`TELAVIV`).
    pub station: &'static str,
    /// How many corpus cables came from it: the origin's weight.
    pub weight: u32,
    /// The origin as Cablegate's metadata and `cables.csv` write it (`Embassy Tel Aviv`).
    pub metadata: &'static str,
    /// The origin words of the classification line (`TEL AVIV`).
    pub class_line: &'static str,
    /// The FM line's address (`AMEMBASSY TEL AVIV`).
    pub from: &'static str,
    /// The post's routing indicator (`RUEHTV`); `None` for posts closed before the indicator book.
    pub ri: Option<&'static str>,
    /// The host country's geographic TAG (`IS`); `None` for the Department.
    pub geo: Option<&'static str>,
    /// FL2 relay routing indicators of its XRO-channel cables.
    pub relay: Vec<&'static str>,
    /// Its most common INFO addressees as `(routing indicator, address)`.
    pub info: Vec<(&'static str, &'static str)>,
}

pub static ORIGINS: LazyLock<Vec<Origin>> = LazyLock::new(|| {
    rows(ORIGINS_TSV, true)
        .filter_map(|r| {
            let col = |i: usize| r.get(i).copied().unwrap_or("").trim();
            let weight = col(1).parse().ok()?;
            let opt = |s: &'static str| (!s.is_empty()).then_some(s);
            Some(Origin {
                station: col(0),
                weight,
                metadata: col(2),
                class_line: col(3),
                from: col(4),
                ri: opt(col(5)),
                geo: opt(col(6)),
                relay: col(7).split_whitespace().collect(),
                info: col(8)
                    .split('|')
                    .filter_map(|a| a.split_once('/'))
                    .collect(),
            })
        })
        .collect()
});

/// The sum of the origins' weights.
pub static ORIGIN_WEIGHT: LazyLock<u32> = LazyLock::new(|| ORIGINS.iter().map(|o| o.weight).sum());

/// The index of the Department of State in [`ORIGINS`].
pub static STATE: LazyLock<usize> = LazyLock::new(|| {
    ORIGINS
        .iter()
        .position(|o| o.station == "STATE")
        .expect("origins.tsv lists STATE")
});

/// Posts closed before a year: they send no cables from that year on.
pub const CLOSED: &[(&str, i16)] = &[("TEHRAN", 1980)];

/// Posts cited in REF lists as cables outside any generated set: none of them is an origin the
/// generator sends from, so an id citing them never names a generated cable. Written as REF
/// lists write them.
pub const OUTSIDE_POSTS: &[&str] = &[
    "TOKYO",
    "JAKARTA",
    "MANILA",
    "HANOI",
    "CANBERRA",
    "WELLINGTON",
    "ATHENS",
    "BUDAPEST",
    "PRAGUE",
    "BUCHAREST",
    "HELSINKI",
    "COPENHAGEN",
    "BERN",
    "LJUBLJANA",
    "VILNIUS",
    "MINSK",
    "TASHKENT",
    "KATHMANDU",
    "DHAKA",
    "ACCRA",
    "LUSAKA",
    "GABORONE",
    "WINDHOEK",
    "KINSHASA",
    "NIAMEY",
    "MONTEVIDEO",
    "ASUNCION",
    "QUITO",
    "TEGUCIGALPA",
    "SANTO DOMINGO",
    "KINGSTON",
    "BRATISLAVA",
];

/// Washington and multilateral addressees that fill INFO lists past a post's own measured ones
/// (`RI/ADDRESS` as cables write them; the most common non-post INFO addressees of the corpus).
pub const WASHINGTON_INFO: &[(&str, &str)] = &[
    ("RHEHNSC", "NSC WASHDC"),
    ("RUEAIIA", "CIA WASHDC"),
    ("RUEKJCS", "SECDEF WASHDC"),
    ("RUEKJCS", "JOINT STAFF WASHDC"),
    ("RHEFDIA", "DIA WASHDC"),
    ("RUCNDT", "USMISSION USUN NEW YORK"),
    ("RUEATRS", "DEPT OF TREASURY WASHDC"),
    ("RUEHNO", "USMISSION USNATO"),
    ("RUEHBS", "USEU BRUSSELS"),
    ("RHMFISS", "HQ USEUCOM VAIHINGEN GE"),
    ("RHMFISS", "CDR USCENTCOM MACDILL AFB FL"),
    ("RUEAWJA", "DEPT OF JUSTICE WASHDC"),
];

/// Secretaries of State by the year their term began: State cables are signed in their name.
pub const SECRETARIES: &[(i16, &str)] = &[
    (1961, "RUSK"),
    (1969, "ROGERS"),
    (1973, "KISSINGER"),
    (1977, "VANCE"),
    (1980, "MUSKIE"),
    (1981, "HAIG"),
    (1982, "SHULTZ"),
    (1989, "BAKER"),
    (1993, "CHRISTOPHER"),
    (1997, "ALBRIGHT"),
    (2001, "POWELL"),
    (2005, "RICE"),
    (2009, "CLINTON"),
];

/// The Secretary of State in office in `year`.
pub fn secretary(year: i16) -> &'static str {
    SECRETARIES
        .iter()
        .rev()
        .find(|(from, _)| *from <= year)
        .map_or("RUSK", |(_, name)| name)
}

// ---------------------------------------------------------------------------------------------
// Invented people and offices

/// Surnames for signers, classifying officers and visitors: common American surnames, none
/// taken from the corpus.
pub const SURNAMES: &[&str] = &[
    "ANDERSON",
    "BAKER",
    "BENNETT",
    "BROOKS",
    "BUTLER",
    "CAMPBELL",
    "CARTER",
    "COLEMAN",
    "COLLINS",
    "COOPER",
    "CRAWFORD",
    "DAVIDSON",
    "DIXON",
    "DUNCAN",
    "EDWARDS",
    "ELLIOTT",
    "EVANS",
    "FISHER",
    "FLEMING",
    "FOSTER",
    "FULLER",
    "GARDNER",
    "GIBSON",
    "GRAHAM",
    "GRANT",
    "GRIFFIN",
    "HARPER",
    "HARRISON",
    "HAYES",
    "HENDERSON",
    "HOLLAND",
    "HOWARD",
    "HUDSON",
    "HUGHES",
    "JENKINS",
    "JORDAN",
    "KELLER",
    "KENNEDY",
    "LAWSON",
    "LINDQUIST",
    "LOWELL",
    "MARSHALL",
    "MASON",
    "MCALLISTER",
    "MEYER",
    "MITCHELL",
    "MORGAN",
    "MURRAY",
    "NELSON",
    "NEWTON",
    "OSBORNE",
    "PALMER",
    "PARKER",
    "PATTON",
    "PEARSON",
    "PERKINS",
    "PORTER",
    "PRESTON",
    "QUINN",
    "RAMSEY",
    "REYNOLDS",
    "RICHARDS",
    "ROBERTSON",
    "RUSSELL",
    "SANDERS",
    "SAWYER",
    "SHAW",
    "SIMMONS",
    "SLOANE",
    "SPENCER",
    "STANTON",
    "STEVENS",
    "SULLIVAN",
    "SUTTON",
    "TAYLOR",
    "THORNTON",
    "TUCKER",
    "TURNER",
    "VAUGHN",
    "WALLACE",
    "WARREN",
    "WATSON",
    "WEBSTER",
    "WHEELER",
    "WHITAKER",
    "WILLIS",
    "WOODWARD",
    "WRIGHT",
    "YOUNG",
];

/// Given names (those the parser knows as given names, so `SURNAME GIVEN` person tags read as
/// people).
pub const GIVEN_NAMES: &[&str] = &[
    "JAMES",
    "JOHN",
    "ROBERT",
    "WILLIAM",
    "RICHARD",
    "MICHAEL",
    "DAVID",
    "GEORGE",
    "NANCY",
    "CHARLES",
    "THOMAS",
    "PAUL",
    "MARK",
    "PETER",
    "STEPHEN",
    "SUSAN",
    "ELIZABETH",
    "MARY",
    "HENRY",
    "EDWARD",
    "FRANK",
    "ANTHONY",
    "DANIEL",
    "KAREN",
    "JUDITH",
    "ELLEN",
    "ERIC",
    "JANET",
    "ANNE",
    "LISA",
];

/// Titles of the officer in a Classified By line at a post.
pub const POST_TITLES: &[&str] = &[
    "Ambassador",
    "Charge d'Affaires",
    "DCM",
    "Deputy Chief of Mission",
    "Political Counselor",
    "Acting Political Counselor",
    "Political Officer",
    "Economic Counselor",
    "Pol/Econ Chief",
    "Political Minister Counselor",
    "Acting DCM",
    "Consul General",
];

/// Bureaus and offices of the Department, for State's Classified By lines and "FOR" lines.
pub const OFFICES: &[&str] = &[
    "EUR/WE", "EUR/RUS", "EUR/CE", "EUR/RPM", "NEA/IR", "NEA/ARP", "NEA/I", "NEA/ELA", "SCA/A",
    "SCA/PB", "SCA/INS", "WHA/AND", "WHA/BSC", "WHA/CAR", "EAP/CM", "EAP/K", "EAP/MLS", "AF/S",
    "AF/E", "AF/W", "INR", "S/CT", "DRL", "ISN", "EEB", "PM", "IO", "G/TIP",
];

/// Unnumbered section headings between paragraphs (generic words; country names come from the
/// TAGS table).
pub const HEADINGS: &[&str] = &[
    "Background",
    "Next Steps",
    "Political Context",
    "Economic Outlook",
    "Security Situation",
    "Bilateral Relations",
    "Regional Dynamics",
    "Domestic Politics",
    "Energy Cooperation",
    "Human Rights",
    "Counterterrorism",
    "Trade and Investment",
    "Looking Ahead",
    "The Opposition",
    "Reactions",
    "Military Cooperation",
    "Nonproliferation",
    "Press Coverage",
];

/// Non-cable references as REF lists write them: a mail, a telephone call, a meeting.
pub const OTHER_REFERENCES: &[&str] = &[
    "EMBASSY EMAIL OF {date}",
    "{office} EMAIL {date}",
    "TELCON {office}-EMBASSY {date}",
    "DEMARCHE INSTRUCTIONS OF {date}",
    "MEETING WITH {office} ON {date}",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_drawn_with_their_corpus_frequency() {
        let total: f64 = rows(WORDS_TSV, false)
            .filter_map(|r| r.get(1)?.parse::<f64>().ok())
            .sum();
        let chances = VOCABULARY.chances();
        assert_eq!(chances.len(), 5000);
        for row in rows(WORDS_TSV, false).take(200) {
            let want = row[1].parse::<f64>().unwrap() / total;
            let got = chances.iter().find(|(w, _)| *w == row[0]).unwrap().1;
            // The coin has 16 bits: each column's split is exact to 1/65,536.
            assert!(
                (got - want).abs() < 1e-6 + want * 1e-3,
                "{}: {got} vs {want}",
                row[0]
            );
        }
    }

    #[test]
    fn the_word_table_holds_words_and_counts_only() {
        let mut n = 0;
        for row in rows(WORDS_TSV, false) {
            assert_eq!(row.len(), 2, "{row:?}");
            let (word, count) = (row[0], row[1]);
            assert!(
                !word.is_empty() && word.len() <= 30 && word.is_ascii(),
                "{word:?}"
            );
            assert!(
                !word.contains(char::is_whitespace),
                "{word:?} is not one word"
            );
            assert!(count.parse::<u64>().is_ok_and(|c| c > 0), "{row:?}");
            n += 1;
        }
        assert_eq!(n, 5000);
    }

    #[test]
    fn origins_are_consistent_with_the_code_tables() {
        assert!(ORIGINS.len() > 100);
        for o in ORIGINS.iter() {
            assert!(cable_format::tables::is_station(o.station), "{}", o.station);
            assert_eq!(
                cable_format::id::canonical_origin(o.class_line).as_deref(),
                Some(o.station),
                "{}",
                o.class_line
            );
            if let Some(geo) = o.geo {
                // A known code, or a two-letter one the parser takes as geographic (`SR`).
                let known = cable_format::tables::tag(geo).is_some();
                assert!(known || geo.len() == 2, "{geo}");
            }
            for (ri, _) in &o.info {
                assert!(ri.starts_with('R') && ri.len() >= 4, "{ri}");
            }
        }
        assert_eq!(ORIGINS[*STATE].class_line, "STATE");
    }

    #[test]
    fn outside_posts_are_stations_the_generator_never_sends_from() {
        for post in OUTSIDE_POSTS {
            let station = cable_format::id::canonical_origin(post).unwrap();
            assert_eq!(station, post.replace(' ', ""));
            assert!(ORIGINS.iter().all(|o| o.station != station), "{post}");
        }
    }

    #[test]
    fn hand_lists_fit_the_parser() {
        for (code, _) in crate::stats::SUBJECT_TAGS {
            // Known to the table, or a four-letter program code the parser types by its shape.
            match cable_format::tables::tag(code) {
                Some(info) => assert_ne!(info.kind, cable_format::TagKind::Unknown, "{code}"),
                None => assert!(code.len() == 4 && code.starts_with('K'), "{code}"),
            }
        }
        assert_eq!(secretary(2009), "CLINTON");
        assert_eq!(secretary(2005), "RICE");
        assert_eq!(secretary(1966), "RUSK");
    }
}
