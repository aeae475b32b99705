//! The pipeline board and Today: which deals a viewer sees, filtered, as cards.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, ExprTrait, QueryTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::deals::{budget, Claim, Column, DealCard, Matches, Money, Pipeline, PipelineQuery, PAGE_SIZE, SEARCH_LIMIT, SEARCH_PAGE_SIZE};
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
    matching(backend, own(viewer, query), query)
}

/// Whose deals the viewer sees: their own (and unassigned ones), or `None` for everyone's,
/// which only a manager may ask for.
fn own(viewer: &SessionUser, query: &PipelineQuery) -> Option<i64> {
    (!(query.everyone && viewer.role.includes(Role::Manager))).then_some(viewer.id)
}

/// The source the query narrows to, if any.
fn source(query: &PipelineQuery) -> Option<&str> {
    query.source.as_deref().filter(|s| !s.is_empty())
}

/// The deals of `owner` (and unassigned ones), or everyone's for `None`, under the query's
/// source and search filters. A search finds the client by name, e-mail or phone, or the
/// property the deal is about, through the trigram indexes (`crate::search`).
pub(super) fn matching(backend: DbBackend, owner: Option<i64>, query: &PipelineQuery) -> Select<deal::Entity> {
    let mut select = deal::Entity::find();
    if let Some(owner) = owner {
        select = select.filter(Condition::any().add(deal::Column::OwnerId.eq(owner)).add(deal::Column::OwnerId.is_null()));
    }
    if let Some(source) = source(query) {
        select = select.filter(deal::Column::Source.eq(source));
    }
    if let Some(needle) = query.search.as_deref().and_then(search::needle) {
        let by_client = search::condition(backend, r#""deals"."contact_id""#, search::Index::Contacts, &needle);
        let by_property = search::condition(backend, r#""deals"."id""#, search::Index::DealProperties, &needle);
        select = select.filter(Condition::any().add(by_client).add(by_property));
    }
    select
}

/// A deal's worth on the board: its won value, else its budget's top, else its bottom.
fn worth() -> sea_orm::sea_query::SimpleExpr {
    Func::coalesce([
        Expr::col((deal::Entity, deal::Column::WonValue)),
        Expr::col((deal::Entity, deal::Column::BudgetMax)),
        Expr::col((deal::Entity, deal::Column::BudgetMin)),
        Expr::val(0i64),
    ])
    .into()
}

/// One stage's deals in one currency: how many, and their worth.
struct Total {
    stage_id: i64,
    currency: String,
    deals: i64,
    value: i64,
}

/// The deals of each stage under `query` without a search, from the summary the database
/// keeps in step with every write (`report_open`, one row per stage, owner, source and
/// currency), so the board's counts never read the deals themselves.
async fn totals(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery) -> Result<Vec<Total>, AppError> {
    use sea_orm::sea_query::{Alias, Query};
    let column = |name: &str| Expr::col(Alias::new(name));
    let mut select = Query::select();
    select
        .column(Alias::new("stage_id"))
        .column(Alias::new("currency"))
        .expr(Func::cast_as(column("deals").sum(), Alias::new("BIGINT")))
        .expr(Func::cast_as(column("value").sum(), Alias::new("BIGINT")))
        .from(Alias::new("report_open"))
        .group_by_col(Alias::new("stage_id"))
        .group_by_col(Alias::new("currency"));
    if let Some(owner) = own(viewer, query) {
        // The summary files unassigned deals under owner 0.
        select.and_where(column("owner_id").is_in([owner, 0]));
    }
    if let Some(source) = source(query) {
        select.and_where(column("source").eq(source));
    }
    let rows = db.query_all_raw(db.get_database_backend().build(&select)).await?;
    Ok(rows
        .iter()
        .map(|row| Total {
            stage_id: row.try_get_by_index(0).unwrap_or_default(),
            currency: row.try_get_by_index(1).unwrap_or_default(),
            deals: row.try_get_by_index::<Option<i64>>(2).ok().flatten().unwrap_or_default(),
            value: row.try_get_by_index::<Option<i64>>(3).ok().flatten().unwrap_or_default(),
        })
        .filter(|t| t.deals > 0)
        .collect())
}

/// A deal a search found, with what its stage's count and worth need.
struct Hit {
    id: i64,
    stage_id: i64,
    currency: String,
    worth: i64,
}

/// One hit as `search::hits` lists it on SQLite: "id stage worth currency".
fn hit(text: &str) -> Option<Hit> {
    let mut parts = text.split(' ');
    let (id, stage_id, worth, currency) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?);
    Some(Hit { id, stage_id, currency: currency.to_owned(), worth })
}

/// The deals a search finds, newest first: by their client's name, e-mail or phone, or by
/// the reference of the property they are about, under the query's owner and source. At most
/// [`SEARCH_LIMIT`] of them, the newest clients' and references' first; the flag says more
/// match. Each step is bounded by that limit, so a name that thousands of clients share costs
/// what a rare one does: the newest matching ids from the trigram indexes (which read them
/// newest first), then those deals through their indexes.
async fn hits(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery, needle: &str) -> Result<(Vec<Hit>, bool), AppError> {
    let (mut hits, mut capped) = match db.get_database_backend() {
        DbBackend::Postgres => postgres_hits(db, viewer, query, needle).await?,
        _ => sqlite_hits(db, viewer, query, needle).await?,
    };
    // A client with several deals can take the list past the limit.
    if hits.len() > SEARCH_LIMIT {
        hits.truncate(SEARCH_LIMIT);
        capped = true;
    }
    Ok((hits, capped))
}

/// [`hits`] on SQLite, before the limit on deals: the newest matching clients and references
/// (`search::newest`), then their deals under the owner and source filters, and whether more
/// clients or references matched than were read.
async fn sqlite_hits(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery, needle: &str) -> Result<(Vec<Hit>, bool), AppError> {
    // Both lookups at once, each on its own pooled connection.
    let (mut clients, mut referred) = tokio::try_join!(
        search::newest(db, search::Index::Contacts, needle, SEARCH_LIMIT + 1),
        search::newest(db, search::Index::DealProperties, needle, SEARCH_LIMIT + 1),
    )?;
    let capped = clients.len() > SEARCH_LIMIT || referred.len() > SEARCH_LIMIT;
    clients.truncate(SEARCH_LIMIT);
    referred.truncate(SEARCH_LIMIT);
    if clients.is_empty() && referred.is_empty() {
        return Ok((Vec::new(), false));
    }
    // Only the lists that have ids: an empty one is written as a false condition, and an OR
    // with it made SQLite read every deal instead of looking the others up.
    let mut found = Condition::any();
    if !clients.is_empty() {
        found = found.add(deal::Column::ContactId.is_in(clients));
    }
    if !referred.is_empty() {
        found = found.add(deal::Column::Id.is_in(referred));
    }
    // One row for all of them, newest first: sqlx hands each row of SQLite's across from its
    // connection's thread, which for a common surname's 500 deals cost more than the query
    // (`search::newest` says more).
    let backend = DbBackend::Sqlite;
    let inner = hit_deals(backend, viewer, query, found).build(backend);
    let sql = format!("SELECT {} FROM ({}) AS found", listed_hits(backend), inner.sql);
    let list = crate::db::concatenated(db, sea_orm::Statement::from_sql_and_values(backend, sql, inner.values.map(|v| v.0).unwrap_or_default())).await?;
    Ok((hits_of(&list)?, capped))
}

/// The deals with these ids. On PostgreSQL the ids are one value, `= ANY(string_to_array($1,
/// ','))`, so the statement is the same whatever they are and is planned once per connection
/// rather than on every page (a page of 25 ids took 0.25 ms to plan, docs/benchmarks.md).
fn one_of(backend: DbBackend, ids: &[i64]) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            Expr::cust_with_values(r#""deals"."id" = ANY(string_to_array($1, ',')::bigint[])"#, [list])
        }
        _ => deal::Column::Id.is_in(ids.iter().copied()),
    }
}

/// What a hit needs of the deals `found` selects, under the query's owner and source.
fn hit_deals(backend: DbBackend, viewer: &SessionUser, query: &PipelineQuery, found: Condition) -> Select<deal::Entity> {
    let unsearched = PipelineQuery { search: None, ..query.clone() };
    matching(backend, own(viewer, query), &unsearched)
        .filter(found)
        .select_only()
        .column(deal::Column::Id)
        .column(deal::Column::StageId)
        .column(deal::Column::Currency)
        .column_as(worth(), "worth")
        .column(deal::Column::UpdatedAt)
}

/// The hits of a query's rows listed in one text, newest first: "id stage worth currency",
/// comma-separated (currencies are three letters, the rest numbers).
fn listed_hits(backend: DbBackend) -> String {
    let aggregate = if backend == DbBackend::Postgres { "string_agg" } else { "group_concat" };
    format!("{aggregate}(id || ' ' || stage_id || ' ' || coalesce(worth, 0) || ' ' || currency, ',' ORDER BY updated_at DESC, id DESC)")
}

/// The hits in a text that [`listed_hits`] wrote.
fn hits_of(list: &str) -> Result<Vec<Hit>, AppError> {
    Ok(list
        .split(',')
        .filter(|hit| !hit.is_empty())
        .map(hit)
        .collect::<Option<Vec<Hit>>>()
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("a search hit that does not read: {list:.80}")))?)
}

/// [`hits`] on PostgreSQL, before the limit on deals, in one statement: the newest matching
/// clients and references (`search::newest_rows`), the deals they lead to under the owner and
/// source filters, and whether more matched, listed in one row. Every step of it is a round trip when sent on its
/// own, and the 500 client ids a common surname finds had to be read, sent back as as many
/// values and planned again (docs/benchmarks.md).
async fn postgres_hits(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery, needle: &str) -> Result<(Vec<Hit>, bool), AppError> {
    let backend = DbBackend::Postgres;
    let found = Condition::any()
        .add(Expr::cust(format!(r#""deals"."contact_id" = ANY(ARRAY(SELECT id FROM clients ORDER BY id DESC LIMIT {SEARCH_LIMIT}))"#)))
        .add(Expr::cust(format!(r#""deals"."id" = ANY(ARRAY(SELECT id FROM refs ORDER BY id DESC LIMIT {SEARCH_LIMIT}))"#)));
    let inner = hit_deals(backend, viewer, query, found).build(backend);
    let mut values = inner.values.map(|v| v.0).unwrap_or_default();
    // The needle's pattern is the statement's last value.
    values.push(search::value(backend, needle));
    let at = values.len();
    let more = SEARCH_LIMIT + 1;
    let sql = format!(
        "WITH clients AS MATERIALIZED ({}), refs AS MATERIALIZED ({}) \
         SELECT (SELECT count(*) FROM clients) > {SEARCH_LIMIT} OR (SELECT count(*) FROM refs) > {SEARCH_LIMIT}, \
         (SELECT {} FROM ({}) AS found)",
        search::newest_rows(search::Index::Contacts, needle, more, at),
        search::newest_rows(search::Index::DealProperties, needle, more, at),
        listed_hits(backend),
        inner.sql,
    );
    let row = db.query_one_raw(sea_orm::Statement::from_sql_and_values(backend, sql, values)).await?;
    let (capped, list) = match row {
        Some(row) => (row.try_get_by_index::<bool>(0)?, row.try_get_by_index::<Option<String>>(1)?.unwrap_or_default()),
        None => (false, String::new()),
    };
    Ok((hits_of(&list)?, capped))
}

/// The pipeline under `query`: every stage with its count and value, and a page of deals per
/// stage (a phone shows the selected one, a wide screen all of them as a board). A search
/// shows one list of its matches instead, in every stage or the one chosen.
pub async fn pipeline(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery) -> Result<Pipeline, AppError> {
    let now = Utc::now();
    let needle = query.search.as_deref().and_then(search::needle);
    // The page's reads that do not depend on each other go out together, each on its own
    // pooled connection: on PostgreSQL every one is a round trip, and a search's trigram
    // lookup, the longest, then hides the others (docs/benchmarks.md).
    let counted = async {
        match &needle {
            Some(needle) => {
                let (found, capped) = hits(db, viewer, query, needle).await?;
                // A search's matches count one each; the columns below sum them per stage
                // and currency.
                let totals = found.iter().map(|hit| Total { stage_id: hit.stage_id, currency: hit.currency.clone(), deals: 1, value: hit.worth }).collect();
                Ok::<_, AppError>((found, capped, totals))
            }
            None => Ok((Vec::new(), false, totals(db, viewer, query).await?)),
        }
    };
    let (stage_rows, names, sources, (found, capped, totals)) =
        tokio::try_join!(stages(db), names(db), crate::reports::service::sources(db), counted)?;
    let chosen = query.stage.filter(|id| stage_rows.iter().any(|s| s.id == *id));
    // A search lists every stage's matches unless one is chosen; the board opens on the first.
    let selected = match (&needle, chosen) {
        (_, Some(id)) => id,
        (Some(_), None) => 0,
        (None, None) => stage_rows.first().map(|s| s.id).unwrap_or_default(),
    };

    let mut columns = Vec::with_capacity(stage_rows.len());
    for row in &stage_rows {
        let mut info = stage_info(row);
        for total in totals.iter().filter(|t| t.stage_id == row.id) {
            info.deals += total.deals as u64;
            Money::add_to(&mut info.value, &total.currency, total.value);
        }
        let pages = std::cmp::max(info.deals.div_ceil(PAGE_SIZE), 1);
        let page = if row.id == selected && needle.is_none() { query.page.clamp(1, pages) } else { 1 };
        columns.push(Column { stage: info, deals: Vec::new(), page, pages });
    }
    let matches = if needle.is_some() {
        let listed: Vec<&Hit> = found.iter().filter(|h| selected == 0 || h.stage_id == selected).collect();
        let total = listed.len() as u64;
        let pages = std::cmp::max(total.div_ceil(SEARCH_PAGE_SIZE), 1);
        let page = query.page.clamp(1, pages);
        let ids: Vec<i64> = listed.iter().skip(((page - 1) * SEARCH_PAGE_SIZE) as usize).take(SEARCH_PAGE_SIZE as usize).map(|h| h.id).collect();
        let mut rows: Vec<(deal::Model, Option<contact::Model>)> =
            deal::Entity::find().filter(one_of(db.get_database_backend(), &ids)).find_also_related(contact::Entity).all(db).await?;
        rows.sort_by_key(|(d, _)| ids.iter().position(|id| *id == d.id));
        let deals = rows.into_iter().map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now)).collect();
        Some(Matches { deals, total, page, pages, capped })
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
        None
    };
    Ok(Pipeline {
        columns,
        selected,
        everyone: query.everyone && viewer.role.includes(Role::Manager),
        may_see_everyone: viewer.role.includes(Role::Manager),
        sources,
        matches,
    })
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
