//! The admin's templates at /admin/templates, and the deal page's "Send a template" card.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{list_templates, DeleteTemplate, SaveTemplate};
use super::{DealMessaging, ReadyMessage, TemplateView, PLACEHOLDERS};
use crate::whatsapp::api::ReplyOnWhatsapp;
use crate::auth::Role;
use crate::error::AppError;
use crate::shell::{field_error, form_error, RequireRole, Shell};

#[derive(Clone, Copy)]
struct Editor {
    data: Resource<Result<Vec<TemplateView>, AppError>>,
    /// Adding a template, apart from saving one, so each form shows only its own errors.
    add: ServerAction<SaveTemplate>,
    save: ServerAction<SaveTemplate>,
    delete: ServerAction<DeleteTemplate>,
    /// The template the last save was for: its card shows the errors.
    saving: RwSignal<Option<String>>,
}

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let add = ServerAction::<SaveTemplate>::new();
    let save = ServerAction::<SaveTemplate>::new();
    let delete = ServerAction::<DeleteTemplate>::new();
    let saving = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(input) = save.input().get() {
            saving.set(Some(input.id.unwrap_or_default()));
        }
    });
    let data = Resource::new(move || (add.version().get(), save.version().get(), delete.version().get()), |_| list_templates());
    let editor = Editor { data, add, save, delete, saving };
    view! {
        <Shell title=t("templates-message-templates")>
            <RequireRole role=Role::Admin>
                <TemplateAdmin editor/>
            </RequireRole>
        </Shell>
    }
}

fn placeholder_help() -> impl IntoView {
    view! {
        <details class="hint">
            <summary>{t("templates-placeholders")}</summary>
            <ul class="placeholders">
                {PLACEHOLDERS.iter().map(|(tag, what)| view! { <li><code>{*tag}</code>" "{t(what)}</li> }).collect_view()}
            </ul>
        </details>
    }
}

#[component]
fn TemplateAdmin(editor: Editor) -> impl IntoView {
    let Editor { data, add, save, delete, .. } = editor;
    // Emptied once the template is added; kept as typed when it is refused.
    let (name, body) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            name.set(String::new());
            body.set(String::new());
        }
    });
    view! {
        <p class="hint">
            {t("templates-explained")}
        </p>
        {form_error(delete.value())}
        {form_error(save.value())}
        <Transition fallback=|| view! { <p class="hint">{t("templates-loading")}</p> }>
            {move || Suspend::new(async move {
                let templates = data.await.unwrap_or_default();
                let none = templates.is_empty();
                view! {
                    {none.then(|| view! { <p class="hint" data-testid="no-templates">{t("templates-no-templates-yet-write-the")}</p> })}
                    <ul class="template-admin" data-testid="templates">
                        {templates.into_iter().map(|t| view! { <TemplateCard template=t editor/> }).collect_view()}
                    </ul>
                }
            })}
        </Transition>
        <section class="card">
            <h2>{t("templates-new-template")}</h2>
            <ActionForm action=add attr:class="stack">
                <label for="new-template-name">{t("templates-name")}</label>
                <input id="new-template-name" name="name" placeholder=t("templates-first-answer") autocomplete="off"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                {field_error(add.value(), "name")}
                <label for="new-template-body">{t("templates-message")}</label>
                <textarea id="new-template-body" name="body" rows="5"
                    placeholder=t("templates-hi-first-name-this-is")
                    prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                {field_error(add.value(), "body")}
                {placeholder_help()}
                {form_error(add.value())}
                <button type="submit" class="primary">{t("templates-add-template")}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn TemplateCard(template: TemplateView, editor: Editor) -> impl IntoView {
    let Editor { save, delete, saving, .. } = editor;
    let id = template.id.to_string();
    let (edit_id, delete_id) = (id.clone(), id.clone());
    let (name, body, label) = (template.name.clone(), template.body, t_with("templates-delete-named", &[("name", template.name.into())]));
    let mine = {
        let id = id.clone();
        move || saving.get().as_deref() == Some(id.as_str())
    };
    let errors = move |field: &'static str| {
        let err = field_error(save.value(), field);
        let mine = mine.clone();
        move || mine().then(&err).flatten()
    };
    view! {
        <li class="card" data-testid="template">
            <ActionForm action=save attr:class="stack">
                <input type="hidden" name="id" value=edit_id/>
                <label>{t("templates-name")}<input name="name" value=name autocomplete="off"/></label>
                {errors("name")}
                <label>{t("templates-message")}<textarea name="body" rows="4">{body}</textarea></label>
                {errors("body")}
                <button type="submit" class="small">{t("templates-save")}</button>
            </ActionForm>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=delete_id/>
                <button type="submit" class="small danger" aria-label=label>{t("templates-delete")}</button>
            </ActionForm>
        </li>
    }
}

/// Writing to the client on WhatsApp from the deal: a reply through the agency's business
/// number (when the Cloud API is set up), and the templates filled in, each sent from a plain
/// form into a new tab, which records it and lands on WhatsApp.
#[component]
pub fn DealMessages(
    deal_id: i64,
    messaging: Resource<Result<DealMessaging, AppError>>,
    reply: ServerAction<ReplyOnWhatsapp>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(reply.value().get(), Some(Ok(()))) {
            text.set(String::new());
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let DealMessaging { templates, replies } = messaging.await.unwrap_or_default();
                let some_templates = !templates.is_empty();
                (replies || some_templates).then(|| view! {
                    <section class="card" data-testid="deal-messages">
                        <h2>{t("templates-write-on-whatsapp")}</h2>
                        {replies.then(|| view! {
                            <ActionForm action=reply attr:class="stack" attr:data-testid="reply-form">
                                <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                                <label for="reply-body">{t("templates-reply-from-the-agency-s")}</label>
                                <textarea id="reply-body" name="body" rows="3" prop:value=move || text.get()
                                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                                {field_error(reply.value(), "body")}
                                {form_error(reply.value())}
                                <button type="submit" class="primary">{t("templates-send-reply")}</button>
                            </ActionForm>
                        })}
                        {some_templates.then(|| view! {
                            <details open=!replies>
                                <summary>{t("templates-send-a-template")}</summary>
                                <ul class="ready-messages">
                                    {templates.into_iter().map(|m| view! { <ReadyItem deal_id m/> }).collect_view()}
                                </ul>
                            </details>
                        })}
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn ReadyItem(deal_id: i64, m: ReadyMessage) -> impl IntoView {
    let label = t_with("templates-send-named", &[("name", m.name.clone().into())]);
    view! {
        <li data-testid="ready-message">
            <strong>{m.name}</strong>
            <p class="message-text">{m.text}</p>
            {match m.blocked {
                Some(reason) => view! { <p class="hint" data-testid="template-blocked">{reason}</p> }.into_any(),
                None => view! {
                    <form method="post" action="/api/templates/send" target="_blank">
                        <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                        <input type="hidden" name="template_id" value=m.id.to_string()/>
                        <button type="submit" class="button whatsapp small" aria-label=label>{t("templates-send-on-whatsapp")}</button>
                    </form>
                }.into_any(),
            }}
        </li>
    }
}
