//! The OpenAPI 3 document of the JSON API, generated from the code with utoipa and served at
//! `/api/openapi.json`.
//!
//! Each handler describes itself with `#[utoipa::path]` (parameters from the `IntoParams`
//! structs it extracts, responses from the types it returns); the schemas come from the
//! response types' `ToSchema` derives (the archive's behind its `openapi` feature, the rest in
//! `api_schema.rs`). The `/api` page is rendered from this same document.

use std::sync::OnceLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa::OpenApi;

use crate::api_schema::{ErrorBody, ErrorObject, ErrorPosition};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cables",
        description = "The JSON API of a cables archive: search US diplomatic cables with the \
            cables query language (QUERY.md), read them parsed or as their original text, follow \
            their citations, count them over time and export every match.\n\nEvery failure \
            answers with a 4xx or 5xx status and the body `{\"error\": {\"code\", \"message\", ...}}`: \
            `bad-query` (400, with the `position` of the mistake in the query), `bad-request` (400, \
            a malformed or out-of-range parameter), `not-found` (404), `method-not-allowed` (405), \
            `too-large` (413, a request body over the limit), `timeout` (503), `unavailable` (503) \
            and `internal` (500, our failure)."
    ),
    paths(
        crate::api::search,
        crate::api_export::export,
        crate::api::timeline,
        crate::api::cable,
        crate::api::raw,
        crate::api::versions,
        crate::api::graph,
        crate::api::stats,
    ),
    components(schemas(ErrorBody, ErrorObject, ErrorPosition)),
    tags(
        (name = "search", description = "Queries over the archive: hits with facets, timelines, exports"),
        (name = "cables", description = "One cable: parsed, original text, versions, citations"),
        (name = "archive", description = "The archive as a whole"),
    )
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// The document as JSON text, rendered once.
fn document_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        serde_json::to_string_pretty(document()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document does not serialise");
            String::from("{}")
        })
    })
}

/// `GET /api/openapi.json`.
pub(crate) async fn document_json() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], document_text())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_is_documented() {
        let doc = serde_json::to_value(super::document()).expect("document serialises");
        for path in [
            "/api/search",
            "/api/export",
            "/api/timeline",
            "/api/stats",
            "/api/cables/{id}",
            "/api/cables/{id}/raw",
            "/api/cables/{id}/versions",
            "/api/cables/{id}/graph",
        ] {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{path} is documented"
            );
        }
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    }
}
