//! Data in and out for managers: the CSV import's upload (`POST /data/imports`, a plain
//! multipart form) and the CSV exports of contacts, deals and timelines
//! (`GET /data/export/{contacts,deals,activities}.csv`), streamed a page at a time so a
//! million deals never sit in memory. Times are UTC (RFC 3339); budgets are in whole units,
//! as the import reads them back.

use std::collections::HashMap;
use std::sync::Arc;

use app::auth::Role;
use app::common::money_text;
use app::db::entities::{activity, contact, deal, user};
use app::error::AppError;
use app::imports::table::MAX_BYTES;
use app::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::routing::{get, post};
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::extract::{InWords, Session};
use super::reports::cell;
use super::upload::{one_file, Wanted};
use super::Routes;

/// The upload's limit, with room for the form around the file.
pub const BODY_LIMIT: usize = MAX_BYTES + 64 * 1024;
const PAGE: u64 = 2000;

pub fn routes() -> Routes {
    Routes {
        session: Router::new()
            .route("/data/imports", post(upload).layer(DefaultBodyLimit::max(BODY_LIMIT)))
            .route("/data/export/{file}", get(export)),
        ..Routes::default()
    }
}

fn back(message: &str) -> Response {
    Redirect::to(&format!("/data?import_error={}#import", app::common::urlencode(message))).into_response()
}

pub async fn upload(State(state): State<AppState>, session: Session, mut multipart: Multipart) -> Result<Response, InWords> {
    let user = session.at_least(Role::Manager)?;
    let wanted = Wanted { default_name: "contacts.csv", choose: "upload-choose-csv", limit_text: "upload-csv-limit", limit: MAX_BYTES };
    let (name, bytes) = match one_file(&mut multipart, &wanted).await {
        Ok(file) => file,
        Err(message) => return Ok(back(&message)),
    };
    match app::imports::service::stage(&state.db, user, &name, bytes).await {
        Ok(token) => Ok(Redirect::to(&format!("/data/imports/{token}")).into_response()),
        Err(AppError::Validation(fields)) => Ok(back(&fields.values().cloned().collect::<Vec<_>>().join(" "))),
        // A full disk or a database away: said on the Data page, to try again later.
        Err(err @ (AppError::Outage(_) | AppError::Unavailable(_))) => Ok(back(&err.in_language(&app::language::Language::stored(&user.language).unwrap_or_default()))),
        Err(err) => Err(err.into()),
    }
}

#[derive(Clone, Copy)]
enum Export {
    Contacts,
    Deals,
    Activities,
}

impl Export {
    fn header(self) -> &'static [&'static str] {
        match self {
            Export::Contacts => &["contact_id", "name", "phone", "email", "whatsapp", "language", "marketing_consent", "created_at"],
            Export::Deals => DEAL_COLUMNS,
            Export::Activities => &["activity_id", "occurred_at", "deal_id", "contact_id", "kind", "direction", "author", "body"],
        }
    }
}

/// Names the exports need, read once.
struct Names {
    stages: HashMap<i64, String>,
    people: HashMap<i64, String>,
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// The columns of a deal in every CSV Doorstep writes (the Data export, which the import
/// reads back, and the deals behind a report's figure): times in UTC, money in whole units.
pub(super) const DEAL_COLUMNS: &[&str] = &[
    "deal_id", "created_at", "contact_id", "name", "phone", "email", "need", "stage", "owner", "source", "campaign", "budget_min", "budget_max",
    "currency", "areas", "bedrooms", "property_ref", "first_response_at", "closed_at", "won_value", "lost_reason",
];

/// A deal as a row of [`DEAL_COLUMNS`], with its contact and the names of its stage and owner.
pub(super) fn deal_row(d: deal::Model, c: Option<&contact::Model>, stage: Option<&String>, owner: Option<&String>) -> Vec<String> {
    let opt = |s: Option<String>| cell(s.unwrap_or_default());
    vec![
        d.id.to_string(),
        time(Some(d.created_at)),
        d.contact_id.to_string(),
        cell(c.map(|c| c.name.clone()).unwrap_or_default()),
        opt(c.and_then(|c| c.phone.clone())),
        opt(c.and_then(|c| c.email.clone())),
        cell(d.need),
        cell(stage.cloned().unwrap_or_default()),
        cell(owner.cloned().unwrap_or_default()),
        cell(d.source),
        opt(d.utm_campaign),
        money_text(d.budget_min),
        money_text(d.budget_max),
        d.currency,
        opt(d.areas),
        d.bedrooms.map(|b| b.to_string()).unwrap_or_default(),
        opt(d.property_ref),
        time(d.first_response_at),
        time(d.closed_at),
        money_text(d.won_value),
        opt(d.lost_reason),
    ]
}

/// The rows after `after` (by id), and the last id among them.
async fn page(state: &AppState, names: &Names, what: Export, after: i64) -> Result<(Vec<Vec<String>>, Option<i64>), AppError> {
    let db = &state.db;
    let opt = |s: Option<String>| cell(s.unwrap_or_default());
    Ok(match what {
        Export::Contacts => {
            let rows = contact::Entity::find().filter(contact::Column::Id.gt(after)).order_by_asc(contact::Column::Id).limit(PAGE).all(db).await?;
            let last = rows.last().map(|c| c.id);
            let out = rows
                .into_iter()
                .map(|c| vec![c.id.to_string(), cell(c.name), opt(c.phone), opt(c.email), opt(c.whatsapp), opt(c.language), c.marketing_consent.to_string(), time(Some(c.created_at))])
                .collect();
            (out, last)
        }
        Export::Deals => {
            let rows = deal::Entity::find().filter(deal::Column::Id.gt(after)).order_by_asc(deal::Column::Id).limit(PAGE).all(db).await?;
            let last = rows.last().map(|d| d.id);
            let ids: Vec<i64> = rows.iter().map(|d| d.contact_id).collect();
            let contacts: HashMap<i64, contact::Model> =
                contact::Entity::find().filter(contact::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|c| (c.id, c)).collect();
            let out = rows
                .into_iter()
                .map(|d| {
                    let (stage, owner) = (names.stages.get(&d.stage_id), d.owner_id.and_then(|id| names.people.get(&id)));
                    let contact = contacts.get(&d.contact_id);
                    deal_row(d, contact, stage, owner)
                })
                .collect();
            (out, last)
        }
        Export::Activities => {
            let rows = activity::Entity::find().filter(activity::Column::Id.gt(after)).order_by_asc(activity::Column::Id).limit(PAGE).all(db).await?;
            let last = rows.last().map(|a| a.id);
            let out = rows
                .into_iter()
                .map(|a| {
                    vec![
                        a.id.to_string(),
                        time(Some(a.occurred_at)),
                        a.deal_id.map(|d| d.to_string()).unwrap_or_default(),
                        a.contact_id.to_string(),
                        a.kind.as_str().to_owned(),
                        a.direction.as_str().to_owned(),
                        cell(a.author_id.and_then(|id| names.people.get(&id).cloned()).unwrap_or_default()),
                        cell(a.body),
                    ]
                })
                .collect();
            (out, last)
        }
    })
}

fn encode(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Bytes, std::io::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    if let Some(header) = header {
        out.write_record(header)?;
    }
    for row in rows {
        out.write_record(row)?;
    }
    out.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

/// `GET /data/export/{contacts,deals,activities}.csv`, for managers.
pub async fn export(State(state): State<AppState>, Path(file): Path<String>, session: Session) -> Result<Response, InWords> {
    session.at_least(Role::Manager)?;
    let what = match file.as_str() {
        "contacts.csv" => Export::Contacts,
        "deals.csv" => Export::Deals,
        "activities.csv" => Export::Activities,
        _ => return Err(AppError::NotFound.into()),
    };
    let names = async {
        let stages = app::deals::service::stages(&state.db).await?.into_iter().map(|s| (s.id, s.name)).collect();
        let people = user::Entity::find().all(&state.db).await?.into_iter().map(|u| (u.id, u.name)).collect();
        Ok::<_, AppError>(Names { stages, people })
    };
    let names = Arc::new(names.await?);
    // The header goes first, then a page at a time until a page comes back empty.
    let pages = futures::stream::unfold(Some(None::<i64>), move |cursor| {
        let (state, names) = (state.clone(), names.clone());
        async move {
            let after = cursor?;
            let first = after.is_none();
            match page(&state, &names, what, after.unwrap_or(0)).await {
                Ok((rows, last)) => {
                    if rows.is_empty() && !first {
                        return None;
                    }
                    let next = last.map(Some);
                    Some((encode(first.then(|| what.header()), &rows), next))
                }
                Err(err) => {
                    tracing::error!(error = %err, "a CSV export stopped");
                    Some((Err(std::io::Error::other("the export stopped")), None))
                }
            }
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"doorstep-{file}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        // Fused: the compression layer may ask again after the end, which a bare unfold
        // answers with a panic.
        Body::from_stream(futures::StreamExt::fuse(pages)),
    )
        .into_response())
}
