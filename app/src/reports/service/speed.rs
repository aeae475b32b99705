//! Speed to lead: how long leads waited for their first answer, by agent and source.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::reports::{Speed, SpeedRow};
use crate::error::AppError;
use super::*;

/// How finely waits are counted, in seconds: below each bound, in steps of its width (by the
/// minute for the first hour, the quarter hour for the first day, the hour for 30 days).
const STEPS: [(i64, i64); 3] = [(3_600, 60), (86_400, 900), (2_592_000, 3_600)];

/// Every wait of 30 days or more, in minutes.
const LAST: i64 = 43_200;

/// The speed-to-lead bucket of an answer, in minutes; -1 for none yet. [`bucket_sql`] is the
/// same rule for the database (migration 9 froze the same rule for the rows it filled).
pub fn bucket(created: DateTime<Utc>, answered: Option<DateTime<Utc>>) -> i64 {
    let Some(answered) = answered else { return -1 };
    let s = (answered.timestamp() - created.timestamp()).max(0);
    STEPS.iter().find(|(below, _)| s < *below).map_or(LAST, |(_, width)| (s / width) * (width / 60))
}

/// The speed-to-lead bucket of a deal row in SQL, as [`bucket`] computes it.
pub(super) fn bucket_sql(backend: DbBackend) -> String {
    let greatest = if backend == DbBackend::Postgres { "GREATEST" } else { "max" };
    let s = format!("{greatest}(0, {})", seconds_between(backend, "created_at", "first_response_at"));
    let steps: String = STEPS.iter().map(|(below, width)| format!(" WHEN {s} < {below} THEN ({s} / {width}) * {}", width / 60)).collect();
    format!("CASE WHEN first_response_at IS NULL THEN -1{steps} ELSE {LAST} END")
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
        let sql = format!("SELECT COALESCE(owner_id, 0), source, {b}, COUNT(*) FROM deals WHERE created_at >= $1 AND created_at < $2");
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

pub(super) fn speed_row(key: String, label: String, buckets: &BTreeMap<i64, u64>) -> SpeedRow {
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

pub(super) fn agent_name(names: &HashMap<i64, String>, id: i64) -> String {
    if id == 0 { crate::language::t("reports-nobody-yet") } else { names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")) }
}
