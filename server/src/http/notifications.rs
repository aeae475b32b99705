//! `GET /events`: the logged-in user's notifications, and news of changed deals (event
//! `deal`), as server-sent events: new leads and colleagues' changes appear without a reload.
//! A page opens its stream a moment after it was rendered; it sends that moment as
//! `?rendered=<ms>`, and the stream starts with a `missed` event if anything happened in
//! between, so the page reloads its lists only then.

use std::convert::Infallible;

use app::state::{AppState, Authenticated};
use axum::extract::{Query, State};
use futures::StreamExt;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tokio::sync::broadcast::error::RecvError;

pub fn routes() -> super::Routes {
    super::Routes { session: axum::Router::new().route("/events", axum::routing::get(events)), ..super::Routes::default() }
}

#[derive(serde::Deserialize)]
pub struct Opened {
    /// When the page was rendered, in milliseconds since 1970 (UTC).
    rendered: Option<i64>,
}

pub async fn events(State(state): State<AppState>, auth: Option<Extension<Authenticated>>, Query(opened): Query<Opened>) -> Response {
    let Some(Extension(auth)) = auth else {
        return (StatusCode::UNAUTHORIZED, "Log in to receive notifications.").into_response();
    };
    let user_id = auth.user.id;
    // What changed on a deal is written in this viewer's language, whoever did it.
    let language = app::language::Language::stored(&auth.user.language).unwrap_or_default();
    // Listening first, then asking what came before: nothing falls between the two.
    let receivers = (state.notifier.subscribe(), state.notifier.subscribe_deals());
    let rendered = opened.rendered.and_then(chrono::DateTime::from_timestamp_millis);
    let missed = rendered.map(|at| state.notifier.missed_since(user_id, at)).filter(|m| m.notices || m.deals);
    let first = missed.map(|m| {
        let what = match (m.notices, m.deals) {
            (true, true) => "both",
            (true, false) => "notices",
            _ => "deals",
        };
        Ok::<_, Infallible>(Event::default().event("missed").data(what))
    });
    let stopping = state.notifier.stopping();
    let stream = futures::stream::unfold((receivers, stopping, language), move |((mut notices, mut deals), mut stopping, language)| async move {
        loop {
            let event = tokio::select! {
                received = notices.recv() => match received {
                    Ok(notice) if notice.user_id == user_id => {
                        Event::default().data(serde_json::to_string(&notice).unwrap_or_else(|_| "{}".into()))
                    }
                    Ok(_) => continue,
                    // Too far behind to replay: an empty event makes the page reload its lists.
                    Err(RecvError::Lagged(_)) => Event::default().data("{}"),
                    Err(RecvError::Closed) => return None,
                },
                // Every open page hears of every deal change; it reloads only what it shows,
                // through the server functions that check what its viewer may see.
                received = deals.recv() => match received {
                    Ok(change) => {
                        let event = change.for_reader(&language);
                        Event::default().event("deal").data(serde_json::to_string(&event).unwrap_or_else(|_| "{}".into()))
                    }
                    Err(RecvError::Lagged(_)) => Event::default().event("deal").data("{}"),
                    Err(RecvError::Closed) => return None,
                },
                _ = stopping.wait_for(|stop| *stop) => return None,
            };
            return Some((Ok::<_, Infallible>(event), ((notices, deals), stopping, language)));
        }
    });
    let stream = futures::stream::iter(first).chain(stream);
    // Events must reach the page as they happen: nginx would otherwise buffer the stream.
    ([("x-accel-buffering", "no")], Sse::new(stream).keep_alive(KeepAlive::default())).into_response()
}
