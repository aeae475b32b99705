//! WhatsApp chat exports into a deal's timeline through the real router: upload, preview,
//! import, importing again, attachments only for the team, and files that are refused.

use std::io::{Cursor, Write};

use app::db::entities::{activity, chat_upload, deal};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{TimeZone, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::common::{enc, Reply, TestApp};

const CHAT: &str = "\u{feff}12/03/2026, 18:02 - Los mensajes y las llamadas están cifrados de extremo a extremo.\n\
12/03/2026, 18:02 - Marta Ruiz: Hola Ana, ¿sigue disponible el ático?\n\
12/03/2026, 18:05 - Ana Lopez: ¡Hola Marta! Sí. ¿Te viene bien una visita el sábado?\n\
A las 11 o a las 17.\n\
12/03/2026, 18:06 - Marta Ruiz: IMG-20260312-WA0001.jpg (archivo adjunto)\n\
13/03/2026, 09:30 - Marta Ruiz: Ok\n\
13/03/2026, 09:30 - Marta Ruiz: Ok\n\
14/03/2026, 20:15 - Marta Ruiz: He hecho la transferencia de la señal\n";

fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, data) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, deal_id: i64, name: &str, bytes: &[u8], cookie: &str) -> Reply {
    let boundary = "doorstep-chat-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/deals/{deal_id}/chats"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

async fn a_deal(app: &TestApp) -> deal::Model {
    doorstep::volume::generate(&app.state.db, 2, 3, 5, false).await.unwrap();
    deal::Entity::find().one(&app.state.db).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_chat_export_is_previewed_then_imported_once_with_its_attachment() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let _ = app.admin_cookie().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "agent passphrase 12").await;
    let ana = app.login_cookie("ana@costa.test", "agent passphrase 12").await;
    let deal = a_deal(&app).await;
    let export = zipped(&[("WhatsApp Chat with Marta Ruiz.txt", CHAT.as_bytes()), ("IMG-20260312-WA0001.jpg", b"\xff\xd8\xff\xe0 a photo")]);

    let staged = upload(&app, deal.id, "WhatsApp Chat with Marta Ruiz.zip", &export, &ana).await;
    assert_eq!(staged.status, StatusCode::SEE_OTHER, "{}", staged.body);
    let token = staged.location().rsplit('/').next().unwrap().to_string();
    assert!(staged.location().starts_with(&format!("/deals/{}/chats/", deal.id)));
    let before = activity::Entity::find().count(db).await.unwrap();

    let preview = app.call("/api/chats/preview", &format!("token={token}&choice[agent]=&choice[time_zone]=Europe%2FMadrid&choice[order]="), Some(&ana)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let p: app::whatsapp::ChatPreview = serde_json::from_str(&preview.body).unwrap();
    assert_eq!(p.participants, vec!["Marta Ruiz", "Ana Lopez"]);
    assert_eq!(p.agent, "Ana Lopez", "the viewer's side");
    assert_eq!((p.messages, p.new_messages, p.attachments), (6, 6, 1));
    assert_eq!(p.order, "dmy");
    assert_eq!(p.suggestions.len(), 1, "the payment; Ana's own viewing offer is hers, not a suggestion");
    assert_eq!(p.suggestions[0].suggestion.as_ref().unwrap().0, "payment");
    assert_eq!(activity::Entity::find().count(db).await.unwrap(), before, "a preview writes nothing");

    let payment = p.suggestions[0].index;
    let body = format!("token={token}&agent={}&time_zone=Europe%2FMadrid&order=dmy&confirm[0]={payment}", enc("Ana Lopez"));
    let done = app.call("/api/chats/import", &body, Some(&ana)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains(r#""added":6"#), "{}", done.body);
    let entries = activity::Entity::find().filter(activity::Column::DealId.eq(deal.id)).filter(activity::Column::ExternalId.is_not_null()).all(db).await.unwrap();
    assert_eq!(entries.len(), 6);
    let offer = entries.iter().find(|a| a.body.starts_with("¡Hola Marta!")).unwrap();
    assert_eq!(offer.body, "¡Hola Marta! Sí. ¿Te viene bien una visita el sábado?\nA las 11 o a las 17.");
    assert_eq!((offer.kind.as_str(), offer.direction.as_str()), ("whatsapp", "out"));
    assert_eq!(offer.occurred_at, Utc.with_ymd_and_hms(2026, 3, 12, 17, 5, 0).unwrap(), "18:05 in Madrid");
    assert_eq!(entries.iter().filter(|a| a.body == "Ok").count(), 2, "two identical messages are two");
    assert_eq!(entries.iter().find(|a| a.body.contains("señal")).unwrap().kind, app::deals::ActivityKind::Payment, "the confirmed suggestion");
    let photo = entries.iter().find(|a| a.attachment_name.is_some()).expect("the photo's message");
    assert_eq!(photo.attachment_name.as_deref(), Some("IMG-20260312-WA0001.jpg"));
    assert_eq!(chat_upload::Entity::find().count(db).await.unwrap(), 0, "the upload is gone once imported");

    // The photo is for the team only.
    let seen = app.get(&format!("/attachments/{}", photo.id), Some(&ana)).await;
    assert_eq!((seen.status, seen.raw.as_slice()), (StatusCode::OK, b"\xff\xd8\xff\xe0 a photo".as_slice()));
    assert_eq!(seen.headers[header::CONTENT_TYPE], "image/jpeg");
    let outsider = app.get(&format!("/attachments/{}", photo.id), None).await;
    assert_ne!(outsider.status, StatusCode::OK);
    assert!(!outsider.raw.ends_with(b"a photo"));

    // The same export again (here as the bare .txt) adds nothing.
    let again = upload(&app, deal.id, "chat.txt", CHAT.as_bytes(), &ana).await;
    let token = again.location().rsplit('/').next().unwrap().to_string();
    let preview = app.call("/api/chats/preview", &format!("token={token}&choice[agent]=&choice[time_zone]=Europe%2FMadrid&choice[order]="), Some(&ana)).await;
    let p: app::whatsapp::ChatPreview = serde_json::from_str(&preview.body).unwrap();
    assert_eq!(p.new_messages, 0);
    let body = format!("token={token}&agent={}&time_zone=Europe%2FMadrid&order=dmy", enc("Ana Lopez"));
    let done = app.call("/api/chats/import", &body, Some(&ana)).await;
    assert!(done.body.contains(r#""added":0"#), "{}", done.body);
    assert_eq!(activity::Entity::find().filter(activity::Column::ExternalId.is_not_null()).count(db).await.unwrap(), 6);
}

#[tokio::test]
async fn files_that_are_not_chat_exports_are_refused_saying_why_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let admin = app.admin_cookie().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "agent passphrase 12").await;
    let deal = a_deal(&app).await;
    let bomb = zipped(&[("_chat.txt", b"01/02/2026, 10:00 - Ana: Hi"), ("video.mp4", &vec![0u8; 33 * 1024 * 1024])]);
    for (name, bytes, says) in [
        ("contacts.csv", b"name,phone\nAna,+34600000000\n".to_vec(), "no WhatsApp messages"),
        ("chat.txt", b"01/02/2026, 10:00 - Ana: \xff\xfe broken".to_vec(), "UTF-8"),
        ("photo.zip", zipped(&[("photo.jpg", b"\xff\xd8")]), "no chat"),
        ("bomb.zip", bomb, "more than 32 MB"),
    ] {
        let reply = upload(&app, deal.id, name, &bytes, &admin).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}");
        let location = reply.location();
        assert!(location.starts_with(&format!("/deals/{}?chat_error=", deal.id)), "{name}: {location}");
        // The message goes back in the address, encoded as the page reads it.
        assert!(location.contains(&app::common::urlencode(says)), "{name}: {location}");
    }
    assert_eq!(chat_upload::Entity::find().count(db).await.unwrap(), 0);
    // Another user's upload is not yours to read.
    let staged = upload(&app, deal.id, "chat.txt", CHAT.as_bytes(), &admin).await;
    let token = staged.location().rsplit('/').next().unwrap().to_string();
    let ana = app.login_cookie("ana@costa.test", "agent passphrase 12").await;
    let theirs = app.call("/api/chats/preview", &format!("token={token}&choice[agent]=&choice[time_zone]=&choice[order]="), Some(&ana)).await;
    assert_ne!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("Upload the chat again"), "{}", theirs.body);
}
