//! Doorstep's application: the shared pipeline types, the pages and the server functions.
//! Server-only parts (database, services) are behind the `ssr` feature and never reach the
//! WASM build.
// The release WASM build of the deeper pages (a presentation's) needs more than the default
// 128 levels of type queries when it computes their views' layouts.
#![recursion_limit = "256"]

pub mod agency;
pub mod apikeys;
pub mod auth;
pub mod capture;
pub mod common;
pub mod deals;
pub mod error;
pub mod home;
pub mod imports;
pub mod language;
pub mod notifications;
pub mod plans;
pub mod presentations;
pub mod properties;
pub mod push;
pub mod reminders;
pub mod reports;
pub mod shell;
pub mod templates;
pub mod whatsapp;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mailer;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute};
use leptos_router::{path, SsrMode};

pub use shell::App;

/// The HTML document around the app, rendered on the server.
/// When the server rendered the page (ms since 1970, UTC): the live stream asks what happened
/// since.
fn rendered_at() -> String {
    chrono::Utc::now().timestamp_millis().to_string()
}

/// The response header by which a page tells the server's security headers the nonce its
/// scripts carry; the server takes it off and names the nonce in the page's policy instead of
/// allowing inline scripts.
pub const SCRIPT_NONCE_HEADER: &str = "x-doorstep-script-nonce";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Leptos makes a nonce for every page it renders and writes it on the scripts it adds (the
    // data of resources resolved on the server); the hydration loader below carries it too.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = axum::http::HeaderValue::from_str(&nonce) {
            response.insert_header(axum::http::HeaderName::from_static(SCRIPT_NONCE_HEADER), value);
        }
    // Provided here, above the app, so every page and component renders in it.
    #[cfg(feature = "ssr")]
    provide_context(use_context::<axum::http::request::Parts>().map(|parts| language::for_request(&parts)).unwrap_or_default());
    let lang = language::current().code();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#1f4e5f"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                // In the server-rendered head, not a leptos_meta <Stylesheet> in the app: that
                // one left the client expecting a marker the server never wrote, and every
                // page's hydration stopped there.
                <HashedStylesheet options=options.clone() id="doorstep"/>
                <AutoReload options=options.clone()/>
                <Hydration options/>
                <MetaTags/>
            </head>
            <body data-rendered=rendered_at()>
                <App/>
            </body>
        </html>
    }
}

/// The front end's file named `doorstep.<ext>`, as cargo-leptos wrote it: with its content's
/// hash in the name when it wrote its hash file (a release build), plain otherwise.
#[cfg(feature = "ssr")]
pub fn front_file(options: &LeptosOptions, ext: &str) -> String {
    let hashes = options.hash_files.then(|| std::fs::read_to_string(options.hash_file.as_ref()).ok()).flatten();
    let hash = hashes.as_deref().and_then(|text| {
        text.lines().find_map(|line| line.split_once(':').filter(|(k, _)| k.trim() == ext).map(|(_, v)| v.trim().to_owned()))
    });
    match hash {
        Some(hash) => format!("{}.{hash}.{ext}", options.output_name),
        None => format!("{}.{ext}", options.output_name),
    }
}

/// Loads the front end and hydrates the page at the browser's first idle moment, as Leptos's
/// `<HydrationScripts defer=true/>` does, but without its preload links: those start the
/// WASM's download while the page is still painting, and Lighthouse's slow-4G phone then
/// counts the whole download into the largest paint (a deal page's 2.5 s). Requested at idle,
/// after the first paint, it costs the paint nothing; the page the server wrote works in the
/// meantime, since every form posts without JavaScript.
#[component]
fn Hydration(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (js, wasm, messages) = (front_file(&options, "js"), front_file(&options, "wasm"), language::current().messages_address());
    #[cfg(not(feature = "ssr"))]
    let (js, wasm, messages) = (String::new(), String::new(), String::new());
    let pkg = options.site_pkg_dir.to_string();
    // The page's messages come beside the WASM, which carries none of its own (a phone
    // downloads only its reader's language): fetched at the same time, and the page hydrates
    // with them. Without them it stays as the server wrote it.
    let script = format!(
        "(function(){{const go=()=>Promise.all([import('/{pkg}/{js}'),fetch('{messages}').then(r=>r.ok?r.text():Promise.reject(r.status))])\
         .then(([m,t])=>m.default({{module_or_path:'/{pkg}/{wasm}'}}).then(()=>m.hydrate(t)));\
         if('requestIdleCallback' in window)requestIdleCallback(go,{{timeout:2000}});else go();}})();"
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// The routes, in one place; `server` lists them for axum with `generate_route_list`.
#[component]
pub fn AppRoutes() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <shell::NotFound/> }>
                // Whole pages, not streamed: a streamed page swaps its loaded parts in after
                // the first paint, and every swap moves what the agent is about to tap.
                <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()}/>
                <Route path=path!("/notifications") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/pipeline") view={Lazy::<PipelineRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/deals/:id") view={Lazy::<DealRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/deals/:id/chats/:token") view={Lazy::<ChatImportRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/properties") view={Lazy::<PropertiesRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/properties/new") view={Lazy::<NewPropertyRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/properties/:id") view={Lazy::<PropertyRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/reports") view={Lazy::<ReportsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/data") view={Lazy::<DataRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/data/imports/:token") view={Lazy::<ImportRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/reports/deals") view={Lazy::<DrillDownRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/stages") view={Lazy::<StagesRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/plans") view={Lazy::<PlansRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/templates") view={Lazy::<TemplatesRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/users") view={Lazy::<UsersRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/forms") view={Lazy::<FormsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/api-keys") view={Lazy::<ApiKeysRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/agency") view={Lazy::<AgencyRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// Pages whose code the browser loads when it first shows one of them (`cargo leptos
/// --split`): a phone opening Today downloads none of them. They are split in four groups,
/// each one WASM module, by who opens them: the agent's daily pages, the manager's, the
/// admin's settings, and signing in. One module per page made wasm-split cut the code that
/// pages share into a chunk per set of pages sharing it, and a deal page then instantiated
/// 222 modules, which cost a phone over a second of main thread (docs/phone.md). The server
/// renders them like any other page.
macro_rules! lazy_pages {
    ($($group:ident / $preload:ident: $pages:ident { $($route:ident => $($page:ident)::+),* $(,)? })*) => {$(
        /// The pages of one split module.
        #[derive(Clone, Copy)]
        pub enum $pages { $($route),* }

        #[leptos::wasm_split::wasm_split($group, wasm_split_path = ::leptos::wasm_split, preload(#[doc(hidden)] $preload))]
        fn $group(page: $pages) -> AnyView {
            match page {
                $($pages::$route => view! { <$($page)::+/> }.into_any(),)*
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn preload() {
                    $preload().await;
                }

                // Not `prefetch_lazy_fn_on_server`: its preload links fetch the module at high
                // priority from the page's head, and a phone's first paint then waits for it
                // (a deal's largest paint went from 2.6 to 4.1 s on Lighthouse). Fetched when
                // hydration starts, at the first idle moment, the module costs no paint.
                async fn view(_: Self) -> AnyView {
                    $group($pages::$route).await
                }
            }
        )*
    )*};
}

lazy_pages! {
    sign_in / preload_sign_in: SignInPages {
        LoginRoute => auth::pages::LoginPage,
        SetupRoute => auth::pages::SetupPage,
    }
    agent / preload_agent: AgentPages {
        NotificationsRoute => notifications::pages::NotificationsPage,
        PipelineRoute => deals::pages::PipelinePage,
        DealRoute => deals::pages::DealPage,
        ChatImportRoute => whatsapp::pages::ChatImportPage,
        PropertiesRoute => properties::pages::PropertiesPage,
        NewPropertyRoute => properties::pages::NewPropertyPage,
        PropertyRoute => properties::pages::PropertyPage,
    }
    manager / preload_manager: ManagerPages {
        ReportsRoute => reports::pages::ReportsPage,
        DrillDownRoute => reports::pages::DrillDownPage,
        DataRoute => imports::pages::DataPage,
        ImportRoute => imports::pages::ImportPage,
    }
    admin / preload_admin: AdminPages {
        StagesRoute => deals::pages::StagesPage,
        PlansRoute => plans::pages::PlansPage,
        TemplatesRoute => templates::pages::TemplatesPage,
        UsersRoute => auth::pages::UsersPage,
        FormsRoute => capture::pages::FormsPage,
        ApiKeysRoute => apikeys::pages::ApiKeysPage,
        AgencyRoute => agency::pages::AgencyPage,
    }
}
