//! Server functions for presentations: make one from a deal or a listing, list a deal's,
//! revoke a link; and a listing's photos: order, cover, remove.

use leptos::prelude::*;

use super::PresentationView;
use crate::error::AppError;
use crate::properties::PhotoView;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[cfg(feature = "ssr")]
fn base() -> Result<String, AppError> {
    let headers = use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    Ok(guard::state()?.base_url(&headers))
}

/// Makes a presentation of `property_ids` (in that order), for the deal's client when
/// `deal_id` is given; `paper` is a4 or letter; the link lasts `expires_in_days`, or until
/// withdrawn.
#[server(endpoint = "presentations/create")]
pub async fn create_presentation(
    deal_id: Option<i64>,
    property_ids: Vec<i64>,
    paper: String,
    expires_in_days: Option<i64>,
) -> Result<PresentationView, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let actor = crate::deals::service::Actor::person(&viewer);
        let input = super::NewPresentation { deal_id, property_ids, paper, expires_in_days, agent_id: None };
        let row = super::service::create(&state.db, &state.notifier, &actor, &input).await?;
        super::service::view(&state.db, &base()?, &viewer.time_zone, row).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "presentations/for-deal")]
pub async fn deal_presentations(deal_id: i64) -> Result<Vec<PresentationView>, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::for_deal(&state.db, &base()?, &viewer.time_zone, deal_id).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "presentations/revoke")]
pub async fn revoke_presentation(id: i64) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::revoke(&state.db, &state.notifier, &crate::deals::service::Actor::person(&viewer), id).await
    };
    guard::with_status(result.await)
}

/// E-mails the PDF to the deal's client; returns the address it went to.
#[server(endpoint = "presentations/email")]
pub async fn email_presentation(id: i64) -> Result<String, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::email(&state, &crate::deals::service::Actor::person(&viewer), id, &base()?).await
    };
    guard::with_status(result.await)
}

/// Puts "sent on WhatsApp" on the deal's timeline as the agent opens WhatsApp with the link.
#[server(endpoint = "presentations/sent-whatsapp")]
pub async fn whatsapp_sent(id: i64) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::record_whatsapp(&state.db, &state.notifier, &crate::deals::service::Actor::person(&viewer), id).await
    };
    guard::with_status(result.await)
}

/// Moves a photo: `to` is cover, earlier or later. Returns the listing's photos in order.
#[server(endpoint = "photos/move")]
pub async fn move_photo(id: i64, to: String) -> Result<Vec<PhotoView>, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let to = crate::properties::photos::Move::parse(&to)?;
        crate::properties::photos::reorder(&guard::state()?.db, &crate::deals::service::Actor::person(&viewer), id, to).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "photos/delete")]
pub async fn delete_photo(id: i64) -> Result<Vec<PhotoView>, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        crate::properties::photos::delete(&state.db, state.media.as_ref(), &crate::deals::service::Actor::person(&viewer), id).await
    };
    guard::with_status(result.await)
}
