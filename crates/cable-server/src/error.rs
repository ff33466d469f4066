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

/// Wrap the application in the server's limits: request body size (413), time (503),
/// concurrency (requests wait), and panics (500), each answering with the JSON error shape.
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
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
