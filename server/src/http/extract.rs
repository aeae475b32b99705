//! What handlers take from a request, checked once: an API key of a scope, the deal version
//! of `If-Match`, a JSON body and a query string by the API's rules, and the signed-in
//! session. Each refuses with the `AppError` that says what to fix, so handlers return
//! `Result<_, AppError>` and use `?`.

use app::apikeys::{Scope, service as keys};
use app::auth::{Role, SessionUser};
use app::db::entities::api_key;
use app::error::AppError;
use app::state::{AppState, Authenticated};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// The key an integration sends as `Authorization: Bearer KEY`, whatever its scope (posting
/// leads is what every key may do).
pub struct CaptureKey(pub api_key::Model);

/// A key with the admin scope: everything the API offers.
pub struct AdminKey(pub api_key::Model);

async fn key(state: &AppState, headers: &HeaderMap, needed: Scope) -> Result<api_key::Model, AppError> {
    let bearer = super::access::bearer(headers).ok_or_else(|| AppError::Unauthenticated("Send an API key: Authorization: Bearer KEY.".into()))?;
    let key = keys::authenticate(&state.db, bearer).await.map_err(|err| match err {
        AppError::Unauthorized => AppError::Unauthenticated("This API key is unknown or revoked.".into()),
        other => other,
    })?;
    if needed == Scope::Admin && key.scope != Scope::Admin.as_str() {
        return Err(AppError::OutOfScope("This key may only post leads; this needs an admin key.".into()));
    }
    Ok(key)
}

impl FromRequestParts<AppState> for CaptureKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        key(state, &parts.headers, Scope::Capture).await.map(CaptureKey)
    }
}

impl FromRequestParts<AppState> for AdminKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        key(state, &parts.headers, Scope::Admin).await.map(AdminKey)
    }
}

/// The id in the address (`/deals/{id}`): a 400 that says so when it is not a whole number.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(id)| Id(id))
            .map_err(|_| AppError::BadRequest("The id in the address must be a whole number.".into()))
    }
}

/// The version a change is based on, from `If-Match` (`3`, `"3"` or `W/"3"`): 428 without
/// it, so that nobody overwrites a change they have not seen.
pub struct IfMatch(pub app::deals::Version);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let raw = parts.headers.get(header::IF_MATCH).ok_or_else(|| {
            AppError::VersionRequired("Send If-Match with the deal's version (its ETag), so no one else's change is overwritten.".into())
        })?;
        raw.to_str()
            .ok()
            .and_then(|raw| raw.trim().trim_start_matches("W/").trim_matches('"').parse::<i64>().ok())
            .map(|version| IfMatch(app::deals::Version(version)))
            .ok_or_else(|| AppError::field("If-Match", "Give If-Match as the deal's ETag, like \"3\"."))
    }
}

/// A JSON body: 415 unless sent as `application/json`, 413 over the route's limit, 422 when
/// it is not JSON or not the shape the route takes (unknown fields included). The raw bytes
/// are kept for what must compare requests (idempotent retries).
pub struct Json<T> {
    pub value: T,
    pub bytes: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !content_type.starts_with("application/json") {
            return Err(AppError::UnsupportedType("Send the body as application/json.".into()));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| match rejection.status().as_u16() {
            413 => AppError::TooLarge("The body is too large for this route.".into()),
            _ => AppError::Unreadable(format!("The body could not be read: {}.", rejection.body_text())),
        })?;
        let mut unknown = Vec::new();
        let mut reader = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_ignored::deserialize(&mut reader, |path| unknown.push(path.to_string()))
            .and_then(|value| reader.end().map(|()| value))
            .map_err(|err| {
                AppError::Unreadable(if err.is_syntax() || err.is_eof() {
                    format!("The body is not valid JSON: {err}.")
                } else {
                    format!("The JSON does not match what this route takes: {err}.")
                })
            })?;
        if !unknown.is_empty() {
            let fields = unknown.into_iter().map(|path| (path.clone(), format!("{path} is an unknown field here; check its spelling."))).collect();
            return Err(AppError::Validation(fields));
        }
        Ok(Json { value, bytes })
    }
}

/// A query string in the route's shape, or a 422 that says why not.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let raw = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(raw).map(Query).map_err(|err| AppError::Unreadable(format!("The query string cannot be read: {err}.")))
    }
}

/// The signed-in user of a page's own request (an upload, an export, an attachment). Without
/// a session the browser is sent to log in, and back here afterwards when it was a page.
pub struct Session(pub Authenticated);

impl Session {
    /// The user, when their role includes `role`; else 403.
    pub fn at_least(&self, role: Role) -> Result<&SessionUser, AppError> {
        if self.0.user.role.includes(role) { Ok(&self.0.user) } else { Err(AppError::Forbidden) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = Redirect;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Redirect> {
        if let Some(session) = parts.extensions.get::<Authenticated>() {
            return Ok(Session(session.clone()));
        }
        // After logging in, a download opens again; a form post goes back to its page.
        let next = match parts.method {
            Method::GET | Method::HEAD => parts.uri.path().to_owned(),
            _ => parts
                .headers
                .get(header::REFERER)
                .and_then(|r| r.to_str().ok())
                .and_then(|r| r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|at| rest[at..].to_owned())))
                .unwrap_or_else(|| "/".into()),
        };
        Err(Redirect::to(&format!("/login?next={}", app::common::urlencode(app::auth::safe_next(&next)))))
    }
}

/// An error of a browser page's own request, in words: the browser shows it as the page,
/// with the error's own status.
pub struct InWords(pub AppError);

impl From<AppError> for InWords {
    fn from(err: AppError) -> Self {
        InWords(err)
    }
}

impl IntoResponse for InWords {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let text = match &self.0 {
            AppError::Validation(fields) => fields.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("\n"),
            err => err.to_string(),
        };
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
    }
}
