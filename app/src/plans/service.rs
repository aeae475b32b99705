//! Plans as data: the admin's editing, and starting a plan on a deal, which turns each step
//! into a reminder in the same transaction as whatever started it.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::{PlanChoice, PlanView, StepView};
use crate::db::entities::{capture_form, contact, deal, follow_up_plan, follow_up_step, reminder, stage, user};
use crate::deals::service::Actor;
use crate::error::{AppError, Validator};
use crate::language::Text;
use crate::notifications::service::DealChange;
use crate::notifications::service::Notifier;
use crate::reminders::Kind;
use crate::reminders::service::{at_local, zone};

/// Every plan with its steps, and what starts it by itself.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<PlanView>, AppError> {
    let plans = follow_up_plan::Entity::find().order_by_asc(follow_up_plan::Column::Name).all(db).await?;
    let steps = follow_up_step::Entity::find()
        .order_by_asc(follow_up_step::Column::Position)
        .order_by_asc(follow_up_step::Column::Id)
        .all(db)
        .await?;
    let forms = capture_form::Entity::find().filter(capture_form::Column::PlanId.is_not_null()).all(db).await?;
    let stages = stage::Entity::find().filter(stage::Column::PlanId.is_not_null()).all(db).await?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let started_by = forms
                .iter()
                .filter(|f| f.plan_id == Some(p.id))
                .map(|f| format!("Form: {}", f.title))
                .chain(stages.iter().filter(|s| s.plan_id == Some(p.id)).map(|s| format!("Stage: {}", s.name)))
                .collect();
            PlanView {
                id: p.id,
                name: p.name,
                active: p.active,
                steps: steps.iter().filter(|s| s.plan_id == p.id).map(step_view).collect(),
                started_by,
            }
        })
        .collect())
}

fn step_view(s: &follow_up_step::Model) -> StepView {
    StepView {
        id: s.id,
        offset_minutes: s.offset_minutes,
        at_time: s.at_time.clone(),
        kind: s.kind,
        title: s.title.clone(),
        message: s.message.clone(),
    }
}

/// The active plans that have steps: what an agent may start on a deal.
pub async fn choices(db: &DatabaseConnection) -> Result<Vec<PlanChoice>, AppError> {
    let plans = follow_up_plan::Entity::find()
        .filter(follow_up_plan::Column::Active.eq(true))
        .order_by_asc(follow_up_plan::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(plans.len());
    for p in plans {
        let steps = follow_up_step::Entity::find().filter(follow_up_step::Column::PlanId.eq(p.id)).count(db).await? as usize;
        if steps > 0 {
            out.push(PlanChoice { id: p.id, name: p.name, steps });
        }
    }
    Ok(out)
}

/// Adds a plan or renames it and turns it on or off. Names are unique.
pub async fn save_plan(db: &DatabaseConnection, id: Option<i64>, name: &str, active: bool) -> Result<i64, AppError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::field("name", crate::language::t("plans-give-the-plan-a-name")));
    }
    let taken = follow_up_plan::Entity::find().filter(follow_up_plan::Column::Name.eq(&name)).one(db).await?;
    if taken.is_some_and(|t| Some(t.id) != id) {
        return Err(AppError::field("name", crate::language::t("plans-another-plan-has-this-name")));
    }
    let now = Utc::now();
    match id {
        Some(id) => {
            let row = follow_up_plan::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            let mut row: follow_up_plan::ActiveModel = row.into();
            row.name = Set(name);
            row.active = Set(active);
            row.updated_at = Set(now);
            row.update(db).await?;
            Ok(id)
        }
        None => {
            let row = follow_up_plan::ActiveModel { name: Set(name), active: Set(active), created_at: Set(now), updated_at: Set(now), ..Default::default() }
                .insert(db)
                .await?;
            Ok(row.id)
        }
    }
}

/// Deletes a plan and its steps; forms and stages that started it stop doing so. Reminders
/// it already set stay, as reminders.
pub async fn delete_plan(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    capture_form::Entity::update_many()
        .col_expr(capture_form::Column::PlanId, Expr::value(Option::<i64>::None))
        .filter(capture_form::Column::PlanId.eq(id))
        .exec(txn)
        .await?;
    stage::Entity::update_many().col_expr(stage::Column::PlanId, Expr::value(Option::<i64>::None)).filter(stage::Column::PlanId.eq(id)).exec(txn).await?;
    follow_up_step::Entity::delete_many().filter(follow_up_step::Column::PlanId.eq(id)).exec(txn).await?;
    let gone = follow_up_plan::Entity::delete_by_id(id).exec(txn).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    write.txn.commit().await?;
    Ok(())
}

/// A step as typed on the admin page or sent to the API, checked field by field.
pub struct NewStep<'a> {
    pub amount: &'a str,
    pub unit: &'a str,
    pub at_time: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub message: &'a str,
}

/// Appends a step to a plan.
pub async fn add_step(db: &DatabaseConnection, plan_id: i64, step: NewStep<'_>) -> Result<i64, AppError> {
    follow_up_plan::Entity::find_by_id(plan_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut v = Validator::default();
    let offset = v.check("amount", super::offset_of(step.amount, step.unit));
    let at_time = match step.at_time.trim() {
        "" => None,
        raw => v.check("at_time", NaiveTime::parse_from_str(raw, "%H:%M").map(|t| t.format("%H:%M").to_string()).map_err(|_| crate::language::t("plans-give-the-time-like"))),
    };
    let kind = v.check("kind", Kind::parse(step.kind));
    let title = step.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 120 {
        v.add("title", crate::language::t("plans-say-what-to-do"));
    }
    let message = step.message.trim();
    if message.chars().count() > 2000 {
        v.add("message", crate::language::t("plans-keep-the-message-under"));
    }
    let (offset, kind) = v.finish_with((offset, kind))?;
    let position = follow_up_step::Entity::find().filter(follow_up_step::Column::PlanId.eq(plan_id)).count(db).await? as i32;
    let row = follow_up_step::ActiveModel {
        plan_id: Set(plan_id),
        position: Set(position),
        offset_minutes: Set(offset),
        at_time: Set(at_time),
        kind: Set(kind),
        title: Set(title),
        message: Set(message.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub async fn delete_step(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    let gone = follow_up_step::Entity::delete_by_id(id).exec(db).await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What starts a plan by itself: new deals from a capture form, or deals entering a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Form(i64),
    Stage(i64),
}

impl Trigger {
    /// "form:3" or "stage:5", as the admin page posts it.
    pub fn parse(raw: &str) -> Option<Trigger> {
        let (what, id) = raw.split_once(':')?;
        let id = id.parse().ok()?;
        match what {
            "form" => Some(Trigger::Form(id)),
            "stage" => Some(Trigger::Stage(id)),
            _ => None,
        }
    }
}

/// Makes `trigger` start `plan_id` (or nothing).
pub async fn set_trigger(db: &DatabaseConnection, trigger: Trigger, plan_id: Option<i64>) -> Result<(), AppError> {
    if let Some(plan_id) = plan_id {
        follow_up_plan::Entity::find_by_id(plan_id).one(db).await?.ok_or_else(|| AppError::field("plan_id", crate::language::t("plans-choose-a-plan-from-the-list")))?;
    }
    let updated = match trigger {
        Trigger::Form(id) => {
            capture_form::Entity::update_many().col_expr(capture_form::Column::PlanId, Expr::value(plan_id)).filter(capture_form::Column::Id.eq(id)).exec(db).await?
        }
        Trigger::Stage(id) => {
            let target = stage::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            if target.kind != crate::deals::StageKind::Open && plan_id.is_some() {
                return Err(AppError::field("plan_id", crate::language::t("plans-closed-deal-needs-no-follow-ups")));
            }
            stage::Entity::update_many().col_expr(stage::Column::PlanId, Expr::value(plan_id)).filter(stage::Column::Id.eq(id)).exec(db).await?
        }
    };
    if updated.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// When a step falls for a plan started at `start`, for someone in `tz`: the offset later,
/// moved to the step's time of day on that day; never before the start.
pub fn due_of(step: &follow_up_step::Model, start: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let at = start + Duration::minutes(i64::from(step.offset_minutes));
    let Some(time) = step.at_time.as_deref().and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok()) else { return at };
    use chrono::Timelike;
    at_local(at.with_timezone(&tz).date_naive(), time.hour(), time.minute(), tz).max(start)
}

/// Starts `plan_id` on `deal` inside `txn`: one reminder per step for `assignee`. Returns how
/// many were set; none when the plan is off, has no steps, or already runs on the deal.
pub async fn start(
    txn: &impl ConnectionTrait,
    plan_id: i64,
    deal: &deal::Model,
    assignee_id: i64,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let Some(plan) = follow_up_plan::Entity::find_by_id(plan_id).one(txn).await?.filter(|p| p.active) else { return Ok(0) };
    let running = reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(deal.id))
        .filter(reminder::Column::PlanId.eq(plan.id))
        .filter(reminder::Column::State.eq(crate::reminders::State::Pending))
        .count(txn)
        .await?;
    if running > 0 {
        return Ok(0);
    }
    let steps = follow_up_step::Entity::find()
        .filter(follow_up_step::Column::PlanId.eq(plan.id))
        .order_by_asc(follow_up_step::Column::Position)
        .order_by_asc(follow_up_step::Column::Id)
        .all(txn)
        .await?;
    if steps.is_empty() {
        return Ok(0);
    }
    let assignee = user::Entity::find_by_id(assignee_id).one(txn).await?.ok_or(AppError::NotFound)?;
    let client = contact::Entity::find_by_id(deal.contact_id).one(txn).await?.map(|c| c.name).unwrap_or_default();
    let agency = crate::agency::load(txn).await?.name;
    let tz = zone(&assignee.time_zone);
    let rows = steps.iter().map(|step| reminder::ActiveModel {
        deal_id: Set(deal.id),
        assignee_id: Set(assignee_id),
        created_by: Set(created_by),
        title: Set(step.title.clone()),
        kind: Set(step.kind),
        due_at: Set(due_of(step, now, tz)),
        state: Set(crate::reminders::State::Pending),
        late: Set(false),
        plan_id: Set(Some(plan.id)),
        message: Set((!step.message.is_empty()).then(|| super::render(&step.message, &client, &assignee.name, &agency))),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    });
    reminder::Entity::insert_many(rows).exec(txn).await?;
    Ok(steps.len())
}

/// An agent starts a plan on a deal from its page (or an API client does). The reminders go
/// to the deal's owner, or to the agent when nobody owns it.
pub async fn start_by_hand(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, deal_id: i64, plan_id: i64) -> Result<usize, AppError> {
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let deal = deal::Entity::find_by_id(deal_id).one(&write.txn).await?.ok_or(AppError::NotFound)?;
    crate::deals::service::may_edit(actor, &deal)?;
    if deal.closed_at.is_some() {
        return Err(AppError::Conflict(crate::language::t("plans-deal-is-closed-reopen-it")));
    }
    let assignee = deal.owner_id.or(actor.user_id).ok_or_else(|| AppError::field("plan_id", crate::language::t("plans-deal-has-no-owner")))?;
    let plan = follow_up_plan::Entity::find_by_id(plan_id)
        .one(&write.txn)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| AppError::field("plan_id", crate::language::t("plans-choose-a-plan-from-the-list")))?;
    let set = start(&write.txn, plan.id, &deal, assignee, actor.user_id, now).await?;
    if set == 0 {
        return Err(AppError::Conflict(format!("\"{}\" is already running on this deal.", plan.name)));
    }
    write.txn.commit().await?;
    notifier.deal_changed(DealChange { deal_id, version: deal.version, by_user_id: actor.user_id, what: Text::new("plans-event-started").with("name", actor.name.as_str()).with("plan", plan.name.as_str()) });
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(offset_minutes: i32, at_time: Option<&str>) -> follow_up_step::Model {
        follow_up_step::Model {
            id: 1,
            plan_id: 1,
            position: 0,
            offset_minutes,
            at_time: at_time.map(str::to_owned),
            kind: Kind::Call,
            title: "Call".into(),
            message: String::new(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_step_lands_at_its_time_of_day_in_the_assignee_s_zone() {
        let madrid = zone("Europe/Madrid");
        // A lead at 15:00 in Madrid on Friday 27 March 2026; Madrid springs forward on Sunday.
        let start = utc("2026-03-27T14:00:00Z");
        assert_eq!(due_of(&step(0, None), start, madrid), start);
        assert_eq!(due_of(&step(120, None), start, madrid), utc("2026-03-27T16:00:00Z"));
        assert_eq!(due_of(&step(24 * 60, Some("09:00")), start, madrid), utc("2026-03-28T08:00:00Z"), "09:00 CET");
        assert_eq!(due_of(&step(3 * 24 * 60, Some("09:00")), start, madrid), utc("2026-03-30T07:00:00Z"), "09:00 CEST, after the change");
        // "Same day at 09:00" for a lead that came at 15:00 is due at once, not in the past.
        assert_eq!(due_of(&step(0, Some("09:00")), start, madrid), start);
    }

    #[test]
    fn triggers_are_read_from_the_admin_page() {
        assert_eq!(Trigger::parse("form:3"), Some(Trigger::Form(3)));
        assert_eq!(Trigger::parse("stage:12"), Some(Trigger::Stage(12)));
        assert_eq!(Trigger::parse("deal:1"), None);
        assert_eq!(Trigger::parse("form:x"), None);
    }
}
