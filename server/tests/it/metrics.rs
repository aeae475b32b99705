//! `/metrics`: Prometheus reads request latency by route and the app's counters, with its
//! token; nobody else reads them.

use crate::common;

use app::db::entities::{deal, reminder, user};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::{Reply, TestApp};
use sea_orm::EntityTrait;

const TOKEN: &str = "prometheus-scrape-token";

pub(crate) async fn scrape(app: &TestApp, token: Option<&str>) -> Reply {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// The value of one series (name with its labels, as rendered), or 0 when it is absent.
pub(crate) fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_leads_spam_and_reminders() {
    let app = TestApp::configured(|c| c.metrics_token = Some(TOKEN.into())).await;
    let admin = app.admin_cookie().await;
    app.capture_form("open-day").await;

    assert_eq!(scrape(&app, None).await.status, StatusCode::UNAUTHORIZED);
    let wrong = scrape(&app, Some("guess")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Authorization: Bearer"), "{}", wrong.body);
    assert_eq!(app.get("/metrics", Some(&admin)).await.status, StatusCode::UNAUTHORIZED, "a session is not the token");

    let before = scrape(&app, Some(TOKEN)).await.body;
    app.get("/healthz", None).await;
    app.get("/deals/12345", Some(&admin)).await;
    let lead = app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")]).await;
    assert_eq!(lead.status, StatusCode::SEE_OTHER);
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001")]).await;
    let bot = app.post_form("/f/open-day", "name=Bot&phone=%2B34612345002&website=spam.example", None).await;
    assert_eq!(bot.status, StatusCode::SEE_OTHER, "a bot is told it worked");

    // A reminder delivered 90 seconds late.
    let deal_id = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let owner = user::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let now = Utc::now();
    reminder::Entity::insert(common::pending_reminder(deal_id, owner, "Call back", now - Duration::seconds(90))).exec(&app.state.db).await.unwrap();
    app::reminders::scheduler::deliver_due(&app.state.db, &app.state.notifier, "test", now).await.unwrap();

    let reply = scrape(&app, Some(TOKEN)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let after = reply.body;
    let grew = |series: &str| value(&after, series) - value(&before, series);
    assert_eq!(grew(r#"doorstep_http_requests_total{method="GET",route="/healthz",status="200"}"#), 1.0, "{after}");
    // Routes are labelled by their pattern: no ids (or secrets) in labels.
    assert_eq!(grew(r#"doorstep_http_requests_total{method="GET",route="/deals/{id}",status="200"}"#), 1.0, "{after}");
    assert!(!after.contains("12345"), "an id became a label");
    assert_eq!(grew(r#"doorstep_http_request_duration_seconds_count{method="GET",route="/healthz"}"#), 1.0);
    assert!(after.contains(r#"doorstep_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.2"}"#), "{after}");
    assert_eq!(grew(r#"doorstep_leads_captured_total{channel="form",outcome="new_lead"}"#), 1.0, "{after}");
    assert_eq!(grew(r#"doorstep_leads_captured_total{channel="form",outcome="resubmission"}"#), 1.0, "{after}");
    assert_eq!(grew("doorstep_spam_blocked_total"), 1.0, "{after}");
    assert_eq!(grew("doorstep_reminders_delivered_total"), 1.0, "{after}");
    assert_eq!(grew(r#"doorstep_reminder_delivery_lag_seconds_bucket{le="60"}"#), 0.0, "90 s late is not within a minute");
    assert_eq!(grew(r#"doorstep_reminder_delivery_lag_seconds_bucket{le="300"}"#), 1.0, "{after}");
    assert!(after.contains("# HELP doorstep_leads_captured_total"), "{after}");
}

#[tokio::test]
async fn without_a_token_configured_metrics_are_off() {
    let app = TestApp::new().await;
    for token in [None, Some(""), Some("anything")] {
        let reply = scrape(&app, token).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.body.contains("DOORSTEP_METRICS_TOKEN"), "{}", reply.body);
    }
}

#[tokio::test]
async fn a_made_up_method_does_not_make_a_series_of_its_own() {
    let app = TestApp::configured(|c| c.metrics_token = Some(TOKEN.into())).await;
    for method in ["BREW", "PROPFIND", "X-ANYTHING"] {
        app.send(Request::builder().method(method).uri("/healthz").body(Body::empty()).unwrap()).await;
    }
    let after = scrape(&app, Some(TOKEN)).await.body;
    assert!(!after.contains("BREW") && !after.contains("PROPFIND"), "{after}");
    assert!(after.contains(r#"method="OTHER""#), "{after}");
}

#[tokio::test]
async fn each_request_is_logged_as_one_json_line_with_its_id_status_and_time() {
    let app = TestApp::new().await;
    app.set_up().await;
    let log = app.config.data_dir.join("serve.log");
    let server = common::served::Served::start_logging(&app, &log).await;
    let reply = common::served::client().get(format!("{}/login", server.base)).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(reply.status(), 200);
    // The line is written as the answer goes out; give the writer a moment.
    let mut line = None;
    for _ in 0..50 {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        line = text.lines().find(|l| l.contains("trace-me-42") && l.contains("finished processing request")).map(str::to_owned);
        if line.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = line.expect("a log line for the request");
    let entry: serde_json::Value = serde_json::from_str(&line).expect("the line is JSON");
    assert_eq!(entry["level"], "INFO");
    assert_eq!(entry["fields"]["status"], 200, "{line}");
    assert!(entry["fields"]["latency"].as_str().is_some_and(|l| l.ends_with("ms")), "{line}");
    assert_eq!(entry["span"]["id"], "trace-me-42", "{line}");
    assert_eq!(entry["span"]["path"], "/login", "{line}");
    assert_eq!(entry["span"]["method"], "GET", "{line}");
}
