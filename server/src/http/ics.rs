//! `GET /ics/{token}.ics`: a user's follow-ups as a calendar feed. The secret token is the
//! only credential (calendar apps cannot log in); an unknown or revoked one is 404.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub async fn feed(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return (StatusCode::NOT_FOUND, "No such calendar.").into_response();
    };
    match app::reminders::calendar::feed(&state.db, token, &state.base_url(&headers)).await {
        Ok(body) => {
            let mut response = body.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
            response
        }
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "No such calendar: the link is wrong or was replaced.").into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "calendar feed failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The calendar could not be built; try again.").into_response()
        }
    }
}
