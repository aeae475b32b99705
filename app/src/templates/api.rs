//! Server functions of message templates: the admin's list, and a deal's templates filled in
//! and sent.

use leptos::prelude::*;

use super::{DealMessaging, TemplateView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[cfg(feature = "ssr")]
fn base() -> Result<String, AppError> {
    let headers = use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    Ok(guard::state()?.base_url(&headers))
}

#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateView>, AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::list(&guard::state()?.db).await
    };
    guard::with_status(result.await)
}

/// Adds a template (no `id`) or changes one.
#[server(endpoint = "templates/save")]
pub async fn save_template(id: Option<String>, name: String, body: String) -> Result<i64, AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        let id = id.filter(|s| !s.trim().is_empty()).map(|s| guard::parse_id(&s, "id")).transpose()?;
        super::service::save(&guard::state()?.db, id, &name, &body).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "templates/delete")]
pub async fn delete_template(id: String) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::delete(&guard::state()?.db, guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

/// The deal's templates, filled in with its client, listing and link, and whether replies
/// can go through the Cloud API.
#[server(endpoint = "templates/for-deal")]
pub async fn messaging_for_deal(deal_id: i64) -> Result<DealMessaging, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let actor = crate::deals::service::Actor::person(&viewer);
        let templates = super::service::for_deal(&state.db, &actor, deal_id, &base()?).await?;
        Ok(DealMessaging { templates, replies: state.whatsapp.sender.is_some() })
    };
    guard::with_status(result.await)
}

/// Records the template as sent and opens WhatsApp with it: the deal page posts this from a
/// plain form into a new tab, which lands on wa.me, with or without JavaScript.
#[server(endpoint = "templates/send")]
pub async fn send_template(deal_id: String, template_id: String) -> Result<String, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let actor = crate::deals::service::Actor::person(&viewer);
        let deal_id = guard::parse_id(&deal_id, "deal_id")?;
        let template_id = guard::parse_id(&template_id, "template_id")?;
        let href = super::service::send(&state.db, &state.notifier, &actor, deal_id, template_id, &base()?).await?;
        leptos_axum::redirect(&href);
        Ok(href)
    };
    guard::with_status(result.await)
}
