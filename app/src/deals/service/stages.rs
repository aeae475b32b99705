//! The pipeline's stages and the reasons for losing a deal: what the admin sets.


use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::deals::{StageInfo, StageKind};
use crate::db::entities::{deal, lost_reason, stage};
use crate::error::{AppError, Validator};

pub(super) fn stage_info(row: &stage::Model) -> StageInfo {
    StageInfo {
        id: row.id,
        name: row.name.clone(),
        position: row.position,
        kind: row.kind,
        stale_after_days: row.stale_after_days,
        deals: 0,
        value: Vec::new(),
    }
}

pub async fn stages(db: &impl ConnectionTrait) -> Result<Vec<stage::Model>, AppError> {
    Ok(stage::Entity::find().order_by_asc(stage::Column::Position).order_by_asc(stage::Column::Id).all(db).await?)
}

/// Every stage with how many deals it holds, for the admin.
pub async fn pipeline_stages(db: &DatabaseConnection) -> Result<Vec<StageInfo>, AppError> {
    let counts: Vec<(i64, i64)> = deal::Entity::find()
        .select_only()
        .column(deal::Column::StageId)
        .column_as(Expr::col(deal::Column::Id).count(), "deals")
        .group_by(deal::Column::StageId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(stages(db)
        .await?
        .iter()
        .map(|row| StageInfo { deals: counts.iter().find(|c| c.0 == row.id).map(|c| c.1 as u64).unwrap_or(0), ..stage_info(row) })
        .collect())
}

/// Adds or edits a stage (admins). Names are unique; kind is open, won or lost.
pub async fn save_stage(
    db: &DatabaseConnection,
    id: Option<i64>,
    name: &str,
    kind: &str,
    position: i32,
    stale_after_days: Option<i32>,
) -> Result<(), AppError> {
    let mut v = Validator::default();
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 40 {
        v.add("name", crate::language::t("deals-give-the-stage-a-name"));
    }
    let kind = v.check("kind", StageKind::parse(kind));
    if stale_after_days.is_some_and(|d| !(1..=365).contains(&d)) {
        v.add("stale_after_days", crate::language::t("deals-use-1-to-365-days"));
    }
    let others = stages(db).await?;
    if others.iter().any(|s| Some(s.id) != id && s.name.eq_ignore_ascii_case(&name)) {
        v.add("name", crate::language::t("deals-another-stage-has-this-name"));
    }
    let kind = v.finish_with(kind)?;
    let mut row: stage::ActiveModel = match id {
        Some(id) => {
            let current = stage::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            // Reports count a deal as open, won or lost by its stage's kind when it moved there.
            let held = deal::Entity::find().filter(deal::Column::StageId.eq(id)).count(db).await?;
            if kind != current.kind && held > 0 {
                return Err(AppError::field(
                    "kind",
                    crate::language::t_with("deals-stage-holds-deals-kind", &[("held", held.into())]),
                ));
            }
            current.into()
        }
        None => stage::ActiveModel { ..Default::default() },
    };
    row.name = Set(name);
    row.kind = Set(kind);
    row.position = Set(position);
    row.stale_after_days = Set(stale_after_days);
    if id.is_some() { row.update(db).await?; } else { row.insert(db).await?; }
    Ok(())
}

/// Deletes an empty stage. A stage that holds deals stays until they are moved.
pub async fn delete_stage(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    let held = deal::Entity::find().filter(deal::Column::StageId.eq(id)).count(db).await?;
    if held > 0 {
        return Err(AppError::Conflict(crate::language::t_with("deals-stage-holds-deals", &[("held", held.into())])));
    }
    let all = stages(db).await?;
    let open_left = all.iter().filter(|s| s.id != id && s.kind == crate::deals::StageKind::Open).count();
    if all.iter().any(|s| s.id == id && s.kind == crate::deals::StageKind::Open) && open_left == 0 {
        return Err(AppError::Conflict(crate::language::t("deals-pipeline-needs-an-open-stage")));
    }
    stage::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Replaces the list of reasons offered when a deal is lost (admins). Reasons already used
/// stay on their deals.
pub async fn save_lost_reasons(db: &DatabaseConnection, lines: &str) -> Result<Vec<String>, AppError> {
    let reasons: Vec<String> = lines.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    if reasons.is_empty() {
        return Err(AppError::field("reasons", crate::language::t("deals-keep-at-least-one-reason")));
    }
    if let Some(long) = reasons.iter().find(|r| r.chars().count() > 80) {
        return Err(AppError::field("reasons", crate::language::t_with("deals-shorten-the-reason", &[("reason", long.clone().into())])));
    }
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    lost_reason::Entity::delete_many().exec(txn).await?;
    for (position, name) in reasons.iter().enumerate() {
        lost_reason::ActiveModel { name: Set(name.clone()), position: Set(position as i32), active: Set(true), ..Default::default() }
            .insert(txn)
            .await?;
    }
    write.txn.commit().await?;
    Ok(reasons)
}

pub async fn lost_reasons(db: &DatabaseConnection) -> Result<Vec<String>, AppError> {
    Ok(lost_reason::Entity::find()
        .filter(lost_reason::Column::Active.eq(true))
        .order_by_asc(lost_reason::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

/// The stages a new agency starts with (migration `m20261125_000002_pipeline`), as messages.
const DEFAULT_STAGES: [&str; 6] =
    ["deals-default-stage-new", "deals-default-stage-contacted", "deals-default-stage-viewing", "deals-default-stage-offer", "deals-default-stage-won", "deals-default-stage-lost"];
/// The lost reasons it starts with (migration `m20261125_000004_deal_workspace`), as messages.
const DEFAULT_LOST_REASONS: [&str; 5] = [
    "deals-default-reason-elsewhere",
    "deals-default-reason-budget",
    "deals-default-reason-not-looking",
    "deals-default-reason-unreachable",
    "deals-default-reason-other-agency",
];

/// Puts the starting stages and lost reasons that nobody has renamed into `language`, so an
/// agency that chooses Spanish finds "Nuevo … Perdido" rather than English nobody typed. A
/// name the admin changed is theirs and stays; deals lost before keep the reason they were
/// given.
pub async fn name_defaults(db: &impl ConnectionTrait, language: &crate::language::Language) -> Result<(), AppError> {
    let languages = crate::language::Language::all();
    for key in DEFAULT_STAGES {
        let wanted = language.t(key);
        let known: Vec<String> = languages.iter().map(|l| l.t(key)).filter(|name| *name != wanted).collect();
        if stage::Entity::find().filter(stage::Column::Name.eq(&wanted)).count(db).await? == 0 {
            stage::Entity::update_many().col_expr(stage::Column::Name, Expr::value(wanted)).filter(stage::Column::Name.is_in(known)).exec(db).await?;
        }
    }
    for key in DEFAULT_LOST_REASONS {
        let wanted = language.t(key);
        let known: Vec<String> = languages.iter().map(|l| l.t(key)).filter(|name| *name != wanted).collect();
        if lost_reason::Entity::find().filter(lost_reason::Column::Name.eq(&wanted)).count(db).await? == 0 {
            lost_reason::Entity::update_many()
                .col_expr(lost_reason::Column::Name, Expr::value(wanted))
                .filter(lost_reason::Column::Name.is_in(known))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}
