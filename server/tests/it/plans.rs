//! Follow-up plans (by hand, by a form, by a stage; cancelled by closing the deal), the
//! scheduler's alerts (escalation, stale deals, the morning digest, each raised once), and
//! who may change a deal's follow-ups.

use crate::common;

use app::db::entities::{capture_form, deal, notification, reminder, stage};
use app::reminders::alerts;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use common::{TestApp, enc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const PASS: &str = "a long enough passphrase";

struct Agency {
    app: TestApp,
    admin: String,
    ana: String,
    ben: String,
    ana_id: i64,
    mia_id: i64,
    deal_id: i64,
}

/// An admin, two agents (Madrid), a manager, and one lead that went to Ana.
async fn agency() -> Agency {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let ana_id = app.add_user("Ana Agent", "ana@costa.test", "agent", PASS).await;
    app.add_user("Ben Agent", "ben@costa.test", "agent", PASS).await;
    let mia_id = app.add_user("Mia Manager", "mia@costa.test", "manager", PASS).await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")]).await;
    let deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(deal.owner_id, Some(ana_id));
    let ana = app.login_cookie("ana@costa.test", PASS).await;
    let ben = app.login_cookie("ben@costa.test", PASS).await;
    Agency { app, admin, ana, ben, ana_id, mia_id, deal_id: deal.id }
}

/// A plan made through the admin's server functions: call at once, WhatsApp the next day at
/// 09:00 with a message, call again after 3 days.
async fn buyer_plan(a: &Agency) -> i64 {
    let made = a.app.call("/api/plans/save", "name=New+buyer", Some(&a.admin)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let plan_id: i64 = made.body.trim().parse().unwrap();
    let steps = [
        ("0", "minutes", "", "call", "Call to introduce yourself", ""),
        ("1", "days", "09:00", "whatsapp", "Send the shortlist", "Hola {first_name}, soy {agent} de {agency}."),
        ("3", "days", "", "call", "Call again", ""),
    ];
    for (amount, unit, at, kind, title, message) in steps {
        let body = format!(
            "plan_id={plan_id}&amount={amount}&unit={unit}&at_time={}&kind={kind}&title={}&message={}",
            enc(at),
            enc(title),
            enc(message)
        );
        let reply = a.app.call("/api/plans/step", &body, Some(&a.admin)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    plan_id
}

async fn pending_of(app: &TestApp, deal_id: i64) -> Vec<reminder::Model> {
    reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(deal_id))
        .filter(reminder::Column::State.eq("pending"))
        .order_by_asc(reminder::Column::DueAt)
        .all(&app.state.db)
        .await
        .unwrap()
}

async fn stage_id(app: &TestApp, name: &str) -> i64 {
    stage::Entity::find().filter(stage::Column::Name.eq(name)).one(&app.state.db).await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_plan_started_on_a_deal_sets_its_steps_and_closing_the_deal_cancels_them() {
    let a = agency().await;
    let plan_id = buyer_plan(&a).await;
    // Bad steps are refused field by field and change nothing.
    let bad = a.app.call("/api/plans/step", &format!("plan_id={plan_id}&amount=-2&unit=weeks&at_time=9am&kind=fax&title=&message="), Some(&a.admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["amount", "at_time", "kind", "title"] {
        assert!(bad.body.contains(field), "{field} is named: {}", bad.body);
    }
    assert_eq!(a.app.call("/api/plans/step", &format!("plan_id={plan_id}&amount=1&unit=days&at_time=&kind=call&title=x&message="), Some(&a.ana)).await.status, StatusCode::FORBIDDEN, "agents do not edit plans");

    let before = Utc::now();
    let started = a.app.call("/api/plans/start", &format!("deal_id={}&plan_id={plan_id}", a.deal_id), Some(&a.ana)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body.trim(), "3");
    let steps = pending_of(&a.app, a.deal_id).await;
    assert_eq!(steps.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Call to introduce yourself", "Send the shortlist", "Call again"]);
    assert!(steps.iter().all(|r| r.assignee_id == a.ana_id && r.plan_id == Some(plan_id)));
    assert!(steps[0].due_at >= before - Duration::seconds(1) && steps[0].due_at <= Utc::now(), "the first step is due at once");
    let madrid = app::reminders::service::zone("Europe/Madrid");
    let next_day = before.with_timezone(&madrid).date_naive() + Duration::days(1);
    assert_eq!(steps[1].due_at, app::reminders::service::at_local(next_day, 9, 0, madrid), "09:00 the next day in Ana's zone");
    assert_eq!(steps[1].message.as_deref(), Some("Hola Lucía, soy Ana Agent de Costa Homes."));
    assert!((steps[2].due_at - steps[0].due_at - Duration::days(3)).num_seconds().abs() <= 1);

    let twice = a.app.call("/api/plans/start", &format!("deal_id={}&plan_id={plan_id}", a.deal_id), Some(&a.ana)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert!(twice.body.contains("already running"));
    assert_eq!(pending_of(&a.app, a.deal_id).await.len(), 3, "nothing doubled");
    assert_eq!(
        a.app.call("/api/plans/start", &format!("deal_id={}&plan_id={plan_id}", a.deal_id), Some(&a.ben)).await.status,
        StatusCode::FORBIDDEN,
        "Ben may not plan Ana's deal"
    );

    // Losing the deal cancels every step still to come.
    let lost = stage_id(&a.app, "Lost").await;
    let body = format!("deal_id={}&version=1&stage_id={lost}&lost_reason={}", a.deal_id, enc("No longer looking"));
    let moved = a.app.call("/api/deal/stage", &body, Some(&a.ana)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert!(pending_of(&a.app, a.deal_id).await.is_empty());
    let cancelled = reminder::Entity::find().filter(reminder::Column::State.eq("cancelled")).count(&a.app.state.db).await.unwrap();
    assert_eq!(cancelled, 3);
}

#[tokio::test]
async fn a_form_and_a_stage_start_their_plans_by_themselves() {
    let a = agency().await;
    let plan_id = buyer_plan(&a).await;
    let form = capture_form::Entity::find().one(&a.app.state.db).await.unwrap().unwrap();
    let set = a.app.call("/api/plans/starter", &format!("target=form:{}&plan_id={plan_id}", form.id), Some(&a.admin)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    a.app.submit_lead("open-day", &[("name", "Tom Baker"), ("phone", "+447911123456")]).await;
    let tom = deal::Entity::find().order_by_desc(deal::Column::Id).one(&a.app.state.db).await.unwrap().unwrap();
    assert_ne!(tom.id, a.deal_id);
    assert_eq!(pending_of(&a.app, tom.id).await.len(), 3, "the new lead's plan started with it");
    assert_eq!(pending_of(&a.app, a.deal_id).await.len(), 0, "earlier leads are left alone");

    let viewing = stage_id(&a.app, "Viewing").await;
    let won = stage_id(&a.app, "Won").await;
    let refused = a.app.call("/api/plans/starter", &format!("target=stage:{won}&plan_id={plan_id}"), Some(&a.admin)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "a won stage needs no follow-ups");
    assert_eq!(a.app.call("/api/plans/starter", &format!("target=stage:{viewing}&plan_id={plan_id}"), Some(&a.admin)).await.status, StatusCode::OK);
    let body = format!("deal_id={}&version=1&stage_id={viewing}", a.deal_id);
    assert_eq!(a.app.call("/api/deal/stage", &body, Some(&a.ana)).await.status, StatusCode::OK);
    assert_eq!(pending_of(&a.app, a.deal_id).await.len(), 3, "entering Viewing started the plan");

    // Deleting the plan stops the form and the stage starting it; set reminders stay.
    assert_eq!(a.app.call("/api/plans/delete", &format!("id={plan_id}"), Some(&a.admin)).await.status, StatusCode::OK);
    let form = capture_form::Entity::find_by_id(form.id).one(&a.app.state.db).await.unwrap().unwrap();
    assert_eq!(form.plan_id, None);
    assert_eq!(pending_of(&a.app, a.deal_id).await.len(), 3);
}

#[tokio::test]
async fn agents_change_only_their_own_deals_but_log_on_any() {
    let a = agency().await;
    let contacted = stage_id(&a.app, "Contacted").await;
    let body = format!("deal_id={}&version=1&stage_id={contacted}", a.deal_id);
    assert_eq!(a.app.call("/api/deal/stage", &body, Some(&a.ben)).await.status, StatusCode::FORBIDDEN);
    let contact = format!("deal_id={}&version=1&name=Someone+Else&phone=%2B34612345001&email=&whatsapp=", a.deal_id);
    assert_eq!(a.app.call("/api/deal/contact", &contact, Some(&a.ben)).await.status, StatusCode::FORBIDDEN);
    let note = a.app.call("/api/deal/log", &format!("deal_id={}&outcome=note&body={}", a.deal_id, enc("She called me instead")), Some(&a.ben)).await;
    assert_eq!(note.status, StatusCode::OK, "anyone logs what they heard: {}", note.body);
    let page = a.app.call("/api/deal", &format!("id={}", a.deal_id), Some(&a.ben)).await;
    assert!(page.body.contains("\"editable\":false"), "{}", page.body);
    // A follow-up Ben sets goes to Ana, the owner; he cannot complete hers.
    let set = a.app.call("/api/reminders/set", &format!("deal_id={}&title=Call+her&kind=call&preset=in_an_hour", a.deal_id), Some(&a.ben)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let r = reminder::Entity::find().one(&a.app.state.db).await.unwrap().unwrap();
    assert_eq!(r.assignee_id, a.ana_id);
    assert_eq!(a.app.call("/api/reminders/done", &format!("id={}", r.id), Some(&a.ben)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(a.app.call("/api/reminders/done", &format!("id={}", r.id), Some(&a.ana)).await.status, StatusCode::OK);
    assert_eq!(deal::Entity::find_by_id(a.deal_id).one(&a.app.state.db).await.unwrap().unwrap().stage_id, stage_id(&a.app, "New").await);
}

async fn alerts_of(app: &TestApp, kind: &str) -> Vec<notification::Model> {
    notification::Entity::find().filter(notification::Column::Kind.eq(kind)).order_by_asc(notification::Column::Id).all(&app.state.db).await.unwrap()
}

async fn set_due(app: &TestApp, deal_id: i64, assignee: i64, title: &str, due: DateTime<Utc>) -> i64 {
    use sea_orm::ActiveModelTrait;
    common::pending_reminder(deal_id, assignee, title, due).insert(&app.state.db).await.unwrap().id
}

#[tokio::test]
async fn managers_hear_once_of_a_follow_up_overdue_too_long() {
    let a = agency().await;
    let now = Utc::now();
    set_due(&a.app, a.deal_id, a.ana_id, "Call back", now - Duration::minutes(150)).await;
    set_due(&a.app, a.deal_id, a.ana_id, "Send the brochure", now - Duration::minutes(30)).await;
    // Mia reads Doorstep in Spanish; the admin in the agency's English.
    app::auth::service::set_language(&a.app.state.db, a.mia_id, Some("es")).await.unwrap();
    // Two schedulers at once, then again: one escalation per manager and admin.
    let (x, y) = tokio::join!(
        alerts::run(&a.app.state.db, &a.app.state.notifier, now),
        alerts::run(&a.app.state.db, &a.app.state.notifier, now)
    );
    x.unwrap();
    y.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, now).await.unwrap();
    let told = alerts_of(&a.app, "escalation").await;
    let mut who: Vec<i64> = told.iter().map(|n| n.user_id).collect();
    who.sort();
    let admin_id = app::auth::service::find_by_email(&a.app.state.db, common::ADMIN_EMAIL).await.unwrap().id;
    let mut expected = vec![admin_id, a.mia_id];
    expected.sort();
    assert_eq!(who, expected, "the manager and the admin, once each: {told:?}");
    let to_admin = told.iter().find(|n| n.user_id == admin_id).unwrap();
    assert!(to_admin.title.starts_with("Overdue 2 h 30 min: Call back · Lucía Fernández"), "{}", to_admin.title);
    assert!(to_admin.body.starts_with("Ana Agent was to do this by"), "{}", to_admin.body);
    let to_mia = told.iter().find(|n| n.user_id == a.mia_id).unwrap();
    assert!(to_mia.title.starts_with("Vencido hace 2 h 30 min: Call back · Lucía Fernández"), "{}", to_mia.title);
    assert!(to_mia.body.starts_with("Ana Agent debía hacerlo antes del"), "{}", to_mia.body);

    // Turned off, nothing more is raised even for the later one.
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let mut settings = app::db::entities::agency::Entity::find().one(&a.app.state.db).await.unwrap().unwrap().into_active_model();
    settings.escalate_after_minutes = Set(None);
    settings.update(&a.app.state.db).await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, now + Duration::hours(5)).await.unwrap();
    assert_eq!(alerts_of(&a.app, "escalation").await.len(), 2);
}

#[tokio::test]
async fn a_deal_going_stale_is_flagged_to_its_owner_once_per_quiet_spell() {
    let a = agency().await;
    // "New" goes stale after some days in the default stages; take what the agency set.
    let new = stage::Entity::find().filter(stage::Column::Name.eq("New")).one(&a.app.state.db).await.unwrap().unwrap();
    let days = new.stale_after_days.expect("New has a stale-after limit");
    let quiet = Utc::now() + Duration::days(i64::from(days) + 1);
    alerts::run(&a.app.state.db, &a.app.state.notifier, quiet).await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, quiet + Duration::minutes(1)).await.unwrap();
    let flagged = alerts_of(&a.app, "stale").await;
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!((flagged[0].user_id, flagged[0].deal_id), (a.ana_id, Some(a.deal_id)));
    assert_eq!(flagged[0].title, "Going stale: Lucía Fernández");
    assert!(flagged[0].body.starts_with(&format!("Nothing has happened for {} days in New.", days + 1)), "{}", flagged[0].body);

    // Any activity starts a new quiet spell, which is flagged again when it runs out. (The
    // note is logged now; the clock here runs ahead, so the deal is touched at that time.)
    let note = a.app.call("/api/deal/log", &format!("deal_id={}&outcome=note&body=Still+looking", a.deal_id), Some(&a.ana)).await;
    assert_eq!(note.status, StatusCode::OK);
    let touched = quiet + Duration::minutes(1);
    deal::Entity::update_many().col_expr(deal::Column::UpdatedAt, Expr::value(touched)).exec(&a.app.state.db).await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, touched + Duration::minutes(1)).await.unwrap();
    assert_eq!(alerts_of(&a.app, "stale").await.len(), 1, "just touched: not stale");
    // The agency now works in Spanish, and Ana, who chose no language of her own, with it.
    app::agency::update(&a.app.state.db, "Costa Homes", "Europe/Madrid", "ES", "es").await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, touched + Duration::days(i64::from(days) + 1)).await.unwrap();
    let flagged = alerts_of(&a.app, "stale").await;
    assert_eq!(flagged.len(), 2);
    let latest = flagged.iter().max_by_key(|n| n.id).unwrap();
    assert_eq!(latest.title, "Se está parando: Lucía Fernández");
    // The starting stage nobody renamed is now called in Spanish too.
    assert!(latest.body.contains("días en Nuevo"), "{}", latest.body);
}

#[tokio::test]
async fn the_morning_digest_arrives_once_at_the_digest_hour_in_each_person_s_zone() {
    let a = agency().await;
    let madrid = app::reminders::service::zone("Europe/Madrid");
    // Tomorrow in Madrid: 07:00 is before the digest hour (8), 08:30 inside it.
    let tomorrow = Utc::now().with_timezone(&madrid).date_naive() + Duration::days(1);
    let at = |h: u32, m: u32| app::reminders::service::at_local(tomorrow, h, m, madrid);
    set_due(&a.app, a.deal_id, a.ana_id, "Call about the flat", at(11, 0)).await;
    set_due(&a.app, a.deal_id, a.ana_id, "Yesterday's call", at(0, 0) - Duration::hours(3)).await;
    // Nobody answered Lucía yet, and the overdue one escalates: turn escalation off here.
    app::db::entities::agency::Entity::update_many()
        .col_expr(app::db::entities::agency::Column::EscalateAfterMinutes, Expr::value(Option::<i32>::None))
        .exec(&a.app.state.db)
        .await
        .unwrap();
    // Whatever the clock says now, the deal is not stale tomorrow morning.
    stage::Entity::update_many().col_expr(stage::Column::StaleAfterDays, Expr::value(Option::<i32>::None)).exec(&a.app.state.db).await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, at(7, 0)).await.unwrap();
    assert!(alerts_of(&a.app, "digest").await.is_empty(), "not before 08:00");
    alerts::run(&a.app.state.db, &a.app.state.notifier, at(8, 30)).await.unwrap();
    alerts::run(&a.app.state.db, &a.app.state.notifier, at(9, 30)).await.unwrap();
    let digests: Vec<_> = alerts_of(&a.app, "digest").await.into_iter().filter(|n| n.user_id == a.ana_id).collect();
    assert_eq!(digests.len(), 1, "{digests:?}");
    assert_eq!(digests[0].title, "Your day: 1 follow-up due today, 1 overdue, 1 new lead waiting");
    assert_eq!(digests[0].body, "11:00 Call about the flat · Lucía Fernández");
    // Ben has nothing on: no digest for him.
    let ben = app::auth::service::find_by_email(&a.app.state.db, "ben@costa.test").await.unwrap().id;
    assert_eq!(notification::Entity::find().filter(notification::Column::UserId.eq(ben)).count(&a.app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn an_admin_sets_when_managers_are_told_and_when_the_digest_comes() {
    let a = agency().await;
    let bad = a.app.call("/api/agency/alerts/save", "escalate_after=2&digest_hour=25", Some(&a.admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("escalate_after") && bad.body.contains("digest_hour"), "{}", bad.body);
    assert_eq!(a.app.call("/api/agency/alerts/save", "escalate_after=30&digest_hour=7", Some(&a.ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(a.app.call("/api/agency/alerts/save", "escalate_after=&digest_hour=7", Some(&a.admin)).await.status, StatusCode::OK);
    let row = app::db::entities::agency::Entity::find().one(&a.app.state.db).await.unwrap().unwrap();
    assert_eq!((row.escalate_after_minutes, row.digest_hour), (None, 7), "empty turns escalation off");
    let read = a.app.call("/api/agency/alerts", "", Some(&a.admin)).await;
    assert_eq!(read.body.trim(), "[null,7]");

    // A follow-up moved to a typed time, read in the assignee's zone.
    let set = a.app.call("/api/reminders/set", &format!("deal_id={}&title=Call&kind=call&preset=in_an_hour", a.deal_id), Some(&a.ana)).await;
    let id: i64 = set.body.trim().parse().unwrap();
    let moved = a.app.call("/api/reminders/snooze", &format!("id={id}&custom=2099-03-01T10%3A30"), Some(&a.ana)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let r = reminder::Entity::find_by_id(id).one(&a.app.state.db).await.unwrap().unwrap();
    assert_eq!(r.due_at.to_rfc3339(), "2099-03-01T09:30:00+00:00", "10:30 in Madrid");
}
