//! The account rules on a fresh database (SQLite, and PostgreSQL in `make test`).

use crate::common;

use app::auth::session::Lifetime;
use app::auth::{NewUserInput, Role, service};
use chrono::Duration;
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
    let lifetime = app.state.sessions;
    let token = service::start_session(db, lifetime, ana.id, Some("test".into()), None).await.unwrap();
    let hash = app::auth::session::token_hash(&token);
    let user = service::session_user(db, lifetime, &hash).await.unwrap().expect("a live session");
    assert_eq!((user.id, user.role), (ana.id, Role::Agent));
    service::end_session(db, &hash).await.unwrap();
    assert!(service::session_user(db, lifetime, &hash).await.unwrap().is_none());
}

/// Moves a session's log-in and last request into the past, as time passing would.
async fn age_session(db: &sea_orm::DatabaseConnection, hash: &str, logged_in_ago: Duration, seen_ago: Duration) {
    use app::db::entities::session;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let now = chrono::Utc::now();
    session::Entity::update_many()
        .col_expr(session::Column::CreatedAt, Expr::value(now - logged_in_ago))
        .col_expr(session::Column::LastSeenAt, Expr::value(now - seen_ago))
        .filter(session::Column::TokenHash.eq(hash))
        .exec(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_session_ends_when_left_unused_and_at_its_lifetime_however_busy() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let ana = service::create_user(db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    // Eight hours without use, three days at most.
    let lifetime = Lifetime::from_hours(8, 72).unwrap();
    let start = || async { app::auth::session::token_hash(&service::start_session(db, lifetime, ana.id, None, None).await.unwrap()) };

    // Used an hour ago: live, and a request extends it.
    let busy = start().await;
    age_session(db, &busy, Duration::hours(30), Duration::hours(1)).await;
    assert!(service::session_user(db, lifetime, &busy).await.unwrap().is_some());
    // Left for nine hours: over.
    let idle = start().await;
    age_session(db, &idle, Duration::hours(9), Duration::hours(9)).await;
    assert!(service::session_user(db, lifetime, &idle).await.unwrap().is_none());
    // Used every few minutes, but logged in 73 hours ago: over all the same.
    let old = start().await;
    age_session(db, &old, Duration::hours(73), Duration::minutes(6)).await;
    assert!(service::session_user(db, lifetime, &old).await.unwrap().is_none());
    // Extending a session never takes it past its lifetime.
    let late = start().await;
    age_session(db, &late, Duration::hours(70), Duration::minutes(6)).await;
    assert!(service::session_user(db, lifetime, &late).await.unwrap().is_some());
    use app::db::entities::session;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let row = session::Entity::find().filter(session::Column::TokenHash.eq(late.as_str())).one(db).await.unwrap().unwrap();
    assert_eq!(row.expires_at, row.created_at + Duration::hours(72));
    // A shorter setting ends longer sessions at once: the busy one is past a 24-hour lifetime.
    assert!(service::session_user(db, Lifetime::from_hours(8, 24).unwrap(), &busy).await.unwrap().is_none());
}

#[test]
fn session_settings_that_cannot_hold_are_refused() {
    assert!(Lifetime::from_hours(0, 24).is_err());
    assert!(Lifetime::from_hours(48, 24).unwrap_err().contains("cannot be longer"));
    assert_eq!(Lifetime::from_hours(168, 720).unwrap(), Lifetime::default());
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

/// An account change reads the account and then writes it. On SQLite a transaction that
/// started as a read cannot become a write once a colleague's write has landed in between
/// ("database is locked"), so these changes take the writer's turn from their first statement.
/// Here a colleague's browser keeps writing (last seen, away) the whole time.
#[tokio::test]
async fn account_changes_go_through_while_colleagues_keep_writing() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    let carmen = service::create_first_admin(&db, "Costa Homes", &person("Carmen", "carmen@costa.test", "admin")).await.unwrap();
    let ana = service::create_user(&db, &person("Ana", "ana@costa.test", "agent")).await.unwrap();
    let busy = service::create_user(&db, &person("Bea", "bea@costa.test", "agent")).await.unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let colleague = {
        let (db, stop) = (db.clone(), stop.clone());
        tokio::spawn(async move {
            let mut writes = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                service::set_away(&db, busy.id, writes.is_multiple_of(2)).await.unwrap();
                writes += 1;
            }
            writes
        })
    };
    for round in 0u32..40 {
        let zone = if round.is_multiple_of(2) { "Europe/Madrid" } else { "Atlantic/Canary" };
        service::update_user(&db, ana.id, "agent", zone, false).await.unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        service::set_disabled(&db, carmen.id, ana.id, round.is_multiple_of(2)).await.unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        app::deals::service::save_lost_reasons(&db, "Price\nTiming").await.unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        if round.is_multiple_of(10) {
            service::reset_password(&db, ana.id, "a new long passphrase").await.unwrap_or_else(|e| panic!("round {round}: {e:?}"));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(colleague.await.unwrap() > 0, "the colleague wrote while the changes were made");
}
