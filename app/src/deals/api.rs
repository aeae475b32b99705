//! Server functions of the deal workspace. Every one checks the caller's role first. The
//! forms on the deal page post here directly, so logging and moving work without JavaScript.

use leptos::prelude::*;

use super::{Claim, DealCard, DealView, Pipeline, PipelineQuery, StageInfo};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "pipeline")]
pub async fn load_pipeline(query: PipelineQuery) -> Result<Pipeline, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::pipeline(&guard::state()?.db, &viewer, &query).await
    };
    guard::with_status(result.await)
}

/// Today: (new leads nobody has answered, stale deals).
#[server(endpoint = "today")]
pub async fn today() -> Result<(Vec<DealCard>, Vec<DealCard>), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::today(&guard::state()?.db, &viewer).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal")]
pub async fn load_deal(id: i64) -> Result<DealView, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::view(&guard::state()?.db, &viewer, id).await
    };
    guard::with_status(result.await)
}

/// A quick outcome button or the note field.
#[server(endpoint = "deal/log")]
pub async fn log_outcome(deal_id: String, outcome: String, body: Option<String>) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let deal_id = guard::parse_id(&deal_id, "deal_id")?;
        let outcome = super::Outcome::parse(&outcome).map_err(|m| AppError::field("outcome", m))?;
        super::service::log_outcome(&state.db, &state.notifier, &super::service::Actor::person(&viewer), deal_id, outcome, body.as_deref().unwrap_or("")).await
    };
    guard::with_status(result.await)
}

/// Moves the deal; refused with 409 if it changed since `version`.
#[server(endpoint = "deal/stage")]
pub async fn move_stage(
    deal_id: String,
    version: String,
    stage_id: String,
    lost_reason: Option<String>,
    won_value: Option<String>,
) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let (deal_id, version, stage_id) = (guard::parse_id(&deal_id, "deal_id")?, guard::parse_id(&version, "version")?, guard::parse_id(&stage_id, "stage_id")?);
        let to = super::StageMove { stage_id, lost_reason, won_value };
        let moved = super::service::move_stage(&state.db, &state.notifier, &super::service::Actor::person(&viewer), super::DealId(deal_id), super::Version(version), to).await?;
        Ok(moved.0)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal/owner")]
pub async fn reassign(deal_id: String, version: String, owner_id: String) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        let state = guard::state()?;
        let (deal_id, version, owner_id) = (guard::parse_id(&deal_id, "deal_id")?, guard::parse_id(&version, "version")?, guard::parse_id(&owner_id, "owner_id")?);
        let actor = super::service::Actor::person(&viewer);
        Ok(super::service::reassign(&state.db, &state.notifier, &actor, super::DealId(deal_id), super::Version(version), owner_id).await?.0)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal/contact")]
pub async fn edit_contact(
    deal_id: String,
    version: String,
    name: String,
    phone: String,
    email: String,
    whatsapp: String,
) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let (deal_id, version) = (guard::parse_id(&deal_id, "deal_id")?, guard::parse_id(&version, "version")?);
        let region = crate::agency::load(&state.db).await?.default_region;
        let edit = super::service::ContactEdit { name, phone, email, whatsapp };
        let actor = super::service::Actor::person(&viewer);
        Ok(super::service::edit_contact(&state.db, &state.notifier, &actor, super::DealId(deal_id), super::Version(version), &region, &edit).await?.0)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal/claim")]
pub async fn claim_reply(deal_id: i64) -> Result<Claim, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::claim_reply(&state.db, &state.notifier, &viewer, deal_id).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal/release")]
pub async fn release_reply(deal_id: i64) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::service::release_reply(&state.db, &state.notifier, &viewer, deal_id).await
    };
    guard::with_status(result.await)
}

/// The stages and the lost reasons, for the admin's settings page.
#[server(endpoint = "stages")]
pub async fn stage_settings() -> Result<(Vec<StageInfo>, Vec<String>), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        let db = guard::state()?.db;
        let stages = super::service::pipeline_stages(&db).await?;
        Ok((stages, super::service::lost_reasons(&db).await?))
    };
    guard::with_status(result.await)
}

#[server(endpoint = "stages/save")]
pub async fn save_stage(id: Option<String>, name: String, kind: String, position: String, stale_after_days: String) -> Result<(), AppError> {
    use crate::error::Validator;
    let result = async {
        let admin = guard::require(Role::Admin)?;
        let db = guard::state()?.db;
        let mut v = Validator::default();
        let id = id.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| guard::parse_id(s, "id")).transpose()?;
        let position = v.check("position", position.trim().parse::<i32>().map_err(|_| crate::language::t("deals-give-the-position-as-a-number")));
        let stale = match stale_after_days.trim() {
            "" => None,
            raw => v.check("stale_after_days", raw.parse::<i32>().map(Some).map_err(|_| crate::language::t("deals-give-the-days-as-a-number"))).flatten(),
        };
        let position = v.finish_with(position)?;
        super::service::save_stage(&db, id, &name, &kind, position, stale).await?;
        tracing::info!(admin_id = admin.id, stage = %name, "stage saved");
        Ok(())
    };
    guard::with_status(result.await)
}

#[server(endpoint = "stages/delete")]
pub async fn delete_stage(id: String) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::delete_stage(&guard::state()?.db, guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "stages/lost-reasons")]
pub async fn save_lost_reasons(reasons: String) -> Result<Vec<String>, AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::save_lost_reasons(&guard::state()?.db, &reasons).await
    };
    guard::with_status(result.await)
}
