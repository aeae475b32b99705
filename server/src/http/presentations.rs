//! Presentations: what a client opens, the share page `/p/{token}` and its PDF, both counted as
//! views unless a link-preview bot or a logged-in colleague asks; and `/api/v1/presentations`
//! for tools with an admin key.

use app::language::{t, t_with, Language};
use app::deals::service::Actor;
use app::error::AppError;
use app::presentations::service::{self, Closed, Share};
use app::presentations::NewPresentation;
use app::state::{AppState, Authenticated};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use leptos::prelude::*;
use super::api::{BodyErrors, IdParam, KeyErrors, NotFound};
use super::extract::{AdminKey, Id, InWords, Json};
use super::Routes;

pub fn routes() -> Routes {
    Routes {
        // Public by their unguessable tokens; inside the session layer only so a colleague's
        // look is not counted as the client's.
        session: Router::new().route("/p/{token}", get(page)).route("/p/{token}/presentation.pdf", get(pdf)),
        api: OpenApiRouter::new().routes(routes!(create_presentation)).routes(routes!(revoke_presentation)),
        ..Routes::default()
    }
}

/// The page a link that no longer opens answers with, in the client's language: their
/// browser's first that Doorstep speaks, else the agency's.
fn closed_page(closed: Closed, language: &Language) -> Response {
    let (status, title, text) = match closed {
        Closed::Unknown => (StatusCode::NOT_FOUND, "presentations-link-unknown-title", "presentations-link-unknown-text"),
        Closed::Revoked => (StatusCode::GONE, "presentations-link-withdrawn-title", "presentations-link-withdrawn-text"),
        Closed::Expired => (StatusCode::GONE, "presentations-link-expired-title", "presentations-link-expired-text"),
    };
    let escape = |key: &str| html_escape::encode_text(&language.t(key)).into_owned();
    let (title, text) = (escape(title), escape(text));
    let code = language.code();
    let body = format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
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

/// The presentation a link opens, counted as a view, or the page that says why it no longer
/// opens.
async fn opened(state: &AppState, token: &str, method: &Method, headers: &HeaderMap, colleague: bool) -> Result<Result<Share, Response>, AppError> {
    let share = match service::open(&state.db, token).await? {
        Ok(share) => share,
        Err(closed) => {
            let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let language = match Language::negotiate(accept) {
                Some(language) => language,
                None => app::language::of_agency(&state.db).await?,
            };
            return Ok(Err(closed_page(closed, &language)));
        }
    };
    count_view(state, &share, method, headers, colleague).await;
    Ok(Ok(share))
}

/// `GET /p/{token}`: the share page.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    session: Option<Extension<Authenticated>>,
) -> Result<Response, InWords> {
    let share = match opened(&state, &token, &method, &headers, session.is_some()).await? {
        Ok(share) => share,
        Err(closed) => return Ok(closed),
    };
    let base = state.base_url(&headers);
    Ok((
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff"), (header::REFERRER_POLICY, "no-referrer")],
        // In the client's language: what their form was read in, else the agency's.
        Html(app::language::for_reader_now(share.language(), || render(&share, &base))),
    )
        .into_response())
}

/// `GET /p/{token}/presentation.pdf`: the presentation as a PDF.
pub async fn pdf(
    State(state): State<AppState>,
    Path(token): Path<String>,
    method: Method,
    headers: HeaderMap,
    session: Option<Extension<Authenticated>>,
) -> Result<Response, InWords> {
    let share = match opened(&state, &token, &method, &headers, session.is_some()).await? {
        Ok(share) => share,
        Err(closed) => return Ok(closed),
    };
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

/// A presentation made: where the client opens it.
#[derive(Serialize, ToSchema)]
pub struct Made {
    id: i64,
    share_url: String,
    pdf_url: String,
    /// The listings' titles, in order.
    listings: Vec<String>,
    /// When the link stops opening, in words; none: until withdrawn.
    expires: Option<String>,
}

/// `POST /api/v1/presentations`: the share URL and the PDF URL of a new presentation.
#[utoipa::path(post, path = "/presentations", summary = "Make a presentation",
    description = "Needs an admin key. The PDF and share page of one or more listings, for a deal's client or on their own. The agent card is agent_id's, else the deal owner's.",
    request_body = NewPresentation,
    responses(
        (status = 201, description = "Made.", body = Made),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn create_presentation(State(state): State<AppState>, AdminKey(key): AdminKey, headers: HeaderMap, body: Json<NewPresentation>) -> Result<(StatusCode, axum::Json<Made>), AppError> {
    let actor = Actor::api_key(&key.name);
    let row = app::presentations::service::create(&state.db, &state.notifier, &actor, &body.value).await?;
    let view = app::presentations::service::view(&state.db, &state.base_url(&headers), "UTC", row).await?;
    Ok((StatusCode::CREATED, axum::Json(Made { id: view.id, share_url: view.share_url, pdf_url: view.pdf_url, listings: view.titles, expires: view.expires })))
}

/// `DELETE /api/v1/presentations/{id}`: withdraws the share link.
#[utoipa::path(delete, path = "/presentations/{id}", summary = "Withdraw a presentation's link", description = "Needs an admin key.",
    params(IdParam),
    responses(
        (status = 204, description = "The link no longer opens."),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn revoke_presentation(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id) -> Result<StatusCode, AppError> {
    app::presentations::service::revoke(&state.db, &state.notifier, &Actor::api_key(&key.name), id).await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The share page, written with Leptos's view macro, which escapes every value it is given.
fn render(share: &Share, base: &str) -> String {
    use app::properties::photos::media_url;
    // Checked again here: it goes into a style sheet.
    let brand = app::agency::parse_color(&share.agency.brand_color).unwrap_or_else(|_| "#1f5f8b".into());
    let style = format!("{STYLE}header.brand,.brandbg{{background:{brand}}}.price{{color:{brand}}}.pdf{{color:{brand}}}");
    let first_name = share.client.as_ref().map(|c| service::first_name(&c.name).to_owned()).filter(|n| !n.is_empty());
    let heading = match (share.listings.as_slice(), &share.client) {
        ([one], _) => one.property.title.clone(),
        (many, Some(c)) => t_with("share-selected-for", &[("count", many.len().into()), ("client", c.name.as_str().into())]),
        (many, None) => t_with("share-selected", &[("count", many.len().into())]),
    };
    let agency = share.agency.name.clone();
    let agent = share.agent.clone();
    let several = share.listings.len() > 1;
    let logo = share.agency.logo_key.as_deref().map(|key| view! { <img class="logo" src=media_url(key) alt=agency.clone()/> });
    let hero = share.listings.iter().find_map(|l| l.photos.first()).map(|photo| view! { <img class="hero" src=media_url(&photo.display_key) alt=""/> });
    let prepared = first_name.map(|name| view! { <p class="muted">{t_with("share-prepared-for", &[("client", name.as_str().into()), ("agent", agent.name.as_str().into())])}</p> });
    let side_by_side = several.then(|| {
        let cells: Vec<Vec<String>> = share.listings.iter().map(|l| service::compared(&l.property)).collect();
        view! {
            <section><h2>{t("presentations-pdf-side-by-side")}</h2><div class="scroll"><table>
                <tr><th></th>{share.listings.iter().map(|l| view! { <th>{l.property.title.clone()}</th> }).collect_view()}</tr>
                {app::presentations::pdf::COMPARED.iter().enumerate().map(|(row, label)| view! {
                    <tr><th>{t(label)}</th>{cells.iter().map(|c| view! { <td>{c[row].clone()}</td> }).collect_view()}</tr>
                }).collect_view()}
            </table></div></section>
        }
    });
    let listings = share.listings.iter().enumerate().map(|(i, l)| {
        let p = &l.property;
        let features: Vec<String> = p.features.lines().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect();
        let description = p.description.trim().to_owned();
        view! {
            <section id=format!("listing-{}", i + 1)>
                {several.then(|| view! {
                    {l.photos.first().map(|photo| view! { <img class="hero" src=media_url(&photo.display_key) alt="" loading="lazy"/> })}
                    <h2>{p.title.clone()}</h2>
                })}
                <p class="price">{service::price_text(p)}</p>
                <p class="muted">{t_with("share-listing-line", &[("kind", service::kind_text(p).into()), ("place", service::place_text(p).into()), ("reference", p.reference.as_str().into())])}</p>
                <dl>{service::facts(p).into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}</dl>
                {(!description.is_empty()).then(|| view! { <p class="desc">{description}</p> })}
                {(!features.is_empty()).then(|| view! { <ul>{features.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}</ul> })}
                {(l.photos.len() > 1).then(|| view! {
                    <div class="photos">
                        {l.photos[1..].iter().map(|photo| view! {
                            <img src=media_url(&photo.display_key) width=photo.width.to_string() height=photo.height.to_string() alt="" loading="lazy"/>
                        }).collect_view()}
                    </div>
                })}
            </section>
        }
    }).collect_view();
    let whatsapp = agent.phone.as_deref().map(|phone| {
        let about = match share.listings.as_slice() {
            [one] => t_with("share-whatsapp-one", &[("agent", service::first_name(&agent.name).into()), ("title", one.property.title.as_str().into()), ("reference", one.property.reference.as_str().into())]),
            _ => t_with("share-whatsapp-many", &[("agent", service::first_name(&agent.name).into())]),
        };
        let who = Some(service::first_name(&agent.name).to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| t("share-the-agent"));
        view! { <a class="button wa" href=app::deals::pages::wa_link(phone, &about)>{t_with("share-whatsapp-button", &[("agent", who.into())])}</a> }
    });
    let call = agent.phone.clone().map(|phone| view! { <a href=format!("tel:{phone}")>{phone.clone()}</a> });
    let body = view! {
        <body><main>
            <header class="brand">{agency.clone()}</header>
            {logo}
            {hero}
            <section><h1>{heading.clone()}</h1>{prepared}</section>
            {side_by_side}
            {listings}
            <div class="actions">
                {whatsapp}
                <a class="button pdf" href=service::pdf_url(base, &share.presentation.token)>{t("share-download")}</a>
            </div>
            <section class="agent">
                <h2>{t("presentations-pdf-your-agent")}</h2>
                <strong>{agent.name.clone()}</strong>
                <span>{agency}</span>
                {call}
                <a href=format!("mailto:{}", agent.email)>{agent.email.clone()}</a>
            </section>
        </main></body>
    };
    // The head by hand: a title is raw text, where the view's markers between text nodes
    // would show. Its two values are escaped by the same crate the view uses.
    let title = html_escape::encode_text(&heading);
    let quoted = html_escape::encode_double_quoted_attribute(&heading);
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><meta property=\"og:title\" content=\"{quoted}\"><style>{style}</style></head>{}</html>",
        body.to_html(),
        lang = app::language::current().code()
    )
}
