//! Lead capture through the real router: the public form, duplicates, spam, assignment.

use crate::common;

use app::capture::service;
use app::db::entities::{activity, capture_form, contact, deal, notification};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const ANA: &[(&str, &str)] = &[("name", "Ana López"), ("phone", "612 345 678"), ("email", "Ana@Mail.com"), ("need", "buy"), ("message", "Looking for a 3-bed near the beach")];

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    let db = &app.state.db;
    (
        contact::Entity::find().count(db).await.unwrap(),
        deal::Entity::find().count(db).await.unwrap(),
        activity::Entity::find().count(db).await.unwrap(),
    )
}

async fn form_row(app: &TestApp, slug: &str) -> capture_form::Model {
    service::find_form(&app.state.db, slug).await.unwrap()
}

#[tokio::test]
async fn an_unknown_form_is_404_and_a_closed_one_410() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/f/nothing-here", None).await.status, StatusCode::NOT_FOUND);
    let form = app.capture_form("open-day").await;
    let mut settings = service::settings_of(&form);
    settings.active = false;
    service::save_form(&app.state.db, Some(form.id), &settings).await.unwrap();
    assert_eq!(app.get("/f/open-day", None).await.status, StatusCode::GONE);
    assert_eq!(app.submit_lead("open-day", ANA).await.status, StatusCode::GONE);
    assert_eq!(counts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn the_form_page_is_accessible_and_carries_the_source() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let request = Request::get("/f/open-day?utm_source=idealista&utm_campaign=spring")
        .header(header::REFERER, "https://agency.example/listing/42")
        .body(Body::empty())
        .unwrap();
    let page = app.send(request).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "<label for=\"name\">",
        "autocomplete=\"tel\"",
        "inputmode=\"email\"",
        "name=\"utm_source\" value=\"idealista\"",
        "name=\"utm_campaign\" value=\"spring\"",
        "name=\"referrer\" value=\"https://agency.example/listing/42\"",
        "name=\"website\"",
        "name=\"t\"",
    ] {
        assert!(page.body.contains(needle), "missing {needle}");
    }
}

#[tokio::test]
async fn a_lead_without_javascript_lands_with_its_source_and_an_owner() {
    let app = TestApp::new().await;
    let ana = app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let mut pairs = ANA.to_vec();
    pairs.extend([
        ("utm_source", "idealista"),
        ("referrer", "https://agency.example/listing/42"),
        ("budget_min", "250k"),
        ("budget_max", "€ 350.000"),
        ("consent", "on"),
    ]);
    let reply = app.submit_lead("open-day", &pairs).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.location(), "/f/open-day/thanks");
    let thanks = app.get("/f/open-day/thanks", None).await;
    assert!(thanks.body.contains("Thank you"));

    let person = contact::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((person.phone.as_deref(), person.email.as_deref()), (Some("+34612345678"), Some("ana@mail.com")));
    assert_eq!(person.whatsapp.as_deref(), Some("+34612345678"));
    // Consent is kept with its time and the exact wording the prospect agreed to.
    assert!(person.marketing_consent && person.consent_at.is_some());
    assert!(person.consent_text.as_deref().is_some_and(|t| t.starts_with("I agree to receive news")), "{:?}", person.consent_text);
    let lead = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(lead.owner_id, Some(ana));
    assert_eq!(lead.source, "form:open-day");
    assert_eq!(lead.utm_source.as_deref(), Some("idealista"));
    assert_eq!(lead.referrer.as_deref(), Some("https://agency.example/listing/42"));
    assert_eq!((lead.budget_min, lead.budget_max, lead.currency.as_str()), (Some(25_000_000), Some(35_000_000), "EUR"));
    let inquiry = activity::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(inquiry.kind, app::deals::ActivityKind::Inquiry);
    assert!(inquiry.body.contains("3-bed near the beach"));
    let told = notification::Entity::find().filter(notification::Column::UserId.eq(ana)).all(&app.state.db).await.unwrap();
    assert_eq!(told.len(), 1);
    assert!(told[0].title.contains("New lead: Ana López"));
    assert_eq!(form_row(&app, "open-day").await.received_count, 1);
}

#[tokio::test]
async fn errors_come_back_with_what_was_typed_and_create_nothing() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let message = "Call me </textarea><script>alert(1)</script>";
    let reply = app.submit_lead("open-day", &[("name", "Ana <b>López</b>"), ("phone", "12"), ("email", "ana-at-mail"), ("budget_min", "lots"), ("message", message)]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("value=\"Ana &lt;b&gt;López&lt;/b&gt;\""), "typed name kept and escaped");
    assert!(reply.body.contains("Call me &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"), "typed message kept, and cannot close its box");
    assert!(!reply.body.contains("<script>alert(1)"), "no markup from what was typed");
    assert!(reply.body.contains("value=\"ana-at-mail\""));
    assert!(reply.body.contains("An e-mail address needs an @"));
    assert!(reply.body.contains("check it, or add the country code"));
    assert!(reply.body.contains("Enter an amount like 250000"));
    assert_eq!(counts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn a_double_tap_creates_one_lead() {
    let app = TestApp::new().await;
    app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let (a, b) = tokio::join!(app.submit_lead("open-day", ANA), app.submit_lead("open-day", ANA));
    assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    let again = app.submit_lead("open-day", ANA).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app).await, (1, 1, 1));
    let form = form_row(&app, "open-day").await;
    assert_eq!((form.received_count, form.duplicate_count), (1, 2));
}

#[tokio::test]
async fn a_returning_lead_joins_the_open_deal_and_its_owner_is_told() {
    let app = TestApp::new().await;
    let owner = app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.add_user("Agent Bo", "agent.bo@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", ANA).await;
    let reply = app.submit_lead("open-day", &[("name", "Ana"), ("email", "ana@mail.com"), ("message", "Is the villa still available?")]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app).await, (1, 1, 2));
    let told = notification::Entity::find().filter(notification::Column::UserId.eq(owner)).all(&app.state.db).await.unwrap();
    assert!(told.iter().any(|n| n.kind == app::notifications::NoticeKind::ReturningLead), "{told:?}");
}

#[tokio::test]
async fn fifty_concurrent_submissions_with_one_phone_end_as_one_contact() {
    // All from one test address: lift the per-address limit, which has its own test.
    let app = TestApp::configured(|c| c.capture_rate_limit = 1000).await;
    app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let messages: Vec<String> = (0..50).map(|i| format!("Question number {i}")).collect();
    let submissions = messages.iter().map(|m| {
        let pairs = vec![("name", "Ana López"), ("phone", "+34 612 345 678"), ("message", m.as_str())];
        let app = &app;
        async move { app.submit_lead("open-day", &pairs).await.status }
    });
    let statuses = futures::future::join_all(submissions).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let (contacts, deals, activities) = counts(&app).await;
    assert_eq!((contacts, deals, activities), (1, 1, 50));
}

/// A burst of new prospects, returning ones and double taps, all at once: each kind ends as
/// it would one at a time (on SQLite they share one writer's batches, so this is also the
/// test of how a batch sorts its submissions).
#[tokio::test]
async fn a_mixed_burst_ends_as_one_at_a_time_would() {
    let app = TestApp::configured(|c| c.capture_rate_limit = 1000).await;
    for (name, email) in [("Agent Ana", "agent.ana@costa.test"), ("Agent Ben", "agent.ben@costa.test")] {
        app.add_user(name, email, "agent", "a long enough passphrase").await;
    }
    app.capture_form("open-day").await;
    let mut posts: Vec<Vec<(String, String)>> = Vec::new();
    for i in 0..20 {
        let person = vec![("name".to_owned(), format!("Prospect {i}")), ("phone".to_owned(), format!("+34 611 000 {i:03}"))];
        let with = |message: &str| {
            let mut post = person.clone();
            post.push(("message".to_owned(), message.to_owned()));
            post
        };
        posts.push(with("First question"));
        match i % 4 {
            // The same person again with something new: joins the deal.
            0 => posts.push(with("Second question")),
            // A double tap: nothing new.
            1 => posts.push(with("First question")),
            _ => {}
        }
    }
    let submissions = posts.iter().map(|post| {
        let pairs: Vec<(&str, &str)> = post.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let app = &app;
        async move { app.submit_lead("open-day", &pairs).await.status }
    });
    let statuses = futures::future::join_all(submissions).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    // 20 people, 20 deals, 25 inquiries (20 first questions and 5 second ones).
    assert_eq!(counts(&app).await, (20, 20, 25));
    let form = form_row(&app, "open-day").await;
    // Received: every inquiry stored. Duplicates: 5 returning and 5 double taps.
    assert_eq!((form.received_count, form.duplicate_count), (25, 10));
    // Every deal has an owner, shared out evenly, and each owner was told once per deal.
    let deals = deal::Entity::find().all(&app.state.db).await.unwrap();
    let mut per_owner = std::collections::HashMap::new();
    for d in &deals {
        *per_owner.entry(d.owner_id.expect("an owner")).or_insert(0) += 1;
    }
    assert_eq!(per_owner.values().copied().collect::<Vec<_>>(), vec![10, 10]);
    let told = app::db::entities::notification::Entity::find().count(&app.state.db).await.unwrap();
    assert_eq!(told, 25, "20 new leads and 5 returning ones");
}

#[tokio::test]
async fn bots_are_counted_and_never_become_leads() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let mut honeypot = ANA.to_vec();
    honeypot.push(("website", "http://spam.example"));
    assert_eq!(app.submit_lead("open-day", &honeypot).await.location(), "/f/open-day/thanks");
    // Filled in a blink, and without the page's token at all.
    let fast = app.form_token(0);
    let mut quick = ANA.to_vec();
    quick.push(("t", &fast));
    let request = |body: String| {
        Request::post("/f/open-day").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(Body::from(body)).unwrap()
    };
    assert_eq!(app.send(request(common::form_body(&quick))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.send(request(common::form_body(ANA))).await.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app).await, (0, 0, 0));
    assert_eq!(form_row(&app, "open-day").await.spam_count, 3);
}

#[tokio::test]
async fn one_address_is_limited_per_form_with_retry_after() {
    let app = TestApp::configured(|c| c.capture_rate_limit = 3).await;
    app.capture_form("open-day").await;
    for i in 0..3 {
        let message = format!("question {i}");
        let reply = app.submit_lead("open-day", &[("name", "Ana"), ("phone", "612345678"), ("message", &message)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
    }
    let reply = app.submit_lead("open-day", &[("name", "Ana"), ("phone", "612345678"), ("message", "one more")]).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = reply.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry));
    assert_eq!(form_row(&app, "open-day").await.spam_count, 1);
}

#[tokio::test]
async fn malformed_posts_get_a_clear_status_and_change_nothing() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let post = |content_type: &'static str, body: Vec<u8>| {
        Request::post("/f/open-day").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap()
    };
    let json = app.send(post("application/json", br#"{"name":"Ana"}"#.to_vec())).await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = app.send(post("application/x-www-form-urlencoded", vec![b'a'; 64 * 1024])).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let bad_utf8 = app.send(post("application/x-www-form-urlencoded", b"name=%FF%FE&phone=612345678".to_vec())).await;
    assert_eq!(bad_utf8.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_utf8.body.contains("not valid UTF-8"));
    assert_eq!(counts(&app).await, (0, 0, 0));
}

#[tokio::test]
async fn round_robin_is_fair_skips_away_agents_and_survives_a_restart() {
    let app = TestApp::new().await;
    let a = app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    let b = app.add_user("Agent B", "b@costa.test", "agent", "a long enough passphrase").await;
    let away = app.add_user("Agent Away", "away@costa.test", "agent", "a long enough passphrase").await;
    app::auth::service::update_user(&app.state.db, away, "agent", "UTC", true).await.unwrap();
    app.capture_form("open-day").await;
    let lead = |i: usize| (format!("Prospect {i}"), format!("+3461200{i:04}"));
    for i in 0..3 {
        let (name, phone) = lead(i);
        app.submit_lead("open-day", &[("name", &name), ("phone", &phone)]).await;
    }
    let app = app.restarted().await;
    for i in 3..6 {
        let (name, phone) = lead(i);
        app.submit_lead("open-day", &[("name", &name), ("phone", &phone)]).await;
    }
    let owners: Vec<Option<i64>> = deal::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|d| d.owner_id).collect();
    assert_eq!(owners.iter().filter(|o| **o == Some(a)).count(), 3, "{owners:?}");
    assert_eq!(owners.iter().filter(|o| **o == Some(b)).count(), 3, "{owners:?}");
}

#[tokio::test]
async fn concurrent_leads_are_shared_out_evenly() {
    // All from one test address: lift the per-address limit, which has its own test.
    let app = TestApp::configured(|c| c.capture_rate_limit = 1000).await;
    let mut agents = Vec::new();
    for i in 0..4 {
        agents.push(app.add_user(&format!("Agent {i}"), &format!("agent{i}@costa.test"), "agent", "a long enough passphrase").await);
    }
    app.capture_form("open-day").await;
    let people: Vec<(String, String)> = (0..20).map(|i| (format!("Prospect {i}"), format!("+3461300{i:04}"))).collect();
    let submissions = people.iter().map(|(name, phone)| {
        let app = &app;
        async move { app.submit_lead("open-day", &[("name", name.as_str()), ("phone", phone.as_str())]).await.status }
    });
    let statuses = futures::future::join_all(submissions).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    let deals = deal::Entity::find().all(&app.state.db).await.unwrap();
    for agent in agents {
        assert_eq!(deals.iter().filter(|d| d.owner_id == Some(agent)).count(), 5, "agent {agent}");
    }
}

#[tokio::test]
async fn with_nobody_available_the_lead_waits_and_managers_are_told() {
    let app = TestApp::new().await;
    let manager = app.add_user("Elena", "elena@costa.test", "manager", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    assert_eq!(app.submit_lead("open-day", ANA).await.status, StatusCode::SEE_OTHER);
    let lead = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(lead.owner_id, None);
    let told = notification::Entity::find().filter(notification::Column::UserId.eq(manager)).all(&app.state.db).await.unwrap();
    assert!(told[0].title.contains("(unassigned)"));
}

#[tokio::test]
async fn a_fixed_agent_form_always_goes_to_that_agent() {
    let app = TestApp::new().await;
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    let b = app.add_user("Agent B", "b@costa.test", "agent", "a long enough passphrase").await;
    let form = app.capture_form("villa-42").await;
    let mut settings = service::settings_of(&form);
    settings.assignment = app::capture::Assignment::Fixed;
    settings.fixed_agent_id = Some(b);
    service::save_form(&app.state.db, Some(form.id), &settings).await.unwrap();
    for i in 0..3 {
        let phone = format!("+3461400{i:04}");
        app.submit_lead("villa-42", &[("name", "Prospect"), ("phone", &phone)]).await;
    }
    let deals = deal::Entity::find().all(&app.state.db).await.unwrap();
    assert!(deals.iter().all(|d| d.owner_id == Some(b)) && deals.len() == 3);
}

#[tokio::test]
async fn admins_manage_forms_and_agents_cannot() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let body = "slug=Spring-Day&title=Spring+open+day&intro=Hi&show_message=on&show_consent=on&consent_text=OK&default_need=buy&currency=eur&assignment=round_robin&fixed_agent_id=&thank_you_text=Thanks&redirect_url=&active=on";
    let created = app.call("/api/forms/save", body, Some(&admin)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert!(created.body.contains("/f/spring-day"), "{}", created.body);
    let again = app.call("/api/forms/save", body, Some(&admin)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Another form already uses this address"));
    let listed = app.call("/api/forms", "", Some(&admin)).await;
    assert!(listed.body.contains("Spring open day") && !listed.body.contains("iframe"));
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    let agent = app.login_cookie("a@costa.test", "a long enough passphrase").await;
    assert_eq!(app.call("/api/forms", "", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call("/api/forms/save", body, Some(&agent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_agent_sees_their_new_leads_and_only_theirs() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    app.add_user("Agent B", "b@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "First Prospect"), ("phone", "+34615000001")]).await;
    app.submit_lead("open-day", &[("name", "Second Prospect"), ("phone", "+34615000002")]).await;
    let a = app.login_cookie("a@costa.test", "a long enough passphrase").await;
    let mine = app.call("/api/leads/new", "", Some(&a)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("First Prospect") && !mine.body.contains("Second Prospect"), "{}", mine.body);
    let admin = app.login_cookie(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let all = app.call("/api/leads/new", "", Some(&admin)).await;
    assert!(all.body.contains("First Prospect") && all.body.contains("Second Prospect"));
}

#[tokio::test]
async fn the_assignee_hears_of_a_new_lead_live() {
    use futures::StreamExt;
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let cookie = app.login_cookie("a@costa.test", "a long enough passphrase").await;
    let request = Request::get("/events").header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body().into_data_stream();
    app.submit_lead("open-day", ANA).await;
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next()).await.expect("an event in time").unwrap().unwrap();
    let text = String::from_utf8_lossy(&frame);
    assert!(text.contains("New lead: Ana López"), "{text}");
    let anonymous = app.get("/events", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_stream_opened_after_its_page_hears_what_happened_in_between_and_nothing_else() {
    use futures::StreamExt;
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let cookie = app.login_cookie("a@costa.test", "a long enough passphrase").await;
    let open = |rendered: i64| {
        let request = Request::get(format!("/events?rendered={rendered}")).header(header::COOKIE, &cookie).body(Body::empty()).unwrap();
        tower::ServiceExt::oneshot(app.router.clone(), request)
    };
    let first_frame = |response: axum::response::Response| async move {
        let mut stream = response.into_body().into_data_stream();
        match tokio::time::timeout(std::time::Duration::from_millis(500), stream.next()).await {
            Ok(Some(Ok(frame))) => Some(String::from_utf8_lossy(&frame).into_owned()),
            _ => None,
        }
    };
    // A page rendered from now on, with nothing happening: the stream stays quiet.
    let later = chrono::Utc::now().timestamp_millis() + 2_000;
    assert_eq!(first_frame(open(later).await.unwrap()).await, None, "a quiet page is not told to reload");
    // A lead for A comes in after the page was rendered and before its stream opened.
    let rendered = chrono::Utc::now().timestamp_millis() + 1_000;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    app.submit_lead("open-day", ANA).await;
    let frame = first_frame(open(rendered).await.unwrap()).await.expect("an event");
    assert!(frame.contains("event: missed") && frame.contains("data: notices"), "the notice of the new lead: {frame}");
    // A page rendered before the server started cannot know: it reloads to be safe.
    let frame = first_frame(open(0).await.unwrap()).await.expect("an event");
    assert!(frame.contains("event: missed"), "{frame}");
}

#[tokio::test]
async fn phones_as_foreign_buyers_write_them_are_taken_and_nonsense_still_refused() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let cases = [
        ("Harry", "+44 (0)7400 123456", "+447400123456"),
        ("Greta", "+49 (0)151 23456789", "+4915123456789"),
        ("Oliver", "+44 20 3456 7890 x456", "+442034567890;ext=456"),
        ("Lupita", "+52 1 55 1234 5678", "+525512345678"),
    ];
    for (name, typed, _) in cases {
        let reply = app.submit_lead("open-day", &[("name", name), ("phone", typed)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{typed}: {}", reply.body);
    }
    let contacts = app::db::entities::contact::Entity::find().all(&app.state.db).await.unwrap();
    for (name, _, stored) in cases {
        let contact = contacts.iter().find(|c| c.name == name).unwrap();
        assert_eq!(contact.phone.as_deref(), Some(stored), "{name}");
    }
    let refused = app.submit_lead("open-day", &[("name", "Nobody"), ("phone", "+44 (0)74 ext")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("extension"), "says what to fix: {}", refused.body);
}
