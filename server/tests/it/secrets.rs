//! No secret in any log: a whole journey through a served process logging at debug level,
//! in text and in JSON, with a canary value in every secret it handles; none may appear.

use crate::common;

use common::served::{Served, client};
use common::{TestApp, form_body, session_cookie_in};
use reqwest::header;
use serde_json::Value;

/// What an answer carried back.
struct Answer {
    status: u16,
    headers: header::HeaderMap,
    body: String,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let reply = request.send().await.expect("the served process answers");
    let (status, headers) = (reply.status().as_u16(), reply.headers().clone());
    Answer { status, headers, body: reply.text().await.unwrap_or_default() }
}

/// Posts a form to a server function as the hydrated page does (a JSON answer).
async fn call(base: &str, path: &str, pairs: &[(&str, &str)], cookie: Option<&str>) -> Answer {
    let mut request = client()
        .post(format!("{base}{path}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(form_body(pairs));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(request).await
}

async fn log_in(base: &str, email: &str, password: &str) -> Answer {
    send(
        client()
            .post(format!("{base}/api/login"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(form_body(&[("email", email), ("password", password)])),
    )
    .await
}

#[tokio::test]
async fn no_secret_appears_in_any_log_line_at_debug_level_in_text_or_json() {
    for format in ["text", "json"] {
        journey(format).await;
    }
}

async fn journey(format: &str) {
    let run: u64 = rand::random();
    let canary = |what: &str| format!("canary{what}{run:016x}");
    let (admin_pw, wrong_pw, agent_pw, reset_pw, changed_pw) = (canary("adminpw"), canary("wrongpw"), canary("agentpw"), canary("resetpw"), canary("changedpw"));
    let (metrics, verify, app_secret, wa_token, wrong_key) = (canary("metrics"), canary("verify"), canary("appsecret"), canary("watoken"), canary("wrongkey"));
    let app = TestApp::new().await;
    let cookie_secret = std::fs::read_to_string(app.config.data_dir.join("cookie_secret")).unwrap_or_default().trim().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join(format!("doorstep.{format}.log"));
    let env = [
        ("DOORSTEP_METRICS_TOKEN", metrics.as_str()),
        ("DOORSTEP_WHATSAPP_VERIFY_TOKEN", verify.as_str()),
        ("DOORSTEP_WHATSAPP_APP_SECRET", app_secret.as_str()),
        ("DOORSTEP_WHATSAPP_TOKEN", wa_token.as_str()),
        ("DOORSTEP_WHATSAPP_PHONE_NUMBER_ID", "106540352242922"),
    ];
    let served = Served::start_logging_as(&app, &log, format, "debug", &env).await;
    let base = served.base.as_str();
    let mut secrets = vec![admin_pw.clone(), wrong_pw.clone(), agent_pw.clone(), reset_pw.clone(), changed_pw.clone(), metrics.clone(), verify.clone(), app_secret.clone(), wa_token.clone(), wrong_key.clone(), cookie_secret.clone()];

    // The first admin, a wrong password, then the right one: the session cookie is a secret.
    let setup = send(client().post(format!("{base}/api/setup")).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded").header(header::ACCEPT, "text/html").body(form_body(&[
        ("agency_name", "Costa Homes"),
        ("name", "Carmen Ruiz"),
        ("email", "carmen@costa.test"),
        ("phone", ""),
        ("time_zone", "Europe/Madrid"),
        ("password", &admin_pw),
        ("password_confirm", &admin_pw),
    ])))
    .await;
    let to = setup.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(to.contains("setup_done"), "{} {to} {}", setup.status, setup.body);
    assert!(session_cookie_in(&log_in(base, "carmen@costa.test", &wrong_pw).await.headers).is_none());
    let admin = session_cookie_in(&log_in(base, "carmen@costa.test", &admin_pw).await.headers).expect("the admin logs in");
    secrets.push(admin.split_once('=').unwrap().1.to_owned());

    // An agent added, her password reset by the admin, then changed by her.
    let added = call(base, "/api/users/add", &[("name", "Ana Lopez"), ("email", "ana@costa.test"), ("phone", ""), ("role", "agent"), ("time_zone", "UTC"), ("password", &agent_pw)], Some(&admin)).await;
    assert_eq!(added.status, 200, "{}", added.body);
    let ana = serde_json::from_str::<Value>(&added.body).unwrap()["id"].as_i64().unwrap().to_string();
    assert_eq!(call(base, "/api/users/password", &[("user_id", &ana), ("password", &reset_pw)], Some(&admin)).await.status, 200);
    let agent = session_cookie_in(&log_in(base, "ana@costa.test", &reset_pw).await.headers).expect("Ana logs in");
    secrets.push(agent.split_once('=').unwrap().1.to_owned());
    assert_eq!(call(base, "/api/password", &[("current", &reset_pw), ("password", &changed_pw)], Some(&agent)).await.status, 200);

    // An API key, used, and a wrong one tried.
    let created = call(base, "/api/apikeys/create", &[("name", "Feed"), ("scope", "admin")], Some(&admin)).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let key = serde_json::from_str::<Value>(&created.body).unwrap()["key"].as_str().unwrap().to_owned();
    secrets.push(key.clone());
    assert_eq!(send(client().get(format!("{base}/api/v1/deals")).bearer_auth(&key)).await.status, 200);
    assert_eq!(send(client().get(format!("{base}/api/v1/deals")).bearer_auth(&wrong_key)).await.status, 401);

    // The metrics token, right and wrong.
    assert_eq!(send(client().get(format!("{base}/metrics")).bearer_auth(&metrics)).await.status, 200);
    assert_ne!(send(client().get(format!("{base}/metrics")).bearer_auth(&wrong_key)).await.status, 200);

    // WhatsApp: Meta's handshake with the verify token, and a message signed with the app secret.
    let handshake = send(client().get(format!("{base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={verify}&hub.challenge=1158201444"))).await;
    assert_eq!(handshake.status, 200);
    let body = crate::whatsapp::message("wamid.secrets1", "34612345678", "Lucía", chrono::Utc::now().timestamp(), "Hola, ¿sigue disponible?");
    let signature = crate::whatsapp::signature(&app_secret, &body);
    let hook = send(client().post(format!("{base}/webhooks/whatsapp")).header(header::CONTENT_TYPE, "application/json").header("x-hub-signature-256", &signature).body(body)).await;
    assert_eq!(hook.status, 200, "{}", hook.body);
    secrets.push(signature.trim_start_matches("sha256=").to_owned());

    // A calendar address and a presentation's share link, opened.
    let calendar = call(base, "/api/calendar/new", &[], Some(&agent)).await;
    assert_eq!(calendar.status, 200, "{}", calendar.body);
    let calendar: String = serde_json::from_str(&calendar.body).unwrap();
    let ics = &calendar[calendar.find("/ics/").unwrap()..];
    secrets.push(ics.trim_start_matches("/ics/").trim_end_matches(".ics").to_owned());
    assert_eq!(send(client().get(format!("{base}{ics}"))).await.status, 200);
    let listing = r#"{"reference":"ALT-1","title":"Flat by the sea","operation":"sale","property_type":"flat","price":"300000","currency":"EUR","city":"Altea"}"#;
    let made = send(client().post(format!("{base}/api/v1/properties")).bearer_auth(&key).header(header::CONTENT_TYPE, "application/json").body(listing)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let property = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap().to_string();
    let shown = call(base, "/api/presentations/create", &[("property_ids[0]", &property), ("paper", "a4")], Some(&admin)).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let share = serde_json::from_str::<Value>(&shown.body).unwrap()["share_url"].as_str().unwrap().to_owned();
    let share = &share[share.find("/p/").unwrap()..];
    secrets.push(share.trim_start_matches("/p/").to_owned());
    assert_eq!(send(client().get(format!("{base}{share}"))).await.status, 200);
    assert_eq!(send(client().get(format!("{base}{share}/presentation.pdf"))).await.status, 200);
    // Logging out ends the session; its cookie is still not for the log.
    assert_eq!(call(base, "/api/logout", &[], Some(&agent)).await.status, 200);
    drop(served);

    let logged = std::fs::read_to_string(&log).unwrap();
    // DOORSTEP_KEEP_LOG=path keeps a copy to read.
    if let Ok(keep) = std::env::var("DOORSTEP_KEEP_LOG") {
        std::fs::write(format!("{keep}.{format}"), &logged).unwrap();
    }
    let lines = logged.lines().count();
    assert!(lines > 50, "{format}: the journey was logged ({lines} lines)");
    assert!(logged.contains("DEBUG") || logged.contains("\"level\":\"DEBUG\""), "{format}: logged at debug level");
    for secret in secrets.iter().filter(|s| s.len() >= 16) {
        let found: Vec<&str> = logged.lines().filter(|line| line.contains(secret.as_str())).take(3).collect();
        assert!(found.is_empty(), "{format}: a secret ({}…) is in the log:\n{}", &secret[..8], found.join("\n"));
    }
    eprintln!("{format}: {lines} log lines at debug level, none holding any of {} secrets", secrets.len());
}
