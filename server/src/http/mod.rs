//! The HTTP stack: health checks, the Leptos pages and server functions, and the layers every
//! request passes through (request id, tracing, same-origin writes, session, page access).

mod access;
pub mod api_v1;
mod api_v1_follow_ups;
mod api_v1_presentations;
mod api_v1_properties;
pub mod assets;
pub mod capture;
mod chats;
mod data;
mod events;
mod extract;
mod form_body;
mod health;
mod ics;
pub mod metrics;
pub mod proxies;
mod reports;
mod share;
mod upload;
mod webapp;
mod whatsapp;

use app::state::AppState;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::handler::Handler;
use axum::routing::{get, patch, post, put};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::LatencyUnit;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Public capture forms take small bodies; anything larger is refused with 413.
const CAPTURE_BODY_LIMIT: usize = 16 * 1024;

/// What the HTTP edge is told about where it runs.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    /// Submissions one address may make to one capture form per window.
    pub capture_limit: capture::CaptureLimit,
    /// The reverse proxies whose `X-Forwarded-For` / `Forwarded` are believed.
    pub trusted_proxies: proxies::TrustedProxies,
    /// The origin people use (`https://crm.agency.com`), when the installation names one.
    pub public_origin: Option<String>,
}

pub fn router(state: AppState, edge: Edge) -> Router {
    let edge = Arc::new(edge);
    let routes = generate_route_list(app::AppRoutes);
    let options = state.leptos_options.clone();
    let front = Arc::new(assets::FrontEnd::read(&options));
    let not_found = leptos_axum::file_and_error_handler::<AppState, _>(app::shell).with_state(state.clone());
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/events", get(events::events))
        // Public by their unguessable tokens and names; inside the session layer only so a
        // colleague's look is not counted as the client's.
        .route("/p/{token}", get(share::page))
        .route("/p/{token}/presentation.pdf", get(share::pdf))
        .route("/media/{*key}", get(share::media))
        .route("/reports/export/{file}", get(reports::export))
        .route("/data/imports", post(data::upload).layer(DefaultBodyLimit::max(data::BODY_LIMIT)))
        .route("/data/export/{file}", get(data::export))
        .route("/admin/agency/logo", post(share::upload_logo).layer(DefaultBodyLimit::max(share::UPLOAD_LIMIT)))
        .route("/deals/{id}/chats", post(chats::upload).layer(DefaultBodyLimit::max(chats::BODY_LIMIT)))
        .route("/attachments/{id}", get(chats::attachment))
        .route(
            "/properties/{id}/photos",
            post(share::upload_photos).layer(DefaultBodyLimit::max(share::UPLOAD_LIMIT)),
        )
        .leptos_routes(&state, routes, move || app::shell(options.clone()))
        .fallback_service(assets::files(&front, not_found))
        .layer(from_fn_with_state(state.clone(), access::page_access))
        .layer(from_fn_with_state(state.clone(), access::load_session))
        .layer(from_fn_with_state(edge.clone(), access::same_origin_writes))
        .with_state(state.clone());
    // Public forms: no session, and posts from other sites are expected (a form on the
    // agency's own site), so they sit outside the session and same-origin layers.
    // The JSON API authenticates by API key, not by session.
    let api = Router::new()
        .route("/api/v1/leads", post(api_v1::post_lead))
        .route("/api/v1/forms", get(api_v1::list_forms).post(api_v1::create_form))
        .route("/api/v1/forms/{id}", put(api_v1::update_form))
        .route("/api/v1/stages", get(api_v1::list_stages))
        .route("/api/v1/deals", get(api_v1::list_deals))
        .route("/api/v1/deals/{id}", get(api_v1::get_deal).patch(api_v1::patch_deal))
        .route("/api/v1/deals/{id}/activities", post(api_v1::post_activity))
        .route("/api/v1/reminders", get(api_v1_follow_ups::list_reminders).post(api_v1_follow_ups::create_reminder))
        .route("/api/v1/reminders/{id}", patch(api_v1_follow_ups::change_reminder))
        .route("/api/v1/plans", get(api_v1_follow_ups::list_plans))
        .route("/api/v1/deals/{id}/plans", post(api_v1_follow_ups::start_plan))
        .route("/api/v1/properties", get(api_v1_properties::list).post(api_v1_properties::create))
        .route("/api/v1/properties/{id}", get(api_v1_properties::get).put(api_v1_properties::update))
        .route("/api/v1/properties/{id}/matches", get(api_v1_properties::deals_for_property))
        .route("/api/v1/deals/{id}/matches", get(api_v1_properties::listings_for_deal))
        .route(
            "/api/v1/properties/{id}/photos",
            get(api_v1_presentations::list_photos)
                .post(api_v1_presentations::upload_photos)
                .layer(DefaultBodyLimit::max(share::UPLOAD_LIMIT)),
        )
        .route("/api/v1/presentations", post(api_v1_presentations::create))
        .route("/api/v1/presentations/{id}", axum::routing::delete(api_v1_presentations::revoke))
        .route("/api/v1/reports/{name}", get(reports::api))
        .route("/api/v1/openapi.json", get(api_v1::openapi))
        // The calendar feed authenticates by the secret in its address.
        .route("/ics/{file}", get(ics::feed))
        .layer(DefaultBodyLimit::max(api_v1::BODY_LIMIT))
        .with_state(state.clone());
    // Meta's webhook: each body is authenticated by its signature under the app secret.
    let webhooks = Router::new()
        .route("/webhooks/whatsapp", get(whatsapp::verify).post(whatsapp::receive))
        .layer(DefaultBodyLimit::max(whatsapp::BODY_LIMIT))
        .with_state(state.clone());
    // The installable app: fetched by browsers without cookies.
    let webapp = Router::new()
        .route("/manifest.webmanifest", get(webapp::manifest))
        .route("/sw.js", get(webapp::service_worker))
        .route("/offline.html", get(webapp::offline))
        .route("/icons/{file}", get(webapp::icon))
        .route("/favicon.ico", get(webapp::favicon))
        .with_state(webapp::WebApp { app: state.clone(), front: front.clone() });
    // Read by Prometheus with its own token, not a session.
    let operations = Router::new().route("/metrics", get(metrics::metrics)).with_state(state.clone());
    let limiter = Arc::new(capture::RateLimiter::new(edge.capture_limit, &state.db));
    let capture_state = capture::CaptureState { app: state, limiter };
    let public = Router::new()
        .route("/f/{slug}", get(capture::show).post(capture::submit))
        .route("/f/{slug}/thanks", get(capture::thanks))
        .layer(DefaultBodyLimit::max(CAPTURE_BODY_LIMIT))
        .with_state(capture_state);
    metrics::handle();
    app.merge(public)
        .merge(api)
        .merge(webhooks)
        .merge(operations)
        .merge(webapp)
        .layer(from_fn_with_state(front, assets::cache_policy))
        .layer(assets::compression())
        .layer(from_fn(metrics::track))
        .layer(from_fn(access::security_headers))
        .layer(from_fn_with_state(edge, access::record_client_ip))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            // A calendar address and a share link are credentials: keep them out of the logs.
            let path = request.uri().path();
            let path = if path.starts_with("/ics/") {
                "/ics/(secret).ics"
            } else if path.starts_with("/p/") {
                "/p/(secret)"
            } else {
                path
            };
            tracing::info_span!("request", id = %id, method = %request.method(), path = %path, client = tracing::field::Empty)
        })
        // One line per answered request, with its status and how long it took.
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Millis)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
}

/// 64 random bits per request: enough to find one request's lines among a day's logs. An id
/// sent by a proxy in front is kept.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id = format!("{:016x}", rand::random::<u64>());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}
