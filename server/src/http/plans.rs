//! Follow-up plans for tools with an admin key: the plans listed, and one started on a deal.

use app::deals::service::Actor;
use app::error::AppError;
use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::extract::{AdminKey, Id, Json};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        api: Router::new().route("/api/v1/plans", get(list_plans)).route("/api/v1/deals/{id}/plans", post(start_plan)),
        ..Routes::default()
    }
}

/// `GET /api/v1/plans`: every follow-up plan with its steps.
pub async fn list_plans(State(state): State<AppState>, _key: AdminKey) -> Result<Response, AppError> {
    let plans = app::plans::service::list(&state.db).await?;
    Ok(axum::Json(json!(plans
            .into_iter()
            .map(|p| json!({
                "id": p.id, "name": p.name, "active": p.active, "started_by": p.started_by,
                "steps": p.steps.iter().map(|s| json!({
                    "id": s.id, "offset_minutes": s.offset_minutes, "at_time": s.at_time, "kind": s.kind.as_str(),
                    "title": s.title, "message": s.message, "when": s.when()
                })).collect::<Vec<_>>()
            }))
            .collect::<Vec<_>>()))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartPlan {
    plan_id: i64,
}

/// `POST /api/v1/deals/{id}/plans`: starts a plan on the deal; 409 when it already runs.
pub async fn start_plan(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<StartPlan>) -> Result<Response, AppError> {
    let input = body.value;
    let actor = Actor::api_key(&key.name);
    let n = app::plans::service::start_by_hand(&state.db, &state.notifier, &actor, id, input.plan_id).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"deal_id": id, "plan_id": input.plan_id, "reminders": n}))).into_response())
}

/// This capability's OpenAPI paths, merged into the document.
pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let id_param = super::api::id_param();
    let mut plans = errors(&["401", "403"]);
    plans["200"] = json!({"description": "Every plan with its steps.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}}}}});
    let mut start = errors(&["401", "403", "404", "409", "413", "415", "422"]);
    start["201"] = json!({"description": "Started: one reminder per step.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "deal_id": {"type": "integer"}, "plan_id": {"type": "integer"}, "reminders": {"type": "integer"}
    }}}}});
    json!({
        "/plans": {"get": {"summary": "List follow-up plans", "description": "Needs an admin key.", "responses": plans}},
        "/deals/{id}/plans": {"post": {
            "summary": "Start a follow-up plan on a deal", "description": "Needs an admin key. Each step becomes a reminder for the deal's owner.",
            "parameters": [id_param],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["plan_id"], "additionalProperties": false, "properties": {"plan_id": {"type": "integer"}}}}}},
            "responses": start
        }}
    })
}

pub fn schemas() -> Value {
    json!({
        "Plan": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "active": {"type": "boolean"},
            "started_by": {"type": "array", "items": {"type": "string"}},
            "steps": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "offset_minutes": {"type": "integer"}, "at_time": {"type": "string", "nullable": true},
                "kind": {"type": "string"}, "title": {"type": "string"}, "message": {"type": "string"}, "when": {"type": "string"}
            }}}
        }}
    })
}
