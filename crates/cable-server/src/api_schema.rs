//! The shapes of the JSON API that the archive does not own: query parameters, the error body,
//! the timeline and versions answers, and the parsed cable. The archive's own answers
//! (`SearchResults`, `Stats`, `Graph`, ...) derive their schemas in `cable-archive` (feature
//! `openapi`); the parsed cable is the JSON contract of `cable-format`, described here for the
//! OpenAPI document only (the handlers serve the stored JSON itself, and the tests validate every
//! answer against these schemas, so a drift fails them).

// The cable schemas are never built: they describe JSON the archive stores.
#![allow(dead_code)]

use std::collections::BTreeMap;

use cable_archive::{Neighbour, VersionMeta};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Result order of a search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum SortParam {
    /// Best match first: words rank, fields only narrow (fields alone, or the empty query:
    /// archive order).
    #[default]
    #[serde(rename = "relevance")]
    Relevance,
    /// Oldest first.
    #[serde(rename = "date")]
    Date,
    /// Newest first.
    #[serde(rename = "-date")]
    DateDesc,
}

impl From<SortParam> for cable_archive::Sort {
    fn from(s: SortParam) -> Self {
        match s {
            SortParam::Relevance => cable_archive::Sort::Relevance,
            SortParam::Date => cable_archive::Sort::DateAsc,
            SortParam::DateDesc => cable_archive::Sort::DateDesc,
        }
    }
}

/// The largest page of hits a search returns.
pub const MAX_LIMIT: usize = 1000;
/// The deepest page a search reaches: a top-k collector holds `offset + limit` documents.
pub const MAX_OFFSET: usize = 100_000;

/// Query parameters of `GET /api/search`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query in the cables query language (QUERY.md); empty or absent for every cable.
    #[serde(default)]
    #[param(example = "tag:PREL class>=C")]
    pub q: String,
    /// Hits per page, 0 to 1000 (0 returns only the total and the facets).
    #[param(minimum = 0, maximum = 1000, default = 20)]
    pub limit: Option<usize>,
    /// Hits to skip, at most 100000.
    #[param(minimum = 0, maximum = 100000, default = 0)]
    pub offset: Option<usize>,
    /// Result order: `relevance` (default), `date` (oldest first) or `-date` (newest first).
    #[serde(default)]
    #[param(inline)]
    pub sort: SortParam,
}

/// Export formats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormatParam {
    /// One JSON object per line: the parse, `version` (the hash) and `text` (the original).
    #[default]
    Jsonl,
    /// A header row, then one row per cable; lists joined with `; `.
    Csv,
}

/// Query parameters of `GET /api/export`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The query (QUERY.md); empty or absent for every cable.
    #[serde(default)]
    #[param(example = "tag:PREL")]
    pub q: String,
    /// `jsonl` (default) or `csv`.
    #[serde(default)]
    #[param(inline)]
    pub format: ExportFormatParam,
}

/// Timeline buckets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum IntervalParam {
    /// `2009-08`.
    #[default]
    Month,
    /// `2009`.
    Year,
}

/// Query parameters of `GET /api/timeline`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// The query (QUERY.md); empty or absent for every cable.
    #[serde(default)]
    #[param(example = "tag:PREL")]
    pub q: String,
    /// `month` (default) or `year`.
    #[serde(default)]
    #[param(inline)]
    pub interval: IntervalParam,
}

/// One bucket of a timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// The month (`2009-08`) or year (`2009`).
    #[schema(example = "2009-08")]
    pub period: String,
    /// Matching cables dated in it.
    pub count: u64,
}

/// Every version of a cable the archive has recorded, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Versions {
    pub id: String,
    /// Index in `versions` of the current version (the one searched and shown).
    pub current: usize,
    /// The hash of the current version.
    pub current_version: String,
    pub versions: Vec<VersionMeta>,
}

/// Every failure: `{"error": {"code", "message", ...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

/// What went wrong.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorObject {
    /// A stable machine-readable code: `bad-query`, `bad-request`, `unauthorized`,
    /// `not-found`, `method-not-allowed`, `too-large`, `too-many-failures`, `timeout`,
    /// `unavailable`, `internal`.
    #[schema(example = "bad-query")]
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// For `bad-query`: the kind of query error (kebab-case, QUERY.md).
    #[schema(nullable = false)]
    pub kind: Option<String>,
    /// For `bad-query`: the byte range of the query the error is about.
    #[schema(nullable = false)]
    pub position: Option<ErrorPosition>,
    /// For `bad-query`: what was probably meant, when there is a guess.
    pub suggestion: Option<String>,
}

/// A byte range `[start, end)` of the query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorPosition {
    pub start: usize,
    pub end: usize,
}

// ---- The parsed cable (the JSON contract of cable-format), for the document only. ----

/// A parsed cable as `cables show --json` gives it: the parse (ARCHITECTURE.md, "The JSON
/// contract") plus `version` and `cited_by`, and each reference's `in_archive`.
#[derive(ToSchema)]
pub struct CableDocument {
    /// Canonical id (`09PARTO13`).
    pub id: String,
    /// The hash of the version shown (the current one).
    pub version: String,
    /// The id as found: from the container when it gives one, else as the text spells it.
    pub raw_id: Option<String>,
    pub source: Option<CableSource>,
    pub transmission: Transmission,
    pub precedence: Option<String>,
    /// RFC 3339 UTC (`2009-08-04T14:57:00Z`).
    pub date: Option<String>,
    /// How `date` was obtained: `dtg`, `dateline`, `declassify-on-minus-10-years`, `container`.
    pub date_source: Option<String>,
    pub from: Option<String>,
    pub to: Vec<Addressee>,
    pub info: Vec<Addressee>,
    /// Posts excluded from a collective (XMT).
    pub xmt: Vec<String>,
    /// The station part of the id (`PARTO`, `STATE`).
    pub origin: Option<String>,
    pub classification: Option<String>,
    pub banner: Option<String>,
    pub caveats: Vec<String>,
    pub captions: Vec<String>,
    pub section: Option<Section>,
    pub eo: Option<ExecutiveOrder>,
    pub tags: Vec<Tag>,
    /// Null when withheld from the reader (see `withheld`).
    pub subject: Option<String>,
    pub subject_marking: Option<String>,
    pub references: Vec<Reference>,
    pub classified_by: Option<ClassifiedBy>,
    pub summary: Option<String>,
    pub comment: Option<String>,
    pub paragraphs: Vec<Paragraph>,
    pub signature: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Byte spans of the single-valued fields into the original text, by field name.
    pub spans: BTreeMap<String, Span>,
    /// The cables whose REF list cites this one, oldest first (those the reader may see).
    pub cited_by: Vec<Neighbour>,
    /// The portions withheld from the reader: empty when they see the whole cable.
    pub withheld: Vec<WithheldPortion>,
    /// The release recorded by hand, when there is one.
    #[schema(nullable = false)]
    pub release: Option<cable_archive::Release>,
}

/// A portion of a cable withheld from the reader: its text is left out (a paragraph's `text`
/// is empty, a withheld subject null) and this note stands in for it.
#[derive(ToSchema)]
pub struct WithheldPortion {
    /// `subject`, `paragraph` or `text` (the body of a cable without paragraphs).
    pub portion: String,
    /// The paragraph number as written, for a paragraph.
    pub number: Option<String>,
    /// The portion's marking (`S//NF`).
    pub marking: String,
    /// The exemption a release cited when it withheld the portion.
    pub exemption: Option<String>,
    /// The note shown in its place: `paragraph 3 withheld (S)`.
    #[schema(example = "paragraph 3 withheld (S)")]
    pub note: String,
}

/// Where a cable was read from.
#[derive(ToSchema)]
pub struct CableSource {
    /// Where the cable was read from: shown to the archive's owner only, never over HTTP.
    #[schema(nullable = false)]
    pub path: Option<String>,
    /// 1-based record number in a row-based container.
    #[schema(nullable = false)]
    pub row: Option<u64>,
    /// Byte offset of the record in its file.
    #[schema(nullable = false)]
    pub offset: Option<u64>,
    /// `text`, `cablegate-html`, `cables-csv`, `plusd`, `generated`.
    pub container: String,
}

/// The ACP-127 transmission heading (format lines FL1–FL5).
#[derive(ToSchema)]
pub struct Transmission {
    pub id: Option<String>,
    pub routing_precedence: Option<String>,
    pub routing: Vec<String>,
    pub station: Option<String>,
    pub serial: Option<String>,
    pub section: Option<u32>,
    pub filed: Option<String>,
    pub security: Option<String>,
}

/// A TO or INFO addressee.
#[derive(ToSchema)]
pub struct Addressee {
    /// Routing indicator (`RUEHBK`).
    pub ri: Option<String>,
    /// Plain-language address (`AMEMBASSY BANGKOK`).
    pub name: String,
    pub precedence: Option<String>,
    pub mcn: Option<String>,
    pub station: Option<String>,
}

/// Section `n` of `of`.
#[derive(ToSchema)]
pub struct Section {
    pub n: u32,
    pub of: u32,
}

/// The E.O. (declassification) line.
#[derive(ToSchema)]
pub struct ExecutiveOrder {
    pub order: Option<String>,
    /// YYYY-MM-DD.
    pub declassify_on: Option<String>,
    /// A declassification code instead of a date (`X1`, `OADR`, `25X1`).
    pub code: Option<String>,
    pub text: String,
}

/// A TAGS code.
#[derive(ToSchema)]
pub struct Tag {
    pub code: String,
    pub kind: TagKind,
    pub meaning: Option<String>,
}

/// What kind of code a tag is.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum TagKind {
    Subject,
    Program,
    Geographic,
    Organization,
    Person,
    Unknown,
}

/// One entry of the REF list.
#[derive(ToSchema)]
pub struct Reference {
    pub letter: Option<String>,
    /// The cited cable's canonical id; null when the reference is not a cable.
    pub id: Option<String>,
    /// The reference as written.
    pub text: String,
    /// Whether the archive holds the cited cable; null when the reference is not a cable.
    pub in_archive: Option<bool>,
}

/// The "Classified by" line.
#[derive(ToSchema)]
pub struct ClassifiedBy {
    pub text: String,
    /// Reasons in the form `1.4(b)`.
    pub reasons: Vec<String>,
}

/// A paragraph of the body.
#[derive(ToSchema)]
pub struct Paragraph {
    pub number: Option<String>,
    /// Portion marking in short form (`U`, `SBU`, `C`, `S//NF`).
    pub marking: Option<String>,
    /// An unnumbered section heading before the paragraph.
    #[schema(nullable = false)]
    pub heading: Option<String>,
    /// Empty when the paragraph is withheld from the reader.
    pub text: String,
    pub span: Span,
    /// The note standing in for a paragraph withheld from the reader.
    #[schema(nullable = false)]
    pub withheld: Option<String>,
}

/// A problem the parser noticed.
#[derive(ToSchema)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case code (`no-dtg`).
    pub code: String,
    pub message: String,
    /// 1-based line and column (in characters) in the original text.
    pub line: usize,
    pub column: usize,
    pub span: Span,
}

/// How bad a diagnostic is.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A byte range `[start, end)` into the original text.
#[derive(ToSchema)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}
