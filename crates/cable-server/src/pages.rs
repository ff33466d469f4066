//! The HTML pages: `/` (search form), `/search`, `/cables/{id}`, `/stats`, `/login` and
//! `/logout` (the sign-in of a controlled archive, in `pages_login.rs`), and the HTML 404 for
//! every other path outside `/api`. Every page reads the archive through the request's
//! [`Reader`] and shows who is signed in. Server-rendered with askama (templates in `templates/`,
//! every value escaped: no template marks cable text safe), readable without JavaScript, with
//! no request to any other host.
//!
//! Handlers gather what a page shows on the blocking pool ([`AppState::run`]); `pages_view.rs`
//! turns it into plain values (highlight segments, facet links, chart bars) for the templates.

#[path = "pages_login.rs"]
mod login;
#[path = "pages_view.rs"]
pub(crate) mod view;

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::MethodRouter;
use cable_archive::{
    Archive, ArchiveError, Graph, Interval, LedgerEntry, Neighbour, SearchOptions, SearchResults,
    Sort, Stats, UserError, View,
};
use cable_format::tables;
use serde::Deserialize;

use crate::api_schema::MAX_OFFSET;
use crate::auth::AuthView;
use crate::{route, ApiError, AppState, Reader, RouteSpec};
use view::{Chart, QueryErrorView, Seg, SortParam};

/// Hits on a results page.
const PAGE: usize = 20;
/// Values listed per facet.
const FACET_VALUES: usize = 12;

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        route("GET", "/", index),
        route("GET", "/search", search),
        route("GET", "/cables/{id}", cable),
        route("GET", "/stats", stats),
        route("GET", "/login", login::form),
        route("POST", "/login", login::submit),
        route("POST", "/logout", login::logout),
    ]
}

// ---------------------------------------------------------------------------------------------
// Rendering and errors

fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Server error</title><p>The page failed to render."),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    q: String,
    auth: AuthView,
    status: u16,
    message: String,
    query_error: Option<QueryErrorView>,
}

/// A page that could not be shown, as an HTML page with its status.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    title: String,
    message: String,
    q: String,
    query_error: Option<QueryErrorView>,
}

impl PageError {
    fn new(status: StatusCode, title: &str, message: impl Into<String>) -> PageError {
        PageError {
            status,
            title: title.to_string(),
            message: message.into(),
            q: String::new(),
            query_error: None,
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> PageError {
        PageError::new(StatusCode::NOT_FOUND, "Not found", message)
    }

    fn bad_query(q: &str, message: impl Into<String>) -> PageError {
        let mut e = PageError::new(StatusCode::BAD_REQUEST, "Malformed query", message);
        e.q = q.to_string();
        e
    }

    fn archive(e: ArchiveError) -> PageError {
        match e {
            ArchiveError::User(UserError::NotSearchable { .. } | UserError::UnknownId { .. }) => {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    "Query cannot be run",
                    e.to_string(),
                )
            }
            ArchiveError::User(UserError::UnknownVersion { .. }) => {
                PageError::not_found(e.to_string())
            }
            ArchiveError::User(_) => PageError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Archive unavailable",
                e.to_string(),
            ),
            ArchiveError::Internal(_) => {
                tracing::error!(error = %e, "archive error");
                PageError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Server error",
                    "The archive failed to answer; see the server log.",
                )
            }
        }
    }

    fn with_q(mut self, q: &str) -> PageError {
        self.q = q.to_string();
        self
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        PageError::new(e.status, "Server error", e.message)
    }
}

/// An HTML error page (the header shows no reader: it may be the reader that failed).
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    PageError::new(status, title, message).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        render(
            self.status,
            &ErrorPage {
                title: self.title,
                q: self.q,
                auth: AuthView::default(),
                status: self.status.as_u16(),
                message: self.message,
                query_error: self.query_error,
            },
        )
    }
}

/// Read the archive as `reader` on the blocking pool (audited as `page`, `detail`); an archive
/// error becomes an error page.
async fn read<T, F>(state: &AppState, reader: &Reader, detail: &str, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Archive, &View) -> cable_archive::Result<T> + Send + 'static,
{
    state
        .read(reader, "page", detail, move |a, v| Ok(f(a, v)))
        .await?
        .map_err(PageError::archive)
}

/// Everything no route claims: an HTML 404 (a JSON one under `/api`).
pub(crate) async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::not_found("no such page").into_response();
    }
    PageError::not_found(format!("There is no page at {path}.")).into_response()
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// A cable at the other end of a link: citing, cited, an example.
struct CableLink {
    id: String,
    href: String,
    day: String,
    subject: String,
    classification: String,
    level: &'static str,
}

impl CableLink {
    fn of(n: &Neighbour) -> CableLink {
        CableLink {
            id: n.id.clone(),
            href: cable_href(&n.id),
            day: view::day(n.date.as_deref()),
            subject: n.subject.clone().unwrap_or_default(),
            classification: n.classification.clone().unwrap_or_default(),
            level: view::level_class(n.classification.as_deref()),
        }
    }
}

fn cable_href(id: &str) -> String {
    format!("/cables/{}", view::enc(id))
}

fn tag_meaning(code: &str) -> String {
    tables::tag(code)
        .map(|t| t.meaning.to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// `/`

struct Example {
    query: &'static str,
    href: String,
    meaning: &'static str,
}

const EXAMPLES: [(&str, &str); 17] = [
    ("iran sanctions", "both words, anywhere in the cable"),
    ("\"nuclear program\"", "a phrase"),
    ("iran OR iraq", "either word"),
    ("iran -iraq", "iran but not iraq (also NOT iraq)"),
    ("negotiat*", "words beginning with negotiat"),
    ("id:09STATE12345", "one cable"),
    ("tag:PREL", "a TAGS code"),
    ("from:ISLAMABAD", "the origin station"),
    ("to:\"SECSTATE WASHDC\"", "an addressee"),
    (
        "class>=SECRET",
        "SECRET and above (also class:C, class:[C TO S])",
    ),
    ("caveat:NOFORN", "a caveat"),
    ("date:2009", "a year (or 2009-08, 2009-08-04)"),
    ("date:[2009-01-01 TO 2009-06-30]", "a range of days"),
    ("subject:\"six party talks\"", "words in the SUBJECT line"),
    ("cites:09STATE12345", "cables whose REF list cites it"),
    ("cited-by:09STATE12345", "the cables it cites"),
    (
        "has:refs",
        "cables with a REF list (also has:summary, has:comment)",
    ),
];

struct LevelCount {
    name: String,
    count: u64,
    level: &'static str,
    href: String,
    pct: f64,
}

fn level_counts(by_classification: &BTreeMap<String, u64>) -> Vec<LevelCount> {
    let total: u64 = by_classification.values().sum();
    let mut rows: Vec<LevelCount> = by_classification
        .iter()
        .map(|(name, n)| LevelCount {
            name: name.clone(),
            count: *n,
            level: view::level_class(Some(name)),
            href: view::search_href(&view::field_term("class", name), 0, SortParam::Relevance),
            pct: if total == 0 {
                0.0
            } else {
                (*n as f64 * 1000.0 / total as f64).round() / 10.0
            },
        })
        .collect();
    rows.sort_by_key(|r| view::level_order(&r.name));
    rows
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    title: String,
    q: String,
    auth: AuthView,
    stats: Stats,
    levels: Vec<LevelCount>,
    years: String,
    examples: Vec<Example>,
}

async fn index(State(state): State<AppState>, reader: Reader) -> Result<Response, PageError> {
    let stats = read(&state, &reader, "/", |a, v| a.stats(v)).await?;
    let years = match (
        stats.by_year.keys().next(),
        stats.by_year.keys().next_back(),
    ) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let page = IndexPage {
        title: "Search the cables".into(),
        q: String::new(),
        auth: reader.auth,
        levels: level_counts(&stats.by_classification),
        stats,
        years,
        examples: EXAMPLES
            .iter()
            .map(|(query, meaning)| Example {
                query,
                href: view::search_href(query, 0, SortParam::Relevance),
                meaning,
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// `/search`

#[derive(Debug, Deserialize)]
struct SearchParams {
    q: Option<String>,
    offset: Option<String>,
    sort: Option<String>,
}

struct TagView {
    code: String,
    meaning: String,
}

struct HitView {
    id: String,
    href: String,
    day: String,
    classification: String,
    level: &'static str,
    origin: String,
    subject: String,
    tags: Vec<TagView>,
    segs: Vec<Seg>,
}

struct FacetValue {
    label: String,
    meaning: String,
    count: u64,
    href: String,
}

struct FacetGroup {
    title: &'static str,
    values: Vec<FacetValue>,
    /// Values not listed.
    more: usize,
}

struct SortLink {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    q: String,
    auth: AuthView,
    sort: &'static str,
    total: u64,
    first: usize,
    last: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetGroup>,
    chart: Option<Chart>,
    prev: Option<String>,
    next: Option<String>,
    sorts: Vec<SortLink>,
    export_csv: String,
    export_jsonl: String,
    first_page: String,
}

fn facet_groups(
    q: &str,
    top_or: bool,
    sort: SortParam,
    facets: &BTreeMap<String, BTreeMap<String, u64>>,
) -> Vec<FacetGroup> {
    let order = [
        ("classification", "Classification"),
        ("caveat", "Caveat"),
        ("tag", "Tag"),
        ("origin", "Origin"),
        ("year", "Year"),
        ("precedence", "Precedence"),
    ];
    order
        .iter()
        .filter_map(|(name, title)| {
            let values = facets.get(*name)?;
            if values.is_empty() {
                return None;
            }
            let mut list: Vec<(&String, u64)> = values.iter().map(|(k, n)| (k, *n)).collect();
            match *name {
                "classification" => list.sort_by_key(|(k, _)| view::level_order(k)),
                "year" => list.sort_by(|a, b| b.0.cmp(a.0)),
                _ => list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0))),
            }
            let more = list.len().saturating_sub(FACET_VALUES);
            let field = view::facet_field(name);
            let values = list
                .into_iter()
                .take(FACET_VALUES)
                .map(|(value, count)| FacetValue {
                    label: value.clone(),
                    meaning: if *name == "tag" {
                        tag_meaning(value)
                    } else {
                        String::new()
                    },
                    count,
                    href: view::search_href(
                        &view::refine(q, top_or, &view::field_term(field, value)),
                        0,
                        sort,
                    ),
                })
                .collect();
            Some(FacetGroup {
                title,
                values,
                more,
            })
        })
        .collect()
}

async fn search(
    State(state): State<AppState>,
    reader: Reader,
    uri: Uri,
    Query(p): Query<SearchParams>,
) -> Result<Response, PageError> {
    if let Err(e) = crate::api::check_query_string(uri.query()) {
        return Err(PageError::new(
            StatusCode::BAD_REQUEST,
            "Malformed address",
            e.message,
        ));
    }
    let q = p.q.unwrap_or_default();
    let query = match cable_query::parse(&q) {
        Ok(query) => query,
        Err(e) => {
            let mut err = PageError::bad_query(&q, e.to_string());
            err.query_error = Some(QueryErrorView::new(&q, &e));
            return Err(err);
        }
    };
    let offset = match p.offset.as_deref().map(str::trim) {
        None | Some("") => 0,
        // Capped as the API caps it: the search allocates for `offset + PAGE` hits, so an
        // enormous offset would exhaust memory (and abort the server) instead of failing.
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|&n| n <= MAX_OFFSET)
            .ok_or_else(|| {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    "Bad offset",
                    format!("offset must be a whole number from 0 to {MAX_OFFSET}, not {s:?}"),
                )
                .with_q(&q)
            })?,
    };
    let sort = SortParam::parse(p.sort.as_deref()).ok_or_else(|| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Bad sort",
            "sort must be relevance, date or -date",
        )
        .with_q(&q)
    })?;
    let top_or = matches!(query, cable_query::Query::Or(_));
    let opts = SearchOptions {
        limit: PAGE,
        offset,
        sort: match sort {
            SortParam::Relevance => Sort::Relevance,
            SortParam::Date => Sort::DateAsc,
            SortParam::DateDesc => Sort::DateDesc,
        },
    };
    type Found = (SearchResults, Vec<(String, u64)>, bool);
    let (results, buckets, months): Found = read(&state, &reader, &q, move |a, v| {
        let results = a.search(&query, &opts, v)?;
        // The year histogram is the search's own year facet (same matches, same view): no
        // second pass over the matches. Months need one, for a span of three years at most.
        let years: Vec<(String, u64)> = results
            .facets
            .get("year")
            .map(|m| m.iter().map(|(y, n)| (y.clone(), *n)).collect())
            .unwrap_or_default();
        let span = match (years.first(), years.last()) {
            (Some(f), Some(l)) => {
                l.0.parse::<i64>().unwrap_or(0) - f.0.parse::<i64>().unwrap_or(0) + 1
            }
            _ => 0,
        };
        if span > 0 && span <= 3 {
            Ok((results, a.timeline(&query, Interval::Month, v)?, true))
        } else {
            Ok((results, years, false))
        }
    })
    .await
    .map_err(|e| e.with_q(&q))?;

    let buckets = view::fill_gaps(&buckets, months);
    let chart = (!buckets.is_empty()).then(|| {
        view::chart(&buckets, months, |label| {
            view::search_href(
                &view::refine(&q, top_or, &view::field_term("date", label)),
                0,
                sort,
            )
        })
    });
    let hits = results
        .hits
        .iter()
        .map(|h| HitView {
            id: h.id.clone(),
            href: cable_href(&h.id),
            day: view::day(h.date.as_deref()),
            classification: h.classification.clone().unwrap_or_default(),
            level: view::level_class(h.classification.as_deref()),
            origin: h
                .origin
                .clone()
                .or_else(|| h.from.clone())
                .unwrap_or_default(),
            subject: h.subject.clone().unwrap_or_default(),
            tags: h
                .tags
                .iter()
                .map(|t| TagView {
                    code: t.clone(),
                    meaning: tag_meaning(t),
                })
                .collect(),
            segs: view::highlight(&h.snippet, &h.highlights),
        })
        .collect::<Vec<_>>();
    let total = results.total;
    let first = if hits.is_empty() { 0 } else { offset + 1 };
    let last = offset + hits.len();
    let prev = (offset > 0).then(|| view::search_href(&q, offset.saturating_sub(PAGE), sort));
    let next =
        ((offset + PAGE) < total as usize).then(|| view::search_href(&q, offset + PAGE, sort));
    let page = SearchPage {
        title: if q.trim().is_empty() {
            "All cables".to_string()
        } else {
            format!("Search: {q}")
        },
        facets: facet_groups(&q, top_or, sort, &results.facets),
        sorts: SortParam::ALL
            .iter()
            .map(|s| SortLink {
                label: s.label(),
                href: view::search_href(&q, 0, *s),
                current: *s == sort,
            })
            .collect(),
        export_csv: format!("/api/export?q={}&format=csv", view::enc(&q)),
        export_jsonl: format!("/api/export?q={}&format=jsonl", view::enc(&q)),
        first_page: view::search_href(&q, 0, sort),
        sort: sort.name(),
        auth: reader.auth,
        q,
        total,
        first,
        last,
        hits,
        chart,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// `/cables/{id}`

/// The parts of the Cable JSON (the parse contract) the cable page shows.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Doc {
    precedence: Option<String>,
    date: Option<String>,
    date_source: Option<String>,
    from: Option<String>,
    origin: Option<String>,
    to: Vec<Addressee>,
    info: Vec<Addressee>,
    xmt: Vec<String>,
    classification: Option<String>,
    banner: Option<String>,
    caveats: Vec<String>,
    captions: Vec<String>,
    section: Option<SectionNo>,
    eo: Option<Eo>,
    tags: Vec<DocTag>,
    subject: Option<String>,
    subject_marking: Option<String>,
    classified_by: Option<ClassifiedBy>,
    summary: Option<String>,
    comment: Option<String>,
    paragraphs: Vec<Paragraph>,
    signature: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    transmission: Transmission,
    /// The portions the reader may not see (the archive's redaction).
    withheld: Vec<WithheldNote>,
    release: Option<ReleaseDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WithheldNote {
    portion: String,
    marking: Option<String>,
    note: String,
}

/// A release recorded by hand.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReleaseDoc {
    level: String,
    withheld: Vec<ReleaseWithheld>,
    by: String,
    at: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReleaseWithheld {
    paragraph: String,
    exemption: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Addressee {
    ri: Option<String>,
    name: String,
    precedence: Option<String>,
    station: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SectionNo {
    n: u32,
    of: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Eo {
    order: Option<String>,
    declassify_on: Option<String>,
    code: Option<String>,
    text: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DocTag {
    code: String,
    meaning: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClassifiedBy {
    text: String,
    reasons: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Paragraph {
    number: Option<String>,
    marking: Option<String>,
    heading: Option<String>,
    text: String,
    /// The note standing in for a paragraph the reader may not see.
    withheld: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Diagnostic {
    severity: String,
    code: String,
    message: String,
    line: usize,
    column: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Transmission {
    id: Option<String>,
    station: Option<String>,
    serial: Option<String>,
    filed: Option<String>,
    routing: Vec<String>,
}

/// One value of a heading row: text, a note in smaller type, a link.
struct Item {
    text: String,
    note: String,
    href: String,
}

impl Item {
    fn text(text: impl Into<String>) -> Item {
        Item {
            text: text.into(),
            note: String::new(),
            href: String::new(),
        }
    }

    fn note(mut self, note: impl Into<String>) -> Item {
        self.note = note.into();
        self
    }
}

/// A row of the decoded heading: a label and its values.
struct Row {
    label: &'static str,
    items: Vec<Item>,
}

struct ParagraphView {
    number: String,
    marking: String,
    marking_level: &'static str,
    heading: String,
    text: String,
    /// `paragraph 3 withheld (S)`, for a paragraph the reader may not see.
    withheld: String,
}

/// A release as the cable page shows it.
struct ReleaseView {
    level: String,
    by: String,
    at: String,
    /// `paragraph 2 (exemption B1)`.
    withheld: Vec<String>,
}

struct CiteView {
    letter: String,
    text: String,
    id: String,
    href: String,
    in_archive: bool,
    /// Date and subject of a cited cable the archive holds.
    about: String,
}

struct VersionView {
    hash: String,
    source: String,
    parser_version: String,
    partial: bool,
    current: bool,
}

struct DiagnosticView {
    severity: String,
    code: String,
    message: String,
    at: String,
}

#[derive(Template)]
#[template(path = "cable.html")]
struct CablePage {
    title: String,
    q: String,
    auth: AuthView,
    id: String,
    banner: String,
    level: &'static str,
    subject: String,
    subject_marking: String,
    /// `subject withheld (S)` when the reader may not see the subject.
    subject_withheld: String,
    /// Notes for hidden portions other than the subject and paragraphs (a body without
    /// paragraphs).
    other_withheld: Vec<String>,
    release: Option<ReleaseView>,
    rows: Vec<Row>,
    summary: String,
    comment: String,
    paragraphs: Vec<ParagraphView>,
    signature: Vec<String>,
    cites: Vec<CiteView>,
    cited_by: Vec<CableLink>,
    cited_by_href: String,
    versions: Vec<VersionView>,
    raw_href: String,
    diagnostics: Vec<DiagnosticView>,
    raw: String,
}

#[derive(Template)]
#[template(path = "placeholder.html")]
struct PlaceholderPage {
    title: String,
    q: String,
    auth: AuthView,
    id: String,
    cited_by: Vec<CableLink>,
    cited_by_href: String,
}

fn addressee_items(list: &[Addressee]) -> Vec<Item> {
    list.iter()
        .map(|a| {
            let mut notes = Vec::new();
            if let Some(st) = a.station.as_deref().filter(|st| !a.name.contains(*st)) {
                notes.push(format!("station {st}"));
            }
            if let Some(ri) = a.ri.as_deref() {
                match tables::routing_indicator(ri) {
                    Some(name) if name != a.name => notes.push(format!("RI {ri}: {name}")),
                    _ => notes.push(format!("RI {ri}")),
                }
            }
            if let Some(p) = a.precedence.as_deref() {
                notes.push(p.to_string());
            }
            Item::text(a.name.clone()).note(notes.join(" · "))
        })
        .collect()
}

fn heading_rows(id: &str, d: &Doc) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut push = |label, items: Vec<Item>| {
        if !items.is_empty() {
            rows.push(Row { label, items });
        }
    };
    push("Id", vec![Item::text(id)]);
    if let Some(date) = d.date.as_deref() {
        let note = match d.date_source.as_deref() {
            Some("dtg") | None => String::new(),
            Some(src) => format!("date from: {src}"),
        };
        push(
            "Date",
            vec![Item::text(view::datetime_utc(date)).note(note)],
        );
    }
    if let Some(p) = d.precedence.as_deref() {
        push("Precedence", vec![Item::text(p)]);
    }
    let mut from = Vec::new();
    if let Some(f) = d.from.as_deref() {
        let mut item = Item::text(f);
        if let Some(o) = d.origin.as_deref().filter(|o| !f.contains(*o)) {
            item = item.note(format!("station {o}"));
        }
        from.push(item);
    } else if let Some(o) = d.origin.as_deref() {
        from.push(Item::text(o).note("station"));
    }
    push("From", from);
    push("To", addressee_items(&d.to));
    push("Info", addressee_items(&d.info));
    push("XMT", d.xmt.iter().map(Item::text).collect());
    if let Some(c) = d.classification.as_deref() {
        push("Classification", vec![Item::text(c)]);
    }
    push("Captions", d.captions.iter().map(Item::text).collect());
    push("Caveats", d.caveats.iter().map(Item::text).collect());
    if let Some(s) = &d.section {
        push("Section", vec![Item::text(format!("{} of {}", s.n, s.of))]);
    }
    push(
        "Tags",
        d.tags
            .iter()
            .map(|t| {
                let meaning = t.meaning.clone().unwrap_or_else(|| tag_meaning(&t.code));
                Item {
                    text: t.code.clone(),
                    note: meaning,
                    href: view::search_href(
                        &view::field_term("tag", &t.code),
                        0,
                        SortParam::Relevance,
                    ),
                }
            })
            .collect(),
    );
    if let Some(eo) = &d.eo {
        let mut notes = Vec::new();
        if let Some(o) = eo.order.as_deref() {
            notes.push(format!("E.O. {o}"));
        }
        if let Some(on) = eo.declassify_on.as_deref() {
            notes.push(format!("declassify on {on}"));
        }
        if let Some(code) = eo.code.as_deref() {
            notes.push(format!("code {code}"));
        }
        push(
            "E.O.",
            vec![Item::text(eo.text.clone()).note(notes.join(" · "))],
        );
    }
    if let Some(cb) = &d.classified_by {
        let reasons: Vec<String> = cb
            .reasons
            .iter()
            .map(|r| {
                let code = r
                    .trim_start_matches("1.4")
                    .trim_matches(|c| c == '(' || c == ')');
                match tables::eo_reason(code) {
                    Some(m) => format!("{r}: {m}"),
                    None => r.clone(),
                }
            })
            .collect();
        push(
            "Classified by",
            vec![Item::text(cb.text.clone()).note(reasons.join("; "))],
        );
    }
    let t = &d.transmission;
    let mut tx = Vec::new();
    if let Some(tid) = t.id.as_deref() {
        tx.push(Item::text(tid).note("transmission id"));
    }
    if let (Some(st), Some(serial)) = (t.station.as_deref(), t.serial.as_deref()) {
        tx.push(Item::text(format!("DE {st} #{serial}")));
    }
    if let Some(filed) = t.filed.as_deref() {
        tx.push(Item::text(filed).note("filed"));
    }
    if !t.routing.is_empty() {
        tx.push(Item::text(t.routing.join(" ")).note("routing"));
    }
    push("Transmission", tx);
    rows
}

fn version_views(ledger: Option<LedgerEntry>, current_hash: &str) -> Vec<VersionView> {
    ledger
        .map(|l| l.versions)
        .unwrap_or_default()
        .into_iter()
        .map(|v| {
            // The path is the owner's only: a reader sees the container and row.
            let s = &v.source;
            let mut parts = Vec::new();
            if let Some(path) = s["path"].as_str() {
                parts.push(path.to_string());
            }
            if let Some(row) = s["row"].as_u64() {
                parts.push(format!("row {row}"));
            }
            if let Some(c) = s["container"].as_str() {
                parts.push(format!("({c})"));
            }
            let source = if parts.is_empty() {
                "-".to_string()
            } else {
                parts.join(" ")
            };
            VersionView {
                hash: v.hash.chars().take(12).collect(),
                current: v.hash == current_hash,
                source,
                parser_version: v.parser_version,
                partial: v.partial,
            }
        })
        .collect()
}

type CableData = (
    Option<cable_archive::CableRecord>,
    Option<Graph>,
    Option<LedgerEntry>,
);

async fn cable(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = id.trim().to_uppercase();
    let lookup = id.clone();
    let (rec, graph, ledger): CableData = read(&state, &reader, &id, move |a, v| {
        let rec = a.get(&lookup, v)?;
        let graph = a.graph(&lookup, v)?;
        let ledger = match rec {
            Some(_) => a.ledger(&lookup, v)?,
            None => None,
        };
        Ok((rec, graph, ledger))
    })
    .await?;
    let cited_by_href = view::search_href(&view::field_term("cites", &id), 0, SortParam::Date);
    let Some(rec) = rec else {
        return match graph {
            Some(g) if !g.in_archive => Ok(render(
                StatusCode::NOT_FOUND,
                &PlaceholderPage {
                    title: format!("{id}: not in the archive"),
                    q: String::new(),
                    auth: reader.auth,
                    cited_by: g.cited_by.iter().map(CableLink::of).collect(),
                    cited_by_href,
                    id,
                },
            )),
            _ => Err(PageError::not_found(format!(
                "The archive holds no cable {id}, and no cable in it cites {id}."
            ))),
        };
    };
    let doc: Doc = serde_json::from_value(rec.cable.clone()).unwrap_or_default();
    let (cites, cited_by) = graph.map(|g| (g.cites, g.cited_by)).unwrap_or_default();
    let banner = doc
        .banner
        .clone()
        .or_else(|| doc.classification.clone())
        .unwrap_or_else(|| "CLASSIFICATION UNKNOWN".to_string());
    let level = view::level_class(doc.banner.as_deref().or(doc.classification.as_deref()));
    let subject_withheld = doc
        .withheld
        .iter()
        .find(|w| w.portion == "subject")
        .map(|w| match w.marking.as_deref() {
            Some(m) if !m.is_empty() => format!("subject withheld ({m})"),
            _ => "subject withheld".to_string(),
        })
        .unwrap_or_default();
    let other_withheld = doc
        .withheld
        .iter()
        .filter(|w| w.portion != "subject" && w.portion != "paragraph")
        .map(|w| w.note.clone())
        .collect();
    let release = doc.release.as_ref().map(|r| ReleaseView {
        level: r.level.clone(),
        by: r.by.clone(),
        at: r.at.clone(),
        withheld: r
            .withheld
            .iter()
            .map(|w| format!("paragraph {} (exemption {})", w.paragraph, w.exemption))
            .collect(),
    });
    let page = CablePage {
        title: match doc.subject.as_deref() {
            Some(s) => format!("{id}: {s}"),
            None => id.clone(),
        },
        q: String::new(),
        auth: reader.auth,
        subject_withheld,
        other_withheld,
        release,
        rows: heading_rows(&id, &doc),
        banner,
        level,
        subject: doc.subject.clone().unwrap_or_default(),
        subject_marking: doc.subject_marking.clone().unwrap_or_default(),
        summary: doc.summary.clone().unwrap_or_default(),
        comment: doc.comment.clone().unwrap_or_default(),
        paragraphs: doc
            .paragraphs
            .iter()
            .map(|p| ParagraphView {
                number: p.number.clone().unwrap_or_default(),
                marking: p.marking.clone().unwrap_or_default(),
                marking_level: view::marking_class(p.marking.as_deref().unwrap_or_default()),
                heading: p.heading.clone().unwrap_or_default(),
                text: p.text.clone(),
                withheld: p.withheld.clone().unwrap_or_default(),
            })
            .collect(),
        signature: doc.signature.clone(),
        cites: cites
            .iter()
            .map(|c| CiteView {
                letter: c.letter.clone().unwrap_or_default(),
                text: c.text.clone(),
                id: c.id.clone().unwrap_or_default(),
                href: match (&c.id, c.in_archive) {
                    (Some(cid), true) => cable_href(cid),
                    _ => String::new(),
                },
                in_archive: c.in_archive,
                about: c
                    .cable
                    .as_ref()
                    .map(|n| {
                        format!(
                            "{} {}",
                            view::day(n.date.as_deref()),
                            n.subject.as_deref().unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        cited_by: cited_by.iter().map(CableLink::of).collect(),
        cited_by_href,
        versions: version_views(ledger, &rec.hash),
        raw_href: format!("/api/cables/{}/raw", view::enc(&id)),
        diagnostics: doc
            .diagnostics
            .iter()
            .map(|d| DiagnosticView {
                severity: d.severity.clone(),
                code: d.code.clone(),
                message: d.message.clone(),
                at: format!("line {}, column {}", d.line, d.column),
            })
            .collect(),
        raw: rec.original,
        id,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// `/stats`

struct DiagRow {
    code: String,
    count: u64,
    examples: Vec<CableLink>,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    title: String,
    q: String,
    auth: AuthView,
    stats: Stats,
    levels: Vec<LevelCount>,
    chart: Option<Chart>,
    diagnostics: Vec<DiagRow>,
}

async fn stats(State(state): State<AppState>, reader: Reader) -> Result<Response, PageError> {
    let (stats, examples) = read(&state, &reader, "/stats", |a, v| {
        let stats = a.stats(v)?;
        let mut examples = BTreeMap::new();
        for code in stats.diagnostics.keys() {
            examples.insert(code.clone(), a.with_diagnostic(code, 3, v)?);
        }
        Ok((stats, examples))
    })
    .await?;
    let years: Vec<(String, u64)> = stats.by_year.iter().map(|(y, n)| (y.clone(), *n)).collect();
    let years = view::fill_gaps(&years, false);
    let chart = (!years.is_empty()).then(|| {
        view::chart(&years, false, |y| {
            view::search_href(&view::field_term("date", y), 0, SortParam::Relevance)
        })
    });
    let mut diagnostics: Vec<DiagRow> = stats
        .diagnostics
        .iter()
        .map(|(code, n)| DiagRow {
            code: code.clone(),
            count: *n,
            examples: examples
                .get(code)
                .map(|v| v.iter().map(CableLink::of).collect())
                .unwrap_or_default(),
        })
        .collect();
    diagnostics.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    let page = StatsPage {
        title: "The archive at a glance".into(),
        q: String::new(),
        auth: reader.auth,
        levels: level_counts(&stats.by_classification),
        stats,
        chart,
        diagnostics,
    };
    Ok(render(StatusCode::OK, &page))
}
