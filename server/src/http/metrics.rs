//! `GET /metrics` in the Prometheus text format: every request's latency by route, and the
//! counters the app keeps (leads captured by outcome, spam blocked, submissions over the rate
//! limit, reminders delivered and how late). Each instance reports its own; Prometheus adds
//! them up.
//!
//! Who may read it: whoever sends `Authorization: Bearer <DOORSTEP_METRICS_TOKEN>`. Without a
//! token configured nobody may: "from this machine" cannot be told apart from "through a
//! proxy on this machine".

use std::sync::OnceLock;
use std::time::Instant;

use app::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

const REQUESTS: &str = "doorstep_http_requests_total";
const DURATION: &str = "doorstep_http_request_duration_seconds";

/// Request latency buckets, in seconds: the 200 ms page target sits between two of them.
const LATENCY_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0];
/// How late a reminder went out, in seconds: the scheduler looks every second.
const LAG_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0];

/// The process's one recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.into()), LATENCY_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(app::metrics::REMINDER_LAG.into()), LAG_BUCKETS))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(app::metrics::PUSH_LAG.into()), LATENCY_BUCKETS))
            .expect("the bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first; /metrics will be empty");
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_counter!(REQUESTS, "HTTP requests answered, by method, route and status.");
    metrics::describe_histogram!(DURATION, metrics::Unit::Seconds, "Time to answer an HTTP request, by method and route.");
    app::metrics::describe();
}

/// Times every request under the route it matched (its pattern, so secrets and ids in
/// addresses never become labels).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Methods outside HTTP's own are one label, so callers cannot invent series.
    let method = match *request.method() {
        Method::GET | Method::HEAD | Method::POST | Method::PUT | Method::PATCH | Method::DELETE | Method::OPTIONS => request.method().as_str(),
        _ => "OTHER",
    }
    .to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| unmatched(request.uri().path()), |m| m.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(DURATION, "method" => method.clone(), "route" => route.clone()).record(started.elapsed().as_secs_f64());
    metrics::counter!(REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// A label for requests no route matched: the front end's files, or anything else.
fn unmatched(path: &str) -> String {
    if path.starts_with("/pkg/") { "/pkg/{file}" } else { "(unmatched)" }.to_owned()
}

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.metrics_token else {
        return (StatusCode::NOT_FOUND, "Metrics are off: set DOORSTEP_METRICS_TOKEN and send it as `Authorization: Bearer <token>`.")
            .into_response();
    };
    // Compared as hashes, so the time taken says nothing about the token.
    let allowed = super::access::bearer(&headers).is_some_and(|given| app::auth::session::token_hash(given) == app::auth::session::token_hash(token));
    if !allowed {
        return (StatusCode::UNAUTHORIZED, "Send the metrics token as `Authorization: Bearer <token>`.").into_response();
    }
    let handle = handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
