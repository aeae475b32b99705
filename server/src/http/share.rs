//! What a client opens: the share page `/p/{token}` and its PDF, both counted as views unless
//! a link-preview bot or a logged-in colleague asks; and the stored photos under `/media/`.
//! Also the listing page's photo upload, which works as a plain form without JavaScript.

use app::error::AppError;
use app::presentations::service::{self, Closed, Share};
use app::state::{AppState, Authenticated};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;

use super::capture::esc;
use super::extract::{InWords, Session};
use super::upload::{one_file, Wanted};

/// One form post of photos: a handful of full-size phone photos.
pub const UPLOAD_LIMIT: usize = 120 * 1024 * 1024;

fn closed_page(closed: Closed) -> Response {
    let (status, title, text) = match closed {
        Closed::Unknown => (StatusCode::NOT_FOUND, "Link not found", "This link is not known. Check that it was copied whole, or ask your agent for it again."),
        Closed::Revoked => (StatusCode::GONE, "Link withdrawn", "Your agent has withdrawn this presentation. Ask them for a new link."),
        Closed::Expired => (StatusCode::GONE, "Link expired", "This presentation's link has expired. Ask your agent for a new one."),
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{STYLE}</style></head>\
         <body><main class=\"closed\"><h1>{title}</h1><p>{text}</p></main></body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

/// Counts the open unless it is a preview, a HEAD, or one of the team looking.
async fn count_view(state: &AppState, share: &Share, method: &Method, headers: &HeaderMap, colleague: bool) {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let purpose = headers.get("sec-purpose").or_else(|| headers.get("purpose")).and_then(|v| v.to_str().ok());
    if method == Method::HEAD || colleague || service::is_bot(agent, purpose) {
        return;
    }
    if let Err(err) = service::record_view(&state.db, &state.notifier, share.presentation.id).await {
        // The client still sees the page; only the count is lost.
        tracing::warn!(error = %err, "could not count a presentation view");
    }
}

pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    session: Option<Extension<Authenticated>>,
) -> Result<Response, InWords> {
    let share = match service::open(&state.db, &token).await? {
        Ok(share) => share,
        Err(closed) => return Ok(closed_page(closed)),
    };
    count_view(&state, &share, &method, &headers, session.is_some()).await;
    let base = state.base_url(&headers);
    Ok((
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff"), (header::REFERRER_POLICY, "no-referrer")],
        Html(render(&share, &base)),
    )
        .into_response())
}

pub async fn pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    session: Option<Extension<Authenticated>>,
) -> Result<Response, InWords> {
    let share = match service::open(&state.db, &token).await? {
        Ok(share) => share,
        Err(closed) => return Ok(closed_page(closed)),
    };
    count_view(&state, &share, &method, &headers, session.is_some()).await;
    let name = service::file_name(&share);
    let headers_out = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        (header::CACHE_CONTROL, "no-store".to_owned()),
        (header::REFERRER_POLICY, "no-referrer".to_owned()),
    ];
    if method == Method::HEAD {
        return Ok((StatusCode::OK, headers_out).into_response());
    }
    let bytes = service::render(state.media.as_ref(), &share, &state.base_url(&headers)).await?;
    Ok((StatusCode::OK, headers_out, bytes).into_response())
}

/// Stored photos. Their names are 128 random bits and never reused, so they are cached
/// for good.
pub async fn media(State(state): State<AppState>, Path(key): Path<String>) -> Result<Response, InWords> {
    if !app::media::storage::valid_key(&key) {
        return Err(AppError::NotFound.into());
    }
    let bytes = state.media.get(&key).await?.ok_or(AppError::NotFound)?;
    let headers = [
        (header::CONTENT_TYPE, "image/jpeg"),
        (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}

/// The listing page's upload form: each file is checked and stored on its own, and the page
/// comes back saying what was added and what was refused, and why.
pub async fn upload_photos(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Session(session): Session,
    mut multipart: Multipart,
) -> Result<Response, InWords> {
    let actor = app::deals::service::Actor::person(&session.user);
    let (mut added, mut refused) = (0, Vec::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                refused.push(format!("the upload stopped: {} (one upload takes up to {} MB; send fewer photos at once)", err.body_text(), UPLOAD_LIMIT / (1024 * 1024)));
                break;
            }
        };
        let name = field.file_name().unwrap_or("photo").to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) if bytes.is_empty() => continue,
            Ok(bytes) => bytes,
            Err(err) => {
                refused.push(format!("{name}: {}", err.body_text()));
                break;
            }
        };
        match app::properties::photos::add(&state.db, state.media.as_ref(), &actor, id, bytes.to_vec()).await {
            Ok(_) => added += 1,
            Err(AppError::Validation(fields)) => refused.push(format!("{name}: {}", fields.values().cloned().collect::<Vec<_>>().join(" "))),
            Err(err) => return Err(err.into()),
        }
    }
    if added == 0 && refused.is_empty() {
        refused.push("No file was chosen: pick photos first.".into());
    }
    let mut query = format!("?added={added}");
    if !refused.is_empty() {
        query.push_str(&format!("&refused={}", app::common::urlencode(&refused.join("\n"))));
    }
    Ok(Redirect::to(&format!("/properties/{id}{query}#photos")).into_response())
}

/// The Agency page's logo upload (admins only), as a plain form post.
pub async fn upload_logo(State(state): State<AppState>, session: Session, mut multipart: Multipart) -> Result<Response, InWords> {
    session.at_least(app::auth::Role::Admin)?;
    let back = |message: &str| Redirect::to(&format!("/admin/agency?logo_error={}#brand", app::common::urlencode(message))).into_response();
    let wanted = Wanted { default_name: "logo", what: "a file", one: "A logo", limit: UPLOAD_LIMIT };
    let bytes = match one_file(&mut multipart, &wanted).await {
        Ok((_, bytes)) => bytes,
        Err(message) => return Ok(back(&message)),
    };
    match app::agency::save_logo(&state.db, state.media.as_ref(), bytes).await {
        Ok(()) => Ok(Redirect::to("/admin/agency?logo=saved#brand").into_response()),
        Err(AppError::Validation(fields)) => Ok(back(&fields.into_values().next().unwrap_or_default())),
        Err(err) => Err(err.into()),
    }
}

const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d242b;background:#f4f6f8}\
main{max-width:760px;margin:0 auto;background:#fff;min-height:100vh}header.brand{color:#fff;padding:14px 18px;font-weight:700;font-size:18px}\
.hero{width:100%;aspect-ratio:3/2;object-fit:cover;display:block;background:#dde3e8}section{padding:16px 18px;border-bottom:1px solid #e3e8ec}\
h1{font-size:24px;line-height:1.25;margin:4px 0}h2{font-size:20px;margin:4px 0}.price{font-size:22px;font-weight:700}.muted{color:#5b6670;font-size:14px}\
dl{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin:12px 0}dt{color:#5b6670;font-size:14px}dd{margin:0 0 4px;font-weight:600}\
.desc{white-space:pre-line}.photos{display:grid;gap:8px}.photos img{width:100%;height:auto;display:block;border-radius:6px}\
ul{padding-left:20px}.actions{display:grid;gap:10px;padding:16px 18px}.button{display:block;text-align:center;padding:14px;border-radius:10px;font-weight:700;text-decoration:none;min-height:48px}\
.wa{background:#17753f;color:#fff}.pdf{border:2px solid currentColor}table{width:100%;border-collapse:collapse;font-size:14px}\
.scroll{overflow-x:auto}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e8ec;vertical-align:top;min-width:110px}\
.agent{display:grid;gap:4px}.logo{display:block;max-height:48px;max-width:200px;margin:12px 18px 0}.closed{padding:32px 20px}a{color:inherit}";

fn render(share: &Share, base: &str) -> String {
    // Checked again here: it goes into a style sheet.
    let brand = app::agency::parse_color(&share.agency.brand_color).unwrap_or_else(|_| "#1f5f8b".into());
    let token = &share.presentation.token;
    let first_name = share.client.as_ref().map(|c| service::first_name(&c.name).to_owned()).filter(|n| !n.is_empty());
    let heading = match (share.listings.as_slice(), &share.client) {
        ([one], _) => one.property.title.clone(),
        (many, Some(c)) => format!("{} homes selected for {}", many.len(), c.name),
        (many, None) => format!("{} homes selected for you", many.len()),
    };
    let mut html = String::with_capacity(16 * 1024);
    html.push_str(&format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><meta property=\"og:title\" content=\"{}\">\
         <style>{STYLE}header.brand,.brandbg{{background:{brand}}}.price{{color:{brand}}}.pdf{{color:{brand}}}</style></head><body><main>\
         <header class=\"brand\">{}</header>",
        esc(&heading),
        esc(&heading),
        esc(&share.agency.name)
    ));
    if let Some(key) = &share.agency.logo_key {
        html.push_str(&format!("<img class=\"logo\" src=\"{}\" alt=\"{}\">", app::properties::photos::media_url(key), esc(&share.agency.name)));
    }
    if let Some(photo) = share.listings.iter().find_map(|l| l.photos.first()) {
        html.push_str(&format!("<img class=\"hero\" src=\"{}\" alt=\"\">", app::properties::photos::media_url(&photo.display_key)));
    }
    html.push_str(&format!("<section><h1>{}</h1>", esc(&heading)));
    if let Some(name) = &first_name {
        html.push_str(&format!("<p class=\"muted\">Prepared for {} by {}</p>", esc(name), esc(&share.agent.name)));
    }
    html.push_str("</section>");
    if share.listings.len() > 1 {
        html.push_str("<section><h2>Side by side</h2><div class=\"scroll\"><table><tr><th></th>");
        for l in &share.listings {
            html.push_str(&format!("<th>{}</th>", esc(&l.property.title)));
        }
        html.push_str("</tr>");
        let cells: Vec<Vec<String>> = share.listings.iter().map(|l| service::compared(&l.property)).collect();
        for (row, label) in app::presentations::pdf::COMPARED.iter().enumerate() {
            html.push_str(&format!("<tr><th>{}</th>", esc(label)));
            for c in &cells {
                html.push_str(&format!("<td>{}</td>", esc(&c[row])));
            }
            html.push_str("</tr>");
        }
        html.push_str("</table></div></section>");
    }
    for (i, l) in share.listings.iter().enumerate() {
        let p = &l.property;
        html.push_str(&format!("<section id=\"listing-{}\">", i + 1));
        if share.listings.len() > 1 {
            if let Some(photo) = l.photos.first() {
                html.push_str(&format!("<img class=\"hero\" src=\"{}\" alt=\"\" loading=\"lazy\">", app::properties::photos::media_url(&photo.display_key)));
            }
            html.push_str(&format!("<h2>{}</h2>", esc(&p.title)));
        }
        html.push_str(&format!(
            "<p class=\"price\">{}</p><p class=\"muted\">{} · {} · Ref. {}</p><dl>",
            esc(&service::price_text(p)),
            esc(&service::kind_text(p)),
            esc(&service::place_text(p)),
            esc(&p.reference)
        ));
        for (label, value) in service::facts(p) {
            html.push_str(&format!("<dt>{}</dt><dd>{}</dd>", esc(&label), esc(&value)));
        }
        html.push_str("</dl>");
        if !p.description.trim().is_empty() {
            html.push_str(&format!("<p class=\"desc\">{}</p>", esc(p.description.trim())));
        }
        let features: Vec<&str> = p.features.lines().map(str::trim).filter(|f| !f.is_empty()).collect();
        if !features.is_empty() {
            html.push_str("<ul>");
            for f in features {
                html.push_str(&format!("<li>{}</li>", esc(f)));
            }
            html.push_str("</ul>");
        }
        if l.photos.len() > 1 {
            html.push_str("<div class=\"photos\">");
            for photo in &l.photos[1..] {
                html.push_str(&format!(
                    "<img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"\" loading=\"lazy\">",
                    app::properties::photos::media_url(&photo.display_key),
                    photo.width,
                    photo.height
                ));
            }
            html.push_str("</div>");
        }
        html.push_str("</section>");
    }
    let agent = &share.agent;
    html.push_str("<div class=\"actions\">");
    if let Some(phone) = &agent.phone {
        let about = match share.listings.as_slice() {
            [one] => format!("Hi {}, about {} ({}): ", service::first_name(&agent.name), one.property.title, one.property.reference),
            _ => format!("Hi {}, about the homes you sent me: ", service::first_name(&agent.name)),
        };
        html.push_str(&format!(
            "<a class=\"button wa\" href=\"{}\">WhatsApp {}</a>",
            esc(&app::deals::pages::wa_link(phone, &about)),
            esc(Some(service::first_name(&agent.name)).filter(|n| !n.is_empty()).unwrap_or("the agent"))
        ));
    }
    html.push_str(&format!("<a class=\"button pdf\" href=\"{}\">Download the PDF</a></div>", esc(&service::pdf_url(base, token))));
    html.push_str(&format!("<section class=\"agent\"><h2>Your agent</h2><strong>{}</strong><span>{}</span>", esc(&agent.name), esc(&share.agency.name)));
    if let Some(phone) = &agent.phone {
        html.push_str(&format!("<a href=\"tel:{}\">{}</a>", esc(phone), esc(phone)));
    }
    html.push_str(&format!("<a href=\"mailto:{}\">{}</a></section></main></body></html>", esc(&agent.email), esc(&agent.email)));
    html
}
