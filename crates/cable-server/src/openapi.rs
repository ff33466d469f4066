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

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, Type};

use crate::api_schema::{ErrorBody, ErrorObject, ErrorPosition, WithheldPortion};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "cables",
        description = "The JSON API of a cables archive: search US diplomatic cables with the \
            cables query language (QUERY.md), read them parsed or as their original text, follow \
            their citations, count them over time and export every match.\n\nEvery failure \
            answers with a 4xx or 5xx status and the body `{\"error\": {\"code\", \"message\", ...}}`: \
            `bad-query` (400, with the `position` of the mistake in the query), `bad-request` (400, \
            a malformed or out-of-range parameter), `unauthorized` (401, a token that is wrong, \
            removed or replaced), `not-found` (404), `method-not-allowed` (405), `too-large` (413, \
            a request body over the limit; 431, request headers over 32 KiB), `too-many-failures` (429, after repeated failed \
            tokens from one address; see `Retry-After`), `timeout` (503), `unavailable` (503) \
            and `internal` (500, our failure).\n\nAccess: a controlled archive answers each \
            request as its reader may see it. Send `Authorization: Bearer TOKEN` (the token \
            `cables user add` printed) to read as that reader; without it a request reads as the \
            public (UNCLASSIFIED portions only). Hidden portions are withheld (see `withheld` on \
            a cable), and a cable the reader may see nothing of answers 404 like a cable the \
            archive does not hold. An open archive answers everyone with everything."
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
    components(schemas(ErrorBody, ErrorObject, ErrorPosition, WithheldPortion)),
    modifiers(&Access),
    tags(
        (name = "search", description = "Queries over the archive: hits with facets, timelines, exports"),
        (name = "cables", description = "One cable: parsed, original text, versions, citations"),
        (name = "archive", description = "The archive as a whole"),
    )
)]
struct ApiDoc;

/// The access part of the document: the bearer token and session cookie schemes (both
/// optional: no credential reads as the public), and the 401 and 429 answers of every operation.
struct Access;

impl utoipa::Modify for Access {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A reader's API token (64 hex digits), as `cables user add` printed it.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The web UI's session, set by signing in at /login.",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
        let error = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build()
        };
        let integer = || ObjectBuilder::new().schema_type(Type::Integer).build();
        let string = || ObjectBuilder::new().schema_type(Type::String).build();
        let unauthorized = ResponseBuilder::new()
            .description(
                "The token or session is not valid: wrong, removed or replaced \
                 (`unauthorized`); no answer falls back to the public's view",
            )
            .content("application/json", error())
            .header(
                "www-authenticate",
                HeaderBuilder::new()
                    .schema(Some(string()))
                    .description(Some("`Bearer realm=\"cables\", error=\"invalid_token\"`"))
                    .build(),
            )
            .build();
        let too_many = ResponseBuilder::new()
            .description(
                "Too many failed tokens from this address (`too-many-failures`): every \
                 request with a credential is refused until the window has passed",
            )
            .content("application/json", error())
            .header(
                "retry-after",
                HeaderBuilder::new()
                    .schema(Some(integer()))
                    .description(Some("Seconds to wait"))
                    .build(),
            )
            .build();
        for item in doc.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                let r = &mut op.responses.responses;
                r.insert("401".into(), unauthorized.clone().into());
                r.insert("429".into(), too_many.clone().into());
            }
        }
    }
}

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
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        assert!(doc["paths"]["/api/search"]["get"]["responses"]["401"].is_object());
    }
}
