//! The JSON API under `/api`. Every response is JSON (the raw text, the export and the
//! documentation page aside), every failure the [`ApiError`] shape. Each handler carries its
//! OpenAPI description (`#[utoipa::path]`), which `openapi.rs` gathers into the document served
//! at `/api/openapi.json` and rendered at `/api`.

use axum::extract::{FromRequestParts, State};
use axum::http::header::{CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Json;
use cable_archive::{ArchiveError, Graph, SearchResults, Stats, UserError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api_schema::{
    CableDocument, ErrorBody, SearchParams, TimelineEntry, TimelineParams, Versions, MAX_LIMIT,
    MAX_OFFSET,
};
use crate::{route, ApiError, AppState, Reader, RouteSpec};

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        route("GET", "/api", crate::api_docs::page),
        route("GET", "/api/", crate::api_docs::page),
        route("GET", "/api/openapi.json", crate::openapi::document_json),
        route("GET", "/api/search", search),
        route("GET", "/api/export", crate::api_export::export),
        route("GET", "/api/timeline", timeline),
        route("GET", "/api/stats", stats),
        route("GET", "/api/cables/{id}", cable),
        route("GET", "/api/cables/{id}/raw", raw),
        route("GET", "/api/cables/{id}/versions", versions),
        route("GET", "/api/cables/{id}/graph", graph),
        // Any other path under /api: a JSON 404 (not the pages' HTML one).
        route("ANY", "/api/{*rest}", not_found),
    ]
}

/// The answer for a cable the archive does not hold or the reader may not see: the same.
pub fn no_cable(id: &str) -> ApiError {
    ApiError::not_found(format!("no cable {id} in the archive"))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such API endpoint; see /api for the list")
}

/// Query parameters, with a JSON 400 (`bad-request`) instead of axum's plain-text rejection.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        check_query_string(parts.uri.query())?;
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::bad_request("bad-request", e.body_text()))
    }
}

/// Refuse a malformed query string (400 `bad-request`): a `%` not followed by two hex digits,
/// or escapes that decode to bytes that are not UTF-8. Lenient decoding would otherwise read a
/// broken escape as text and invalid UTF-8 as U+FFFD, and search for something never sent.
pub fn check_query_string(query: Option<&str>) -> Result<(), ApiError> {
    let Some(bytes) = query.map(str::as_bytes) else {
        return Ok(());
    };
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            decoded.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
            return Err(ApiError::bad_request(
                "bad-request",
                format!(
                    "the query string has a malformed escape at byte {i}: '%' must be followed \
                     by two hex digits (a literal '%' is written %25)"
                ),
            ));
        };
        decoded.push((hi * 16 + lo) as u8);
        i += 3;
    }
    match std::str::from_utf8(&decoded) {
        Ok(_) => Ok(()),
        Err(e) => Err(ApiError::bad_request(
            "bad-request",
            format!(
                "the query string is not UTF-8 once decoded (an invalid byte after {} good ones)",
                e.valid_up_to()
            ),
        )),
    }
}

/// The `{id}` of a cable path, trimmed and upper-cased as the CLI does; a JSON error when the
/// path segment is not valid UTF-8.
pub struct CableId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CableId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(id) => Ok(CableId(id.0.trim().to_uppercase())),
            Err(e) if e.status().is_client_error() => {
                Err(ApiError::bad_request("bad-request", e.body_text()))
            }
            Err(e) => {
                tracing::error!(error = %e.body_text(), "path extraction failed");
                Err(ApiError::internal("the server failed to read the path"))
            }
        }
    }
}

/// Parse a query, answering 400 `bad-query` with its position when malformed.
pub fn parse_query(q: &str) -> Result<cable_query::Query, ApiError> {
    Ok(cable_query::parse(q)?)
}

/// An archive error met while running a query: an unknown id there (`cited-by:ID`) is a
/// mistake in the query (400), not a missing resource (404).
pub fn query_error(e: ArchiveError) -> ApiError {
    match e {
        ArchiveError::User(UserError::UnknownId { .. }) => {
            ApiError::bad_request("bad-query", e.to_string())
        }
        e => ApiError::from(e),
    }
}

/// Search the archive.
///
/// One page of hits, the total and exact facet counts over every matching cable: the JSON of
/// `cables search --json`.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "A page of hits, the total and the facets", body = SearchResults),
        (status = 400, description = "A malformed query (`bad-query`, with its `position`) or bad paging (`bad-request`)", body = ErrorBody),
        (status = 503, description = "The request took too long (`timeout`) or the archive is unavailable", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    reader: Reader,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let limit = p.limit.unwrap_or(20);
    if limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "bad-request",
            format!("limit {limit} is too large: at most {MAX_LIMIT} hits a page"),
        ));
    }
    let offset = p.offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ApiError::bad_request(
            "bad-request",
            format!(
                "offset {offset} is too deep: at most {MAX_OFFSET}; narrow the query or use \
                 /api/export for every match"
            ),
        ));
    }
    let query = parse_query(&p.q)?;
    let opts = cable_archive::SearchOptions {
        limit,
        offset,
        sort: p.sort.into(),
    };
    let results = state
        .read(&reader, "search", &p.q, move |a, v| {
            a.search(&query, &opts, v).map_err(query_error)
        })
        .await?;
    Ok(Json(results))
}

/// A parsed cable.
///
/// The current version's parse (the JSON contract) with `id`, `version` (its hash), `cited_by`
/// and, on each reference, `in_archive`: the JSON of `cables show --json`. An id the archive
/// only knows as cited (a placeholder) is 404 here; `/api/cables/{id}/graph` serves it.
#[utoipa::path(
    get,
    path = "/api/cables/{id}",
    tag = "cables",
    params(("id" = String, Path, description = "The cable's canonical id (case-insensitive)", example = "09PARTO13")),
    responses(
        (status = 200, description = "The parsed cable", body = CableDocument),
        (status = 404, description = "No such cable in the archive (`not-found`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn cable(
    State(state): State<AppState>,
    reader: Reader,
    CableId(id): CableId,
) -> Result<Json<Value>, ApiError> {
    let doc = state
        .read(&reader, "cable", &id.clone(), move |a, v| {
            a.document(&id, v)?.ok_or_else(|| no_cable(&id))
        })
        .await?;
    Ok(Json(doc))
}

/// The original text of a cable.
///
/// The current version's text as decoded from its container, unchanged.
#[utoipa::path(
    get,
    path = "/api/cables/{id}/raw",
    tag = "cables",
    params(("id" = String, Path, description = "The cable's canonical id (case-insensitive)", example = "09PARTO13")),
    responses(
        (status = 200, description = "The original text", body = String, content_type = "text/plain; charset=utf-8"),
        (status = 404, description = "No such cable in the archive (`not-found`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn raw(
    State(state): State<AppState>,
    reader: Reader,
    CableId(id): CableId,
) -> Result<Response, ApiError> {
    let text = state
        .read(&reader, "raw", &id.clone(), move |a, v| {
            a.get(&id, v)?
                .map(|r| r.original)
                .ok_or_else(|| no_cable(&id))
        })
        .await?;
    let mut resp = text.into_response();
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    // Cable text is data, never markup: no browser may sniff it into HTML.
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(resp)
}

/// Every version of a cable.
///
/// The ledger entry: each version the archive has recorded (hash, source, parser version,
/// partial flag, ingest batch), oldest first, and which one is current.
#[utoipa::path(
    get,
    path = "/api/cables/{id}/versions",
    tag = "cables",
    params(("id" = String, Path, description = "The cable's canonical id (case-insensitive)", example = "09PARTO13")),
    responses(
        (status = 200, description = "The versions of the cable", body = Versions),
        (status = 404, description = "No such cable in the archive (`not-found`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn versions(
    State(state): State<AppState>,
    reader: Reader,
    CableId(id): CableId,
) -> Result<Json<Versions>, ApiError> {
    let out = state
        .read(&reader, "versions", &id.clone(), move |a, v| {
            let Some(entry) = a.ledger(&id, v)?.filter(|e| !e.versions.is_empty()) else {
                return Err(no_cable(&id));
            };
            let current = entry.current.min(entry.versions.len() - 1);
            Ok(Versions {
                current_version: entry.versions[current].hash.clone(),
                id,
                current,
                versions: entry.versions,
            })
        })
        .await?;
    Ok(Json(out))
}

/// The citation graph around a cable.
///
/// Its REF list resolved (each cited cable in the archive, or a placeholder with
/// `in_archive: false`) and the cables citing it. An id the archive does not hold but some
/// cable cites is a placeholder: `in_archive: false` with its citing cables.
#[utoipa::path(
    get,
    path = "/api/cables/{id}/graph",
    tag = "cables",
    params(("id" = String, Path, description = "A cable id, held or only cited (case-insensitive)", example = "09PARTO13")),
    responses(
        (status = 200, description = "The cable's citations and citing cables", body = Graph),
        (status = 404, description = "The archive neither holds nor cites the id (`not-found`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn graph(
    State(state): State<AppState>,
    reader: Reader,
    CableId(id): CableId,
) -> Result<Json<Graph>, ApiError> {
    let g = state
        .read(&reader, "graph", &id.clone(), move |a, v| {
            a.graph(&id, v)?.ok_or_else(|| {
                ApiError::not_found(format!(
                    "no cable {id} in the archive, and no cable in it cites {id}"
                ))
            })
        })
        .await?;
    Ok(Json(g))
}

/// Matching cables over time.
///
/// How many cables the query matches in each month or year that has any, oldest first. Cables
/// without a date are not counted.
#[utoipa::path(
    get,
    path = "/api/timeline",
    tag = "search",
    params(TimelineParams),
    responses(
        (status = 200, description = "Counts by period, oldest first", body = Vec<TimelineEntry>),
        (status = 400, description = "A malformed query (`bad-query`) or parameter (`bad-request`)", body = ErrorBody),
        (status = 503, description = "The request took too long (`timeout`)", body = ErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn timeline(
    State(state): State<AppState>,
    reader: Reader,
    ApiQuery(p): ApiQuery<TimelineParams>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let query = parse_query(&p.q)?;
    let interval = match p.interval {
        crate::api_schema::IntervalParam::Month => cable_archive::Interval::Month,
        crate::api_schema::IntervalParam::Year => cable_archive::Interval::Year,
    };
    let buckets = state
        .read(&reader, "timeline", &p.q, move |a, v| {
            a.timeline(&query, interval, v).map_err(query_error)
        })
        .await?;
    Ok(Json(
        buckets
            .into_iter()
            .map(|(period, count)| TimelineEntry { period, count })
            .collect(),
    ))
}

/// Counts over the whole archive.
///
/// Cables and versions, by classification, by year, cables per diagnostic code, and the schema
/// and parser versions: the JSON of `cables stats --json`.
#[utoipa::path(
    get,
    path = "/api/stats",
    tag = "archive",
    responses(
        (status = 200, description = "The archive's counts", body = Stats),
        (status = 500, description = "The server failed (`internal`)", body = ErrorBody),
    )
)]
pub(crate) async fn stats(
    State(state): State<AppState>,
    reader: Reader,
) -> Result<Json<Stats>, ApiError> {
    Ok(Json(
        state
            .read(&reader, "stats", "", |a, v| Ok(a.stats(v)?))
            .await?,
    ))
}
