//! The HTTP stack: health checks, the Leptos pages and server functions, and the layers every
//! request passes through (request id, tracing, same-origin writes, session, page access).

// The edge's own parts: who is asking, from where, and how requests are read and answered.
mod access;
pub mod assets;
mod extract;
mod form_body;
mod health;
pub mod metrics;
pub mod proxies;
mod upload;
mod webapp;

// One module per capability of `app`, under the same name, each with its `routes()`.
mod agency;
pub mod api;
pub mod capture;
mod deals;
mod imports;
mod media;
mod notifications;
mod plans;
mod presentations;
mod properties;
mod reminders;
mod reports;
mod whatsapp;

use app::state::AppState;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::handler::Handler;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::LatencyUnit;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What the HTTP edge is told about where it runs.
#[derive(Clone, Debug, Default)]
pub struct Edge {
    /// Submissions one address may make to one capture form per window.
    pub capture_limit: capture::CaptureLimit,
    /// The reverse proxies whose `X-Forwarded-For` / `Forwarded` are believed.
    pub trusted_proxies: proxies::TrustedProxies,
    /// The origin people use (`https://crm.agency.com`), when the installation names one.
    pub public_origin: Option<String>,
    /// Where the database file, media and secrets are written: `/readyz` says when it is full.
    pub data_dir: std::path::PathBuf,
}

/// A capability's routes, by how their callers prove who they are. The layers that do the
/// proving are put on in one place, [`router`].
#[derive(Default)]
pub struct Routes {
    /// Pages' form posts, uploads and downloads: behind the session and same-origin layers.
    pub session: Router<AppState>,
    /// `/api/v1`, each route with its description in the OpenAPI document: authenticated by
    /// API key, JSON bodies up to [`api::BODY_LIMIT`].
    pub api: utoipa_axum::router::OpenApiRouter<AppState>,
    /// Public, or authenticated by what the request carries (a secret in the address, a
    /// signature), with their own limits.
    pub public: Router<AppState>,
}

pub fn router(state: AppState, edge: Edge) -> Router {
    let edge = Arc::new(edge);
    let routes = generate_route_list(app::AppRoutes);
    let options = state.leptos_options.clone();
    let front = Arc::new(assets::FrontEnd::read(&options));
    let not_found = leptos_axum::file_and_error_handler::<AppState, _>(app::shell).with_state(state.clone());
    let capabilities = [
        agency::routes(),
        api::routes(),
        capture::routes(&state, edge.capture_limit),
        deals::routes(),
        imports::routes(),
        media::routes(),
        notifications::routes(),
        plans::routes(),
        presentations::routes(),
        properties::routes(),
        reminders::routes(),
        reports::routes(),
        whatsapp::routes(),
    ];
    let (mut session, mut api, mut public) = (Router::new(), utoipa_axum::router::OpenApiRouter::default(), Router::new());
    for part in capabilities {
        session = session.merge(part.session);
        api = api.merge(part.api);
        public = public.merge(part.public);
    }
    let app = session
        .route("/healthz", get(health::healthz))
        .route("/readyz", get({
            let data_dir = edge.data_dir.clone();
            move |state| health::readyz(state, data_dir)
        }))
        .leptos_routes(&state, routes, move || app::shell(options.clone()))
        .fallback_service(assets::files(&front, not_found))
        .layer(from_fn_with_state(state.clone(), access::page_access))
        .layer(from_fn_with_state(state.clone(), access::load_session))
        .layer(from_fn_with_state(edge.clone(), access::same_origin_writes))
        .with_state(state.clone());
    let api = Router::new().nest("/api/v1", api::assemble(api)).layer(DefaultBodyLimit::max(api::BODY_LIMIT)).with_state(state.clone());
    let public = public.with_state(state.clone());
    // The installable app: fetched by browsers without cookies.
    let webapp = Router::new()
        .route("/manifest.webmanifest", get(webapp::manifest))
        .route("/sw.js", get(webapp::service_worker))
        .route("/offline.html", get(webapp::offline))
        .route("/icons/{file}", get(webapp::icon))
        .route("/favicon.ico", get(webapp::favicon))
        .route("/messages/{file}", get(webapp::messages))
        .with_state(webapp::WebApp { app: state.clone(), front: front.clone() });
    // Read by Prometheus with its own token, not a session.
    let operations = Router::new().route("/metrics", get(metrics::metrics)).with_state(state);
    metrics::handle();
    app.merge(public)
        .merge(api)
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
