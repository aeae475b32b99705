//! The figures. Each reads a summary table for the whole UTC days of the period and the deals
//! themselves for the hours at its ends, and adds the two; see migration 9 for the tables.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Statement, Value,
};

use super::{
    AgentRow, Dashboard, DrillDown, Figure, Funnel, FunnelStep, OpenStage, Person, ReportQuery, Scope, SourceRow, Speed,
    SpeedRow, StageTime, Week, DRILL_PAGE,
};
use crate::auth::SessionUser;
use crate::db::entities::{deal, reminder, stage, user};
use crate::deals::Money;
use crate::error::{AppError, Validator};

/// The longest period a report covers.
pub const MAX_DAYS: i64 = 3 * 366;

/// A report's period and filters, resolved.
#[derive(Clone, Debug)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period as instants: from the first day's local midnight to the one after the last.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub agent: Option<i64>,
    pub source: Option<String>,
    pub tz: chrono_tz::Tz,
}

fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// The first instant of a local day (the day's first existing minute when DST skips midnight).
pub fn midnight(tz: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..180 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&at)
}

/// Reads the filters: by default the last 30 days to today.
pub fn filter(query: &ReportQuery, time_zone: &str, now: DateTime<Utc>) -> Result<Filter, AppError> {
    let tz = zone(time_zone);
    let today = now.with_timezone(&tz).date_naive();
    let mut v = Validator::default();
    let mut date = |field: &'static str, raw: &Option<String>| -> Option<NaiveDate> {
        let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        v.check(
            field,
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .filter(|d| (1970..=2200).contains(&d.year()))
                .ok_or_else(|| "Enter a date like 2026-11-01.".to_string()),
        )
    };
    let to = date("to", &query.to).unwrap_or(today);
    let from = date("from", &query.from).unwrap_or(to - Duration::days(29));
    if from > to {
        v.add("from", "The period must start before it ends.");
    } else if (to - from).num_days() >= MAX_DAYS {
        v.add("from", format!("Choose a period of at most {MAX_DAYS} days."));
    }
    v.finish()?;
    let source = query.source.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Filter {
        from,
        to,
        start: midnight(tz, from),
        end: midnight(tz, to + Duration::days(1)),
        agent: query.agent,
        source,
        tz,
    })
}

/// How a stretch of time is read: whole UTC days from the summaries, the rest from the rows.
#[derive(Debug, Default, PartialEq)]
struct Pieces {
    /// Whole UTC days (days since 1970), `[first, end)`, each with the range it belongs to.
    days: Vec<(i64, usize)>,
    /// Partial stretches `[start, end)` and their range.
    edges: Vec<(DateTime<Utc>, DateTime<Utc>, usize)>,
}

const DAY: i64 = 86_400;

/// Splits consecutive ranges into whole UTC days and edges.
fn pieces(ranges: &[(DateTime<Utc>, DateTime<Utc>)]) -> Pieces {
    let mut out = Pieces::default();
    let at = |secs: i64| Utc.timestamp_opt(secs, 0).single().unwrap_or_default();
    for (i, (start, end)) in ranges.iter().enumerate() {
        let (s, e) = (start.timestamp(), end.timestamp());
        // Instants carry sub-second parts only at the edges the rows are read for.
        let first = if start.timestamp_subsec_nanos() == 0 && s % DAY == 0 { s / DAY } else { s.div_euclid(DAY) + 1 };
        let last = e.div_euclid(DAY);
        if first >= last {
            out.edges.push((*start, *end, i));
            continue;
        }
        if at(first * DAY) > *start {
            out.edges.push((*start, at(first * DAY), i));
        }
        out.days.extend((first..last).map(|d| (d, i)));
        if at(last * DAY) < *end {
            out.edges.push((at(last * DAY), *end, i));
        }
    }
    out
}

/// A statement with `?` placeholders, numbered for PostgreSQL.
fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        let mut n = 0;
        sql.chars()
            .map(|c| {
                if c == '?' {
                    n += 1;
                    format!("${n}")
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// The ` AND owner_id = ? AND source = ?` a filter adds to a summary query.
fn where_filters(f: &Filter, owner: &str, source: &str, values: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    if let Some(agent) = f.agent {
        sql.push_str(&format!(" AND {owner} = ?"));
        values.push(agent.into());
    }
    if let Some(s) = &f.source {
        sql.push_str(&format!(" AND {source} = ?"));
        values.push(s.clone().into());
    }
    sql
}

/// Whole UTC calendar months inside the whole days `[lo, hi)`, as their first days `[first, end)`.
fn whole_months(lo: i64, hi: i64) -> Option<(i64, i64)> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let start = epoch.checked_add_signed(Duration::days(lo))?;
    let first = if start.day() == 1 { start } else { start.with_day(1)?.checked_add_months(Months::new(1))? };
    let end = epoch.checked_add_signed(Duration::days(hi))?.with_day(1)?;
    (first < end).then(|| ((first - epoch).num_days(), (end - epoch).num_days()))
}

/// The stretches of `[lo, hi)` and the table each is read from: the whole months from
/// `<table>_month` (migration 10), the days around them from `table`.
fn stretches(table: &str, (lo, hi): (i64, i64), by_day: bool) -> Vec<(String, i64, i64)> {
    let whole = if by_day { None } else { whole_months(lo, hi) };
    let all = match whole {
        Some((first, end)) => vec![(table.to_string(), lo, first), (format!("{table}_month"), first, end), (table.to_string(), end, hi)],
        None => vec![(table.to_string(), lo, hi)],
    };
    all.into_iter().filter(|(_, a, b)| a < b).collect()
}

/// The ` AND owner_id = ? AND source = ?` a filter adds to a query of deals or stays, written
/// so the indexes on the owner serve it. Nobody's deals are owner 0 in the summaries and the
/// stays, and NULL in the deals.
fn row_filters(f: &Filter, values: &mut Vec<Value>) -> String {
    let mut sql = match f.agent {
        Some(0) => " AND COALESCE(owner_id, 0) = 0".to_string(),
        Some(agent) => {
            values.push(agent.into());
            " AND owner_id = ?".to_string()
        }
        None => String::new(),
    };
    if let Some(s) = &f.source {
        sql.push_str(" AND source = ?");
        values.push(s.clone().into());
    }
    sql
}

/// Summary rows of whole days `[lo, hi)`, grouped by `cols` (plus the day when `by_day`), with
/// `sums` summed. Whole months are read from the monthly summary unless `by_day`. Follow-ups
/// are filtered by assignee only. Every value comes back as text or a whole number.
async fn summary(
    db: &impl ConnectionTrait,
    f: &Filter,
    table: &str,
    days: (i64, i64),
    cols: &[&str],
    sums: &[&str],
    by_day: bool,
) -> Result<Vec<sea_orm::QueryResult>, AppError> {
    let mut group: Vec<&str> = cols.to_vec();
    if by_day {
        group.insert(0, "day");
    }
    let inner = group.iter().chain(sums).copied().collect::<Vec<_>>().join(", ");
    let mut values: Vec<Value> = Vec::new();
    let parts: Vec<String> = stretches(table, days, by_day)
        .into_iter()
        .map(|(from, lo, hi)| {
            values.extend([Value::from(lo), Value::from(hi)]);
            let filters = if table == "report_followups" {
                f.agent.map_or(String::new(), |a| {
                    values.push(a.into());
                    " AND assignee_id = ?".into()
                })
            } else {
                where_filters(f, "owner_id", "source", &mut values)
            };
            format!("SELECT {inner} FROM {from} WHERE day >= ? AND day < ?{filters}")
        })
        .collect();
    let sums: Vec<String> = sums.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect();
    let select = group.iter().map(|c| c.to_string()).chain(sums).collect::<Vec<_>>().join(", ");
    let group_by = if group.is_empty() { String::new() } else { format!(" GROUP BY {}", group.join(", ")) };
    let sql = format!("SELECT {select} FROM ({}) AS stretches{group_by}", parts.join(" UNION ALL "));
    Ok(db.query_all_raw(statement(db, &sql, values)).await?)
}

/// The first and past-the-last whole day, over all the ranges.
fn day_span(p: &Pieces) -> Option<(i64, i64)> {
    Some((p.days.iter().map(|d| d.0).min()?, p.days.iter().map(|d| d.0).max()? + 1))
}

/// The ranges each whole day counts in (ranges may overlap: the period and its weeks).
fn ranges_of_days(p: &Pieces) -> HashMap<i64, Vec<usize>> {
    let mut out: HashMap<i64, Vec<usize>> = HashMap::new();
    for (day, range) in &p.days {
        out.entry(*day).or_default().push(*range);
    }
    out
}

pub fn stage_kinds(stages: &[stage::Model]) -> HashMap<i64, String> {
    stages.iter().map(|s| (s.id, s.kind.as_str().to_owned())).collect()
}

/// The speed-to-lead bucket of an answer, in minutes (migration 9 keeps the same).
pub fn bucket(created: DateTime<Utc>, answered: Option<DateTime<Utc>>) -> i64 {
    let Some(answered) = answered else { return -1 };
    let s = (answered.timestamp() - created.timestamp()).max(0);
    match s {
        s if s < 3600 => s / 60,
        s if s < 86_400 => (s / 900) * 15,
        s if s < 2_592_000 => (s / 3600) * 60,
        _ => 43_200,
    }
}

/// Rows of `select` (ending in `WHERE <instant> >= ? AND <instant> < ?`) for one edge, under
/// the filter's agent and source, grouped by `group`.
async fn edge_rows(
    db: &impl ConnectionTrait,
    f: &Filter,
    select: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    group: &str,
) -> Result<Vec<sea_orm::QueryResult>, AppError> {
    let mut values: Vec<Value> = vec![start.into(), end.into()];
    let filters = row_filters(f, &mut values);
    Ok(db.query_all_raw(statement(db, &format!("{select}{filters} {group}"), values)).await?)
}

/// The speed-to-lead bucket of a deal row in SQL, as [`bucket`] and migration 9 compute it.
fn bucket_sql(backend: DbBackend) -> String {
    let greatest = if backend == DbBackend::Postgres { "GREATEST" } else { "max" };
    let s = format!("{greatest}(0, {})", seconds_between(backend, "created_at", "first_response_at"));
    format!(
        "CASE WHEN first_response_at IS NULL THEN -1 WHEN {s} < 3600 THEN {s} / 60 WHEN {s} < 86400 THEN ({s} / 900) * 15 \
         WHEN {s} < 2592000 THEN ({s} / 3600) * 60 ELSE 43200 END"
    )
}

fn text(row: &sea_orm::QueryResult, i: usize) -> String {
    row.try_get_by_index::<String>(i).unwrap_or_default()
}

fn int(row: &sea_orm::QueryResult, i: usize) -> i64 {
    row.try_get_by_index::<i64>(i).or_else(|_| row.try_get_by_index::<i32>(i).map(i64::from)).unwrap_or(0)
}

/// One group of a cohort: deals created in the period with these attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CohortKey {
    pub owner: i64,
    pub source: String,
    pub campaign: String,
    pub currency: String,
    pub furthest: i64,
    pub outcome: String,
    pub lost_reason: String,
}

/// Deals and won value per cohort group, for the filter's period.
pub async fn cohort(db: &impl ConnectionTrait, f: &Filter, stages: &[stage::Model]) -> Result<BTreeMap<CohortKey, (i64, i64)>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let mut out: BTreeMap<CohortKey, (i64, i64)> = BTreeMap::new();
    if let Some(days) = day_span(&p) {
        let cols = ["owner_id", "source", "campaign", "currency", "furthest_position", "outcome", "lost_reason"];
        for row in summary(db, f, "report_cohort", days, &cols, &["deals", "won_value"], false).await? {
            let key = CohortKey {
                owner: int(&row, 0),
                source: text(&row, 1),
                campaign: text(&row, 2),
                currency: text(&row, 3),
                furthest: int(&row, 4),
                outcome: text(&row, 5),
                lost_reason: text(&row, 6),
            };
            let e = out.entry(key).or_default();
            e.0 += int(&row, 7);
            e.1 += int(&row, 8);
        }
    }
    let kinds = stage_kinds(stages);
    for (start, end, _) in &p.edges {
        let sql = "SELECT COALESCE(owner_id, 0), source, COALESCE(utm_campaign, ''), currency, COALESCE(furthest_position, -1), stage_id, \
                   COALESCE(lost_reason, ''), COUNT(*), CAST(SUM(COALESCE(won_value, 0)) AS BIGINT) FROM deals WHERE created_at >= ? AND created_at < ?";
        for row in edge_rows(db, f, sql, *start, *end, "GROUP BY COALESCE(owner_id, 0), source, COALESCE(utm_campaign, ''), currency, COALESCE(furthest_position, -1), stage_id, COALESCE(lost_reason, '')").await? {
            let outcome = kinds.get(&int(&row, 5)).cloned().unwrap_or_else(|| "open".into());
            let key = CohortKey {
                owner: int(&row, 0),
                source: text(&row, 1),
                campaign: text(&row, 2),
                currency: text(&row, 3),
                furthest: int(&row, 4),
                lost_reason: if outcome == "lost" { text(&row, 6) } else { String::new() },
                outcome: outcome.clone(),
            };
            let e = out.entry(key).or_default();
            e.0 += int(&row, 7);
            e.1 += if outcome == "won" { int(&row, 8) } else { 0 };
        }
    }
    out.retain(|_, v| v.0 != 0);
    Ok(out)
}

fn add_money(list: &mut Vec<Money>, currency: &str, minor: i64) {
    if minor == 0 {
        return;
    }
    match list.iter_mut().find(|m| m.currency == currency) {
        Some(m) => m.minor += minor,
        None => list.push(Money { minor, currency: currency.to_owned() }),
    }
    list.sort_by(|a, b| a.currency.cmp(&b.currency));
}

/// Open deals per open stage now, with their budgets.
pub async fn open(db: &impl ConnectionTrait, f: &Filter, stages: &[stage::Model]) -> Result<Vec<OpenStage>, AppError> {
    let mut values = Vec::new();
    let filters = where_filters(f, "owner_id", "source", &mut values);
    let sql = format!(
        "SELECT stage_id, currency, CAST(SUM(deals) AS BIGINT), CAST(SUM(value) AS BIGINT) FROM report_open WHERE 1 = 1{filters} GROUP BY stage_id, currency"
    );
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    Ok(stages
        .iter()
        .filter(|s| s.kind == crate::deals::StageKind::Open)
        .map(|s| {
            let mut stage = OpenStage { stage_id: s.id, name: s.name.clone(), deals: 0, value: Vec::new() };
            for row in rows.iter().filter(|r| int(r, 0) == s.id) {
                stage.deals += int(row, 2).max(0) as u64;
                add_money(&mut stage.value, &text(row, 1), int(row, 3));
            }
            stage
        })
        .collect())
}

/// The funnel of the cohort: how far its deals went.
pub fn funnel(groups: &BTreeMap<CohortKey, (i64, i64)>, stages: &[stage::Model]) -> Funnel {
    let mut out = Funnel::default();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for (k, (deals, won_value)) in groups {
        let n = (*deals).max(0) as u64;
        out.leads += n;
        match k.outcome.as_str() {
            "won" => {
                out.won += n;
                add_money(&mut out.won_value, &k.currency, *won_value);
            }
            "lost" => {
                out.lost += n;
                *reasons.entry(k.lost_reason.clone()).or_default() += n;
            }
            _ => {}
        }
    }
    out.steps = stages
        .iter()
        .filter(|s| s.kind == crate::deals::StageKind::Open)
        .map(|s| FunnelStep {
            stage_id: s.id,
            name: s.name.clone(),
            reached: groups.iter().filter(|(k, _)| k.furthest >= i64::from(s.position)).map(|(_, v)| v.0.max(0) as u64).sum(),
        })
        .collect();
    let mut reasons: Vec<(String, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out.lost_reasons = reasons;
    out
}

/// Deals per (owner, source, campaign) of the cohort: leads, won, won value.
pub fn by_source(groups: &BTreeMap<CohortKey, (i64, i64)>) -> Vec<SourceRow> {
    let mut rows: BTreeMap<(String, String), SourceRow> = BTreeMap::new();
    for (k, (deals, won_value)) in groups {
        let row = rows.entry((k.source.clone(), k.campaign.clone())).or_insert_with(|| SourceRow {
            source: k.source.clone(),
            campaign: k.campaign.clone(),
            leads: 0,
            won: 0,
            won_value: Vec::new(),
        });
        row.leads += (*deals).max(0) as u64;
        if k.outcome == "won" {
            row.won += (*deals).max(0) as u64;
            add_money(&mut row.won_value, &k.currency, *won_value);
        }
    }
    let mut rows: Vec<SourceRow> = rows.into_values().collect();
    rows.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.source.cmp(&b.source)).then(a.campaign.cmp(&b.campaign)));
    rows
}

/// Deals per (owner, source, bucket) created in the period.
pub async fn responses(db: &impl ConnectionTrait, f: &Filter) -> Result<BTreeMap<(i64, String, i64), i64>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let mut out: BTreeMap<(i64, String, i64), i64> = BTreeMap::new();
    if let Some(days) = day_span(&p) {
        for row in summary(db, f, "report_response", days, &["owner_id", "source", "bucket"], &["deals"], false).await? {
            *out.entry((int(&row, 0), text(&row, 1), int(&row, 2))).or_default() += int(&row, 3);
        }
    }
    let b = bucket_sql(db.get_database_backend());
    for (start, end, _) in &p.edges {
        let sql = format!("SELECT COALESCE(owner_id, 0), source, {b}, COUNT(*) FROM deals WHERE created_at >= ? AND created_at < ?");
        for row in edge_rows(db, f, &sql, *start, *end, &format!("GROUP BY COALESCE(owner_id, 0), source, {b}")).await? {
            *out.entry((int(&row, 0), text(&row, 1), int(&row, 2))).or_default() += int(&row, 3);
        }
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// The value at `pct` percent by nearest rank, from (value, count) pairs in ascending order.
pub fn nearest_rank(sorted: &[(i64, u64)], pct: u64) -> Option<i64> {
    let n: u64 = sorted.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let rank = (pct * n).div_ceil(100).max(1);
    let mut seen = 0;
    for (value, count) in sorted {
        seen += count;
        if seen >= rank {
            return Some(*value);
        }
    }
    None
}

fn speed_row(key: String, label: String, buckets: &BTreeMap<i64, u64>) -> SpeedRow {
    let answered: Vec<(i64, u64)> = buckets.iter().filter(|(b, _)| **b >= 0).map(|(b, c)| (*b, *c)).collect();
    SpeedRow {
        key,
        label,
        leads: buckets.values().sum(),
        answered: answered.iter().map(|(_, c)| c).sum(),
        median_minutes: nearest_rank(&answered, 50),
        p90_minutes: nearest_rank(&answered, 90),
        within_5m: answered.iter().filter(|(b, _)| *b < 5).map(|(_, c)| c).sum(),
        within_1h: answered.iter().filter(|(b, _)| *b < 60).map(|(_, c)| c).sum(),
    }
}

pub fn speed(groups: &BTreeMap<(i64, String, i64), i64>, names: &HashMap<i64, String>) -> Speed {
    let mut total: BTreeMap<i64, u64> = BTreeMap::new();
    let mut agents: BTreeMap<i64, BTreeMap<i64, u64>> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeMap<i64, u64>> = BTreeMap::new();
    for ((owner, source, b), n) in groups {
        let n = (*n).max(0) as u64;
        *total.entry(*b).or_default() += n;
        *agents.entry(*owner).or_default().entry(*b).or_default() += n;
        *sources.entry(source.clone()).or_default().entry(*b).or_default() += n;
    }
    let mut by_agent: Vec<SpeedRow> =
        agents.iter().map(|(id, b)| speed_row(id.to_string(), agent_name(names, *id), b)).collect();
    by_agent.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.label.cmp(&b.label)));
    let mut by_source: Vec<SpeedRow> = sources.iter().map(|(s, b)| speed_row(s.clone(), s.clone(), b)).collect();
    by_source.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.label.cmp(&b.label)));
    Speed { total: speed_row("all".into(), "Everyone".into(), &total), by_agent, by_source }
}

fn agent_name(names: &HashMap<i64, String>, id: i64) -> String {
    if id == 0 { "Nobody yet".into() } else { names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")) }
}

/// The won deals' key: owner, source, campaign and currency.
pub type WonKey = (i64, String, String, String);

/// Won deals and value per owner, source, campaign and currency, closed in the period.
pub async fn won(db: &impl ConnectionTrait, f: &Filter, kinds: &HashMap<i64, String>) -> Result<BTreeMap<WonKey, (i64, i64)>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let mut out: BTreeMap<WonKey, (i64, i64)> = BTreeMap::new();
    if let Some(days) = day_span(&p) {
        let rows = summary(db, f, "report_won", days, &["owner_id", "source", "campaign", "currency"], &["deals", "value"], false).await?;
        for row in rows {
            let e = out.entry((int(&row, 0), text(&row, 1), text(&row, 2), text(&row, 3))).or_default();
            e.0 += int(&row, 4);
            e.1 += int(&row, 5);
        }
    }
    if let Some(won) = won_stages(kinds) {
        for (start, end, _) in &p.edges {
            let sql = format!(
                "SELECT COALESCE(owner_id, 0), source, COALESCE(utm_campaign, ''), currency, COUNT(*), CAST(SUM(COALESCE(won_value, 0)) AS BIGINT) \
                 FROM deals WHERE stage_id IN ({won}) AND closed_at >= ? AND closed_at < ?"
            );
            for row in edge_rows(db, f, &sql, *start, *end, "GROUP BY COALESCE(owner_id, 0), source, COALESCE(utm_campaign, ''), currency").await? {
                let e = out.entry((int(&row, 0), text(&row, 1), text(&row, 2), text(&row, 3))).or_default();
                e.0 += int(&row, 4);
                e.1 += int(&row, 5);
            }
        }
    }
    out.retain(|_, v| v.0 != 0);
    Ok(out)
}

/// The won stages' ids for an `IN (…)` list, when there are any.
fn won_stages(kinds: &HashMap<i64, String>) -> Option<String> {
    let won: Vec<String> = kinds.iter().filter(|(_, k)| k.as_str() == "won").map(|(id, _)| id.to_string()).collect();
    (!won.is_empty()).then(|| won.join(", "))
}

/// New leads (by the day they came in) and won deals (by the day they closed) per range, from
/// `report_flow` for whole days and the deals for the ends.
pub async fn flow_by_range(
    db: &impl ConnectionTrait,
    f: &Filter,
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
    kinds: &HashMap<i64, String>,
) -> Result<Vec<(u64, u64)>, AppError> {
    let p = pieces(ranges);
    let mut out = vec![(0i64, 0i64); ranges.len()];
    if let Some(days) = day_span(&p) {
        let range_of = ranges_of_days(&p);
        for row in summary(db, f, "report_flow", days, &[], &["leads", "won"], true).await? {
            for range in range_of.get(&int(&row, 0)).into_iter().flatten() {
                out[*range].0 += int(&row, 1);
                out[*range].1 += int(&row, 2);
            }
        }
    }
    // Every end of every range in one statement for each count (a year has a hundred ends).
    for (n, range) in edge_counts(db, f, "created_at", "", &p.edges).await? {
        out[range].0 += n;
    }
    if let Some(won) = won_stages(kinds) {
        for (n, range) in edge_counts(db, f, "closed_at", &format!("stage_id IN ({won}) AND "), &p.edges).await? {
            out[range].1 += n;
        }
    }
    Ok(out.into_iter().map(|(leads, won)| (leads.max(0) as u64, won.max(0) as u64)).collect())
}

/// The deals meeting `condition` (ending in `AND ` when there is one) whose instant `column`
/// falls in each edge, under the filter, as (count, range) pairs, in one statement.
async fn edge_counts(
    db: &impl ConnectionTrait,
    f: &Filter,
    column: &str,
    condition: &str,
    edges: &[(DateTime<Utc>, DateTime<Utc>, usize)],
) -> Result<Vec<(i64, usize)>, AppError> {
    if edges.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = Vec::new();
    let parts: Vec<String> = edges
        .iter()
        .enumerate()
        .map(|(i, (start, end, _))| {
            values.extend([Value::from(*start), Value::from(*end)]);
            let filters = row_filters(f, &mut values);
            format!("SELECT {i}, COUNT(*) FROM deals WHERE {condition}{column} >= ? AND {column} < ?{filters}")
        })
        .collect();
    let rows = db.query_all_raw(statement(db, &parts.join(" UNION ALL "), values)).await?;
    Ok(rows.iter().filter_map(|row| Some((int(row, 1), edges.get(usize::try_from(int(row, 0)).ok()?)?.2))).collect())
}

/// The weeks of the period (Monday to Sunday, cut to the period), as local days and instants.
pub fn weeks(f: &Filter) -> Vec<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut day = f.from;
    while day <= f.to {
        let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let next = (monday + Duration::days(7)).min(f.to + Duration::days(1));
        out.push((day, midnight(f.tz, day), midnight(f.tz, next)));
        day = next;
    }
    out
}

/// Stays per (stage, whole days) that ended in the period.
pub async fn stays(db: &impl ConnectionTrait, f: &Filter) -> Result<BTreeMap<(i64, i64), i64>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let mut out: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    if let Some(days) = day_span(&p) {
        for row in summary(db, f, "report_stage_time", days, &["stage_id", "days"], &["stays"], false).await? {
            *out.entry((int(&row, 0), int(&row, 1))).or_default() += int(&row, 2);
        }
    }
    for (start, end, _) in &p.edges {
        let sql = "SELECT stage_id, days, COUNT(*) FROM deal_stays WHERE left_at >= ? AND left_at < ?";
        for row in edge_rows(db, f, sql, *start, *end, "GROUP BY stage_id, days").await? {
            *out.entry((int(&row, 0), int(&row, 1))).or_default() += int(&row, 2);
        }
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

pub fn stage_time(groups: &BTreeMap<(i64, i64), i64>, stages: &[stage::Model]) -> Vec<StageTime> {
    stages
        .iter()
        .filter(|s| s.kind == crate::deals::StageKind::Open)
        .map(|s| {
            let days: Vec<(i64, u64)> =
                groups.iter().filter(|((stage, _), _)| *stage == s.id).map(|((_, d), n)| (*d, (*n).max(0) as u64)).collect();
            StageTime {
                stage_id: s.id,
                name: s.name.clone(),
                stays: days.iter().map(|(_, n)| n).sum(),
                median_days: nearest_rank(&days, 50),
            }
        })
        .collect()
}

async fn count_by(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<HashMap<i64, u64>, AppError> {
    let mut out = HashMap::new();
    for row in db.query_all_raw(statement(db, sql, values)).await? {
        *out.entry(int(&row, 0)).or_default() += int(&row, 1).max(0) as u64;
    }
    Ok(out)
}

/// Follow-ups done in the period per assignee: whole days from `report_followups`, the ends
/// from the reminders.
async fn done_by(db: &impl ConnectionTrait, f: &Filter) -> Result<HashMap<i64, u64>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let agent = |values: &mut Vec<Value>| match f.agent {
        Some(a) => {
            values.push(a.into());
            " AND assignee_id = ?"
        }
        None => "",
    };
    let mut out: HashMap<i64, u64> = HashMap::new();
    if let Some(days) = day_span(&p) {
        for row in summary(db, f, "report_followups", days, &["assignee_id"], &["done"], false).await? {
            *out.entry(int(&row, 0)).or_default() += int(&row, 1).max(0) as u64;
        }
    }
    for (start, end, _) in &p.edges {
        let mut values: Vec<Value> = vec![(*start).into(), (*end).into()];
        let only = agent(&mut values);
        let sql = format!(
            "SELECT assignee_id, COUNT(*) FROM reminders WHERE completed_at >= ? AND completed_at < ? AND state = 'done'{only} GROUP BY assignee_id"
        );
        for (id, n) in count_by(db, &sql, values).await? {
            *out.entry(id).or_default() += n;
        }
    }
    Ok(out)
}

/// The stale rule of the pipeline: an open stage's limit passed since the deal last changed.
fn stale_stages(stages: &[stage::Model], now: DateTime<Utc>) -> Vec<(i64, DateTime<Utc>)> {
    stages
        .iter()
        .filter(|s| s.kind == crate::deals::StageKind::Open)
        .filter_map(|s| s.stale_after_days.map(|d| (s.id, now - Duration::days(i64::from(d)))))
        .collect()
}

/// Per agent: open deals, follow-ups done in the period and overdue now, stale deals, deals
/// won in the period. Follow-ups are counted per assignee and are not filtered by source.
pub async fn team(
    db: &impl ConnectionTrait,
    f: &Filter,
    stages: &[stage::Model],
    people: &[user::Model],
    won: &BTreeMap<WonKey, (i64, i64)>,
    now: DateTime<Utc>,
) -> Result<Vec<AgentRow>, AppError> {
    let mut values = Vec::new();
    let filters = where_filters(f, "owner_id", "source", &mut values);
    let open_ids: Vec<String> = stages.iter().filter(|s| s.kind == crate::deals::StageKind::Open).map(|s| s.id.to_string()).collect();
    let open = if open_ids.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT owner_id, CAST(SUM(deals) AS BIGINT) FROM report_open WHERE stage_id IN ({}){filters} GROUP BY owner_id",
            open_ids.join(", ")
        );
        count_by(db, &sql, values).await?
    };
    let done = done_by(db, f).await?;
    let mut values: Vec<Value> = vec![now.into()];
    let mut sql = "SELECT assignee_id, COUNT(*) FROM reminders WHERE state = 'pending' AND due_at < ?".to_string();
    if let Some(agent) = f.agent {
        sql.push_str(" AND assignee_id = ?");
        values.push(agent.into());
    }
    let overdue = count_by(db, &format!("{sql} GROUP BY assignee_id"), values).await?;
    let mut stale: HashMap<i64, u64> = HashMap::new();
    for (stage_id, cutoff) in stale_stages(stages, now) {
        let mut values: Vec<Value> = vec![stage_id.into(), cutoff.into()];
        let filters = row_filters(f, &mut values);
        // SQLite has no statistics to tell that a source holds a sixth of all deals, and would
        // read all of them by the source index instead of the stage's few by this one.
        let hint = if db.get_database_backend() == DbBackend::Sqlite { " INDEXED BY deals_stage_updated_owner" } else { "" };
        let sql = format!(
            "SELECT COALESCE(owner_id, 0), COUNT(*) FROM deals{hint} WHERE stage_id = ? AND updated_at < ?{filters} GROUP BY COALESCE(owner_id, 0)"
        );
        for (owner, n) in count_by(db, &sql, values).await? {
            *stale.entry(owner).or_default() += n;
        }
    }
    let mut rows: Vec<AgentRow> = Vec::new();
    let mut ids: Vec<i64> = people.iter().filter(|u| u.disabled_at.is_none()).map(|u| u.id).collect();
    ids.extend(open.keys().chain(done.keys()).chain(overdue.keys()).chain(stale.keys()).copied());
    ids.extend(won.keys().map(|k| k.0));
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, &user::Model> = people.iter().map(|u| (u.id, u)).collect();
    for id in ids {
        if f.agent.is_some_and(|a| a != id) {
            continue;
        }
        let person = names.get(&id);
        let mut row = AgentRow {
            id,
            name: person.map(|u| u.name.clone()).unwrap_or_else(|| if id == 0 { "Nobody yet".into() } else { format!("#{id}") }),
            away: person.is_some_and(|u| u.away),
            open: open.get(&id).copied().unwrap_or(0),
            done: done.get(&id).copied().unwrap_or(0),
            overdue: overdue.get(&id).copied().unwrap_or(0),
            stale: stale.get(&id).copied().unwrap_or(0),
            won: 0,
            won_value: Vec::new(),
        };
        for ((_, _, _, currency), (n, value)) in won.iter().filter(|(k, _)| k.0 == id) {
            row.won += (*n).max(0) as u64;
            add_money(&mut row.won_value, currency, *value);
        }
        let empty = row.open + row.done + row.overdue + row.stale + row.won == 0;
        // Only agents show with nothing to count (managers and admins own deals rarely).
        let works_deals = person.is_some_and(|u| u.role == "agent");
        if empty && (id == 0 || !works_deals) {
            continue;
        }
        rows.push(row);
    }
    rows.sort_by(|a, b| (a.id == 0).cmp(&(b.id == 0)).then(a.name.cmp(&b.name)));
    Ok(rows)
}

/// Everything the dashboard shows, for a manager or an admin.
pub async fn dashboard(db: &DatabaseConnection, time_zone: &str, query: &ReportQuery) -> Result<Dashboard, AppError> {
    let now = Utc::now();
    let f = filter(query, time_zone, now)?;
    let stages = crate::deals::service::stages(db).await?;
    let kinds = stage_kinds(&stages);
    let people = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    let names: HashMap<i64, String> = people.iter().map(|u| (u.id, u.name.clone())).collect();
    let groups = cohort(db, &f, &stages).await?;
    let week_list = weeks(&f);
    let ranges: Vec<_> = week_list.iter().map(|(_, s, e)| (*s, *e)).collect();
    let flow = flow_by_range(db, &f, &ranges, &kinds).await?;
    let weekly = week_list
        .iter()
        .zip(flow)
        .map(|((day, _, _), (new_leads, won))| Week { start: day.format("%Y-%m-%d").to_string(), new_leads, won })
        .collect();
    let period_won = won(db, &f, &kinds).await?;
    Ok(Dashboard {
        scope: scope(&f, &names),
        agents: people
            .iter()
            .filter(|u| u.disabled_at.is_none() && u.role != "admin")
            .map(|u| Person { id: u.id, name: u.name.clone() })
            .collect(),
        sources: sources(db).await?,
        open: open(db, &f, &stages).await?,
        funnel: funnel(&groups, &stages),
        speed: speed(&responses(db, &f).await?, &names),
        team: team(db, &f, &stages, &people, &period_won, now).await?,
        by_source: by_source(&groups),
        stage_time: stage_time(&stays(db, &f).await?, &stages),
        weekly,
    })
}

/// The sources deals have come from, for the filter.
pub async fn sources(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let rows = db.query_all_raw(statement(db, "SELECT DISTINCT source FROM report_open WHERE deals <> 0 ORDER BY source", vec![])).await?;
    Ok(rows.iter().map(|r| text(r, 0)).collect())
}

pub fn scope(f: &Filter, names: &HashMap<i64, String>) -> Scope {
    let same_year = f.from.year() == f.to.year();
    let mut label = if same_year {
        format!("{} – {}", f.from.format("%-d %b"), f.to.format("%-d %b %Y"))
    } else {
        format!("{} – {}", f.from.format("%-d %b %Y"), f.to.format("%-d %b %Y"))
    };
    if let Some(agent) = f.agent {
        label.push_str(&format!(" · {}", agent_name(names, agent)));
    }
    if let Some(source) = &f.source {
        label.push_str(&format!(" · {source}"));
    }
    Scope {
        from: f.from.format("%Y-%m-%d").to_string(),
        to: f.to.format("%Y-%m-%d").to_string(),
        agent: f.agent,
        source: f.source.clone(),
        label,
    }
}

/// Whole seconds from `a` to `b`, in SQL.
fn seconds_between(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(floor(extract(epoch from {b}))::bigint - floor(extract(epoch from {a}))::bigint)"),
        _ => format!("(unixepoch({b}) - unixepoch({a}))"),
    }
}

/// The condition picking the deals behind a figure, with its title.
fn figure_condition(
    backend: DbBackend,
    f: &Filter,
    figure: &Figure,
    stages: &[stage::Model],
    names: &HashMap<i64, String>,
    now: DateTime<Utc>,
) -> Result<(Condition, String), AppError> {
    use sea_orm::ExprTrait;
    let created = Condition::all().add(deal::Column::CreatedAt.gte(f.start)).add(deal::Column::CreatedAt.lt(f.end));
    let closed_won = |start: DateTime<Utc>, end: DateTime<Utc>| {
        let won: Vec<i64> = stages.iter().filter(|s| s.kind == crate::deals::StageKind::Won).map(|s| s.id).collect();
        Condition::all()
            .add(deal::Column::ClosedAt.gte(start))
            .add(deal::Column::ClosedAt.lt(end))
            .add(deal::Column::StageId.is_in(won))
    };
    let kind_ids = |kind: &str| -> Vec<i64> { stages.iter().filter(|s| s.kind.as_str() == kind).map(|s| s.id).collect() };
    let stage_named = |id: i64| -> Result<&stage::Model, AppError> {
        stages.iter().find(|s| s.id == id).ok_or_else(|| AppError::field("stage", "Choose a stage from the pipeline."))
    };
    let owner_is = |agent: i64| {
        if agent == 0 { deal::Column::OwnerId.is_null() } else { deal::Column::OwnerId.eq(agent) }
    };
    let week = |start: &str| -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
        weeks(f)
            .into_iter()
            .find(|(day, _, _)| day.format("%Y-%m-%d").to_string() == start)
            .map(|(_, s, e)| (s, e))
            .ok_or_else(|| AppError::field("key", "Choose a week of the period."))
    };
    Ok(match figure {
        Figure::Open { stage } => {
            let s = stage_named(*stage)?;
            (Condition::all().add(deal::Column::StageId.eq(s.id)), format!("Open in {} now", s.name))
        }
        Figure::Leads => (created, "New leads".into()),
        Figure::Reached { stage } => {
            let s = stage_named(*stage)?;
            (created.add(deal::Column::FurthestPosition.gte(s.position)), format!("New leads that reached {}", s.name))
        }
        Figure::Won => (created.add(deal::Column::StageId.is_in(kind_ids("won"))), "New leads won".into()),
        Figure::Lost => (created.add(deal::Column::StageId.is_in(kind_ids("lost"))), "New leads lost".into()),
        Figure::LostReason { reason } => (
            created.add(deal::Column::StageId.is_in(kind_ids("lost"))).add(if reason.is_empty() {
                Condition::any().add(deal::Column::LostReason.is_null()).add(deal::Column::LostReason.eq(""))
            } else {
                Condition::all().add(deal::Column::LostReason.eq(reason.clone()))
            }),
            if reason.is_empty() { "Lost, no reason given".into() } else { format!("Lost: {reason}") },
        ),
        Figure::AnsweredWithin { minutes } => (
            created.add(deal::Column::FirstResponseAt.is_not_null()).add(Expr::cust(format!(
                "{} < {}",
                seconds_between(backend, "deals.created_at", "deals.first_response_at"),
                minutes * 60
            ))),
            format!("Answered within {}", super::duration(*minutes)),
        ),
        Figure::Unanswered => (created.add(deal::Column::FirstResponseAt.is_null()), "Not answered yet".into()),
        Figure::AgentOpen { agent } => (
            Condition::all().add(owner_is(*agent)).add(deal::Column::StageId.is_in(kind_ids("open"))),
            format!("Open deals of {}", agent_name(names, *agent)),
        ),
        Figure::AgentWon { agent } => {
            (closed_won(f.start, f.end).add(owner_is(*agent)), format!("Won by {}", agent_name(names, *agent)))
        }
        Figure::Stale { agent } => {
            let mut any = Condition::any();
            for (stage_id, cutoff) in stale_stages(stages, now) {
                any = any.add(Condition::all().add(deal::Column::StageId.eq(stage_id)).add(deal::Column::UpdatedAt.lt(cutoff)));
            }
            if stale_stages(stages, now).is_empty() {
                any = any.add(Expr::cust("1 = 0"));
            }
            (Condition::all().add(owner_is(*agent)).add(any), format!("Stale deals of {}", agent_name(names, *agent)))
        }
        Figure::Overdue { agent } => (
            Condition::all().add(
                deal::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(reminder::Column::DealId)
                        .from(reminder::Entity)
                        .and_where(reminder::Column::State.eq("pending"))
                        .and_where(reminder::Column::DueAt.lt(now))
                        .and_where(reminder::Column::AssigneeId.eq(*agent))
                        .to_owned(),
                ),
            ),
            format!("Overdue follow-ups of {}", agent_name(names, *agent)),
        ),
        Figure::Source { source, campaign, won } => {
            let mut c = created.add(deal::Column::Source.eq(source.clone()));
            c = if campaign.is_empty() {
                c.add(Condition::any().add(deal::Column::UtmCampaign.is_null()).add(deal::Column::UtmCampaign.eq("")))
            } else {
                c.add(deal::Column::UtmCampaign.eq(campaign.clone()))
            };
            let title = if campaign.is_empty() { source.clone() } else { format!("{source} · {campaign}") };
            if *won {
                (c.add(deal::Column::StageId.is_in(kind_ids("won"))), format!("Won from {title}"))
            } else {
                (c, format!("Leads from {title}"))
            }
        }
        Figure::StageTime { stage } => {
            let s = stage_named(*stage)?;
            // Filters of the stay (its owner and source then) are applied in the subquery.
            let mut sub = sea_orm::sea_query::Query::select();
            sub.column(sea_orm::sea_query::Alias::new("deal_id"))
                .from(sea_orm::sea_query::Alias::new("deal_stays"))
                .and_where(Expr::col(sea_orm::sea_query::Alias::new("stage_id")).eq(s.id))
                .and_where(Expr::col(sea_orm::sea_query::Alias::new("left_at")).gte(f.start))
                .and_where(Expr::col(sea_orm::sea_query::Alias::new("left_at")).lt(f.end));
            if let Some(agent) = f.agent {
                sub.and_where(Expr::col(sea_orm::sea_query::Alias::new("owner_id")).eq(agent));
            }
            if let Some(source) = &f.source {
                sub.and_where(Expr::col(sea_orm::sea_query::Alias::new("source")).eq(source.clone()));
            }
            (Condition::all().add(deal::Column::Id.in_subquery(sub.to_owned())), format!("Left {} in the period", s.name))
        }
        Figure::WeekNew { start } => {
            let (s, e) = week(start)?;
            (
                Condition::all().add(deal::Column::CreatedAt.gte(s)).add(deal::Column::CreatedAt.lt(e)),
                format!("New leads in the week of {start}"),
            )
        }
        Figure::WeekWon { start } => {
            let (s, e) = week(start)?;
            (closed_won(s, e), format!("Won in the week of {start}"))
        }
    })
}

/// The deals behind one figure, newest first, a page at a time.
pub async fn drill_down(
    db: &DatabaseConnection,
    viewer: &SessionUser,
    query: &ReportQuery,
    figure: &Figure,
    page: u64,
) -> Result<DrillDown, AppError> {
    let now = Utc::now();
    let f = filter(query, &viewer.time_zone, now)?;
    let (select, title, names) = behind(db, &f, figure, now).await?;
    let page = page.clamp(1, 1_000_000);
    let total = select.clone().count(db).await?;
    let rows = select.order_by_desc(deal::Column::CreatedAt).order_by_desc(deal::Column::Id).paginate(db, DRILL_PAGE).fetch_page(page - 1).await?;
    let people = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    Ok(DrillDown {
        scope: scope(&f, &names),
        title,
        total,
        page,
        deals: crate::deals::service::cards(db, viewer, rows).await?,
        agents: people
            .iter()
            .filter(|u| u.disabled_at.is_none() && u.role != "admin")
            .map(|u| Person { id: u.id, name: u.name.clone() })
            .collect(),
    })
}

/// The query of the deals behind a figure under a filter, and its title.
pub async fn behind(
    db: &DatabaseConnection,
    f: &Filter,
    figure: &Figure,
    now: DateTime<Utc>,
) -> Result<(sea_orm::Select<deal::Entity>, String, HashMap<i64, String>), AppError> {
    let stages = crate::deals::service::stages(db).await?;
    let names = crate::deals::service::names(db).await?;
    let (condition, title) = figure_condition(db.get_database_backend(), f, figure, &stages, &names, now)?;
    let mut select = deal::Entity::find().filter(condition);
    // The stays carry their own owner and source (as they were then).
    if !matches!(figure, Figure::StageTime { .. }) {
        match f.agent {
            Some(0) => select = select.filter(deal::Column::OwnerId.is_null()),
            Some(agent) => select = select.filter(deal::Column::OwnerId.eq(agent)),
            None => {}
        }
        if let Some(source) = &f.source {
            select = select.filter(deal::Column::Source.eq(source.clone()));
        }
    }
    Ok((select, title, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_period_is_whole_utc_days_and_the_hours_at_its_ends() {
        // Madrid in November is UTC+1: 1 Nov local midnight is 31 Oct 23:00 UTC.
        let p = pieces(&[(at("2026-10-31T23:00:00Z"), at("2026-11-03T23:00:00Z"))]);
        let day = |s: &str| at(s).timestamp() / DAY;
        assert_eq!(p.days, vec![(day("2026-11-01T00:00:00Z"), 0), (day("2026-11-02T00:00:00Z"), 0)]);
        assert_eq!(
            p.edges,
            vec![
                (at("2026-10-31T23:00:00Z"), at("2026-11-01T00:00:00Z"), 0),
                (at("2026-11-03T00:00:00Z"), at("2026-11-03T23:00:00Z"), 0)
            ]
        );
        // UTC periods need no edges; a stretch inside one day is all edge.
        let utc = pieces(&[(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z"))]);
        assert_eq!(utc.edges, vec![]);
        assert_eq!(utc.days.len(), 2);
        let short = pieces(&[(at("2026-11-01T05:00:00Z"), at("2026-11-01T09:00:00Z"))]);
        assert_eq!(short.days, vec![]);
        assert_eq!(short.edges.len(), 1);
    }

    #[test]
    fn whole_months_are_read_from_the_monthly_summary_and_the_days_around_them_from_the_daily() {
        let day = |s: &str| at(&format!("{s}T00:00:00Z")).timestamp() / DAY;
        let (nov15, dec1, oct1, oct31) = (day("2025-11-15"), day("2025-12-01"), day("2026-10-01"), day("2026-10-31"));
        assert_eq!(whole_months(nov15, oct31), Some((dec1, oct1)));
        assert_eq!(
            stretches("report_won", (nov15, oct31), false),
            vec![("report_won".into(), nov15, dec1), ("report_won_month".into(), dec1, oct1), ("report_won".into(), oct1, oct31)]
        );
        // A period of whole months has no days around them.
        assert_eq!(stretches("report_won", (dec1, oct1), false), vec![("report_won_month".into(), dec1, oct1)]);
        // Less than a whole month, or a query by day, reads days only.
        assert_eq!(whole_months(day("2026-01-02"), day("2026-02-28")), None);
        assert_eq!(stretches("report_flow", (nov15, oct31), true), vec![("report_flow".into(), nov15, oct31)]);
    }

    #[test]
    fn buckets_keep_minutes_then_quarter_hours_then_hours() {
        let t = at("2026-11-01T10:00:00Z");
        assert_eq!(bucket(t, None), -1);
        assert_eq!(bucket(t, Some(t + Duration::seconds(299))), 4);
        assert_eq!(bucket(t, Some(t + Duration::seconds(300))), 5);
        assert_eq!(bucket(t, Some(t + Duration::minutes(100))), 90);
        assert_eq!(bucket(t, Some(t + Duration::hours(30) + Duration::minutes(59))), 1800);
        assert_eq!(bucket(t, Some(t + Duration::days(40))), 43_200);
        assert_eq!(bucket(t, Some(t - Duration::minutes(3))), 0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[(3, 1)], 90), Some(3));
        // 1, 2, 2, 9: the median is the 2nd value, the 90th percentile the 4th.
        let values = [(1, 1), (2, 2), (9, 1)];
        assert_eq!(nearest_rank(&values, 50), Some(2));
        assert_eq!(nearest_rank(&values, 90), Some(9));
    }

    #[test]
    fn weeks_run_monday_to_sunday_cut_to_the_period() {
        let f = filter(
            &ReportQuery { from: Some("2026-11-04".into()), to: Some("2026-11-17".into()), ..Default::default() },
            "Europe/Madrid",
            at("2026-11-20T10:00:00Z"),
        )
        .unwrap();
        let starts: Vec<String> = weeks(&f).iter().map(|(d, _, _)| d.to_string()).collect();
        assert_eq!(starts, ["2026-11-04", "2026-11-09", "2026-11-16"]);
        assert_eq!(weeks(&f).last().unwrap().2, at("2026-11-17T23:00:00Z"));
    }

    #[test]
    fn bad_periods_are_refused_with_what_to_fix() {
        let now = at("2026-11-20T10:00:00Z");
        let bad = |from: &str, to: &str| {
            let err = filter(&ReportQuery { from: Some(from.into()), to: Some(to.into()), ..Default::default() }, "UTC", now).unwrap_err();
            err.field_message("from").or_else(|| err.field_message("to")).unwrap_or_default()
        };
        assert!(bad("yesterday", "2026-11-01").contains("2026-11-01"));
        assert!(bad("2026-11-10", "2026-11-01").contains("start before"));
        assert!(bad("2020-01-01", "2026-11-01").contains("at most"));
        assert!(bad("2026-11-01", "+262142-12-31").contains("2026-11-01"), "no date arithmetic past chrono's range");
        assert!(bad("2026-11-01", "9999-12-31").contains("2026-11-01"));
        let f = filter(&ReportQuery::default(), "UTC", now).unwrap();
        assert_eq!((f.from.to_string(), f.to.to_string()), ("2026-10-22".into(), "2026-11-20".into()));
    }
}
