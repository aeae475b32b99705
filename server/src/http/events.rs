//! `GET /events`: the logged-in user's notifications as server-sent events, so new leads
//! appear without a reload.

use std::convert::Infallible;

use app::state::{AppState, Authenticated};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tokio::sync::broadcast::error::RecvError;

pub async fn events(State(state): State<AppState>, auth: Option<Extension<Authenticated>>) -> Response {
    let Some(Extension(auth)) = auth else {
        return (StatusCode::UNAUTHORIZED, "Log in to receive notifications.").into_response();
    };
    let user_id = auth.user.id;
    let receiver = state.notifier.subscribe();
    let stopping = state.notifier.stopping();
    let stream = futures::stream::unfold((receiver, stopping), move |(mut receiver, mut stopping)| async move {
        loop {
            let received = tokio::select! {
                received = receiver.recv() => received,
                _ = stopping.wait_for(|stop| *stop) => return None,
            };
            let event = match received {
                Ok(notice) if notice.user_id == user_id => {
                    Event::default().data(serde_json::to_string(&notice).unwrap_or_else(|_| "{}".into()))
                }
                Ok(_) => continue,
                // Too far behind to replay: an empty event makes the page reload its lists.
                Err(RecvError::Lagged(_)) => Event::default().data("{}"),
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok::<_, Infallible>(event), (receiver, stopping)));
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}
