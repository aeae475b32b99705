//! The admin's agency settings: the name on forms and pages, the default time zone, and the
//! country used to read phone numbers typed without a country code.

use leptos::prelude::*;

use crate::language::t;

use super::api::{alert_settings, brand, SaveAlerts, SaveBrand, UpdateAgency};
use crate::error::AppError;
use crate::auth::Role;
use crate::shell::{field_error, form_error, RequireRole, SessionContext, Shell};

#[component]
pub fn AgencyPage() -> impl IntoView {
    let save = ServerAction::<SaveAlerts>::new();
    let alerts = Resource::new(move || save.version().get(), |_| alert_settings());
    let save_brand = ServerAction::<SaveBrand>::new();
    let branding = Resource::new(move || save_brand.version().get(), |_| brand());
    view! {
        <Shell title=t("agency-agency")>
            <RequireRole role=Role::Admin>
                <AgencySettings/>
                <AlertSettings save alerts/>
                <BrandSettings save=save_brand branding/>
            </RequireRole>
        </Shell>
    }
}

/// When managers hear of overdue follow-ups, and when the morning digest arrives.
#[component]
fn AlertSettings(save: ServerAction<SaveAlerts>, alerts: Resource<Result<(Option<i32>, i32), AppError>>) -> impl IntoView {
    view! {
        <section class="card" data-testid="alert-settings">
            <h2>{t("agency-follow-up-alerts")}</h2>
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">{t("agency-saved")}</p> })}
            {form_error(save.value())}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (escalate, hour) = alerts.await.unwrap_or((Some(120), 8));
                    view! {
                        <ActionForm action=save attr:class="stack">
                            <label for="escalate-after">{t("agency-tell-managers-when-a-follow")}</label>
                            <input id="escalate-after" name="escalate_after" inputmode="numeric" value=escalate.map(|m| m.to_string()).unwrap_or_default()/>
                            <p class="hint">{t("agency-empty-managers-are-not-told")}</p>
                            {field_error(save.value(), "escalate_after")}
                            <label for="digest-hour">{t("agency-morning-digest-at-hour-in")}</label>
                            <input id="digest-hour" name="digest_hour" inputmode="numeric" value=hour.to_string()/>
                            {field_error(save.value(), "digest_hour")}
                            <button type="submit" class="primary">{t("agency-save-alerts")}</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

/// How presentations and share pages look: the colour, and the logo on their cover.
#[component]
fn BrandSettings(save: ServerAction<SaveBrand>, branding: Resource<Result<(String, Option<String>), AppError>>) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let logo_error = query.with_untracked(|q| q.get("logo_error"));
    let logo_saved = query.with_untracked(|q| q.get("logo").is_some_and(|v| v == "saved"));
    view! {
        <section class="card" id="brand" data-testid="brand-settings">
            <h2>{t("agency-presentations")}</h2>
            {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">{t("agency-saved")}</p> })}
            {logo_saved.then(|| view! { <p class="notice" role="status">{t("agency-the-new-logo-is-on")}</p> })}
            {logo_error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (color, logo) = branding.await.unwrap_or(("#1f5f8b".into(), None));
                    view! {
                        <ActionForm action=save attr:class="stack">
                            <label for="brand-color">{t("agency-colour-of-covers-headings-and")}</label>
                            <input id="brand-color" name="brand_color" type="color" value=color/>
                            {field_error(save.value(), "brand_color")}
                            <button type="submit" class="primary">{t("agency-save-the-colour")}</button>
                        </ActionForm>
                        {logo.map(|src| view! { <img class="brand-logo" src=src alt=t("agency-the-agency-s-logo")/> })}
                        <form method="post" action="/admin/agency/logo" enctype="multipart/form-data" class="stack upload">
                            <label>{t("agency-logo-png-jpeg-or-webp")}
                                <input type="file" name="logo" accept="image/png,image/jpeg,image/webp"/>
                            </label>
                            <button type="submit">{t("agency-upload-the-logo")}</button>
                        </form>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn AgencySettings() -> impl IntoView {
    let update = ServerAction::<UpdateAgency>::new();
    let session = expect_context::<SessionContext>();
    let languages = OnceResource::new(crate::language::languages());
    let error = move |field| field_error(update.value(), field);
    let welcome = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("welcome").is_some());
    view! {
        {welcome.then(|| view! {
            <p class="notice" role="status" data-testid="name-agency">
                {t("agency-welcome-first-give-your-agency")}
            </p>
        })}
        {move || matches!(update.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">{t("agency-saved-reload-to-see-the")}</p> })}
        {form_error(update.value())}
        <section class="card">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let agency = session.agency.await.ok();
                    let (name, zone, region, language) = agency.map(|a| (a.name, a.time_zone, a.default_region, a.language)).unwrap_or_default();
                    // The languages there are, from the server (the browser knows only the page's).
                    let languages: Vec<(String, String)> = languages.await.unwrap_or_default().into_iter().map(|l| (l.code, l.name)).collect();
                    view! {
                        <ActionForm action=update attr:class="stack">
                            <label for="agency-name">{t("agency-agency-name")}</label>
                            <input id="agency-name" name="name" value=name required maxlength="80"/>
                            {error("name")}
                            <label for="agency-zone">{t("agency-time-zone")}</label>
                            <input id="agency-zone" name="time_zone" value=zone required/>
                            {error("time_zone")}
                            <label for="agency-region">{t("agency-country-for-phone-numbers-without")}</label>
                            <input id="agency-region" name="default_region" value=region required maxlength="2" autocapitalize="characters"/>
                            <p class="hint">{t("agency-two-letters-like-es-gb")}</p>
                            {error("default_region")}
                            <label for="agency-language">{crate::language::t("agency-language")}</label>
                            <select id="agency-language" name="language">
                                {languages.into_iter().map(|(code, name)| {
                                    let selected = code == language;
                                    view! { <option value=code selected=selected>{name}</option> }
                                }).collect_view()}
                            </select>
                            <p class="hint">{crate::language::t("agency-language-hint")}</p>
                            {error("language")}
                            <button type="submit" class="primary">{t("agency-save")}</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
