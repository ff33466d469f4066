//! `cable-server`: the web face of a cables archive — a JSON API described by an OpenAPI
//! document, and server-rendered HTML pages readable without JavaScript — over one
//! [`Archive`], from the same binary (`cables serve`).
//!
//! Only this crate knows HTTP. Archive calls are synchronous and CPU-bound: every handler runs
//! them on tokio's blocking pool ([`AppState::run`]), never on the async workers.
//!
//! Modules: `api` (JSON endpoints, `/api/...`; the export's streaming in `api_export`, the
//! parameter, error and cable schemas in `api_schema`, the `/api` documentation page in
//! `api_docs`), `openapi` (the generated document), `pages`
//! (HTML pages, askama templates in `templates/`), `assets` (CSS and the little JavaScript,
//! embedded), `error` (one JSON error shape for every failure).

mod api;
mod api_docs;
mod api_export;
mod api_schema;
mod assets;
mod error;
mod openapi;
mod pages;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use cable_archive::Archive;

pub use error::ApiError;

/// Limits and address of a server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port (the bound address is reported).
    pub addr: SocketAddr,
    /// A request taking longer is answered 503 with a JSON error.
    pub request_timeout: Duration,
    /// Larger request bodies are refused with 413.
    pub max_body_bytes: usize,
    /// Requests served at once; more wait their turn.
    pub max_concurrency: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
            max_concurrency: 64,
        }
    }
}

/// What every handler shares: the archive.
#[derive(Clone)]
pub struct AppState {
    archive: Arc<Archive>,
}

impl AppState {
    pub fn new(archive: Archive) -> AppState {
        AppState {
            archive: Arc::new(archive),
        }
    }

    /// Run `f` on the archive on the blocking pool; a panic inside becomes a 500, not a lost
    /// connection.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T, ApiError> + Send + 'static,
    {
        let archive = Arc::clone(&self.archive);
        match tokio::task::spawn_blocking(move || f(&archive)).await {
            Ok(result) => result,
            Err(join) => {
                tracing::error!(error = %join, "archive task failed");
                Err(ApiError::internal("the archive task failed"))
            }
        }
    }
}

/// The whole application: API, pages and assets, with the limits of `opts`.
pub fn router(state: AppState, opts: &ServerOptions) -> Router {
    let app = Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .merge(assets::routes())
        .with_state(state);
    error::with_limits(app, opts)
}

/// Serve `archive` until `shutdown` completes, then drain the requests in flight. `on_bound`
/// gets the address actually bound (useful with port 0).
pub async fn serve(
    archive: Archive,
    opts: ServerOptions,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    on_bound(listener.local_addr()?);
    let app = router(AppState::new(archive), &opts);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining requests in flight");
}
