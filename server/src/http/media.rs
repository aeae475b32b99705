//! `/media/{key}`: stored photos (listings' and the agency's logo), public by their random
//! names, as the share page and the PDF link them.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::extract::InWords;
use super::Routes;

pub fn routes() -> Routes {
    // Public by their unguessable names; inside the session layer, as the share page is.
    Routes { session: Router::new().route("/media/{*key}", get(media)), ..Routes::default() }
}

/// Stored photos. Their names are 128 random bits and never reused, so they are cached
/// for good.
pub async fn media(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, InWords> {
    if !app::media::storage::valid_key(&key) {
        return Err(AppError::NotFound.into());
    }
    let bytes = state.media.get(&key).await?.ok_or(AppError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, "image/jpeg"),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}
