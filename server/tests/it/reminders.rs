//! Follow-ups: setting them with presets, and the scheduler's exactly-once delivery through
//! crashes, downtime and two schedulers at once.

use crate::common;

use std::time::Duration as StdDuration;

use app::db::entities::{activity, deal, notification, reminder};
use app::reminders::scheduler;
use app::reminders::{Preset, service};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{TestApp, enc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

const PASS: &str = "a long enough passphrase";

/// An agent (Europe/Madrid) who owns one deal, logged in.
async fn agent_with_a_deal() -> (TestApp, String, i64, i64) {
    let app = TestApp::new().await;
    app.set_up().await;
    let ana = app.add_user("Ana Agent", "ana@costa.test", "agent", PASS).await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")]).await;
    let deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let cookie = app.login_cookie("ana@costa.test", PASS).await;
    (app, cookie, ana, deal.id)
}

async fn due_reminders(app: &TestApp, deal_id: i64, assignee: i64, due: Vec<chrono::DateTime<Utc>>) {
    app.insert_reminders(due.into_iter().enumerate().map(|(i, at)| common::pending_reminder(deal_id, assignee, &format!("Call back #{i}"), at)).collect())
        .await;
}

async fn delivered(app: &TestApp) -> u64 {
    notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Reminder)).count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn tomorrow_nine_is_set_in_the_assignee_s_time_zone() {
    let (app, cookie, ana, deal_id) = agent_with_a_deal().await;
    let body = format!("deal_id={deal_id}&title={}&kind=call&preset=tomorrow_9", enc("Call about the viewing"));
    let reply = app.call("/api/reminders/set", &body, Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let r = reminder::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let expected = service::due_for(Preset::TomorrowMorning, Utc::now(), service::zone("Europe/Madrid"));
    assert_eq!((r.due_at, r.assignee_id, r.title.as_str(), r.kind.as_str()), (expected, ana, "Call about the viewing", "call"));

    let past = app.call("/api/reminders/set", &format!("deal_id={deal_id}&title=&kind=call&custom=2020-01-01T09%3A00"), Some(&cookie)).await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(past.body.contains("That time has passed"));
    let nonsense = app.call("/api/reminders/set", &format!("deal_id={deal_id}&title=&kind=fax&custom=soon"), Some(&cookie)).await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nonsense.body.contains("kind") && nonsense.body.contains("due"), "every problem at once: {}", nonsense.body);
    assert_eq!(reminder::Entity::find().count(&app.state.db).await.unwrap(), 1, "refused input created nothing");
    assert_eq!(app.call("/api/reminders/set", &body, None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_due_reminder_is_delivered_once_and_arrives_live() {
    let (app, _, ana, deal_id) = agent_with_a_deal().await;
    let mut live = app.state.notifier.subscribe();
    due_reminders(&app, deal_id, ana, vec![Utc::now() - Duration::seconds(5), Utc::now() + Duration::hours(1)]).await;
    let now = Utc::now();
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "worker-a", now).await.unwrap(), 1);
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "worker-a", now).await.unwrap(), 0);
    assert_eq!(delivered(&app).await, 1, "the one not yet due waits");
    let notice = tokio::time::timeout(StdDuration::from_secs(2), live.recv()).await.unwrap().unwrap();
    assert_eq!(notice.user_id, ana);
    assert!(notice.title.starts_with("Follow up: Call back #0 · Lucía Fernández"), "{}", notice.title);
    let first = reminder::Entity::find().filter(reminder::Column::Title.eq("Call back #0")).one(&app.state.db).await.unwrap().unwrap();
    assert!(first.delivered_at.is_some() && !first.late);
}

#[tokio::test]
async fn a_scheduler_that_dies_mid_delivery_leaves_its_batch_to_the_next_one() {
    let (app, _, ana, deal_id) = agent_with_a_deal().await;
    due_reminders(&app, deal_id, ana, vec![Utc::now() - Duration::seconds(1); 3]).await;
    let now = Utc::now();
    {
        // Worker A marks the batch and stores its notifications, then dies before committing.
        let write = app::db::begin_write(&app.state.db).await.unwrap();
        assert_eq!(scheduler::deliver_in(&write.txn, "worker-a", now).await.unwrap().notices.len(), 3);
        // Its connection goes, and the database rolls the round back. (Dropping the
        // transaction would roll back only when the pooled connection is next used, so on
        // PostgreSQL worker B could still find the rows locked and skip them; a real kill is
        // tested in worker_crash.rs.)
        write.txn.rollback().await.unwrap();
    }
    assert_eq!(delivered(&app).await, 0, "nothing of the dead round was kept");
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "worker-b", now).await.unwrap(), 3);
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "worker-a", now).await.unwrap(), 0);
    assert_eq!(delivered(&app).await, 3);
}

#[tokio::test]
async fn reminders_due_while_nothing_ran_are_delivered_at_start_and_marked_late() {
    let (app, _, ana, deal_id) = agent_with_a_deal().await;
    due_reminders(&app, deal_id, ana, vec![Utc::now() - Duration::hours(2)]).await;
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "worker-a", Utc::now()).await.unwrap(), 1);
    let r = reminder::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert!(r.late);
    let n = notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Reminder)).one(&app.state.db).await.unwrap().unwrap();
    assert!(n.body.ends_with("(late)"), "{}", n.body);
}

#[tokio::test]
async fn two_schedulers_deliver_each_of_many_reminders_exactly_once() {
    let (app, _, ana, deal_id) = agent_with_a_deal().await;
    let count = scheduler::BATCH as usize * 3;
    due_reminders(&app, deal_id, ana, vec![Utc::now() - Duration::seconds(1); count]).await;
    let run = |worker: &'static str| {
        let (db, notifier) = (app.state.db.clone(), app.state.notifier.clone());
        tokio::spawn(async move {
            let mut total = 0;
            // Each keeps going until a round finds nothing; between them they empty the queue.
            loop {
                let n = scheduler::deliver_due(&db, &notifier, worker, Utc::now()).await.unwrap();
                if n == 0 {
                    break total;
                }
                total += n;
            }
        })
    };
    let (a, b) = (run("worker-a"), run("worker-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!(a + b, count, "a delivered {a}, b delivered {b}");
    assert_eq!(delivered(&app).await, count as u64, "one notification per reminder");
    let undelivered = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_null()).count(&app.state.db).await.unwrap();
    assert_eq!(undelivered, 0);
}

#[tokio::test]
async fn done_logs_the_follow_up_snooze_delivers_again_and_closing_cancels() {
    let (app, cookie, ana, deal_id) = agent_with_a_deal().await;
    due_reminders(&app, deal_id, ana, vec![Utc::now() - Duration::seconds(1), Utc::now() + Duration::hours(2)]).await;
    scheduler::deliver_due(&app.state.db, &app.state.notifier, "w", Utc::now()).await.unwrap();
    let first = reminder::Entity::find().filter(reminder::Column::Title.eq("Call back #0")).one(&app.state.db).await.unwrap().unwrap();

    // Snoozed an hour: due again later, and delivered again then (once).
    let snoozed = app.call("/api/reminders/snooze", &format!("id={}&preset=in_an_hour", first.id), Some(&cookie)).await;
    assert_eq!(snoozed.status, StatusCode::OK, "{}", snoozed.body);
    let again = reminder::Entity::find_by_id(first.id).one(&app.state.db).await.unwrap().unwrap();
    assert!(again.delivered_at.is_none() && again.due_at > Utc::now() + Duration::minutes(59));
    // Its new time comes.
    let mut row: reminder::ActiveModel = again.clone().into();
    row.due_at = Set(Utc::now() - Duration::seconds(1));
    row.update(&app.state.db).await.unwrap();
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "w", Utc::now()).await.unwrap(), 1);
    assert_eq!(scheduler::deliver_due(&app.state.db, &app.state.notifier, "w", Utc::now()).await.unwrap(), 0);
    assert_eq!(delivered(&app).await, 2, "once per due time");

    let done = app.call("/api/reminders/done", &format!("id={}", first.id), Some(&cookie)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let logged = activity::Entity::find().filter(activity::Column::Body.eq("Follow-up done: Call back #0")).count(&app.state.db).await.unwrap();
    assert_eq!(logged, 1);
    let twice = app.call("/api/reminders/done", &format!("id={}", first.id), Some(&cookie)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    // Winning the deal cancels what was still planned.
    let won = app::deals::service::stages(&app.state.db).await.unwrap().into_iter().find(|s| s.kind == app::deals::StageKind::Won).unwrap().id;
    let version = deal::Entity::find_by_id(deal_id).one(&app.state.db).await.unwrap().unwrap().version;
    let body = format!("deal_id={deal_id}&version={version}&stage_id={won}&won_value=300000");
    assert_eq!(app.call("/api/deal/stage", &body, Some(&cookie)).await.status, StatusCode::OK);
    let pending = reminder::Entity::find().filter(reminder::Column::State.eq("pending")).count(&app.state.db).await.unwrap();
    assert_eq!(pending, 0);
}

/// What Python's icalendar parser makes of a feed.
fn parse_ics(body: &str) -> serde_json::Value {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/check_ics.py");
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with icalendar (scripts/setup.sh --e2e installs python3-icalendar)");
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "icalendar refused the feed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn the_calendar_feed_is_valid_icalendar_at_a_secret_revocable_address() {
    let (app, cookie, ana, deal_id) = agent_with_a_deal().await;
    let due = Utc::now() + Duration::days(1);
    due_reminders(&app, deal_id, ana, vec![due]).await;
    let mut row: reminder::ActiveModel = reminder::Entity::find().one(&app.state.db).await.unwrap().unwrap().into();
    row.title = Set("Call back; bring the plans, and the keys".into());
    row.update(&app.state.db).await.unwrap();

    let link = app.call("/api/calendar/new", "", Some(&cookie)).await;
    assert_eq!(link.status, StatusCode::OK, "{}", link.body);
    let url: String = serde_json::from_str(&link.body).unwrap();
    let path = url.split_once("://").map(|(_, rest)| &rest[rest.find('/').unwrap()..]).unwrap().to_owned();
    assert!(path.starts_with("/ics/") && path.ends_with(".ics"));
    let feed = app.get(&path, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.headers.get("content-type").unwrap(), "text/calendar; charset=utf-8");
    assert!(feed.body.split("\r\n").all(|line| line.len() <= 75), "lines are folded at 75 octets");

    let parsed = parse_ics(&feed.body);
    assert_eq!(parsed["version"], "2.0");
    let event = &parsed["events"][0];
    assert_eq!(event["summary"], "Call back; bring the plans, and the keys: Lucía Fernández");
    assert!(event["description"].as_str().unwrap().contains(&format!("/deals/{deal_id}")));
    assert_eq!(event["utc"], true);
    assert_eq!(event["start"], due.format("%Y-%m-%dT%H:%M:%S+00:00").to_string());
    assert_eq!(event["alarms"], 1);

    // A new address replaces the old one; turning it off leaves none.
    let again: String = serde_json::from_str(&app.call("/api/calendar/new", "", Some(&cookie)).await.body).unwrap();
    assert_eq!(app.get(&path, None).await.status, StatusCode::NOT_FOUND);
    let new_path = again.split_once("://").map(|(_, rest)| rest[rest.find('/').unwrap()..].to_owned()).unwrap();
    assert_eq!(app.get(&new_path, None).await.status, StatusCode::OK);
    assert_eq!(app.call("/api/calendar/revoke", "", Some(&cookie)).await.status, StatusCode::OK);
    assert_eq!(app.get(&new_path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/ics/not-a-token.ics", None).await.status, StatusCode::NOT_FOUND);
}
