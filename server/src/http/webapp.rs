//! Doorstep on the agent's home screen: the web app manifest (the agency's name and colour),
//! its icons, the service worker that starts the app without signal, and the page it shows
//! then, and the messages a page's front end is written in. All are public: browsers fetch manifests and icons without cookies, and none of it
//! says more than a capture form does.

use std::sync::Arc;

use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Transform};

use super::assets::FrontEnd;

/// What these answers need: the database (the agency's name and colour) and the front end's
/// file names.
#[derive(Clone)]
pub struct WebApp {
    pub app: AppState,
    pub front: Arc<FrontEnd>,
}

/// Read again at most hourly: a renamed agency reaches installed apps within the hour.
const MANIFEST_CACHE: &str = "public, max-age=3600";

pub async fn manifest(State(web): State<WebApp>) -> Response {
    let agency = app::agency::load(&web.app.db).await.unwrap_or_else(|_| app::agency::Agency::unnamed());
    let color = brand_color(&web.app).await;
    let version = color.trim_start_matches('#');
    let icon = |file: &str, size: u32, purpose: &str| {
        serde_json::json!({
            "src": format!("/icons/{file}?v={version}"),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": purpose,
        })
    };
    let short_name: String = agency.name.chars().take(12).collect();
    let body = serde_json::json!({
        "id": "/",
        "name": agency.name,
        "short_name": short_name.trim_end(),
        "description": "Leads, deals and follow-ups",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#f4f6f8",
        "theme_color": color,
        "icons": [
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("maskable-192.png", 192, "maskable"),
            icon("maskable-512.png", 512, "maskable"),
        ],
    });
    (
        [(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, MANIFEST_CACHE)],
        body.to_string(),
    )
        .into_response()
}

async fn brand_color(state: &AppState) -> String {
    app::agency::brand(&state.db).await.map(|(color, _)| color).unwrap_or_else(|_| "#1f5f8b".into())
}

/// `icon-192.png`, `icon-512.png`, `maskable-192.png`, `maskable-512.png`: the house of the
/// favicon on the agency's colour. A maskable icon fills its square (the phone cuts its own
/// shape) and keeps the house inside the central safe circle.
pub async fn icon(State(web): State<WebApp>, Path(file): Path<String>) -> Response {
    let parsed = file.strip_suffix(".png").and_then(|stem| stem.split_once('-')).and_then(|(kind, size)| {
        let size = match size {
            "192" => 192,
            "512" => 512,
            _ => return None,
        };
        match kind {
            "icon" => Some((size, false)),
            "maskable" => Some((size, true)),
            _ => None,
        }
    });
    let Some((size, maskable)) = parsed else {
        return (StatusCode::NOT_FOUND, "No such icon: there are icon-192.png, icon-512.png, maskable-192.png and maskable-512.png.").into_response();
    };
    let color = brand_color(&web.app).await;
    let png = tokio::task::spawn_blocking(move || draw_icon(size, &color, maskable)).await.ok().flatten();
    match png {
        Some(png) => ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "public, max-age=86400")], png).into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// The favicon's drawing (a 32-unit square) at `size` pixels.
fn draw_icon(size: u32, color: &str, maskable: bool) -> Option<Vec<u8>> {
    let hex = |i: usize| color.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    let (r, g, b) = (hex(1)?, hex(3)?, hex(5)?);
    let mut pixmap = Pixmap::new(size, size)?;
    let scale = Transform::from_scale(size as f32 / 32.0, size as f32 / 32.0);
    let mut brand = Paint::default();
    brand.set_color_rgba8(r, g, b, 255);
    brand.anti_alias = true;
    let mut white = Paint::default();
    white.set_color_rgba8(255, 255, 255, 255);
    white.anti_alias = true;
    let background = if maskable { PathBuilder::from_rect(Rect::from_xywh(0.0, 0.0, 32.0, 32.0)?) } else { rounded_square(32.0, 7.0)? };
    pixmap.fill_path(&background, &brand, FillRule::Winding, scale, None);
    let mut house = PathBuilder::new();
    house.move_to(8.0, 15.0);
    house.line_to(16.0, 8.0);
    house.line_to(24.0, 15.0);
    house.line_to(24.0, 24.0);
    house.line_to(8.0, 24.0);
    house.close();
    pixmap.fill_path(&house.finish()?, &white, FillRule::Winding, scale, None);
    pixmap.fill_rect(Rect::from_xywh(14.0, 18.0, 4.0, 6.0)?, &brand, scale, None);
    // Written as PNG by `image`, which the photos already use (tiny-skia's own encoder would
    // bring a second version of the png crate into the build); tiny-skia keeps colours
    // premultiplied by alpha, PNG wants them straight.
    let rgba = pixmap.pixels().iter().flat_map(|p| {
        let c = p.demultiply();
        [c.red(), c.green(), c.blue(), c.alpha()]
    });
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_raw(size, size, rgba.collect())?.write_to(&mut png, image::ImageFormat::Png).ok()?;
    Some(png.into_inner())
}

fn rounded_square(side: f32, radius: f32) -> Option<tiny_skia::Path> {
    // A quarter circle as one cubic: the control points sit this far along the tangents.
    let k = radius * 0.552_284_8;
    let mut p = PathBuilder::new();
    p.move_to(radius, 0.0);
    p.line_to(side - radius, 0.0);
    p.cubic_to(side - radius + k, 0.0, side, radius - k, side, radius);
    p.line_to(side, side - radius);
    p.cubic_to(side, side - radius + k, side - radius + k, side, side - radius, side);
    p.line_to(radius, side);
    p.cubic_to(radius - k, side, 0.0, side - radius + k, 0.0, side - radius);
    p.line_to(0.0, radius);
    p.cubic_to(0.0, radius - k, radius - k, 0.0, radius, 0.0);
    p.close();
    p.finish()
}

/// Browsers ask for /favicon.ico on pages that name no icon (the capture form, the share
/// page): the SVG one answers, so nothing shows as missing.
pub async fn favicon() -> axum::response::Redirect {
    axum::response::Redirect::permanent("/favicon.svg")
}

/// The service worker, with this release's files written in; asked for again at every visit
/// (browsers compare it byte for byte to notice a new release).
pub async fn service_worker(State(web): State<WebApp>) -> Response {
    let files: Vec<String> = web.front.files().into();
    let body = include_str!("sw.js")
        .replace("__VERSION__", &web.front.version)
        .replace("__FRONT__", &serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// A language's messages, which a page's front end fetches to hydrate in it
/// (`Language::messages_address`): kept for good under the name of their text; under an
/// older name (a page from before a release) the current text, asked again next time.
pub async fn messages(Path(file): Path<String>) -> Response {
    let Some((code, hash)) = file.strip_suffix(".ftl").and_then(|name| name.split_once('.')) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((current, text)) = app::language::served(code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if hash == current { super::assets::IMMUTABLE } else { "no-cache" };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        text,
    )
        .into_response()
}

/// What the installed app shows when it opens, or a page is asked for, without signal.
/// In the reader's language: the service worker asks for it with the agent's session.
pub async fn offline(State(web): State<WebApp>, parts: axum::http::request::Parts) -> Response {
    let css = format!("/pkg/{}", web.front.css);
    let language = app::language::for_request(&parts);
    let html = app::language::for_reader_now(language.clone(), || render_offline(&css, &language.code()));
    (
        [(header::CACHE_CONTROL, "no-cache"), (header::VARY, "cookie, accept-language")],
        axum::response::Html(html),
    )
        .into_response()
}

fn render_offline(css: &str, lang: &str) -> String {
    use app::language::t;
    let css = css.to_owned();
    let lang = lang.to_owned();
    let page = view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <title>{format!("{} · Doorstep", t("offline-title"))}</title>
                <link rel="stylesheet" href=css/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
            </head>
            <body>
                <main class="centered">
                    <section class="card auth-card" data-testid="offline">
                        <h1>{t("offline-title")}</h1>
                        <p>{t("offline-lead")}</p>
                        <p class="hint">{t("offline-hint")}</p>
                        <a class="button primary" href="">{t("offline-retry")}</a>
                    </section>
                </main>
            </body>
        </html>
    };
    page.to_html()
}
