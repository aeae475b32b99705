//! Deals for tools with an admin key: the stages, deals listed, read and changed (with
//! `If-Match` on the version), and what happened logged on a deal's timeline.

use app::deals::service as deals;
use app::error::AppError;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::api::{amount, positive, MAX_PAGE};
use super::extract::{AdminKey, Id, IfMatch, Json, Query};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        api: Router::new()
            .route("/api/v1/stages", get(list_stages))
            .route("/api/v1/deals", get(list_deals))
            .route("/api/v1/deals/{id}", get(get_deal).patch(patch_deal))
            .route("/api/v1/deals/{id}/activities", post(post_activity)),
        ..Routes::default()
    }
}

/// `GET /api/v1/stages` (admin keys): the pipeline's stages in order, with their deal counts.
pub async fn list_stages(State(state): State<AppState>, _key: AdminKey) -> Result<Response, AppError> {
    let stages = deals::pipeline_stages(&state.db).await?;
    Ok(axum::Json(json!(stages
        .into_iter()
        .map(|s| json!({"id": s.id, "name": s.name, "position": s.position, "kind": s.kind.as_str(), "stale_after_days": s.stale_after_days, "deals": s.deals}))
        .collect::<Vec<_>>()))
    .into_response())
}

#[derive(Deserialize)]
pub struct DealListQuery {
    stage: Option<String>,
    owner: Option<String>,
    source: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /api/v1/deals` (admin keys): deals most recently changed first, filtered and paged.
pub async fn list_deals(State(state): State<AppState>, _key: AdminKey, Query(query): Query<DealListQuery>) -> Result<Response, AppError> {
    let mut v = app::error::Validator::default();
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<i64> {
        v.check(field, positive(field, raw.as_deref()?))
    };
    let filter = deals::DealFilter {
        stage_id: number("stage", &query.stage),
        owner_id: number("owner", &query.owner),
        page: number("page", &query.page).unwrap_or(1) as u64,
        per_page: number("per_page", &query.per_page).unwrap_or(50) as u64,
        source: query.source.filter(|s| !s.is_empty()),
        search: query.q.filter(|s| !s.trim().is_empty()),
    };
    if filter.per_page > 200 {
        v.add("per_page", "Ask for at most 200 deals per page.");
    }
    if filter.page > MAX_PAGE as u64 {
        v.add("page", format!("Ask for a page up to {MAX_PAGE}."));
    }
    v.finish()?;
    let (rows, total) = deals::records(&state.db, &filter).await?;
    Ok(axum::Json(json!({"deals": rows, "page": filter.page, "per_page": filter.per_page, "total": total})).into_response())
}

/// The deal with its version as the ETag, for If-Match.
fn with_etag(record: &deals::DealRecord) -> Response {
    let etag = format!("\"{}\"", record.version);
    ([(header::ETAG, etag)], axum::Json(json!(record))).into_response()
}

/// `GET /api/v1/deals/{id}` (admin keys). The ETag is the deal's version, for If-Match.
pub async fn get_deal(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(with_etag(&deals::record(&state.db, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    stage_id: Option<i64>,
    lost_reason: Option<String>,
    #[serde(default)]
    won_value: Option<Value>,
    owner_id: Option<i64>,
}

/// `PATCH /api/v1/deals/{id}` (admin keys): moves the deal (`stage_id`, with `lost_reason` or
/// `won_value` where the stage needs them) or hands it to `owner_id`, one change per request.
/// `If-Match` must carry the version the change is based on: 428 without it, 412 when the
/// deal has changed since.
pub async fn patch_deal(
    State(state): State<AppState>,
    AdminKey(key): AdminKey,
    Id(id): Id,
    IfMatch(version): IfMatch,
    body: Json<DealPatch>,
) -> Result<Response, AppError> {
    let patch = body.value;
    let actor = deals::Actor::api_key(&key.name);
    match (patch.stage_id, patch.owner_id) {
        (Some(stage_id), None) => {
            let won = amount(&patch.won_value).map_err(|message| AppError::field("won_value", message))?;
            let won = (!won.is_empty()).then_some(won);
            deals::move_stage(&state.db, &state.notifier, &actor, id, version, stage_id, patch.lost_reason, won).await?
        }
        (None, Some(owner_id)) => deals::reassign(&state.db, &state.notifier, &actor, id, version, owner_id).await?,
        _ => return Err(AppError::field("stage_id", "Send one change per request: a stage_id or an owner_id.")),
    };
    Ok(with_etag(&deals::record(&state.db, id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    outcome: String,
    #[serde(default)]
    body: String,
}

/// `POST /api/v1/deals/{id}/activities` (admin keys): logs what happened, as the quick
/// outcome buttons do (`note` needs a body).
pub async fn post_activity(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<ActivityRequest>) -> Result<Response, AppError> {
    let request = body.value;
    let outcome = app::deals::Outcome::parse(&request.outcome).map_err(|_| {
        let names: Vec<&str> = app::deals::Outcome::BUTTONS.iter().map(|o| o.as_str()).chain(["note"]).collect();
        AppError::field("outcome", format!("Use one of: {}.", names.join(", ")))
    })?;
    let actor = deals::Actor::api_key(&key.name);
    deals::log_outcome(&state.db, &state.notifier, &actor, id, outcome, &request.body).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"deal_id": id, "outcome": outcome.as_str()}))).into_response())
}

/// This capability's OpenAPI paths, merged into the document.
pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let id_param = super::api::id_param();
    let deal_schema = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Deal"}}});
    let mut stages_list = errors(&["401", "403"]);
    stages_list["200"] = json!({"description": "The stages in order.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"}}}}});
    let mut deals_list = errors(&["401", "403", "422"]);
    deals_list["200"] = json!({"description": "A page of deals, most recently changed first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DealPage"}}}});
    let mut deal_get = errors(&["401", "403", "404"]);
    deal_get["200"] = json!({"description": "The deal; its ETag header is its version.", "content": deal_schema.clone()});
    let mut deal_patch = errors(&["401", "403", "404", "412", "413", "415", "422", "428"]);
    deal_patch["200"] = json!({"description": "Changed; the new ETag is the new version.", "content": deal_schema});
    let mut activity_post = errors(&["401", "403", "404", "413", "415", "422"]);
    activity_post["201"] = json!({"description": "Logged on the deal's timeline."});
    let page_param = |name: &str, maximum: i64, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": maximum}, "description": description});
    json!({
        "/stages": {"get": {"summary": "List the pipeline's stages", "description": "Needs an admin key.", "responses": stages_list}},
        "/deals": {"get": {
            "summary": "List deals",
            "description": "Needs an admin key. Most recently changed first.",
            "parameters": [
                page_param("stage", i64::MAX, "Only this stage's deals."),
                page_param("owner", i64::MAX, "Only this user's deals."),
                {"name": "source", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Exact source, like form:contact or api:idealista."},
                {"name": "q", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Part of the contact's name, e-mail or phone digits."},
                page_param("page", MAX_PAGE, "From 1."),
                {"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
            ],
            "responses": deals_list
        }},
        "/deals/{id}": {
            "get": {"summary": "Read a deal", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": deal_get},
            "patch": {
                "summary": "Move a deal or change its owner",
                "description": "Needs an admin key. One change per request. If-Match must carry the version the change is based on (the ETag of a GET).",
                "parameters": [id_param.clone(), {"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"}, "example": "\"3\""}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DealPatch"}}}},
                "responses": deal_patch
            }
        },
        "/deals/{id}/activities": {"post": {
            "summary": "Log what happened on a deal",
            "description": "Needs an admin key. The first contact with the client (a call, WhatsApp, e-mail or viewing) answers the lead.",
            "parameters": [id_param],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Activity"}}}},
            "responses": activity_post
        }}
    })
}

pub fn schemas() -> Value {
    json!({
        "Stage": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "position": {"type": "integer"},
            "kind": {"type": "string", "enum": ["open", "won", "lost"]},
            "stale_after_days": {"type": "integer", "nullable": true}, "deals": {"type": "integer"}
        }},
        "Deal": {"type": "object", "properties": {
            "id": {"type": "integer"}, "version": {"type": "integer"},
            "contact": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "phone": {"type": "string", "nullable": true},
                "email": {"type": "string", "nullable": true}, "whatsapp": {"type": "string", "nullable": true}
            }},
            "need": {"type": "string", "enum": ["buy", "rent", "sell", "let"]},
            "budget_min": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
            "budget_max": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
            "currency": {"type": "string"}, "stage_id": {"type": "integer"}, "stage": {"type": "string"},
            "owner_id": {"type": "integer", "nullable": true}, "source": {"type": "string"},
            "property_ref": {"type": "string", "nullable": true}, "lost_reason": {"type": "string", "nullable": true},
            "won_value": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
            "first_response_at": {"type": "string", "format": "date-time", "nullable": true},
            "closed_at": {"type": "string", "format": "date-time", "nullable": true}
        }},
        "DealPage": {"type": "object", "properties": {
            "deals": {"type": "array", "items": {"$ref": "#/components/schemas/Deal"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}
        }},
        "DealPatch": {"type": "object", "additionalProperties": false, "properties": {
            "stage_id": {"type": "integer", "nullable": true, "description": "null is the same as leaving it out."},
            "lost_reason": {"type": "string", "nullable": true, "description": "Needed when moving to a lost stage: one of the admin's reasons."},
            "won_value": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "nullable": true, "description": "Needed when moving to a won stage: whole units or as typed."},
            "owner_id": {"type": "integer", "nullable": true}
        }},
        "Activity": {"type": "object", "required": ["outcome"], "additionalProperties": false, "properties": {
            "outcome": {"type": "string", "enum": ["called_no_answer", "called_spoke", "whatsapp_sent", "email_sent", "viewing_booked", "payment_received", "complaint", "question", "note"]},
            "body": {"type": "string", "maxLength": 5000}
        }}
    })
}
