//! The front end as a phone gets it: precompressed files chosen by Accept-Encoding, pages and
//! JSON compressed on the fly, the live stream never; names with hashes cached for good and
//! pages not at all; and the parts that make Doorstep installable (manifest, icons, service
//! worker, offline page).

use std::io::{Read, Write};

use crate::common::{Reply, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures::StreamExt;

const WASM_HASH: &str = "Wv3Q7cXlq0mUuJ1fTz2bNA";
const JS_HASH: &str = "Js9Kp2Lm4Nq6Rs8Tu0VwXy";
const CSS_HASH: &str = "Cs1Dd2Ee3Ff4Gg5Hh6Ii7J";

/// A built front end as `cargo leptos build --release --precompress` leaves it: hashed names,
/// each file beside its .br and .gz, and the hash file.
struct Site {
    dir: tempfile::TempDir,
    wasm: Vec<u8>,
}

fn built_site() -> Site {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Compressible, like real WASM, and big enough to tell the encodings apart.
    let wasm: Vec<u8> = (0..200_000u32).flat_map(|i| [0, 97, 115, 109, (i % 7) as u8, (i % 13) as u8]).collect();
    let files = [
        (format!("doorstep.{WASM_HASH}.wasm"), wasm.clone()),
        (format!("doorstep.{JS_HASH}.js"), b"export default function init() {}\n".repeat(50)),
        (format!("doorstep.{CSS_HASH}.css"), b"body { margin: 0 }\n".repeat(50)),
    ];
    for (name, bytes) in &files {
        std::fs::write(pkg.join(name), bytes).unwrap();
        std::fs::write(pkg.join(format!("{name}.br")), brotli_bytes(bytes)).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), gzip_bytes(bytes)).unwrap();
    }
    std::fs::write(dir.path().join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    std::fs::write(dir.path().join("hash.txt"), format!("js: {JS_HASH}\nwasm: {WASM_HASH}\ncss: {CSS_HASH}\n")).unwrap();
    Site { dir, wasm }
}

fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        writer.write_all(bytes).unwrap();
    }
    out
}

fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).expect("valid brotli");
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

async fn fetch(app: &TestApp, path: &str, accept_encoding: Option<&str>, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path).header(header::ACCEPT, "text/html,*/*");
    if let Some(encodings) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

fn header(reply: &Reply, name: header::HeaderName) -> &str {
    reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn app_with(site: &Site) -> TestApp {
    let root = site.dir.path().to_path_buf();
    TestApp::configured(move |c| c.site_root = Some(root)).await
}

#[tokio::test]
async fn each_browser_gets_the_front_end_in_the_encoding_it_accepts() {
    let site = built_site();
    let app = app_with(&site).await;
    let path = format!("/pkg/doorstep.{WASM_HASH}.wasm");

    let br = fetch(&app, &path, Some("gzip, deflate, br, zstd"), None).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(header(&br, header::CONTENT_ENCODING), "br");
    assert_eq!(header(&br, header::CONTENT_TYPE), "application/wasm");
    assert_eq!(br.raw, std::fs::read(site.dir.path().join(format!("pkg/doorstep.{WASM_HASH}.wasm.br"))).unwrap(), "the precompressed file, as written");
    assert_eq!(unbrotli(&br.raw), site.wasm);
    assert!(br.raw.len() * 10 < site.wasm.len(), "brotli: {} of {} bytes", br.raw.len(), site.wasm.len());

    let gz = fetch(&app, &path, Some("gzip"), None).await;
    assert_eq!(header(&gz, header::CONTENT_ENCODING), "gzip");
    assert_eq!(gunzip(&gz.raw), site.wasm);

    let plain = fetch(&app, &path, None, None).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.raw, site.wasm, "a client without Accept-Encoding gets the bytes as they are");

    for reply in [&br, &gz, &plain] {
        assert_eq!(header(reply, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        assert!(header(reply, header::VARY).to_ascii_lowercase().contains("accept-encoding"));
    }
}

#[tokio::test]
async fn pages_and_json_are_compressed_on_the_fly_and_never_cached() {
    let site = built_site();
    let app = app_with(&site).await;
    let cookie = app.admin_cookie().await;

    let page = fetch(&app, "/pipeline", Some("br"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(header(&page, header::CONTENT_ENCODING), "br");
    let html = String::from_utf8(unbrotli(&page.raw)).unwrap();
    assert!(html.contains("Pipeline"), "{html}");
    assert_eq!(header(&page, header::CACHE_CONTROL), "no-cache");
    // The page names this release's hashed files, which is why it must not be cached.
    assert!(html.contains(&format!("/pkg/doorstep.{CSS_HASH}.css")), "{html}");
    assert!(html.contains(JS_HASH) && html.contains(WASM_HASH), "{html}");

    let json = fetch(&app, "/api/v1/openapi.json", Some("gzip"), None).await;
    assert_eq!(header(&json, header::CONTENT_ENCODING), "gzip");
    let spec: serde_json::Value = serde_json::from_slice(&gunzip(&json.raw)).unwrap();
    assert!(spec["paths"].is_object());

    // A streamed CSV export, compressed as it streams, arrives whole.
    let csv = fetch(&app, "/data/export/contacts.csv", Some("br"), Some(&cookie)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(header(&csv, header::CONTENT_ENCODING), "br");
    let csv = String::from_utf8(unbrotli(&csv.raw)).unwrap();
    assert!(csv.contains("contact_id,name,phone"), "{csv}");

    let unencoded = fetch(&app, "/login", None, None).await;
    assert!(unencoded.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(unencoded.body.contains("Log in"));
    assert_eq!(header(&unencoded, header::CACHE_CONTROL), "no-cache");

    let favicon = fetch(&app, "/favicon.svg", Some("br"), None).await;
    assert_eq!(header(&favicon, header::CACHE_CONTROL), "public, max-age=86400");
}

/// The address of the messages a page's loader fetches, as the page names it.
fn messages_address(html: &str) -> String {
    let start = html.find("fetch('/messages/").unwrap_or_else(|| panic!("no messages are fetched: {html}")) + "fetch('".len();
    html[start..].split('\'').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_page_s_front_end_gets_only_its_reader_s_language_kept_until_it_changes() {
    let site = built_site();
    let app = app_with(&site).await;
    let admin = app.admin_cookie().await;
    let english = messages_address(&fetch(&app, "/pipeline", None, Some(&admin)).await.body);
    assert!(english.starts_with("/messages/en.") && english.ends_with(".ftl"), "{english}");
    let saved = app.call("/api/agency/update", "name=Costa+Homes&time_zone=Europe%2FMadrid&default_region=ES&language=es", Some(&admin)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let spanish = messages_address(&fetch(&app, "/pipeline", None, Some(&admin)).await.body);
    assert!(spanish.starts_with("/messages/es."), "{spanish}");

    // Public (a phone fetches it as it fetches the WASM), compressed, and kept for good.
    let reply = fetch(&app, &spanish, Some("br"), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(header(&reply, header::CONTENT_ENCODING), "br");
    assert_eq!(header(&reply, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(header(&reply, header::CONTENT_TYPE).starts_with("text/plain"));
    let text = String::from_utf8(unbrotli(&reply.raw)).unwrap();
    assert!(text.contains("nav-today = Hoy") && !text.contains("nav-today = Today"), "only Spanish");
    assert!(reply.raw.len() * 3 < text.len(), "{} bytes for {}", reply.raw.len(), text.len());
    let english_text = fetch(&app, &english, None, None).await.body;
    assert!(english_text.contains("nav-today = Today") && !english_text.contains("= Hoy"));

    // A page from before a release names older messages: it gets today's, asked again next time.
    let older = fetch(&app, "/messages/es.0123456789abcdef.ftl", None, None).await;
    assert_eq!((older.status, older.body.as_str()), (StatusCode::OK, text.as_str()));
    assert_eq!(header(&older, header::CACHE_CONTROL), "no-cache");
    for missing in ["/messages/xx.0123456789abcdef.ftl", "/messages/es.ftl", "/messages/es"] {
        assert_eq!(fetch(&app, missing, None, None).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn the_live_stream_is_neither_compressed_nor_held_back() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Agent A", "a@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("open-day").await;
    let cookie = app.login_cookie("a@costa.test", "a long enough passphrase").await;
    let request = Request::get("/events")
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd")
        .body(Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(response.headers()["x-accel-buffering"], "no", "a proxy in front must not hold events back either");
    let mut stream = response.into_body().into_data_stream();
    app.submit_lead("open-day", &[("name", "Ana López"), ("phone", "612 345 678"), ("need", "buy")]).await;
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), stream.next()).await.expect("the event arrives at once").unwrap().unwrap();
    assert!(String::from_utf8_lossy(&frame).contains("New lead"), "plain text, as written");
}

#[tokio::test]
async fn the_manifest_names_the_agency_in_its_colour_with_icons_that_exist() {
    let app = TestApp::new().await;
    app.set_up().await;
    let manifest = fetch(&app, "/manifest.webmanifest", Some("gzip"), None).await;
    assert_eq!(manifest.status, StatusCode::OK);
    assert_eq!(header(&manifest, header::CONTENT_TYPE), "application/manifest+json");
    let manifest: serde_json::Value = serde_json::from_slice(&gunzip(&manifest.raw)).unwrap();
    assert_eq!(manifest["name"], "Costa Homes");
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["start_url"], "/");
    let (color, _) = app::agency::brand(&app.state.db).await.unwrap();
    assert_eq!(manifest["theme_color"], color.as_str());
    let icons = manifest["icons"].as_array().unwrap();
    for (size, purpose) in [(192, "any"), (512, "any"), (192, "maskable"), (512, "maskable")] {
        let icon = icons
            .iter()
            .find(|i| i["sizes"] == format!("{size}x{size}") && i["purpose"] == purpose)
            .unwrap_or_else(|| panic!("a {size}px {purpose} icon"));
        let reply = fetch(&app, icon["src"].as_str().unwrap(), None, None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(header(&reply, header::CONTENT_TYPE), "image/png");
        let image = image::load_from_memory(&reply.raw).expect("a real PNG").to_rgba8();
        assert_eq!(image.dimensions(), (size, size));
        // Drawn in the agency's colour: the corner is the brand (maskable) or transparent.
        let corner = image.get_pixel(0, 0).0;
        let centre_left = image.get_pixel(size / 8, size / 2).0;
        let brand = [1, 3, 5].map(|i| u8::from_str_radix(&color[i..i + 2], 16).unwrap());
        assert_eq!(centre_left[..3], brand, "{purpose} {size}");
        assert_eq!(corner[3], if purpose == "maskable" { 255 } else { 0 }, "{purpose} {size}");
    }
    assert_eq!(fetch(&app, "/icons/icon-64.png", None, None).await.status, StatusCode::NOT_FOUND);
    // Pages without an icon of their own (capture forms, share pages) find the favicon too.
    let favicon = fetch(&app, "/favicon.ico", None, None).await;
    assert_eq!(favicon.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(favicon.location(), "/favicon.svg");

    // Renamed on the Agency page: the manifest follows.
    app::agency::update(&app.state.db, "Costa Blanca Homes", "Europe/Madrid", "ES", "en").await.unwrap();
    let renamed = fetch(&app, "/manifest.webmanifest", None, None).await;
    assert!(renamed.body.contains("Costa Blanca Homes"), "{}", renamed.body);
}

#[tokio::test]
async fn the_service_worker_keeps_this_release_and_the_offline_page_says_what_is_wrong() {
    let site = built_site();
    let app = app_with(&site).await;
    let worker = fetch(&app, "/sw.js", None, None).await;
    assert_eq!(worker.status, StatusCode::OK);
    assert!(header(&worker, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert_eq!(header(&worker, header::CACHE_CONTROL), "no-cache", "browsers must see a new release's worker at once");
    for file in [format!("/pkg/doorstep.{WASM_HASH}.wasm"), format!("/pkg/doorstep.{JS_HASH}.js"), format!("/pkg/doorstep.{CSS_HASH}.css"), "/offline.html".into()] {
        assert!(worker.body.contains(&format!("\"{file}\"")), "{file} in {}", worker.body);
    }
    assert!(!worker.body.contains("__VERSION__") && !worker.body.contains("__FRONT__"));

    // Another release: another worker, so browsers replace the cached one by themselves.
    let next = built_site();
    std::fs::write(next.dir.path().join("hash.txt"), format!("js: {JS_HASH}\nwasm: Other0hash0of0the0wasmA\ncss: {CSS_HASH}\n")).unwrap();
    let next_app = app_with(&next).await;
    let next_worker = fetch(&next_app, "/sw.js", None, None).await;
    assert_ne!(next_worker.body, worker.body);

    let offline = fetch(&app, "/offline.html", None, None).await;
    assert_eq!(offline.status, StatusCode::OK);
    assert!(offline.body.contains("data-testid=\"offline\"") && offline.body.contains("No connection"), "{}", offline.body);
    assert!(offline.body.contains(&format!("/pkg/doorstep.{CSS_HASH}.css")), "styled by this release's sheet");

    // A Spanish phone gets it in Spanish.
    let request = Request::get("/offline.html").header(header::ACCEPT_LANGUAGE, "es-ES,es;q=0.9").body(Body::empty()).unwrap();
    let spanish = app.send(request).await;
    assert!(spanish.body.contains("<html lang=\"es\"") && spanish.body.contains("Sin conexión"), "{}", spanish.body);
    assert!(!spanish.body.contains("No connection"), "{}", spanish.body);
}
