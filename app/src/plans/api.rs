//! Server functions for follow-up plans: the admin's editor, and starting a plan on a deal.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PlanView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

/// A capture form or stage and the plan it starts, for the "starts by itself" list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starter {
    /// "form:3" or "stage:5".
    pub target: String,
    pub label: String,
    pub plan_id: Option<i64>,
}

#[server(endpoint = "plans/list")]
pub async fn plan_settings() -> Result<(Vec<PlanView>, Vec<Starter>), AppError> {
    use crate::db::entities::{capture_form, stage};
    use sea_orm::{EntityTrait, QueryOrder};
    let result = async {
        guard::require(Role::Admin)?;
        let db = guard::state()?.db;
        let plans = super::service::list(&db).await?;
        let forms = capture_form::Entity::find().order_by_asc(capture_form::Column::Title).all(&db).await?;
        let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(&db).await?;
        let starters = forms
            .into_iter()
            .map(|f| Starter { target: format!("form:{}", f.id), label: crate::language::t_with("plans-starter-form", &[("form", f.title.clone().into())]), plan_id: f.plan_id })
            .chain(stages.into_iter().filter(|s| s.kind == crate::deals::StageKind::Open).map(|s| Starter {
                target: format!("stage:{}", s.id),
                label: crate::language::t_with("plans-starter-stage", &[("stage", s.name.clone().into())]),
                plan_id: s.plan_id,
            }))
            .collect();
        Ok((plans, starters))
    };
    guard::with_status(result.await)
}

/// Adds a plan (no `id`) or renames one and turns it on or off.
#[server(endpoint = "plans/save")]
pub async fn save_plan(id: Option<String>, name: String, active: Option<String>) -> Result<i64, AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        let id = id.filter(|s| !s.trim().is_empty()).map(|s| guard::parse_id(&s, "id")).transpose()?;
        // A new plan starts on; an edited one is on only while its box is ticked.
        let active = id.is_none() || active.is_some();
        super::service::save_plan(&guard::state()?.db, id, &name, active).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "plans/delete")]
pub async fn delete_plan(id: String) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::delete_plan(&guard::state()?.db, guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "plans/step")]
pub async fn add_step(plan_id: String, amount: String, unit: String, at_time: String, kind: String, title: String, message: String) -> Result<i64, AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        let plan_id = guard::parse_id(&plan_id, "plan_id")?;
        let step = super::service::NewStep { amount: &amount, unit: &unit, at_time: &at_time, kind: &kind, title: &title, message: &message };
        super::service::add_step(&guard::state()?.db, plan_id, step).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "plans/step/delete")]
pub async fn delete_step(id: String) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        super::service::delete_step(&guard::state()?.db, guard::parse_id(&id, "id")?).await
    };
    guard::with_status(result.await)
}

/// Makes a form or a stage start a plan by itself (an empty `plan_id`: none).
#[server(endpoint = "plans/starter")]
pub async fn set_starter(target: String, plan_id: String) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Admin)?;
        let trigger = super::service::Trigger::parse(&target).ok_or(AppError::NotFound)?;
        let plan_id = match plan_id.trim() {
            "" => None,
            raw => Some(guard::parse_id(raw, "plan_id")?),
        };
        super::service::set_trigger(&guard::state()?.db, trigger, plan_id).await
    };
    guard::with_status(result.await)
}

/// Starts a plan on a deal; returns how many follow-ups it set.
#[server(endpoint = "plans/start")]
pub async fn start_plan(deal_id: String, plan_id: String) -> Result<usize, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let deal_id = guard::parse_id(&deal_id, "deal_id")?;
        let plan_id = guard::parse_id(&plan_id, "plan_id")?;
        let actor = crate::deals::service::Actor::person(&viewer);
        super::service::start_by_hand(&state.db, &state.notifier, &actor, deal_id, plan_id).await
    };
    guard::with_status(result.await)
}
