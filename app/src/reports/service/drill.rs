//! The deals behind a number: the condition each figure counts, as a page of deals.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::reports::{DrillDown, Figure, Person, ReportQuery, DRILL_PAGE};
use crate::auth::SessionUser;
use crate::db::entities::{deal, reminder, stage, user};
use crate::error::AppError;
use super::*;

/// The condition picking the deals behind a figure, with its title.
pub(super) fn figure_condition(
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
        stages.iter().find(|s| s.id == id).ok_or_else(|| AppError::field("stage", crate::language::t("reports-choose-a-stage")))
    };
    let owner_is = |agent: i64| {
        if agent == 0 { deal::Column::OwnerId.is_null() } else { deal::Column::OwnerId.eq(agent) }
    };
    let week = |start: &str| -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
        weeks(f)
            .into_iter()
            .find(|(day, _, _)| day.format("%Y-%m-%d").to_string() == start)
            .map(|(_, s, e)| (s, e))
            .ok_or_else(|| AppError::field("key", crate::language::t("reports-choose-a-week")))
    };
    // A week by its first day, as the reader writes dates.
    let week_label = |start: &str| match start.parse::<chrono::NaiveDate>() {
        Ok(day) => crate::language::current().date(day, "date-day-month-year"),
        Err(_) => start.to_owned(),
    };
    Ok(match figure {
        Figure::Open { stage } => {
            let s = stage_named(*stage)?;
            (Condition::all().add(deal::Column::StageId.eq(s.id)), crate::language::t_with("reports-drill-open", &[("stage", s.name.as_str().into())]))
        }
        Figure::Leads => (created, crate::language::t("reports-drill-leads")),
        Figure::Reached { stage } => {
            let s = stage_named(*stage)?;
            (created.add(deal::Column::FurthestPosition.gte(s.position)), crate::language::t_with("reports-drill-reached", &[("stage", s.name.as_str().into())]))
        }
        Figure::Won => (created.add(deal::Column::StageId.is_in(kind_ids("won"))), crate::language::t("reports-drill-won")),
        Figure::Lost => (created.add(deal::Column::StageId.is_in(kind_ids("lost"))), crate::language::t("reports-drill-lost")),
        Figure::LostReason { reason } => (
            created.add(deal::Column::StageId.is_in(kind_ids("lost"))).add(if reason.is_empty() {
                Condition::any().add(deal::Column::LostReason.is_null()).add(deal::Column::LostReason.eq(""))
            } else {
                Condition::all().add(deal::Column::LostReason.eq(reason.clone()))
            }),
            if reason.is_empty() { crate::language::t("reports-drill-lost-no-reason") } else { crate::language::t_with("reports-drill-lost-reason", &[("reason", reason.as_str().into())]) },
        ),
        Figure::AnsweredWithin { minutes } => (
            created.add(deal::Column::FirstResponseAt.is_not_null()).add(Expr::cust(format!(
                "{} < {}",
                seconds_between(backend, "deals.created_at", "deals.first_response_at"),
                minutes * 60
            ))),
            crate::language::t_with("reports-drill-answered-within", &[("time", crate::reports::duration(*minutes).into())]),
        ),
        Figure::Unanswered => (created.add(deal::Column::FirstResponseAt.is_null()), crate::language::t("reports-drill-unanswered")),
        Figure::AgentOpen { agent } => (
            Condition::all().add(owner_is(*agent)).add(deal::Column::StageId.is_in(kind_ids("open"))),
            crate::language::t_with("reports-drill-agent-open", &[("agent", agent_name(names, *agent).into())]),
        ),
        Figure::AgentWon { agent } => {
            (closed_won(f.start, f.end).add(owner_is(*agent)), crate::language::t_with("reports-drill-agent-won", &[("agent", agent_name(names, *agent).into())]))
        }
        Figure::Stale { agent } => {
            let mut any = Condition::any();
            for (stage_id, cutoff) in stale_stages(stages, now) {
                any = any.add(Condition::all().add(deal::Column::StageId.eq(stage_id)).add(deal::Column::UpdatedAt.lt(cutoff)));
            }
            if stale_stages(stages, now).is_empty() {
                any = any.add(Expr::cust("1 = 0"));
            }
            (Condition::all().add(owner_is(*agent)).add(any), crate::language::t_with("reports-drill-stale", &[("agent", agent_name(names, *agent).into())]))
        }
        Figure::Overdue { agent } => (
            Condition::all().add(
                deal::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(reminder::Column::DealId)
                        .from(reminder::Entity)
                        .and_where(reminder::Column::State.eq(crate::reminders::State::Pending))
                        .and_where(reminder::Column::DueAt.lt(now))
                        .and_where(reminder::Column::AssigneeId.eq(*agent))
                        .to_owned(),
                ),
            ),
            crate::language::t_with("reports-drill-overdue", &[("agent", agent_name(names, *agent).into())]),
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
                (c.add(deal::Column::StageId.is_in(kind_ids("won"))), crate::language::t_with("reports-drill-source-won", &[("source", title.as_str().into())]))
            } else {
                (c, crate::language::t_with("reports-drill-source", &[("source", title.as_str().into())]))
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
            (Condition::all().add(deal::Column::Id.in_subquery(sub.to_owned())), crate::language::t_with("reports-drill-stage-time", &[("stage", s.name.as_str().into())]))
        }
        Figure::WeekNew { start } => {
            let (s, e) = week(start)?;
            (
                Condition::all().add(deal::Column::CreatedAt.gte(s)).add(deal::Column::CreatedAt.lt(e)),
                crate::language::t_with("reports-drill-week-new", &[("week", week_label(start).into())]),
            )
        }
        Figure::WeekWon { start } => {
            let (s, e) = week(start)?;
            (closed_won(s, e), crate::language::t_with("reports-drill-week-won", &[("week", week_label(start).into())]))
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
