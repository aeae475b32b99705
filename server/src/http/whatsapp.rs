//! WhatsApp: `/webhooks/whatsapp`, the WhatsApp Business Cloud API's webhook (GET is Meta's
//! verification handshake; POST carries messages and delivery statuses, signed with the app
//! secret, and nothing is read from a POST before its signature is checked); the chat
//! import's upload (`POST /deals/{id}/chats`, a plain multipart form, so it works without
//! JavaScript); and the files imported messages carried (`GET /attachments/{id}`), which only
//! the signed-in team may open.

use std::collections::HashMap;

use app::db::entities::activity;
use app::error::AppError;
use app::state::AppState;
use app::whatsapp::archive::MAX_UPLOAD;
use app::whatsapp::{cloud, service};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use sea_orm::EntityTrait;
use serde_json::json;

use super::extract::{InWords, Session};
use super::upload::{one_file, Wanted};
use super::Routes;

/// Meta's payloads are small; a batch of messages stays far below this.
const WEBHOOK_LIMIT: usize = 1024 * 1024;

/// The chat upload's limit, with room for the form around the file.
const CHAT_LIMIT: usize = MAX_UPLOAD + 64 * 1024;

pub fn routes() -> Routes {
    Routes {
        session: Router::new()
            .route("/deals/{id}/chats", post(upload).layer(DefaultBodyLimit::max(CHAT_LIMIT)))
            .route("/attachments/{id}", get(attachment)),
        // Meta's webhook: each body is authenticated by its signature under the app secret.
        public: Router::new().route("/webhooks/whatsapp", get(verify).post(receive).layer(DefaultBodyLimit::max(WEBHOOK_LIMIT))),
        ..Routes::default()
    }
}

/// `GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`
pub async fn verify(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Result<String, AppError> {
    let get = |k: &str| query.get(k).map(String::as_str).unwrap_or("");
    if state.whatsapp.verify_token.is_none() {
        return Err(AppError::Unavailable("Set DOORSTEP_WHATSAPP_VERIFY_TOKEN to the verify token given to Meta.".into()));
    }
    match service::handshake(&state.whatsapp, get("hub.mode"), get("hub.verify_token"), get("hub.challenge")) {
        Some(challenge) => Ok(challenge.to_owned()),
        None => Err(AppError::OutOfScope("The verify token does not match, or hub.mode is not subscribe.".into())),
    }
}

/// `POST /webhooks/whatsapp`: answers 200 once everything in it is kept, so Meta stops
/// redelivering; on an error Meta redelivers and only what is missing is added.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, AppError> {
    let Some(secret) = state.whatsapp.app_secret.as_deref() else {
        return Err(AppError::Unavailable("Set DOORSTEP_WHATSAPP_APP_SECRET to the Meta app's secret.".into()));
    };
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    if !service::signed(secret, &body, signature) {
        tracing::warn!(signed = signature.is_some(), "WhatsApp webhook call refused: bad signature");
        return Err(AppError::Unauthenticated("X-Hub-Signature-256 must be the HMAC-SHA256 of the body under the app secret.".into()));
    }
    let agency = super::capture::agency(&state).await;
    let language = app::language::Language::stored(&agency.language).unwrap_or_default();
    let batch = cloud::parse(&body, &language).map_err(AppError::BadRequest)?;
    let done = service::receive(&state.db, &state.notifier, &state.intake, &agency.default_region, &batch).await?;
    tracing::info!(leads = done.leads, on_deals = done.on_deals, repeated = done.repeated, deliveries = done.deliveries, "WhatsApp webhook");
    Ok(axum::Json(json!({
        "leads": done.leads,
        "on_deals": done.on_deals,
        "repeated": done.repeated,
        "deliveries": done.deliveries,
    }))
    .into_response())
}

fn back(deal_id: i64, message: &str) -> Response {
    Redirect::to(&format!("/deals/{deal_id}?chat_error={}#chat-import", app::common::urlencode(message))).into_response()
}

pub async fn upload(State(state): State<AppState>, Path(deal_id): Path<i64>, Session(session): Session, mut multipart: Multipart) -> Result<Response, InWords> {
    let wanted = Wanted { default_name: "chat.txt", choose: "upload-choose-chat-export", limit_text: "upload-chat-export-limit", limit: MAX_UPLOAD };
    let (name, bytes) = match one_file(&mut multipart, &wanted).await {
        Ok(file) => file,
        Err(message) => return Ok(back(deal_id, &message)),
    };
    match app::whatsapp::import::stage(&state.db, state.media.as_ref(), &session.user, deal_id, &name, bytes).await {
        Ok(token) => Ok(Redirect::to(&format!("/deals/{deal_id}/chats/{token}")).into_response()),
        Err(AppError::Validation(fields)) => Ok(back(deal_id, &fields.values().cloned().collect::<Vec<_>>().join(" "))),
        Err(err) => Err(err.into()),
    }
}

pub async fn attachment(State(state): State<AppState>, Path(id): Path<i64>, _session: Session) -> Result<Response, InWords> {
    let entry = activity::Entity::find_by_id(id).one(&state.db).await.map_err(AppError::from)?.ok_or(AppError::NotFound)?;
    let (Some(key), Some(name)) = (entry.attachment_key, entry.attachment_name) else { return Err(AppError::NotFound.into()) };
    let bytes = state.media.get(&key).await?.ok_or(AppError::NotFound)?;
    let kind = app::whatsapp::import::content_type(&name);
    let inline = kind != "application/octet-stream";
    // The name comes from the client's phone: only safe characters reach the header.
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let disposition = format!("{}; filename=\"{safe}\"", if inline { "inline" } else { "attachment" });
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'; img-src 'self'".to_string()),
        ],
        bytes,
    )
        .into_response())
}
