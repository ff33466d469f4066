//! One error shape for every failure: `{"error": {"code", "message", ...}}` with a 4xx status
//! for the caller's mistakes and 5xx only for ours. The limits (body size, time, concurrency,
//! panics) answer in the same shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use cable_archive::{ArchiveError, UserError};
use serde_json::{json, Value};

use crate::ServerOptions;

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// A stable machine-readable code: `bad-query`, `not-found`, `too-large`, `timeout`, ...
    pub code: &'static str,
    pub message: String,
    /// More fields for the error object (a query error's `position`, ...).
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let (Some(Value::Object(extra)), Value::Object(e)) = (&self.details, &mut error) {
            for (k, v) in extra {
                e.insert(k.clone(), v.clone());
            }
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

impl From<ArchiveError> for ApiError {
    fn from(e: ArchiveError) -> ApiError {
        match e {
            ArchiveError::User(UserError::UnknownId { .. }) => ApiError::not_found(e.to_string()),
            ArchiveError::User(UserError::UnknownVersion { .. }) => {
                ApiError::not_found(e.to_string())
            }
            ArchiveError::User(UserError::NotSearchable { .. }) => {
                ApiError::bad_request("bad-query", e.to_string())
            }
            ArchiveError::User(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            ),
            ArchiveError::Internal(_) => {
                // The details are ours to read in the log, not the caller's.
                tracing::error!(error = %e, "archive error");
                ApiError::internal("the archive failed to answer; see the server log")
            }
        }
    }
}

impl From<cable_query::QueryError> for ApiError {
    fn from(e: cable_query::QueryError) -> ApiError {
        let details = json!({
            "kind": e.kind,
            "position": {"start": e.span.start, "end": e.span.end},
            "suggestion": e.suggestion,
        });
        ApiError::bad_request("bad-query", e.to_string()).with_details(details)
    }
}

/// Wrap the application in the server's limits: request body size (413), header size (431),
/// time (503), concurrency (requests wait), and panics (500), each answering with the JSON
/// error shape.
pub fn with_limits(app: Router, opts: &ServerOptions) -> Router {
    use tower_http::catch_panic::CatchPanicLayer;
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;

    let panic = |_: Box<dyn std::any::Any + Send + 'static>| {
        tracing::error!("a handler panicked");
        ApiError::internal("the server failed on this request").into_response()
    };
    app.layer(RequestBodyLimitLayer::new(opts.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            opts.request_timeout,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(
            opts.max_concurrency,
        ))
        .layer(CatchPanicLayer::custom(panic))
        .layer(axum::middleware::from_fn_with_state(
            opts.max_body_bytes,
            json_errors,
        ))
        .layer(axum::middleware::from_fn(header_limit))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// The most bytes of request headers (names, values and their separators) a request may
/// carry. Browsers send a few kilobytes; hyper alone would pass hundreds.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuse a request whose headers are larger than [`MAX_HEADER_BYTES`] with 431 (`too-large`),
/// before any handler reads them.
async fn header_limit(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if size > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too-large",
            format!("the request headers are {size} bytes; the limit is {MAX_HEADER_BYTES}"),
        )
        .into_response();
    }
    next.run(req).await
}

/// Give the error answers that do not come from our handlers (the body limit's 413, the
/// timeout's 503, the router's 405, a 404 without a page) the JSON error shape. Answers that
/// are already JSON, and HTML error pages, pass unchanged.
async fn json_errors(
    axum::extract::State(max_body): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};

    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return resp;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "too-large",
            format!("the request body is larger than the limit of {max_body} bytes"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = resp
                .headers()
                .get(ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            ApiError::new(
                status,
                "method-not-allowed",
                format!("method {method} is not allowed here (allowed: {allow})"),
            )
        }
        StatusCode::NOT_FOUND => ApiError::not_found("no such page"),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long; narrow the query or try again",
        ),
        s if s.is_client_error() => ApiError::new(
            s,
            "bad-request",
            s.canonical_reason().unwrap_or("bad request"),
        ),
        s => ApiError::new(
            s,
            "internal",
            s.canonical_reason().unwrap_or("the server failed"),
        ),
    };
    let (mut parts, _) = resp.into_parts();
    let json = error.into_response();
    parts.status = json.status();
    parts.headers.remove(CONTENT_LENGTH);
    for (k, v) in json.headers() {
        parts.headers.insert(k.clone(), v.clone());
    }
    Response::from_parts(parts, json.into_body())
}
