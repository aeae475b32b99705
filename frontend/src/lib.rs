//! The browser entry point: hydrates the server-rendered page so it becomes interactive, and
//! registers the service worker that lets the app start from the home screen.

/// Hydrates the page with `messages`, its language's messages as the server sent them beside
/// the front end (`/messages/<code>.<hash>.ftl`). Messages that do not load leave the page as
/// the server wrote it, which works without JavaScript.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate(messages: String) {
    console_error_panic_hook::set_once();
    if let Err(why) = app::language::load(messages) {
        leptos::logging::error!("{why}");
        return;
    }
    // As leptos::mount::hydrate_lazy: most pages' code is split off (cargo leptos --split), and
    // hydration waits for the page's own module. Only then is the page marked interactive
    // (`data-hydrated`), not when the shell around it is.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else { return };
        let app = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        app.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
    register_service_worker();
}

/// Browsers go without where they have no service workers: over plain HTTP to anything but
/// this machine, `navigator.serviceWorker` does not exist, and touching it would throw.
fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let _ = navigator.service_worker().register("/sw.js");
    }
}
