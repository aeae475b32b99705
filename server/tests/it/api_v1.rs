//! The JSON API for integrations: keys, scopes, leads, idempotency, forms, OpenAPI.

use crate::common;

use app::db::entities::deal;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Reply, TestApp};
use sea_orm::{EntityTrait, PaginatorTrait};

async fn key(app: &TestApp, scope: &str) -> String {
    app::apikeys::service::create(&app.state.db, "Agency website", scope).await.unwrap().key
}

async fn api(app: &TestApp, method: &str, path: &str, key: Option<&str>, content_type: &str, body: &str, idem: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, content_type);
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    if let Some(idem) = idem {
        request = request.header("idempotency-key", idem);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap()).await
}

async fn post_lead(app: &TestApp, key: Option<&str>, body: &str, idem: Option<&str>) -> Reply {
    api(app, "POST", "/api/v1/leads", key, "application/json", body, idem).await
}

const LEAD: &str = r#"{"form":"portal","name":"Ana López","phone":"612 345 678","need":"rent","budget_max":1200,"utm_source":"idealista"}"#;

async fn deals(app: &TestApp) -> u64 {
    deal::Entity::find().count(&app.state.db).await.unwrap()
}

#[tokio::test]
async fn a_capture_key_posts_a_lead_that_lands_with_its_source() {
    let app = TestApp::new().await;
    app.capture_form("portal").await;
    let key = key(&app, "capture").await;
    let reply = post_lead(&app, Some(&key), LEAD, None).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let answer: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(answer["outcome"], "new_lead");
    let lead = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((lead.source.as_str(), lead.need.as_str(), lead.budget_max), ("api:Agency website", "rent", Some(120_000)));
}

#[tokio::test]
async fn missing_unknown_and_revoked_keys_are_401() {
    let app = TestApp::new().await;
    app.capture_form("portal").await;
    assert_eq!(post_lead(&app, None, LEAD, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(post_lead(&app, Some("dsk_made_up"), LEAD, None).await.status, StatusCode::UNAUTHORIZED);
    let created = app::apikeys::service::create(&app.state.db, "Old portal", "capture").await.unwrap();
    app::apikeys::service::revoke(&app.state.db, created.summary.id).await.unwrap();
    let revoked = post_lead(&app, Some(&created.key), LEAD, None).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.headers.get(header::WWW_AUTHENTICATE).unwrap(), "Bearer");
    assert!(revoked.body.contains("unknown or revoked"));
    assert_eq!(deals(&app).await, 0);
}

#[tokio::test]
async fn keys_are_stored_hashed() {
    let app = TestApp::new().await;
    let key = key(&app, "capture").await;
    let rows = app::db::entities::api_key::Entity::find().all(&app.state.db).await.unwrap();
    assert!(!rows[0].key_hash.contains(&key) && rows[0].key_hash.len() == 64);
    assert!(key.starts_with(&rows[0].prefix));
}

#[tokio::test]
async fn an_idempotent_retry_gets_the_first_answer_and_creates_nothing() {
    let app = TestApp::new().await;
    app.capture_form("portal").await;
    let key = key(&app, "capture").await;
    let first = post_lead(&app, Some(&key), LEAD, Some("order-42")).await;
    let retry = post_lead(&app, Some(&key), LEAD, Some("order-42")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!((retry.status, retry.body.as_str()), (StatusCode::CREATED, first.body.as_str()));
    assert_eq!(retry.headers.get("idempotent-replay").unwrap(), "true");
    let other = post_lead(&app, Some(&key), r#"{"form":"portal","name":"Someone Else","email":"else@mail.com"}"#, Some("order-42")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(deals(&app).await, 1);
}

#[tokio::test]
async fn bad_bodies_are_refused_with_what_to_fix() {
    let app = TestApp::new().await;
    app.capture_form("portal").await;
    let key = key(&app, "capture").await;
    let form = api(&app, "POST", "/api/v1/leads", Some(&key), "application/x-www-form-urlencoded", "name=Ana", None).await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken = post_lead(&app, Some(&key), "{\"form\":", None).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("not valid JSON"), "{}", broken.body);
    let unknown = post_lead(&app, Some(&key), r#"{"form":"portal","name":"Ana","phone":"612345678","colour":"blue"}"#, None).await;
    assert!(unknown.body.contains("unknown field"), "{}", unknown.body);
    let fields = post_lead(&app, Some(&key), r#"{"form":"portal","name":"","phone":"12","budget_min":-5}"#, None).await;
    assert_eq!(fields.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = serde_json::from_str(&fields.body).unwrap();
    assert!(answer["fields"]["budget_min"].is_string(), "{answer}");
    let fields = post_lead(&app, Some(&key), r#"{"form":"portal","name":"","phone":"12"}"#, None).await;
    let answer: serde_json::Value = serde_json::from_str(&fields.body).unwrap();
    assert!(answer["fields"]["name"].is_string() && answer["fields"]["phone"].is_string(), "{answer}");
    let no_form = post_lead(&app, Some(&key), r#"{"form":"nope","name":"Ana","phone":"612345678"}"#, None).await;
    assert!(no_form.body.contains("No capture form has this slug"));
    let huge = post_lead(&app, Some(&key), &format!("{{\"form\":\"portal\",\"name\":\"{}\"}}", "a".repeat(70_000)), None).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(deals(&app).await, 0);
}

#[tokio::test]
async fn only_admin_keys_manage_forms() {
    let app = TestApp::new().await;
    let capture_key = key(&app, "capture").await;
    let admin_key = key(&app, "admin").await;
    let body = r#"{"slug":"villa-42","title":"Villa 42","show_budget":true,"show_consent":true,"consent_text":"News please"}"#;
    let refused = api(&app, "POST", "/api/v1/forms", Some(&capture_key), "application/json", body, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let created = api(&app, "POST", "/api/v1/forms", Some(&admin_key), "application/json", body, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"].as_i64().unwrap();
    let update = r#"{"slug":"villa-42","title":"Villa 42, sea view","active":false}"#;
    let updated = api(&app, "PUT", &format!("/api/v1/forms/{id}"), Some(&admin_key), "application/json", update, None).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let listed = api(&app, "GET", "/api/v1/forms", Some(&admin_key), "application/json", "", None).await;
    assert!(listed.body.contains("Villa 42, sea view") && listed.body.contains("\"active\":false"));
    let duplicate = api(&app, "POST", "/api/v1/forms", Some(&admin_key), "application/json", body, None).await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let routes = [
        ("/leads", "post"),
        ("/forms", "get"),
        ("/forms", "post"),
        ("/forms/{id}", "put"),
        ("/stages", "get"),
        ("/deals", "get"),
        ("/deals/{id}", "get"),
        ("/deals/{id}", "patch"),
        ("/deals/{id}/activities", "post"),
        ("/reminders", "get"),
        ("/reminders", "post"),
        ("/reminders/{id}", "patch"),
        ("/plans", "get"),
        ("/deals/{id}/plans", "post"),
        ("/properties", "get"),
        ("/properties", "post"),
        ("/properties/{id}", "get"),
        ("/properties/{id}", "put"),
        ("/properties/{id}/matches", "get"),
        ("/deals/{id}/matches", "get"),
        ("/openapi.json", "get"),
    ];
    for (path, method) in routes {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is not described");
    }
    assert_eq!(doc["components"]["schemas"]["Activity"]["properties"]["outcome"]["$ref"], "#/components/schemas/Outcome");
    let outcomes: Vec<&str> = doc["components"]["schemas"]["Outcome"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let known: Vec<&str> = app::deals::Outcome::BUTTONS.iter().map(|o| o.as_str()).chain(["note"]).collect();
    assert_eq!(outcomes, known, "the document lists every outcome the API takes");
}

async fn patch_deal(app: &TestApp, key: &str, id: i64, if_match: Option<&str>, body: &str) -> Reply {
    let mut request = Request::patch(format!("/api/v1/deals/{id}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    if let Some(version) = if_match {
        request = request.header(header::IF_MATCH, version);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap()).await
}

/// Two leads through the API, the first of them as the deal under test.
async fn pipeline_with_two_deals() -> (TestApp, String, i64) {
    let app = TestApp::new().await;
    app.add_user("Agent Ana", "ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("portal").await;
    let admin = key(&app, "admin").await;
    post_lead(&app, Some(&admin), LEAD, None).await;
    post_lead(&app, Some(&admin), r#"{"form":"portal","name":"Tom Baker","phone":"+44 7911 123456","need":"buy"}"#, None).await;
    let first = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    (app, admin, first)
}

#[tokio::test]
async fn admin_keys_list_filter_and_page_deals() {
    let (app, admin, _) = pipeline_with_two_deals().await;
    let capture = key(&app, "capture").await;
    assert_eq!(api(&app, "GET", "/api/v1/deals", Some(&capture), "", "", None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api(&app, "GET", "/api/v1/deals", None, "", "", None).await.status, StatusCode::UNAUTHORIZED);

    let all = api(&app, "GET", "/api/v1/deals?per_page=1", Some(&admin), "", "", None).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let page: serde_json::Value = serde_json::from_str(&all.body).unwrap();
    assert_eq!((page["total"].as_u64(), page["deals"].as_array().unwrap().len()), (Some(2), 1));
    assert!(page["deals"][0]["contact"]["name"].is_string() && page["deals"][0]["version"] == 1);
    let found = api(&app, "GET", "/api/v1/deals?q=baker", Some(&admin), "", "", None).await;
    let found: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!(found["total"], 1);
    assert_eq!(found["deals"][0]["contact"]["phone"], "+447911123456");
    let bad = api(&app, "GET", "/api/v1/deals?page=zero&per_page=500", Some(&admin), "", "", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("\"page\"") && bad.body.contains("\"per_page\""), "{}", bad.body);
    // The last page the document declares is an empty page past the end; beyond it, or an
    // empty value, is refused as the document says (found by schemathesis), on every list.
    for list in ["deals", "reminders", "properties"] {
        let far = api(&app, "GET", &format!("/api/v1/{list}?page=1000000"), Some(&admin), "", "", None).await;
        assert_eq!(far.status, StatusCode::OK, "{list}: {}", far.body);
        let far: serde_json::Value = serde_json::from_str(&far.body).unwrap();
        assert_eq!(far[list].as_array().map(Vec::len), Some(0), "{list}: {far}");
        for page in ["1000001", "9223372036854775807", "184467440737095518000", ""] {
            let refused = api(&app, "GET", &format!("/api/v1/{list}?page={page}"), Some(&admin), "", "", None).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{list} page {page:?}: {}", refused.body);
            assert!(refused.body.contains("\"page\""), "{list} page {page:?} names the field: {}", refused.body);
        }
    }
    let document: serde_json::Value = serde_json::from_str(&api(&app, "GET", "/api/v1/openapi.json", None, "", "", None).await.body).unwrap();
    let declared = &document["paths"]["/deals"]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "page").unwrap()["schema"];
    assert_eq!(declared["maximum"], 1_000_000, "the bound is declared where it is enforced");
    let bad_id = api(&app, "GET", "/api/v1/deals/null", Some(&admin), "", "", None).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert!(bad_id.body.contains("must be a whole number"), "a JSON error that says what to fix: {}", bad_id.body);

    let stages = api(&app, "GET", "/api/v1/stages", Some(&admin), "", "", None).await;
    let stages: serde_json::Value = serde_json::from_str(&stages.body).unwrap();
    assert_eq!(stages[0]["name"], "New");
    assert_eq!(stages[0]["deals"], 2);
}

#[tokio::test]
async fn a_deal_changes_only_with_the_version_it_was_read_at() {
    let (app, admin, id) = pipeline_with_two_deals().await;
    let read = api(&app, "GET", &format!("/api/v1/deals/{id}"), Some(&admin), "", "", None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.headers.get(header::ETAG).unwrap(), "\"1\"");
    let stages = app::deals::service::stages(&app.state.db).await.unwrap();
    let stage = |name: &str| stages.iter().find(|s| s.name == name).unwrap().id;

    let body = format!(r#"{{"stage_id":{}}}"#, stage("Contacted"));
    assert_eq!(patch_deal(&app, &admin, id, None, &body).await.status, StatusCode::PRECONDITION_REQUIRED);
    let moved = patch_deal(&app, &admin, id, Some("\"1\""), &body).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.headers.get(header::ETAG).unwrap(), "\"2\"");
    assert!(moved.body.contains("\"stage\":\"Contacted\""));
    // A second client still holding version 1 is refused, and told what changed.
    let stale = patch_deal(&app, &admin, id, Some("1"), &format!(r#"{{"stage_id":{}}}"#, stage("Viewing"))).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert!(stale.body.contains("changed stage from New to Contacted"), "{}", stale.body);

    let lost = format!(r#"{{"stage_id":{},"lost_reason":"Because"}}"#, stage("Lost"));
    let refused = patch_deal(&app, &admin, id, Some("2"), &lost).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("lost_reason"));
    let both = patch_deal(&app, &admin, id, Some("2"), r#"{"stage_id":1,"owner_id":1}"#).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = patch_deal(&app, &admin, id, Some("2"), r#"{"stage":"Won"}"#).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let won = format!(r#"{{"stage_id":{},"won_value":"310k"}}"#, stage("Won"));
    let won = patch_deal(&app, &admin, id, Some("W/\"2\""), &won).await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.body);
    assert!(won.body.contains("\"won_value\":31000000"));
    assert_eq!(api(&app, "GET", "/api/v1/deals/999999", Some(&admin), "", "", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_integration_logs_activities_on_a_deal() {
    let (app, admin, id) = pipeline_with_two_deals().await;
    let path = format!("/api/v1/deals/{id}/activities");
    let sent = api(&app, "POST", &path, Some(&admin), "application/json", r#"{"outcome":"whatsapp_sent","body":"Sent the brochure"}"#, None).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let lead = deal::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert!(lead.first_response_at.is_some(), "a message to the client answers the lead");
    let bad = api(&app, "POST", &path, Some(&admin), "application/json", r#"{"outcome":"hug"}"#, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("called_no_answer"), "the error lists what is allowed: {}", bad.body);
    let empty_note = api(&app, "POST", &path, Some(&admin), "application/json", r#"{"outcome":"note"}"#, None).await;
    assert_eq!(empty_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = api(&app, "POST", &path, Some(&admin), "text/plain", "note", None).await;
    assert_eq!(text.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn an_integration_sets_lists_and_completes_reminders() {
    let (app, admin, deal_id) = pipeline_with_two_deals().await;
    let capture = key(&app, "capture").await;
    let body = format!(r#"{{"deal_id":{deal_id},"title":"Call about the flat","kind":"call","preset":"tomorrow_9"}}"#);
    assert_eq!(api(&app, "POST", "/api/v1/reminders", Some(&capture), "application/json", &body, None).await.status, StatusCode::FORBIDDEN);
    let created = api(&app, "POST", "/api/v1/reminders", Some(&admin), "application/json", &body, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let r: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let expected = app::reminders::service::due_for(app::reminders::Preset::TomorrowMorning, chrono::Utc::now(), app::reminders::service::zone("Europe/Madrid"));
    assert_eq!(r["due_at"], serde_json::json!(expected), "9:00 in the owner's zone");
    assert_eq!((r["state"].as_str(), r["title"].as_str()), (Some("pending"), Some("Call about the flat")));

    // Bad input says what to fix and sets nothing.
    for (bad, field) in [
        (format!(r#"{{"deal_id":{deal_id},"kind":"fax","due_at":"soon"}}"#), "kind"),
        (format!(r#"{{"deal_id":{deal_id},"kind":"call"}}"#), "due"),
        (format!(r#"{{"deal_id":{deal_id},"kind":"call","due_at":"2020-01-01T09:00:00Z"}}"#), "due"),
    ] {
        let refused = api(&app, "POST", "/api/v1/reminders", Some(&admin), "application/json", &bad, None).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(refused.body.contains(field), "{}", refused.body);
    }
    let unknown = api(&app, "POST", "/api/v1/reminders", Some(&admin), "application/json", r#"{"deal_id":999999,"kind":"call","preset":"in_an_hour"}"#, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let list = api(&app, "GET", &format!("/api/v1/reminders?deal_id={deal_id}&state=pending"), Some(&admin), "application/json", "", None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let page: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(page["total"], 1);
    let bad_query = api(&app, "GET", "/api/v1/reminders?state=open&due_before=tomorrow", Some(&admin), "application/json", "", None).await;
    assert_eq!(bad_query.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_query.body.contains("state") && bad_query.body.contains("due_before"), "{}", bad_query.body);

    let id = r["id"].as_i64().unwrap();
    let path = format!("/api/v1/reminders/{id}");
    let moved = api(&app, "PATCH", &path, Some(&admin), "application/json", r#"{"action":"reschedule","due_at":"2099-01-02T10:00:00Z"}"#, None).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert!(moved.body.contains("\"due_at\":\"2099-01-02T10:00:00Z\""), "{}", moved.body);
    // A time sent with done or cancel is a mistake to name, not a detail to drop.
    let mixed = api(&app, "PATCH", &path, Some(&admin), "application/json", r#"{"action":"done","due_at":"2024-01-01T12:99:00Z"}"#, None).await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", mixed.body);
    assert!(mixed.body.contains("reschedule only"), "{}", mixed.body);
    let done = api(&app, "PATCH", &path, Some(&admin), "application/json", r#"{"action":"done"}"#, None).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("\"state\":\"done\""));
    let again = api(&app, "PATCH", &path, Some(&admin), "application/json", r#"{"action":"cancel"}"#, None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "already done");
    let plans = api(&app, "GET", "/api/v1/plans", Some(&admin), "application/json", "", None).await;
    assert_eq!((plans.status, plans.body.as_str()), (StatusCode::OK, "[]"));
    let none = api(&app, "POST", &format!("/api/v1/deals/{deal_id}/plans"), Some(&admin), "application/json", r#"{"plan_id":7}"#, None).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.body);
}
