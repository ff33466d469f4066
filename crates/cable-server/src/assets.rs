//! Static assets (CSS, a little JavaScript), embedded in the binary: no CDN, no other host.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
