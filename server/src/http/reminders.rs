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
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use app::reminders as reminders_kind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{BodyErrors, Conflict, IdParam, Invalid, KeyErrors, NotFound};
use super::extract::{AdminKey, Id, Json, Query};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        api: OpenApiRouter::new().routes(routes!(list_reminders, create_reminder)).routes(routes!(change_reminder)),
        // The calendar feed authenticates by the secret in its address.
        public: Router::new().route("/ics/{file}", get(feed)),
        ..Routes::default()
    }
}

/// A follow-up as the API answers it.
#[derive(Serialize, ToSchema)]
pub struct Reminder {
    id: i64,
    deal_id: i64,
    assignee_id: i64,
    title: String,
    kind: reminders_kind::Kind,
    #[schema(format = DateTime)]
    due_at: DateTime<Utc>,
    state: reminders_kind::State,
    delivered_at: Option<DateTime<Utc>>,
    late: bool,
    plan_id: Option<i64>,
    message: Option<String>,
    created_at: DateTime<Utc>,
}

impl From<reminder::Model> for Reminder {
    fn from(r: reminder::Model) -> Self {
        Reminder {
            id: r.id,
            deal_id: r.deal_id,
            assignee_id: r.assignee_id,
            title: r.title,
            kind: r.kind,
            due_at: r.due_at,
            state: r.state,
            delivered_at: r.delivered_at,
            late: r.late,
            plan_id: r.plan_id,
            message: r.message,
            created_at: r.created_at,
        }
    }
}

/// A page of reminders, soonest due first.
#[derive(Serialize, ToSchema)]
pub struct ReminderPage {
    reminders: Vec<Reminder>,
    page: u64,
    per_page: u64,
    total: u64,
}

fn rfc3339(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| "Give the time in RFC 3339, like 2026-11-26T09:00:00Z.".into())
}

/// The filters of `GET /reminders`, read as text so each bad one is named in the answer.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReminderQuery {
    /// Only this deal's.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    deal_id: Option<String>,
    /// Only this person's.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    assignee_id: Option<String>,
    /// Only in this state.
    #[param(value_type = reminders_kind::State, inline, required = false)]
    state: Option<String>,
    /// Only due before this time.
    #[param(value_type = String, format = DateTime, required = false)]
    due_before: Option<String>,
    /// From 1.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1_000_000)]
    page: Option<String>,
    /// At most 200; 50 unless given.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 200)]
    per_page: Option<String>,
}

/// `GET /api/v1/reminders`: soonest due first, filtered and paged.
#[utoipa::path(get, path = "/reminders", summary = "List reminders", description = "Needs an admin key.", params(ReminderQuery),
    responses(
        (status = 200, description = "A page of reminders, soonest due first.", body = ReminderPage),
        KeyErrors, (status = 422, response = Invalid),
    ))]
pub async fn list_reminders(State(state): State<AppState>, _key: AdminKey, Query(q): Query<ReminderQuery>) -> Result<axum::Json<ReminderPage>, AppError> {
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
    Ok(axum::Json(ReminderPage { reminders: rows.into_iter().map(Reminder::from).collect(), page: filter.page, per_page: filter.per_page, total }))
}

/// A reminder to set: `due_at` or `preset`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReminder {
    deal_id: i64,
    #[serde(default)]
    #[schema(max_length = 120)]
    title: String,
    #[schema(value_type = reminders_kind::Kind)]
    kind: String,
    #[schema(value_type = Option<String>, format = DateTime, required = false)]
    due_at: Option<String>,
    #[schema(value_type = Option<reminders_kind::Preset>, required = false)]
    preset: Option<String>,
    /// The deal's owner unless given.
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

async fn answer(state: &AppState, id: i64) -> Result<axum::Json<Reminder>, AppError> {
    use sea_orm::EntityTrait;
    let r = reminder::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(Reminder::from(r)))
}

/// `POST /api/v1/reminders`: a follow-up on a deal, for `assignee_id` or the deal's owner.
#[utoipa::path(post, path = "/reminders", summary = "Set a reminder on a deal", description = "Needs an admin key. Send due_at or preset.",
    request_body = NewReminder,
    responses(
        (status = 201, description = "Set.", body = Reminder),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn create_reminder(State(state): State<AppState>, AdminKey(key): AdminKey, body: Json<NewReminder>) -> Result<(StatusCode, axum::Json<Reminder>), AppError> {
    let input = body.value;
    let actor = Actor::api_key(&key.name);
    let id = reminders::create(&state.db, &state.notifier, &actor, input.deal_id, input.assignee_id, &input.title, &input.kind, due(input.due_at, input.preset)).await?;
    Ok((StatusCode::CREATED, answer(&state, id).await?))
}

/// A change to a reminder: `done`, `cancel`, or `reschedule` with `due_at` or `preset`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderChange {
    #[schema(value_type = Action)]
    action: String,
    #[schema(value_type = Option<String>, format = DateTime, required = false)]
    due_at: Option<String>,
    #[schema(value_type = Option<reminders_kind::Preset>, required = false)]
    preset: Option<String>,
}

/// What to do with a reminder.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum Action {
    Done,
    Cancel,
    Reschedule,
}

/// `PATCH /api/v1/reminders/{id}`: `done` (logged on the deal), `cancel`, or `reschedule`
/// with `due_at` or `preset`.
#[utoipa::path(patch, path = "/reminders/{id}", summary = "Complete, cancel or reschedule a reminder",
    description = "Needs an admin key. Completing logs it on the deal's timeline.",
    params(IdParam), request_body = ReminderChange,
    responses(
        (status = 200, description = "Changed.", body = Reminder),
        KeyErrors, (status = 404, response = NotFound), (status = 409, response = Conflict), BodyErrors,
    ))]
pub async fn change_reminder(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<ReminderChange>) -> Result<axum::Json<Reminder>, AppError> {
    let change = body.value;
    let actor = Actor::api_key(&key.name);
    if change.action != "reschedule" && (change.due_at.is_some() || change.preset.is_some()) {
        let field = if change.due_at.is_some() { "due_at" } else { "preset" };
        return Err(AppError::field(field, "A new time goes with reschedule only; leave it out to mark done or cancel."));
    }
    match change.action.as_str() {
        "done" => reminders::complete(&state.db, &state.notifier, &actor, id).await.map(|_| ())?,
        "cancel" => reminders::cancel(&state.db, &actor, id).await.map(|_| ())?,
        "reschedule" => reminders::reschedule(&state.db, &actor, id, due(change.due_at, change.preset)).await.map(|_| ())?,
        _ => return Err(AppError::field("action", "Use done, cancel or reschedule.")),
    };
    answer(&state, id).await
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
