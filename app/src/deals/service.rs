//! The deal rules: who sees which deals, how a deal moves, and how two people never
//! overwrite each other. Every change to a deal goes through [`versioned`]: it applies only to
//! the version the editor saw, bumps the version, and leaves an audit row per field.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, TransactionTrait,
};

use super::{
    budget, kind_label, money, Change, Claim, Column, ContactCard, DealCard, DealView, Money, Outcome, Person, Pipeline,
    PipelineQuery, StageInfo, StageKind, TimelineEntry, CLAIM_MINUTES, PAGE_SIZE,
};
use crate::auth::{parse_name, Email, Role, SessionUser};
use crate::capture::{waited, Need};
use crate::db::entities::{activity, contact, deal, deal_change, lost_reason, stage, user};
use crate::common::local;
use crate::error::{AppError, Validator};
use crate::notifications::DealEvent;
use crate::notifications::service::Notifier;

fn stage_info(row: &stage::Model) -> StageInfo {
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

/// Whether a deal has sat untouched in an open stage past that stage's limit.
fn is_stale(deal: &deal::Model, stage: Option<&stage::Model>, now: DateTime<Utc>) -> bool {
    let Some(stage) = stage else { return false };
    match stage.stale_after_days {
        Some(days) if stage.kind == crate::deals::StageKind::Open => deal.updated_at < now - Duration::days(i64::from(days)),
        _ => false,
    }
}

fn live_claim(deal: &deal::Model, names: &HashMap<i64, String>, now: DateTime<Utc>) -> Option<Claim> {
    match (deal.reply_claimed_by, deal.reply_claimed_until) {
        (Some(user_id), Some(until)) if until > now => {
            Some(Claim { user_id, name: names.get(&user_id).cloned().unwrap_or_default(), until })
        }
        _ => None,
    }
}

/// Everyone's name by user id, for the names lists and cards show.
pub(crate) async fn names(db: &impl ConnectionTrait) -> Result<HashMap<i64, String>, AppError> {
    Ok(user::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u.name)).collect())
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

/// The deals a query selects, before paging: an agent's own (and unassigned ones), or
/// everyone's for a manager who asks.
fn filtered(viewer: &SessionUser, query: &PipelineQuery) -> Select<deal::Entity> {
    let own = (!(query.everyone && viewer.role.includes(Role::Manager))).then_some(viewer.id);
    matching(own, query)
}

/// The deals of `owner` (and unassigned ones), or everyone's for `None`, under the query's
/// source and search filters.
fn matching(owner: Option<i64>, query: &PipelineQuery) -> Select<deal::Entity> {
    let search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // The contact is joined only to search it; counting and paging without a search stay on
    // the deals' own indexes.
    let mut select = deal::Entity::find();
    if search.is_some() {
        select = select.inner_join(contact::Entity);
    }
    if let Some(owner) = owner {
        select = select.filter(Condition::any().add(deal::Column::OwnerId.eq(owner)).add(deal::Column::OwnerId.is_null()));
    }
    if let Some(source) = query.source.as_deref().filter(|s| !s.is_empty()) {
        select = select.filter(deal::Column::Source.eq(source));
    }
    if let Some(search) = search {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let mut any = Condition::any()
            .add(Expr::expr(Func::lower(Expr::col((contact::Entity, contact::Column::Name)))).like(&pattern))
            .add(Expr::col((contact::Entity, contact::Column::Email)).like(&pattern));
        if digits.len() >= 3 {
            any = any.add(Expr::col((contact::Entity, contact::Column::Phone)).like(format!("%{digits}%")));
        }
        select = select.filter(any);
    }
    select
}

/// Cards of these deals for `viewer`, in the order given.
pub(crate) async fn cards(db: &DatabaseConnection, viewer: &SessionUser, deals: Vec<deal::Model>) -> Result<Vec<DealCard>, AppError> {
    let now = Utc::now();
    let stage_rows = stages(db).await?;
    let names = names(db).await?;
    let ids: Vec<i64> = deals.iter().map(|d| d.contact_id).collect();
    let contacts: HashMap<i64, contact::Model> =
        contact::Entity::find().filter(contact::Column::Id.is_in(ids)).all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    Ok(deals
        .into_iter()
        .map(|d| {
            let c = contacts.get(&d.contact_id).cloned();
            card(viewer, d, c, &names, &stage_rows, now)
        })
        .collect())
}

/// Adds each deal's contact; a search has joined it already.
fn with_contact(select: Select<deal::Entity>, query: &PipelineQuery) -> sea_orm::SelectTwo<deal::Entity, contact::Entity> {
    if query.search.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        select.select_also(contact::Entity)
    } else {
        select.find_also_related(contact::Entity)
    }
}

/// The pipeline under `query`: every stage with its count and value, and a page of deals per
/// stage (a phone shows the selected one, a wide screen all of them as a board).
pub async fn pipeline(db: &DatabaseConnection, viewer: &SessionUser, query: &PipelineQuery) -> Result<Pipeline, AppError> {
    let now = Utc::now();
    let stage_rows = stages(db).await?;
    let names = names(db).await?;
    let totals: Vec<(i64, String, i64, Option<i64>)> = filtered(viewer, query)
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
        let select = filtered(viewer, query)
            .filter(deal::Column::StageId.eq(row.id))
            .order_by_desc(deal::Column::UpdatedAt)
            .order_by_desc(deal::Column::Id);
        let deals = with_contact(select, query)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
            .all(db)
            .await?
            .into_iter()
            .map(|(d, c)| card(viewer, d, c, &names, &stage_rows, now))
            .collect();
        columns.push(Column { stage: info, deals, page, pages });
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

async fn find_deal(db: &impl ConnectionTrait, id: i64) -> Result<deal::Model, AppError> {
    deal::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)
}

/// The deal page. Any staff member may open any deal: colleagues cover for each other, and
/// the reply claim keeps them from answering twice.
pub async fn view(db: &DatabaseConnection, viewer: &SessionUser, id: i64) -> Result<DealView, AppError> {
    let now = Utc::now();
    let deal = find_deal(db, id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let users = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let stage_rows = stages(db).await?;
    let reasons = lost_reason::Entity::find()
        .filter(lost_reason::Column::Active.eq(true))
        .order_by_asc(lost_reason::Column::Position)
        .all(db)
        .await?;
    let agency_name = crate::agency::load(db).await?.name;
    let contact_first_name = contact.name.split_whitespace().next().unwrap_or("").to_owned();
    let timeline = activity::Entity::find()
        .filter(activity::Column::DealId.eq(id))
        .order_by_desc(activity::Column::OccurredAt)
        .order_by_desc(activity::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| TimelineEntry {
            id: a.id,
            label: match (a.kind.as_str(), a.direction.as_str()) {
                ("whatsapp", "in") => "WhatsApp from client".to_owned(),
                ("whatsapp", "out") => match a.delivery.as_deref() {
                    Some("failed") => "WhatsApp to client · not delivered".to_owned(),
                    Some(status @ ("sent" | "delivered" | "read")) => format!("WhatsApp to client · {status}"),
                    _ => "WhatsApp to client".to_owned(),
                },
                (kind, _) => kind_label(kind).to_owned(),
            },
            attachment: a.attachment_name.clone().map(|name| (format!("/attachments/{}", a.id), name)),
            kind: a.kind,
            direction: a.direction,
            author: a.author_id.and_then(|id| names.get(&id).cloned()),
            at: local(a.occurred_at, &viewer.time_zone),
            body: a.body,
        })
        .collect();
    let manager = viewer.role.includes(Role::Manager);
    let history = if manager {
        deal_change::Entity::find()
            .filter(deal_change::Column::DealId.eq(id))
            .order_by_desc(deal_change::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|c| Change {
                version: c.version,
                field: c.field,
                old_value: c.old_value,
                new_value: c.new_value,
                by: c.user_id.and_then(|id| names.get(&id).cloned()),
                at: local(c.changed_at, &viewer.time_zone),
            })
            .collect()
    } else {
        Vec::new()
    };
    let assignable = if manager {
        users
            .iter()
            .filter(|u| u.disabled_at.is_none())
            .map(|u| Person { id: u.id, name: u.name.clone() })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DealView {
        id: deal.id,
        version: deal.version,
        contact: ContactCard {
            id: contact.id,
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            whatsapp: contact.whatsapp,
            language: contact.language,
            marketing_consent: contact.marketing_consent,
        },
        need: Need::parse(&deal.need).unwrap_or(Need::Buy),
        budget: budget(deal.budget_min, deal.budget_max, &deal.currency),
        property_ref: deal.property_ref.clone(),
        move_in: deal.move_in.clone(),
        source: deal.source.clone(),
        created: local(deal.created_at, &viewer.time_zone),
        first_response: deal.first_response_at.map(|at| local(at, &viewer.time_zone)),
        stage_id: deal.stage_id,
        stages: stage_rows.iter().map(stage_info).collect(),
        lost_reason: deal.lost_reason.clone(),
        won_value: deal.won_value.map(|v| money(v, &deal.currency)),
        currency: deal.currency.clone(),
        lost_reasons: reasons.into_iter().map(|r| r.name).collect(),
        owner: deal.owner_id.map(|id| Person { id, name: names.get(&id).cloned().unwrap_or_default() }),
        assignable,
        claim: live_claim(&deal, &names, now),
        editable: may_edit(&Actor::person(viewer), &deal).is_ok(),
        viewer_id: viewer.id,
        greeting: format!(
            "Hello {}, this is {} from {} about your inquiry.",
            contact_first_name,
            viewer.name.split_whitespace().next().unwrap_or(&viewer.name),
            agency_name
        ),
        timeline,
        history,
    })
}

/// Who makes a change: a person logged in, or an integration with an API key. Changes by a
/// key have no author on the timeline and no user in the audit history; the key's name goes
/// into the live event.
#[derive(Clone, Debug)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub manager: bool,
    /// For the times in a conflict message.
    pub time_zone: String,
}

impl Actor {
    pub fn person(user: &SessionUser) -> Actor {
        Actor { user_id: Some(user.id), name: user.name.clone(), manager: user.role.includes(Role::Manager), time_zone: user.time_zone.clone() }
    }

    pub fn api_key(name: &str) -> Actor {
        Actor { user_id: None, name: format!("API key \"{name}\""), manager: true, time_zone: "UTC".into() }
    }
}

/// Agents change their own deals and the unassigned ones (stage, details, follow-ups);
/// managers, admins and API keys change all. Everyone sees every deal, logs what happened on
/// it and may claim the reply.
pub fn may_edit(actor: &Actor, deal: &deal::Model) -> Result<(), AppError> {
    if actor.manager || deal.owner_id.is_none() || deal.owner_id == actor.user_id { Ok(()) } else { Err(AppError::Forbidden) }
}

/// One field's change, for the audit history.
struct FieldChange {
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
}

fn change(field: &'static str, old: Option<String>, new: Option<String>) -> Option<FieldChange> {
    (old != new).then_some(FieldChange { field, old, new })
}

/// What one edit does to a deal: the columns it sets, the audit rows, perhaps a timeline
/// entry, and perhaps the contact's new details.
#[derive(Default)]
struct Edit {
    row: deal::ActiveModel,
    changes: Vec<FieldChange>,
    entry: Option<activity::ActiveModel>,
    contact: Option<contact::ActiveModel>,
    /// Won or lost: what was still planned for the deal is cancelled.
    closes: bool,
    /// A follow-up plan to start (the deal entered a stage that starts one).
    start_plan: Option<i64>,
}

/// Applies `apply` to the deal at `version`, or refuses with what changed since then.
/// `apply` gets the current row and returns the edit; all of it commits together.
async fn versioned<F>(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    version: i64,
    what: String,
    apply: F,
) -> Result<i64, AppError>
where
    F: FnOnce(&deal::Model) -> Result<Edit, AppError>,
{
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let current = find_deal(txn, deal_id).await?;
    may_edit(actor, &current)?;
    if current.version != version {
        let message = conflict_message(txn, actor, deal_id, version).await?;
        return Err(AppError::StaleVersion(message));
    }
    let now = Utc::now();
    let Edit { mut row, changes, entry, contact, closes, start_plan } = apply(&current)?;
    if changes.is_empty() {
        return Ok(current.version);
    }
    let next = version + 1;
    row.version = Set(next);
    row.updated_at = Set(now);
    // Compare-and-set: on PostgreSQL a concurrent edit may have committed since the read.
    let updated = deal::Entity::update_many()
        .set(row)
        .filter(deal::Column::Id.eq(deal_id))
        .filter(deal::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if updated.rows_affected != 1 {
        let message = conflict_message(txn, actor, deal_id, version).await?;
        return Err(AppError::StaleVersion(message));
    }
    for c in changes {
        deal_change::ActiveModel {
            deal_id: Set(deal_id),
            user_id: Set(actor.user_id),
            version: Set(next),
            field: Set(c.field.to_owned()),
            old_value: Set(c.old),
            new_value: Set(c.new),
            changed_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    if closes {
        crate::reminders::service::cancel_for_closed(txn, deal_id).await?;
    }
    if let (Some(plan_id), Some(assignee)) = (start_plan, current.owner_id.or(actor.user_id)) {
        crate::plans::service::start(txn, plan_id, &current, assignee, actor.user_id, now).await?;
    }
    if let Some(contact) = contact {
        contact.update(txn).await.map_err(|err| match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::field("phone", "Another contact has this number or address."),
            _ => AppError::from(err),
        })?;
    }
    if let Some(mut entry) = entry {
        entry.deal_id = Set(Some(deal_id));
        entry.contact_id = Set(current.contact_id);
        entry.author_id = Set(actor.user_id);
        entry.occurred_at = Set(now);
        entry.created_at = Set(now);
        entry.insert(txn).await?;
    }
    write.txn.commit().await?;
    notifier.deal_changed(DealEvent { deal_id, version: next, by_user_id: actor.user_id, what });
    Ok(next)
}

/// What others changed since `version`, in words, for the person whose edit was refused.
async fn conflict_message(db: &impl ConnectionTrait, actor: &Actor, deal_id: i64, version: i64) -> Result<String, AppError> {
    let names = names(db).await?;
    let changes = deal_change::Entity::find()
        .filter(deal_change::Column::DealId.eq(deal_id))
        .filter(deal_change::Column::Version.gt(version))
        .order_by_asc(deal_change::Column::Id)
        .all(db)
        .await?;
    let said: Vec<String> = changes
        .iter()
        .map(|c| {
            let who = c.user_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| "Someone".into());
            format!(
                "{who} changed {} from {} to {} ({})",
                c.field.replace('_', " "),
                c.old_value.as_deref().unwrap_or("nothing"),
                c.new_value.as_deref().unwrap_or("nothing"),
                local(c.changed_at, &actor.time_zone)
            )
        })
        .collect();
    let what = if said.is_empty() { "Someone else changed this deal".to_owned() } else { said.join("; ") };
    Ok(format!("{what}. Your change was not saved: check it still makes sense, then apply it again."))
}

/// Moves a deal to another stage. Lost needs a reason from the admin's list; won needs the
/// final value.
#[allow(clippy::too_many_arguments)]
pub async fn move_stage(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    version: i64,
    stage_id: i64,
    lost_reason: Option<String>,
    won_value: Option<String>,
) -> Result<i64, AppError> {
    let stage_rows = stages(db).await?;
    let target = stage_rows.iter().find(|s| s.id == stage_id).ok_or_else(|| AppError::field("stage_id", "Choose a stage from the list."))?;
    let reasons: Vec<String> = lost_reason::Entity::find().filter(lost_reason::Column::Active.eq(true)).all(db).await?.into_iter().map(|r| r.name).collect();
    let mut v = Validator::default();
    let kind = target.kind;
    let reason = match kind {
        StageKind::Lost => {
            let given = lost_reason.as_deref().map(str::trim).unwrap_or("");
            if reasons.iter().any(|r| r == given) {
                Some(given.to_owned())
            } else {
                v.add("lost_reason", "Choose why the deal was lost.");
                None
            }
        }
        _ => None,
    };
    let won = match kind {
        StageKind::Won => v.check("won_value", crate::capture::normalize::parse_money(won_value.as_deref().unwrap_or("")).and_then(|m| m.ok_or_else(|| "Enter the final value, like 250000.".to_string()))),
        _ => None,
    };
    v.finish()?;
    let names: HashMap<i64, String> = stage_rows.iter().map(|s| (s.id, s.name.clone())).collect();
    let what = format!("{} moved it to {}", actor.name, target.name);
    let target_name = target.name.clone();
    let target_plan = target.plan_id;
    versioned(db, notifier, actor, deal_id, version, what, move |current| {
        let mut changes: Vec<FieldChange> = Vec::new();
        let from = names.get(&current.stage_id).cloned();
        changes.extend(change("stage", from.clone(), Some(target_name.clone())));
        changes.extend(change("lost_reason", current.lost_reason.clone(), reason.clone()));
        changes.extend(change("won_value", current.won_value.map(|v| money(v, &current.currency)), won.map(|v| money(v, &current.currency))));
        let mut row = deal::ActiveModel { ..Default::default() };
        row.stage_id = Set(stage_id);
        row.lost_reason = Set(reason.clone());
        row.won_value = Set(won);
        if current.stage_id != stage_id {
            row.stage_entered_at = Set(Some(Utc::now()));
        }
        row.closed_at = Set(match kind {
            StageKind::Open => None,
            _ => current.closed_at.or(Some(Utc::now())),
        });
        let mut body = format!("{} → {}", from.unwrap_or_default(), target_name);
        if let Some(reason) = &reason {
            body.push_str(&format!(" ({reason})"));
        }
        if let Some(won) = won {
            body.push_str(&format!(" ({})", money(won, &current.currency)));
        }
        let entry = (current.stage_id != stage_id).then(|| activity::ActiveModel {
            kind: Set("stage_change".into()),
            direction: Set("internal".into()),
            body: Set(body),
            ..Default::default()
        });
        let start_plan = target_plan.filter(|_| current.stage_id != stage_id && kind == StageKind::Open);
        Ok(Edit { row, changes, entry, contact: None, closes: kind != StageKind::Open, start_plan })
    })
    .await
}

/// Hands a deal to another agent (managers only). The new owner is told.
pub async fn reassign(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    version: i64,
    owner_id: i64,
) -> Result<i64, AppError> {
    if !actor.manager {
        return Err(AppError::Forbidden);
    }
    let owner = crate::auth::service::active_colleague(db, owner_id, "owner_id").await?;
    let names = names(db).await?;
    let what = format!("{} gave it to {}", actor.name, owner.name);
    let new_version = versioned(db, notifier, actor, deal_id, version, what, |current| {
        let changes: Vec<FieldChange> =
            change("owner", current.owner_id.and_then(|id| names.get(&id).cloned()), Some(owner.name.clone())).into_iter().collect();
        let row = deal::ActiveModel { owner_id: Set(Some(owner_id)), ..Default::default() };
        Ok(Edit { row, changes, ..Default::default() })
    })
    .await?;
    let deal = find_deal(db, deal_id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    if Some(owner_id) != actor.user_id {
        let notice = crate::notifications::service::create(
            db,
            owner_id,
            "deal_assigned",
            &format!("{} gave you {}", actor.name, contact.name),
            &contact.phone.clone().unwrap_or_default(),
            Some(deal_id),
        )
        .await?;
        notifier.publish([notice]);
    }
    Ok(new_version)
}

/// The most deals one bulk hand-over moves.
pub const BULK_LIMIT: usize = 10_000;

/// Hands many deals to one colleague at once (managers only): one transaction, each deal's
/// version bumped with an audit row, and one notice to the new owner. Deals they own already
/// are left as they are. Returns how many moved.
pub async fn reassign_many(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_ids: &[i64],
    owner_id: i64,
) -> Result<u64, AppError> {
    if !actor.manager {
        return Err(AppError::Forbidden);
    }
    if deal_ids.is_empty() {
        return Err(AppError::field("deal_ids", "Tick the deals to hand over."));
    }
    if deal_ids.len() > BULK_LIMIT {
        return Err(AppError::field("deal_ids", format!("Hand over at most {BULK_LIMIT} deals at once.")));
    }
    let owner = crate::auth::service::active_colleague(db, owner_id, "owner_id").await?;
    let names = names(db).await?;
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let mut moved: Vec<(i64, i64)> = Vec::new();
    for chunk in deal_ids.chunks(500) {
        let mut select = deal::Entity::find()
            .filter(deal::Column::Id.is_in(chunk.to_vec()))
            .filter(Condition::any().add(deal::Column::OwnerId.ne(owner_id)).add(deal::Column::OwnerId.is_null()));
        // Held until commit, so the versions read are the ones the update bumps (SQLite
        // writes one at a time already).
        if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
            select = select.lock_exclusive();
        }
        let rows = select.all(txn).await?;
        if rows.is_empty() {
            continue;
        }
        let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
        deal::Entity::update_many()
            .col_expr(deal::Column::OwnerId, Expr::value(owner_id))
            .col_expr(deal::Column::Version, Expr::col(deal::Column::Version).add(1))
            .col_expr(deal::Column::UpdatedAt, Expr::value(now))
            .filter(deal::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
        let audit = rows.iter().map(|d| deal_change::ActiveModel {
            deal_id: Set(d.id),
            user_id: Set(actor.user_id),
            version: Set(d.version + 1),
            field: Set("owner".into()),
            old_value: Set(d.owner_id.and_then(|id| names.get(&id).cloned())),
            new_value: Set(Some(owner.name.clone())),
            changed_at: Set(now),
            ..Default::default()
        });
        deal_change::Entity::insert_many(audit).exec(txn).await?;
        moved.extend(rows.iter().map(|d| (d.id, d.version + 1)));
    }
    let notice = if moved.is_empty() || Some(owner_id) == actor.user_id {
        None
    } else {
        let n = moved.len();
        let what = if n == 1 { "a deal".to_string() } else { format!("{n} deals") };
        let deal_id = (n == 1).then(|| moved[0].0);
        Some(crate::notifications::service::create(txn, owner_id, "deal_assigned", &format!("{} gave you {what}", actor.name), "", deal_id).await?)
    };
    write.txn.commit().await?;
    if let Some(notice) = notice {
        notifier.publish([notice]);
    }
    let what = format!("{} gave it to {}", actor.name, owner.name);
    for (deal_id, version) in &moved {
        notifier.deal_changed(DealEvent { deal_id: *deal_id, version: *version, by_user_id: actor.user_id, what: what.clone() });
    }
    Ok(moved.len() as u64)
}

/// The open deals an agent owns, for handing them all over.
pub async fn open_deal_ids(db: &DatabaseConnection, owner_id: i64) -> Result<Vec<i64>, AppError> {
    let open: Vec<i64> = stages(db).await?.into_iter().filter(|s| s.kind == crate::deals::StageKind::Open).map(|s| s.id).collect();
    let owner = if owner_id == 0 { deal::Column::OwnerId.is_null() } else { deal::Column::OwnerId.eq(owner_id) };
    Ok(deal::Entity::find()
        .select_only()
        .column(deal::Column::Id)
        .filter(owner)
        .filter(deal::Column::StageId.is_in(open))
        .order_by_asc(deal::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// The contact's details as an agent typed them on the deal page.
#[derive(Clone, Debug, Default)]
pub struct ContactEdit {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub whatsapp: String,
}

/// Edits the deal's contact with the same rules as capture. Guarded by the deal's version,
/// and audited on the deal.
pub async fn edit_contact(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    version: i64,
    region: &str,
    edit: &ContactEdit,
) -> Result<i64, AppError> {
    use crate::capture::normalize::{parse_phone, parse_whatsapp};
    let mut v = Validator::default();
    let name = v.check("name", parse_name(&edit.name));
    let phone = v.check("phone", parse_phone(&edit.phone, region));
    let whatsapp = v.check("whatsapp", parse_whatsapp(&edit.whatsapp, region));
    let email = v.check(
        "email",
        if edit.email.trim().is_empty() { Ok(None) } else { Email::parse(&edit.email).map(|e| Some(e.as_str().to_owned())) },
    );
    if matches!((&phone, &email), (Some(None), Some(None))) {
        v.add("phone", "Keep a phone number or an e-mail address, or nobody can reach them.");
    }
    let (name, phone, email, whatsapp) = v.finish_with((name, phone, email, whatsapp))?;
    let deal = find_deal(db, deal_id).await?;
    // Who may not edit the deal learns nothing here, not even who else has the number.
    may_edit(actor, &deal)?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut v = Validator::default();
    for (field, value, column) in [("phone", &phone, contact::Column::Phone), ("email", &email, contact::Column::Email)] {
        if let Some(value) = value {
            let taken = contact::Entity::find().filter(column.eq(value.as_str())).filter(contact::Column::Id.ne(contact.id)).one(db).await?;
            if let Some(other) = taken {
                v.add(field, format!("{} already has this {}.", other.name, if field == "phone" { "number" } else { "address" }));
            }
        }
    }
    v.finish()?;
    let whatsapp = whatsapp.or_else(|| phone.clone());
    let changes: Vec<FieldChange> = [
        change("contact name", Some(contact.name.clone()), Some(name.clone())),
        change("contact phone", contact.phone.clone(), phone.clone()),
        change("contact e-mail", contact.email.clone(), email.clone()),
        change("contact WhatsApp", contact.whatsapp.clone(), whatsapp.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if changes.is_empty() {
        return Ok(version);
    }
    let what = format!("{} edited the contact", actor.name);
    let mut row: contact::ActiveModel = contact.into();
    row.name = Set(name);
    row.phone = Set(phone);
    row.email = Set(email);
    row.whatsapp = Set(whatsapp);
    row.updated_at = Set(Utc::now());
    versioned(db, notifier, actor, deal_id, version, what, move |_| Ok(Edit { changes, contact: Some(row), ..Default::default() })).await
}

/// Records what happened with the client. The first contact with the client answers the
/// lead (speed to lead), and ends the author's claim on the reply.
pub async fn log_outcome(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    outcome: Outcome,
    note: &str,
) -> Result<(), AppError> {
    let note = note.trim();
    if outcome == Outcome::Note && note.is_empty() {
        return Err(AppError::field("body", "Write the note first."));
    }
    if note.chars().count() > 5000 {
        return Err(AppError::field("body", "Keep a note under 5000 characters."));
    }
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    // Anyone on the team may log what happened: the timeline is where every fact about the
    // client goes, whoever heard it.
    let deal = find_deal(txn, deal_id).await?;
    let (kind, direction) = outcome.activity();
    let body = match (outcome, note.is_empty()) {
        (Outcome::Note, _) => note.to_owned(),
        (_, true) => outcome.label().to_owned(),
        (_, false) => format!("{}: {note}", outcome.label()),
    };
    activity::ActiveModel {
        deal_id: Set(Some(deal_id)),
        contact_id: Set(deal.contact_id),
        kind: Set(kind.into()),
        direction: Set(direction.into()),
        author_id: Set(actor.user_id),
        body: Set(body),
        occurred_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // Not a versioned edit: the timeline only grows, so two people logging at once never
    // conflict. The deal is touched (no longer stale) and, on a first answer, timed.
    let mut touch = deal::Entity::update_many().col_expr(deal::Column::UpdatedAt, Expr::value(now)).filter(deal::Column::Id.eq(deal_id));
    if outcome.answers_the_client() && deal.first_response_at.is_none() {
        touch = touch.col_expr(deal::Column::FirstResponseAt, Expr::value(now));
    }
    if outcome.answers_the_client() && actor.user_id.is_some() && deal.reply_claimed_by == actor.user_id {
        touch = touch
            .col_expr(deal::Column::ReplyClaimedBy, Expr::value(Option::<i64>::None))
            .col_expr(deal::Column::ReplyClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None));
    }
    touch.exec(txn).await?;
    write.txn.commit().await?;
    notifier.deal_changed(DealEvent {
        deal_id,
        version: deal.version,
        by_user_id: actor.user_id,
        what: format!("{} logged: {}", actor.name, outcome.label()),
    });
    Ok(())
}

/// "I'm replying": holds the reply for [`CLAIM_MINUTES`]. Refused while a colleague holds it.
pub async fn claim_reply(db: &DatabaseConnection, notifier: &Notifier, viewer: &SessionUser, deal_id: i64) -> Result<Claim, AppError> {
    let now = Utc::now();
    let until = now + Duration::minutes(CLAIM_MINUTES);
    // One statement decides between two people claiming at once.
    let taken = deal::Entity::update_many()
        .col_expr(deal::Column::ReplyClaimedBy, Expr::value(viewer.id))
        .col_expr(deal::Column::ReplyClaimedUntil, Expr::value(until))
        .filter(deal::Column::Id.eq(deal_id))
        .filter(
            Condition::any()
                .add(deal::Column::ReplyClaimedBy.is_null())
                .add(deal::Column::ReplyClaimedBy.eq(viewer.id))
                .add(deal::Column::ReplyClaimedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    let deal = find_deal(db, deal_id).await?;
    if taken.rows_affected == 0 {
        let names = names(db).await?;
        let holder = live_claim(&deal, &names, now).map(|c| c.name).unwrap_or_else(|| "A colleague".into());
        return Err(AppError::Conflict(format!("{holder} is already replying to this client.")));
    }
    notifier.deal_changed(DealEvent { deal_id, version: deal.version, by_user_id: Some(viewer.id), what: format!("{} is replying", viewer.name) });
    Ok(Claim { user_id: viewer.id, name: viewer.name.clone(), until })
}

/// Gives the reply back before the claim lapses.
pub async fn release_reply(db: &DatabaseConnection, notifier: &Notifier, viewer: &SessionUser, deal_id: i64) -> Result<(), AppError> {
    let released = deal::Entity::update_many()
        .col_expr(deal::Column::ReplyClaimedBy, Expr::value(Option::<i64>::None))
        .col_expr(deal::Column::ReplyClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(deal::Column::Id.eq(deal_id))
        .filter(deal::Column::ReplyClaimedBy.eq(viewer.id))
        .exec(db)
        .await?;
    if released.rows_affected == 1 {
        let deal = find_deal(db, deal_id).await?;
        notifier.deal_changed(DealEvent { deal_id, version: deal.version, by_user_id: Some(viewer.id), what: format!("{} stopped replying", viewer.name) });
    }
    Ok(())
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
        v.add("name", "Give the stage a name of at most 40 characters.");
    }
    let kind = v.check("kind", StageKind::parse(kind));
    if stale_after_days.is_some_and(|d| !(1..=365).contains(&d)) {
        v.add("stale_after_days", "Use 1 to 365 days, or leave it empty.");
    }
    let others = stages(db).await?;
    if others.iter().any(|s| Some(s.id) != id && s.name.eq_ignore_ascii_case(&name)) {
        v.add("name", "Another stage has this name.");
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
                    format!("This stage holds {held} deals. Move them to another stage before changing its kind."),
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
        return Err(AppError::Conflict(format!("This stage holds {held} deals. Move them to another stage first.")));
    }
    let all = stages(db).await?;
    let open_left = all.iter().filter(|s| s.id != id && s.kind == crate::deals::StageKind::Open).count();
    if all.iter().any(|s| s.id == id && s.kind == crate::deals::StageKind::Open) && open_left == 0 {
        return Err(AppError::Conflict("The pipeline needs at least one open stage for new leads.".into()));
    }
    stage::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Replaces the list of reasons offered when a deal is lost (admins). Reasons already used
/// stay on their deals.
pub async fn save_lost_reasons(db: &DatabaseConnection, lines: &str) -> Result<Vec<String>, AppError> {
    let reasons: Vec<String> = lines.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    if reasons.is_empty() {
        return Err(AppError::field("reasons", "Keep at least one reason, one per line."));
    }
    if let Some(long) = reasons.iter().find(|r| r.chars().count() > 80) {
        return Err(AppError::field("reasons", format!("Shorten \"{long}\" to at most 80 characters.")));
    }
    let txn = db.begin().await?;
    lost_reason::Entity::delete_many().exec(&txn).await?;
    for (position, name) in reasons.iter().enumerate() {
        lost_reason::ActiveModel { name: Set(name.clone()), position: Set(position as i32), active: Set(true), ..Default::default() }
            .insert(&txn)
            .await?;
    }
    txn.commit().await?;
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

/// A deal as the REST API gives it: stored values, money in minor units, times in UTC.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DealRecord {
    pub id: i64,
    pub version: i64,
    pub contact: ContactRecord,
    pub need: String,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub currency: String,
    pub stage_id: i64,
    pub stage: String,
    pub owner_id: Option<i64>,
    pub source: String,
    pub property_ref: Option<String>,
    pub lost_reason: Option<String>,
    pub won_value: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ContactRecord {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
}

/// What an API client may filter the deal list by.
#[derive(Clone, Debug, Default)]
pub struct DealFilter {
    pub stage_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub source: Option<String>,
    pub search: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

fn record_of(deal: deal::Model, contact: Option<contact::Model>, stages: &[stage::Model]) -> DealRecord {
    let contact = contact.unwrap_or_else(|| contact::Model {
        id: deal.contact_id,
        name: String::new(),
        phone: None,
        email: None,
        whatsapp: None,
        language: None,
        marketing_consent: false,
        consent_at: None,
        consent_text: None,
        created_at: deal.created_at,
        updated_at: deal.created_at,
    });
    DealRecord {
        id: deal.id,
        version: deal.version,
        contact: ContactRecord { id: contact.id, name: contact.name, phone: contact.phone, email: contact.email, whatsapp: contact.whatsapp },
        need: deal.need,
        budget_min: deal.budget_min,
        budget_max: deal.budget_max,
        currency: deal.currency,
        stage_id: deal.stage_id,
        stage: stages.iter().find(|s| s.id == deal.stage_id).map(|s| s.name.clone()).unwrap_or_default(),
        owner_id: deal.owner_id,
        source: deal.source,
        property_ref: deal.property_ref,
        lost_reason: deal.lost_reason,
        won_value: deal.won_value,
        created_at: deal.created_at,
        updated_at: deal.updated_at,
        first_response_at: deal.first_response_at,
        closed_at: deal.closed_at,
    }
}

/// A page of deals for the API, most recently changed first, and how many match in all.
pub async fn records(db: &DatabaseConnection, filter: &DealFilter) -> Result<(Vec<DealRecord>, u64), AppError> {
    let query = PipelineQuery { source: filter.source.clone(), search: filter.search.clone(), ..Default::default() };
    let mut select = matching(None, &query);
    if let Some(stage_id) = filter.stage_id {
        select = select.filter(deal::Column::StageId.eq(stage_id));
    }
    if let Some(owner_id) = filter.owner_id {
        select = select.filter(deal::Column::OwnerId.eq(owner_id));
    }
    let total = select.clone().count(db).await?;
    let stage_rows = stages(db).await?;
    let rows = with_contact(select.order_by_desc(deal::Column::UpdatedAt).order_by_desc(deal::Column::Id), &query)
        .limit(filter.per_page)
        .offset(crate::db::offset(filter.page, filter.per_page))
        .all(db)
        .await?;
    Ok((rows.into_iter().map(|(d, c)| record_of(d, c, &stage_rows)).collect(), total))
}

pub async fn record(db: &DatabaseConnection, id: i64) -> Result<DealRecord, AppError> {
    let deal = find_deal(db, id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?;
    Ok(record_of(deal, contact, &stages(db).await?))
}
