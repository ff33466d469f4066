//! The `Cable` model: what the parser returns, and the JSON contract other tools rely on.
//!
//! Field names are the project's vocabulary (see the JSON contract in ARCHITECTURE.md):
//! the archive's JSON and query fields use the same ones. Absent values are `null` or `[]`.

use serde::Serialize;

/// A byte range `[start, end)` into the cable text as decoded from its container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Where a cable came from. Filled in by the container readers, not by the parser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Source {
    pub path: String,
    /// 1-based record number for row-based containers (`cables.csv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// Byte offset of the record inside its file, where that means something.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The container kind the text was read from: `text`, `cablegate-html`, `cables-csv`, `plusd`.
    pub container: String,
}

/// The ACP-127 transmission heading, format lines FL1–FL5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Transmission {
    /// FL1 transmission id, e.g. `VZCZCXRO8797`.
    pub id: Option<String>,
    /// FL2 precedence pair, e.g. `PP`, `OO`.
    pub routing_precedence: Option<String>,
    /// FL2 relay routing indicators.
    pub routing: Vec<String>,
    /// FL3 originating station routing indicator, e.g. `RUEHRK`.
    pub station: Option<String>,
    /// FL3 station serial number, as written without `#` (`0195`).
    pub serial: Option<String>,
    /// FL3 section number (`/01`).
    pub section: Option<u32>,
    /// FL3 filing time as a UTC timestamp (year taken from the DTG).
    pub filed: Option<String>,
    /// FL4 security, e.g. `ZNY CCCCC ZZH`.
    pub security: Option<String>,
}

/// One TO or INFO addressee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Addressee {
    /// Routing indicator, when the line gives one (`RUEHBK`).
    pub ri: Option<String>,
    /// Plain-language address, e.g. `AMEMBASSY BANGKOK`.
    pub name: String,
    /// Precedence word on the line (IMMEDIATE, PRIORITY, ...).
    pub precedence: Option<String>,
    /// Per-addressee message sequence number (`3787`).
    pub mcn: Option<String>,
    /// Station name decoded from the routing indicator table.
    pub station: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Section {
    pub n: u32,
    pub of: u32,
}

/// The E.O. (declassification) line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ExecutiveOrder {
    /// The order number, e.g. `12958`.
    pub order: Option<String>,
    /// The declassification date (YYYY-MM-DD) when the line gives one.
    pub declassify_on: Option<String>,
    /// A declassification code instead of a date (`X1`, `OADR`, `GDS`, `N/A`, `25X1`).
    pub code: Option<String>,
    /// The line's text after the keyword, as written.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    Subject,
    Program,
    Geographic,
    Organization,
    Person,
    /// A word that is not a known code and does not look like a person's name.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub code: String,
    pub kind: TagKind,
    pub meaning: Option<String>,
}

/// One entry of a REF list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Reference {
    /// The reference letter (`A`, `B`) or number, when given.
    pub letter: Option<String>,
    /// Canonical cable id when the reference names a cable (`09STATE12345`).
    pub id: Option<String>,
    /// The reference as written.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ClassifiedBy {
    pub text: String,
    /// Reasons normalised to the form `1.4(b)`.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Paragraph {
    /// The paragraph number as written (`1`, `12`), or null for unnumbered text.
    pub number: Option<String>,
    /// Portion marking in short form (`U`, `SBU`, `C`, `S//NF`), when the paragraph carries one.
    pub marking: Option<String>,
    /// An unnumbered section heading that precedes this paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `no-dtg`, `id-mismatch`.
    pub code: String,
    pub message: String,
    /// 1-based line and column (in characters) in the decoded cable text.
    pub line: usize,
    pub column: usize,
    pub span: Span,
}

/// Byte spans of the single-valued fields, into the decoded text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Spans {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transmission: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dtg: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eo: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classified_by: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Span>,
}

/// A parsed cable. `text` is the original decoded text, unchanged; every span points into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Cable {
    /// Canonical WikiLeaks id derived from the text (`09PARTO13`).
    pub id: Option<String>,
    /// The id as found: from the container when it gives one, else as the text spells it.
    pub raw_id: Option<String>,
    pub source: Option<Source>,
    pub transmission: Transmission,
    pub precedence: Option<String>,
    /// The DTG as RFC 3339 UTC (`2009-08-04T14:57:00Z`), or the best date the text supports.
    pub date: Option<String>,
    /// How `date` was obtained: `dtg`, `filing-time`, `container`, `text`.
    pub date_source: Option<String>,
    pub from: Option<String>,
    pub to: Vec<Addressee>,
    pub info: Vec<Addressee>,
    /// Posts excluded from a collective (XMT).
    pub xmt: Vec<String>,
    /// The station part of the id (`PARTO`, `STATE`, `REYKJAVIK`).
    pub origin: Option<String>,
    pub classification: Option<String>,
    pub banner: Option<String>,
    pub caveats: Vec<String>,
    pub captions: Vec<String>,
    pub section: Option<Section>,
    pub eo: Option<ExecutiveOrder>,
    pub tags: Vec<Tag>,
    pub subject: Option<String>,
    pub subject_marking: Option<String>,
    pub references: Vec<Reference>,
    pub classified_by: Option<ClassifiedBy>,
    pub summary: Option<String>,
    pub comment: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    pub signature: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    pub spans: Spans,
    /// The cable text as decoded from its container; never altered.
    #[serde(skip)]
    pub text: String,
}
