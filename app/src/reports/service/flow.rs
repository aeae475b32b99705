//! Flow: deals entering each stage week by week, and how long they stay.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::ConnectionTrait;

use crate::reports::StageTime;
use crate::db::entities::stage;
use crate::error::AppError;
use super::*;

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
pub(super) async fn edge_counts(
    db: &impl ConnectionTrait,
    f: &Filter,
    column: &str,
    condition: &str,
    edges: &[(DateTime<Utc>, DateTime<Utc>, usize)],
) -> Result<Vec<(i64, usize)>, AppError> {
    if edges.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Args::default();
    let parts: Vec<String> = edges
        .iter()
        .enumerate()
        .map(|(i, (start, end, _))| {
            let (start, end) = (args.bind(*start), args.bind(*end));
            let filters = row_filters(f, &mut args);
            format!("SELECT {i}, COUNT(*) FROM deals WHERE {condition}{column} >= {start} AND {column} < {end}{filters}")
        })
        .collect();
    let rows = db.query_all_raw(args.statement(db, &parts.join(" UNION ALL "))).await?;
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
        let sql = "SELECT stage_id, days, COUNT(*) FROM deal_stays WHERE left_at >= $1 AND left_at < $2";
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
