//! The JSON API under `/api`. Every response is JSON (the raw text endpoint aside), every
//! failure the [`ApiError`] shape. The routes are described in the OpenAPI document
//! (`openapi.rs`).

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::{ApiError, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/cables/{id}", get(cable))
        .route("/api/stats", get(stats))
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such page")
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn search(
    State(state): State<AppState>,
    Query(p): Query<SearchParams>,
) -> Result<Json<cable_archive::SearchResults>, ApiError> {
    let query = cable_query::parse(&p.q)?;
    let opts = cable_archive::SearchOptions {
        limit: p.limit.unwrap_or(20).min(1000),
        offset: p.offset.unwrap_or(0),
        ..Default::default()
    };
    let results = state
        .run(move |a| a.search(&query, &opts).map_err(ApiError::from))
        .await?;
    Ok(Json(results))
}

async fn cable(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = id.trim().to_uppercase();
    let rec = state
        .run(move |a| {
            a.get(&id)?
                .ok_or_else(|| ApiError::not_found(format!("no cable {id} in the archive")))
        })
        .await?;
    Ok(Json(rec.cable))
}

async fn stats(State(state): State<AppState>) -> Result<Json<cable_archive::Stats>, ApiError> {
    Ok(Json(state.run(|a| Ok(a.stats()?)).await?))
}
