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
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{Invalid, KeyErrors};
use super::extract::{AdminKey, InWords, Session};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        session: Router::new().route("/reports/export/{file}", get(export)),
        api: OpenApiRouter::new()
            .routes(routes!(report_dashboard))
            .routes(routes!(report_open))
            .routes(routes!(report_funnel))
            .routes(routes!(report_speed))
            .routes(routes!(report_team))
            .routes(routes!(report_sources))
            .routes(routes!(report_stage_time))
            .routes(routes!(report_weekly))
            .routes(routes!(report_deals)),
        ..Routes::default()
    }
}

/// The most deals one CSV download lists.
const CSV_ROWS: u64 = 200_000;

/// The period and scope every figure is computed for.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// First day (YYYY-MM-DD, agency time zone; empty: 29 days before `to`). The period is at most three years.
    #[param(value_type = String, required = false, pattern = r"^[\s\u0085]*([0-9]{4}-[0-9]{2}-[0-9]{2})?[\s\u0085]*$")]
    from: Option<String>,
    /// Last day, included (YYYY-MM-DD; empty: today).
    #[param(value_type = String, required = false, pattern = r"^[\s\u0085]*([0-9]{4}-[0-9]{2}-[0-9]{2})?[\s\u0085]*$")]
    to: Option<String>,
    /// Only this owner's deals (a user id; empty: everyone's).
    #[param(value_type = String, required = false, pattern = r"^[\s\u0085]*(-?[0-9]{1,18})?[\s\u0085]*$")]
    agent: Option<String>,
    /// Only deals from this source.
    #[param(value_type = String, required = false)]
    source: Option<String>,
}

/// The figure whose deals are listed, and the page, as a query string brings them (beside
/// the [`Filters`] of the same query string).
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Behind {
    /// Which figure's deals.
    #[param(value_type = FigureName, inline, required = true)]
    figure: Option<String>,
    /// For open, reached and stage_time.
    #[param(value_type = i64, required = false, minimum = -9_223_372_036_854_775_808i64, maximum = 9_223_372_036_854_775_807i64)]
    stage: Option<i64>,
    /// For agent_open, agent_won, stale and overdue (0: nobody).
    #[param(value_type = i64, required = false, minimum = -9_223_372_036_854_775_808i64, maximum = 9_223_372_036_854_775_807i64)]
    owner: Option<i64>,
    /// For answered_within.
    #[param(value_type = i64, required = false, minimum = -9_223_372_036_854_775_808i64, maximum = 9_223_372_036_854_775_807i64)]
    minutes: Option<i64>,
    /// The lost reason, the source, or the week's first day.
    #[param(value_type = String, required = false)]
    key: Option<String>,
    #[param(value_type = String, required = false)]
    campaign: Option<String>,
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1_000_000)]
    page: Option<u64>,
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1000)]
    per_page: Option<u64>,
}

/// The figures whose deals can be listed, as the document declares `figure` (the same words
/// as [`Figure::NAMES`], which reads them; a test holds the two together).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum FigureName {
    Open,
    Leads,
    Reached,
    Won,
    Lost,
    LostReason,
    AnsweredWithin,
    Unanswered,
    AgentOpen,
    AgentWon,
    Stale,
    Overdue,
    Source,
    SourceWon,
    StageTime,
    WeekNew,
    WeekWon,
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    #[test]
    fn the_document_names_every_figure_the_reports_read() {
        let schema = serde_json::to_value(super::FigureName::schema()).unwrap();
        let names: Vec<&str> = schema["enum"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(names, app::reports::Figure::NAMES);
    }
}

impl Filters {
    fn query(&self) -> Result<ReportQuery, AppError> {
        let agent = match self.agent.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| AppError::field("agent", "Give the agent as their user id."))?),
        };
        Ok(ReportQuery { from: self.from.clone(), to: self.to.clone(), agent, source: self.source.clone() })
    }
}

impl Behind {
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
                format!("Name the figure, one of {} (with stage, owner, minutes, key or campaign as it needs).", Figure::NAMES.join(", ")),
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
            let mut rows = vec![vec![app::language::t("reports-csv-new-leads-row"), n(d.funnel.leads), String::new(), String::new()]];
            let mut before = d.funnel.leads;
            for s in &d.funnel.steps {
                rows.push(vec![cell(&s.name), n(s.reached), rate(s.reached, before), rate(s.reached, d.funnel.leads)]);
                before = s.reached;
            }
            rows.push(vec![app::language::t("reports-csv-won-row"), n(d.funnel.won), rate(d.funnel.won, before), rate(d.funnel.won, d.funnel.leads)]);
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

pub(crate) fn csv_response<H: AsRef<[u8]>>(file: &str, header: &[H], rows: Vec<Vec<String>>) -> Response {
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
    filters: Query<Filters>,
    params: Query<Behind>,
) -> Result<Response, InWords> {
    let user = session.at_least(Role::Manager)?;
    let name = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let query = filters.query()?;
    if name == "deals" {
        let figure = params.figure()?;
        let (header, rows) = deal_rows(&state, &user.time_zone, &query, &figure).await?;
        return Ok(csv_response(&file, &header, rows));
    }
    let d = reports::dashboard(&state.db, &user.time_zone, &query).await?;
    // A dashboard table is read by people, in the manager's language. (The deals behind a
    // figure keep the Data export's columns, which the importer reads back.)
    let language = app::language::Language::stored(&user.language).unwrap_or_default();
    let (header, rows) = app::language::for_reader_now(language.clone(), || table(&d, name)).ok_or(AppError::NotFound)?;
    let header: Vec<String> = header.iter().map(|column| language.t(&format!("reports-csv-{}", column.replace('_', "-")))).collect();
    Ok(csv_response(&file, &header, rows))
}

/// The deals behind a figure as CSV rows, in the columns of the Data export.
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
    let rows = rows
        .into_iter()
        .map(|d| {
            let (stage, owner) = (stages.get(&d.stage_id), d.owner_id.and_then(|id| names.get(&id)));
            let contact = contacts.get(&d.contact_id);
            super::imports::deal_row(d, contact, stage, owner)
        })
        .collect();
    Ok((super::imports::DEAL_COLUMNS.to_vec(), rows))
}

/// `GET /api/v1/reports/{name}`: one part of the dashboard, with the scope it was computed for
/// (`dashboard` is every part at once).
async fn report(state: AppState, params: Result<super::extract::Query<Filters>, AppError>, name: &str) -> Result<axum::Json<serde_json::Value>, AppError> {
    let super::extract::Query(filters) = params
        .map_err(|_| AppError::field("query", "The query string cannot be read; use from, to (YYYY-MM-DD), agent (a user id) and source."))?;
    let query = filters.query()?;
    let time_zone = app::agency::load(&state.db).await?.time_zone;
    let d = reports::dashboard(&state.db, &time_zone, &query).await?;
    let scope = serde_json::to_value(&d.scope).map_err(|_| AppError::Internal)?;
    let part = match name {
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
    Ok(axum::Json(if name == "dashboard" { part } else { json!({"scope": scope, name.replace('-', "_"): part}) }))
}

/// One route per part of the dashboard, each described in the API's document.
macro_rules! report_route {
    ($handler:ident, $path:literal, $name:literal, $summary:literal) => {
        #[utoipa::path(get, path = $path, summary = $summary, tag = "reports", params(Filters),
            responses(
                (status = 200, description = "The figure, with the scope it was computed for."),
                KeyErrors, (status = 422, response = Invalid),
    ))]
        pub async fn $handler(State(state): State<AppState>, _key: AdminKey, params: Result<super::extract::Query<Filters>, AppError>) -> Result<axum::Json<serde_json::Value>, AppError> {
            report(state, params, $name).await
        }
    };
}

report_route!(report_dashboard, "/reports/dashboard", "dashboard", "Every figure of the manager's dashboard");
report_route!(report_open, "/reports/open", "open", "Open deals per stage now, with their value");
report_route!(report_funnel, "/reports/funnel", "funnel", "The funnel of the deals created in the period, and lost reasons");
report_route!(report_speed, "/reports/speed", "speed", "Speed to lead: median, 90th percentile, share answered within 5 minutes and 1 hour, per agent and source");
report_route!(report_team, "/reports/team", "team", "Per agent: open deals, follow-ups done and overdue, stale deals, won deals and value");
report_route!(report_sources, "/reports/sources", "sources", "Per source and campaign: leads, won, won value");
report_route!(report_stage_time, "/reports/stage-time", "stage-time", "Median days in each stage");
report_route!(report_weekly, "/reports/weekly", "weekly", "New leads and won deals per week");

/// A deal behind a figure.
#[derive(Serialize, ToSchema)]
pub struct DealBehind {
    id: i64,
    created_at: chrono::DateTime<Utc>,
    stage_id: i64,
    owner_id: Option<i64>,
    source: String,
    campaign: Option<String>,
    first_response_at: Option<chrono::DateTime<Utc>>,
    closed_at: Option<chrono::DateTime<Utc>>,
    /// Minor units (cents).
    won_value: Option<i64>,
    currency: String,
    lost_reason: Option<String>,
}

/// A page of the deals behind a figure.
#[derive(Serialize, ToSchema)]
pub struct DealsBehind {
    /// The figure in words.
    title: String,
    total: u64,
    page: u64,
    per_page: u64,
    deals: Vec<DealBehind>,
}

/// `GET /api/v1/reports/deals`: the deals behind one figure, a page at a time.
#[utoipa::path(get, path = "/reports/deals", summary = "The deals behind one figure", tag = "reports", params(Filters, Behind),
    responses(
        (status = 200, description = "A page of deals.", body = DealsBehind),
        KeyErrors, (status = 422, response = Invalid),
    ))]
pub async fn report_deals(
    State(state): State<AppState>,
    _key: AdminKey,
    filters: Result<super::extract::Query<Filters>, AppError>,
    params: Result<super::extract::Query<Behind>, AppError>,
) -> Result<axum::Json<DealsBehind>, AppError> {
    let unreadable = |_| AppError::field("query", "The query string cannot be read; use from, to (YYYY-MM-DD), agent (a user id), source and the figure's own fields.");
    let (super::extract::Query(filters), super::extract::Query(params)) = (filters.map_err(unreadable)?, params.map_err(unreadable)?);
    let query = filters.query()?;
    let time_zone = app::agency::load(&state.db).await?.time_zone;
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
    let deals = rows
        .into_iter()
        .map(|d| DealBehind {
            id: d.id,
            created_at: d.created_at,
            stage_id: d.stage_id,
            owner_id: d.owner_id,
            source: d.source,
            campaign: d.utm_campaign,
            first_response_at: d.first_response_at,
            closed_at: d.closed_at,
            won_value: d.won_value,
            currency: d.currency,
            lost_reason: d.lost_reason,
        })
        .collect();
    Ok(axum::Json(DealsBehind { title, total, page, per_page, deals }))
}
