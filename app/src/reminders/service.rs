//! Reminder rules: due times from presets in the assignee's time zone (stored in UTC), and
//! the life of a reminder: set, complete (which logs an activity), snooze, cancel.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc, Weekday};
pub use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{Kind, Preset, ReminderView, State};
use crate::auth::SessionUser;
use crate::deals::service::{may_edit, Actor};
use crate::db::entities::{activity, contact, deal, reminder, user};
use crate::error::{AppError, Validator};
use crate::language::Text;
use crate::notifications::service::DealChange;
use crate::notifications::service::Notifier;

pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// `date` at `hour`:00 in `tz`, in UTC. A time that does not exist that day (the clock
/// jumps forward over it) moves to the first time after the jump; one that exists twice
/// (the clock goes back) takes the first.
pub fn at_local(date: NaiveDate, hour: u32, minute: u32, tz: Tz) -> DateTime<Utc> {
    let wanted = NaiveDateTime::new(date, NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    for step in 0..=4 {
        if let Some(at) = tz.from_local_datetime(&(wanted + Duration::minutes(30 * step))).earliest() {
            return at.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&wanted)
}

/// When a preset falls, from `now`, for someone in `tz`.
pub fn due_for(preset: Preset, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    match preset {
        Preset::InAnHour => now + Duration::hours(1),
        Preset::ThisEvening => {
            let evening = at_local(today, 18, 0, tz);
            if evening > now { evening } else { at_local(today + Duration::days(1), 18, 0, tz) }
        }
        Preset::TomorrowMorning => at_local(today + Duration::days(1), 9, 0, tz),
        Preset::InThreeDays => at_local(today + Duration::days(3), 9, 0, tz),
        Preset::NextMonday => {
            let ahead = (7 - today.weekday().num_days_from_monday()) % 7;
            let days = if ahead == 0 { 7 } else { ahead };
            let monday = today + Duration::days(i64::from(days));
            debug_assert_eq!(monday.weekday(), Weekday::Mon);
            at_local(monday, 9, 0, tz)
        }
    }
}

/// A date and time typed in a `datetime-local` field ("2026-11-26T09:30"), read in `tz`.
pub fn parse_local(raw: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let typed = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| crate::language::t("reminders-pick-a-date-and-a-time"))?;
    Ok(at_local(typed.date(), typed.hour(), typed.minute(), tz))
}

/// When a new reminder is due: a preset, or a custom time; both in the assignee's zone.
/// Refusals say what to fix in the field "due".
pub fn due_from(preset: Option<&str>, custom: Option<&str>, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, String> {
    if let Some(preset) = preset.filter(|p| !p.trim().is_empty()) {
        return Preset::parse(preset).map(|p| due_for(p, now, tz)).ok_or_else(|| crate::language::t("reminders-choose-one-of-the-buttons"));
    }
    let at = parse_local(custom.unwrap_or(""), tz)?;
    if at < now - Duration::minutes(1) {
        return Err(crate::language::t("reminders-that-time-has-passed"));
    }
    Ok(at)
}

fn view_of(r: &reminder::Model, contact_name: String, assignee: String, viewer_zone: Tz, now: DateTime<Utc>) -> ReminderView {
    ReminderView {
        id: r.id,
        deal_id: r.deal_id,
        contact_name,
        title: r.title.clone(),
        kind: r.kind,
        due: r.due_at.with_timezone(&viewer_zone).format("%a %-d %b, %H:%M").to_string(),
        overdue: r.due_at < now,
        assignee,
        message: r.message.clone(),
    }
}

/// The contact of each of these deals, by deal id: what Today, the scheduler's notifications
/// and the calendar feed name a reminder by.
pub async fn contacts_of(db: &impl sea_orm::ConnectionTrait, deal_ids: Vec<i64>) -> Result<HashMap<i64, contact::Model>, AppError> {
    Ok(deal::Entity::find()
        .filter(deal::Column::Id.is_in(deal_ids))
        .find_also_related(contact::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(d, c)| Some((d.id, c?)))
        .collect())
}

/// A deal's pending reminders, soonest first.
pub async fn for_deal(db: &DatabaseConnection, viewer: &SessionUser, deal_id: i64) -> Result<Vec<ReminderView>, AppError> {
    let now = Utc::now();
    let rows = reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(deal_id))
        .filter(reminder::Column::State.eq(State::Pending))
        .order_by_asc(reminder::Column::DueAt)
        .all(db)
        .await?;
    let users = user::Entity::find().all(db).await?;
    let name = |id: i64| users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    Ok(rows.iter().map(|r| view_of(r, String::new(), name(r.assignee_id), zone(&viewer.time_zone), now)).collect())
}

/// The viewer's follow-ups due by the end of their day (overdue ones first).
pub async fn due_today(db: &DatabaseConnection, viewer: &SessionUser) -> Result<Vec<ReminderView>, AppError> {
    let now = Utc::now();
    let tz = zone(&viewer.time_zone);
    let end_of_day = at_local(now.with_timezone(&tz).date_naive() + Duration::days(1), 0, 0, tz);
    let rows = reminder::Entity::find()
        .filter(reminder::Column::AssigneeId.eq(viewer.id))
        .filter(reminder::Column::State.eq(State::Pending))
        .filter(reminder::Column::DueAt.lt(end_of_day))
        .order_by_asc(reminder::Column::DueAt)
        .limit(100)
        .all(db)
        .await?;
    let contacts = contacts_of(db, rows.iter().map(|r| r.deal_id).collect()).await?;
    let contact_of = |deal_id: i64| contacts.get(&deal_id).map(|c| c.name.clone()).unwrap_or_default();
    Ok(rows.iter().map(|r| view_of(r, contact_of(r.deal_id), viewer.name.clone(), tz, now)).collect())
}

/// Open deals of the viewer with no pending reminder: nobody has planned the next step.
pub async fn without_next_step(db: &DatabaseConnection, viewer: &SessionUser) -> Result<Vec<(i64, String)>, AppError> {
    use sea_orm::sea_query::Query;
    let planned = Query::select()
        .column(reminder::Column::DealId)
        .from(reminder::Entity)
        .and_where(reminder::Column::State.eq(State::Pending))
        .to_owned();
    let rows = deal::Entity::find()
        .filter(deal::Column::OwnerId.eq(viewer.id))
        .filter(deal::Column::ClosedAt.is_null())
        .filter(deal::Column::Id.not_in_subquery(planned))
        .order_by_asc(deal::Column::UpdatedAt)
        .find_also_related(contact::Entity)
        .limit(20)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(d, c)| (d.id, c.map(|c| c.name).unwrap_or_default())).collect())
}

pub async fn has_next_step(db: &DatabaseConnection, deal_id: i64) -> Result<bool, AppError> {
    Ok(reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(deal_id))
        .filter(reminder::Column::State.eq(State::Pending))
        .one(db)
        .await?
        .is_some())
}

/// Sets a reminder on a deal, for `assignee` or else the deal's owner (or else the person
/// setting it).
pub async fn create(
    db: &DatabaseConnection,
    notifier: &Notifier,
    actor: &Actor,
    deal_id: i64,
    assignee: Option<i64>,
    title: &str,
    kind: &str,
    due: impl FnOnce(Tz) -> Result<DateTime<Utc>, String>,
) -> Result<i64, AppError> {
    // Anyone may plan a follow-up (it goes to the owner); naming someone else takes the right
    // to change the deal.
    let deal = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    if assignee.is_some_and(|a| Some(a) != actor.user_id) {
        may_edit(actor, &deal)?;
    }
    let assignee_id = assignee
        .or(deal.owner_id)
        .or(actor.user_id)
        .ok_or_else(|| AppError::field("assignee_id", crate::language::t("reminders-nobody-owns-this-deal")))?;
    let assignee = crate::auth::service::active_colleague(db, assignee_id, "assignee_id").await?;
    let mut v = Validator::default();
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let kind = v.check("kind", Kind::parse(kind));
    let title = if title.is_empty() { kind.map(|k| k.back()).unwrap_or_default() } else { title };
    if title.chars().count() > 120 {
        v.add("title", crate::language::t("reminders-keep-the-title-under"));
    }
    let due_at = v.check("due", due(zone(&assignee.time_zone)));
    let (kind, due_at) = v.finish_with((kind, due_at))?;
    let now = Utc::now();
    let row = reminder::ActiveModel {
        deal_id: Set(deal_id),
        assignee_id: Set(assignee_id),
        created_by: Set(actor.user_id),
        title: Set(title),
        kind: Set(kind),
        due_at: Set(due_at),
        state: Set(crate::reminders::State::Pending),
        late: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    notifier.deal_changed(DealChange { deal_id, version: deal.version, by_user_id: actor.user_id, what: Text::new("reminders-event-set").with("name", actor.name.as_str()) });
    Ok(row.id)
}

/// A pending reminder that `actor` may complete or move: their own, or on a deal they may
/// change.
async fn pending(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<reminder::Model, AppError> {
    let r = reminder::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if actor.user_id != Some(r.assignee_id) {
        let deal = deal::Entity::find_by_id(r.deal_id).one(db).await?.ok_or(AppError::NotFound)?;
        may_edit(actor, &deal)?;
    }
    if r.state != State::Pending {
        return Err(AppError::Conflict(crate::language::t("reminders-already-done-or-cancelled")));
    }
    Ok(r)
}

/// Marks a reminder done and logs it on the deal's timeline. The page then asks for the next
/// step.
pub async fn complete(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, id: i64) -> Result<i64, AppError> {
    let r = pending(db, actor, id).await?;
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let done = reminder::Entity::update_many()
        .col_expr(reminder::Column::State, sea_orm::sea_query::Expr::value(State::Done.as_str()))
        .col_expr(reminder::Column::CompletedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(reminder::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(reminder::Column::Id.eq(id))
        .filter(reminder::Column::State.eq(State::Pending))
        .exec(&write.txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict(crate::language::t("reminders-already-done-or-cancelled")));
    }
    let deal = deal::Entity::find_by_id(r.deal_id).one(&write.txn).await?.ok_or(AppError::NotFound)?;
    activity::ActiveModel {
        deal_id: Set(Some(r.deal_id)),
        contact_id: Set(deal.contact_id),
        kind: Set(crate::deals::ActivityKind::System),
        direction: Set(crate::deals::Direction::Internal),
        author_id: Set(actor.user_id),
        body: Set(format!("Follow-up done: {}", r.title)),
        occurred_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&write.txn)
    .await?;
    write.txn.commit().await?;
    notifier.deal_changed(DealChange { deal_id: r.deal_id, version: deal.version, by_user_id: actor.user_id, what: Text::new("reminders-event-completed").with("name", actor.name.as_str()) });
    Ok(r.deal_id)
}

/// Moves a reminder later (snooze) or to a new time (reschedule). It will be delivered again.
pub async fn reschedule(db: &DatabaseConnection, actor: &Actor, id: i64, due: impl FnOnce(Tz) -> Result<DateTime<Utc>, String>) -> Result<i64, AppError> {
    let r = pending(db, actor, id).await?;
    let deal_id = r.deal_id;
    let assignee = user::Entity::find_by_id(r.assignee_id).one(db).await?.ok_or(AppError::NotFound)?;
    let at = due(zone(&assignee.time_zone)).map_err(|m| AppError::field("due", m))?;
    let mut row: reminder::ActiveModel = r.into();
    row.due_at = Set(at);
    row.delivered_at = Set(None);
    row.late = Set(false);
    row.escalated_at = Set(None);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    Ok(deal_id)
}

pub async fn cancel(db: &DatabaseConnection, actor: &Actor, id: i64) -> Result<i64, AppError> {
    let r = pending(db, actor, id).await?;
    let deal_id = r.deal_id;
    let mut row: reminder::ActiveModel = r.into();
    row.state = Set(State::Cancelled);
    row.updated_at = Set(Utc::now());
    row.update(db).await?;
    Ok(deal_id)
}

/// Which reminders an API client asks for.
#[derive(Clone, Debug, Default)]
pub struct ReminderFilter {
    pub deal_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// pending, done or cancelled.
    pub state: Option<State>,
    pub due_before: Option<DateTime<Utc>>,
    pub page: u64,
    pub per_page: u64,
}

/// A page of reminders, soonest due first, and how many match in all.
pub async fn records(db: &DatabaseConnection, f: &ReminderFilter) -> Result<(Vec<reminder::Model>, u64), AppError> {
    use sea_orm::PaginatorTrait;
    let mut select = reminder::Entity::find();
    if let Some(id) = f.deal_id {
        select = select.filter(reminder::Column::DealId.eq(id));
    }
    if let Some(id) = f.assignee_id {
        select = select.filter(reminder::Column::AssigneeId.eq(id));
    }
    if let Some(state) = &f.state {
        select = select.filter(reminder::Column::State.eq(*state));
    }
    if let Some(before) = f.due_before {
        select = select.filter(reminder::Column::DueAt.lt(before));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(reminder::Column::DueAt)
        .order_by_asc(reminder::Column::Id)
        .offset(crate::db::offset(f.page, f.per_page))
        .limit(f.per_page)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Cancels what is still planned for a deal that was won or lost.
pub async fn cancel_for_closed(db: &impl sea_orm::ConnectionTrait, deal_id: i64) -> Result<(), AppError> {
    reminder::Entity::update_many()
        .col_expr(reminder::Column::State, sea_orm::sea_query::Expr::value(State::Cancelled.as_str()))
        .col_expr(reminder::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(Condition::all().add(reminder::Column::DealId.eq(deal_id)).add(reminder::Column::State.eq(State::Pending)))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn tomorrow_nine_is_nine_on_the_wall_clock_across_daylight_saving_changes() {
        // Madrid springs forward on 29 March 2026: 9:00 is 07:00 UTC after, 08:00 before.
        assert_eq!(due_for(Preset::TomorrowMorning, utc("2026-03-28T20:00:00Z"), zone("Europe/Madrid")), utc("2026-03-29T07:00:00Z"));
        assert_eq!(due_for(Preset::TomorrowMorning, utc("2026-03-27T20:00:00Z"), zone("Europe/Madrid")), utc("2026-03-28T08:00:00Z"));
        // New York falls back on 1 November 2026: 9:00 EST is 14:00 UTC.
        assert_eq!(due_for(Preset::TomorrowMorning, utc("2026-10-31T23:00:00Z"), zone("America/New_York")), utc("2026-11-01T14:00:00Z"));
        // Tokyo has no daylight saving: always UTC+9.
        assert_eq!(due_for(Preset::TomorrowMorning, utc("2026-03-28T20:00:00Z"), zone("Asia/Tokyo")), utc("2026-03-30T00:00:00Z"));
    }

    #[test]
    fn a_local_time_skipped_by_the_clock_moves_past_the_jump() {
        // 02:30 does not exist in Madrid on 29 March 2026 (02:00 jumps to 03:00).
        let at = at_local(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(), 2, 30, zone("Europe/Madrid"));
        assert_eq!(at, utc("2026-03-29T01:00:00Z"), "03:00 CEST");
        // 01:30 happens twice in New York on 1 November 2026: the first (EDT) is taken.
        let at = at_local(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), 1, 30, zone("America/New_York"));
        assert_eq!(at, utc("2026-11-01T05:30:00Z"));
    }

    #[test]
    fn presets_land_where_a_person_expects() {
        let madrid = zone("Europe/Madrid");
        // Wednesday 25 November 2026, 10:00 in Madrid.
        let now = utc("2026-11-25T09:00:00Z");
        assert_eq!(due_for(Preset::InAnHour, now, madrid), utc("2026-11-25T10:00:00Z"));
        assert_eq!(due_for(Preset::ThisEvening, now, madrid), utc("2026-11-25T17:00:00Z"));
        assert_eq!(due_for(Preset::InThreeDays, now, madrid), utc("2026-11-28T08:00:00Z"));
        assert_eq!(due_for(Preset::NextMonday, now, madrid), utc("2026-11-30T08:00:00Z"));
        // At 19:00 "this evening" has passed: tomorrow evening.
        assert_eq!(due_for(Preset::ThisEvening, utc("2026-11-25T18:00:00Z"), madrid), utc("2026-11-26T17:00:00Z"));
        // On a Monday, next Monday is a week away.
        assert_eq!(due_for(Preset::NextMonday, utc("2026-11-30T09:00:00Z"), madrid), utc("2026-12-07T08:00:00Z"));
    }

    #[test]
    fn a_typed_time_is_read_in_the_assignee_s_zone() {
        assert_eq!(parse_local("2026-07-01T09:30", zone("America/New_York")), Ok(utc("2026-07-01T13:30:00Z")));
        assert!(parse_local("tomorrow", zone("Europe/Madrid")).is_err());
    }
}
