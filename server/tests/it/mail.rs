//! E-mail over SMTP, against a real (local) SMTP listener.

use crate::common;

use common::TestApp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A minimal SMTP server on loopback that hands each received message to `messages`.
pub async fn smtp_listener() -> (String, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let (sender, messages) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            sender.send(std::mem::take(&mut message)).unwrap();
                            write.write_all(b"250 OK queued\r\n").await.unwrap();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-test\r\n250 8BITMIME\r\n",
                        "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, messages)
}

#[tokio::test]
async fn the_assignee_gets_an_e_mail_for_a_new_lead() {
    let (url, mut messages) = smtp_listener().await;
    let app = TestApp::configured(|c| {
        c.smtp_url = Some(url);
        c.smtp_from = "Costa Homes <crm@costa.test>".into();
    })
    .await;
    doorstep::mail::start(app.state.clone(), app.config.smtp().unwrap()).unwrap();
    app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "612345678")]).await;
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), messages.recv()).await.expect("an e-mail in time").unwrap();
    assert!(message.contains("To: \"Agent Ana\" <agent.ana@costa.test>") || message.contains("To: Agent Ana <agent.ana@costa.test>"), "{message}");
    assert!(message.contains("From: Costa Homes <crm@costa.test>") || message.contains("From: \"Costa Homes\" <crm@costa.test>"), "{message}");
    assert!(message.contains("New lead"), "{message}");
}

#[tokio::test]
async fn a_due_follow_up_is_e_mailed_to_its_assignee() {
    use app::db::entities::deal;
    use sea_orm::{ActiveModelTrait, EntityTrait};
    let (url, mut messages) = smtp_listener().await;
    let app = TestApp::configured(|c| {
        c.smtp_url = Some(url);
        c.smtp_from = "crm@costa.test".into();
    })
    .await;
    let ana = app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    // Ana reads Doorstep in Spanish: so do her e-mails.
    app::auth::service::set_language(&app.state.db, ana, Some("es")).await.unwrap();
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "612345678")]).await;
    // Mailing starts after the lead, so the first message is the follow-up's.
    doorstep::mail::start(app.state.clone(), app.config.smtp().unwrap()).unwrap();
    let deal_id = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let now = chrono::Utc::now();
    common::pending_reminder(deal_id, ana, "Call about the flat", now - chrono::Duration::seconds(1)).insert(&app.state.db).await.unwrap();
    app::reminders::scheduler::deliver_due(&app.state.db, &app.state.notifier, "w", now).await.unwrap();
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), messages.recv()).await.expect("an e-mail in time").unwrap();
    assert!(message.contains("agent.ana@costa.test"), "{message}");
    assert!(message.contains("Seguimiento: Call about the flat"), "{message}");
    assert!(message.contains("Para las "), "{message}");
}

#[tokio::test]
async fn an_unusable_smtp_setting_is_refused_at_start() {
    let app = TestApp::new().await;
    let bad_url = doorstep::mail::Smtp { url: "ftp://nowhere".into(), from: "crm@costa.test".into() };
    assert!(doorstep::mail::start(app.state.clone(), bad_url).is_err());
    let bad_from = doorstep::mail::Smtp { url: "smtp://127.0.0.1:2525".into(), from: "not an address".into() };
    assert!(doorstep::mail::start(app.state.clone(), bad_from).is_err());
}

#[tokio::test]
async fn a_presentation_is_e_mailed_to_the_client_with_its_pdf() {
    use app::db::entities::{activity, contact, deal};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (url, mut messages) = smtp_listener().await;
    let app = TestApp::configured(|c| {
        c.smtp_url = Some(url);
        c.smtp_from = "Costa Homes <crm@costa.test>".into();
    })
    .await;
    let admin = app.admin_cookie().await;
    let key = app::apikeys::service::create(&app.state.db, "Feed", "admin").await.unwrap().key;
    app.add_user("Agent Ana", "agent.ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Zoë Núñez"), ("phone", "612345678")]).await;
    let the_deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let listing = serde_json::json!({"reference": "ALT-5", "title": "Flat in Altea", "operation": "sale", "property_type": "flat", "price": "300000", "city": "Altea"}).to_string();
    let post = |path: &str, body: String| {
        axum::http::Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {key}"))
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let made: serde_json::Value = serde_json::from_str(&app.send(post("/api/v1/properties", listing)).await.body).unwrap();
    let body = serde_json::json!({"property_ids": [made["id"]], "deal_id": the_deal.id}).to_string();
    let presentation: serde_json::Value = serde_json::from_str(&app.send(post("/api/v1/presentations", body)).await.body).unwrap();
    let id = presentation["id"].as_i64().unwrap();

    // No address yet: refused with what to do, nothing sent.
    let refused = app.call("/api/presentations/email", &format!("id={id}"), Some(&admin)).await;
    assert_eq!(refused.status, axum::http::StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("has no e-mail address"), "{}", refused.body);

    contact::Entity::update_many()
        .col_expr(contact::Column::Email, Expr::value("zoe@example.test"))
        .filter(contact::Column::Id.eq(the_deal.contact_id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let sent = app.call("/api/presentations/email", &format!("id={id}"), Some(&admin)).await;
    assert_eq!(sent.status, axum::http::StatusCode::OK, "{}", sent.body);
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), messages.recv()).await.expect("an e-mail in time").unwrap();
    assert!(message.contains("zoe@example.test"), "{message}");
    assert!(message.contains("Content-Type: application/pdf"), "{message}");
    assert!(message.contains("ALT-5.pdf"), "{message}");
    assert!(message.contains("Reply-To:") && message.contains("agent.ana@costa.test"), "answers go to the agent: {message}");
    assert!(message.contains("/p/"), "the share link is in the text: {message}");
    let logged = activity::Entity::find().filter(activity::Column::Kind.eq("email")).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(logged.body, "E-mailed the presentation to zoe@example.test");

    // A client who speaks Spanish reads it in Spanish; the agency's timeline stays English.
    contact::Entity::update_many()
        .col_expr(contact::Column::Language, Expr::value("es"))
        .filter(contact::Column::Id.eq(the_deal.contact_id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let again = app.call("/api/presentations/email", &format!("id={id}"), Some(&admin)).await;
    assert_eq!(again.status, axum::http::StatusCode::OK, "{}", again.body);
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), messages.recv()).await.expect("an e-mail in time").unwrap();
    assert!(message.contains("Hola, Zo") && message.contains("va adjunta en PDF"), "{message}");
    assert!(!message.contains("Hello") && !message.contains("attached as a PDF"), "{message}");
}
