//! Follow-ups: `/api/v1/reminders` for tools with an admin key, and `GET /ics/{token}.ics`, a
//! user's follow-ups as a calendar feed, whose secret token is the only credential (calendar
//! apps cannot log in; an unknown or revoked one is 404).

use app::db::entities::reminder;
use app::deals::service::Actor;
use app::error::{AppError, Validator};
use app::reminders::service as reminders;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::extract::{AdminKey, Id, Json, Query};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        api: Router::new()
            .route("/api/v1/reminders", get(list_reminders).post(create_reminder))
            .route("/api/v1/reminders/{id}", patch(change_reminder)),
        // The calendar feed authenticates by the secret in its address.
        public: Router::new().route("/ics/{file}", get(feed)),
        ..Routes::default()
    }
}

fn record(r: &reminder::Model) -> Value {
    json!({
        "id": r.id,
        "deal_id": r.deal_id,
        "assignee_id": r.assignee_id,
        "title": r.title,
        "kind": r.kind.as_str(),
        "due_at": r.due_at.to_rfc3339(),
        "state": r.state.as_str(),
        "delivered_at": r.delivered_at.map(|t| t.to_rfc3339()),
        "late": r.late,
        "plan_id": r.plan_id,
        "message": r.message,
        "created_at": r.created_at.to_rfc3339(),
    })
}

fn rfc3339(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| "Give the time in RFC 3339, like 2026-11-26T09:00:00Z.".into())
}

#[derive(Deserialize)]
pub struct ReminderQuery {
    deal_id: Option<String>,
    assignee_id: Option<String>,
    state: Option<String>,
    due_before: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /api/v1/reminders`: soonest due first, filtered and paged.
pub async fn list_reminders(State(state): State<AppState>, _key: AdminKey, Query(q): Query<ReminderQuery>) -> Result<Response, AppError> {
    let mut v = Validator::default();
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<i64> { v.check(field, super::api::positive(field, raw.as_deref()?)) };
    let mut filter = reminders::ReminderFilter {
        deal_id: number("deal_id", &q.deal_id),
        assignee_id: number("assignee_id", &q.assignee_id),
        page: number("page", &q.page).unwrap_or(1) as u64,
        per_page: number("per_page", &q.per_page).unwrap_or(50) as u64,
        ..Default::default()
    };
    filter.state = q.state.as_deref().and_then(|raw| v.check("state", app::reminders::State::parse(raw)));
    filter.due_before = q.due_before.as_deref().and_then(|raw| v.check("due_before", rfc3339(raw)));
    if filter.per_page > 200 {
        v.add("per_page", "Ask for at most 200 reminders per page.");
    }
    if filter.page > super::api::MAX_PAGE as u64 {
        v.add("page", format!("Ask for a page up to {}.", super::api::MAX_PAGE));
    }
    v.finish()?;
    let (rows, total) = reminders::records(&state.db, &filter).await?;
    Ok(axum::Json(json!({
        "reminders": rows.iter().map(record).collect::<Vec<_>>(),
        "page": filter.page, "per_page": filter.per_page, "total": total
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReminder {
    deal_id: i64,
    #[serde(default)]
    title: String,
    kind: String,
    due_at: Option<String>,
    preset: Option<String>,
    assignee_id: Option<i64>,
}

/// When a reminder is due: an absolute `due_at`, or a preset in the assignee's zone.
fn due(due_at: Option<String>, preset: Option<String>) -> impl FnOnce(reminders::Tz) -> Result<DateTime<Utc>, String> {
    move |tz| match (due_at, preset) {
        (Some(at), None) => {
            let at = rfc3339(&at)?;
            if at < Utc::now() - chrono::Duration::minutes(1) { Err("That time has passed; pick one ahead.".into()) } else { Ok(at) }
        }
        (None, Some(preset)) => reminders::due_from(Some(&preset), None, Utc::now(), tz),
        _ => Err("Send either due_at or preset.".into()),
    }
}

async fn answer(state: &AppState, id: i64, status: StatusCode) -> Result<Response, AppError> {
    use sea_orm::EntityTrait;
    let r = reminder::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok((status, axum::Json(record(&r))).into_response())
}

/// `POST /api/v1/reminders`: a follow-up on a deal, for `assignee_id` or the deal's owner.
pub async fn create_reminder(State(state): State<AppState>, AdminKey(key): AdminKey, body: Json<NewReminder>) -> Result<Response, AppError> {
    let input = body.value;
    let actor = Actor::api_key(&key.name);
    let id = reminders::create(&state.db, &state.notifier, &actor, input.deal_id, input.assignee_id, &input.title, &input.kind, due(input.due_at, input.preset)).await?;
    answer(&state, id, StatusCode::CREATED).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderChange {
    action: String,
    due_at: Option<String>,
    preset: Option<String>,
}

/// `PATCH /api/v1/reminders/{id}`: `done` (logged on the deal), `cancel`, or `reschedule`
/// with `due_at` or `preset`.
pub async fn change_reminder(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<ReminderChange>) -> Result<Response, AppError> {
    let change = body.value;
    let actor = Actor::api_key(&key.name);
    let result = match change.action.as_str() {
        "done" => reminders::complete(&state.db, &state.notifier, &actor, id).await.map(|_| ()),
        "cancel" => reminders::cancel(&state.db, &actor, id).await.map(|_| ()),
        "reschedule" => reminders::reschedule(&state.db, &actor, id, due(change.due_at, change.preset)).await.map(|_| ()),
        _ => Err(AppError::field("action", "Use done, cancel or reschedule.")),
    };
    result?;
    answer(&state, id, StatusCode::OK).await
}

/// The OpenAPI paths of this module, merged into the document.
pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let reminder = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Reminder"}}});
    let id_param = super::api::id_param();
    let query = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    let mut list = errors(&["401", "403", "422"]);
    list["200"] = json!({"description": "A page of reminders, soonest due first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReminderPage"}}}});
    let mut create = errors(&["401", "403", "404", "413", "415", "422"]);
    create["201"] = json!({"description": "Set.", "content": reminder.clone()});
    let mut change = errors(&["401", "403", "404", "409", "413", "415", "422"]);
    change["200"] = json!({"description": "Changed.", "content": reminder});
    json!({
        "/reminders": {
            "get": {"summary": "List reminders", "description": "Needs an admin key.", "parameters": [
                query("deal_id", json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}), "Only this deal's."),
                query("assignee_id", json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}), "Only this person's."),
                query("state", json!({"type": "string", "enum": app::reminders::State::ALL.map(|s| s.as_str())}), "Only in this state."),
                query("due_before", json!({"type": "string", "format": "date-time"}), "Only due before this time."),
                query("page", json!({"type": "integer", "minimum": 1, "maximum": super::api::MAX_PAGE}), "From 1."),
                query("per_page", json!({"type": "integer", "minimum": 1, "maximum": 200}), "At most 200; 50 unless given.")
            ], "responses": list},
            "post": {"summary": "Set a reminder on a deal", "description": "Needs an admin key. Send due_at or preset.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewReminder"}}}},
                "responses": create}
        },
        "/reminders/{id}": {"patch": {
            "summary": "Complete, cancel or reschedule a reminder", "description": "Needs an admin key. Completing logs it on the deal's timeline.",
            "parameters": [id_param],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReminderChange"}}}},
            "responses": change
        }}
    })
}

pub fn schemas() -> Value {
    let kind = json!({"type": "string", "enum": app::reminders::Kind::ALL.map(|k| k.as_str())});
    let preset = json!({"type": "string", "enum": ["in_an_hour", "this_evening", "tomorrow_9", "in_3_days", "next_monday"], "description": "Read in the assignee's time zone."});
    json!({
        "Reminder": {"type": "object", "properties": {
            "id": {"type": "integer"}, "deal_id": {"type": "integer"}, "assignee_id": {"type": "integer"},
            "title": {"type": "string"}, "kind": kind.clone(), "due_at": {"type": "string", "format": "date-time"},
            "state": {"type": "string", "enum": app::reminders::State::ALL.map(|s| s.as_str())},
            "delivered_at": {"type": "string", "format": "date-time", "nullable": true}, "late": {"type": "boolean"},
            "plan_id": {"type": "integer", "nullable": true}, "message": {"type": "string", "nullable": true},
            "created_at": {"type": "string", "format": "date-time"}
        }},
        "ReminderPage": {"type": "object", "properties": {
            "reminders": {"type": "array", "items": {"$ref": "#/components/schemas/Reminder"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}
        }},
        "NewReminder": {"type": "object", "required": ["deal_id", "kind"], "additionalProperties": false, "properties": {
            "deal_id": {"type": "integer"}, "title": {"type": "string", "maxLength": 120}, "kind": kind,
            "due_at": {"type": "string", "format": "date-time"}, "preset": preset.clone(),
            "assignee_id": {"type": "integer", "description": "The deal's owner unless given."}
        }},
        "ReminderChange": {"type": "object", "required": ["action"], "additionalProperties": false, "properties": {
            "action": {"type": "string", "enum": ["done", "cancel", "reschedule"]},
            "due_at": {"type": "string", "format": "date-time"}, "preset": preset
        }}
    })
}

/// `GET /ics/{token}.ics`: the calendar file, or a plain-text line saying why there is none.
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return (StatusCode::NOT_FOUND, "No such calendar.").into_response();
    };
    match app::reminders::calendar::feed(&state.db, token, &state.base_url(&headers)).await {
        Ok(body) => {
            let mut response = body.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
            response
        }
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "No such calendar: the link is wrong or was replaced.").into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "calendar feed failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "The calendar could not be built; try again.").into_response()
        }
    }
}
