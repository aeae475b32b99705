//! The SQL every figure shares: a period cut into whole UTC days (read from the summary
//! tables) and the hours at its ends (read from the deals), the filters, and row readers.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::error::AppError;
use super::*;

/// How a stretch of time is read: whole UTC days from the summaries, the rest from the rows.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Pieces {
    /// Whole UTC days (days since 1970), `[first, end)`, each with the range it belongs to.
    pub(super) days: Vec<(i64, usize)>,
    /// Partial stretches `[start, end)` and their range.
    pub(super) edges: Vec<(DateTime<Utc>, DateTime<Utc>, usize)>,
}

pub(super) const DAY: i64 = 86_400;

/// Splits consecutive ranges into whole UTC days and edges.
pub(super) fn pieces(ranges: &[(DateTime<Utc>, DateTime<Utc>)]) -> Pieces {
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

/// The values of a statement, each written into its SQL as its number (`$1`, `$2`, …) when it
/// is bound: PostgreSQL's placeholders, which SQLite binds by number too (sqlx reads `$N` as
/// the Nth value), so one text serves both databases and no placeholder can drift from its
/// value.
#[derive(Default)]
pub(super) struct Args(Vec<Value>);

impl Args {
    /// Binds `value` and answers its placeholder.
    pub(super) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.0.push(value.into());
        format!("${}", self.0.len())
    }

    pub(super) fn statement(self, db: &impl ConnectionTrait, sql: &str) -> Statement {
        Statement::from_sql_and_values(db.get_database_backend(), sql, self.0)
    }
}

/// The ` AND owner_id = $n AND source = $m` a filter adds to a summary query.
pub(super) fn where_filters(f: &Filter, owner: &str, source: &str, args: &mut Args) -> String {
    let mut sql = String::new();
    if let Some(agent) = f.agent {
        sql.push_str(&format!(" AND {owner} = {}", args.bind(agent)));
    }
    if let Some(s) = &f.source {
        sql.push_str(&format!(" AND {source} = {}", args.bind(s.clone())));
    }
    sql
}

/// Whole UTC calendar months inside the whole days `[lo, hi)`, as their first days `[first, end)`.
pub(super) fn whole_months(lo: i64, hi: i64) -> Option<(i64, i64)> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let start = epoch.checked_add_signed(Duration::days(lo))?;
    let first = if start.day() == 1 { start } else { start.with_day(1)?.checked_add_months(Months::new(1))? };
    let end = epoch.checked_add_signed(Duration::days(hi))?.with_day(1)?;
    (first < end).then(|| ((first - epoch).num_days(), (end - epoch).num_days()))
}

/// The stretches of `[lo, hi)` and the table each is read from: the whole months from
/// `<table>_month` (migration 10), the days around them from `table`.
pub(super) fn stretches(table: &str, (lo, hi): (i64, i64), by_day: bool) -> Vec<(String, i64, i64)> {
    let whole = if by_day { None } else { whole_months(lo, hi) };
    let all = match whole {
        Some((first, end)) => vec![(table.to_string(), lo, first), (format!("{table}_month"), first, end), (table.to_string(), end, hi)],
        None => vec![(table.to_string(), lo, hi)],
    };
    all.into_iter().filter(|(_, a, b)| a < b).collect()
}

/// The ` AND owner_id = $n AND source = $m` a filter adds to a query of deals or stays,
/// written so the indexes on the owner serve it. Nobody's deals are owner 0 in the summaries
/// and the stays, and NULL in the deals.
pub(super) fn row_filters(f: &Filter, args: &mut Args) -> String {
    let mut sql = match f.agent {
        Some(0) => " AND COALESCE(owner_id, 0) = 0".to_string(),
        Some(agent) => format!(" AND owner_id = {}", args.bind(agent)),
        None => String::new(),
    };
    if let Some(s) = &f.source {
        sql.push_str(&format!(" AND source = {}", args.bind(s.clone())));
    }
    sql
}

/// Summary rows of whole days `[lo, hi)`, grouped by `cols` (plus the day when `by_day`), with
/// `sums` summed. Whole months are read from the monthly summary unless `by_day`. Follow-ups
/// are filtered by assignee only. Every value comes back as text or a whole number.
pub(super) async fn summary(
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
    let mut args = Args::default();
    let parts: Vec<String> = stretches(table, days, by_day)
        .into_iter()
        .map(|(from, lo, hi)| {
            let (lo, hi) = (args.bind(lo), args.bind(hi));
            let filters = if table == "report_followups" {
                f.agent.map_or(String::new(), |a| format!(" AND assignee_id = {}", args.bind(a)))
            } else {
                where_filters(f, "owner_id", "source", &mut args)
            };
            format!("SELECT {inner} FROM {from} WHERE day >= {lo} AND day < {hi}{filters}")
        })
        .collect();
    let sums: Vec<String> = sums.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT)")).collect();
    let select = group.iter().map(|c| c.to_string()).chain(sums).collect::<Vec<_>>().join(", ");
    let group_by = if group.is_empty() { String::new() } else { format!(" GROUP BY {}", group.join(", ")) };
    let sql = format!("SELECT {select} FROM ({}) AS stretches{group_by}", parts.join(" UNION ALL "));
    Ok(db.query_all_raw(args.statement(db, &sql)).await?)
}

/// The first and past-the-last whole day, over all the ranges.
pub(super) fn day_span(p: &Pieces) -> Option<(i64, i64)> {
    Some((p.days.iter().map(|d| d.0).min()?, p.days.iter().map(|d| d.0).max()? + 1))
}

/// The ranges each whole day counts in (ranges may overlap: the period and its weeks).
pub(super) fn ranges_of_days(p: &Pieces) -> HashMap<i64, Vec<usize>> {
    let mut out: HashMap<i64, Vec<usize>> = HashMap::new();
    for (day, range) in &p.days {
        out.entry(*day).or_default().push(*range);
    }
    out
}

/// Rows of `select` (ending in `WHERE <instant> >= $1 AND <instant> < $2`: the edge's start
/// and end are bound first) for one edge, under the filter's agent and source, grouped by
/// `group`.
pub(super) async fn edge_rows(
    db: &impl ConnectionTrait,
    f: &Filter,
    select: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    group: &str,
) -> Result<Vec<sea_orm::QueryResult>, AppError> {
    let mut args = Args::default();
    let (first, second) = (args.bind(start), args.bind(end));
    debug_assert!(select.contains(&first) && select.contains(&second), "the edge's SQL reads $1 and $2");
    let filters = row_filters(f, &mut args);
    Ok(db.query_all_raw(args.statement(db, &format!("{select}{filters} {group}"))).await?)
}

pub(super) fn text(row: &sea_orm::QueryResult, i: usize) -> String {
    row.try_get_by_index::<String>(i).unwrap_or_default()
}

pub(super) fn int(row: &sea_orm::QueryResult, i: usize) -> i64 {
    row.try_get_by_index::<i64>(i).or_else(|_| row.try_get_by_index::<i32>(i).map(i64::from)).unwrap_or(0)
}

pub(super) async fn count_by(db: &impl ConnectionTrait, sql: &str, args: Args) -> Result<HashMap<i64, u64>, AppError> {
    let mut out = HashMap::new();
    for row in db.query_all_raw(args.statement(db, sql)).await? {
        *out.entry(int(&row, 0)).or_default() += int(&row, 1).max(0) as u64;
    }
    Ok(out)
}

/// Whole seconds from `a` to `b`, in SQL.
pub(super) fn seconds_between(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(floor(extract(epoch from {b}))::bigint - floor(extract(epoch from {a}))::bigint)"),
        _ => format!("(unixepoch({b}) - unixepoch({a}))"),
    }
}
