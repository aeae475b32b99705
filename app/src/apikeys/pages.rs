//! The admin's API keys: create one (shown once), see when each was last used, revoke.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{list_api_keys, CreateApiKey, RevokeApiKey};
use crate::auth::Role;
use crate::shell::{field_error, form_error, RequireRole, Shell};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! {
        <Shell title=t("apikeys-api-keys")>
            <RequireRole role=Role::Admin>
                <ApiKeyAdmin/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn ApiKeyAdmin() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let created = move || {
        create.value().get().and_then(Result::ok).map(|k| {
            view! {
                <div class="notice" role="status" data-testid="new-key">
                    <p>{t_with("apikeys-created", &[("name", k.summary.name.clone().into())])}</p>
                    <input readonly class="snippet" value=k.key on:focus=crate::common::select_all aria-label=t("apikeys-the-new-key")/>
                </div>
            }
        })
    };
    view! {
        <p class="hint">{t("apikeys-websites-and-portals-send-leads")}<a href="/api/v1/openapi.json">{t("apikeys-api-v1-openapi-json")}</a>"."</p>
        {created}
        <section class="card">
            <h2>{t("apikeys-new-key")}</h2>
            {form_error(create.value())}
            <ActionForm action=create attr:class="stack">
                <label for="key-name">{t("apikeys-name")}</label>
                <input id="key-name" name="name" placeholder=t("apikeys-agency-website") required maxlength="80"/>
                {field_error(create.value(), "name")}
                <label for="key-scope">{t("apikeys-may")}</label>
                <select id="key-scope" name="scope">
                    <option value="capture" selected>{t("apikeys-post-leads-only")}</option>
                    <option value="admin">{t("apikeys-use-all-of-the-api")}</option>
                </select>
                <button type="submit" class="primary">{t("apikeys-create-key")}</button>
            </ActionForm>
        </section>
        <Transition fallback=|| view! { <p class="hint">{t("apikeys-loading")}</p> }>
            {move || Suspend::new(async move {
                let list = keys.await.unwrap_or_default();
                view! {
                    <ul class="user-list">
                        {list.into_iter().map(|k| view! {
                            <li class="user-card" class:disabled=k.revoked>
                                <div class="user-head">
                                    <strong>{k.name}</strong>
                                    <span class="badge">{k.scope.as_str()}</span>
                                    {k.revoked.then(|| view! { <span class="badge muted">{t("apikeys-revoked")}</span> })}
                                </div>
                                <div class="user-meta">
                                    <span>{format!("{}…", k.prefix)}</span>
                                    <span>{match k.last_used_at {
                                        Some(at) => t_with("apikeys-last-used", &[("at", at.format("%Y-%m-%d %H:%M").to_string().into())]),
                                        None => t("apikeys-never-used"),
                                    }}</span>
                                </div>
                                {(!k.revoked).then(|| view! {
                                    <ActionForm action=revoke>
                                        <input type="hidden" name="id" value=k.id/>
                                        <button type="submit" class="danger">{t("apikeys-revoke")}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }
            })}
        </Transition>
    }
}
