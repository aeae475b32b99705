//! Message templates and replies through the Cloud API: the admin's list and its checks, a
//! template filled in and sent from a deal (wa.me and the timeline), and a reply through a
//! local server that plays the Graph API.

use std::sync::{Arc, Mutex};

use app::db::entities::{activity, deal, message_template};
use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::common::{enc, TestApp};

const PASS: &str = "agent passphrase 12";

/// An agency with Ana and Ben, and one lead (Marta, +34 612 345 002) that Ana owns.
async fn agency(app: &TestApp) -> (String, String, String, deal::Model) {
    let admin = app.admin_cookie().await;
    let ana_id = app.add_user("Ana Lopez", "ana@costa.test", "agent", PASS).await;
    app.add_user("Ben Ortiz", "ben@costa.test", "agent", PASS).await;
    let ana = app.login_cookie("ana@costa.test", PASS).await;
    let ben = app.login_cookie("ben@costa.test", PASS).await;
    app.capture_form("portal").await;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    let lead = r#"{"form":"portal","name":"Marta Ruiz Gil","phone":"+34612345002","need":"buy","property_ref":"ALT-7"}"#;
    assert_eq!(app.api_json("POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);
    deal::Entity::update_many()
        .col_expr(deal::Column::OwnerId, sea_orm::sea_query::Expr::value(ana_id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let the_deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    (admin, ana, ben, the_deal)
}

fn save(name: &str, body: &str) -> String {
    format!("name={}&body={}", enc(name), enc(body))
}

#[tokio::test]
async fn admins_write_templates_and_bad_ones_are_refused_saying_why() {
    let app = TestApp::new().await;
    let (admin, ana, _, _) = agency(&app).await;
    let count = || async { message_template::Entity::find().count(&app.state.db).await.unwrap() };

    let agent = app.call("/api/templates/save", &save("First answer", "Hi {first_name}"), Some(&ana)).await;
    assert_eq!(agent.status, StatusCode::FORBIDDEN, "agents do not write templates");
    let unknown = app.call("/api/templates/save", &save("First answer", "Hi {firstname}, {link}"), Some(&admin)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    assert!(unknown.body.contains("{firstname} is not a placeholder") && unknown.body.contains("{first_name}"), "{}", unknown.body);
    let empty = app.call("/api/templates/save", &save(" ", " "), Some(&admin)).await;
    assert!(empty.body.contains("Give the template a name") && empty.body.contains("Write the message"), "{}", empty.body);
    let long = app.call("/api/templates/save", &save("Long", &"x".repeat(4097)), Some(&admin)).await;
    assert!(long.body.contains("up to 4096 characters"), "{}", long.body);
    assert_eq!(count().await, 0, "nothing refused was kept");

    let made = app.call("/api/templates/save", &save("First answer", "Hi {first_name}, this is {agent}."), Some(&admin)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let id: i64 = made.body.trim().parse().unwrap();
    let twin = app.call("/api/templates/save", &save("First answer", "Another"), Some(&admin)).await;
    assert!(twin.body.contains("already a template called"), "{}", twin.body);
    let edited = app.call("/api/templates/save", &format!("id={id}&{}", save("First answer", "Hello {first_name}!")), Some(&admin)).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let listed: Value = serde_json::from_str(&app.call("/api/templates/list", "", Some(&admin)).await.body).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["body"], "Hello {first_name}!");
    assert_eq!(app.call("/api/templates/list", "", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call("/api/templates/delete", &format!("id={id}"), Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(count().await, 0);
}

#[tokio::test]
async fn a_template_sent_from_a_deal_opens_whatsapp_filled_in_and_lands_on_the_timeline() {
    let app = TestApp::new().await;
    let (admin, ana, ben, the_deal) = agency(&app).await;
    let body = "Hola {first_name}, soy {agent}. Aquí tienes {property}: {link}";
    let made = app.call("/api/templates/save", &save("Presentation", body), Some(&admin)).await;
    let id: i64 = made.body.trim().parse().unwrap();
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let listing = serde_json::json!({
        "reference": "ALT-7", "title": "Sea-view flat in Altea", "operation": "sale", "property_type": "flat",
        "price": "320000", "city": "Altea", "bedrooms": "2", "built_m2": "95"
    });
    let listing = app.api_json("POST", "/api/v1/properties", &key, &listing.to_string()).await;
    let property = serde_json::from_str::<Value>(&listing.body).unwrap()["id"].as_i64().unwrap();

    // No presentation yet: the template is shown, but cannot go, and says what to do.
    let ready: Value = serde_json::from_str(&app.call("/api/templates/for-deal", &format!("deal_id={}", the_deal.id), Some(&ana)).await.body).unwrap();
    assert_eq!(ready["replies"], false, "the Cloud API is not set up");
    let blocked = ready["templates"][0]["blocked"].as_str().unwrap();
    assert!(blocked.contains("make a presentation"), "{blocked}");
    let send = format!("deal_id={}&template_id={id}", the_deal.id);
    let refused = app.call("/api/templates/send", &send, Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);

    let made = app.call("/api/presentations/create", &format!("deal_id={}&property_ids[0]={property}&paper=a4", the_deal.id), Some(&ana)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let share = serde_json::from_str::<Value>(&made.body).unwrap()["share_url"].as_str().unwrap().to_owned();
    let ready: Value = serde_json::from_str(&app.call("/api/templates/for-deal", &format!("deal_id={}", the_deal.id), Some(&ana)).await.body).unwrap();
    let expected = format!("Hola Marta, soy Ana Lopez. Aquí tienes Sea-view flat in Altea: {share}");
    assert_eq!(ready["templates"][0]["text"], expected.as_str());
    assert_eq!(ready["templates"][0]["blocked"], Value::Null);

    // Ben does not work Ana's deal.
    assert_eq!(app.call("/api/templates/send", &send, Some(&ben)).await.status, StatusCode::FORBIDDEN);
    // The plain form (no JavaScript needed) lands on wa.me with the number and the text.
    let sent = app.post_form("/api/templates/send", &send, Some(&ana)).await;
    assert!(sent.status.is_redirection(), "{} {}", sent.status, sent.body);
    assert_eq!(sent.location(), format!("https://wa.me/34612345002?text={}", app::common::urlencode(&expected)));
    let entry = activity::Entity::find()
        .filter(activity::Column::DealId.eq(the_deal.id))
        .filter(activity::Column::Kind.eq("whatsapp"))
        .order_by_desc(activity::Column::Id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("the template is on the timeline");
    assert_eq!((entry.direction.as_str(), entry.body.as_str()), ("out", expected.as_str()));
    let answered = deal::Entity::find_by_id(the_deal.id).one(&app.state.db).await.unwrap().unwrap();
    assert!(answered.first_response_at.is_some(), "a template sent answers the lead");
}

/// A local server playing the Graph API's messages endpoint; it keeps what it was sent.
async fn graph_api() -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    use axum::extract::{Path, State};
    use axum::http::HeaderMap;
    use axum::Json;
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let router = axum::Router::new()
        .route(
            "/{number}/messages",
            axum::routing::post(|State(seen): State<Arc<Mutex<Vec<(String, Value)>>>>, Path(number): Path<String>, headers: HeaderMap, Json(body): Json<Value>| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                seen.lock().unwrap().push((format!("{number} {auth}"), body.clone()));
                if auth != "Bearer graph-token" {
                    return (StatusCode::UNAUTHORIZED, Json(serde_json::json!({"error": {"message": "Invalid OAuth access token.", "code": 190}})));
                }
                if body["to"] == "34612345003" {
                    let error = serde_json::json!({"error": {"message": "Re-engagement message", "code": 131047}});
                    return (StatusCode::BAD_REQUEST, Json(error));
                }
                let to = body["to"].clone();
                (StatusCode::OK, Json(serde_json::json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": "wamid.REPLY1"}]})))
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}/v21.0"), seen)
}

#[tokio::test]
async fn replies_go_through_the_cloud_api_and_their_statuses_come_back() {
    let (graph, seen) = graph_api().await;
    let app = TestApp::configured(|c| {
        c.whatsapp_token = Some("graph-token".into());
        c.whatsapp_phone_number_id = Some("106540352242922".into());
        c.whatsapp_graph_url = graph.replace("/v21.0", "");
        c.whatsapp_app_secret = Some("meta-app-secret".into());
    })
    .await;
    let (_, ana, ben, the_deal) = agency(&app).await;
    let ready: Value = serde_json::from_str(&app.call("/api/templates/for-deal", &format!("deal_id={}", the_deal.id), Some(&ana)).await.body).unwrap();
    assert_eq!(ready["replies"], true);

    let reply = |body: &str| format!("deal_id={}&body={}", the_deal.id, enc(body));
    assert_eq!(app.call("/api/whatsapp/reply", &reply("Hola"), Some(&ben)).await.status, StatusCode::FORBIDDEN);
    let empty = app.call("/api/whatsapp/reply", &reply("  "), Some(&ana)).await;
    assert!(empty.body.contains("Write the message first"), "{}", empty.body);
    assert!(seen.lock().unwrap().is_empty(), "nothing refused reached WhatsApp");

    let sent = app.call("/api/whatsapp/reply", &reply("¿Le va bien el jueves a las 10?"), Some(&ana)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    {
        let seen = seen.lock().unwrap();
        let (who, body) = &seen[0];
        assert_eq!(who, "106540352242922 Bearer graph-token");
        assert_eq!(body["messaging_product"], "whatsapp");
        assert_eq!(body["to"], "34612345002");
        assert_eq!(body["type"], "text");
        assert_eq!(body["text"]["body"], "¿Le va bien el jueves a las 10?");
    }
    let entry = activity::Entity::find().filter(activity::Column::ExternalId.eq("wamid.REPLY1")).one(&app.state.db).await.unwrap().expect("the reply is on the timeline");
    assert_eq!((entry.direction.as_str(), entry.delivery.as_deref(), entry.deal_id), ("out", Some("sent"), Some(the_deal.id)));

    // WhatsApp's status callback marks it read on the timeline.
    let status = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "34900000000", "phone_number_id": "106540352242922"},
        "statuses": [{"id": "wamid.REPLY1", "status": "read", "timestamp": "1764230500", "recipient_id": "34612345002"}]}}]}]})
    .to_string();
    let status_body = status.clone();
    let request = signed_post(&status);
    assert_eq!(app.send(request).await.status, StatusCode::OK);
    // A "delivered" that arrives after "read" does not undo it.
    let late = status_body.replace("\"read\"", "\"delivered\"");
    assert_eq!(app.send(signed_post(&late)).await.status, StatusCode::OK);
    let page: Value = serde_json::from_str(&app.call("/api/deal", &format!("id={}", the_deal.id), Some(&ana)).await.body).unwrap();
    let labels: Vec<&str> = page["timeline"].as_array().unwrap().iter().filter_map(|e| e["label"].as_str()).collect();
    assert!(labels.contains(&"WhatsApp to client · read"), "{labels:?}");

    // Outside the 24-hour window WhatsApp refuses: the agent is told what to do, nothing is kept.
    let before = activity::Entity::find().count(&app.state.db).await.unwrap();
    app::db::entities::contact::Entity::update_many()
        .col_expr(app::db::entities::contact::Column::Phone, sea_orm::sea_query::Expr::value("+34612345003"))
        .col_expr(app::db::entities::contact::Column::Whatsapp, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .exec(&app.state.db)
        .await
        .unwrap();
    let late = app.call("/api/whatsapp/reply", &reply("Hola de nuevo"), Some(&ana)).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(late.body.contains("24 hours") && late.body.contains("Send a template"), "{}", late.body);
    assert_eq!(activity::Entity::find().count(&app.state.db).await.unwrap(), before);
}

/// A webhook call signed with the test's app secret, as Meta signs it.
fn signed_post(body: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post("/webhooks/whatsapp")
        .header("content-type", "application/json")
        .header("x-hub-signature-256", crate::whatsapp::signature("meta-app-secret", body))
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn without_the_cloud_api_a_reply_says_how_to_write_instead() {
    let app = TestApp::new().await;
    let (_, ana, _, the_deal) = agency(&app).await;
    let refused = app.call("/api/whatsapp/reply", &format!("deal_id={}&body=Hola", the_deal.id), Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("not set up"), "{}", refused.body);
}
