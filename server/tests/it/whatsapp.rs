//! The WhatsApp Cloud API webhook through the real router: the handshake, signatures, unknown
//! and known numbers, redeliveries and delivery statuses.

use app::db::entities::{activity, contact, deal, notification, whatsapp_message};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::DateTime;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use sha2::Sha256;

use crate::common::{Reply, TestApp};

const SECRET: &str = "meta-app-secret";

async fn webhook_app() -> TestApp {
    let app = TestApp::configured(|c| {
        c.whatsapp_verify_token = Some("doorstep-verify".into());
        c.whatsapp_app_secret = Some(SECRET.into());
    })
    .await;
    let _ = app.admin_cookie().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "agent passphrase 12").await;
    app
}

pub(crate) fn signature(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

async fn post(app: &TestApp, body: &str, signature: Option<String>) -> Reply {
    let mut request = Request::post("/webhooks/whatsapp").header(header::CONTENT_TYPE, "application/json");
    if let Some(s) = signature {
        request = request.header("x-hub-signature-256", s);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap()).await
}

pub(crate) fn message(id: &str, from: &str, name: &str, at: i64, text: &str) -> String {
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "34900000000", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": name}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": at.to_string(), "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
}

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    let db = &app.state.db;
    (
        deal::Entity::find().count(db).await.unwrap(),
        activity::Entity::find().count(db).await.unwrap(),
        whatsapp_message::Entity::find().count(db).await.unwrap(),
    )
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_only_for_our_verify_token() {
    let app = webhook_app().await;
    let ok = app.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=doorstep-verify&hub.challenge=1158201444", None).await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "1158201444"));
    let wrong = app.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444", None).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(!wrong.body.contains("1158201444"));
    let unset = TestApp::new().await.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", None).await;
    assert_eq!(unset.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(unset.body.contains("DOORSTEP_WHATSAPP_VERIFY_TOKEN"), "{}", unset.body);
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_bodies_are_refused_and_change_nothing() {
    let app = webhook_app().await;
    let body = message("wamid.A1", "34611222333", "Marta Ruiz", 1_764_230_400, "Hola");
    let before = counts(&app).await;
    for sig in [None, Some(signature("another-secret", &body)), Some(signature(SECRET, &format!("{body} "))), Some("sha256=".into())] {
        let reply = post(&app, &body, sig.clone()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{sig:?}: {}", reply.body);
        assert!(reply.body.contains("X-Hub-Signature-256"));
    }
    assert_eq!(counts(&app).await, before);
    // Signed but not a webhook payload: refused, naming what is wrong, nothing kept.
    let bad = message("wamid.A1", "Marta", "Marta Ruiz", 1_764_230_400, "Hola");
    let reply = post(&app, &bad, Some(signature(SECRET, &bad))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("messages[0].from"), "{}", reply.body);
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn an_unknown_number_becomes_a_whatsapp_lead_and_a_redelivery_adds_nothing() {
    let app = webhook_app().await;
    let db = &app.state.db;
    let body = message("wamid.NEW1", "34611222333", "Marta Ruiz", 1_764_230_400, "Hola, ¿sigue libre el ático de la playa?");
    let reply = post(&app, &body, Some(signature(SECRET, &body))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains(r#""leads":1"#), "{}", reply.body);
    let lead = deal::Entity::find().one(db).await.unwrap().expect("a deal");
    assert_eq!(lead.source, "whatsapp");
    assert!(lead.owner_id.is_some(), "assigned by the form's rule (round robin to Ana)");
    let person = contact::Entity::find_by_id(lead.contact_id).one(db).await.unwrap().unwrap();
    assert_eq!((person.name.as_str(), person.phone.as_deref()), ("Marta Ruiz", Some("+34611222333")));
    let said = activity::Entity::find().filter(activity::Column::DealId.eq(lead.id)).all(db).await.unwrap();
    assert!(said.iter().any(|a| a.body.contains("ático de la playa")), "{said:?}");

    let before = counts(&app).await;
    let again = post(&app, &body, Some(signature(SECRET, &body))).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains(r#""repeated":1"#), "{}", again.body);
    assert_eq!(counts(&app).await, before, "a redelivered message adds nothing");
}

#[tokio::test]
async fn a_known_contacts_message_joins_their_open_deal_at_its_own_time_and_tells_the_owner() {
    let app = webhook_app().await;
    let db = &app.state.db;
    let first = message("wamid.K1", "34611222333", "Marta Ruiz", 1_764_230_400, "Hola");
    assert_eq!(post(&app, &first, Some(signature(SECRET, &first))).await.status, StatusCode::OK);
    let lead = deal::Entity::find().one(db).await.unwrap().unwrap();
    let owner = lead.owner_id.unwrap();
    // An agent's WhatsApp number on the contact is matched too.
    let person = contact::Entity::find_by_id(lead.contact_id).one(db).await.unwrap().unwrap();
    let mut edit: contact::ActiveModel = person.into();
    edit.phone = Set(Some("+34965000000".into()));
    edit.update(db).await.unwrap();

    let later = message("wamid.K2", "34611222333", "Marta", 1_764_234_000, "¿Podemos verlo el sábado?");
    let reply = post(&app, &later, Some(signature(SECRET, &later))).await;
    assert!(reply.body.contains(r#""on_deals":1"#), "{}", reply.body);
    assert_eq!(deal::Entity::find().count(db).await.unwrap(), 1, "no new deal");
    let entry = activity::Entity::find().filter(activity::Column::ExternalId.eq("wamid.K2")).one(db).await.unwrap().expect("on the timeline");
    assert_eq!((entry.deal_id, entry.kind.as_str(), entry.direction.as_str()), (Some(lead.id), "whatsapp", "in"));
    assert_eq!(entry.occurred_at, DateTime::from_timestamp(1_764_234_000, 0).unwrap(), "the time it was sent");
    let told = notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Whatsapp)).all(db).await.unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!((told[0].user_id, told[0].deal_id), (owner, Some(lead.id)));
    assert!(told[0].body.contains("sábado"));

    let before = counts(&app).await;
    let again = post(&app, &later, Some(signature(SECRET, &later))).await;
    assert!(again.body.contains(r#""repeated":1"#), "{}", again.body);
    assert_eq!(counts(&app).await, before);
    assert_eq!(notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Whatsapp)).count(db).await.unwrap(), 1);
}

#[tokio::test]
async fn delivery_statuses_mark_messages_sent_from_doorstep() {
    let app = webhook_app().await;
    let db = &app.state.db;
    let first = message("wamid.S1", "34611222333", "Marta Ruiz", 1_764_230_400, "Hola");
    post(&app, &first, Some(signature(SECRET, &first))).await;
    let lead = deal::Entity::find().one(db).await.unwrap().unwrap();
    let now = chrono::Utc::now();
    activity::ActiveModel {
        deal_id: Set(Some(lead.id)),
        contact_id: Set(lead.contact_id),
        kind: Set(app::deals::ActivityKind::Whatsapp),
        direction: Set(app::deals::Direction::Out),
        body: Set("Hola Marta, claro que sí".into()),
        occurred_at: Set(now),
        created_at: Set(now),
        external_id: Set(Some("wamid.OUT1".into())),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let status = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"statuses": [
        {"id": "wamid.OUT1", "status": "read", "timestamp": "1764231000", "recipient_id": "34611222333"}]}}]}]})
    .to_string();
    let reply = post(&app, &status, Some(signature(SECRET, &status))).await;
    assert!(reply.body.contains(r#""deliveries":1"#), "{}", reply.body);
    let sent = activity::Entity::find().filter(activity::Column::ExternalId.eq("wamid.OUT1")).one(db).await.unwrap().unwrap();
    assert_eq!(sent.delivery.as_deref(), Some("read"));
}

#[tokio::test]
async fn a_client_writing_on_whatsapp_buzzes_the_owners_phone() {
    use doorstep::push_service::{Behaviour, LocalPushService};
    let app = webhook_app().await;
    let push = LocalPushService::start(&app.state.push.public_key, std::time::Duration::ZERO).await.unwrap();
    let phone = push.subscribe(Behaviour::Accept);
    let ana = app.login_cookie("ana@costa.test", "agent passphrase 12").await;
    assert_eq!(crate::push::opt_in(&app, &ana, &phone).await.status, StatusCode::OK);
    crate::push::start_worker(&app);
    let first = message("wamid.P1", "34611222333", "Marta Ruiz", 1_764_230_400, "Hola");
    post(&app, &first, Some(signature(SECRET, &first))).await;
    let later = message("wamid.P2", "34611222333", "Marta", 1_764_234_000, "¿Podemos verlo el sábado?");
    post(&app, &later, Some(signature(SECRET, &later))).await;
    let arrived = push.wait_for(std::time::Duration::from_secs(20), |all| all.iter().any(|r| r.payload["title"].as_str().is_some_and(|t| t.starts_with("WhatsApp from")))).await;
    assert!(arrived, "the owner's phone hears the client: {:?}", push.received());
    let told = push.received_by(&phone).into_iter().find(|r| r.payload["title"].as_str().unwrap().starts_with("WhatsApp from")).unwrap();
    assert!(told.payload["body"].as_str().unwrap().contains("sábado"), "{:?}", told.payload);
    assert_eq!(told.urgency.as_deref(), Some("high"), "a client waiting wakes the phone");
    assert!(told.payload["url"].as_str().unwrap().starts_with("/deals/"));
}

#[tokio::test]
async fn a_photo_or_a_voice_message_is_kept_in_the_agency_s_language() {
    let app = webhook_app().await;
    let db = &app.state.db;
    use sea_orm::sea_query::Expr;
    app::db::entities::agency::Entity::update_many().col_expr(app::db::entities::agency::Column::Language, Expr::value("es")).exec(db).await.unwrap();
    let kind_of = |id: &str, body: serde_json::Value| {
        let mut payload: serde_json::Value = serde_json::from_str(&message(id, "34611222333", "Marta Ruiz", 1_764_230_400, "")).unwrap();
        let sent = &mut payload["entry"][0]["changes"][0]["value"]["messages"][0];
        sent.as_object_mut().unwrap().remove("text");
        for (key, value) in body.as_object().unwrap() {
            sent[key] = value.clone();
        }
        payload.to_string()
    };
    // The first message makes the lead; the next ones join its deal's timeline.
    let first = message("wamid.H1", "34611222333", "Marta Ruiz", 1_764_230_000, "Hola");
    assert_eq!(post(&app, &first, Some(signature(SECRET, &first))).await.status, StatusCode::OK);
    let photo = kind_of("wamid.P1", serde_json::json!({"type": "image", "image": {"id": "9", "mime_type": "image/jpeg", "caption": "La terraza"}}));
    assert_eq!(post(&app, &photo, Some(signature(SECRET, &photo))).await.status, StatusCode::OK);
    let voice = kind_of("wamid.V1", serde_json::json!({"type": "audio", "audio": {"id": "10", "mime_type": "audio/ogg"}}));
    assert_eq!(post(&app, &voice, Some(signature(SECRET, &voice))).await.status, StatusCode::OK);
    let body_of = |id: &'static str| async move {
        activity::Entity::find().filter(activity::Column::ExternalId.eq(id)).one(db).await.unwrap().expect("on the timeline").body
    };
    assert_eq!(body_of("wamid.P1").await, "Foto: La terraza");
    assert_eq!(body_of("wamid.V1").await, "Mensaje de voz");
}
