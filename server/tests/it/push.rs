//! Web Push end to end, against a local push service that checks the VAPID signature and
//! decrypts every payload with the device's own key: a lead reaches the assigned agent's
//! devices once each and nobody else's; a gone subscription is removed; a failing push
//! service is retried and the notice delivered once; devices are the owner's alone; logging
//! out or being disabled removes them; two instances on PostgreSQL push each notice once.

use crate::common;

use std::time::Duration;

use app::db::entities::{push_delivery, push_device};
use common::served::{self, Served, client};
use common::{TestApp, form_body, session_cookie_in};
use doorstep::push_service::{Behaviour, LocalPushService, Subscription};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const ANA: &str = "ana@costa.test";
const PASSWORD: &str = "a long enough passphrase";

/// Starts the app's push worker, as `doorstep serve` does.
pub(crate) fn start_worker(app: &TestApp) {
    let state = &app.state;
    tokio::spawn(app::push::worker::run(
        state.db.clone(),
        state.notifier.clone(),
        state.push.clone(),
        app::push::worker::client().unwrap(),
        state.notifier.stopping(),
    ));
}

pub(crate) async fn opt_in(app: &TestApp, cookie: &str, sub: &Subscription) -> common::Reply {
    let body = form_body(&[("endpoint", &sub.endpoint), ("p256dh", &sub.p256dh), ("auth", &sub.auth)]);
    app.call("/api/push/subscribe", &body, Some(cookie)).await
}

async fn devices_of(app: &TestApp, user_id: i64) -> Vec<push_device::Model> {
    push_device::Entity::find().filter(push_device::Column::UserId.eq(user_id)).all(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_lead_reaches_the_assigned_agents_two_devices_once_each_and_nobody_else() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let ana = app.add_user("Ana López", ANA, "agent", PASSWORD).await;
    let ana_cookie = app.login_cookie(ANA, PASSWORD).await;
    app.capture_form("open-day").await;
    let push = LocalPushService::start(&app.state.push.public_key, Duration::ZERO).await.unwrap();
    let (phone, desk, admins) = (push.subscribe(Behaviour::Accept), push.subscribe(Behaviour::Accept), push.subscribe(Behaviour::Accept));
    for (cookie, sub) in [(&ana_cookie, &phone), (&ana_cookie, &desk), (&admin, &admins)] {
        let reply = opt_in(&app, cookie, sub).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(devices_of(&app, ana).await.len(), 2);
    start_worker(&app);

    let reply = app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "612345678"), ("need", "buy")]).await;
    assert!(reply.status.is_redirection(), "the lead is taken: {} {}", reply.status, reply.body);
    assert!(push.wait_for(Duration::from_secs(20), |all| all.len() >= 2).await, "two pushes in time; got {:?}", push.received());
    // Time for a wrong second delivery to show up.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(push.refused().is_empty(), "every push was signed and encrypted right: {:?}", push.refused());
    let (to_phone, to_desk) = (push.received_by(&phone), push.received_by(&desk));
    assert_eq!((to_phone.len(), to_desk.len()), (1, 1), "once to each of Ana's devices: {:?}", push.received());
    assert!(push.received_by(&admins).is_empty(), "the admin's device hears nothing of Ana's lead");

    let notice = &to_phone[0];
    assert_eq!(notice.payload["title"], "New lead: Lucía Fernández");
    let body = notice.payload["body"].as_str().unwrap();
    assert!(body.contains("via") && !body.contains("612345678"), "what the lead wants and where from, not the phone number: {body}");
    assert!(notice.payload["url"].as_str().unwrap().starts_with("/deals/"), "{:?}", notice.payload);
    assert_eq!(notice.urgency.as_deref(), Some("high"), "a new lead wakes the phone");
    assert!(notice.ttl.is_some_and(|t| t > 0));
    assert_eq!(notice.payload["tag"], to_desk[0].payload["tag"], "the same notice on both devices");

    let sent = push_delivery::Entity::find().filter(push_delivery::Column::State.eq(push_delivery::Delivery::Sent)).count(&app.state.db).await.unwrap();
    assert_eq!(sent, 2);
    assert!(devices_of(&app, ana).await.iter().all(|d| d.last_pushed_at.is_some()));
}

#[tokio::test]
async fn a_device_only_gets_the_kinds_it_chose() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Ana López", ANA, "agent", PASSWORD).await;
    let cookie = app.login_cookie(ANA, PASSWORD).await;
    app.capture_form("open-day").await;
    let push = LocalPushService::start(&app.state.push.public_key, Duration::ZERO).await.unwrap();
    let (quiet, loud) = (push.subscribe(Behaviour::Accept), push.subscribe(Behaviour::Accept));
    let quiet_id: i64 = opt_in(&app, &cookie, &quiet).await.body.parse().unwrap();
    opt_in(&app, &cookie, &loud).await;
    // Follow-ups only: no checkbox for leads.
    let reply = app.call("/api/push/kinds", &form_body(&[("id", &quiet_id.to_string()), ("follow_up", "on")]), Some(&cookie)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    start_worker(&app);
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "612345678")]).await;
    assert!(push.wait_for(Duration::from_secs(20), |all| !all.is_empty()).await);
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(push.received_by(&loud).len(), 1);
    assert!(push.received_by(&quiet).is_empty(), "the device that chose follow-ups only hears no lead");

    // A follow-up falls due: the scheduler's notification reaches both, at normal urgency.
    let deal = app::db::entities::deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let ana = deal.owner_id.unwrap();
    app.insert_reminders(vec![common::pending_reminder(deal.id, ana, "Send the floor plan", chrono::Utc::now() - chrono::Duration::seconds(1))]).await;
    app::reminders::scheduler::deliver_due(&app.state.db, &app.state.notifier, "test", chrono::Utc::now()).await.unwrap();
    assert!(push.wait_for(Duration::from_secs(20), |all| all.len() >= 3).await, "{:?}", push.received());
    let follow_up = &push.received_by(&quiet)[0];
    assert!(follow_up.payload["title"].as_str().unwrap().starts_with("Follow up: Send the floor plan"), "{:?}", follow_up.payload);
    assert_eq!(follow_up.payload["url"], format!("/deals/{}", deal.id));
    assert_eq!(follow_up.urgency.as_deref(), Some("normal"));
}

const METRICS_TOKEN: &str = "push-metrics-token";

/// One series' value on /metrics (0 when absent).
async fn metric(app: &TestApp, series: &str) -> f64 {
    let reply = crate::metrics::scrape(app, Some(METRICS_TOKEN)).await;
    assert_eq!(reply.status, 200);
    crate::metrics::value(&reply.body, series)
}

#[tokio::test]
async fn a_gone_subscription_is_removed_and_a_failing_push_service_is_retried_then_delivered_once() {
    let app = TestApp::configured(|c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    app.set_up().await;
    let series = ["doorstep_push_sent_total", "doorstep_push_failed_total", "doorstep_push_subscriptions_removed_total", "doorstep_push_lag_seconds_count"];
    let mut before = Vec::new();
    for name in series {
        before.push(metric(&app, name).await);
    }
    let ana = app.add_user("Ana López", ANA, "agent", PASSWORD).await;
    let cookie = app.login_cookie(ANA, PASSWORD).await;
    app.capture_form("open-day").await;
    let push = LocalPushService::start(&app.state.push.public_key, Duration::ZERO).await.unwrap();
    let (gone, flaky) = (push.subscribe(Behaviour::Gone), push.subscribe(Behaviour::FailTimes(2)));
    opt_in(&app, &cookie, &gone).await;
    opt_in(&app, &cookie, &flaky).await;
    start_worker(&app);

    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "612345678")]).await;
    // Two 500s, waits of 2 s and 4 s, then accepted.
    assert!(push.wait_for(Duration::from_secs(30), |all| !all.is_empty()).await, "the failing service got it in the end: {:?}", push.answers_to(&flaky));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(push.answers_to(&flaky), vec![500, 500, 201], "retried after each 500, and delivered once");
    assert_eq!(push.received_by(&flaky).len(), 1);
    assert_eq!(push.answers_to(&gone), vec![410], "a gone subscription is not tried again");
    let left: Vec<String> = devices_of(&app, ana).await.into_iter().map(|d| d.endpoint).collect();
    assert_eq!(left, vec![flaky.endpoint.clone()], "the gone device was removed");

    let mut after = Vec::new();
    for name in series {
        after.push(metric(&app, name).await);
    }
    let counted: Vec<f64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(counted, vec![1.0, 2.0, 1.0, 1.0], "sent, failed (two 500s), removed (the 410) and one lag measured, on /metrics");
}

#[tokio::test]
async fn devices_are_their_owners_alone_and_go_with_logging_out_or_being_disabled() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let ana = app.add_user("Ana López", ANA, "agent", PASSWORD).await;
    app.add_user("Ben Ruiz", "ben@costa.test", "agent", PASSWORD).await;
    let ana_cookie = app.login_cookie(ANA, PASSWORD).await;
    let ben_cookie = app.login_cookie("ben@costa.test", PASSWORD).await;
    let push = LocalPushService::start(&app.state.push.public_key, Duration::ZERO).await.unwrap();

    // Not logged in: nothing stored.
    let sub = push.subscribe(Behaviour::Accept);
    assert_eq!(opt_in(&app, "", &sub).await.status, 401);
    // A bad subscription says what is wrong and stores nothing.
    let mut bad = sub.clone();
    bad.endpoint = "http://push.example.com/x".into();
    let reply = opt_in(&app, &ana_cookie, &bad).await;
    assert!(reply.status.is_client_error() && reply.body.contains("https://"), "{} {}", reply.status, reply.body);
    let mut bad = sub.clone();
    bad.auth = "short".into();
    assert!(opt_in(&app, &ana_cookie, &bad).await.status.is_client_error());
    assert!(devices_of(&app, ana).await.is_empty());

    let id: i64 = opt_in(&app, &ana_cookie, &sub).await.body.parse().unwrap();
    let listed = app.call("/api/push/devices", "", Some(&ana_cookie)).await;
    assert!(listed.body.contains(&sub.endpoint) && !listed.body.contains(&sub.auth), "the list shows the device, not its secret: {}", listed.body);
    let bens = app.call("/api/push/devices", "", Some(&ben_cookie)).await;
    assert!(!bens.body.contains(&sub.endpoint), "Ben does not see Ana's devices");
    let reply = app.call("/api/push/remove", &format!("id={id}"), Some(&ben_cookie)).await;
    assert_eq!(reply.status, 404, "nor remove them");
    let reply = app.call("/api/push/kinds", &format!("id={id}&lead=on"), Some(&ben_cookie)).await;
    assert_eq!(reply.status, 404, "nor change them");
    assert_eq!(devices_of(&app, ana).await.len(), 1);

    // Removing it herself.
    assert_eq!(app.call("/api/push/remove", &format!("id={id}"), Some(&ana_cookie)).await.status, 200);
    assert!(devices_of(&app, ana).await.is_empty());

    // Logging out removes the device that session opted in, not the one of another session.
    let other_session = app.login_cookie(ANA, PASSWORD).await;
    let (this_phone, other_phone) = (push.subscribe(Behaviour::Accept), push.subscribe(Behaviour::Accept));
    opt_in(&app, &ana_cookie, &this_phone).await;
    opt_in(&app, &other_session, &other_phone).await;
    app.post_form("/api/logout", "", Some(&ana_cookie)).await;
    let left: Vec<String> = devices_of(&app, ana).await.into_iter().map(|d| d.endpoint).collect();
    assert_eq!(left, vec![other_phone.endpoint.clone()]);

    // Disabling Ana removes the rest.
    let reply = app.call("/api/users/disable", &format!("user_id={ana}&disabled=true"), Some(&admin)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(devices_of(&app, ana).await.is_empty(), "a disabled user's devices are gone");
}

#[tokio::test]
async fn two_instances_on_one_postgresql_push_each_notice_once() {
    if common::database_kind() != "postgres" {
        // SQLite is one file for one server; several instances need PostgreSQL.
        return;
    }
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Ana López", ANA, "agent", PASSWORD).await;
    app.capture_form("open-day").await;
    // Both processes read the VAPID key the test app made in the shared data directory.
    let push = LocalPushService::start(&app.state.push.public_key, Duration::from_millis(20)).await.unwrap();
    let (first, second) = (Served::start(&app).await, Served::start(&app).await);
    let http = client();
    let login = http
        .post(format!("{}/api/login", first.base))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("email", ANA), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie_in(login.headers()).expect("Ana logs in");
    let (phone, desk) = (push.subscribe(Behaviour::Accept), push.subscribe(Behaviour::Accept));
    for sub in [&phone, &desk] {
        let reply = http
            .post(format!("{}/api/push/subscribe", second.base))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::COOKIE, &cookie)
            .header(reqwest::header::ORIGIN, &second.base)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_body(&[("endpoint", &sub.endpoint), ("p256dh", &sub.p256dh), ("auth", &sub.auth)]))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{:?}", reply.text().await);
    }
    let token = app.form_token(10);
    let leads = 20;
    for i in 0..leads {
        let base = if i % 2 == 0 { &first.base } else { &second.base };
        let reply = served::submit_lead(&http, base, &token, "open-day", &[("name", &format!("Lead {i}")), ("phone", &format!("61200{i:04}"))])
            .await
            .unwrap();
        assert_eq!(reply.status(), 303);
    }
    let everything = push.wait_for(Duration::from_secs(30), |all| all.len() >= 2 * leads).await;
    assert!(everything, "every lead pushed to both devices; got {}", push.received().len());
    tokio::time::sleep(Duration::from_secs(3)).await;
    for sub in [&phone, &desk] {
        let tags: Vec<String> = push.received_by(sub).iter().map(|r| r.payload["tag"].as_str().unwrap().to_owned()).collect();
        let mut unique = tags.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((tags.len(), unique.len()), (leads, leads), "each notice once per device, between the two instances: {tags:?}");
    }
    assert!(push.refused().is_empty(), "{:?}", push.refused());
    drop((first, second));
}
