//! Follow-up plans for tools with an admin key: the plans listed, and one started on a deal.

use app::deals::service::Actor;
use app::error::AppError;
use app::plans::{PlanView, StepView};
use app::reminders::Kind;
use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{BodyErrors, Conflict, IdParam, KeyErrors, NotFound};
use super::extract::{AdminKey, Id, Json};
use super::Routes;

pub fn routes() -> Routes {
    Routes { api: OpenApiRouter::new().routes(routes!(list_plans)).routes(routes!(start_plan)), ..Routes::default() }
}

/// A follow-up plan: the reminders it sets, one per step.
#[derive(Serialize, ToSchema)]
pub struct Plan {
    id: i64,
    name: String,
    active: bool,
    /// What starts it by itself: "Form: Website", "Stage: Viewing".
    started_by: Vec<String>,
    steps: Vec<Step>,
}

/// A step of a plan: when after the start its reminder is due, and what it says.
#[derive(Serialize, ToSchema)]
pub struct Step {
    id: i64,
    offset_minutes: i32,
    /// A time of day (HH:MM) the reminder is moved to, in the owner's zone.
    at_time: Option<String>,
    kind: Kind,
    title: String,
    message: String,
    /// The offset in words: "Next day at 10:00".
    when: String,
}

impl From<PlanView> for Plan {
    fn from(p: PlanView) -> Self {
        let step = |s: StepView| Step { when: s.when(), id: s.id, offset_minutes: s.offset_minutes, at_time: s.at_time, kind: s.kind, title: s.title, message: s.message };
        Plan { id: p.id, name: p.name, active: p.active, started_by: p.started_by, steps: p.steps.into_iter().map(step).collect() }
    }
}

/// `GET /api/v1/plans`: every follow-up plan with its steps.
#[utoipa::path(get, path = "/plans", summary = "List follow-up plans", description = "Needs an admin key.",
    responses(
        (status = 200, description = "Every plan with its steps.", body = Vec<Plan>),
        KeyErrors,
    ))]
pub async fn list_plans(State(state): State<AppState>, _key: AdminKey) -> Result<axum::Json<Vec<Plan>>, AppError> {
    let plans = app::plans::service::list(&state.db).await?;
    Ok(axum::Json(plans.into_iter().map(Plan::from).collect()))
}

/// Which plan to start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartPlan {
    plan_id: i64,
}

/// A plan started on a deal.
#[derive(Serialize, ToSchema)]
pub struct Started {
    deal_id: i64,
    plan_id: i64,
    /// How many reminders it set.
    reminders: u64,
}

/// `POST /api/v1/deals/{id}/plans`: starts a plan on the deal; 409 when it already runs.
#[utoipa::path(post, path = "/deals/{id}/plans", summary = "Start a follow-up plan on a deal",
    description = "Needs an admin key. Each step becomes a reminder for the deal's owner.",
    params(IdParam), request_body = StartPlan,
    responses(
        (status = 201, description = "Started: one reminder per step.", body = Started),
        KeyErrors, (status = 404, response = NotFound), (status = 409, response = Conflict), BodyErrors,
    ))]
pub async fn start_plan(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<StartPlan>) -> Result<(StatusCode, axum::Json<Started>), AppError> {
    let input = body.value;
    let actor = Actor::api_key(&key.name);
    let n = app::plans::service::start_by_hand(&state.db, &state.notifier, &actor, id, input.plan_id).await?;
    Ok((StatusCode::CREATED, axum::Json(Started { deal_id: id, plan_id: input.plan_id, reminders: n as u64 })))
}
