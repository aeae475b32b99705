//! Deals for tools with an admin key: the stages, deals listed, read and changed (with
//! `If-Match` on the version), and what happened logged on a deal's timeline.

use app::deals::service::{self as deals, DealRecord};
use app::deals::{DealId, Outcome, StageKind, StageMove};
use app::error::AppError;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{MAX_PAGE, positive, BodyErrors, IdParam, Invalid, KeyErrors, NotFound, Stale, VersionRequired};
use super::extract::{AdminKey, Id, IfMatch, Json, Query};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        api: OpenApiRouter::new()
            .routes(routes!(list_stages))
            .routes(routes!(list_deals))
            .routes(routes!(get_deal, patch_deal))
            .routes(routes!(post_activity)),
        ..Routes::default()
    }
}

/// A stage of the pipeline, with how many deals stand in it.
#[derive(Serialize, ToSchema)]
pub struct Stage {
    id: i64,
    name: String,
    position: i32,
    kind: StageKind,
    stale_after_days: Option<i32>,
    deals: u64,
}

/// `GET /api/v1/stages` (admin keys): the pipeline's stages in order, with their deal counts.
#[utoipa::path(get, path = "/stages", summary = "List the pipeline's stages", description = "Needs an admin key.",
    responses(
        (status = 200, description = "The stages in order.", body = Vec<Stage>),
        KeyErrors,
    ))]
pub async fn list_stages(State(state): State<AppState>, _key: AdminKey) -> Result<axum::Json<Vec<Stage>>, AppError> {
    let stages = deals::pipeline_stages(&state.db).await?;
    Ok(axum::Json(
        stages
            .into_iter()
            .map(|s| Stage { id: s.id, name: s.name, position: s.position, kind: s.kind, stale_after_days: s.stale_after_days, deals: s.deals })
            .collect(),
    ))
}

/// The filters of `GET /deals`, read as text so each bad one is named in the answer.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealListQuery {
    /// Only this stage's deals.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    stage: Option<String>,
    /// Only this user's deals.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 9_223_372_036_854_775_807i64)]
    owner: Option<String>,
    /// Exact source, like form:contact or api:idealista.
    #[param(value_type = String, required = false)]
    source: Option<String>,
    /// Part of the contact's name, e-mail or phone digits.
    #[param(value_type = String, required = false)]
    q: Option<String>,
    /// From 1.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1_000_000)]
    page: Option<String>,
    /// At most 200; 50 unless given.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 200, default = 50)]
    per_page: Option<String>,
}

/// A page of deals, most recently changed first.
#[derive(Serialize, ToSchema)]
pub struct DealPage {
    deals: Vec<DealRecord>,
    page: u64,
    per_page: u64,
    total: u64,
}

/// `GET /api/v1/deals` (admin keys): deals most recently changed first, filtered and paged.
#[utoipa::path(get, path = "/deals", summary = "List deals", description = "Needs an admin key. Most recently changed first.", params(DealListQuery),
    responses(
        (status = 200, description = "A page of deals, most recently changed first.", body = DealPage),
        KeyErrors, (status = 422, response = Invalid),
    ))]
pub async fn list_deals(State(state): State<AppState>, _key: AdminKey, Query(query): Query<DealListQuery>) -> Result<axum::Json<DealPage>, AppError> {
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
    let (deals, total) = deals::records(&state.db, &filter).await?;
    Ok(axum::Json(DealPage { deals, page: filter.page, per_page: filter.per_page, total }))
}

/// The deal with its version as the ETag, for If-Match.
fn with_etag(record: DealRecord) -> Response {
    let etag = format!("\"{}\"", record.version);
    ([(header::ETAG, etag)], axum::Json(record)).into_response()
}

/// `GET /api/v1/deals/{id}` (admin keys). The ETag is the deal's version, for If-Match.
#[utoipa::path(get, path = "/deals/{id}", summary = "Read a deal", description = "Needs an admin key.", params(IdParam),
    responses(
        (status = 200, description = "The deal; its ETag header is its version.", body = DealRecord),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn get_deal(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(with_etag(deals::record(&state.db, id).await?))
}

/// One change to a deal: a stage (with what that stage needs) or an owner.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    /// null is the same as leaving it out.
    stage_id: Option<i64>,
    /// Needed when moving to a lost stage: one of the admin's reasons.
    lost_reason: Option<String>,
    /// Needed when moving to a won stage: whole units or as typed.
    #[serde(default, deserialize_with = "app::common::number_text")]
    #[schema(schema_with = app::common::amount_schema)]
    won_value: String,
    owner_id: Option<i64>,
}

/// `PATCH /api/v1/deals/{id}` (admin keys): moves the deal (`stage_id`, with `lost_reason` or
/// `won_value` where the stage needs them) or hands it to `owner_id`, one change per request.
/// `If-Match` must carry the version the change is based on: 428 without it, 412 when the
/// deal has changed since.
#[utoipa::path(patch, path = "/deals/{id}", summary = "Move a deal or change its owner",
    description = "Needs an admin key. One change per request. If-Match must carry the version the change is based on (the ETag of a GET).",
    params(IdParam, ("If-Match" = String, Header, description = "The version the change is based on.", example = "\"3\"")),
    request_body = DealPatch,
    responses(
        (status = 200, description = "Changed; the new ETag is the new version.", body = DealRecord),
        KeyErrors, (status = 404, response = NotFound), (status = 412, response = Stale), (status = 428, response = VersionRequired), BodyErrors,
    ))]
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
            let won_value = (!patch.won_value.trim().is_empty()).then_some(patch.won_value);
            deals::move_stage(&state.db, &state.notifier, &actor, DealId(id), version, StageMove { stage_id, lost_reason: patch.lost_reason, won_value }).await?
        }
        (None, Some(owner_id)) => deals::reassign(&state.db, &state.notifier, &actor, DealId(id), version, owner_id).await?,
        _ => return Err(AppError::field("stage_id", "Send one change per request: a stage_id or an owner_id.")),
    };
    Ok(with_etag(deals::record(&state.db, id).await?))
}

/// What happened, as the quick outcome buttons log it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Activity)]
pub struct ActivityRequest {
    #[schema(value_type = Outcome)]
    outcome: String,
    /// What was said; needed for a note.
    #[serde(default)]
    #[schema(max_length = 5000)]
    body: String,
}

/// An outcome logged on a deal.
#[derive(Serialize, ToSchema)]
pub struct Logged {
    deal_id: i64,
    outcome: Outcome,
}

/// `POST /api/v1/deals/{id}/activities` (admin keys): logs what happened, as the quick
/// outcome buttons do (`note` needs a body).
#[utoipa::path(post, path = "/deals/{id}/activities", summary = "Log what happened on a deal",
    description = "Needs an admin key. The first contact with the client (a call, WhatsApp, e-mail or viewing) answers the lead.",
    params(IdParam), request_body = ActivityRequest,
    responses(
        (status = 201, description = "Logged on the deal's timeline.", body = Logged),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn post_activity(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<ActivityRequest>) -> Result<(StatusCode, axum::Json<Logged>), AppError> {
    let request = body.value;
    let outcome = Outcome::parse(&request.outcome).map_err(|_| {
        let names: Vec<&str> = Outcome::BUTTONS.iter().map(|o| o.as_str()).chain(["note"]).collect();
        AppError::field("outcome", format!("Use one of: {}.", names.join(", ")))
    })?;
    let actor = deals::Actor::api_key(&key.name);
    deals::log_outcome(&state.db, &state.notifier, &actor, id, outcome, &request.body).await?;
    Ok((StatusCode::CREATED, axum::Json(Logged { deal_id: id, outcome })))
}
