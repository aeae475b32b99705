//! Two `doorstep serve` processes on one PostgreSQL behave as one installation: a log-in on
//! one is valid on the other, a lead taken by one is announced live on pages open on the
//! other, and due reminders are delivered (and e-mailed) once between them and announced on
//! both.

use crate::common;

use std::time::Duration as StdDuration;

use app::db::entities::{deal, reminder, user};
use chrono::{Duration, Utc};
use common::served::{self, Served, client};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, form_body, session_cookie_in};
use reqwest::header;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tokio::sync::watch;

/// Reads a live-events stream into a watched string, so a test can wait for what arrives.
pub(crate) fn listen(response: reqwest::Response) -> watch::Receiver<String> {
    let (sender, receiver) = watch::channel(String::new());
    tokio::spawn(async move {
        let mut response = response;
        while let Ok(Some(chunk)) = response.chunk().await {
            sender.send_modify(|seen| seen.push_str(&String::from_utf8_lossy(&chunk)));
        }
    });
    receiver
}

pub(crate) async fn wait_until(stream: &mut watch::Receiver<String>, what: &str, done: impl Fn(&str) -> bool) {
    let arrived = tokio::time::timeout(StdDuration::from_secs(20), stream.wait_for(|seen| done(seen))).await.is_ok();
    assert!(arrived, "{what} did not arrive; the stream had: {}", stream.borrow().as_str());
}

#[tokio::test]
async fn two_instances_on_one_postgresql_share_sessions_live_events_and_the_scheduler() {
    if common::database_kind() != "postgres" {
        // SQLite is one file for one server; several instances need PostgreSQL.
        return;
    }
    let app = TestApp::new().await;
    app.set_up().await;
    app.capture_form("open-day").await;
    let (smtp, mut mails) = crate::mail::smtp_listener().await;
    let env = [("DOORSTEP_SMTP_URL", smtp.as_str())];
    let (first, second) = (Served::start_with(&app, &env).await, Served::start_with(&app, &env).await);
    let http = client();

    // Log in on the first instance; the cookie opens pages on the second.
    let login = http
        .post(format!("{}/api/login", first.base))
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]))
        .send()
        .await
        .unwrap();
    let cookie = session_cookie_in(login.headers()).expect("the log-in sets a session cookie");
    let page = http.get(format!("{}/pipeline", second.base)).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200, "the session made on one instance opens pages on the other");
    let anonymous = http.get(format!("{}/pipeline", second.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "without the cookie the page asks for a log-in");

    // Both instances' pages listen; a lead arrives through the first.
    let events = |base: &str| http.get(format!("{base}/events")).header(header::COOKIE, &cookie).send();
    let mut on_first = listen(events(&first.base).await.unwrap());
    let mut on_second = listen(events(&second.base).await.unwrap());
    let lead = served::submit_lead(&http, &first.base, &app.form_token(10), "open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")])
        .await
        .unwrap();
    assert_eq!(lead.status(), 303, "the lead is taken: {}", lead.text().await.unwrap_or_default());
    let announced = |seen: &str| seen.contains("New lead: Lucía Fernández");
    wait_until(&mut on_second, "the new lead on the other instance's page", announced).await;
    wait_until(&mut on_first, "the new lead on its own instance's page", announced).await;
    let deal_id = deal::Entity::find().one(&app.state.db).await.unwrap().expect("the lead's deal").id;

    // Reminders come due: both schedulers run, each reminder is delivered once, and every
    // open page hears of each one once, whichever instance delivered it.
    let count = 40;
    let admin = user::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let now = Utc::now();
    app.insert_reminders((0..count).map(|i| common::pending_reminder(deal_id, admin, &format!("Call back #{i}"), now - Duration::seconds(1 + i))).collect())
        .await;
    let reminders = |seen: &str| seen.matches("\"kind\":\"reminder\"").count();
    wait_until(&mut on_first, "every reminder on the first page", |seen| reminders(seen) >= count as usize).await;
    wait_until(&mut on_second, "every reminder on the second page", |seen| reminders(seen) >= count as usize).await;
    // A moment longer: nothing arrives twice.
    tokio::time::sleep(StdDuration::from_secs(2)).await;
    assert_eq!(reminders(&on_first.borrow()), count as usize, "each reminder once on the first page");
    assert_eq!(reminders(&on_second.borrow()), count as usize, "each reminder once on the second page");
    assert_eq!(on_second.borrow().matches("New lead: Lucía Fernández").count(), 1, "the lead once on the other page");
    assert_eq!(on_first.borrow().matches("New lead: Lucía Fernández").count(), 1, "the lead once on its own page");
    let undelivered = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_null()).count(&app.state.db).await.unwrap();
    assert_eq!(undelivered, 0);
    // Each is e-mailed once, by the instance that delivered it, not by every instance.
    let mut mailed = Vec::new();
    while let Ok(Some(message)) = tokio::time::timeout(StdDuration::from_secs(3), mails.recv()).await {
        mailed.push(message);
    }
    for i in 0..count {
        let title = format!("Call back #{i} ");
        let copies = mailed.iter().filter(|m| m.contains(&title)).count();
        assert_eq!(copies, 1, "reminder {i} was e-mailed {copies} times");
    }
}

#[tokio::test]
async fn two_instances_on_postgresql_share_one_capture_rate_limit() {
    if common::database_kind() != "postgres" {
        return;
    }
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let env = [("DOORSTEP_CAPTURE_RATE_LIMIT", "4")];
    let (first, second) = (Served::start_with(&app, &env).await, Served::start_with(&app, &env).await);
    let http = client();
    let token = app.form_token(10);
    let mut answers = Vec::new();
    // One prospect's address, its posts spread over both instances by the balancer.
    for i in 0..6 {
        let base = if i % 2 == 0 { &first.base } else { &second.base };
        let message = format!("question {i}");
        let reply = served::submit_lead(&http, base, &token, "open-day", &[("name", "Ana"), ("phone", "612345678"), ("message", &message)]).await.unwrap();
        answers.push((reply.status().as_u16(), reply.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_owned)));
    }
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [303, 303, 303, 303, 429, 429], "four in all between the two, not four each");
    let retry: u64 = answers[4].1.as_deref().expect("Retry-After on a refusal").parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    assert_eq!(deal::Entity::find().count(&app.state.db).await.unwrap(), 1, "the four taken are one prospect's deal");
}

#[tokio::test]
async fn disabling_a_user_or_changing_a_password_on_one_instance_ends_sessions_on_the_other() {
    if common::database_kind() != "postgres" {
        return;
    }
    let app = TestApp::new().await;
    app.set_up().await;
    let ana = app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    app.add_user("Luis Vidal", "luis@costa.test", "agent", "luis passphrase 42").await;
    let (first, second) = (Served::start(&app).await, Served::start(&app).await);
    let http = client();
    let login = |base: String, email: &'static str, password: &'static str| {
        let http = http.clone();
        async move {
            let reply = http
                .post(format!("{base}/api/login"))
                .header(header::ACCEPT, "text/html")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form_body(&[("email", email), ("password", password)]))
                .send()
                .await
                .unwrap();
            session_cookie_in(reply.headers()).unwrap_or_else(|| panic!("{email} logs in on {base}"))
        }
    };
    let status = |base: String, cookie: String| {
        let http = http.clone();
        async move { http.get(format!("{base}/pipeline")).header(header::COOKIE, cookie).send().await.unwrap().status().as_u16() }
    };
    let post = |base: String, path: &'static str, cookie: String, body: String| {
        let http = http.clone();
        async move {
            http.post(format!("{base}{path}"))
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };

    // Ana works on the second instance; the admin disables her on the first: her very next
    // request on the second is refused, with no wait for any cache.
    let admin = login(first.base.clone(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let ana_phone = login(second.base.clone(), "ana@costa.test", "ana passphrase 42").await;
    assert_eq!(status(second.base.clone(), ana_phone.clone()).await, 200);
    let disabled = post(first.base.clone(), "/api/users/disable", admin.clone(), format!("user_id={ana}&disabled=true")).await;
    assert_eq!(disabled, 200);
    assert_eq!(status(second.base.clone(), ana_phone.clone()).await, 303, "the disabled user's session ends on the other instance at once");
    let again = http
        .post(format!("{}/api/login", second.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("email", "ana@costa.test"), ("password", "ana passphrase 42")]))
        .send()
        .await
        .unwrap();
    assert!(session_cookie_in(again.headers()).is_none(), "nor can she log in again");

    // Luis changes his password on the first: his session there stays, the one on the second ends.
    let luis_desk = login(first.base.clone(), "luis@costa.test", "luis passphrase 42").await;
    let luis_phone = login(second.base.clone(), "luis@costa.test", "luis passphrase 42").await;
    let body = "current=luis+passphrase+42&password=luis+new+passphrase".to_owned();
    assert_eq!(post(first.base.clone(), "/api/password", luis_desk.clone(), body).await, 200);
    assert_eq!(status(first.base.clone(), luis_desk).await, 200);
    assert_eq!(status(second.base.clone(), luis_phone).await, 303);
}
