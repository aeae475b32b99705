//! Server functions for follow-ups. Forms on the deal page post here, with or without
//! JavaScript.

use leptos::prelude::*;

use super::{DealFollowUps, ReminderView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};
#[cfg(feature = "ssr")]
use crate::deals::service::Actor;

#[server(endpoint = "reminders/deal")]
pub async fn deal_reminders(deal_id: i64) -> Result<DealFollowUps, AppError> {
    use sea_orm::EntityTrait;
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let db = guard::state()?.db;
        let deal = crate::db::entities::deal::Entity::find_by_id(deal_id).one(&db).await?.ok_or(AppError::NotFound)?;
        let editable = crate::deals::service::may_edit(&Actor::person(&viewer), &deal).is_ok();
        let open = deal.closed_at.is_none();
        Ok(DealFollowUps {
            pending: super::service::for_deal(&db, &viewer, deal_id).await?,
            open,
            editable,
            plans: if editable && open { crate::plans::service::choices(&db).await? } else { Vec::new() },
        })
    };
    guard::with_status(result.await)
}

/// Today's follow-ups and the open deals with no next step.
#[server(endpoint = "reminders/today")]
pub async fn follow_ups() -> Result<(Vec<ReminderView>, Vec<(i64, String)>), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let db = guard::state()?.db;
        Ok((super::service::due_today(&db, &viewer).await?, super::service::without_next_step(&db, &viewer).await?))
    };
    guard::with_status(result.await)
}

/// Sets the next step: a preset button (`preset`) or a typed date and time (`custom`).
#[server(endpoint = "reminders/set")]
pub async fn set_reminder(deal_id: String, title: String, kind: String, preset: Option<String>, custom: Option<String>) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let deal_id = guard::parse_id(&deal_id, "deal_id")?;
        let now = chrono::Utc::now();
        super::service::create(&state.db, &state.notifier, &Actor::person(&viewer), deal_id, None, &title, &kind, |tz| {
            super::service::due_from(preset.as_deref(), custom.as_deref(), now, tz)
        })
        .await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "reminders/done")]
pub async fn complete_reminder(id: String) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::complete(&state.db, &state.notifier, &Actor::person(&viewer), guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

/// Snoozes (a preset) or reschedules (a typed time) a pending reminder.
#[server(endpoint = "reminders/snooze")]
pub async fn snooze_reminder(id: String, preset: Option<String>, custom: Option<String>) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let now = chrono::Utc::now();
        super::service::reschedule(&state.db, &Actor::person(&viewer), guard::parse_id(&id, "id")?, |tz| super::service::due_from(preset.as_deref(), custom.as_deref(), now, tz)).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "reminders/cancel")]
pub async fn cancel_reminder(id: String) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::cancel(&guard::state()?.db, &Actor::person(&viewer), guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

/// Whether the caller has a calendar feed address.
#[server(endpoint = "calendar/status")]
pub async fn calendar_status() -> Result<bool, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::calendar::has_link(&guard::state()?.db, viewer.id).await
    };
    guard::with_status(result.await)
}

/// Makes a new calendar address (revoking the old one) and returns it, once.
#[server(endpoint = "calendar/new")]
pub async fn new_calendar_link() -> Result<String, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let token = super::calendar::new_link(&state.db, viewer.id).await?;
        let headers = use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
        Ok(format!("{}/ics/{token}.ics", state.base_url(&headers)))
    };
    guard::with_status(result.await)
}

#[server(endpoint = "calendar/revoke")]
pub async fn revoke_calendar_link() -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::calendar::revoke(&guard::state()?.db, viewer.id).await
    };
    guard::with_status(result.await)
}
