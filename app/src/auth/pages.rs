//! Log-in, the first-administrator set-up, and the admin's user management.

use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_meta::Title;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use super::api::{list_users, my_sessions, time_zones, AddUser, ChangePassword, EndSessions, Login, ResetUserPassword, SetUserDisabled, Setup, UpdateUser};
use super::{login_message, Role, UserSummary, MIN_PASSWORD_CHARS};
use crate::shell::{field_error, form_error, RequireRole, SessionContext, Shell};

/// The agency's name, for the cards of the public pages.
fn agency_name() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    view! {
        <Suspense fallback=|| "Doorstep">
            {move || Suspend::new(async move {
                session.agency.await.map(|a| a.name).unwrap_or_else(|_| "Doorstep".into())
            })}
        </Suspense>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // Created here, under the router, so a refused no-JS post shows its error on return.
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let notice = move || {
        query.read().get("m").and_then(|code| login_message(&code)).map(|m| view! { <p class="notice" role="status">{m}</p> })
    };
    view! {
        <Title text=format!("{} · Doorstep", t("auth-log-in"))/>
        <main class="centered">
            <section class="card auth-card">
                <p class="eyebrow">{agency_name()}</p>
                <h1>{t("auth-log-in")}</h1>
                {notice}
                {form_error(login.value())}
                <form method="post" action=Login::url() class="stack">
                    <input type="hidden" name="next" prop:value=next/>
                    <label for="email">{t("auth-e-mail")}</label>
                    <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required autofocus/>
                    <label for="password">{t("auth-password")}</label>
                    <PasswordInput id="password" name="password" autocomplete="current-password"/>
                    {field_error(login.value(), "email")}
                    <button type="submit" class="primary">{t("auth-log-in")}</button>
                </form>
                <p class="hint">{t("auth-forgot-your-password-an-admin")}</p>
            </section>
        </main>
    }
}

/// A password field with a show/hide toggle; the toggle needs the WASM, the field does not.
#[component]
fn PasswordInput(id: &'static str, name: &'static str, autocomplete: &'static str) -> impl IntoView {
    let visible = RwSignal::new(false);
    view! {
        <div class="password-field">
            <input
                id=id
                name=name
                type=move || if visible.get() { "text" } else { "password" }
                autocomplete=autocomplete
                minlength=if autocomplete == "new-password" { MIN_PASSWORD_CHARS } else { 1 }
                required
            />
            <button
                type="button"
                class="ghost"
                aria-controls=id
                aria-pressed=move || visible.get().to_string()
                on:click=move |_| visible.update(|v| *v = !*v)
            >
                {move || if visible.get() { t("auth-hide") } else { t("auth-show") }}
            </button>
        </div>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<Setup>::new();
    let zones = OnceResource::new(time_zones());
    let error = move |field| field_error(setup.value(), field);
    view! {
        <Title text=format!("{} · Doorstep", t("auth-set-up-doorstep"))/>
        <main class="centered">
            <section class="card auth-card">
                <p class="eyebrow">{t("auth-welcome-to-doorstep")}</p>
                <h1>{t("auth-create-the-first-administrator")}</h1>
                <p class="hint">{t("auth-this-page-exists-only-until")}</p>
                {form_error(setup.value())}
                <form method="post" action=Setup::url() class="stack">
                    <label for="agency_name">{t("auth-agency-name")}</label>
                    <input id="agency_name" name="agency_name" autocomplete="organization" required/>
                    {error("agency_name")}
                    <label for="name">{t("auth-your-name")}</label>
                    <input id="name" name="name" autocomplete="name" required/>
                    {error("name")}
                    <label for="email">{t("auth-your-e-mail")}</label>
                    <input id="email" name="email" type="email" inputmode="email" autocomplete="email" required/>
                    {error("email")}
                    <label for="phone">{t("auth-your-mobile-optional")}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" placeholder="+34 612 345 678"/>
                    {error("phone")}
                    <label for="time_zone">{t("auth-agency-time-zone")}</label>
                    <TimeZoneInput id="time_zone" value="UTC".to_string() zones detect_browser_zone=true/>
                    {error("time_zone")}
                    <label for="password">{t("auth-password")}</label>
                    <PasswordInput id="password" name="password" autocomplete="new-password"/>
                    <p class="hint">{t_with("auth-password-hint-setup", &[("min", MIN_PASSWORD_CHARS.into())])}</p>
                    {error("password")}
                    <label for="password_confirm">{t("auth-password-again")}</label>
                    <PasswordInput id="password_confirm" name="password_confirm" autocomplete="new-password"/>
                    {error("password_confirm")}
                    <button type="submit" class="primary">{t("auth-create-administrator")}</button>
                </form>
            </section>
        </main>
    }
}

/// A time-zone field that suggests IANA names as one types; the browser's own zone is
/// filled in once the page is interactive.
#[component]
fn TimeZoneInput(
    id: &'static str,
    value: String,
    zones: OnceResource<Result<Vec<String>, crate::error::AppError>>,
    #[prop(optional)] detect_browser_zone: bool,
) -> impl IntoView {
    let list_id = format!("{id}-list");
    let current = RwSignal::new(value.clone());
    if detect_browser_zone {
        Effect::new(move |_| {
            if let Some(zone) = browser_time_zone() {
                current.set(zone);
            }
        });
    }
    view! {
        <input id=id name="time_zone" list=list_id.clone() value=value prop:value=move || current.get() autocomplete="off" required/>
        <datalist id=list_id>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    zones.await.unwrap_or_default().into_iter().map(|z| view! { <option value=z/> }).collect_view()
                })}
            </Suspense>
        </datalist>
    }
}

/// The time zone the browser reports, through `Intl`; `None` on the server.
fn browser_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Shell title=t("auth-users")>
            <RequireRole role=Role::Admin>
                <UserAdmin/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn UserAdmin() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let update = ServerAction::<UpdateUser>::new();
    let users = Resource::new(
        move || (add.version().get(), disable.version().get(), reset.version().get(), update.version().get()),
        |_| list_users(),
    );
    let zones = OnceResource::new(time_zones());
    let session = expect_context::<SessionContext>();
    let agency_zone = Resource::new(|| (), move |_| async move {
        session.agency.await.map(|a| a.time_zone).unwrap_or_else(|_| "UTC".into())
    });
    let add_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_)))
            && let Some(form) = add_form.get() {
                form.reset();
            }
    });
    let added = move || {
        add.value().get().and_then(Result::ok).map(|u| {
            view! { <p class="notice" role="status">{t_with("auth-can-now-log-in", &[("name", u.name.into()), ("email", u.email.into())])}</p> }
        })
    };
    let action_error = move || {
        [disable.value().get().and_then(Result::err), reset.value().get().and_then(Result::err), update.value().get().and_then(Result::err)]
            .into_iter()
            .flatten()
            .next()
            .map(|err| {
                let message = match &err {
                    crate::error::AppError::Validation(fields) => fields.values().cloned().collect::<Vec<_>>().join(" "),
                    other => other.to_string(),
                };
                view! { <p class="form-error" role="alert">{message}</p> }
            })
    };
    let error = move |field| field_error(add.value(), field);
    view! {
        <section class="card">
            <details class="add-user" prop:open=move || matches!(add.value().get(), Some(Err(_)))>
                <summary>{t("auth-add-a-user")}</summary>
                {form_error(add.value())}
                <ActionForm action=add node_ref=add_form attr:class="stack" attr:data-testid="add-user-form">
                    <label for="new-name">{t("auth-name")}</label>
                    <input id="new-name" name="name" autocomplete="off" required/>
                    {error("name")}
                    <label for="new-email">{t("auth-e-mail")}</label>
                    <input id="new-email" name="email" type="email" inputmode="email" autocomplete="off" required/>
                    {error("email")}
                    <label for="new-phone">{t("auth-mobile-optional")}</label>
                    <input id="new-phone" name="phone" type="tel" inputmode="tel" placeholder="+34 612 345 678"/>
                    {error("phone")}
                    <label for="new-role">{t("auth-role")}</label>
                    <select id="new-role" name="role">
                        {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == Role::Agent>{r.label()}</option> }).collect_view()}
                    </select>
                    {error("role")}
                    <label for="new-time_zone">{t("auth-time-zone")}</label>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let zone = agency_zone.await;
                            view! { <TimeZoneInput id="new-time_zone" value=zone zones/> }
                        })}
                    </Suspense>
                    {error("time_zone")}
                    <label for="new-password">{t("auth-first-password")}</label>
                    <input id="new-password" name="password" type="text" autocomplete="new-password" minlength=MIN_PASSWORD_CHARS required/>
                    <p class="hint">{t("auth-tell-them-in-person-or")}</p>
                    {error("password")}
                    <button type="submit" class="primary" disabled=move || add.pending().get()>{t("auth-add-user")}</button>
                </ActionForm>
            </details>
            {added}
        </section>
        {action_error}
        <Transition fallback=|| view! { <p class="hint">{t("auth-loading-users")}</p> }>
            {move || Suspend::new(async move {
                let me = session.user.await.ok().flatten().map(|u| u.id);
                match users.await {
                    Ok(list) => view! {
                        <p class="hint">{t_with("auth-user-count", &[("count", list.len().into())])}</p>
                        <ul class="user-list" data-testid="user-list">
                            {list.into_iter().map(|u| {
                                let is_self = Some(u.id) == me;
                                view! { <UserCard user=u is_self disable reset update/> }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserCard(
    user: UserSummary,
    /// The admin's own card: no disable button (the server refuses it anyway).
    is_self: bool,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
    update: ServerAction<UpdateUser>,
) -> impl IntoView {
    let id = user.id;
    let tel = user.phone.clone().map(|p| format!("tel:{p}"));
    view! {
        <li class="user-card" class:disabled=user.disabled data-testid="user-card">
            <div class="user-head">
                <strong>{user.name.clone()}</strong>
                <span class="badge">{user.role.label()}</span>
                {user.away.then(|| view! { <span class="badge warn">{t("auth-away")}</span> })}
                {user.disabled.then(|| view! { <span class="badge muted">{t("auth-disabled")}</span> })}
            </div>
            <div class="user-meta">
                <span>{user.email.clone()}</span>
                {user.phone.clone().map(|p| view! { <a href=tel>{p}</a> })}
                <span>{user.time_zone.clone()}</span>
            </div>
            <div class="user-actions">
                {(!is_self).then(|| view! {
                    <ActionForm action=disable>
                        <input type="hidden" name="user_id" value=id/>
                        <input type="hidden" name="disabled" value=(!user.disabled).to_string()/>
                        <button type="submit" class=if user.disabled { "secondary" } else { "danger" }>
                            {if user.disabled { t("auth-enable") } else { t("auth-disable") }}
                        </button>
                    </ActionForm>
                })}
                <details>
                    <summary>{t("auth-edit")}</summary>
                    <ActionForm action=update attr:class="stack">
                        <input type="hidden" name="user_id" value=id/>
                        <label>{t("auth-role")}
                            <select name="role">
                                {Role::ALL.iter().map(|r| view! { <option value=r.as_str() selected=*r == user.role>{r.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t("auth-time-zone")}
                            <input name="time_zone" value=user.time_zone.clone() list="new-time_zone-list" required/>
                        </label>
                        <label class="check"><input type="checkbox" name="away" value="on" checked=user.away/>{t("auth-away-gets-no-new-leads")}</label>
                        <button type="submit" class="secondary">{t("auth-save")}</button>
                    </ActionForm>
                </details>
                <details>
                    <summary>{t("auth-new-password")}</summary>
                    <ActionForm action=reset attr:class="stack">
                        <input type="hidden" name="user_id" value=id/>
                        <input name="password" type="text" autocomplete="new-password" minlength=MIN_PASSWORD_CHARS required aria-label=t("auth-new-password")/>
                        <p class="hint">{t("auth-logs-them-out-everywhere")}</p>
                        <button type="submit" class="secondary">{t("auth-set-password")}</button>
                    </ActionForm>
                </details>
            </div>
        </li>
    }
}

/// Where the viewer is signed in: each session's device, address and last use, and a way to
/// end any other one (a phone left behind) or all of them. Plain forms: works without
/// JavaScript too.
/// The language the viewer reads Doorstep in: the agency's unless they choose their own. A
/// change reloads the page, which is then written in the new language.
#[component]
pub fn YourLanguage() -> impl IntoView {
    use crate::language::{my_language, t, t_with, SetMyLanguage};
    let set = ServerAction::<SetMyLanguage>::new();
    let settings = OnceResource::new(my_language());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if matches!(set.value().get(), Some(Ok(()))) {
            let _ = window().location().reload();
        }
    });
    view! {
        <section class="card" data-testid="your-language">
            <h2>{t("account-language")}</h2>
            {form_error(set.value())}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let Ok(settings) = settings.await else { return None };
                    let agency_name = settings.choices.iter().find(|c| c.code == settings.agency).map(|c| c.name.clone()).unwrap_or_default();
                    let chosen = settings.chosen.clone().unwrap_or_default();
                    Some(view! {
                        <ActionForm action=set attr:class="stack">
                            <label for="my-language">{t("account-language-label")}</label>
                            <select id="my-language" name="language">
                                <option value="" selected=chosen.is_empty()>{t_with("account-language-agency", &[("language", agency_name.into())])}</option>
                                {settings.choices.into_iter().map(|c| {
                                    let selected = c.code == chosen;
                                    view! { <option value=c.code selected=selected>{c.name}</option> }
                                }).collect_view()}
                            </select>
                            {field_error(set.value(), "language")}
                            <button type="submit" class="primary">{t("account-language-save")}</button>
                        </ActionForm>
                    })
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn Sessions() -> impl IntoView {
    let end = ServerAction::<EndSessions>::new();
    let change = ServerAction::<ChangePassword>::new();
    let list = Resource::new(move || (end.version().get(), change.version().get()), |_| my_sessions());
    view! {
        <section class="card" data-testid="sessions">
            <h2>{t("auth-where-you-are-signed-in")}</h2>
            {form_error(end.value())}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = list.await.unwrap_or_default();
                    let others = list.iter().filter(|s| !s.current).count();
                    // Above the list: someone who lost a phone should not have to scroll for it.
                    view! {
                        {(others > 0).then(|| view! {
                            <ActionForm action=end>
                                <input type="hidden" name="all" value="on"/>
                                <button type="submit" class="danger" data-testid="end-other-sessions">{t("auth-sign-out-everywhere-else")}</button>
                            </ActionForm>
                        })}
                        <ul class="user-list">
                            {list.into_iter().map(|s| view! {
                                <li class="user-card" data-testid="session">
                                    <div class="user-head">
                                        <strong>{s.device.clone()}</strong>
                                        {s.current.then(|| view! { <span class="badge">{t("auth-this-device")}</span> })}
                                    </div>
                                    <div class="user-meta">
                                        <span>{t_with("auth-last-used", &[("at", s.last_seen.clone().into())])}</span>
                                        <span>{t_with("auth-signed-in", &[("at", s.started.clone().into())])}</span>
                                        {s.address.clone().map(|a| view! { <span>{t_with("auth-from", &[("address", a.into())])}</span> })}
                                    </div>
                                    {(!s.current).then(|| view! {
                                        <ActionForm action=end>
                                            <input type="hidden" name="id" value=s.id/>
                                            <button type="submit" class="secondary small">{t("auth-sign-out-there")}</button>
                                        </ActionForm>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
        <section class="card" data-testid="change-password">
            <h2>{t("auth-your-password")}</h2>
            {form_error(change.value())}
            {move || matches!(change.value().get(), Some(Ok(_))).then(|| view! {
                <p class="notice" role="status">{t("auth-password-changed-you-stay-signed")}</p>
            })}
            <details prop:open=move || matches!(change.value().get(), Some(Err(_)))>
                <summary>{t("auth-change-your-password")}</summary>
                <ActionForm action=change attr:class="stack">
                    <label for="current">{t("auth-current-password")}</label>
                    <PasswordInput id="current" name="current" autocomplete="current-password"/>
                    {field_error(change.value(), "current")}
                    <label for="new-password">{t("auth-new-password")}</label>
                    <PasswordInput id="new-password" name="password" autocomplete="new-password"/>
                    {field_error(change.value(), "password")}
                    <p class="hint">{t_with("auth-password-hint-change", &[("min", MIN_PASSWORD_CHARS.into())])}</p>
                    <button type="submit" class="primary">{t("auth-change-password")}</button>
                </ActionForm>
            </details>
        </section>
    }
}

