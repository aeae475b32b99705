//! The pipeline board and Today: which deals a viewer sees, filtered, as cards.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbBackend, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::deals::{budget, Claim, Column, DealCard, Money, Pipeline, PipelineQuery, PAGE_SIZE};
use crate::auth::{Role, SessionUser};
use crate::capture::{waited, Need};
use crate::db::entities::{contact, deal, stage};
use crate::error::AppError;
use crate::search;
use super::*;

/// Whether a deal has sat untouched in an open stage past that stage's limit.
fn is_stale(deal: &deal::Model, stage: Option<&stage::Model>, now: DateTime<Utc>) -> bool {
    let Some(stage) = stage else { return false };
    match stage.stale_after_days {
        Some(days) if stage.kind == crate::deals::StageKind::Open => deal.updated_at < now - Duration::days(i64::from(days)),
        _ => false,
    }
}

pub(super) fn live_claim(deal: &deal::Model, names: &HashMap<i64, String>, now: DateTime<Utc>) -> Option<Claim> {
    match (deal.reply_claimed_by, deal.reply_claimed_until) {
        (Some(user_id), Some(until)) if until > now => {
            Some(Claim { user_id, name: names.get(&user_id).cloned().unwrap_or_default(), until })
        }
        _ => None,
    }
}

fn card(
    viewer: &SessionUser,
    deal: deal::Model,
    contact: Option<contact::Model>,
    names: &HashMap<i64, String>,
    stages: &[stage::Model],
    now: DateTime<Utc>,
) -> DealCard {
    let stage = stages.iter().find(|s| s.id == deal.stage_id);
    let unanswered = deal.first_response_at.is_none() && deal.closed_at.is_none();
    let since = if unanswered { deal.created_at } else { deal.updated_at };
    DealCard {
        id: deal.id,
        contact_name: contact.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        phone: contact.and_then(|c| c.phone),
        need: Need::parse(&deal.need).unwrap_or(Need::Buy),
        budget: budget(deal.budget_min, deal.budget_max, &deal.currency),
        // An agent's lists are their own deals: the owner is worth showing only when it is
        // somebody else (or to a manager).
        owner_name: deal
            .owner_id
            .filter(|id| *id != viewer.id || viewer.role.includes(Role::Manager))
            .and_then(|id| names.get(&id).cloned()),
        stage_id: deal.stage_id,
        source: deal.source.clone(),
        age: waited((now - since).num_minutes()),
        unanswered,
        stale: is_stale(&deal, stage, now),
        claim: live_claim(&deal, names, now),
    }
}

/// The contacts of these deals, by id.
async fn contacts_by_id(db: &DatabaseConnection, deals: &[deal::Model]) -> Result<HashMap<i64, contact::Model>, AppError> {
    let ids: Vec<i64> = deals.iter().map(|d| d.contact_id).collect();
    Ok(contact::Entity::find().filter(contact::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|c| (c.id, c)).collect())
}

/// Cards of these deals for `viewer`, in the order given.
pub(crate) async fn cards(db: &DatabaseConnection, viewer: &SessionUser, deals: Vec<deal::Model>) -> Result<Vec<DealCard>, AppError> {
    let now = Utc::now();
    let stage_rows = stages(db).await?;
    let names = names(db).await?;
    let contacts = contacts_by_id(db, &deals).await?;
    Ok(deals
        .into_iter()
        .map(|d| {
            let c = contacts.get(&d.contact_id).cloned();
            card(viewer, d, c, &names, &stage_rows, now)
        })
        .collect())
}

/// The deals a query selects, before paging: an agent's own (and unassigned ones), or
/// everyone's for a manager who asks.
fn filtered(backend: DbBackend, viewer: &SessionUser, query: &PipelineQuery) -> Select<deal::Entity> {
    let own = (!(query.everyone && viewer.role.includes(Role::Manager))).then_some(viewer.id);
    matching(backend, own, query)
}

/// The deals of `owner` (and unassigned ones), or everyone's for `None`, under the query's
/// source and search filters. A search finds the client by name, e-mail or phone, or the
/// property the deal is about, through the trigram indexes (`crate::search`).
pub(super) fn matching(backend: DbBackend, owner: Option<i64>, query: &PipelineQuery) -> Select<deal::Entity> {
    let mut select = deal::Entity::find();
    if let Some(owner) = owner {
        select = select.filter(Condition::any().add(deal::Column::OwnerId.eq(owner)).add(deal::Column::OwnerId.is_null()));
    }
    if let Some(source) = query.source.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(deal::Column::Source.eq(source));
    }
    if let Some(needle) = query.search.as_deref().and_then(search::needle) {
        let by_client = search::condition(backend, r#""deals"."contact_id""#, search::Index::Contacts, &needle);
        let by_property = search::condition(backend, r#""deals"."id""#, search::Index::DealProperties, &needle);
        select = select.filter(Condition::any().add(by_client).add(by_property));
    }
    select
}

/// The pipeline under `query`: every stage with its count and value, and a page of deals per
/// stage (a phone shows the selected one, a wide screen all of them as a board).
pub async fn pipeline(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery) -> Result<Pipeline, AppError> {
    let now = Utc::now();
    let stage_rows = stages(db).await?;
    let names = names(db).await?;
    let totals: Vec<(i64, String, i64, Option<i64>)> = filtered(db.get_database_backend(), viewer, query)
        .select_only()
        .column(deal::Column::StageId)
        .column(deal::Column::Currency)
        .column_as(Expr::col((deal::Entity, deal::Column::Id)).count(), "deals")
        .column_as(
            // PostgreSQL sums BIGINT as NUMERIC; cast back, so both databases give an integer.
            Expr::expr(Func::cast_as(
                Expr::expr(Func::coalesce([
                    Expr::col((deal::Entity, deal::Column::WonValue)),
                    Expr::col((deal::Entity, deal::Column::BudgetMax)),
                    Expr::col((deal::Entity, deal::Column::BudgetMin)),
                    Expr::val(0i64),
                ]))
                .sum(),
                sea_orm::sea_query::Alias::new("BIGINT"),
            )),
            "value",
        )
        .group_by(deal::Column::StageId)
        .group_by(deal::Column::Currency)
        .into_tuple()
        .all(db)
        .await?;
    // A search with no stage chosen opens on the first stage that has matches, so a phone
    // shows the deal that was searched for.
    let searching = query.search.as_deref().is_some_and(|s| !s.trim().is_empty());
    let first_with_matches = stage_rows.iter().find(|s| totals.iter().any(|t| t.0 == s.id && t.2 > 0)).map(|s| s.id);
    let selected = query
        .stage
        .filter(|id| stage_rows.iter().any(|s| s.id == *id))
        .or(if searching { first_with_matches } else { None })
        .or_else(|| stage_rows.first().map(|s| s.id))
        .unwrap_or_default();

    let mut columns = Vec::with_capacity(stage_rows.len());
    for row in &stage_rows {
        let mut info = stage_info(row);
        for (_, currency, count, value) in totals.iter().filter(|t| t.0 == row.id) {
            info.deals += *count as u64;
            if let Some(value) = value.filter(|v| *v > 0) {
                info.value.push(Money { minor: value, currency: currency.clone() });
            }
        }
        let pages = std::cmp::max(info.deals.div_ceil(PAGE_SIZE), 1);
        let page = if row.id == selected { query.page.clamp(1, pages) } else { 1 };
        columns.push(Column { stage: info, deals: Vec::new(), page, pages });
    }
    // Each stage's page of cards. A search reads its matches once, ranked within each stage,
    // rather than once per stage; without one, each stage's page comes straight off the
    // (stage, updated) index.
    if searching {
        let pages: Vec<(i64, u64)> = columns.iter().map(|c| (c.stage.id, c.page)).collect();
        let mut found = ranked_pages(db, viewer, query, &pages).await?;
        for column in &mut columns {
            column.deals = found.remove(&column.stage.id).unwrap_or_default().into_iter().map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now)).collect();
        }
    } else {
        for column in &mut columns {
            column.deals = filtered(db.get_database_backend(), viewer, query)
                .filter(deal::Column::StageId.eq(column.stage.id))
                .order_by_desc(deal::Column::UpdatedAt)
                .order_by_desc(deal::Column::Id)
                .find_also_related(contact::Entity)
                .limit(PAGE_SIZE)
                .offset((column.page - 1) * PAGE_SIZE)
                .all(db)
                .await?
                .into_iter()
                .map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now))
                .collect();
        }
    }
    let sources = deal::Entity::find()
        .select_only()
        .column(deal::Column::Source)
        .distinct()
        .order_by_asc(deal::Column::Source)
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok(Pipeline {
        columns,
        selected,
        everyone: query.everyone && viewer.role.includes(Role::Manager),
        may_see_everyone: viewer.role.includes(Role::Manager),
        sources,
    })
}

/// The deals of each stage's page under `query` (`pages`: stage and page), in one query: the
/// matches numbered within their stage, newest first, and only the wanted numbers kept.
async fn ranked_pages(
    db: &DatabaseConnection,
    viewer: &SessionUser,
    query: &PipelineQuery,
    pages: &[(i64, u64)],
) -> Result<HashMap<i64, Vec<(deal::Model, Option<contact::Model>)>>, AppError> {
    use sea_orm::{QueryTrait, Statement};
    let backend = db.get_database_backend();
    let mut inner = filtered(backend, viewer, query).into_query();
    inner.expr_as(
        Expr::cust(r#"ROW_NUMBER() OVER (PARTITION BY "deals"."stage_id" ORDER BY "deals"."updated_at" DESC, "deals"."id" DESC)"#),
        sea_orm::sea_query::Alias::new("page_rank"),
    );
    let built = backend.build(&inner);
    let mut values = built.values.map(|v| v.0).unwrap_or_default();
    // Each stage's wanted ranks, as values in this database's placeholders.
    let mut wanted = Vec::with_capacity(pages.len());
    for (stage, page) in pages {
        let first = ((page - 1) * PAGE_SIZE) as i64;
        let mut place = |value: i64| {
            values.push(value.into());
            if backend == DbBackend::Postgres { format!("${}", values.len()) } else { "?".to_owned() }
        };
        let (s, from, to) = (place(*stage), place(first), place(first + PAGE_SIZE as i64));
        wanted.push(format!("(stage_id = {s} AND page_rank > {from} AND page_rank <= {to})"));
    }
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT * FROM ({}) AS ranked WHERE {} ORDER BY stage_id, page_rank", built.sql, wanted.join(" OR "));
    let deals = deal::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(db).await?;
    let contacts = contacts_by_id(db, &deals).await?;
    let mut by_stage: HashMap<i64, Vec<(deal::Model, Option<contact::Model>)>> = HashMap::new();
    for d in deals {
        let c = contacts.get(&d.contact_id).cloned();
        by_stage.entry(d.stage_id).or_default().push((d, c));
    }
    Ok(by_stage)
}

/// An agent's Today: new leads nobody has answered (oldest first) and stale deals.
pub async fn today(db: &DatabaseConnection, viewer: &SessionUser) -> Result<(Vec<DealCard>, Vec<DealCard>), AppError> {
    let now = Utc::now();
    let stage_rows = stages(db).await?;
    let names = names(db).await?;
    let mine = |select: Select<deal::Entity>| {
        if viewer.role.includes(Role::Manager) { select } else { select.filter(deal::Column::OwnerId.eq(viewer.id)) }
    };
    let unanswered = mine(deal::Entity::find())
        .filter(deal::Column::FirstResponseAt.is_null())
        .filter(deal::Column::ClosedAt.is_null())
        .order_by_asc(deal::Column::CreatedAt)
        .find_also_related(contact::Entity)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now))
        .collect();
    let mut stale = Vec::new();
    for stage in stage_rows.iter().filter(|s| s.kind == crate::deals::StageKind::Open) {
        let Some(days) = stage.stale_after_days else { continue };
        let rows = mine(deal::Entity::find())
            .filter(deal::Column::StageId.eq(stage.id))
            .filter(deal::Column::FirstResponseAt.is_not_null())
            .filter(deal::Column::UpdatedAt.lt(now - Duration::days(i64::from(days))))
            .order_by_asc(deal::Column::UpdatedAt)
            .find_also_related(contact::Entity)
            .limit(20)
            .all(db)
            .await?;
        stale.extend(rows.into_iter().map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now)));
    }
    Ok((unanswered, stale))
}
