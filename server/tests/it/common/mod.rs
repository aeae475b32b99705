//! A real Doorstep for tests: the full router on a fresh database, SQLite by default or a new
//! PostgreSQL database when DOORSTEP_TEST_DATABASE_URL points at a server.
#![allow(dead_code)]

pub mod served;

use app::auth::NewUserInput;
use app::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use doorstep::Config;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, Database};
use tower::ServiceExt;

pub const ADMIN_EMAIL: &str = "carmen@costa.test";
pub const ADMIN_PASSWORD: &str = "a long admin passphrase";

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub config: Config,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's bytes, for answers that are not text (PDFs, photos).
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The session cookie this reply sets, as a `Cookie` header value.
    pub fn session_cookie(&self) -> Option<String> {
        session_cookie_in(&self.headers)
    }
}

/// The session cookie that response headers set, as a `Cookie` header value.
pub fn session_cookie_in(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("doorstep_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

/// A new, empty PostgreSQL database on the server named by `base`.
pub async fn fresh_postgres(base: &str) -> String {
    let admin = Database::connect(base).await.expect("connecting to the test PostgreSQL");
    let name = format!("doorstep_test_{:016x}", rand::random::<u64>());
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("creating a test database");
    let (server, _) = base.rsplit_once('/').expect("a database URL with a path");
    format!("{server}/{name}")
}

/// A pending follow-up on `deal_id` for `assignee`, due at `due`, for tests that need
/// reminders already due.
pub fn pending_reminder(deal_id: i64, assignee: i64, title: &str, due: chrono::DateTime<chrono::Utc>) -> app::db::entities::reminder::ActiveModel {
    use sea_orm::Set;
    let now = chrono::Utc::now();
    app::db::entities::reminder::ActiveModel {
        deal_id: Set(deal_id),
        assignee_id: Set(assignee),
        title: Set(title.into()),
        kind: Set(app::reminders::Kind::Call),
        due_at: Set(due),
        state: Set(app::reminders::State::Pending),
        late: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

pub fn database_kind() -> &'static str {
    match std::env::var("DOORSTEP_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::configured(|_| {}).await
    }

    /// A test app whose configuration `adjust` changes first (e.g. a public URL).
    pub async fn configured(adjust: impl FnOnce(&mut Config)) -> TestApp {
        // Errors the app logs show up in a failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("error").try_init();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = match std::env::var("DOORSTEP_TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => Some(fresh_postgres(&base).await),
            _ => None,
        };
        let mut config = Config::for_data_dir(dir.path(), url);
        adjust(&mut config);
        Self::with_config(config, dir).await
    }

    /// A test app on SQLite whose data directory is `dir` (a small disk a test mounted, say).
    pub async fn in_data_dir(dir: tempfile::TempDir) -> TestApp {
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("error").try_init();
        Self::with_config(Config::for_data_dir(dir.path(), None), dir).await
    }

    async fn with_config(config: Config, dir: tempfile::TempDir) -> TestApp {
        let state = config.app_state().await.expect("opening the test database");
        let router = doorstep::http::router(state.clone(), config.edge());
        TestApp { state, router, config, _dir: dir }
    }

    /// The same installation after a restart: new process state, same database and secret.
    pub async fn restarted(self) -> TestApp {
        let TestApp { config, _dir, .. } = self;
        Self::with_config(config, _dir).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("a readable body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), raw: bytes.to_vec() }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Posts a form as a browser without JavaScript does (expects a redirect back).
    pub async fn post_form(&self, path: &str, body: &str, cookie: Option<&str>) -> Reply {
        self.post(path, body, cookie, "text/html,application/xhtml+xml").await
    }

    /// Posts to a server function as the hydrated page does (expects JSON).
    pub async fn call(&self, path: &str, body: &str, cookie: Option<&str>) -> Reply {
        self.post(path, body, cookie, "application/json").await
    }

    async fn post(&self, path: &str, body: &str, cookie: Option<&str>, accept: &str) -> Reply {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::REFERER, "http://127.0.0.1:3000/");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// Runs the install step and returns nothing; the admin can then log in.
    pub async fn set_up(&self) {
        let body = format!(
            "agency_name=Costa+Homes&name=Carmen+Ruiz&email={}&phone=&time_zone=Europe%2FMadrid&password={}&password_confirm={}",
            enc(ADMIN_EMAIL),
            enc(ADMIN_PASSWORD),
            enc(ADMIN_PASSWORD)
        );
        let reply = self.post_form("/api/setup", &body, None).await;
        assert_eq!(reply.location(), "/login?m=setup_done", "set-up failed: {} {}", reply.status, reply.body);
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        let body = format!("email={}&password={}", enc(email), enc(password));
        self.post_form("/api/login", &body, None).await
    }

    pub async fn login_cookie(&self, email: &str, password: &str) -> String {
        let reply = self.login(email, password).await;
        reply.session_cookie().unwrap_or_else(|| panic!("log-in failed: {} {}", reply.status, reply.location()))
    }

    /// The admin's cookie once `set_up` has already run.
    pub async fn admin_cookie_again(&self) -> String {
        self.login_cookie(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn admin_cookie(&self) -> String {
        self.set_up().await;
        self.login_cookie(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    pub async fn add_user(&self, name: &str, email: &str, role: &str, password: &str) -> i64 {
        let input = NewUserInput {
            name: name.into(),
            email: email.into(),
            phone: String::new(),
            role: role.into(),
            time_zone: "Europe/Madrid".into(),
            password: password.into(),
        };
        app::auth::service::create_user(&self.state.db, &input).await.expect("adding a user").id
    }
}

/// Form-encodes a value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form-encoded body from pairs.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl TestApp {
    /// A capture form with the default settings at `/f/{slug}`.
    pub async fn capture_form(&self, slug: &str) -> app::db::entities::capture_form::Model {
        let settings = app::capture::FormSettings::with_defaults(slug, "Open day");
        app::capture::service::save_form(&self.state.db, None, &settings).await.expect("creating a form")
    }

    /// The token a served form carries, as if served `seconds_ago`.
    pub fn form_token(&self, seconds_ago: i64) -> String {
        let served = chrono::Utc::now().timestamp_millis() - seconds_ago * 1000;
        app::auth::session::sign(&self.state.cookie_secret, &served.to_string())
    }

    /// Posts a capture form the way a browser without JavaScript does, filled in by a person.
    pub async fn submit_lead(&self, slug: &str, pairs: &[(&str, &str)]) -> Reply {
        let token = self.form_token(10);
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        all.push(("t", &token));
        let request = Request::post(format!("/f/{slug}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .body(Body::from(form_body(&all)))
            .unwrap();
        self.send(request).await
    }
}

impl TestApp {
    /// Stores follow-up rows, 200 per statement.
    pub async fn insert_reminders(&self, rows: Vec<app::db::entities::reminder::ActiveModel>) {
        use sea_orm::EntityTrait;
        for chunk in rows.chunks(200) {
            app::db::entities::reminder::Entity::insert_many(chunk.to_vec()).exec_without_returning(&self.state.db).await.unwrap();
        }
    }

    /// Calls the REST API with a key, as an integration does.
    pub async fn api_json(&self, method: &str, path: &str, key: &str, body: &str) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::AUTHORIZATION, format!("Bearer {key}"));
        self.send(request.body(Body::from(body.to_owned())).unwrap()).await
    }
}
