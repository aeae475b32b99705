//! The chat import's preview at /deals/:id/chats/:token: what the uploaded export holds and how
//! it was read, changed with a plain GET form (who is the agent, the time zone, the date
//! order), then confirmed. Both work without JavaScript.

use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{load_chat_preview, ImportChat};
use super::{ChatChoice, PreviewLine};
use crate::auth::api::time_zones;
use crate::auth::Role;
use crate::shell::{form_error, RequireRole, Shell};

const ORDERS: [(&str, &str); 3] = [("dmy", "whatsapp-order-dmy"), ("mdy", "whatsapp-order-mdy"), ("ymd", "whatsapp-order-ymd")];

#[component]
fn Line(line: PreviewLine) -> impl IntoView {
    view! {
        <li class=if line.ours { "chat-line ours" } else { "chat-line" } data-testid="preview-line">
            <p class="hint">{format!("{} · {}", line.at, line.author)}</p>
            <p class="entry-body">{line.text}</p>
            {line.attachment.map(|a| view! { <p class="hint">{format!("📎 {a}")}</p> })}
        </li>
    }
}

#[component]
pub fn ChatImportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let deal_id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let choice = Memo::new(move |_| {
        query.with(|q| ChatChoice {
            agent: q.get("agent").unwrap_or_default(),
            time_zone: q.get("time_zone").unwrap_or_default(),
            order: q.get("order").unwrap_or_default(),
        })
    });
    let data = Resource::new(move || (token.get(), choice.get()), |(t, c)| load_chat_preview(t, c));
    let zones = OnceResource::new(time_zones());
    let import = ServerAction::<ImportChat>::new();
    view! {
        <Shell title=t("whatsapp-import-a-whatsapp-chat")>
            <RequireRole role=Role::Agent>
                <Transition fallback=|| view! { <p class="hint">{t("whatsapp-reading-the-chat")}</p> }>
                    {move || Suspend::new(async move {
                        let zones = zones.await.unwrap_or_default();
                        match data.await {
                            Err(err) => view! {
                                <section class="card">
                                    <p class="form-error" data-testid="import-error">{err.to_string()}</p>
                                    <a href=format!("/deals/{}", deal_id.get_untracked())>{t("whatsapp-back-to-the-deal")}</a>
                                </section>
                            }.into_any(),
                            Ok(p) => {
                                let action = format!("/deals/{}/chats/{}", p.deal_id, p.token);
                                let nothing_new = p.new_messages == 0;
                                view! {
                                    <div class="deal-sheet">
                                    <section class="card" data-testid="chat-preview">
                                        <p class="eyebrow">{format!("{} · exported on {}", p.file_name, p.phone_kind)}</p>
                                        <h2>{t_with("whatsapp-messages-with", &[("count", p.messages.into()), ("name", p.contact_name.clone().into())])}</h2>
                                        <p class="hint">{format!("{} to {}", p.first, p.last)}</p>
                                        <ul class="import-facts">
                                            <li data-testid="new-messages">{if nothing_new {
                                                t("whatsapp-all-there")
                                            } else {
                                                t_with("whatsapp-new-for", &[("count", p.new_messages.into()), ("name", format!("{}{}", p.contact_name, p.contact_phone.clone().map(|ph| format!(" ({ph})")).unwrap_or_default()).into())])
                                            }}</li>
                                            {(p.attachments > 0).then(|| view! { <li>{t_with("whatsapp-attachments", &[("count", p.attachments.into())])}</li> })}
                                            {(p.omitted_media > 0).then(|| view! { <li>{t_with("whatsapp-omitted-media", &[("count", p.omitted_media.into())])}</li> })}
                                        </ul>
                                    </section>
                                    <section class="card">
                                        <h2>{t("whatsapp-how-to-read-it")}</h2>
                                        <form method="get" action=action.clone() class="stack" data-testid="reading">
                                            <label for="agent">{t("whatsapp-who-is-the-agency-in")}</label>
                                            <select id="agent" name="agent">
                                                {p.participants.iter().map(|name| view! {
                                                    <option value=name.clone() selected=*name == p.agent>{name.clone()}</option>
                                                }).collect_view()}
                                            </select>
                                            <label for="time_zone">{t("whatsapp-the-phone-s-time-zone")}</label>
                                            <select id="time_zone" name="time_zone">
                                                {zones.iter().map(|z| view! { <option value=z.clone() selected=*z == p.time_zone>{z.clone()}</option> }).collect_view()}
                                            </select>
                                            <label for="order">{if p.ambiguous_order { "Dates (the file does not say; check the first and last messages)" } else { "Dates" }}</label>
                                            <select id="order" name="order">
                                                {ORDERS.iter().map(|(code, text)| view! { <option value=*code selected=*code == p.order>{t(text)}</option> }).collect_view()}
                                            </select>
                                            <button type="submit" class="secondary">{t("whatsapp-read-it-again")}</button>
                                        </form>
                                        <ol class="chat-sample">
                                            {p.sample.into_iter().map(|line| view! { <Line line/> }).collect_view()}
                                        </ol>
                                    </section>
                                    <section class="card" data-testid="confirm-import">
                                        <ActionForm action=import attr:class="stack">
                                            <input type="hidden" name="token" value=p.token.clone()/>
                                            <input type="hidden" name="agent" value=p.agent.clone()/>
                                            <input type="hidden" name="time_zone" value=p.time_zone.clone()/>
                                            <input type="hidden" name="order" value=p.order.clone()/>
                                            {(!p.suggestions.is_empty()).then(|| view! {
                                                <fieldset class="suggestions">
                                                    <legend>{t("whatsapp-these-look-like-more-than")}</legend>
                                                    {p.suggestions.iter().enumerate().map(|(n, s)| {
                                                        let (_, label) = s.suggestion.clone().unwrap_or_default();
                                                        view! {
                                                            <label class="check" data-testid="suggestion">
                                                                <input type="checkbox" name=format!("confirm[{n}]") value=s.index.to_string()/>
                                                                <span>
                                                                    <strong>{label}</strong>
                                                                    <span class="hint">{format!(" · {} · {}", s.at, s.author)}</span>
                                                                    <br/>{s.text.clone()}
                                                                </span>
                                                            </label>
                                                        }
                                                    }).collect_view()}
                                                </fieldset>
                                            })}
                                            {form_error(import.value())}
                                            <button type="submit" class="primary" disabled=nothing_new data-testid="import">
                                                {if nothing_new { t("whatsapp-nothing-to-add") } else { t_with("whatsapp-add-messages", &[("count", p.new_messages.into())]) }}
                                            </button>
                                            <a href=format!("/deals/{}", p.deal_id)>{t("whatsapp-cancel")}</a>
                                        </ActionForm>
                                    </section>
                                    </div>
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </RequireRole>
        </Shell>
    }
}
