//! The HTML pages: `/` (search form), `/search`, `/cables/{id}`, `/stats`, `/api` (API docs).
//! Server-rendered with askama (templates in `templates/`, every value escaped), readable without
//! JavaScript.

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(|| async { "cables" }))
}
