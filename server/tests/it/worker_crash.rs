//! Real `doorstep worker` processes: one killed with SIGKILL in the middle of delivering and
//! started again, and (on PostgreSQL) two running at once. Every due reminder ends up
//! delivered exactly once.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use app::db::entities::{deal, notification, reminder};
use app::reminders::scheduler::BATCH;
use chrono::{Duration, Utc};
use common::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn worker(app: &TestApp) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    command.arg("worker").arg("--data-dir").arg(&app.config.data_dir).env("RUST_LOG", "warn").stdout(Stdio::null()).stderr(Stdio::null());
    match &app.config.database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command.spawn().expect("starting doorstep worker")
}

async fn delivered(app: &TestApp) -> u64 {
    notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Reminder)).count(&app.state.db).await.unwrap()
}

/// An agency with one deal and `count` reminders already due on it.
async fn due_queue(count: usize) -> TestApp {
    let app = TestApp::new().await;
    app.set_up().await;
    let ana = app.add_user("Ana Agent", "ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")]).await;
    let deal_id = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let now = Utc::now();
    app.insert_reminders((0..count).map(|i| common::pending_reminder(deal_id, ana, &format!("Call back #{i}"), now - Duration::seconds(1 + i as i64 % 600))).collect())
        .await;
    app
}

async fn wait_for_all(app: &TestApp, count: usize) {
    let deadline = Instant::now() + StdDuration::from_secs(60);
    while delivered(app).await < count as u64 {
        assert!(Instant::now() < deadline, "only {} of {count} delivered", delivered(app).await);
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
    // A little longer, to see that nothing is delivered twice.
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(delivered(app).await, count as u64, "exactly one notification per reminder");
    let undelivered = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_null()).count(&app.state.db).await.unwrap();
    assert_eq!(undelivered, 0);
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_and_restarted_delivers_every_reminder_once() {
    let count = BATCH as usize * 6;
    let app = due_queue(count).await;

    // Kill the first worker as soon as it has delivered something: it is mid-way.
    let mut first = worker(&app);
    let started = Instant::now();
    while delivered(&app).await == 0 {
        assert!(started.elapsed() < StdDuration::from_secs(60), "the worker delivered nothing");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let at_kill = delivered(&app).await;
    assert!(at_kill < count as u64, "killed mid-way ({at_kill} of {count}); make the queue longer");

    // A new worker finishes the rest, including the batch the dead one was delivering.
    let mut second = worker(&app);
    wait_for_all(&app, count).await;
    second.kill().unwrap();
    second.wait().unwrap();
}

#[tokio::test]
async fn two_worker_processes_on_one_postgresql_deliver_each_reminder_once() {
    if common::database_kind() != "postgres" {
        // SQLite runs one scheduler; the test above covers it.
        return;
    }
    let count = BATCH as usize * 8;
    let app = due_queue(count).await;
    let mut workers = [worker(&app), worker(&app)];
    wait_for_all(&app, count).await;
    for w in &mut workers {
        w.kill().unwrap();
        w.wait().unwrap();
    }
}
