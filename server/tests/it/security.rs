//! Security headers on what Doorstep answers: pages, the public form, the API, files.

use axum::http::{header, StatusCode};

use crate::common::TestApp;

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
