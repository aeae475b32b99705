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
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{lazy_route, Lazy, LazyRoute};
use leptos_router::{path, SsrMode};

pub use shell::App;

/// The HTML document around the app, rendered on the server.
/// When the server rendered the page (ms since 1970, UTC): the live stream asks what happened
/// since.
fn rendered_at() -> String {
    chrono::Utc::now().timestamp_millis().to_string()
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
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
                // Deferred to the first idle moment, its files fetched at low priority: the page
                // the server wrote paints first, then becomes interactive.
                <HydrationScripts options defer=true/>
                <MetaTags/>
            </head>
            <body data-rendered=rendered_at()>
                <App/>
            </body>
        </html>
    }
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

/// A page whose code the browser loads when it first shows it (`cargo leptos --split`): a
/// phone opening Today downloads none of the other pages, and each page's own code comes
/// with its first visit. The server renders them like any other page.
macro_rules! lazy_page {
    ($($route:ident => $($page:ident)::+),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                view! { <$($page)::+/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    LoginRoute => auth::pages::LoginPage,
    SetupRoute => auth::pages::SetupPage,
    NotificationsRoute => notifications::pages::NotificationsPage,
    PipelineRoute => deals::pages::PipelinePage,
    DealRoute => deals::pages::DealPage,
    ChatImportRoute => whatsapp::pages::ChatImportPage,
    PropertiesRoute => properties::pages::PropertiesPage,
    NewPropertyRoute => properties::pages::NewPropertyPage,
    PropertyRoute => properties::pages::PropertyPage,
    ReportsRoute => reports::pages::ReportsPage,
    DataRoute => imports::pages::DataPage,
    ImportRoute => imports::pages::ImportPage,
    DrillDownRoute => reports::pages::DrillDownPage,
    StagesRoute => deals::pages::StagesPage,
    PlansRoute => plans::pages::PlansPage,
    TemplatesRoute => templates::pages::TemplatesPage,
    UsersRoute => auth::pages::UsersPage,
    FormsRoute => capture::pages::FormsPage,
    ApiKeysRoute => apikeys::pages::ApiKeysPage,
    AgencyRoute => agency::pages::AgencyPage,
}
