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
pub mod deals;
pub mod error;
pub mod home;
pub mod imports;
pub mod notifications;
pub mod plans;
pub mod presentations;
pub mod properties;
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
use leptos_router::{path, SsrMode};

pub use shell::App;

/// The HTML document around the app, rendered on the server.
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
            <body>
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
                <Route path=path!("/login") view=auth::pages::LoginPage/>
                <Route path=path!("/setup") view=auth::pages::SetupPage/>
                <Route path=path!("/notifications") view=notifications::pages::NotificationsPage ssr=SsrMode::Async/>
                <Route path=path!("/pipeline") view=deals::pages::PipelinePage ssr=SsrMode::Async/>
                <Route path=path!("/deals/:id") view=deals::pages::DealPage ssr=SsrMode::Async/>
                <Route path=path!("/deals/:id/chats/:token") view=whatsapp::pages::ChatImportPage ssr=SsrMode::Async/>
                <Route path=path!("/properties") view=properties::pages::PropertiesPage ssr=SsrMode::Async/>
                <Route path=path!("/properties/new") view=properties::pages::NewPropertyPage ssr=SsrMode::Async/>
                <Route path=path!("/properties/:id") view=properties::pages::PropertyPage ssr=SsrMode::Async/>
                <Route path=path!("/reports") view=reports::pages::ReportsPage ssr=SsrMode::Async/>
                <Route path=path!("/data") view=imports::pages::DataPage ssr=SsrMode::Async/>
                <Route path=path!("/data/imports/:token") view=imports::pages::ImportPage ssr=SsrMode::Async/>
                <Route path=path!("/reports/deals") view=reports::pages::DrillDownPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/stages") view=deals::pages::StagesPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/plans") view=plans::pages::PlansPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/templates") view=templates::pages::TemplatesPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/users") view=auth::pages::UsersPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/forms") view=capture::pages::FormsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/api-keys") view=apikeys::pages::ApiKeysPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/agency") view=agency::pages::AgencyPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
