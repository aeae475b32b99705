//! The app shell: who is logged in, the agency's name, and navigation that sits at the bottom
//! on a phone and at the side on a wide screen.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::agency::Agency;
use leptos::server_fn::ServerFn;

use crate::auth::api::{agency_info, current_user, Logout};
use crate::auth::{Role, SessionUser};
use crate::error::AppError;
use crate::language::{t, t_with};

/// Loaded once per page load: log-in and log-out are full page loads, so this cannot go stale.
#[derive(Clone, Copy)]
pub struct SessionContext {
    pub user: OnceResource<Result<Option<SessionUser>, AppError>>,
    pub agency: OnceResource<Result<Agency, AppError>>,
}

#[component]
pub fn App() -> impl IntoView {
    let session = SessionContext {
        user: OnceResource::new_blocking(current_user()),
        agency: OnceResource::new_blocking(agency_info()),
    };
    provide_context(session);
    let live = LiveNotices { arrivals: RwSignal::new(0), last: RwSignal::new(None), deal_changes: RwSignal::new(0), last_deal: RwSignal::new(None) };
    provide_context(live);
    listen_for_notices(session, live);
    view! { <crate::AppRoutes/> }
}

/// Notifications arriving live for the logged-in user: `arrivals` counts them (lists refetch
/// on change) and `last` holds the newest one's title.
#[derive(Clone, Copy)]
pub struct LiveNotices {
    pub arrivals: RwSignal<u32>,
    pub last: RwSignal<Option<String>>,
    /// Counts deal changes heard; the deal and list pages reload when it moves.
    pub deal_changes: RwSignal<u32>,
    pub last_deal: RwSignal<Option<crate::notifications::DealEvent>>,
}

/// Opens one stream of the user's notifications per page load, once someone is logged in.
fn listen_for_notices(session: SessionContext, live: LiveNotices) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        if !matches!(session.user.get(), Some(Ok(Some(_)))) {
            return;
        }
        // The stream says whether anything happened since the server rendered this page.
        let rendered = document().body().and_then(|b| b.get_attribute("data-rendered")).unwrap_or_default();
        let Ok(source) = web_sys::EventSource::new(&format!("/events?rendered={rendered}")) else { return };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let notice = event.data().as_string().and_then(|d| serde_json::from_str::<crate::notifications::Notice>(&d).ok());
            if let Some(notice) = notice {
                live.last.set(Some(notice.title));
            }
            live.arrivals.update(|n| *n += 1);
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // What happened between the render and the stream opening (or reopening, after the
        // network dropped or the server restarted): the lists concerned load again. Only
        // then, so a quiet page is not rendered twice on a slow phone.
        let on_missed = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let what = event.data().as_string().unwrap_or_default();
            if what != "deals" {
                live.arrivals.update(|n| *n += 1);
            }
            if what != "notices" {
                live.deal_changes.update(|n| *n += 1);
            }
        });
        let _ = source.add_event_listener_with_callback("missed", on_missed.as_ref().unchecked_ref());
        on_missed.forget();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-live", "open");
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_deal = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let change = event.data().as_string().and_then(|d| serde_json::from_str::<crate::notifications::DealEvent>(&d).ok());
            live.last_deal.set(change);
            live.deal_changes.update(|n| *n += 1);
        });
        let _ = source.add_event_listener_with_callback("deal", on_deal.as_ref().unchecked_ref());
        // All live as long as the page: the browser closes the stream when it unloads.
        on_deal.forget();
        on_message.forget();
        std::mem::forget(source);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (session, live);
}

struct NavItem {
    href: &'static str,
    /// The key of its name in the languages.
    label: &'static str,
    icon: &'static str,
    role: Role,
}

// Stroke icons (24x24 paths): phones without emoji fonts still show them.
const ICON_HOME: &str = "M3 11 12 4l9 7M5 10v10h5v-6h4v6h5V10";
const ICON_USERS: &str = "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21a7 7 0 0 1 14 0M16 3.5a4 4 0 0 1 0 7.5M18 14.5a6 6 0 0 1 4 6.5";
const ICON_FORMS: &str = "M9 3h6v3H9zM7 4.5H5V21h14V4.5h-2M8.5 11h7M8.5 15h5";
const ICON_PIPELINE: &str = "M4 5h4v14H4zM10 5h4v9h-4zM16 5h4v5h-4z";
const ICON_STAGES: &str = "M4 6h16M4 12h10M4 18h6";
const ICON_LISTINGS: &str = "M3 21h18M5 21V10l7-5 7 5v11M9 21v-5h6v5M10 11h4";
const ICON_PLANS: &str = "M12 7v5l3 2M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z";
const ICON_DATA: &str = "M12 3v12M7 10l5 5 5-5M4 17v3h16v-3";
const ICON_TEMPLATES: &str = "M4 5h16v11H9l-5 4zM8 9h8M8 12h5";
const ICON_KEY: &str = "M14 10a4 4 0 1 0-3.5 3.97L10 14v3h3v3h3l1-1v-3.5";
const ICON_AGENCY: &str = "M4 21V8l8-5 8 5v13M9 21v-6h6v6M4 21h16";
const ICON_REPORTS: &str = "M4 20V11M10 20V5M16 20v-6M21 20H3";
const ICON_LOGOUT: &str = "M14 4h5v16h-5M10 16l-4-4 4-4M6 12h11";

fn icon(path: &'static str) -> impl IntoView {
    view! {
        <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor"
            stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d=path/>
        </svg>
    }
}

/// Only pages that exist; each shown to the roles that may open it.
const NAV: &[NavItem] = &[
    NavItem { href: "/", label: "nav-today", icon: ICON_HOME, role: Role::Agent },
    NavItem { href: "/pipeline", label: "nav-pipeline", icon: ICON_PIPELINE, role: Role::Agent },
    NavItem { href: "/properties", label: "nav-listings", icon: ICON_LISTINGS, role: Role::Agent },
    NavItem { href: "/reports", label: "nav-reports", icon: ICON_REPORTS, role: Role::Manager },
    NavItem { href: "/data", label: "nav-data", icon: ICON_DATA, role: Role::Manager },
    NavItem { href: "/admin/forms", label: "nav-forms", icon: ICON_FORMS, role: Role::Admin },
    NavItem { href: "/admin/stages", label: "nav-stages", icon: ICON_STAGES, role: Role::Admin },
    NavItem { href: "/admin/plans", label: "nav-plans", icon: ICON_PLANS, role: Role::Admin },
    NavItem { href: "/admin/templates", label: "nav-templates", icon: ICON_TEMPLATES, role: Role::Admin },
    NavItem { href: "/admin/users", label: "nav-users", icon: ICON_USERS, role: Role::Admin },
    NavItem { href: "/admin/api-keys", label: "nav-api", icon: ICON_KEY, role: Role::Admin },
    NavItem { href: "/admin/agency", label: "nav-agency", icon: ICON_AGENCY, role: Role::Admin },
];

/// The frame of every logged-in page.
#[component]
pub fn Shell(#[prop(into)] title: String, children: Children) -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let unread = crate::notifications::pages::unread();
    let header = move || {
        Suspend::new(async move {
            let agency_name = session.agency.await.map(|a| a.name).unwrap_or_else(|_| "Doorstep".into());
            let user = session.user.await.ok().flatten();
            let role = user.as_ref().map(|u| u.role).unwrap_or(Role::Agent);
            let links = NAV
                .iter()
                .filter(|item| role.includes(item.role))
                .map(|item| {
                    view! {
                        <A href=item.href exact=true>
                            {icon(item.icon)}
                            <span class="nav-label">{t(item.label)}</span>
                        </A>
                    }
                })
                .collect_view();
            view! {
                <header class="topbar">
                    <a class="brand" href="/">{agency_name}</a>
                    {user.is_some().then(|| view! { <crate::notifications::pages::Bell count=unread/> })}
                    {user.map(|u| view! {
                        <span class="who" data-testid="current-user">
                            <span class="who-name">{u.name}</span>
                            <span class="badge">{u.role.label()}</span>
                        </span>
                    })}
                </header>
                <nav class="nav" aria-label=t("nav-main")>
                    {links}
                    <form method="post" action=Logout::url() class="nav-logout">
                        <button type="submit">
                            {icon(ICON_LOGOUT)}
                            <span class="nav-label">{t("nav-log-out")}</span>
                        </button>
                    </form>
                </nav>
            }
        })
    };
    view! {
        <Title text=format!("{title} · Doorstep")/>
        <div class="app">
            <Suspense fallback=|| ()>{header}</Suspense>
            <main class="content">
                <h1 class="page-title">{title}</h1>
                {children()}
            </main>
        </div>
    }
}

/// Renders `children` only for users with at least `role`; others get a clear refusal (and a
/// 403 status when rendered on the server).
#[component]
pub fn RequireRole(role: Role, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) if user.role.includes(role) => children.read_value()().into_any(),
                    _ => {
                        set_status(403);
                        view! {
                            <section class="card refusal" data-testid="forbidden">
                                <h2>{t("shell-forbidden-title")}</h2>
                                <p>{t_with("shell-forbidden-body", &[("role", role.label().into())])}</p>
                                <a class="button" href="/">{t("shell-back-home")}</a>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Sets the response status while rendering on the server; nothing in the browser.
pub fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(_code) {
            response.set_status(status);
        }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text=format!("{} · Doorstep", t("shell-not-found-title"))/>
        <main class="centered">
            <section class="card">
                <h1>{t("shell-not-found-title")}</h1>
                <p>{t("shell-not-found-body")}</p>
                <a class="button" href="/">{t("shell-go-home")}</a>
            </section>
        </main>
    }
}

/// A form field's error message, if the last submission had one.
pub fn field_error<T: 'static, S>(
    value: S,
    field: &'static str,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    move || {
        value.with(|v| match v {
            Some(Err(err)) => err.field_message(field),
            _ => None,
        })
        .map(|message| view! { <p class="field-error" role="alert">{message}</p> }.into_any())
    }
}

/// The error of the last submission that belongs to no single field.
pub fn form_error<T: 'static, S>(value: S) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    S: With<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    move || {
        value.with(|v| match v {
            Some(Err(AppError::Validation(_))) | None | Some(Ok(_)) => None,
            Some(Err(err)) => Some(err.to_string()),
        })
        .map(|message| view! { <p class="form-error" role="alert">{message}</p> }.into_any())
    }
}
