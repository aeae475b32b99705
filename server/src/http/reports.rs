//! The manager's figures outside the page: CSV downloads of every dashboard table and of the
//! deals behind a number (for a logged-in manager or admin), and the same figures as JSON under
//! `/api/v1/reports/` for the agency's own BI tools (admin API keys; periods in the agency's
//! time zone).

use std::collections::HashMap;

use app::auth::Role;
use app::db::entities::{contact, deal};
use app::deals::Money;
use app::error::AppError;
use app::reports::service as reports;
use app::reports::{Dashboard, Figure, FigureParams, ReportQuery};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use serde_json::json;

use super::extract::{AdminKey, InWords, Session};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        session: Router::new().route("/reports/export/{file}", get(export)),
        api: Router::new().route("/api/v1/reports/{name}", get(api)),
        ..Routes::default()
    }
}

/// The most deals one CSV download lists.
const CSV_ROWS: u64 = 200_000;

/// The filters and the figure, as a query string brings them.
#[derive(Deserialize, Default)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    agent: Option<String>,
    source: Option<String>,
    figure: Option<String>,
    stage: Option<i64>,
    owner: Option<i64>,
    minutes: Option<i64>,
    key: Option<String>,
    campaign: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl Params {
    fn query(&self) -> Result<ReportQuery, AppError> {
        let agent = match self.agent.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| AppError::field("agent", "Give the agent as their user id."))?),
        };
        Ok(ReportQuery { from: self.from.clone(), to: self.to.clone(), agent, source: self.source.clone() })
    }

    fn figure(&self) -> Result<Figure, AppError> {
        Figure::parse(&FigureParams {
            figure: self.figure.clone(),
            stage: self.stage,
            owner: self.owner,
            minutes: self.minutes,
            key: self.key.clone(),
            campaign: self.campaign.clone(),
        })
        .ok_or_else(|| {
            AppError::field(
                "figure",
                "Name the figure: open, leads, reached, won, lost, lost_reason, answered_within, unanswered, agent_open, agent_won, stale, overdue, source, source_won, stage_time, week_new or week_won (with stage, owner, minutes, key or campaign as it needs).",
            )
        })
    }
}

/// A cell as a spreadsheet should take it: text that would start a formula is quoted.
pub(crate) fn cell(raw: impl ToString) -> String {
    let raw = raw.to_string();
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) && raw.parse::<f64>().is_err() { format!("'{raw}") } else { raw }
}

/// Amounts per currency in major units: "EUR 250000.00; GBP 1200.50".
fn amounts(values: &[Money]) -> String {
    values
        .iter()
        .map(|m| format!("{} {}{}.{:02}", m.currency, if m.minor < 0 { "-" } else { "" }, m.minor.unsigned_abs() / 100, m.minor.unsigned_abs() % 100))
        .collect::<Vec<_>>()
        .join("; ")
}

fn rate(part: u64, whole: u64) -> String {
    if whole == 0 { String::new() } else { format!("{:.4}", part as f64 / whole as f64) }
}

fn minutes(m: Option<i64>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// One dashboard table as a header and rows.
pub fn table(d: &Dashboard, name: &str) -> Option<(Vec<&'static str>, Vec<Vec<String>>)> {
    let n = |v: u64| v.to_string();
    Some(match name {
        "open" => (
            vec!["stage", "deals", "value"],
            d.open.iter().map(|o| vec![cell(&o.name), n(o.deals), amounts(&o.value)]).collect(),
        ),
        "funnel" => {
            let mut rows = vec![vec!["New leads".to_string(), n(d.funnel.leads), String::new(), String::new()]];
            let mut before = d.funnel.leads;
            for s in &d.funnel.steps {
                rows.push(vec![cell(&s.name), n(s.reached), rate(s.reached, before), rate(s.reached, d.funnel.leads)]);
                before = s.reached;
            }
            rows.push(vec!["Won".into(), n(d.funnel.won), rate(d.funnel.won, before), rate(d.funnel.won, d.funnel.leads)]);
            (vec!["stage", "reached", "from_step_before", "from_all_leads"], rows)
        }
        "lost-reasons" => (
            vec!["reason", "deals", "share"],
            d.funnel.lost_reasons.iter().map(|(r, c)| vec![cell(r), n(*c), rate(*c, d.funnel.lost)]).collect(),
        ),
        "speed" => {
            let rows = std::iter::once(("all", &d.speed.total))
                .chain(d.speed.by_agent.iter().map(|r| ("agent", r)))
                .chain(d.speed.by_source.iter().map(|r| ("source", r)))
                .map(|(group, r)| {
                    vec![
                        group.to_string(),
                        cell(&r.key),
                        cell(&r.label),
                        n(r.leads),
                        n(r.answered),
                        minutes(r.median_minutes),
                        minutes(r.p90_minutes),
                        n(r.within_5m),
                        n(r.within_1h),
                    ]
                })
                .collect();
            (vec!["group", "key", "name", "leads", "answered", "median_minutes", "p90_minutes", "within_5_minutes", "within_1_hour"], rows)
        }
        "team" => (
            vec!["agent_id", "agent", "away", "open", "follow_ups_done", "follow_ups_overdue", "stale", "won", "won_value"],
            d.team
                .iter()
                .map(|r| vec![n(r.id as u64), cell(&r.name), r.away.to_string(), n(r.open), n(r.done), n(r.overdue), n(r.stale), n(r.won), amounts(&r.won_value)])
                .collect(),
        ),
        "sources" => (
            vec!["source", "campaign", "leads", "won", "won_value", "conversion"],
            d.by_source.iter().map(|r| vec![cell(&r.source), cell(&r.campaign), n(r.leads), n(r.won), amounts(&r.won_value), rate(r.won, r.leads)]).collect(),
        ),
        "stage-time" => (
            vec!["stage", "stays", "median_days"],
            d.stage_time.iter().map(|t| vec![cell(&t.name), n(t.stays), minutes(t.median_days)]).collect(),
        ),
        "weekly" => (vec!["week_from", "new_leads", "won"], d.weekly.iter().map(|w| vec![w.start.clone(), n(w.new_leads), n(w.won)]).collect()),
        _ => return None,
    })
}

pub(crate) fn csv_response(file: &str, header: &[&str], rows: Vec<Vec<String>>) -> Response {
    let write = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(header)?;
        for row in rows {
            out.write_record(&row)?;
        }
        Ok(out.into_inner().map_err(|e| e.to_string())?)
    };
    match write() {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"doorstep-{file}\"")),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "writing a CSV failed");
            AppError::Internal.into_response()
        }
    }
}

/// `GET /reports/export/{table}.csv`: one dashboard table, or `deals.csv` for the deals
/// behind a figure.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    session: Session,
    params: Query<Params>,
) -> Result<Response, InWords> {
    let user = session.at_least(Role::Manager)?;
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let query = params.query()?;
    if name == "deals" {
        let figure = params.figure()?;
        let (header, rows) = deal_rows(&state, &user.time_zone, &query, &figure).await?;
        return Ok(csv_response(&file, &header, rows));
    }
    let d = reports::dashboard(&state.db, &user.time_zone, &query).await?;
    let (header, rows) = table(&d, name).ok_or(AppError::NotFound)?;
    Ok(csv_response(&file, &header, rows))
}

/// The deals behind a figure as CSV rows; times are UTC (RFC 3339), money in minor units.
async fn deal_rows(state: &AppState, time_zone: &str, query: &ReportQuery, figure: &Figure) -> Result<(Vec<&'static str>, Vec<Vec<String>>), AppError> {
    let now = Utc::now();
    let f = reports::filter(query, time_zone, now)?;
    let (select, _, names) = reports::behind(&state.db, &f, figure, now).await?;
    let rows = select.order_by_desc(deal::Column::CreatedAt).limit(CSV_ROWS + 1).all(&state.db).await?;
    if rows.len() as u64 > CSV_ROWS {
        return Err(AppError::field("from", format!("This lists more than {CSV_ROWS} deals; choose a shorter period.")));
    }
    let stages: HashMap<i64, String> = app::deals::service::stages(&state.db).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let mut contacts: HashMap<i64, contact::Model> = HashMap::new();
    for chunk in rows.chunks(1000) {
        let ids: Vec<i64> = chunk.iter().map(|d| d.contact_id).collect();
        contacts.extend(contact::Entity::find().filter(contact::Column::Id.is_in(ids)).all(&state.db).await?.into_iter().map(|c| (c.id, c)));
    }
    let time = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    use app::common::money_text;
    let header = vec![
        "deal_id", "created_at", "contact", "phone", "email", "need", "stage", "owner", "source", "campaign", "budget_min", "budget_max",
        "currency", "first_response_at", "closed_at", "won_value", "lost_reason",
    ];
    let rows = rows
        .into_iter()
        .map(|d| {
            let c = contacts.get(&d.contact_id);
            vec![
                d.id.to_string(),
                time(Some(d.created_at)),
                cell(c.map(|c| c.name.clone()).unwrap_or_default()),
                cell(c.and_then(|c| c.phone.clone()).unwrap_or_default()),
                cell(c.and_then(|c| c.email.clone()).unwrap_or_default()),
                cell(&d.need),
                cell(stages.get(&d.stage_id).cloned().unwrap_or_default()),
                cell(d.owner_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default()),
                cell(&d.source),
                cell(d.utm_campaign.clone().unwrap_or_default()),
                // Whole units, as the Data export writes them and the import reads them.
                money_text(d.budget_min),
                money_text(d.budget_max),
                d.currency.clone(),
                time(d.first_response_at),
                time(d.closed_at),
                money_text(d.won_value),
                cell(d.lost_reason.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Ok((header, rows))
}

/// `GET /api/v1/reports/{name}`: `dashboard` (everything) or one part of it, or `deals` for the
/// deals behind a figure, a page at a time.
pub async fn api(
    State(state): State<AppState>,
    _key: AdminKey,
    Path(name): Path<String>,
    params: Result<super::extract::Query<Params>, AppError>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let super::extract::Query(params) = params
        .map_err(|_| AppError::field("query", "The query string cannot be read; use from, to (YYYY-MM-DD), agent (a user id) and source."))?;
    let result = async {
        let query = params.query()?;
        let time_zone = app::agency::load(&state.db).await?.time_zone;
        if name == "deals" {
            let figure = params.figure()?;
            let now = Utc::now();
            let f = reports::filter(&query, &time_zone, now)?;
            let (select, title, _) = reports::behind(&state.db, &f, &figure, now).await?;
            let per_page = params.per_page.unwrap_or(100);
            if per_page == 0 || per_page > 1000 {
                return Err(AppError::field("per_page", "Ask for 1 to 1000 deals per page."));
            }
            let page = params.page.unwrap_or(1);
            if !(1..=1_000_000).contains(&page) {
                return Err(AppError::field("page", "Ask for a page from 1 to 1000000."));
            }
            let total = sea_orm::PaginatorTrait::count(select.clone(), &state.db).await?;
            let rows = select
                .order_by_desc(deal::Column::CreatedAt)
                .order_by_desc(deal::Column::Id)
                .offset(app::db::offset(page, per_page))
                .limit(per_page)
                .all(&state.db)
                .await?;
            let deals: Vec<_> = rows
                .iter()
                .map(|d| {
                    json!({"id": d.id, "created_at": d.created_at, "stage_id": d.stage_id, "owner_id": d.owner_id, "source": d.source,
                           "campaign": d.utm_campaign, "first_response_at": d.first_response_at, "closed_at": d.closed_at,
                           "won_value": d.won_value, "currency": d.currency, "lost_reason": d.lost_reason})
                })
                .collect();
            return Ok(json!({"title": title, "total": total, "page": page, "per_page": per_page, "deals": deals}));
        }
        let d = reports::dashboard(&state.db, &time_zone, &query).await?;
        let scope = serde_json::to_value(&d.scope).unwrap_or_default();
        let part = match name.as_str() {
            "dashboard" => serde_json::to_value(&d),
            "open" => serde_json::to_value(&d.open),
            "funnel" => serde_json::to_value(&d.funnel),
            "speed" => serde_json::to_value(&d.speed),
            "team" => serde_json::to_value(&d.team),
            "sources" => serde_json::to_value(&d.by_source),
            "stage-time" => serde_json::to_value(&d.stage_time),
            "weekly" => serde_json::to_value(&d.weekly),
            _ => return Err(AppError::NotFound),
        }
        .map_err(|_| AppError::Internal)?;
        Ok(if name == "dashboard" { part } else { json!({"scope": scope, name.replace('-', "_"): part}) })
    };
    Ok(axum::Json(result.await?))
}

fn with_ok(errors: &serde_json::Value, description: &str) -> serde_json::Value {
    let mut out = errors.clone();
    out["200"] = json!({"description": description});
    out
}

/// The OpenAPI paths of the reports.
pub fn paths(errors: &dyn Fn(&[&str]) -> serde_json::Value) -> serde_json::Value {
    let responses = errors(&["401", "403", "422"]);
    let filters = json!([
        {"name": "from", "in": "query", "schema": {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"}, "description": "First day (YYYY-MM-DD, agency time zone; empty: 29 days before `to`). The period is at most three years."},
        {"name": "to", "in": "query", "schema": {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"}, "description": "Last day, included (YYYY-MM-DD; empty: today)."},
        {"name": "agent", "in": "query", "schema": {"type": "string", "pattern": "^(-?[0-9]{1,18})?$"}, "description": "Only this owner's deals (a user id; empty: everyone's)."},
        {"name": "source", "in": "query", "schema": {"type": "string"}, "description": "Only deals from this source."}
    ]);
    let part = |summary: &str| {
        json!({"get": {"summary": summary, "tags": ["reports"], "parameters": filters.clone(),
            "responses": with_ok(&responses, "The figure, with the scope it was computed for.")}})
    };
    let mut deal_params = filters.as_array().cloned().unwrap_or_default();
    deal_params.extend(
        json!([
            {"name": "figure", "in": "query", "required": true, "schema": {"type": "string", "enum": ["open", "leads", "reached", "won", "lost", "lost_reason", "answered_within", "unanswered", "agent_open", "agent_won", "stale", "overdue", "source", "source_won", "stage_time", "week_new", "week_won"]}},
            {"name": "stage", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}, "description": "For open, reached and stage_time."},
            {"name": "owner", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}, "description": "For agent_open, agent_won, stale and overdue (0: nobody)."},
            {"name": "minutes", "in": "query", "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}, "description": "For answered_within."},
            {"name": "key", "in": "query", "schema": {"type": "string"}, "description": "The lost reason, the source, or the week's first day."},
            {"name": "campaign", "in": "query", "schema": {"type": "string"}},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000000}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
        ])
        .as_array()
        .cloned()
        .unwrap_or_default(),
    );
    json!({
        "/reports/dashboard": part("Every figure of the manager's dashboard"),
        "/reports/open": part("Open deals per stage now, with their value"),
        "/reports/funnel": part("The funnel of the deals created in the period, and lost reasons"),
        "/reports/speed": part("Speed to lead: median, 90th percentile, share answered within 5 minutes and 1 hour, per agent and source"),
        "/reports/team": part("Per agent: open deals, follow-ups done and overdue, stale deals, won deals and value"),
        "/reports/sources": part("Per source and campaign: leads, won, won value"),
        "/reports/stage-time": part("Median days in each stage"),
        "/reports/weekly": part("New leads and won deals per week"),
        "/reports/deals": {"get": {"summary": "The deals behind one figure", "tags": ["reports"], "parameters": deal_params,
            "responses": with_ok(&responses, "A page of deals: title, total, page, per_page, deals.")}}
    })
}
