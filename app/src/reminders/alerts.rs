//! The scheduler's other duties besides due reminders: telling managers about follow-ups
//! overdue too long, telling owners about deals going stale, and each person's morning
//! digest in their own time zone.
//!
//! Each alert carries a dedupe key that the database keeps unique ("digest:7:2026-11-26"),
//! inserted with ON CONFLICT DO NOTHING: however many schedulers run, and however often, an
//! alert is raised once.

use crate::notifications::NoticeKind;
use chrono::{DateTime, Duration, Timelike, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use super::service::{at_local, contacts_of, zone};
use crate::auth::Role;
use crate::db::entities::{agency, deal, notification, reminder, stage, user};
use crate::error::AppError;
use crate::language::{Language, of_person};
use crate::notifications::Notice;
use crate::notifications::service::Notifier;

/// How often a scheduler looks for alerts to raise.
pub const EVERY_SECONDS: i64 = 60;
/// The digest arrives from the digest hour until this many hours later (a server that was
/// down at 8:00 still sends it at 10:00, but nobody gets a "morning" digest at night).
pub const DIGEST_WINDOW_HOURS: u32 = 4;
/// At most this many alerts of one kind per round; the next round takes the rest.
const ROUND: u64 = 500;

/// One round of every alert at `now`. Returns how many notifications were raised.
pub async fn run(db: &DatabaseConnection, notifier: &Notifier, now: DateTime<Utc>) -> Result<usize, AppError> {
    let settings = agency::Entity::find().one(db).await?;
    let escalate_after = settings.as_ref().map_or(Some(120), |a| a.escalate_after_minutes);
    let digest_hour = settings.as_ref().map_or(8, |a| a.digest_hour);
    let mut raised = Vec::new();
    if let Some(minutes) = escalate_after {
        raised.extend(escalate(db, now, minutes).await?);
    }
    raised.extend(stale(db, now).await?);
    raised.extend(digests(db, now, digest_hour).await?);
    let count = raised.len();
    notifier.publish(raised);
    Ok(count)
}

/// Inserts a notification unless one with its dedupe key exists. Returns it when inserted.
async fn raise(db: &impl ConnectionTrait, row: notification::ActiveModel) -> Result<Option<Notice>, AppError> {
    let key = row.dedupe_key.clone().unwrap().expect("alerts carry a dedupe key");
    let inserted = notification::Entity::insert(row)
        .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let row = notification::Entity::find().filter(notification::Column::DedupeKey.eq(key)).one(db).await?.ok_or(AppError::Internal)?;
    Ok(Some(crate::notifications::Notice::from(row)))
}

fn alert(user_id: i64, kind: NoticeKind, title: String, body: String, deal_id: Option<i64>, key: String, now: DateTime<Utc>) -> notification::ActiveModel {
    notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind),
        title: Set(title),
        body: Set(body),
        deal_id: Set(deal_id),
        created_at: Set(now),
        read_at: Set(None),
        dedupe_key: Set(Some(key)),
        ..Default::default()
    }
}

/// "2 h 15 min", "3 days": how late something is, in `lang`.
fn late_by(lang: &Language, minutes: i64) -> String {
    match minutes {
        m if m >= 48 * 60 => lang.t_with("reminders-late-days", &[("days", (m / (24 * 60)).into())]),
        m if m >= 60 => lang.t_with("reminders-late-hours", &[("hours", (m / 60).into()), ("minutes", (m % 60).into())]),
        m => lang.t_with("reminders-late-minutes", &[("minutes", m.into())]),
    }
}

/// The language each of `users` reads Doorstep in.
async fn languages_of(db: &DatabaseConnection, users: Vec<i64>) -> Result<std::collections::HashMap<i64, Language>, AppError> {
    let agency_language = crate::agency::language(db).await?;
    let rows: Vec<(i64, Option<String>)> =
        user::Entity::find().select_only().column(user::Column::Id).column(user::Column::Language).filter(user::Column::Id.is_in(users)).into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(id, chosen)| (id, of_person(chosen.as_deref(), &agency_language))).collect())
}

/// Follow-ups overdue by more than `after_minutes`: each manager and admin hears once (the
/// assignee already had the reminder). A new due time (snooze) clears the mark.
async fn escalate(db: &DatabaseConnection, now: DateTime<Utc>, after_minutes: i32) -> Result<Vec<Notice>, AppError> {
    let overdue = reminder::Entity::find()
        .filter(reminder::Column::State.eq(crate::reminders::State::Pending))
        .filter(reminder::Column::EscalatedAt.is_null())
        .filter(reminder::Column::DueAt.lt(now - Duration::minutes(i64::from(after_minutes))))
        .order_by_asc(reminder::Column::DueAt)
        .limit(ROUND)
        .all(db)
        .await?;
    if overdue.is_empty() {
        return Ok(Vec::new());
    }
    let users = user::Entity::find().filter(user::Column::DisabledAt.is_null()).all(db).await?;
    let managers: Vec<&user::Model> =
        users.iter().filter(|u| Role::parse(&u.role).is_ok_and(|r| r.includes(Role::Manager))).collect();
    let contacts = contacts_of(db, overdue.iter().map(|r| r.deal_id).collect()).await?;
    let agency_language = crate::agency::language(db).await?;
    let write = crate::db::begin_write(db).await?;
    let mut raised = Vec::new();
    for r in &overdue {
        let who = users.iter().find(|u| u.id == r.assignee_id).map(|u| u.name.clone());
        let client = contacts.get(&r.deal_id).map(|c| c.name.as_str()).unwrap_or_default();
        for m in managers.iter().filter(|m| m.id != r.assignee_id) {
            let lang = of_person(m.language.as_deref(), &agency_language);
            let late = late_by(&lang, (now - r.due_at).num_minutes());
            let who = who.clone().unwrap_or_else(|| lang.t("reminders-nobody"));
            let row = alert(
                m.id,
                NoticeKind::Escalation,
                lang.t_with("reminders-escalation-title", &[("late", late.into()), ("title", r.title.as_str().into()), ("client", client.into())]),
                lang.t_with("reminders-escalation-body", &[("who", who.into()), ("due", lang.datetime(r.due_at, &m.time_zone).into())]),
                Some(r.deal_id),
                format!("escalation:{}:{}:{}", r.id, r.due_at.timestamp(), m.id),
                now,
            );
            raised.extend(raise(&write.txn, row).await?);
        }
    }
    reminder::Entity::update_many()
        .col_expr(reminder::Column::EscalatedAt, Expr::value(now))
        .filter(reminder::Column::Id.is_in(overdue.iter().map(|r| r.id)))
        .filter(reminder::Column::EscalatedAt.is_null())
        .exec(&write.txn)
        .await?;
    write.txn.commit().await?;
    Ok(raised)
}

/// Open deals untouched for their stage's stale-after days: the owner hears once per quiet
/// spell (any activity starts a new one).
async fn stale(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Notice>, AppError> {
    let stages = stage::Entity::find().filter(stage::Column::Kind.eq("open")).filter(stage::Column::StaleAfterDays.is_not_null()).all(db).await?;
    let mut raised = Vec::new();
    for s in stages {
        let days = s.stale_after_days.unwrap_or_default();
        let quiet = deal::Entity::find()
            .filter(deal::Column::StageId.eq(s.id))
            .filter(deal::Column::ClosedAt.is_null())
            .filter(deal::Column::OwnerId.is_not_null())
            .filter(deal::Column::UpdatedAt.lt(now - Duration::days(i64::from(days))))
            // Not already flagged since it was last touched.
            .filter(Expr::cust(
                "NOT EXISTS (SELECT 1 FROM notifications n WHERE n.deal_id = deals.id AND n.kind = 'stale' AND n.created_at >= deals.updated_at)",
            ))
            .order_by_asc(deal::Column::UpdatedAt)
            .limit(ROUND)
            .all(db)
            .await?;
        if quiet.is_empty() {
            continue;
        }
        let contacts = contacts_of(db, quiet.iter().map(|d| d.id).collect()).await?;
        let languages = languages_of(db, quiet.iter().filter_map(|d| d.owner_id).collect()).await?;
        let write = crate::db::begin_write(db).await?;
        for d in &quiet {
            let owner = d.owner_id.expect("filtered");
            let lang = languages.get(&owner).cloned().unwrap_or_default();
            let client = contacts.get(&d.id).map(|c| c.name.as_str()).unwrap_or_default();
            let idle = (now - d.updated_at).num_days();
            let row = alert(
                owner,
                NoticeKind::Stale,
                lang.t_with("reminders-stale-title", &[("client", client.into())]),
                lang.t_with("reminders-stale-body", &[("days", idle.into()), ("stage", s.name.as_str().into())]),
                Some(d.id),
                format!("stale:{}:{}", d.id, d.updated_at.timestamp()),
                now,
            );
            raised.extend(raise(&write.txn, row).await?);
        }
        write.txn.commit().await?;
    }
    Ok(raised)
}

/// What a person's day holds, for the digest.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Day {
    pub due_today: Vec<String>,
    pub overdue: u64,
    pub stale: u64,
    pub unanswered: u64,
}

impl Day {
    fn is_empty(&self) -> bool {
        self.due_today.is_empty() && self.overdue == 0 && self.stale == 0 && self.unanswered == 0
    }

    /// "3 follow-ups due today, 1 overdue, 2 deals going stale", in `lang`.
    pub fn headline(&self, lang: &Language) -> String {
        let counts = [
            ("reminders-day-due", self.due_today.len() as u64),
            ("reminders-day-overdue", self.overdue),
            ("reminders-day-waiting", self.unanswered),
            ("reminders-day-stale", self.stale),
        ];
        let parts: Vec<String> = counts.iter().filter(|(_, n)| *n > 0).map(|(key, n)| lang.t_with(key, &[("count", (*n).into())])).collect();
        parts.join(", ")
    }
}

/// The day of `person` as of `now`.
pub async fn day_of(db: &impl ConnectionTrait, person: &user::Model, now: DateTime<Utc>) -> Result<Day, AppError> {
    let tz = zone(&person.time_zone);
    let end_of_day = at_local(now.with_timezone(&tz).date_naive() + Duration::days(1), 0, 0, tz);
    let pending = || reminder::Entity::find().filter(reminder::Column::AssigneeId.eq(person.id)).filter(reminder::Column::State.eq(crate::reminders::State::Pending));
    let today = pending().filter(reminder::Column::DueAt.gte(now)).filter(reminder::Column::DueAt.lt(end_of_day)).order_by_asc(reminder::Column::DueAt).all(db).await?;
    let contacts = contacts_of(db, today.iter().map(|r| r.deal_id).collect()).await?;
    let due_today = today
        .iter()
        .map(|r| {
            let client = contacts.get(&r.deal_id).map(|c| c.name.as_str()).unwrap_or_default();
            format!("{} {} · {client}", r.due_at.with_timezone(&tz).format("%H:%M"), r.title)
        })
        .collect();
    let overdue = pending().filter(reminder::Column::DueAt.lt(now)).count(db).await?;
    let mine = || deal::Entity::find().filter(deal::Column::OwnerId.eq(person.id)).filter(deal::Column::ClosedAt.is_null());
    let unanswered = mine().filter(deal::Column::FirstResponseAt.is_null()).count(db).await?;
    let mut stale = 0;
    for s in stage::Entity::find().filter(stage::Column::Kind.eq("open")).filter(stage::Column::StaleAfterDays.is_not_null()).all(db).await? {
        let days = i64::from(s.stale_after_days.unwrap_or_default());
        stale += mine().filter(deal::Column::StageId.eq(s.id)).filter(deal::Column::UpdatedAt.lt(now - Duration::days(days))).count(db).await?;
    }
    Ok(Day { due_today, overdue, stale, unanswered })
}

/// Each active person's digest, once per local day, from `hour` in their time zone. A day
/// with nothing in it sends nothing.
async fn digests(db: &DatabaseConnection, now: DateTime<Utc>, hour: i32) -> Result<Vec<Notice>, AppError> {
    let hour = u32::try_from(hour).unwrap_or(8);
    let people = user::Entity::find().filter(user::Column::DisabledAt.is_null()).all(db).await?;
    let agency_language = crate::agency::language(db).await?;
    let mut raised = Vec::new();
    for person in people {
        let local = now.with_timezone(&zone(&person.time_zone));
        if local.hour() < hour || local.hour() >= hour + DIGEST_WINDOW_HOURS {
            continue;
        }
        let key = format!("digest:{}:{}", person.id, local.date_naive());
        if notification::Entity::find().filter(notification::Column::DedupeKey.eq(&key)).count(db).await? > 0 {
            continue;
        }
        let day = day_of(db, &person, now).await?;
        if day.is_empty() {
            continue;
        }
        let lang = of_person(person.language.as_deref(), &agency_language);
        let mut body: Vec<String> = day.due_today.iter().take(8).cloned().collect();
        if day.due_today.len() > 8 {
            body.push(lang.t_with("reminders-digest-more", &[("count", (day.due_today.len() - 8).into())]));
        }
        let title = lang.t_with("reminders-digest-title", &[("headline", day.headline(&lang).into())]);
        let row = alert(person.id, NoticeKind::Digest, title, body.join("\n"), None, key, now);
        let write = crate::db::begin_write(db).await?;
        raised.extend(raise(&write.txn, row).await?);
        write.txn.commit().await?;
    }
    Ok(raised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_reads_in_one_line() {
        let (en, es) = (Language::english(), Language::stored("es").unwrap());
        let day = Day { due_today: vec!["09:00 Call · Marta".into(), "12:00 Viewing · Jo".into()], overdue: 1, stale: 1, unanswered: 0 };
        assert_eq!(day.headline(&en), "2 follow-ups due today, 1 overdue, 1 deal going stale");
        assert_eq!(Day { unanswered: 2, ..Default::default() }.headline(&en), "2 new leads waiting");
        assert_eq!(day.headline(&es), "2 seguimientos para hoy, 1 vencido, 1 operación parada");
        assert_eq!(Day { unanswered: 1, ..Default::default() }.headline(&es), "1 contacto nuevo esperando");
        assert!(Day::default().is_empty());
    }

    #[test]
    fn lateness_reads_naturally() {
        let (en, es) = (Language::english(), Language::stored("es").unwrap());
        assert_eq!(late_by(&en, 45), "45 min");
        assert_eq!(late_by(&en, 135), "2 h 15 min");
        assert_eq!(late_by(&en, 3 * 24 * 60 + 5), "3 days");
        assert_eq!(late_by(&es, 3 * 24 * 60 + 5), "3 días");
    }
}
