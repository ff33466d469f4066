//! `cable-server`: the web face of a cables archive — a JSON API described by an OpenAPI
//! document, and server-rendered HTML pages readable without JavaScript — over one
//! [`Archive`], from the same binary (`cables serve`).
//!
//! Only this crate knows HTTP. Archive calls are synchronous and CPU-bound: every handler runs
//! them on tokio's blocking pool ([`AppState::read`]), never on the async workers.
//!
//! Every read goes through the reader's view: a handler reaches the archive only through
//! [`AppState::read`], which takes the request's [`Reader`] (its `View`, from its credentials and
//! the access mode; see `auth`) and records the read in the audit log. The router is built from
//! one table ([`route_table`]), which the leak test walks.
//!
//! Modules: `api` (JSON endpoints, `/api/...`; the export's streaming in `api_export`, the
//! parameter, error and cable schemas in `api_schema`, the `/api` documentation page in
//! `api_docs`), `auth` (credentials, sessions, the failure limit), `openapi` (the generated
//! document), `pages` (HTML pages, askama templates in `templates/`; sign-in in
//! `pages_login`), `assets` (CSS and the little JavaScript, embedded), `error` (one JSON error
//! shape for every failure).

mod api;
mod api_docs;
mod api_export;
mod api_schema;
mod assets;
pub mod auth;
mod error;
mod openapi;
mod pages;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::handler::Handler;
use axum::routing::{any, on, MethodFilter, MethodRouter};
use axum::Router;
use cable_archive::{AccessMode, Archive, View};

pub use auth::Reader;
pub use error::ApiError;
/// Percent-encode a query-string component as the pages' own links do (RFC 3986 unreserved
/// characters stay).
pub use pages::view::enc as encode_query_component;

/// Limits, address and access policy of a server.
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
    /// `Open`: every request sees everything; `Controlled`: each reader sees what their
    /// clearance allows, a request without credentials what the public may see.
    pub access: AccessMode,
    /// The day every view is computed on (automatic declassification); today when `None`.
    pub as_of: Option<jiff::civil::Date>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 64 * 1024,
            max_concurrency: 64,
            access: AccessMode::Open,
            as_of: None,
        }
    }
}

/// What every handler shares: the archive and the access state.
#[derive(Clone)]
pub struct AppState {
    archive: Arc<Archive>,
    access: Arc<auth::Access>,
    /// Archive reads running at once: two a core. Archive work is CPU-bound: more at once
    /// only share the cores and their caches (eight at once on two cores gave a p99 of
    /// 110-390 ms), one a core leaves a core idle while a request's answer is written out
    /// (9% fewer searches a second); the others wait here, not as threads (BENCHMARKS.md).
    working: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a server over `archive` with the access policy of `opts` (the readers are
    /// read from the archive's data directory).
    pub fn new(archive: Archive, opts: &ServerOptions) -> cable_archive::Result<AppState> {
        let access = auth::Access::new(archive.dir(), opts.access, opts.as_of)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // Two a core; see `working`.
        Ok(AppState {
            archive: Arc::new(archive),
            access: Arc::new(access),
            working: Arc::new(tokio::sync::Semaphore::new(cores * 2)),
        })
    }

    /// Read the archive as `reader`: the read is recorded in the audit log (`what`, `detail`),
    /// then `f` runs with the reader's view on the blocking pool; a panic inside becomes a 500,
    /// not a lost connection. The only way a handler reaches the archive.
    pub async fn read<T, F>(
        &self,
        reader: &Reader,
        what: &'static str,
        detail: &str,
        f: F,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Archive, &View) -> Result<T, ApiError> + Send + 'static,
    {
        let archive = Arc::clone(&self.archive);
        let view = reader.view.clone();
        let from = reader.from.clone();
        let detail = detail.to_string();
        // A request that waits too long is answered by the request timeout. The permit goes
        // with the work: a request that times out while its search runs keeps its place until
        // the search ends. Acquiring fails only on a closed semaphore, which this one never is.
        let Ok(permit) = Arc::clone(&self.working).acquire_owned().await else {
            return Err(ApiError::internal("the archive's work queue is closed"));
        };
        match tokio::task::spawn_blocking(move || {
            let _permit = permit;
            archive.audit(&view, what, &detail, &from);
            f(&archive, &view)
        })
        .await
        {
            Ok(result) => result,
            Err(join) => {
                tracing::error!(error = %join, "archive task failed");
                Err(ApiError::internal("the archive task failed"))
            }
        }
    }
}

/// One route of the server: a method (`GET`, `POST`, or `ANY`) and a path pattern (axum's:
/// `{id}` a segment, `{*rest}` the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
}

/// A route and its handler.
pub(crate) fn route<H, T>(
    method: &'static str,
    path: &'static str,
    handler: H,
) -> (RouteSpec, MethodRouter<AppState>)
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let router = match method {
        "GET" => on(MethodFilter::GET, handler),
        "POST" => on(MethodFilter::POST, handler),
        _ => any(handler),
    };
    (RouteSpec { method, path }, router)
}

/// Every route with its handler: the one table the router is built from.
fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let mut all = api::routes();
    all.extend(pages::routes());
    all.extend(assets::routes());
    all
}

/// Every route the server answers (besides the HTML 404 for any other path): the table the
/// router is built from, so that tests can visit each one.
pub fn route_table() -> Vec<RouteSpec> {
    routes().into_iter().map(|(spec, _)| spec).collect()
}

/// The whole application: API, pages and assets, with the limits of `opts`.
pub fn router(state: AppState, opts: &ServerOptions) -> Router {
    let mut app = Router::new();
    for (spec, handler) in routes() {
        app = app.route(spec.path, handler);
    }
    let app = app.fallback(pages::fallback).with_state(state);
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
    let state = AppState::new(archive, &opts).map_err(|e| std::io::Error::other(e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    on_bound(listener.local_addr()?);
    // What exact facet counts need from each segment is read in the background; a search that
    // needs a segment's first waits for it rather than reading it again.
    let warm = Arc::clone(&state.archive);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = warm.warm() {
            tracing::warn!(error = %e, "reading the facet maps ahead failed");
        }
    });
    let app = router(state, &opts);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. On Unix the handlers are installed when this is
/// called, not when the future is first polled: a signal that arrives after the caller has
/// announced the server (its URL printed, a first request answered) must stop it cleanly,
/// never kill it with the default action. Call it inside the runtime, before binding.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let signalled = {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        async move {
            tokio::select! {
                _ = int.recv() => {},
                _ = term.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let signalled = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        signalled.await;
        tracing::info!("shutting down: draining requests in flight");
    })
}
