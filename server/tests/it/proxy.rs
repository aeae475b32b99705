//! Doorstep behind reverse proxies: the client address comes from the forwarding headers of
//! trusted proxies only, and a proxy that rewrites Host does not break same-origin writes.

use crate::common;

use std::net::SocketAddr;

use app::db::entities::session;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, enc, form_body};
use sea_orm::EntityTrait;

/// A capture form posted over a connection from `peer`, with `forwarded_for` when given.
fn lead_from(app: &TestApp, peer: &str, forwarded_for: Option<&str>, name: &str) -> Request<Body> {
    let token = app.form_token(10);
    let body = form_body(&[("name", name), ("phone", "612345678"), ("message", name), ("t", &token)]);
    let mut request = Request::post("/f/open-day").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(chain) = forwarded_for {
        request = request.header("x-forwarded-for", chain);
    }
    let mut request = request.body(Body::from(body)).unwrap();
    request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    request
}

#[tokio::test]
async fn prospects_behind_a_trusted_proxy_each_get_their_own_budget() {
    let app = TestApp::configured(|c| {
        c.capture_rate_limit = 2;
        c.trusted_proxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
    })
    .await;
    app.capture_form("open-day").await;
    let proxy = "127.0.0.1:50000";
    for i in 0..2 {
        let reply = app.send(lead_from(&app, proxy, Some("198.51.100.1"), &format!("Ana {i}"))).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    assert_eq!(app.send(lead_from(&app, proxy, Some("198.51.100.1"), "Ana again")).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another prospect through the same proxy is not held up by the first.
    assert_eq!(app.send(lead_from(&app, proxy, Some("198.51.100.2"), "Bea")).await.status, StatusCode::SEE_OTHER);
    // A prospect who forges an entry on the left is still counted by what nginx appended.
    assert_eq!(app.send(lead_from(&app, proxy, Some("203.0.113.50, 198.51.100.1"), "Ana forged")).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Two trusted hops (an edge in 10/8, then nginx): the address before them counts.
    assert_eq!(app.send(lead_from(&app, proxy, Some("198.51.100.1, 10.2.3.4"), "Ana via edge")).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn forwarding_headers_from_anyone_else_are_ignored() {
    let app = TestApp::configured(|c| {
        c.capture_rate_limit = 2;
        c.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    app.capture_form("open-day").await;
    let stranger = "203.0.113.9:40000";
    for i in 0..2 {
        let forged = format!("198.51.100.{i}");
        assert_eq!(app.send(lead_from(&app, stranger, Some(&forged), &format!("Bot {i}"))).await.status, StatusCode::SEE_OTHER);
    }
    // A new forged address each time does not buy a new budget.
    let reply = app.send(lead_from(&app, stranger, Some("198.51.100.77"), "Bot 3")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);

    // Without any trusted proxy (the default), even loopback's headers are ignored.
    let app = TestApp::configured(|c| c.capture_rate_limit = 1).await;
    app.capture_form("open-day").await;
    assert_eq!(app.send(lead_from(&app, "127.0.0.1:1", Some("198.51.100.1"), "One")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.send(lead_from(&app, "127.0.0.1:1", Some("198.51.100.2"), "Two")).await.status, StatusCode::TOO_MANY_REQUESTS);
}

/// A log-in posted through the proxy for `client`.
fn login_from(client: &str, email: &str, password: &str) -> Request<Body> {
    let mut request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", client)
        .body(Body::from(format!("email={}&password={}", enc(email), enc(password))))
        .unwrap();
    request.extensions_mut().insert(ConnectInfo("127.0.0.1:50000".parse::<SocketAddr>().unwrap()));
    request
}

#[tokio::test]
async fn one_guesser_behind_the_proxy_does_not_lock_the_office_out() {
    let app = TestApp::configured(|c| c.trusted_proxies = "127.0.0.1".parse().unwrap()).await;
    app.set_up().await;
    for i in 0..app::auth::service::MAX_FAILURES_PER_IP {
        app.send(login_from("198.51.100.66", &format!("nobody{i}@costa.test"), "guess guess guess")).await;
    }
    let guesser = app.send(login_from("198.51.100.66", ADMIN_EMAIL, ADMIN_PASSWORD)).await;
    assert_eq!(guesser.status, StatusCode::TOO_MANY_REQUESTS, "the guessing address is throttled");
    let office = app.send(login_from("192.0.2.10", ADMIN_EMAIL, ADMIN_PASSWORD)).await;
    assert_eq!(office.status, StatusCode::OK, "the office's own address still logs in: {}", office.body);
    // The session remembers where the agent really was.
    let sessions = session::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(sessions.iter().filter_map(|s| s.ip.as_deref()).collect::<Vec<_>>(), ["192.0.2.10"]);
}

/// A form post to a server function as the browser sends it through a proxy that rewrote Host.
fn post_through_proxy(cookie: &str, origin: &str, fetch_site: Option<&str>, email: &str) -> Request<Body> {
    let mut request = Request::post("/api/users/add")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(site) = fetch_site {
        request = request.header("sec-fetch-site", site);
    }
    let body = format!("name=Ben&email={}&phone=&role=agent&time_zone=UTC&password=0123456789abcdef", enc(email));
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn writes_through_a_proxy_that_rewrites_host_are_judged_by_the_browser_and_the_public_url() {
    let app = TestApp::configured(|c| c.public_url = Some("https://crm.costa.test".into())).await;
    let admin = app.admin_cookie().await;
    // nginx's default sends Host: 127.0.0.1:3000 while the page was https://crm.costa.test.
    let refused = app.send(post_through_proxy(&admin, "https://evil.example", Some("cross-site"), "ben@costa.test")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = app.send(post_through_proxy(&admin, "https://evil.example", None, "ben@costa.test")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "an older browser from another site");
    let refused = app.send(post_through_proxy(&admin, "https://crm.costa.test.evil.example", Some("none"), "ben@costa.test")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app::auth::service::user_count(&app.state.db).await.unwrap(), 1, "nothing was added");

    let browser = app.send(post_through_proxy(&admin, "https://crm.costa.test", Some("same-origin"), "ben@costa.test")).await;
    assert_eq!(browser.status, StatusCode::OK, "the browser's same-origin is believed: {}", browser.body);
    let older = app.send(post_through_proxy(&admin, "https://crm.costa.test", None, "bea@costa.test")).await;
    assert_eq!(older.status, StatusCode::OK, "without Sec-Fetch-Site, Origin is the public URL: {}", older.body);
    assert_eq!(app::auth::service::user_count(&app.state.db).await.unwrap(), 3);
}

/// A real nginx (Debian's) in front of a real `doorstep serve`, with the site configuration
/// from `deploy/nginx/doorstep.conf` and a self-signed certificate. `scripts/test.sh` sets
/// DOORSTEP_TEST_NGINX to the nginx binary it installed.
struct Nginx {
    child: std::process::Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    /// SIGTERM, so that the master stops its workers too (a killed master leaves them behind).
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// nginx on a free port, proxying to Doorstep at `upstream` (host:port).
    async fn start(binary: &str, upstream: &str) -> Nginx {
        use std::os::unix::fs::PermissionsExt;
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().display().to_string();
        // nginx's workers run as nobody when the tests run as root: they must reach the temp dirs.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        for temp in ["body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            let temp = dir.path().join(temp);
            std::fs::create_dir(&temp).unwrap();
            std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost"])
            .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout"])
            .arg(dir.path().join("key.pem"))
            .arg("-out")
            .arg(dir.path().join("cert.pem"))
            .stderr(Stdio::null())
            .status()
            .expect("running openssl");
        assert!(made.success(), "openssl made no certificate");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let http_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // The deployed site, on test ports and files. Its Host line is dropped: nginx then
        // sends its default (the upstream's name), the rewrite that used to refuse every form.
        let site = include_str!("../../../deploy/nginx/doorstep.conf")
            .replace("listen 80;", &format!("listen 127.0.0.1:{http_port};"))
            .replace("listen [::]:80;", "")
            .replace("listen 443 ssl http2;", &format!("listen 127.0.0.1:{port} ssl http2;"))
            .replace("listen [::]:443 ssl http2;", "")
            .replace("server_name crm.example.com;", "server_name localhost;")
            .replace("/etc/letsencrypt/live/crm.example.com/fullchain.pem", &format!("{path}/cert.pem"))
            .replace("/etc/letsencrypt/live/crm.example.com/privkey.pem", &format!("{path}/key.pem"))
            .replace("server 127.0.0.1:3000;", &format!("server {upstream};"))
            .replace("proxy_set_header Host $host;", "");
        assert!(site.contains(&format!("listen 127.0.0.1:{port} ssl http2;")) && site.contains(upstream), "the deploy config changed shape:\n{site}");
        std::fs::write(dir.path().join("site.conf"), site).unwrap();
        let main = format!(
            "daemon off;\nworker_processes 1;\npid {path}/nginx.pid;\nerror_log {path}/error.log warn;\nevents {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {path}/body;\n  proxy_temp_path {path}/proxy;\n  fastcgi_temp_path {path}/fastcgi;\n  \
             uwsgi_temp_path {path}/uwsgi;\n  scgi_temp_path {path}/scgi;\n  include {path}/site.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let child = Command::new(binary).arg("-c").arg(dir.path().join("nginx.conf")).arg("-p").arg(dir.path()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("starting nginx");
        let mut nginx = Nginx { child, base: format!("https://localhost:{port}"), _dir: dir };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                let log = std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default();
                panic!("nginx exited with {status}: {log}");
            }
            assert!(started.elapsed().as_secs() < 20, "nginx did not listen within 20 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        nginx
    }
}

/// An HTTPS client whose connections leave from `source` (127.0.0.2, 127.0.0.3: two
/// prospects), trusting the test's self-signed certificate.
fn client_from(source: &str) -> reqwest::Client {
    app::common::http_client()
        .local_address(source.parse::<std::net::IpAddr>().unwrap())
        .danger_accept_invalid_certs(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn behind_a_real_nginx_with_https_everything_works_and_each_prospect_counts_alone() {
    let Ok(binary) = std::env::var("DOORSTEP_TEST_NGINX") else {
        eprintln!("skipped: DOORSTEP_TEST_NGINX is not set (scripts/test.sh sets it)");
        return;
    };
    use common::served::{Served, submit_lead};
    use reqwest::header as h;

    let app = TestApp::new().await;
    app.set_up().await;
    app.capture_form("open-day").await;
    // Doorstep learns the public URL only once nginx has its port: start nginx first.
    let doorstep_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nginx = Nginx::start(&binary, &format!("127.0.0.1:{doorstep_port}")).await;
    let served = Served::start_at(
        &app,
        &format!("127.0.0.1:{doorstep_port}"),
        &[("DOORSTEP_TRUSTED_PROXIES", "127.0.0.1"), ("DOORSTEP_PUBLIC_URL", &nginx.base), ("DOORSTEP_CAPTURE_RATE_LIMIT", "2")],
    )
    .await;
    let office = client_from("127.0.0.1");

    // HTTP/2 over TLS, as a phone gets it.
    let curl = std::process::Command::new("curl").args(["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version}"]).arg(format!("{}/healthz", nginx.base)).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "2", "nginx speaks HTTP/2");

    // The admin logs in through the proxy (Host rewritten to nginx's upstream name).
    let login = office
        .post(format!("{}/api/login", nginx.base))
        .header(h::ORIGIN, &nginx.base)
        .header(h::ACCEPT, "text/html")
        .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 302, "{}", login.text().await.unwrap_or_default());
    let cookie = common::session_cookie_in(login.headers()).expect("a session cookie");
    // A form post of a logged-in page, as a browser sends it.
    let saved = office
        .post(format!("{}/api/agency/brand/save", nginx.base))
        .header(h::ORIGIN, &nginx.base)
        .header("sec-fetch-site", "same-origin")
        .header(h::COOKIE, &cookie)
        .header(h::ACCEPT, "application/json")
        .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("brand_color=%23aa3300")
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap_or_default());
    let session = session::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(session.ip.as_deref(), Some("127.0.0.1"), "the session keeps the client's address, through nginx");

    // The office's page listens for live notices through nginx.
    let stream = office.get(format!("{}/events", nginx.base)).header(h::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let mut notices = crate::instances::listen(stream);

    // Two prospects, each from their own address: each has their own budget of two.
    let (ana, bea) = (client_from("127.0.0.2"), client_from("127.0.0.3"));
    let token = app.form_token(10);
    let post = |client: &reqwest::Client, name: &str, base: &str| {
        let (client, name, base, token) = (client.clone(), name.to_owned(), base.to_owned(), token.clone());
        async move { submit_lead(&client, &base, &token, "open-day", &[("name", &name), ("phone", "612345678"), ("message", &name)]).await.unwrap().status().as_u16() }
    };
    assert_eq!(post(&ana, "Ana Prospect", &nginx.base).await, 303);
    crate::instances::wait_until(&mut notices, "the new lead, through nginx", |seen| seen.contains("New lead: Ana Prospect")).await;
    assert_eq!(post(&ana, "Ana Prospect", &nginx.base).await, 303);
    assert_eq!(post(&ana, "Ana Prospect", &nginx.base).await, 429, "Ana's third in ten minutes");
    assert_eq!(post(&bea, "Bea Prospect", &nginx.base).await, 303, "Bea is not held up by Ana");
    assert_eq!(post(&bea, "Bea Prospect", &nginx.base).await, 303);

    // A forged X-Forwarded-For changes nothing: nginx appends the real address...
    let forged = ana
        .post(format!("{}/f/open-day", nginx.base))
        .header("x-forwarded-for", "198.51.100.1")
        .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("name", "Ana Forged"), ("phone", "612345678"), ("t", &token)]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 429, "still Ana's budget");
    // ...and straight to Doorstep, from an address it does not trust, the header is ignored.
    let direct = bea
        .post(format!("{}/f/open-day", served.base))
        .header("x-forwarded-for", "198.51.100.1")
        .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[("name", "Bea Forged"), ("phone", "612345678"), ("t", &token)]))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), 429, "still Bea's budget");
}

#[test]
fn the_caddyfile_in_deploy_is_valid_for_caddy() {
    let Ok(binary) = std::env::var("DOORSTEP_TEST_CADDY") else {
        eprintln!("skipped: DOORSTEP_TEST_CADDY is not set (scripts/test.sh sets it)");
        return;
    };
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/Caddyfile");
    let out = std::process::Command::new(binary).args(["validate", "--adapter", "caddyfile", "--config", file]).output().expect("running caddy");
    let said = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.contains("Valid configuration"), "{said}");
}
