//! Security headers on what Doorstep answers: pages, the public form, the API, files.

use axum::http::{header, StatusCode};

use crate::common::TestApp;
use sea_orm::EntityTrait;

#[tokio::test]
async fn pages_carry_a_policy_and_only_capture_forms_may_be_framed() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    app.capture_form("open-day").await;

    let page = app.get("/pipeline", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    for part in ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "'wasm-unsafe-eval'"] {
        assert!(policy.contains(part), "{part} missing from {policy}");
    }
    assert_eq!(page.headers.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
    assert_eq!(page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(page.headers.get(header::REFERRER_POLICY).unwrap(), "strict-origin-when-cross-origin");

    // The login page too, before anyone is signed in.
    let login = app.get("/login", None).await;
    assert!(login.headers.get(header::CONTENT_SECURITY_POLICY).is_some_and(|v| v.to_str().unwrap().contains("frame-ancestors 'none'")));

    // Agencies embed their forms in their own sites: those may be framed.
    let form = app.get("/f/open-day", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let policy = form.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(policy.contains("frame-ancestors *"), "{policy}");
    assert!(form.headers.get(header::X_FRAME_OPTIONS).is_none());

    // JSON answers are not sniffed; a share link's address never leaves as a referrer.
    let api = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(api.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(api.headers.get(header::CONTENT_SECURITY_POLICY).is_none());
    let missing_share = app.get(&format!("/p/{}", "A".repeat(43)), None).await;
    assert_eq!(missing_share.headers.get(header::REFERRER_POLICY).map(|v| v.to_str().unwrap()), Some("no-referrer"));
}

fn frame_ancestors(reply: &crate::common::Reply) -> String {
    let policy = reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
    policy.split(';').map(str::trim).find(|part| part.starts_with("frame-ancestors")).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_form_framed_only_by_the_agency_s_sites_says_so_on_each_of_its_pages() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let form = app.capture_form("open-day").await;
    let save = |sites: &str| {
        format!(
            "id={}&slug=open-day&title=Open+day&intro=&consent_text=&default_need=buy&currency=EUR&assignment=round_robin&thank_you_text=Thanks&redirect_url=&active=on&embed_sites={}",
            form.id,
            crate::common::enc(sites)
        )
    };

    // Something that is not a site's address is refused at its field, naming it; nothing changes.
    let bad = app.call("/api/forms/save", &save("https://www.costa-homes.es\ncosta-homes.es/contact"), Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("embed_sites") && bad.body.contains("costa-homes.es/contact"), "{}", bad.body);
    assert_eq!(frame_ancestors(&app.get("/f/open-day", None).await), "frame-ancestors *");

    // Two sites, written loosely: kept as origins, and each of the form's pages names them.
    let saved = app.call("/api/forms/save", &save("HTTPS://www.Costa-Homes.es/\n https://*.costa-homes.es \nhttps://www.costa-homes.es"), Some(&admin)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let expected = "frame-ancestors https://www.costa-homes.es https://*.costa-homes.es";
    let page = app.get("/f/open-day", None).await;
    assert_eq!(frame_ancestors(&page), expected);
    assert!(page.headers.get(header::X_FRAME_OPTIONS).is_none(), "X-Frame-Options would forbid the listed sites too");
    assert_eq!(frame_ancestors(&app.get("/f/open-day/thanks", None).await), expected);
    let refused = app.submit_lead("open-day", &[("name", ""), ("phone", "")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(frame_ancestors(&refused), expected, "the form shown again with its errors");

    // The API reads and writes the same setting.
    let key = app::apikeys::service::create(&app.state.db, "Site", "admin").await.unwrap().key;
    let listed = app.api_json("GET", "/api/v1/forms", &key, "").await;
    assert!(listed.body.contains(r#""embed_sites":["https://www.costa-homes.es","https://*.costa-homes.es"]"#), "{}", listed.body);
    let cleared = app.api_json("PUT", &format!("/api/v1/forms/{}", form.id), &key, r#"{"slug":"open-day","title":"Open day","embed_sites":[]}"#).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(frame_ancestors(&app.get("/f/open-day", None).await), "frame-ancestors *");
    let wrong = app.api_json("PUT", &format!("/api/v1/forms/{}", form.id), &key, r#"{"slug":"open-day","title":"Open day","embed_sites":["javascript:alert(1)"]}"#).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.body);
}

/// A request as a browser sends it from `origin`, with the session cookie it holds.
fn from_site(path: &str, origin: &str, fetch_site: &str, cookie: &str, content_type: &str, body: Vec<u8>) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", fetch_site)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json")
        .body(axum::body::Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn cookie_authenticated_changes_from_another_site_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let add = "name=Mallory&email=mallory%40evil.test&phone=&role=admin&time_zone=UTC&password=0123456789abcdef";
    let form = "application/x-www-form-urlencoded";
    let users = || app::auth::service::user_count(&app.state.db);
    let before = users().await.unwrap();

    // A page on another site posting to a server function with the admin's cookie: by its
    // Origin, by Sec-Fetch-Site, or by an opaque (null) origin.
    for (origin, site) in [("https://evil.example", "cross-site"), ("https://evil.example", "none"), ("http://127.0.0.1:3000", "cross-site"), ("null", "cross-site"), ("https://sub.127.0.0.1:3000", "same-site")] {
        let reply = app.send(from_site("/api/users/add", origin, site, &admin, form, add.into())).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{origin} / {site}: {}", reply.body);
        assert!(reply.body.contains("another site"), "{}", reply.body);
    }
    // An upload (multipart) from another site: refused too.
    let boundary = "x";
    let upload = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.csv\"\r\n\r\nname,phone\r\nA,+34600111222\r\n--{boundary}--\r\n");
    let reply = app
        .send(from_site("/data/imports", "https://evil.example", "cross-site", &admin, &format!("multipart/form-data; boundary={boundary}"), upload.into()))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(users().await.unwrap(), before, "no user was added");
    let uploads = app::db::entities::csv_upload::Entity::find().all(&app.state.db).await.unwrap();
    assert!(uploads.is_empty(), "no file was kept for import");

    // The same request from Doorstep's own page goes through.
    let reply = app.send(from_site("/api/users/add", "http://127.0.0.1:3000", "same-origin", &admin, form, add.into())).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(users().await.unwrap(), before + 1);

    // Public capture forms take posts from agencies' sites, and the API authenticates by key,
    // which a browser never sends by itself: neither is refused for coming from elsewhere.
    app.capture_form("open-day").await;
    let lead = format!("name=Tom+Baker&phone=%2B447911123456&t={}", crate::common::enc(&app.form_token(10)));
    let reply = app.send(from_site("/f/open-day", "https://www.costa-homes.es", "cross-site", "", form, lead.into())).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
}

fn script_src(reply: &crate::common::Reply) -> String {
    let policy = reply.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
    policy.split(';').map(str::trim).find(|part| part.starts_with("script-src")).unwrap_or_default().to_owned()
}

/// Every `<script` tag of a page, as written.
fn script_tags(body: &str) -> Vec<&str> {
    body.match_indices("<script").map(|(at, _)| &body[at..at + body[at..].find('>').unwrap()]).collect()
}

#[tokio::test]
async fn pages_run_only_the_inline_scripts_they_name() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    app.capture_form("open-day").await;

    // A Leptos page: no inline script runs unless it carries this answer's nonce, and every
    // script the page has carries it (the hydration loader, the data of its resources).
    let nonce_of = |reply: &crate::common::Reply| {
        let scripts = script_src(reply);
        assert!(!scripts.contains("unsafe-inline"), "{scripts}");
        scripts.split_whitespace().find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\'')).map(str::to_owned).unwrap_or_else(|| panic!("no nonce in {scripts}"))
    };
    for path in ["/pipeline", "/", "/admin/users", "/admin/forms", "/admin/api-keys"] {
        let page = app.get(path, Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let nonce = nonce_of(&page);
        let tags = script_tags(&page.body);
        assert!(!tags.is_empty(), "{path} has no script");
        for tag in tags {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: {tag} lacks the page's nonce");
        }
        // Inline handlers would be refused whatever the nonce: the page has none.
        let handler = page.body.match_indices(" on").find(|(at, _)| {
            let rest = &page.body[at + 3..];
            let name_len = rest.chars().take_while(|c| c.is_ascii_lowercase()).count();
            name_len > 0 && rest[name_len..].starts_with("=\"")
        });
        assert!(handler.is_none(), "{path} has an inline handler: {}", &page.body[handler.unwrap().0..][..40]);
        // The header that carried the nonce to the policy stays inside the server.
        assert!(page.headers.get(app::SCRIPT_NONCE_HEADER).is_none());
    }
    let (first, second) = (app.get("/pipeline", Some(&admin)).await, app.get("/pipeline", Some(&admin)).await);
    assert_ne!(nonce_of(&first), nonce_of(&second), "each answer has its own nonce");
    let login = app.get("/login", None).await;
    nonce_of(&login);

    // The public form has no nonce: its one inline script is named by its hash.
    let form = app.get("/f/open-day", None).await;
    let scripts = script_src(&form);
    assert!(!scripts.contains("unsafe-inline") && !scripts.contains("nonce"), "{scripts}");
    let body = &form.body;
    let start = body.find("<script>").expect("the form's script") + "<script>".len();
    let script = &body[start..start + body[start..].find("</script>").unwrap()];
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
    assert!(scripts.contains(&format!("'sha256-{hash}'")), "{scripts} does not name the form's script");
}
