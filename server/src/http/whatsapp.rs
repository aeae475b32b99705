//! `/webhooks/whatsapp`: the WhatsApp Business Cloud API's webhook. GET is Meta's verification
//! handshake; POST carries messages and delivery statuses, signed with the app secret.
//! Nothing is read from a POST before its signature is checked.

use std::collections::HashMap;

use app::error::AppError;
use app::state::AppState;
use app::whatsapp::{cloud, service};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Meta's payloads are small; a batch of messages stays far below this.
pub const BODY_LIMIT: usize = 1024 * 1024;

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
    let batch = cloud::parse(&body).map_err(AppError::BadRequest)?;
    let agency = super::capture::agency(&state).await;
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
