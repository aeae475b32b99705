//! The admin's capture forms, and the new-leads list that arrives live on an agent's Home.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{list_forms, SaveForm};
use super::{Assignment, FormSettings, FormSummary, Need, AUTOMATIC};
use crate::auth::api::team;
use crate::auth::{Role, TeamMember};
use crate::shell::{field_error, form_error, RequireRole, Shell};

#[component]
pub fn FormsPage() -> impl IntoView {
    view! {
        <Shell title=t("forms-capture-forms")>
            <RequireRole role=Role::Admin>
                <FormAdmin/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn FormAdmin() -> impl IntoView {
    let save = ServerAction::<SaveForm>::new();
    let forms = Resource::new(move || save.version().get(), |_| list_forms());
    let agents = OnceResource::new(team());
    let languages = OnceResource::new(crate::language::languages());
    // Which editor was submitted last (None: the new-form editor), so only it shows errors.
    let submitted = RwSignal::new(None::<Option<i64>>);
    Effect::new(move |_| {
        if let Some(input) = save.input().get() {
            submitted.set(Some(input.id));
        }
    });
    let saved = move || {
        save.value().get().and_then(Result::ok).map(|f| {
            view! { <p class="notice" role="status">{t_with("forms-saved", &[("title", f.settings.title.into()), ("url", f.url.into())])}</p> }
        })
    };
    view! {
        <p class="hint">{t("forms-public-forms-for-your-website")}</p>
        {saved}
        <section class="card">
            <details prop:open=move || matches!(save.value().get(), Some(Err(_)))>
                <summary>{t("forms-new-form")}</summary>
                <FormEditor save agents languages submitted form=None/>
            </details>
        </section>
        <Transition fallback=|| view! { <p class="hint">{t("forms-loading-forms")}</p> }>
            {move || Suspend::new(async move {
                match forms.await {
                    Ok(list) if list.is_empty() => view! { <p class="hint">{t("forms-no-forms-yet-create-the")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="form-list" data-testid="form-list">
                            {list.into_iter().map(|f| view! { <FormCard form=f save agents languages submitted/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The languages a form may speak, from the server.
type Languages = OnceResource<Result<Vec<crate::language::Choice>, crate::error::AppError>>;

#[component]
fn FormCard(
    form: FormSummary,
    save: ServerAction<SaveForm>,
    agents: OnceResource<Result<Vec<TeamMember>, crate::error::AppError>>,
    languages: Languages,
    submitted: RwSignal<Option<Option<i64>>>,
) -> impl IntoView {
    let snippet = form.embed_snippet();
    let url = form.url.clone();
    view! {
        <li class="card form-card" data-testid="form-card">
            <div class="user-head">
                <strong>{form.settings.title.clone()}</strong>
                {if form.settings.active {
                    view! { <span class="badge">{t("forms-active")}</span> }.into_any()
                } else {
                    view! { <span class="badge muted">{t("forms-inactive")}</span> }.into_any()
                }}
            </div>
            <a class="form-url" href=url.clone() target="_blank" rel="noopener">{url.clone()}</a>
            <dl class="counts">
                <div><dt>{t("forms-received")}</dt><dd data-testid="received">{form.received}</dd></div>
                <div><dt>{t("forms-duplicates")}</dt><dd>{form.duplicates}</dd></div>
                <div><dt>{t("forms-spam-blocked")}</dt><dd>{form.spam_blocked}</dd></div>
            </dl>
            <label>{t("forms-embed-on-your-site")}
                <textarea readonly rows="3" class="snippet" data-testid="embed-snippet" on:focus=crate::common::select_all>{snippet}</textarea>
            </label>
            <details>
                <summary>{t("forms-edit")}</summary>
                <FormEditor save agents languages submitted form=Some(form)/>
            </details>
        </li>
    }
}

#[component]
fn FormEditor(
    save: ServerAction<SaveForm>,
    agents: OnceResource<Result<Vec<TeamMember>, crate::error::AppError>>,
    languages: Languages,
    submitted: RwSignal<Option<Option<i64>>>,
    form: Option<FormSummary>,
) -> impl IntoView {
    let id = form.as_ref().map(|f| f.id);
    let s: FormSettings = form.map(|f| f.settings).unwrap_or_else(|| FormSettings::with_defaults("", ""));
    // Errors belong to the editor that was submitted: the new-form editor, or this form's.
    let mine = move || submitted.get() == Some(id);
    let error = move |field: &'static str| {
        let show = field_error(save.value(), field);
        move || if mine() { show() } else { None }
    };
    let general = form_error(save.value());
    let prefix = id.map(|i| format!("form{i}-")).unwrap_or_else(|| "new-".into());
    let f = move |name: &str| format!("{prefix}{name}");
    let fixed = s.fixed_agent_id;
    let language = s.language.clone();
    // A created form appears in the list below; the new-form editor starts over.
    let editor = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if id.is_none() && mine() && matches!(save.value().get(), Some(Ok(_)))
            && let Some(form) = editor.get() {
                form.reset();
            }
    });
    view! {
        {move || if mine() { general() } else { None }}
        <ActionForm action=save node_ref=editor attr:class="stack" attr:data-testid="form-editor">
            {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
            <label for=f("title")>{t("forms-title")}</label>
            <input id=f("title") name="title" value=s.title.clone() required maxlength="120"/>
            {error("title")}
            <label for=f("slug")>{t("forms-address-letters-digits-dashes")}</label>
            <input id=f("slug") name="slug" value=s.slug.clone() required pattern="[a-z0-9][a-z0-9-]*[a-z0-9]" placeholder=t("forms-spring-open-day") autocapitalize="off"/>
            {error("slug")}
            <label for=f("intro")>{t("forms-introduction")}</label>
            <textarea id=f("intro") name="intro" rows="3">{s.intro.clone()}</textarea>
            {error("intro")}
            <fieldset class="checks">
                <legend>{t("forms-optional-fields")}</legend>
                <label class="check"><input type="checkbox" name="show_message" checked=s.show_message/>{t("forms-message")}</label>
                <label class="check"><input type="checkbox" name="show_budget" checked=s.show_budget/>{t("forms-budget")}</label>
                <label class="check"><input type="checkbox" name="show_move_in" checked=s.show_move_in/>{t("forms-move-in-date")}</label>
                <label class="check"><input type="checkbox" name="show_property_ref" checked=s.show_property_ref/>{t("forms-property-reference")}</label>
                <label class="check"><input type="checkbox" name="show_consent" checked=s.show_consent/>{t("forms-marketing-consent")}</label>
            </fieldset>
            <label for=f("consent_text")>{t("forms-consent-wording")}</label>
            <textarea id=f("consent_text") name="consent_text" rows="2">{s.consent_text.clone()}</textarea>
            {error("consent_text")}
            <label for=f("language")>{t("forms-language-prospects-read-it-in")}</label>
            <select id=f("language") name="language">
                <option value=AUTOMATIC selected=s.language == AUTOMATIC>{t("forms-automatic-each-prospect-s-browser")}</option>
                <Suspense fallback=|| ()>
                    {move || {
                        let language = language.clone();
                        Suspend::new(async move {
                            languages.await.unwrap_or_default().into_iter().map(|l| {
                                let selected = l.code == language;
                                view! { <option value=l.code selected=selected>{l.name}</option> }
                            }).collect_view()
                        })
                    }}
                </Suspense>
            </select>
            {error("language")}
            <label for=f("default_need")>{t("forms-most-prospects-want-to")}</label>
            <select id=f("default_need") name="default_need">
                {Need::ALL.iter().map(|n| view! { <option value=n.as_str() selected=*n == s.default_need>{n.label()}</option> }).collect_view()}
            </select>
            <label for=f("currency")>{t("forms-currency")}</label>
            <input id=f("currency") name="currency" value=s.currency.clone() maxlength="3" required autocapitalize="characters"/>
            {error("currency")}
            <label for=f("assignment")>{t("forms-new-leads-go-to")}</label>
            <select id=f("assignment") name="assignment">
                {Assignment::ALL.iter().map(|a| view! { <option value=a.as_str() selected=*a == s.assignment>{a.label()}</option> }).collect_view()}
            </select>
            <label for=f("fixed_agent_id")>{t("forms-the-named-agent-for-one")}</label>
            <select id=f("fixed_agent_id") name="fixed_agent_id">
                <option value="">"—"</option>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        agents.await.unwrap_or_default().into_iter().filter(|m| m.role == Role::Agent).map(|m| {
                            view! { <option value=m.id selected=Some(m.id) == fixed>{m.name}</option> }
                        }).collect_view()
                    })}
                </Suspense>
            </select>
            {error("fixed_agent_id")}
            <label for=f("thank_you_text")>{t("forms-thank-you-message")}</label>
            <textarea id=f("thank_you_text") name="thank_you_text" rows="2">{s.thank_you_text.clone()}</textarea>
            <label for=f("redirect_url")>{t("forms-or-send-prospects-to-this")}</label>
            <input id=f("redirect_url") name="redirect_url" type="url" inputmode="url" value=s.redirect_url.clone().unwrap_or_default() placeholder=t("forms-https-youragency-com-thanks")/>
            {error("redirect_url")}
            <label for=f("embed_sites")>{t("forms-sites-that-may-show-this")}</label>
            <textarea id=f("embed_sites") name="embed_sites" rows="2" placeholder=t("forms-https-www-youragency-com") autocapitalize="off" spellcheck="false">
                {s.embed_sites.join("\n")}
            </textarea>
            {error("embed_sites")}
            <label class="check"><input type="checkbox" name="active" checked=s.active/>{t("forms-active-accepting-leads")}</label>
            <button type="submit" class="primary" disabled=move || save.pending().get()>
                {if id.is_some() { t("forms-save-changes") } else { t("forms-create-form") }}
            </button>
        </ActionForm>
    }
}

