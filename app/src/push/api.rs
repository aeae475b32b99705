//! Server functions for Web Push: the installation's public key, opting a device in, and the
//! viewer's own devices (which kinds each is pushed, removing one). Every one needs a logged-in
//! user, and each touches only the caller's devices.

use leptos::prelude::*;

use super::Device;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

/// The VAPID public key (base64url) the browser subscribes with.
#[server(endpoint = "push/key")]
pub async fn push_key() -> Result<String, AppError> {
    let result = async {
        guard::require(Role::Agent)?;
        Ok(guard::state()?.push.public_key.clone())
    };
    guard::with_status(result.await)
}

/// Stores this browser's push subscription for the caller and this session.
#[server(endpoint = "push/subscribe")]
pub async fn subscribe_device(endpoint: String, p256dh: String, auth: String) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let session = guard::authenticated().ok_or(AppError::Unauthorized)?;
        let sub = super::service::Subscription { endpoint, p256dh, auth };
        let id = super::service::subscribe(&guard::state()?.db, &viewer, &session.token_hash, &sub, guard::user_agent().as_deref()).await?;
        tracing::info!(user_id = viewer.id, device_id = id, "push device opted in");
        Ok(id)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "push/devices")]
pub async fn my_devices() -> Result<Vec<Device>, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::devices(&guard::state()?.db, &viewer).await
    };
    guard::with_status(result.await)
}

/// Which kinds one of the caller's devices is pushed: a checkbox per kind, ticked or absent.
#[server(endpoint = "push/kinds")]
#[allow(clippy::too_many_arguments)]
pub async fn set_device_kinds(
    id: i64,
    lead: Option<String>,
    whatsapp: Option<String>,
    presentation: Option<String>,
    follow_up: Option<String>,
    escalation: Option<String>,
    handover: Option<String>,
) -> Result<(), AppError> {
    use super::Kind;
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let ticked = [
            (Kind::Lead, lead),
            (Kind::WhatsApp, whatsapp),
            (Kind::Presentation, presentation),
            (Kind::FollowUp, follow_up),
            (Kind::Escalation, escalation),
            (Kind::Handover, handover),
        ];
        let kinds: Vec<Kind> = ticked.into_iter().filter(|(_, on)| on.is_some()).map(|(k, _)| k).collect();
        super::service::set_kinds(&guard::state()?.db, &viewer, id, &kinds).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "push/remove")]
pub async fn remove_device(id: i64) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::remove(&guard::state()?.db, &viewer, id).await?;
        tracing::info!(user_id = viewer.id, device_id = id, "push device removed");
        Ok(())
    };
    guard::with_status(result.await)
}
