//! The account journeys through the real router: set-up, log-in, sessions, roles, CSRF.

use crate::common;

use axum::http::StatusCode;
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, enc};

#[tokio::test]
async fn a_fresh_installation_sends_every_page_to_setup() {
    let app = TestApp::new().await;
    for path in ["/", "/admin/users", "/login"] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.location(), "/setup", "{path}");
    }
    let setup = app.get("/setup", None).await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("Create the first administrator"));
}

#[tokio::test]
async fn setup_creates_the_admin_once_and_then_is_gone() {
    let app = TestApp::new().await;
    app.set_up().await;
    let again = app.get("/setup", None).await;
    assert_eq!(again.location(), "/login");
    let second = app
        .call(
            "/api/setup",
            "agency_name=X&name=Mallory&email=m%40x.test&phone=&time_zone=UTC&password=another+long+one&password_confirm=another+long+one",
            None,
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let users = app::auth::service::list_users(&app.state.db).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email, ADMIN_EMAIL);
}

#[tokio::test]
async fn setup_with_bad_fields_names_each_and_creates_nothing() {
    let app = TestApp::new().await;
    let reply = app
        .call("/api/setup", "agency_name=&name=Carmen&email=nope&phone=12&time_zone=Mars%2FBase&password=short&password_confirm=short", None)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    for field in ["agency_name", "email", "phone", "time_zone", "password"] {
        assert!(reply.body.contains(&format!("\"{field}\"")), "no message for {field}: {}", reply.body);
    }
    assert_eq!(app::auth::service::user_count(&app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn login_sets_an_http_only_same_site_cookie_and_opens_home() {
    let app = TestApp::new().await;
    app.set_up().await;
    let reply = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.location(), "/");
    let set_cookie = reply.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain-http installs must not set Secure: {set_cookie}");
    let home = app.get("/", reply.session_cookie().as_deref()).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Hello, Carmen Ruiz"), "{}", home.body);
}

#[tokio::test]
async fn login_goes_back_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::new().await;
    app.set_up().await;
    let body = format!("email={}&password={}&next=%2Fadmin%2Fusers", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD));
    assert_eq!(app.post_form("/api/login", &body, None).await.location(), "/admin/users");
    let body = format!("email={}&password={}&next=%2F%2Fevil.example", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD));
    assert_eq!(app.post_form("/api/login", &body, None).await.location(), "/");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_page_says_why() {
    let app = TestApp::new().await;
    app.set_up().await;
    let reply = app.login(ADMIN_EMAIL, "wrong password!").await;
    assert!(reply.session_cookie().is_none());
    assert!(reply.location().contains("__err="), "the form page gets the error: {}", reply.location());
    let json = app.call("/api/login", &format!("email={}&password=wrong", enc(ADMIN_EMAIL)), None).await;
    assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json.body.contains("do not match an active account"), "{}", json.body);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::new().await;
    app.set_up().await;
    for _ in 0..app::auth::service::MAX_FAILURES_PER_ACCOUNT {
        assert!(app.login(ADMIN_EMAIL, "guess guess guess").await.session_cookie().is_none());
    }
    let body = format!("email={}&password={}", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD));
    let reply = app.call("/api/login", &body, None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
    assert!(reply.session_cookie().is_none());
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled_across_accounts() {
    let app = TestApp::new().await;
    app.set_up().await;
    for i in 0..app::auth::service::MAX_FAILURES_PER_IP {
        app.login(&format!("nobody{i}@costa.test"), "guess guess guess").await;
    }
    let body = format!("email={}&password={}", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD));
    assert_eq!(app.call("/api/login", &body, None).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn logging_out_ends_the_session_on_the_server() {
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    let out = app.post_form("/api/logout", "", Some(&cookie)).await;
    assert_eq!(out.location(), "/login?m=logged_out");
    let cleared = out.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"));
    // The old cookie, replayed, no longer opens anything.
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/login");
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    let app = app.restarted().await;
    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
}

#[tokio::test]
async fn a_forged_or_tampered_cookie_is_ignored() {
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    let tampered = format!("{}x", cookie);
    assert_eq!(app.get("/", Some(&tampered)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", Some("doorstep_session=made.up")).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn pages_need_a_login_and_remember_where_you_were_going() {
    let app = TestApp::new().await;
    app.set_up().await;
    let reply = app.get("/admin/users", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=/admin/users");
}

#[tokio::test]
async fn an_agent_is_refused_admin_pages_and_server_functions() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    let cookie = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let page = app.get("/admin/users", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!page.body.contains(ADMIN_EMAIL), "the user list leaked into a refused page");
    assert_eq!(app.call("/api/users", "", Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    let add = app.call("/api/users/add", "name=X&email=x%40x.test&phone=&role=admin&time_zone=UTC&password=0123456789ab", Some(&cookie)).await;
    assert_eq!(add.status, StatusCode::FORBIDDEN);
    assert_eq!(app::auth::service::user_count(&app.state.db).await.unwrap(), 2);
}

#[tokio::test]
async fn server_functions_refuse_anonymous_callers() {
    let app = TestApp::new().await;
    app.set_up().await;
    assert_eq!(app.call("/api/users", "", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.call("/api/team", "", None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_user_list_never_carries_password_hashes() {
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    let reply = app.call("/api/users", "", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains(ADMIN_EMAIL));
    assert!(!reply.body.contains("argon2") && !reply.body.contains("password"), "{}", reply.body);
}

#[tokio::test]
async fn an_admin_adds_a_user_who_can_then_log_in() {
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    let body = "name=Marco+Rossi&email=Marco%40Costa.test&phone=%2B39+333+123+4567&role=manager&time_zone=Europe%2FRome&password=marco+passphrase";
    let reply = app.call("/api/users/add", body, Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("marco@costa.test") && reply.body.contains("+393331234567"), "{}", reply.body);
    app.login_cookie("marco@costa.test", "marco passphrase").await;
    let duplicate = app.call("/api/users/add", body, Some(&cookie)).await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(duplicate.body.contains("already uses this e-mail"), "{}", duplicate.body);
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let id = app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    let ana = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let reply = app.call("/api/users/disable", &format!("user_id={id}&disabled=true"), Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.get("/", Some(&ana)).await.status, StatusCode::SEE_OTHER);
    assert!(app.login("ana@costa.test", "ana passphrase 42").await.session_cookie().is_none());
}

#[tokio::test]
async fn a_password_reset_logs_the_user_out_and_the_new_one_works() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let id = app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    let ana = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let reply = app.call("/api/users/password", &format!("user_id={id}&password=brand+new+passphrase"), Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.get("/", Some(&ana)).await.status, StatusCode::SEE_OTHER);
    app.login_cookie("ana@costa.test", "brand new passphrase").await;
}

#[tokio::test]
async fn writes_from_another_site_are_refused() {
    let app = TestApp::new().await;
    app.set_up().await;
    let request = axum::http::Request::post("/api/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "127.0.0.1:3000")
        .header("origin", "https://evil.example")
        .body(axum::body::Body::from(format!("email={}&password={}", enc(ADMIN_EMAIL), enc(ADMIN_PASSWORD))))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.session_cookie().is_none());
    let request = axum::http::Request::post("/api/logout")
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn health_and_readiness_answer_and_requests_get_an_id() {
    let app = TestApp::new().await;
    let health = app.get("/healthz", None).await;
    assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok"));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready"));
    assert_eq!(ready.headers.get("x-request-id").map(|v| v.len()), Some(16));
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app = TestApp::configured(|config| config.public_url = Some("https://crm.costa.test".into())).await;
    app.set_up().await;
    let reply = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let set_cookie = reply.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test]
async fn only_admins_manage_api_keys_and_the_key_is_shown_once() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let created = app.call("/api/apikeys/create", "name=Agency+website&scope=capture", Some(&admin)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert!(created.body.contains("dsk_"));
    let listed = app.call("/api/apikeys", "", Some(&admin)).await;
    assert!(listed.body.contains("Agency website"));
    assert!(!listed.body.contains("key_hash") && listed.body.matches("dsk_").count() == 1, "only the prefix: {}", listed.body);
    app.add_user("Ana", "ana@costa.test", "agent", "ana passphrase 42").await;
    let agent = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    assert_eq!(app.call("/api/apikeys", "", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call("/api/apikeys/create", "name=X&scope=admin", Some(&agent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_admin_sets_the_agency_phone_country_and_forms_use_it() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let bad = app.call("/api/agency/update", "name=Costa+Homes&time_zone=Europe%2FLondon&default_region=XX", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("default_region"));
    let ok = app.call("/api/agency/update", "name=Costa+Homes+UK&time_zone=Europe%2FLondon&default_region=gb", Some(&admin)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let agency = app::agency::load(&app.state.db).await.unwrap();
    assert_eq!((agency.name.as_str(), agency.default_region.as_str()), ("Costa Homes UK", "GB"));
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Tom"), ("phone", "020 7946 0958")]).await;
    let person = <app::db::entities::contact::Entity as sea_orm::EntityTrait>::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(person.phone.as_deref(), Some("+442079460958"));
    app.add_user("Ana", "ana@costa.test", "agent", "ana passphrase 42").await;
    let agent = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    assert_eq!(app.call("/api/agency/update", "name=X&time_zone=UTC&default_region=ES", Some(&agent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_user_sees_where_they_are_signed_in_and_signs_out_elsewhere() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    let phone = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let desk = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let tablet = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let sessions = |cookie: String| {
        let app = &app;
        async move {
            let reply = app.call("/api/sessions", "", Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            serde_json::from_str::<Vec<serde_json::Value>>(&reply.body).unwrap()
        }
    };

    // Ana's three, the one asking first and marked; nobody else's, and no token in sight.
    let list = sessions(phone.clone()).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(list[0]["current"], true);
    assert!(list.iter().all(|s| s.get("token_hash").is_none() && s["last_seen"].is_string() && s["device"].is_string()));
    let other = |list: &[serde_json::Value]| list.iter().find(|s| s["current"] == false).unwrap()["id"].as_i64().unwrap();

    // The admin cannot end Ana's sessions through this (only their own), and changes nothing.
    let desk_id = other(&sessions(phone.clone()).await);
    let reply = app.call("/api/sessions/end", &format!("id={desk_id}"), Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    assert_eq!(sessions(phone.clone()).await.len(), 3);

    // Ana ends one from her phone: that browser is signed out, the others are not.
    let reply = app.call("/api/sessions/end", &format!("id={desk_id}"), Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let after = sessions(phone.clone()).await;
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|s| s["id"].as_i64() != Some(desk_id)));
    let gone = [app.get("/", Some(&desk)).await.status, app.get("/", Some(&tablet)).await.status];
    assert_eq!(gone.iter().filter(|s| **s == StatusCode::SEE_OTHER).count(), 1, "exactly the ended one goes to log-in: {gone:?}");

    // The session asking cannot end itself here (that is logging out).
    let me = after.iter().find(|s| s["current"] == true).unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.call("/api/sessions/end", &format!("id={me}"), Some(&phone)).await.status, StatusCode::NOT_FOUND);

    // Everywhere else: only the phone is left.
    let reply = app.call("/api/sessions/end", "all=on", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(sessions(phone.clone()).await.len(), 1);
    assert_eq!(app.get("/", Some(&tablet)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/", Some(&phone)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_user_changes_their_password_and_is_signed_out_everywhere_else() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "ana passphrase 42").await;
    let phone = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    let desk = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    use app::db::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let hash_before = user::Entity::find().filter(user::Column::Email.eq("ana@costa.test")).one(&app.state.db).await.unwrap().unwrap().password_hash;
    let unchanged = |app: &TestApp| {
        let db = app.state.db.clone();
        let hash_before = hash_before.clone();
        async move {
            let now = user::Entity::find().filter(user::Column::Email.eq("ana@costa.test")).one(&db).await.unwrap().unwrap().password_hash;
            assert_eq!(now, hash_before, "a refused change leaves the password as it was");
        }
    };

    // Refused, each saying what to fix, and nothing changes.
    let reply = app.call("/api/password", "current=not+my+password&password=a+new+passphrase+7", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("not your current password"), "{}", reply.body);
    let reply = app.call("/api/password", "current=ana+passphrase+42&password=short", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert!(reply.body.contains("at least 10 characters"), "{}", reply.body);
    let reply = app.call("/api/password", "current=ana+passphrase+42&password=ana+passphrase+42", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(app.call("/api/password", "current=ana+passphrase+42&password=a+new+passphrase+7", None).await.status, StatusCode::UNAUTHORIZED);
    unchanged(&app).await;
    assert_eq!(app.get("/", Some(&desk)).await.status, StatusCode::OK, "a refused change signs nobody out");

    // Changed: this session stays, the desk's ends, and only the new password logs in.
    let reply = app.call("/api/password", "current=ana+passphrase+42&password=a+new+passphrase+7", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.get("/", Some(&phone)).await.status, StatusCode::OK);
    assert_eq!(app.get("/", Some(&desk)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.login("ana@costa.test", "ana passphrase 42").await.session_cookie(), None);
    assert!(app.login("ana@costa.test", "a new passphrase 7").await.session_cookie().is_some());

    // Guessing the current password counts as failed log-ins: after five, even the right one waits.
    for _ in 0..5 {
        app.call("/api/password", "current=guess+guess+guess&password=another+passphrase+8", Some(&phone)).await;
    }
    let reply = app.call("/api/password", "current=a+new+passphrase+7&password=another+passphrase+8", Some(&phone)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.body);
}
