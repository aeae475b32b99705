//! "Notify me on this device", and the list of the viewer's devices: which kinds of notice
//! each gets, and removing one. Opting in needs the browser (its permission prompt and push
//! subscription); the list and its forms work without JavaScript too.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{my_devices, push_key, subscribe_device, RemoveDevice, SetDeviceKinds};
use super::Kind;
use crate::shell::{form_error, SessionContext};

#[component]
pub fn PushDevices() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let set_kinds = ServerAction::<SetDeviceKinds>::new();
    let remove = ServerAction::<RemoveDevice>::new();
    let opted = RwSignal::new(0u32);
    let status: RwSignal<Option<Result<String, String>>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    // This browser's own subscription, to tell its row from the others.
    let here: RwSignal<Option<String>> = RwSignal::new(None);
    let devices = Resource::new(move || (set_kinds.version().get(), remove.version().get(), opted.get()), |_| my_devices());

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move { here.set(browser::endpoint().await) });
    });

    let opt_in = move |_| {
        busy.set(true);
        status.set(None);
        leptos::task::spawn_local(async move {
            let outcome = async {
                let key = push_key().await.map_err(|e| e.to_string())?;
                let sub = browser::subscribe(&key).await?;
                subscribe_device(sub.endpoint.clone(), sub.p256dh, sub.auth).await.map_err(|e| e.to_string())?;
                Ok::<_, String>(sub.endpoint)
            };
            match outcome.await {
                Ok(endpoint) => {
                    here.set(Some(endpoint));
                    opted.update(|n| *n += 1);
                    status.set(Some(Ok(t("push-will-be-notified"))));
                }
                Err(message) => status.set(Some(Err(message))),
            }
            busy.set(false);
        });
    };

    // Known only in the browser (never on the server, so the first render agrees).
    let notified = move || {
        here.get().is_some_and(|mine| devices.get().and_then(Result::ok).is_some_and(|list| list.iter().any(|d| d.endpoint == mine)))
    };

    view! {
        <section class="card" data-testid="push">
            <h2>{t("push-on-your-phone-with-doorstep")}</h2>
            <p class="hint">{t("push-new-leads-clients-writing-on")}</p>
            {move || {
                if notified() {
                    view! { <p class="hint" data-testid="push-here">{t("push-this-device-is-notified")}</p> }.into_any()
                } else {
                    view! {
                        <button type="button" class="primary" on:click=opt_in disabled=move || busy.get() data-testid="push-opt-in">
                            {t("push-notify-me-on-this-device")}
                        </button>
                    }.into_any()
                }
            }}
            {move || status.get().map(|s| match s {
                Ok(text) => view! { <p class="notice" role="status" data-testid="push-status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert" data-testid="push-status">{text}</p> }.into_any(),
            })}
            {form_error(set_kinds.value())}
            {form_error(remove.value())}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = devices.await.unwrap_or_default();
                    let role = session.user.await.ok().flatten().map_or(crate::auth::Role::Agent, |u| u.role);
                    if list.is_empty() {
                        return view! { <p class="hint" data-testid="push-none">{t("push-no-device-is-notified-yet")}</p> }.into_any();
                    }
                    view! {
                        <ul class="user-list" data-testid="push-devices">
                            {list.into_iter().map(move |d| {
                                let endpoint = d.endpoint.clone();
                                let this = move || here.get().as_deref() == Some(endpoint.as_str());
                                let offered = Kind::offered_to(role);
                                view! {
                                    <li class="user-card" data-testid="push-device">
                                        <div class="user-head">
                                            <strong>{d.name.clone()}</strong>
                                            {move || this().then(|| view! { <span class="badge">{t("push-this-device")}</span> })}
                                        </div>
                                        <div class="user-meta">
                                            <span>{t_with("push-since", &[("at", d.since.clone().into())])}</span>
                                            <span>{match d.last_pushed.clone() {
                                                Some(at) => t_with("push-last-notice", &[("at", at.into())]),
                                                None => t("push-no-notice-yet"),
                                            }}</span>
                                        </div>
                                        <ActionForm action=set_kinds attr:class="stack">
                                            <input type="hidden" name="id" value=d.id/>
                                            <fieldset class="checks">
                                                <legend>{t("push-notify-this-device-of")}</legend>
                                                {offered.into_iter().map(|k| view! {
                                                    <label class="check">
                                                        <input type="checkbox" name=k.as_str() value="on" checked=d.kinds.contains(&k)/>
                                                        {k.label()}
                                                    </label>
                                                }).collect_view()}
                                            </fieldset>
                                            <button type="submit">{t("push-save")}</button>
                                        </ActionForm>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="id" value=d.id/>
                                            <button type="submit" class="danger">{t("push-remove-this-device")}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// The browser's side of opting in: its notification permission and push subscription.
mod browser {
    /// What the server stores of a subscription.
    pub struct Sub {
        pub endpoint: String,
        pub p256dh: String,
        pub auth: String,
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn subscribe(_key: &str) -> Result<Sub, String> {
        Err(crate::language::t("push-needs-javascript"))
    }

    #[cfg(feature = "hydrate")]
    pub use inner::*;

    #[cfg(feature = "hydrate")]
    mod inner {
        use super::Sub;
        use wasm_bindgen::{JsCast, JsValue};
        use wasm_bindgen_futures::JsFuture;

        fn unsupported() -> String {
            crate::language::t("push-unsupported")
        }

        fn message(err: JsValue) -> String {
            err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{err:?}"))
        }

        fn has(target: &JsValue, name: &str) -> bool {
            js_sys::Reflect::has(target, &name.into()).unwrap_or(false)
        }

        async fn registration() -> Result<web_sys::ServiceWorkerRegistration, String> {
            let window = web_sys::window().ok_or_else(unsupported)?;
            let navigator = window.navigator();
            if !has(&navigator, "serviceWorker") || !has(&window, "PushManager") {
                return Err(unsupported());
            }
            let ready = navigator.service_worker().ready().map_err(message)?;
            JsFuture::from(ready).await.map_err(message)?.dyn_into().map_err(|_| unsupported())
        }

        /// This browser's current subscription's endpoint, if it has one.
        pub async fn endpoint() -> Option<String> {
            let manager = registration().await.ok()?.push_manager().ok()?;
            let sub = JsFuture::from(manager.get_subscription().ok()?).await.ok()?;
            sub.dyn_into::<web_sys::PushSubscription>().ok().map(|s| s.endpoint())
        }

        /// The VAPID key as bytes, from its base64url text.
        fn key_bytes(key: &str) -> Result<js_sys::Uint8Array, String> {
            let mut standard: String = key.trim().chars().map(|c| match c { '-' => '+', '_' => '/', c => c }).collect();
            while standard.len() % 4 != 0 {
                standard.push('=');
            }
            let binary = web_sys::window().ok_or_else(unsupported)?.atob(&standard).map_err(message)?;
            let bytes: Vec<u8> = binary.chars().map(|c| c as u8).collect();
            Ok(js_sys::Uint8Array::from(bytes.as_slice()))
        }

        #[derive(serde::Deserialize)]
        struct Json {
            endpoint: String,
            keys: Keys,
        }

        #[derive(serde::Deserialize)]
        struct Keys {
            p256dh: String,
            auth: String,
        }

        /// Asks for permission, then subscribes this browser to the installation's pushes.
        pub async fn subscribe(key: &str) -> Result<Sub, String> {
            let window = web_sys::window().ok_or_else(unsupported)?;
            if !has(&window, "Notification") {
                return Err(unsupported());
            }
            let asked = web_sys::Notification::request_permission().map_err(message)?;
            let answer = JsFuture::from(asked).await.map_err(message)?;
            if answer.as_string().as_deref() != Some("granted") {
                return Err(crate::language::t("push-blocked"));
            }
            let manager = registration().await?.push_manager().map_err(message)?;
            let options = web_sys::PushSubscriptionOptionsInit::new();
            options.set_user_visible_only(true);
            options.set_application_server_key(&key_bytes(key)?.into());
            let sub = JsFuture::from(manager.subscribe_with_options(&options).map_err(message)?).await.map_err(message)?;
            let json: String = js_sys::JSON::stringify(&sub).map_err(message)?.into();
            let parsed: Json = serde_json::from_str(&json).map_err(|e| e.to_string())?;
            Ok(Sub { endpoint: parsed.endpoint, p256dh: parsed.keys.p256dh, auth: parsed.keys.auth })
        }
    }
}
