//! The account rules on a fresh database (SQLite, and PostgreSQL in `make test`).

use crate::common;

use app::auth::{NewUserInput, Role, service};
use app::error::AppError;
use common::TestApp;

fn person(name: &str, email: &str, role: &str) -> NewUserInput {
    NewUserInput {
        name: name.into(),
        email: email.into(),
        phone: String::new(),
        role: role.into(),
        time_zone: "Europe/Madrid".into(),
        password: "a long enough passphrase".into(),
    }
}

#[tokio::test]
async fn only_one_of_two_racing_setups_creates_an_admin() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    let (carmen, mallory) = (person("Carmen", "carmen@costa.test", "admin"), person("Mallory", "mallory@evil.test", "admin"));
    let (a, b) = tokio::join!(
        service::create_first_admin(&db, "Costa Homes", &carmen),
        service::create_first_admin(&db, "Other Homes", &mallory),
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
    assert_eq!(service::user_count(&db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_first_admin_is_an_admin_whatever_the_form_said() {
    let app = TestApp::new().await;
    let admin = service::create_first_admin(&app.state.db, "Costa Homes", &person("Carmen", "carmen@costa.test", "agent"))
        .await
        .unwrap();
    assert_eq!(admin.role, "admin");
    let agency = app::agency::load(&app.state.db).await.unwrap();
    assert_eq!((agency.name.as_str(), agency.time_zone.as_str()), ("Costa Homes", "Europe/Madrid"));
}

#[tokio::test]
async fn e_mails_are_unique_whatever_their_case() {
    let app = TestApp::new().await;
    service::create_user(&app.state.db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    let err = service::create_user(&app.state.db, &person("Ana 2", "ANA@Costa.test", "agent")).await.unwrap_err();
    assert_eq!(err.field_message("email").as_deref(), Some("Another account already uses this e-mail."));
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let app = TestApp::new().await;
    let row = service::create_user(&app.state.db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    assert!(row.password_hash.starts_with("$argon2id$"), "{}", row.password_hash);
    assert!(!row.password_hash.contains("a long enough passphrase"));
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_disabled_nor_demoted() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let carmen = service::create_first_admin(db, "Costa Homes", &person("Carmen", "carmen@costa.test", "admin")).await.unwrap();
    let elena = service::create_user(db, &person("Elena", "elena@costa.test", "admin")).await.unwrap();
    assert!(matches!(service::set_disabled(db, carmen.id, carmen.id, true).await, Err(AppError::Conflict(_))));
    service::set_disabled(db, carmen.id, elena.id, true).await.unwrap();
    let err = service::update_user(db, carmen.id, "manager", "UTC", false).await.unwrap_err();
    assert!(err.field_message("role").is_some(), "{err:?}");
    assert!(matches!(service::set_disabled(db, 0, carmen.id, true).await, Err(AppError::Conflict(_))));
}

#[tokio::test]
async fn a_session_belongs_to_its_user_until_it_ends() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let ana = service::create_user(db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    let token = service::start_session(db, ana.id, Some("test".into()), None).await.unwrap();
    let hash = app::auth::session::token_hash(&token);
    let user = service::session_user(db, &hash).await.unwrap().expect("a live session");
    assert_eq!((user.id, user.role), (ana.id, Role::Agent));
    service::end_session(db, &hash).await.unwrap();
    assert!(service::session_user(db, &hash).await.unwrap().is_none());
}

#[tokio::test]
async fn an_unknown_e_mail_and_a_wrong_password_fail_the_same_way() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    service::create_user(db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    let unknown = service::authenticate(db, "nobody@costa.test", "whatever", "10.0.0.1").await.unwrap_err();
    let wrong = service::authenticate(db, "ana@costa.test", "whatever", "10.0.0.1").await.unwrap_err();
    assert_eq!(unknown, wrong);
    assert!(service::authenticate(db, " ANA@costa.test ", "a long enough passphrase", "10.0.0.1").await.is_ok());
}
