//! The measured statistics the generator reproduces, as committed constants.
//!
//! Every figure comes from the development corpus (`../shared/corpus`: 1,092 real Cablegate
//! cables and their `metadata.csv`), measured by `scripts/measure.py` over the corpus texts and
//! the parser's output (`cables parse --jsonl ../shared/corpus`). Each constant names the line of
//! that script's report it was read from; "n=" is the number of cables or items behind it. The
//! corpus is a sample of the 2010 release, so these mixes are the sample's (for instance more
//! classified traffic than the whole of Cablegate), which is what tests and benchmarks of this
//! project are calibrated on.

/// Overall markings (banner) and their weights: `banner (metadata.csv, all rows)`, n=1,092.
pub const BANNERS: &[(Banner, u32)] = &[
    (Banner::Confidential, 514),
    (Banner::Secret, 247),
    (Banner::SecretNoforn, 182),
    (Banner::ConfidentialNoforn, 65),
    (Banner::UnclassifiedFouo, 56),
    (Banner::Unclassified, 28),
];

/// The overall marking of a cable, as Cablegate's metadata writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Banner {
    Unclassified,
    /// Unclassified with a SENSITIVE (SBU) caption: `UNCLASSIFIED//FOR OFFICIAL USE ONLY`.
    UnclassifiedFouo,
    Confidential,
    ConfidentialNoforn,
    Secret,
    SecretNoforn,
}

impl Banner {
    /// The banner as the parser (and Cablegate) writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Banner::Unclassified => "UNCLASSIFIED",
            Banner::UnclassifiedFouo => "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            Banner::Confidential => "CONFIDENTIAL",
            Banner::ConfidentialNoforn => "CONFIDENTIAL//NOFORN",
            Banner::Secret => "SECRET",
            Banner::SecretNoforn => "SECRET//NOFORN",
        }
    }

    /// The classification level alone.
    pub fn level(self) -> &'static str {
        match self {
            Banner::Unclassified | Banner::UnclassifiedFouo => "UNCLASSIFIED",
            Banner::Confidential | Banner::ConfidentialNoforn => "CONFIDENTIAL",
            Banner::Secret | Banner::SecretNoforn => "SECRET",
        }
    }

    pub fn is_classified(self) -> bool {
        !matches!(self, Banner::Unclassified | Banner::UnclassifiedFouo)
    }

    pub fn is_noforn(self) -> bool {
        matches!(self, Banner::ConfidentialNoforn | Banner::SecretNoforn)
    }

    /// Every banner, in [`BANNERS`] order.
    pub fn all() -> impl Iterator<Item = Banner> {
        BANNERS.iter().map(|(b, _)| *b)
    }
}

/// Paragraph portion markings per banner, with weights: `paragraph markings in <banner>` (numbered
/// paragraphs only; `REL` markings folded into the `REL NATO`/`REL UK` forms below). `None` is a
/// paragraph without a marking.
pub fn paragraph_markings(banner: Banner) -> &'static [(Option<&'static str>, u32)] {
    match banner {
        // n=5,361
        Banner::Confidential => &[
            (Some("C"), 4382),
            (Some("SBU"), 439),
            (Some("U"), 337),
            (None, 130),
            (Some("C//REL NATO"), 35),
            (Some("C//NF"), 30),
            (Some("SBU//REL NATO"), 8),
        ],
        // n=570
        Banner::ConfidentialNoforn => &[
            (Some("C//NF"), 336),
            (Some("C"), 141),
            (Some("SBU"), 50),
            (Some("U"), 28),
            (Some("SBU//NF"), 13),
            (None, 1),
        ],
        // n=2,773
        Banner::Secret => &[
            (Some("S"), 1293),
            (Some("C"), 909),
            (Some("S//NF"), 185),
            (Some("U"), 177),
            (Some("SBU"), 102),
            (Some("S//REL UK"), 50),
            (None, 36),
            (Some("C//NF"), 17),
            (Some("C//REL NATO"), 3),
        ],
        // n=2,293
        Banner::SecretNoforn => &[
            (Some("S//NF"), 988),
            (Some("C"), 380),
            (None, 350),
            (Some("S"), 208),
            (Some("U"), 126),
            (Some("SBU"), 108),
            (Some("C//NF"), 105),
            (Some("U//FOUO"), 15),
            (Some("S//REL UK"), 7),
            (Some("S//FGI//NF"), 5),
        ],
        // n=215
        Banner::Unclassified => &[(None, 95), (Some("SBU"), 80), (Some("U"), 40)],
        // n=474
        Banner::UnclassifiedFouo => &[(Some("SBU"), 336), (Some("U"), 138)],
    }
}

/// Years and their weights: `year (metadata.csv created, all rows)`, n=1,092. The 2010 cables
/// run to February only (`month of 2010`: January 69, February 107), so 2010 spans two months.
pub const YEARS: &[(i16, u32)] = &[
    (1966, 1),
    (1972, 1),
    (1979, 1),
    (1989, 1),
    (1990, 1),
    (2001, 1),
    (2002, 1),
    (2003, 1),
    (2004, 20),
    (2005, 54),
    (2006, 63),
    (2007, 110),
    (2008, 187),
    (2009, 474),
    (2010, 176),
];

/// The last month of the last year of [`YEARS`] (Cablegate ends in February 2010).
pub const LAST_MONTH: i8 = 2;

/// Cables from before this year have the old heading (DTG, FM, TO only: no VZCZC), no SIPDIS
/// caption, and text in capitals without portion marks (the corpus's 1966–1990 cables).
pub const MODERN_FROM: i16 = 2000;

/// Heading kinds: `heading kind`, n=1,092 files: 950 with a VZCZC transmission heading, 75
/// partial extracts (no transmission heading at all), 67 with a DTG/FM/TO heading only.
pub const HEADING_VZCZC: u32 = 950;
pub const HEADING_PARTIAL: u32 = 75;
pub const HEADING_DTG_ONLY: u32 = 67;

/// Total text size in bytes, as quantiles (`size quantiles`, n=1,077): the generator draws a
/// uniform quantile and interpolates. Median 8,950; long tail to 66 KB.
pub const SIZE_QUANTILES: &[(f64, f64)] = &[
    (0.0, 381.0),
    (0.02, 1715.0),
    (0.05, 2725.0),
    (0.1, 3736.0),
    (0.2, 5521.0),
    (0.3, 6744.0),
    (0.4, 7771.0),
    (0.5, 8950.0),
    (0.6, 10202.0),
    (0.7, 11555.0),
    (0.8, 13545.0),
    (0.9, 17045.0),
    (0.95, 21438.0),
    (0.98, 27212.0),
    (0.99, 34033.0),
    (1.0, 66467.0),
];

/// Bytes of text per section of a multi-section cable: `bytes per section (multi-section VZCZC
/// cables): median 3575`. A cable of `size` bytes has `ceil((size - 1000) / 3575)` sections,
/// which puts the median sizes of 2-, 3-, 4- and 5-section cables (7,010, 10,635, 14,679 and
/// 18,424 bytes in `sections (of)`) in their own bucket.
pub const SECTION_BYTES: usize = 3575;

/// Share of cables over 4 KB that say `SECTION 01 OF nn`: `VZCZC cables over 4 KB with a SECTION
/// line`, 607 of 852.
pub const SECTION_LINE_SHARE: f64 = 607.0 / 852.0;

/// Paragraph text length in characters, as quantiles (numbered paragraphs, n=11,686; the two
/// ends clipped to 40 and 4,000).
pub const PARAGRAPH_QUANTILES: &[(f64, f64)] = &[
    (0.0, 40.0),
    (0.05, 155.0),
    (0.1, 322.0),
    (0.25, 518.0),
    (0.5, 751.0),
    (0.75, 1028.0),
    (0.9, 1318.0),
    (0.95, 1526.0),
    (0.99, 2521.0),
    (1.0, 4000.0),
];

/// Words per sentence, as quantiles: `sentence length (words) quantiles` over mixed-case
/// paragraphs. The shortest decile (list items, fragments) is raised to four words.
pub const SENTENCE_QUANTILES: &[(f64, f64)] = &[
    (0.0, 4.0),
    (0.1, 6.0),
    (0.25, 13.0),
    (0.5, 21.0),
    (0.75, 30.0),
    (0.9, 40.0),
    (0.99, 68.0),
    (1.0, 80.0),
];

/// Hard-wrap width: `line width quantiles` gives a median line of 57 columns, 90% within 61 and
/// 99% within 69, which a greedy wrap at 58–66 columns reproduces.
pub const WRAP_MIN: usize = 58;
pub const WRAP_MAX: usize = 66;

/// Share of cables with unwrapped paragraphs (3+ lines over 120 columns): 427 of 1,077.
pub const UNWRAPPED_SHARE: f64 = 427.0 / 1077.0;

/// Share of cables whose lines carry a trailing space (30%+ of lines): 484 of 1,077.
pub const TRAILING_SPACE_SHARE: f64 = 484.0 / 1077.0;

/// Action precedence (FL5): `precedence`, n=1,017 with a DTG: IMMEDIATE 409, PRIORITY 357,
/// ROUTINE 251.
pub const PRECEDENCES: &[(char, u32)] = &[('O', 409), ('P', 357), ('R', 251)];

/// FL1 channel: `channel`, n=950: XRO 681 (relay routing follows), XYZ 267 (routed `RUEHWEB`),
/// 105 of which have the placeholder sequence `0000` (`XYZ channel sequence 0000`).
pub const CHANNEL_XRO: u32 = 681;
pub const CHANNEL_XYZ: u32 = 267;
pub const XYZ_ZERO_SHARE: f64 = 105.0 / 267.0;

/// FL3 gives a section (`#1187/01`) on 813 of 950 VZCZC cables: always on multi-section ones, on
/// 197 of 333 others (`fl3 section on single-section VZCZC cables`).
pub const FL3_SECTION_SINGLE_SHARE: f64 = 197.0 / 333.0;

/// FL3 filing time equals the DTG on 873 of 950 VZCZC cables; the rest were filed up to 25
/// minutes earlier.
pub const FILED_AT_DTG_SHARE: f64 = 873.0 / 950.0;

/// TO addressees per cable: `to count`, n=1,017 with a heading (the rare 9–37 folded into 5).
pub const TO_COUNTS: &[(usize, u32)] = &[(1, 912), (2, 64), (3, 12), (4, 9), (5, 20)];

/// INFO addressees per cable: `info count (cables with a DTG)`, n=1,017 (21 and over folded into
/// 20).
pub const INFO_COUNTS: &[(usize, u32)] = &[
    (0, 43),
    (1, 119),
    (2, 128),
    (3, 108),
    (4, 88),
    (5, 68),
    (6, 68),
    (7, 54),
    (8, 47),
    (9, 45),
    (10, 50),
    (11, 45),
    (12, 31),
    (13, 31),
    (14, 19),
    (15, 16),
    (16, 16),
    (17, 6),
    (18, 8),
    (19, 10),
    (20, 15),
];

/// Addressee details: `TO addressees with a sequence number` (1,115 of 1,352), `INFO addressees
/// with a sequence number` and `... with a precedence word`.
pub const TO_MCN_SHARE: f64 = 1115.0 / 1352.0;
pub const INFO_MCN_SHARE: f64 = 2416.0 / 6316.0;
pub const INFO_PRECEDENCE_SHARE: f64 = 2973.0 / 6316.0;

/// Total TAGS per cable: `tag count`, n=1,077 (16 and over folded into 15).
pub const TAG_COUNTS: &[(usize, u32)] = &[
    (1, 3),
    (2, 39),
    (3, 142),
    (4, 195),
    (5, 215),
    (6, 154),
    (7, 120),
    (8, 69),
    (9, 47),
    (10, 34),
    (11, 20),
    (12, 14),
    (13, 4),
    (14, 9),
    (15, 10),
];

/// Geographic TAGS per cable: `geo tags per cable`, n=1,077 (6 and over folded into 6; the 24
/// cables with none are folded into 1: a generated cable always names its country).
pub const GEO_TAG_COUNTS: &[(usize, u32)] =
    &[(1, 656), (2, 223), (3, 93), (4, 36), (5, 28), (6, 41)];

/// Subject, program and organization TAGS with their counts: `subject/program/org tags`,
/// n=4,194; the codes seen at least three times (less `MTCRE`, `UNO`, a typo and an alias). Six
/// of them (`KSPR`, `KDRG`, `KAWK`, `KGIC`, `KRAD`, `KBIO`) are not in the TAGS table: real
/// program codes the parser types by their shape.
pub const SUBJECT_TAGS: &[(&str, u32)] = &[
    ("PREL", 874),
    ("PGOV", 690),
    ("PTER", 266),
    ("PINR", 207),
    ("ECON", 194),
    ("MARR", 143),
    ("PHUM", 130),
    ("MOPS", 121),
    ("PARM", 99),
    ("EFIN", 71),
    ("MASS", 63),
    ("ENRG", 58),
    ("PINS", 56),
    ("NATO", 52),
    ("EAID", 51),
    ("KNNP", 50),
    ("KDEM", 49),
    ("MNUC", 48),
    ("ETRD", 46),
    ("SOCI", 45),
    ("ASEC", 42),
    ("EINV", 42),
    ("SENV", 39),
    ("SNAR", 37),
    ("ETTC", 35),
    ("KCRM", 32),
    ("KJUS", 29),
    ("MCAP", 28),
    ("EPET", 25),
    ("KGHG", 22),
    ("KCOR", 21),
    ("KISL", 19),
    ("PREF", 18),
    ("ELAB", 17),
    ("KTFN", 17),
    ("KPAO", 16),
    ("KSCA", 16),
    ("EU", 15),
    ("KWBG", 15),
    ("KPAL", 14),
    ("PBTS", 13),
    ("SCUL", 13),
    ("KHLS", 13),
    ("UNSC", 12),
    ("EAGR", 10),
    ("EAIR", 8),
    ("PHSA", 8),
    ("EIND", 8),
    ("CASC", 8),
    ("KSPR", 8),
    ("EWWT", 7),
    ("EMIN", 7),
    ("AORC", 7),
    ("UN", 6),
    ("KDRG", 6),
    ("KAWK", 6),
    ("KIPR", 5),
    ("KGIC", 5),
    ("KRAD", 5),
    ("SMIG", 4),
    ("CVIS", 4),
    ("TSPA", 4),
    ("KOLY", 4),
    ("CMGT", 4),
    ("CJAN", 4),
    ("KIRF", 4),
    ("ECPS", 4),
    ("OTRA", 3),
    ("UNGA", 3),
    ("AMGT", 3),
    ("OIIP", 3),
    ("KBIO", 3),
    ("KSUM", 3),
    ("BEXP", 3),
    ("IAEA", 3),
];

/// Share of cables with a person tag (`OVIP (SURNAME, GIVEN)`): `person tags`, 8 of 1,077.
pub const PERSON_TAG_SHARE: f64 = 8.0 / 1077.0;

/// References per cable: `ref count`, n=1,077 (10 and over folded into 10).
pub const REF_COUNTS: &[(usize, u32)] = &[
    (0, 479),
    (1, 254),
    (2, 160),
    (3, 81),
    (4, 33),
    (5, 22),
    (6, 17),
    (7, 13),
    (8, 8),
    (9, 3),
    (10, 7),
];

/// What a reference cites: `reference kinds`, n=1,440. Same-year and earlier-year references
/// are not told apart here: the generator cites the nearest earlier cable of the kind, which
/// crosses into the year before as often as the archive's chronology makes it.
pub const REF_SAME_ORIGIN: u32 = 801 + 256;
pub const REF_STATE: u32 = 94 + 13;
pub const REF_OTHER_ORIGIN: u32 = 121 + 27;
pub const REF_NOT_A_CABLE: u32 = 128;

/// Share of cable references that cite a cable outside the generated set (a cable the archive
/// does not have), whatever their kind. Not measurable on a sample; chosen so that every set
/// has some.
pub const REF_OUTSIDE_SHARE: f64 = 0.12;

/// Captions by banner: `captions+caveats by banner`. SIPDIS on 1,008 of 1,077; SENSITIVE on 26
/// of 1,000 classified cables; CORRECTED COPY on 21 of 1,077.
pub const SIPDIS_SHARE: f64 = 1008.0 / 1077.0;
pub const SENSITIVE_CLASSIFIED_SHARE: f64 = 26.0 / 1000.0;
pub const CORRECTED_COPY_SHARE: f64 = 21.0 / 1077.0;

/// Share of subjects that open with a portion mark: `subject marking`, 57 of 1,077.
pub const SUBJECT_MARK_SHARE: f64 = 57.0 / 1077.0;

/// Subject length in characters, as quantiles (n=1,077, by deciles; the two ends clipped to 24
/// and 110).
pub const SUBJECT_QUANTILES: &[(f64, f64)] = &[
    (0.0, 24.0),
    (0.1, 35.0),
    (0.2, 43.0),
    (0.3, 47.0),
    (0.4, 52.0),
    (0.5, 57.0),
    (0.6, 63.0),
    (0.7, 68.0),
    (0.8, 74.0),
    (0.9, 83.0),
    (1.0, 110.0),
];

/// Share of cables with a summary (`summary`, 833 of 1,077) and with a comment (`comment`, 343
/// of 1,077).
pub const SUMMARY_SHARE: f64 = 833.0 / 1077.0;
pub const COMMENT_SHARE: f64 = 343.0 / 1077.0;

/// Share of cables with unnumbered section headings between paragraphs: `section headings per
/// cable`, 748 of 1,077 with one or more, four or five in a typical one. About a third of them
/// are `Summary`/`Comment` headings, which the generator mostly writes inline instead; the rest
/// are reproduced by headings on 60% of cables, before two paragraphs in five.
pub const HEADINGS_SHARE: f64 = 0.6;
pub const HEADING_PER_PARAGRAPH: f64 = 0.4;

/// Classified cables with a Classified By line: `classified by (classified cables)`, 975 of
/// 1,000.
pub const CLASSIFIED_BY_SHARE: f64 = 975.0 / 1000.0;

/// Classification reasons and their weights (n=982 Classified By lines): `1.4 (b) and (d)` 792,
/// `(d)` 39, `1.5 (b) and (d)` 23, `(c)` 20, `(b), (c) and (d)` 19, `(b)` 9.
pub const REASONS: &[(&[&str], u32)] = &[
    (&["1.4(b)", "1.4(d)"], 792),
    (&["1.4(d)"], 39),
    (&["1.5(b)", "1.5(d)"], 23),
    (&["1.4(c)"], 20),
    (&["1.4(b)", "1.4(c)", "1.4(d)"], 19),
    (&["1.4(b)"], 9),
];

/// Years from the cable's date to its E.O. declassification date: `decl years after date`,
/// n=988 (the few off-by-one and odd values folded into their neighbours).
pub const DECL_YEARS: &[(i16, u32)] = &[(10, 833), (25, 88), (20, 42), (15, 19), (5, 5), (30, 5)];

/// Signature lines at the end: `signature lines`, n=1,077: one 738, two 15, none 324.
pub const SIGNATURE_ONE: u32 = 738;
pub const SIGNATURE_TWO: u32 = 15;
pub const SIGNATURE_NONE: u32 = 324;
