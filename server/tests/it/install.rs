//! An installation made only from the command line, as a headless server is set up:
//! `doorstep user add` on an empty database makes the agency with its first admin, and every
//! feature that reads the agency works on it.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use common::{TestApp, enc};
use sea_orm::EntityTrait;
use serde_json::Value;

const PASSWORD: &str = "a long admin passphrase";

/// Runs `doorstep user add` on the test app's data with `args`; its exit status and output.
fn user_add(app: &TestApp, args: &[&str]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    command.args(["user", "add", "--data-dir"]).arg(&app.config.data_dir).args(args);
    match &app.config.database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let mut child = command.env("RUST_LOG", "warn").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("running doorstep user add");
    child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.success(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
}


#[tokio::test]
async fn an_installation_made_from_the_command_line_sends_presentations() {
    let app = TestApp::new().await;
    // The first account must be an admin; nothing is made otherwise.
    let (ok, said) = user_add(&app, &["--email", "ana@costa.test", "--name", "Ana Agent", "--role", "agent"]);
    assert!(!ok && said.contains("first one must be an admin"), "{said}");
    let (ok, said) = user_add(&app, &["--email", "carmen@costa.test", "--name", "Carmen Ruiz", "--role", "admin", "--agency", "Costa Homes", "--time-zone", "Europe/Madrid"]);
    assert!(ok, "{said}");
    assert!(said.contains("Set up \"Costa Homes\""), "{said}");
    let (ok, said) = user_add(&app, &["--email", "ana@costa.test", "--name", "Ana Agent", "--role", "agent", "--agency", "Other"]);
    assert!(!ok && said.contains("has accounts already"), "{said}");
    let (ok, said) = user_add(&app, &["--email", "ana@costa.test", "--name", "Ana Agent", "--role", "agent"]);
    assert!(ok, "{said}");

    // The admin logs in straight to Today: the agency is named.
    let login = app.login("carmen@costa.test", PASSWORD).await;
    assert_eq!(login.location(), "/", "{}", login.body);
    let admin = login.session_cookie().unwrap();
    assert_eq!(app::agency::load(&app.state.db).await.unwrap().name, "Costa Homes");

    // A listing and a presentation of it: its share page and PDF open.
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let listing = r#"{"reference":"ALT-1","title":"Flat by the sea","operation":"sale","property_type":"flat","price":"300000","currency":"EUR","city":"Altea"}"#;
    let made = app.api_json("POST", "/api/v1/properties", &key, listing).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let property = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap();
    let made = app.call("/api/presentations/create", &format!("property_ids[0]={property}&paper=a4"), Some(&admin)).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let made: Value = serde_json::from_str(&made.body).unwrap();
    let share = made["share_url"].as_str().unwrap();
    let path = &share[share.find("/p/").unwrap()..];
    let page = app.get(path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Costa Homes"));
    let pdf = app.get(&format!("{path}/presentation.pdf"), None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.raw.starts_with(b"%PDF"));
}

#[tokio::test]
async fn without_a_name_the_first_admin_is_asked_for_one_on_logging_in() {
    let app = TestApp::new().await;
    let (ok, said) = user_add(&app, &["--email", "carmen@costa.test", "--name", "Carmen Ruiz", "--role", "admin"]);
    assert!(ok, "{said}");
    let login = app.login("carmen@costa.test", PASSWORD).await;
    assert_eq!(login.location(), "/admin/agency?welcome=1");
    let admin = login.session_cookie().unwrap();
    let page = app.get("/admin/agency?welcome=1", Some(&admin)).await;
    assert!(page.body.contains("First give your agency its name"), "{}", page.body);
    let named = app.call("/api/agency/update", &format!("name={}&time_zone=Europe%2FMadrid&default_region=ES", enc("Costa Homes")), Some(&admin)).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert_eq!(app.login("carmen@costa.test", PASSWORD).await.location(), "/", "asked once, not every time");
}

#[tokio::test]
async fn an_installation_in_use_without_an_agency_gets_one_at_start() {
    // As `doorstep user add` made installations before it set them up: a user, no agency.
    let app = TestApp::new().await;
    app.add_user("Carmen Ruiz", "carmen@costa.test", "admin", PASSWORD).await;
    assert!(app::db::entities::agency::Entity::find().one(&app.state.db).await.unwrap().is_none());
    let app = app.restarted().await;
    assert_eq!(app::agency::load(&app.state.db).await.unwrap().name, app::agency::UNNAMED);
}
