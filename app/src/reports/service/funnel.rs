//! The funnel of a cohort, the deals still open, where leads come from, and what was won.

use std::collections::{BTreeMap, HashMap};

use sea_orm::ConnectionTrait;

use crate::reports::{Funnel, FunnelStep, OpenStage, SourceRow};
use crate::db::entities::stage;
use crate::deals::Money;
use crate::error::AppError;
use super::*;

pub fn stage_kinds(stages: &[stage::Model]) -> HashMap<i64, String> {
    stages.iter().map(|s| (s.id, s.kind.as_str().to_owned())).collect()
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
                   COALESCE(lost_reason, ''), COUNT(*), CAST(SUM(COALESCE(won_value, 0)) AS BIGINT) FROM deals WHERE created_at >= $1 AND created_at < $2";
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

/// Open deals per open stage now, with their budgets.
pub async fn open(db: &impl ConnectionTrait, f: &Filter, stages: &[stage::Model]) -> Result<Vec<OpenStage>, AppError> {
    let mut args = Args::default();
    let filters = where_filters(f, "owner_id", "source", &mut args);
    let sql = format!(
        "SELECT stage_id, currency, CAST(SUM(deals) AS BIGINT), CAST(SUM(value) AS BIGINT) FROM report_open WHERE 1 = 1{filters} GROUP BY stage_id, currency"
    );
    let rows = db.query_all_raw(args.statement(db, &sql)).await?;
    Ok(stages
        .iter()
        .filter(|s| s.kind == crate::deals::StageKind::Open)
        .map(|s| {
            let mut stage = OpenStage { stage_id: s.id, name: s.name.clone(), deals: 0, value: Vec::new() };
            for row in rows.iter().filter(|r| int(r, 0) == s.id) {
                stage.deals += int(row, 2).max(0) as u64;
                Money::add_to(&mut stage.value, &text(row, 1), int(row, 3));
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
                Money::add_to(&mut out.won_value, &k.currency, *won_value);
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
            Money::add_to(&mut row.won_value, &k.currency, *won_value);
        }
    }
    let mut rows: Vec<SourceRow> = rows.into_values().collect();
    rows.sort_by(|a, b| b.leads.cmp(&a.leads).then(a.source.cmp(&b.source)).then(a.campaign.cmp(&b.campaign)));
    rows
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
                 FROM deals WHERE stage_id IN ({won}) AND closed_at >= $1 AND closed_at < $2"
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
pub(super) fn won_stages(kinds: &HashMap<i64, String>) -> Option<String> {
    let won: Vec<String> = kinds.iter().filter(|(_, k)| k.as_str() == "won").map(|(id, _)| id.to_string()).collect();
    (!won.is_empty()).then(|| won.join(", "))
}
