//! Changing a deal. Every change goes through [`versioned`]: it applies only to the version
//! the editor saw, bumps the version, and leaves an audit row per field.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, ExprTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::deals::{money, ActivityKind, DealId, Direction, Outcome, StageKind, StageMove, Version};
use crate::auth::{parse_name, Email};
use crate::db::entities::{activity, contact, deal, deal_change, lost_reason};
use crate::common::local;
use crate::error::{AppError, Validator};
use crate::language::{t, t_with, Text};
use crate::notifications::service::DealChange;
use crate::notifications::service::Notifier;
use super::*;

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
    DealId(deal_id): DealId,
    Version(version): Version,
    what: Text,
    apply: F,
) -> Result<Version, AppError>
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
        return Ok(Version(current.version));
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
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::field("phone", crate::language::t("deals-another-contact-has-this-number")),
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
    notifier.deal_changed(DealChange { deal_id, version: next, by_user_id: actor.user_id, what });
    Ok(Version(next))
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
            let who = c.user_id.and_then(|id| names.get(&id).cloned()).unwrap_or_else(|| t("deals-conflict-someone"));
            let nothing = || t("deals-conflict-nothing");
            t_with(
                "deals-conflict-change",
                &[
                    ("who", who.into()),
                    ("field", crate::deals::field_label(&c.field).into()),
                    ("old", c.old_value.clone().unwrap_or_else(nothing).into()),
                    ("new", c.new_value.clone().unwrap_or_else(nothing).into()),
                    ("when", local(c.changed_at, &actor.time_zone).into()),
                ],
            )
        })
        .collect();
    let what = if said.is_empty() { t("deals-conflict-someone-else") } else { said.join("; ") };
    Ok(t_with("deals-conflict-not-saved", &[("what", what.into())]))
}

/// Moves a deal to another stage. Lost needs a reason from the admin's list; won needs the
/// final value.
pub async fn move_stage(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, deal: DealId, based_on: Version, to: StageMove) -> Result<Version, AppError> {
    let StageMove { stage_id, lost_reason, won_value } = to;
    let stage_rows = stages(db).await?;
    let target = stage_rows.iter().find(|s| s.id == stage_id).ok_or_else(|| AppError::field("stage_id", crate::language::t("deals-choose-a-stage-from-the-list")))?;
    let reasons: Vec<String> = lost_reason::Entity::find().filter(lost_reason::Column::Active.eq(true)).all(db).await?.into_iter().map(|r| r.name).collect();
    let mut v = Validator::default();
    let kind = target.kind;
    let reason = match kind {
        StageKind::Lost => {
            let given = lost_reason.as_deref().map(str::trim).unwrap_or("");
            if reasons.iter().any(|r| r == given) {
                Some(given.to_owned())
            } else {
                v.add("lost_reason", crate::language::t("deals-choose-why-the-deal-was-lost"));
                None
            }
        }
        _ => None,
    };
    let won = match kind {
        StageKind::Won => v.check("won_value", crate::common::parse_money(won_value.as_deref().unwrap_or("")).map_err(String::from).and_then(|m| m.ok_or_else(|| crate::language::t("deals-enter-the-final-value")))),
        _ => None,
    };
    v.finish()?;
    let names: HashMap<i64, String> = stage_rows.iter().map(|s| (s.id, s.name.clone())).collect();
    let what = Text::new("deals-event-moved").with("name", actor.name.as_str()).with("stage", target.name.as_str());
    let target_name = target.name.clone();
    let target_plan = target.plan_id;
    versioned(db, notifier, actor, deal, based_on, what, move |current| {
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
            kind: Set(ActivityKind::StageChange),
            direction: Set(Direction::Internal),
            body: Set(body),
            ..Default::default()
        });
        let start_plan = target_plan.filter(|_| current.stage_id != stage_id && kind == StageKind::Open);
        Ok(Edit { row, changes, entry, contact: None, closes: kind != StageKind::Open, start_plan })
    })
    .await
}

/// Hands a deal to another agent (managers only). The new owner is told.
pub async fn reassign(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, deal: DealId, based_on: Version, owner_id: i64) -> Result<Version, AppError> {
    if !actor.manager {
        return Err(AppError::Forbidden);
    }
    let owner = crate::auth::service::active_colleague(db, owner_id, "owner_id").await?;
    let names = names(db).await?;
    let what = Text::new("deals-event-gave").with("name", actor.name.as_str()).with("owner", owner.name.as_str());
    let new_version = versioned(db, notifier, actor, deal, based_on, what, |current| {
        let changes: Vec<FieldChange> =
            change("owner", current.owner_id.and_then(|id| names.get(&id).cloned()), Some(owner.name.clone())).into_iter().collect();
        let row = deal::ActiveModel { owner_id: Set(Some(owner_id)), ..Default::default() };
        Ok(Edit { row, changes, ..Default::default() })
    })
    .await?;
    let DealId(deal_id) = deal;
    let deal = find_deal(db, deal_id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    if Some(owner_id) != actor.user_id {
        let lang = crate::language::of_user(db, owner_id).await?;
        let notice = crate::notifications::service::create(
            db,
            owner_id,
            crate::notifications::NoticeKind::DealAssigned,
            &lang.t_with("deals-notice-given", &[("who", actor.name.as_str().into()), ("what", contact.name.as_str().into())]),
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
        return Err(AppError::field("deal_ids", crate::language::t("deals-tick-the-deals-to-hand-over")));
    }
    if deal_ids.len() > BULK_LIMIT {
        return Err(AppError::field("deal_ids", crate::language::t_with("deals-hand-over-at-most", &[("max", BULK_LIMIT.into())])));
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
        let lang = crate::language::of_user(txn, owner_id).await?;
        let what = lang.t_with("deals-notice-deals", &[("count", n.into())]);
        let title = lang.t_with("deals-notice-given", &[("who", actor.name.as_str().into()), ("what", what.into())]);
        let deal_id = (n == 1).then(|| moved[0].0);
        Some(crate::notifications::service::create(txn, owner_id, crate::notifications::NoticeKind::DealAssigned, &title, "", deal_id).await?)
    };
    write.txn.commit().await?;
    if let Some(notice) = notice {
        notifier.publish([notice]);
    }
    let what = Text::new("deals-event-gave").with("name", actor.name.as_str()).with("owner", owner.name.as_str());
    for (deal_id, version) in &moved {
        notifier.deal_changed(DealChange { deal_id: *deal_id, version: *version, by_user_id: actor.user_id, what: what.clone() });
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
    deal: DealId,
    based_on: Version,
    region: &str,
    edit: &ContactEdit,
) -> Result<Version, AppError> {
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
        v.add("phone", crate::language::t("deals-keep-a-phone-or-an-email"));
    }
    let (name, phone, email, whatsapp) = v.finish_with((name, phone, email, whatsapp))?;
    // Parsed numbers are stored as their E.164 text.
    let (phone, whatsapp) = (phone.map(String::from), whatsapp.map(String::from));
    let current = find_deal(db, deal.0).await?;
    // Who may not edit the deal learns nothing here, not even who else has the number.
    may_edit(actor, &current)?;
    let contact = contact::Entity::find_by_id(current.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut v = Validator::default();
    for (field, value, column) in [("phone", &phone, contact::Column::Phone), ("email", &email, contact::Column::Email)] {
        if let Some(value) = value {
            let taken = contact::Entity::find().filter(column.eq(value.as_str())).filter(contact::Column::Id.ne(contact.id)).one(db).await?;
            if let Some(other) = taken {
                v.add(field, crate::language::t_with(if field == "phone" { "deals-already-has-this-number" } else { "deals-already-has-this-address" }, &[("name", other.name.clone().into())]));
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
        return Ok(based_on);
    }
    let what = Text::new("deals-event-edited-contact").with("name", actor.name.as_str());
    let mut row: contact::ActiveModel = contact.into();
    row.name = Set(name);
    row.phone = Set(phone);
    row.email = Set(email);
    row.whatsapp = Set(whatsapp);
    row.updated_at = Set(Utc::now());
    versioned(db, notifier, actor, deal, based_on, what, move |_| Ok(Edit { changes, contact: Some(row), ..Default::default() })).await
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
        return Err(AppError::field("body", crate::language::t("deals-write-the-note-first")));
    }
    if note.chars().count() > 5000 {
        return Err(AppError::field("body", crate::language::t("deals-keep-a-note-under")));
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
        kind: Set(kind),
        direction: Set(direction),
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
    notifier.deal_changed(DealChange {
        deal_id,
        version: deal.version,
        by_user_id: actor.user_id,
        what: Text::new("deals-event-logged").with("name", actor.name.as_str()).with("outcome", outcome.as_str()),
    });
    Ok(())
}
