//! Capture: the public form, `GET /f/{slug}` and `POST /f/{slug}`, plain server-rendered HTML
//! that works without JavaScript (a few lines of inline script add inline validation), so it
//! is fast on a slow phone and cheap to serve; and for tools, `POST /api/v1/leads` (capture
//! or admin keys, with `Idempotency-Key`) and `/api/v1/forms` (admin keys).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::agency::Agency;
use app::auth::api::guard::ClientIp;
use app::apikeys::service as keys;
use app::capture::{service, Accepted, FormInput, FormSummary, LeadInput, Need};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use app::db::entities::capture_form;
use app::error::AppError;
use app::language::Language;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::get;
use axum::Router;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::api::{BadRequest, BodyErrors, Gone, IdParam, KeyErrors, NotFound, TooMany, Unauthorised};
use super::extract::{AdminKey, CaptureKey, Id, Json};
use super::form_body;
use leptos::prelude::*;
use super::Routes;

/// Public capture forms take small bodies; anything larger is refused with 413.
const BODY_LIMIT: usize = 16 * 1024;

/// The form is public: no session, and posts from other sites are expected (a form on the
/// agency's own site), so it sits outside the session and same-origin layers.
pub fn routes(app: &AppState, limit: CaptureLimit) -> Routes {
    let limiter = std::sync::Arc::new(RateLimiter::new(limit, &app.db));
    let public = Router::new()
        .route("/f/{slug}", get(show).post(submit))
        .route("/f/{slug}/thanks", get(thanks))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(CaptureState { app: app.clone(), limiter });
    Routes {
        public,
        api: OpenApiRouter::new().routes(routes!(post_lead)).routes(routes!(list_forms, create_form)).routes(routes!(update_form)),
        ..Routes::default()
    }
}

/// Submissions faster than this after the page was served are taken for a bot.
pub const MIN_FILL: Duration = Duration::from_secs(3);

/// Submissions allowed per address per form within `window`.
#[derive(Clone, Copy, Debug)]
pub struct CaptureLimit {
    pub max: u32,
    pub window: Duration,
}

impl Default for CaptureLimit {
    fn default() -> Self {
        CaptureLimit { max: 10, window: Duration::from_secs(600) }
    }
}

/// A per-address, per-form counter with a fixed window. On PostgreSQL it lives in the
/// database, so every instance behind a balancer counts against one budget; on SQLite (one
/// server) in memory.
pub struct RateLimiter {
    limit: CaptureLimit,
    shared: Option<DatabaseConnection>,
    windows: Mutex<HashMap<(i64, String), (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: CaptureLimit, db: &DatabaseConnection) -> Self {
        let shared = (db.get_database_backend() == DbBackend::Postgres).then(|| db.clone());
        RateLimiter { limit, shared, windows: Mutex::new(HashMap::new()) }
    }

    /// `Ok` when the submission may go ahead, else how long until the window resets.
    pub async fn check(&self, form_id: i64, ip: &str) -> Result<(), Duration> {
        match &self.shared {
            Some(db) => match self.check_shared(db, form_id, ip).await {
                Ok(verdict) => verdict,
                // The database is what takes the lead too: if it cannot count, the lead's own
                // insert answers for it.
                Err(err) => {
                    tracing::warn!(%err, "the shared capture rate limit could not be read; letting the submission through");
                    Ok(())
                }
            },
            None => self.check_here(form_id, ip),
        }
    }

    fn check_here(&self, form_id: i64, ip: &str) -> Result<(), Duration> {
        let now = Instant::now();
        // A poisoned lock only means another request panicked; the counts are still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.limit.window);
        }
        let entry = windows.entry((form_id, ip.to_owned())).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.limit.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.limit.max {
            Err(self.limit.window.saturating_sub(now.duration_since(entry.0)))
        } else {
            Ok(())
        }
    }

    /// One statement counts the submission and reads the count back, atomically however
    /// many instances race (the upsert locks the row); the database's clock is the one clock.
    async fn check_shared(&self, db: &DatabaseConnection, form_id: i64, ip: &str) -> Result<Result<(), Duration>, sea_orm::DbErr> {
        const COUNT: &str = "INSERT INTO rate_windows (key, started_at, hits) VALUES ($1, now(), 1) \
            ON CONFLICT (key) DO UPDATE SET \
              hits = CASE WHEN rate_windows.started_at <= now() - make_interval(secs => $2) THEN 1 ELSE rate_windows.hits + 1 END, \
              started_at = CASE WHEN rate_windows.started_at <= now() - make_interval(secs => $2) THEN now() ELSE rate_windows.started_at END \
            RETURNING hits, CEIL(EXTRACT(EPOCH FROM started_at + make_interval(secs => $2) - now()))::bigint AS wait";
        let window = self.limit.window.as_secs_f64();
        let key = format!("capture:{form_id}:{ip}");
        let row = db.query_one_raw(Statement::from_sql_and_values(DbBackend::Postgres, COUNT, [key.into(), window.into()])).await?;
        let Some(row) = row else { return Ok(Ok(())) };
        let hits: i32 = row.try_get("", "hits")?;
        let wait: i64 = row.try_get("", "wait")?;
        if hits == 1 && rand::random::<u8>() == 0 {
            // Now and then, a new window sweeps away the ones long over.
            let sweep = "DELETE FROM rate_windows WHERE started_at < now() - make_interval(secs => $1)";
            db.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, sweep, [window.into()])).await?;
        }
        if hits as u32 > self.limit.max {
            Ok(Err(Duration::from_secs(wait.max(1) as u64)))
        } else {
            Ok(Ok(()))
        }
    }
}

#[derive(Clone)]
pub struct CaptureState {
    pub app: AppState,
    pub limiter: std::sync::Arc<RateLimiter>,
}

/// Lets the sites the form lists (any site, when it lists none) show the answer in a frame.
fn framed(mut response: Response, form: &capture_form::Model) -> Response {
    let sites = form.embed_sites.trim();
    let sources = if sites.is_empty() { "*".to_owned() } else { sites.to_owned() };
    response.extensions_mut().insert(super::access::FrameAncestors(sources));
    response
}

/// The language a prospect reads `form` in: the form's own, or for an automatic form (and
/// where there is no form) the first of the browser's languages that Doorstep speaks, else
/// English.
fn language_of(form: Option<&capture_form::Model>, headers: &HeaderMap) -> Language {
    form.and_then(|f| Language::parse(&f.language))
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Language::negotiate))
        .unwrap_or_default()
}

/// A page that only says something: a heading and a sentence, by their message keys.
fn notice(status: StatusCode, language: &Language, title: &str, key: &str) -> Response {
    let body = view! { <h1>{language.t(&format!("{key}-title"))}</h1><p>{language.t(&format!("{key}-body"))}</p> }.to_html();
    page(status, language, title, &body)
}

async fn load_form(app: &AppState, slug: &str, headers: &HeaderMap) -> Result<(capture_form::Model, Language), Response> {
    match service::find_form(&app.db, slug).await {
        Ok(form) if form.active => {
            let language = language_of(Some(&form), headers);
            Ok((form, language))
        }
        Ok(form) => Err(framed(notice(StatusCode::GONE, &language_of(Some(&form), headers), &form.title, "capture-closed"), &form)),
        Err(AppError::NotFound) => {
            let language = language_of(None, headers);
            Err(notice(StatusCode::NOT_FOUND, &language, &language.t("capture-not-found-title"), "capture-not-found"))
        }
        Err(_) => {
            let language = language_of(None, headers);
            Err(notice(StatusCode::SERVICE_UNAVAILABLE, &language, &language.t("capture-unavailable-title"), "capture-unavailable"))
        }
    }
}

pub async fn show(
    State(state): State<CaptureState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (form, language) = match load_form(&state.app, &slug, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    // The page that linked here (the listing, the agency's site) is the lead's referrer.
    let referrer = query
        .get("referrer")
        .cloned()
        .or_else(|| headers.get(header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_owned))
        .unwrap_or_default();
    let mut input = LeadInput { referrer, ..Default::default() };
    for (key, slot) in [
        ("utm_source", &mut input.utm_source),
        ("utm_medium", &mut input.utm_medium),
        ("utm_campaign", &mut input.utm_campaign),
        ("utm_term", &mut input.utm_term),
        ("utm_content", &mut input.utm_content),
        ("ref", &mut input.property_ref),
    ] {
        if let Some(value) = query.get(key) {
            *slot = value.clone();
        }
    }
    let shown = Shown { agency: &agency(&state.app).await, form: &form, language: &language };
    framed(render(&state.app, &shown, &input, &AppError::Validation(Default::default()), StatusCode::OK), &form)
}

pub async fn submit(
    State(state): State<CaptureState>,
    Path(slug): Path<String>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (form, language) = match load_form(&state.app, &slug, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let response = take(&state, &form, &language, ip, &headers, &body).await;
    framed(response, &form)
}

/// A submission to an open form: refused, blocked as spam, or stored.
async fn take(state: &CaptureState, form: &capture_form::Model, language: &Language, ip: String, headers: &HeaderMap, body: &Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return notice(StatusCode::UNSUPPORTED_MEDIA_TYPE, language, &form.title, "capture-unsupported");
    }
    let agency = agency(&state.app).await;
    let shown = Shown { agency: &agency, form, language };
    let unreadable = |reason: String| {
        let message = language.t_with("capture-unreadable", &[("reason", reason.into())]);
        render(&state.app, &shown, &LeadInput::default(), &AppError::field("form", message), StatusCode::UNPROCESSABLE_ENTITY)
    };
    let fields = match form_body::parse(body) {
        Ok(fields) => fields,
        Err(reason) => return unreadable(reason.to_string()),
    };
    // The form's own fields (the trap and the timing token) are not the lead's: ignored here.
    let pairs = fields.iter().map(|(name, value)| (name.as_str(), value.as_str()));
    let read: Result<LeadInput, serde::de::value::Error> = LeadInput::deserialize(serde::de::value::MapDeserializer::new(pairs));
    let mut input = match read {
        Ok(input) => input,
        Err(err) => return unreadable(err.to_string()),
    };
    // The address names the form; the prospect's language is the one they read it in.
    input.form = form.slug.clone();
    input.language = language.code();

    if let Err(wait) = state.limiter.check(form.id, &ip).await {
        app::metrics::rate_limited();
        let _ = service::count_spam(&state.app.db, form.id).await;
        let mut response = notice(StatusCode::TOO_MANY_REQUESTS, language, &form.title, "capture-too-many");
        let seconds = wait.as_secs().max(1).to_string();
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    if is_bot(&state.app, &fields) {
        tracing::info!(form_id = form.id, %ip, "blocked a submission as spam");
        app::metrics::spam_blocked();
        let _ = service::count_spam(&state.app.db, form.id).await;
        // The bot is told it worked, so it learns nothing.
        return thanks_redirect(form);
    }
    match state.app.intake.submit_in(form, &input, &agency.default_region, &format!("form:{}", form.slug), language).await {
        Ok(accepted) => {
            tracing::info!(form_id = form.id, deal_id = accepted.deal_id, outcome = accepted.outcome.as_str(), "lead captured");
            thanks_redirect(form)
        }
        Err(err @ AppError::Validation(_)) => render(&state.app, &shown, &input, &err, StatusCode::UNPROCESSABLE_ENTITY),
        Err(err) => {
            let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // A full disk or a database away is said in the form's language, though the
            // writer that met it knew none.
            let message = err.in_language(language);
            let mut response = render(&state.app, &shown, &input, &AppError::field("form", message), status);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(app::error::RETRY_AFTER_SECONDS));
            }
            response
        }
    }
}

/// The honeypot was filled in, or the form came back faster than a person can type, or
/// without the token the page carries.
fn is_bot(app: &AppState, fields: &HashMap<String, String>) -> bool {
    if fields.get("website").is_some_and(|v| !v.trim().is_empty()) {
        return true;
    }
    let served_at = fields
        .get("t")
        .and_then(|t| app::auth::session::verify(&app.cookie_secret, t))
        .and_then(|millis| millis.parse::<i64>().ok());
    match served_at {
        Some(millis) => chrono::Utc::now().timestamp_millis() - millis < MIN_FILL.as_millis() as i64,
        None => true,
    }
}

fn thanks_redirect(form: &capture_form::Model) -> Response {
    match &form.redirect_url {
        Some(url) => Redirect::to(url).into_response(),
        None => Redirect::to(&format!("/f/{}/thanks", form.slug)).into_response(),
    }
}

pub async fn thanks(State(state): State<CaptureState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    match service::find_form(&state.app.db, &slug).await {
        Ok(form) => {
            let body = view! { <h1>{form.title.clone()}</h1><p class="thanks">{form.thank_you_text.clone()}</p> }.to_html();
            framed(page(StatusCode::OK, &language_of(Some(&form), &headers), &form.title, &body), &form)
        }
        Err(_) => {
            let language = language_of(None, &headers);
            notice(StatusCode::NOT_FOUND, &language, &language.t("capture-not-found-title"), "capture-not-found")
        }
    }
}

const STYLE: &str = "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b2327;background:#f4f6f7}\
main{max-width:480px;margin:0 auto;padding:1.25rem 1rem 2rem}h1{font-size:1.45rem;line-height:1.2;margin:.25rem 0 .5rem}\
.agency{color:#1f4e5f;font-weight:700;text-transform:uppercase;letter-spacing:.05em;font-size:.8rem}\
form{display:flex;flex-direction:column;gap:.3rem}label{font-weight:600;margin-top:.6rem}\
input,select,textarea{width:100%;box-sizing:border-box;min-height:48px;padding:.6rem .75rem;font:inherit;border:1px solid #b9c4c9;border-radius:8px;background:#fff}\
textarea{min-height:96px}input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #8fc1d0;outline-offset:1px}\
[aria-invalid=true]{border-color:#b3261e}.err{color:#b3261e;font-size:.92rem;margin:0}.err:empty{display:none}\
.formerr{background:#fbeaea;color:#b3261e;border-radius:8px;padding:.6rem .8rem}\
.row{display:flex;gap:.5rem;align-items:flex-end}.row>div{flex:1;display:flex;flex-direction:column;gap:.3rem}\
.consent{display:flex;gap:.6rem;align-items:flex-start;font-weight:400;font-size:.95rem}.consent input{width:24px;min-height:24px;height:24px;flex:none;margin-top:2px}\
button{margin-top:1rem;min-height:52px;font:inherit;font-weight:700;color:#fff;background:#1f4e5f;border:0;border-radius:8px;cursor:pointer}\
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}.hint{color:#5d6b72;font-size:.9rem}.thanks{font-size:1.1rem}";

/// Inline validation once JavaScript runs; the server checks everything again regardless.
/// The messages are the form's own `data-*` attributes, in the page's language, so the
/// script (and the policy's hash of it) is the same in every language.
const SCRIPT: &str = r#"(function(){var f=document.getElementById('lead');if(!f)return;var d=f.dataset;
function msg(n,t){var e=document.getElementById('err-'+n);var i=f.elements[n];if(e)e.textContent=t||'';if(i&&i.setAttribute)i.setAttribute('aria-invalid',t?'true':'false');return !t}
function check(n){var v=function(k){return f.elements[k]?f.elements[k].value.trim():''};
if(n==='name')return msg('name',v('name')?'':d.errName);
if(n==='email'){var e=v('email');if(e&&!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e))return msg('email',d.errEmail);msg('email','');return check('phone')}
if(n==='phone'){var p=v('phone');if(!p&&!v('email'))return msg('phone',d.errReach);if(p&&!/^[+0-9 ().-]{6,}(\s*(x|ext\.?|#)\s*[0-9]{1,7})?$/i.test(p))return msg('phone',d.errPhone);return msg('phone','')}
return true}
['name','phone','email'].forEach(function(n){var i=f.elements[n];if(i)i.addEventListener('blur',function(){check(n)})});
f.addEventListener('submit',function(ev){var ok=['name','phone','email'].map(check).every(Boolean);if(!ok){ev.preventDefault();var bad=f.querySelector('[aria-invalid=true]');if(bad)bad.focus()}else{var b=f.querySelector('button');if(b){b.disabled=true;b.textContent=d.sending}}})})();"#;

/// The policy's name for `SCRIPT`, the one inline script a page without a nonce may run.
pub static SCRIPT_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use base64::Engine as _;
    use sha2::Digest as _;
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SCRIPT.as_bytes())))
});

/// A page of the public form: `body` is HTML (a view's, or fixed text). The head is written by
/// hand because a title is raw text, where a view's markers between text nodes would show.
/// A small page of its own, in the public pages' style, for what is not a form.
pub(super) fn page(status: StatusCode, language: &Language, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><meta name=\"robots\" content=\"noindex\"><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        language.code(),
        html_escape::encode_text(title)
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What a form page is shown with: the agency above it, the form, and the language it speaks.
struct Shown<'a> {
    agency: &'a Agency,
    form: &'a capture_form::Model,
    language: &'a Language,
}

/// The form, with what was typed and a message under each field that needs fixing, in the
/// form's language, written with Leptos's view macro, which escapes every value it is given.
fn render(app: &AppState, shown: &Shown, input: &LeadInput, errors: &AppError, status: StatusCode) -> Response {
    let Shown { agency, form, language } = *shown;
    let t = |key: &str| language.t(key);
    let settings = service::settings_of(form);
    let err = |field: &str| errors.field_message(field).unwrap_or_default();
    let invalid = |field: &str| errors.field_message(field).is_some().then_some("true");
    let token = app::auth::session::sign(&app.cookie_secret, &chrono::Utc::now().timestamp_millis().to_string());
    let need = Need::parse(&input.need).unwrap_or(settings.default_need);
    let has_field_errors = matches!(errors, AppError::Validation(map) if !map.is_empty());
    let banner = match errors.field_message("form") {
        Some(message) => Some(message),
        None if has_field_errors => Some(t("capture-check-fields")),
        None => None,
    };
    let currency = settings.currency.clone();
    let budget = settings.show_budget.then(|| view! {
        <div class="row">
            <div>
                <label for="budget_min">{language.t_with("capture-budget-from", &[("currency", currency.clone().into())])}</label>
                <input id="budget_min" name="budget_min" inputmode="numeric" placeholder="200000" value=input.budget_min.clone() aria-invalid=invalid("budget_min")/>
                <p class="err" id="err-budget_min">{err("budget_min")}</p>
            </div>
            <div>
                <label for="budget_max">{language.t_with("capture-budget-to", &[("currency", currency.clone().into())])}</label>
                <input id="budget_max" name="budget_max" inputmode="numeric" placeholder="350000" value=input.budget_max.clone() aria-invalid=invalid("budget_max")/>
                <p class="err" id="err-budget_max">{err("budget_max")}</p>
            </div>
        </div>
    });
    let move_in = settings.show_move_in.then(|| view! {
        <label for="move_in">{t("capture-move-in")}</label>
        <input id="move_in" name="move_in" type="date" value=input.move_in.clone() aria-invalid=invalid("move_in")/>
        <p class="err" id="err-move_in">{err("move_in")}</p>
    });
    let property_ref = if settings.show_property_ref {
        Some(view! {
            <label for="property_ref">{t("capture-property-ref")}</label>
            <input id="property_ref" name="property_ref" maxlength="50" value=input.property_ref.clone() aria-invalid=invalid("property_ref")/>
            <p class="err" id="err-property_ref">{err("property_ref")}</p>
        }.into_any())
    } else {
        (!input.property_ref.is_empty()).then(|| view! { <input type="hidden" name="property_ref" value=input.property_ref.clone()/> }.into_any())
    };
    // A textarea's content is raw text too: escaped here rather than marked by the view.
    let message = settings.show_message.then(|| view! {
        <label for="message">{t("capture-message")}</label>
        <textarea id="message" name="message" maxlength="2000" aria-invalid=invalid("message") inner_html=html_escape::encode_text(&input.message).into_owned()></textarea>
        <p class="err" id="err-message">{err("message")}</p>
    });
    let consent = settings.show_consent.then(|| view! {
        <label class="consent"><input type="checkbox" name="consent" value="yes" checked=input.consent/><span>{settings.consent_text.clone()}</span></label>
    });
    let carried = [
        ("utm_source", &input.utm_source),
        ("utm_medium", &input.utm_medium),
        ("utm_campaign", &input.utm_campaign),
        ("utm_term", &input.utm_term),
        ("utm_content", &input.utm_content),
        ("referrer", &input.referrer),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(name, value)| view! { <input type="hidden" name=name value=value.clone()/> })
    .collect_view();
    let body = view! {
        <p class="agency">{agency.name.clone()}</p>
        <h1>{settings.title.clone()}</h1>
        {(!settings.intro.is_empty()).then(|| view! { <p class="hint">{settings.intro.clone()}</p> })}
        {banner.map(|message| view! { <p class="formerr" role="alert">{message}</p> })}
        <form id="lead" method="post" action=format!("/f/{}", settings.slug) novalidate
            data-err-name=t("capture-error-name") data-err-email=t("email-error-incomplete") data-err-reach=t("capture-error-reach")
            data-err-phone=t("phone-error-characters") data-sending=t("capture-sending")>
            <label for="name">{t("capture-your-name")}</label>
            <input id="name" name="name" autocomplete="name" required maxlength="100" value=input.name.clone() aria-invalid=invalid("name")/>
            <p class="err" id="err-name">{err("name")}</p>
            <label for="phone">{t("capture-mobile")}</label>
            <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="40" value=input.phone.clone() aria-invalid=invalid("phone")/>
            <p class="err" id="err-phone">{err("phone")}</p>
            <label for="email">{t("capture-email")}</label>
            <input id="email" name="email" type="email" inputmode="email" autocomplete="email" maxlength="254" value=input.email.clone() aria-invalid=invalid("email")/>
            <p class="err" id="err-email">{err("email")}</p>
            <label for="need">{t("capture-need")}</label>
            <select id="need" name="need">
                {Need::ALL.into_iter().map(|n| view! { <option value=n.as_str() selected=n == need>{t(n.label_key())}</option> }).collect_view()}
            </select>
            <p class="err" id="err-need">{err("need")}</p>
            {budget}
            {move_in}
            {property_ref}
            {message}
            {consent}
            {carried}
            <input type="hidden" name="t" value=token/>
            <div class="hp" aria-hidden="true">
                <label for="website">{t("capture-leave-empty")}</label>
                <input id="website" name="website" tabindex="-1" autocomplete="off"/>
            </div>
            <button type="submit">{t("capture-send")}</button>
        </form>
        <script inner_html=SCRIPT></script>
    };
    page(status, language, &settings.title, &body.to_html())
}

pub async fn agency(app: &AppState) -> Agency {
    app::agency::load(&app.db).await.unwrap_or_else(|_| Agency::unnamed())
}

/// What a tool may send with a lead.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct LeadHeaders {
    /// Makes retries safe: a retry with the same key gets the first answer and creates nothing.
    #[param(rename = "Idempotency-Key", value_type = String, required = false, max_length = 200)]
    idempotency_key: Option<String>,
}

/// `POST /api/v1/leads`. With an `Idempotency-Key` header, a retry gets the first answer and
/// creates nothing; the same key with a different body is refused.
#[utoipa::path(post, path = "/leads", summary = "Send a lead",
    description = "Needs a capture or admin key. The form's rules (assignment, currency) apply. Send an Idempotency-Key header to make retries safe.",
    params(LeadHeaders), request_body = LeadInput,
    responses(
        (status = 201, description = "Accepted: a new lead, a returning lead joined to its open deal, or a resubmission that created nothing.", body = Accepted),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorised), (status = 410, response = Gone), (status = 429, response = TooMany), BodyErrors,
    ))]
pub async fn post_lead(State(state): State<AppState>, CaptureKey(key): CaptureKey, headers: HeaderMap, body: Json<LeadInput>) -> Result<Response, AppError> {
    let idempotency = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let Json { value: input, bytes } = body;
    let answer = keys::answer_once(&state.db, key.id, idempotency, &bytes, || async {
        let form = match service::find_form(&state.db, &input.form).await {
            Ok(form) if form.active => form,
            Ok(_) => return Err(AppError::Gone("This form is inactive; activate it or use another.".into())),
            Err(AppError::NotFound) => return Err(AppError::field("form", "No capture form has this slug.")),
            Err(err) => return Err(err),
        };
        let agency = agency(&state).await;
        let accepted: Accepted = state.intake.submit(&form, &input, &agency.default_region, &format!("api:{}", key.name)).await?;
        Ok((StatusCode::CREATED.as_u16(), serde_json::to_string(&accepted).map_err(|_| AppError::Internal)?))
    })
    .await?;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], answer.body).into_response();
    if answer.replayed {
        response.headers_mut().insert(HeaderName::from_static("idempotent-replay"), HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// `GET /api/v1/forms`: every capture form with its counts.
#[utoipa::path(get, path = "/forms", summary = "List capture forms", description = "Needs an admin key.",
    responses(
        (status = 200, description = "Every capture form with its counts.", body = Vec<FormSummary>),
        KeyErrors,
    ))]
pub async fn list_forms(State(state): State<AppState>, _key: AdminKey, headers: HeaderMap) -> Result<axum::Json<Vec<FormSummary>>, AppError> {
    Ok(axum::Json(service::list_forms(&state.db, &state.base_url(&headers)).await?))
}

async fn save_form(state: AppState, headers: HeaderMap, request: FormInput, id: Option<i64>) -> Result<(StatusCode, axum::Json<FormSummary>), AppError> {
    let row = service::save_form(&state.db, id, &request.settings()?).await?;
    let status = if id.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, axum::Json(service::summary_of(&row, &state.base_url(&headers)))))
}

/// `POST /api/v1/forms`: a new capture form.
#[utoipa::path(post, path = "/forms", summary = "Create a capture form", description = "Needs an admin key.", request_body = FormInput,
    responses(
        (status = 201, description = "Created.", body = FormSummary),
        KeyErrors, BodyErrors,
    ))]
pub async fn create_form(State(state): State<AppState>, _key: AdminKey, headers: HeaderMap, body: Json<FormInput>) -> Result<(StatusCode, axum::Json<FormSummary>), AppError> {
    save_form(state, headers, body.value, None).await
}

/// `PUT /api/v1/forms/{id}`: a capture form's settings, all of them.
#[utoipa::path(put, path = "/forms/{id}", summary = "Update a capture form", description = "Needs an admin key.", params(IdParam), request_body = FormInput,
    responses(
        (status = 200, description = "Saved.", body = FormSummary),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn update_form(State(state): State<AppState>, _key: AdminKey, Id(id): Id, headers: HeaderMap, body: Json<FormInput>) -> Result<(StatusCode, axum::Json<FormSummary>), AppError> {
    save_form(state, headers, body.value, Some(id)).await
}
