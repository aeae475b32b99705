//! The team table: each agent's leads, answers, follow-ups done and deals gone stale.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::reports::AgentRow;
use crate::db::entities::{stage, user};
use crate::error::AppError;
use super::*;

/// Follow-ups done in the period per assignee: whole days from `report_followups`, the ends
/// from the reminders.
pub(super) async fn done_by(db: &impl ConnectionTrait, f: &Filter) -> Result<HashMap<i64, u64>, AppError> {
    let p = pieces(&[(f.start, f.end)]);
    let agent = |args: &mut Args| f.agent.map_or(String::new(), |a| format!(" AND assignee_id = {}", args.bind(a)));
    let mut out: HashMap<i64, u64> = HashMap::new();
    if let Some(days) = day_span(&p) {
        for row in summary(db, f, "report_followups", days, &["assignee_id"], &["done"], false).await? {
            *out.entry(int(&row, 0)).or_default() += int(&row, 1).max(0) as u64;
        }
    }
    for (start, end, _) in &p.edges {
        let mut args = Args::default();
        let (start, end) = (args.bind(*start), args.bind(*end));
        let only = agent(&mut args);
        let sql = format!(
            "SELECT assignee_id, COUNT(*) FROM reminders WHERE completed_at >= {start} AND completed_at < {end} AND state = 'done'{only} GROUP BY assignee_id"
        );
        for (id, n) in count_by(db, &sql, args).await? {
            *out.entry(id).or_default() += n;
        }
    }
    Ok(out)
}

/// The stale rule of the pipeline: an open stage's limit passed since the deal last changed.
pub(super) fn stale_stages(stages: &[stage::Model], now: DateTime<Utc>) -> Vec<(i64, DateTime<Utc>)> {
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
    let mut args = Args::default();
    let filters = where_filters(f, "owner_id", "source", &mut args);
    let open_ids: Vec<String> = stages.iter().filter(|s| s.kind == crate::deals::StageKind::Open).map(|s| s.id.to_string()).collect();
    let open = if open_ids.is_empty() {
        HashMap::new()
    } else {
        let sql = format!(
            "SELECT owner_id, CAST(SUM(deals) AS BIGINT) FROM report_open WHERE stage_id IN ({}){filters} GROUP BY owner_id",
            open_ids.join(", ")
        );
        count_by(db, &sql, args).await?
    };
    let done = done_by(db, f).await?;
    let mut args = Args::default();
    let due = args.bind(now);
    let only = f.agent.map_or(String::new(), |a| format!(" AND assignee_id = {}", args.bind(a)));
    let sql = format!("SELECT assignee_id, COUNT(*) FROM reminders WHERE state = 'pending' AND due_at < {due}{only} GROUP BY assignee_id");
    let overdue = count_by(db, &sql, args).await?;
    let mut stale: HashMap<i64, u64> = HashMap::new();
    for (stage_id, cutoff) in stale_stages(stages, now) {
        let mut args = Args::default();
        let (stage, cutoff) = (args.bind(stage_id), args.bind(cutoff));
        let filters = row_filters(f, &mut args);
        // SQLite has no statistics to tell that a source holds a sixth of all deals, and would
        // read all of them by the source index instead of the stage's few by this one.
        let hint = if db.get_database_backend() == DbBackend::Sqlite { " INDEXED BY deals_stage_updated_owner" } else { "" };
        let sql = format!(
            "SELECT COALESCE(owner_id, 0), COUNT(*) FROM deals{hint} WHERE stage_id = {stage} AND updated_at < {cutoff}{filters} GROUP BY COALESCE(owner_id, 0)"
        );
        for (owner, n) in count_by(db, &sql, args).await? {
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
            name: person.map(|u| u.name.clone()).unwrap_or_else(|| if id == 0 { crate::language::t("reports-nobody-yet") } else { format!("#{id}") }),
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
            crate::deals::Money::add_to(&mut row.won_value, currency, *value);
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
