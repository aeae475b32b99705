//! Who is asking, and may they: the session cookie, same-origin checks on writes, and which
//! pages need a log-in. Role checks live with each page and server function.

use std::net::SocketAddr;
use std::sync::Arc;

use app::auth::api::guard::ClientIp;
use app::auth::{service, session};
use app::state::{AppState, Authenticated};
use axum::extract::{ConnectInfo, Request, State};
use app::error::AppError;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::Edge;

/// The pages' Content-Security-Policy. Scripts come from Doorstep itself, and an inline one
/// runs only if it carries the page's nonce (a Leptos page: its hydration loader and data) or
/// is the capture form's own script, named by its hash; no other inline script runs. The WASM
/// front end needs 'wasm-unsafe-eval' to compile; styles may still be inline (the pages'
/// style attributes). Form targets are not restricted: browsers check them along every
/// redirect, and a form may lead on to wa.me (a template) or the agency's own site (a capture
/// form's thank-you page).
fn page_policy(scripts: &str, frames: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {scripts} 'wasm-unsafe-eval'; \
        style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
        object-src 'none'; base-uri 'self'; frame-ancestors {frames}"
    )
}

/// Which sites may show an answer in a frame (a `frame-ancestors` source list). A capture
/// form's pages carry it, following the form's setting; every other page may not be framed.
#[derive(Clone, Debug)]
pub struct FrameAncestors(pub String);

/// Security headers on every answer that does not set its own: no type sniffing, referrers
/// only to Doorstep itself in full (none from secret addresses), and on pages the policy
/// above. Pages may not be framed, except where the answer names the sites that may frame it
/// (capture forms, which agencies embed in their own sites).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    // A share link or calendar address is a credential: it never leaves as a referrer.
    let secret_address = path.starts_with("/p/") || path.starts_with("/ics/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.entry(header::X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    let referrers = if secret_address { "no-referrer" } else { "strict-origin-when-cross-origin" };
    headers.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static(referrers));
    let nonce = headers.remove(app::SCRIPT_NONCE_HEADER).and_then(|v| v.to_str().ok().map(str::to_owned));
    if is_page(headers) && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let scripts = match nonce {
            Some(nonce) => format!("'nonce-{nonce}'"),
            None => super::capture::SCRIPT_HASH.clone(),
        };
        // Sites that do not make a valid header value are no sites: the page is not framed.
        let framed = response
            .extensions()
            .get::<FrameAncestors>()
            .and_then(|f| HeaderValue::from_str(&page_policy(&scripts, &f.0)).ok());
        let headers = response.headers_mut();
        match framed {
            Some(policy) => {
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            None => {
                let policy = HeaderValue::from_str(&page_policy(&scripts, "'none'")).expect("a nonce and a hash are header text");
                headers.insert(header::CONTENT_SECURITY_POLICY, policy);
                headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            }
        }
    }
    response
}

/// Whether an answer is an HTML page (the answers that carry the page policy and are never
/// cached).
pub fn is_page(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"))
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Records the address the request came from (through the installation's trusted proxies),
/// for throttling, rate limits, sessions and the request's log lines.
pub async fn record_client_ip(State(edge): State<Arc<Edge>>, mut request: Request, next: Next) -> Response {
    let ip = match request.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(info) => edge.trusted_proxies.client(info.0.ip(), request.headers()).to_string(),
        None => "unknown".into(),
    };
    tracing::Span::current().record("client", ip.as_str());
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// When a valid session cookie came along, records the user.
pub async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let cookies = request.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    let token = session::cookie_value(cookies).and_then(|value| session::verify(&state.cookie_secret, value));
    if let Some(token) = token {
        let token_hash = session::token_hash(&token);
        match service::session_user(&state.db, state.sessions, &token_hash).await {
            Ok(Some(user)) => {
                request.extensions_mut().insert(Authenticated { user, token_hash });
            }
            Ok(None) => {}
            Err(err) => return unavailable(&request, err),
        }
    }
    next.run(request).await
}

/// What a request is told when the database or disk fails before its handler runs: the API's
/// JSON error, or for a person a page that says so, in their browser's language (who they are
/// is not known yet), and reloads itself a little later.
fn unavailable(request: &Request, err: AppError) -> Response {
    let err = match err {
        outage @ (AppError::Outage(_) | AppError::Unavailable(_)) => outage,
        _ => AppError::Outage(app::error::Outage::DatabaseAway),
    };
    if request.uri().path().starts_with("/api/") {
        return err.into_response();
    }
    let language = browser_language(request);
    let body = format!(
        "<h1>{}</h1><p>{}</p><p>{}</p>",
        html_escape::encode_text(&language.t("error-unavailable-heading")),
        html_escape::encode_text(&err.in_language(&language)),
        html_escape::encode_text(&language.t("error-unavailable-retrying")),
    );
    let title = format!("{} · Doorstep", language.t("error-unavailable-title"));
    let mut response = super::capture::page(StatusCode::SERVICE_UNAVAILABLE, &language, &title, &body);
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(app::error::RETRY_AFTER_SECONDS));
    headers.insert(HeaderName::from_static("refresh"), HeaderValue::from(app::error::RETRY_AFTER_SECONDS));
    response
}

/// The first of the browser's languages Doorstep speaks (Accept-Language), else English.
fn browser_language(request: &Request) -> app::language::Language {
    let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    app::language::Language::negotiate(accept).unwrap_or_default()
}

/// Refuses state-changing requests that another site started (CSRF), using what browsers send
/// with every such request. `Sec-Fetch-Site` is the browser's own word and is believed when
/// sent (so a proxy that rewrites Host changes nothing); without it, `Origin` must be the
/// installation's public URL or name the Host asked for. With SameSite=Lax cookies this closes
/// both the classic and the log-in CSRF.
pub async fn same_origin_writes(State(edge): State<Arc<Edge>>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let refused = match fetch_site {
        Some("same-origin") => false,
        Some("cross-site" | "same-site") => true,
        // "none" (the user's own action) or an older browser: judged by Origin.
        _ => !origin_is_ours(headers, edge.public_origin.as_deref()),
    };
    if refused {
        tracing::warn!(?fetch_site, "refused a cross-site write");
        return (StatusCode::FORBIDDEN, "This request came from another site and was refused.").into_response();
    }
    next.run(request).await
}

/// Whether a write's `Origin` is Doorstep's own: the public URL's origin, or the host the
/// request was sent to. A request without `Origin` is not a browser's cross-site one.
fn origin_is_ours(headers: &axum::http::HeaderMap, public_origin: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else { return true };
    let origin = origin.to_str().unwrap_or("null");
    if public_origin.is_some_and(|ours| ours.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
    headers.get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(|host| !host.is_empty() && host.eq_ignore_ascii_case(origin_host))
}

/// Requests that are not pages: server functions (which check access themselves), probes and
/// the built front end.
fn is_not_a_page(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/p/") || path.starts_with("/media/") || path == "/healthz" || path == "/readyz" || path == "/events" || is_asset(path)
}

/// Paths that anyone may open; every other page needs a log-in.
fn is_public(path: &str) -> bool {
    path == "/login" || is_not_a_page(path)
}

fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Sends every page to the set-up page until the first administrator exists (after which the
/// set-up page is gone), and pages that need a log-in to the log-in page.
pub async fn page_access(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    if is_not_a_page(&path) {
        return next.run(request).await;
    }
    if !state.is_set_up() {
        match service::user_count(&state.db).await {
            Ok(0) if path == "/setup" => return next.run(request).await,
            Ok(0) => return Redirect::to("/setup").into_response(),
            Ok(_) => state.mark_set_up(),
            Err(_) => return (StatusCode::SERVICE_UNAVAILABLE, browser_language(&request).t(app::error::DATABASE_AWAY)).into_response(),
        }
    }
    let logged_in = request.extensions().get::<Authenticated>().is_some();
    if path == "/setup" {
        return Redirect::to(if logged_in { "/" } else { "/login" }).into_response();
    }
    if path == "/login" && logged_in {
        return Redirect::to("/").into_response();
    }
    if !logged_in && !is_public(&path) {
        let wanted = request.uri().path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
        let target = if wanted == "/" { "/login".to_owned() } else { format!("/login?next={}", encode(wanted)) };
        return Redirect::to(&target).into_response();
    }
    next.run(request).await
}

/// Percent-encodes a path for use as a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_and_login_are_public_pages_are_not() {
        assert!(is_public("/login"));
        assert!(is_public("/pkg/doorstep.wasm"));
        assert!(is_public("/favicon.svg"));
        assert!(!is_public("/"));
        assert!(!is_public("/admin/users"));
    }

    #[test]
    fn next_paths_are_encoded() {
        assert_eq!(encode("/admin/users?x=1&y=2"), "/admin/users%3Fx%3D1%26y%3D2");
    }
}
