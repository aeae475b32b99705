//! The next-step card on a deal page, and the follow-ups on Today.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{
    calendar_status, deal_reminders, follow_ups, CancelReminder, CompleteReminder, NewCalendarLink, RevokeCalendarLink, SetReminder,
    SnoozeReminder,
};
use super::{DealFollowUps, Kind, Preset, ReminderView};
use crate::plans::api::StartPlan;
use crate::error::AppError;
use crate::shell::{field_error, form_error, LiveNotices};

/// The deal page's follow-up state and actions. Made by the page (outside RequireRole), so
/// the server fetches once.
#[derive(Clone, Copy)]
pub struct FollowUps {
    pub deal_id: Memo<i64>,
    pub list: Resource<Result<DealFollowUps, AppError>>,
    pub set: ServerAction<SetReminder>,
    pub done: ServerAction<CompleteReminder>,
    pub snooze: ServerAction<SnoozeReminder>,
    pub cancel: ServerAction<CancelReminder>,
    pub start: ServerAction<StartPlan>,
    /// After "Done", the card asks for the next step until one is set. Kept here, above the
    /// card, so a live reload of the deal does not forget it.
    pub asking: RwSignal<bool>,
}

impl FollowUps {
    pub fn new(deal_id: Memo<i64>) -> FollowUps {
        let live = expect_context::<LiveNotices>();
        let set = ServerAction::<SetReminder>::new();
        let done = ServerAction::<CompleteReminder>::new();
        let snooze = ServerAction::<SnoozeReminder>::new();
        let cancel = ServerAction::<CancelReminder>::new();
        let start = ServerAction::<StartPlan>::new();
        let list = Resource::new(
            move || {
                (
                    deal_id.get(),
                    set.version().get(),
                    done.version().get(),
                    snooze.version().get(),
                    cancel.version().get(),
                    start.version().get(),
                    live.deal_changes.get(),
                )
            },
            |(id, ..)| deal_reminders(id),
        );
        let asking = RwSignal::new(false);
        Effect::new(move |_| {
            if matches!(done.value().get(), Some(Ok(_))) {
                asking.set(true);
            }
        });
        Effect::new(move |_| {
            if matches!(set.value().get(), Some(Ok(_))) || matches!(start.value().get(), Some(Ok(_))) {
                asking.set(false);
            }
        });
        FollowUps { deal_id, list, set, done, snooze, cancel, start, asking }
    }
}

#[component]
pub fn NextStepCard(f: FollowUps) -> impl IntoView {
    let FollowUps { list, done, snooze, cancel, start, asking, .. } = f;
    let asked = move || asking.get();
    view! {
        <section class="card next-step" class:ask=asked data-testid="next-step">
            <h2>{t("reminders-next-step")}</h2>
            {move || asked().then(|| view! { <p class="notice" role="status" data-testid="ask-next">{t("reminders-done-what-is-the-next")}</p> })}
            {form_error(done.value())}
            {form_error(snooze.value())}
            {form_error(cancel.value())}
            {form_error(start.value())}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let d = list.await.unwrap_or_default();
                    let none = d.pending.is_empty() && d.open;
                    let editable = d.editable;
                    view! {
                        {none.then(|| view! { <p class="badge warn no-next" data-testid="no-next-step">{t("reminders-no-next-step-planned")}</p> })}
                        <ul class="reminders">
                            {d.pending.into_iter().map(|r| view! { <ReminderItem r editable f/> }).collect_view()}
                        </ul>
                        {d.open.then(|| view! { <SetReminderForm f/> })}
                        {(!d.plans.is_empty()).then(|| view! {
                            <ActionForm action=start attr:class="start-plan">
                                <input type="hidden" name="deal_id" value=move || f.deal_id.get().to_string()/>
                                <label for="plan-id">{t("reminders-or-start-a-plan")}</label>
                                <div class="custom-time">
                                    <select id="plan-id" name="plan_id" data-testid="plan-select">
                                        {d.plans.into_iter().map(|p| view! {
                                            <option value=p.id.to_string()>{t_with("reminders-plan-steps", &[("name", p.name.clone().into()), ("count", p.steps.into())])}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit" class="small" data-testid="start-plan">{t("reminders-start")}</button>
                                </div>
                                {field_error(start.value(), "plan_id")}
                            </ActionForm>
                        })}
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ReminderItem(r: ReminderView, editable: bool, f: FollowUps) -> impl IntoView {
    let FollowUps { done, snooze, cancel, .. } = f;
    let rid = r.id;
    view! {
        <li class="reminder" class:overdue=r.overdue data-testid="reminder">
            <div>
                <strong>{r.title.clone()}</strong>
                <span class="hint">{format!("{} · {} · {}", r.due, r.kind.label(), r.assignee)}</span>
                {r.message.clone().map(|m| view! { <span class="message" data-testid="reminder-message">{m}</span> })}
            </div>
            {editable.then(|| view! {
                <div class="reminder-actions">
                    <ActionForm action=done>
                        <input type="hidden" name="id" value=rid.to_string()/>
                        <button type="submit" class="small primary-outline">{t("reminders-done")}</button>
                    </ActionForm>
                    <ActionForm action=snooze>
                        <input type="hidden" name="id" value=rid.to_string()/>
                        <input type="hidden" name="preset" value=Preset::InAnHour.as_str()/>
                        <button type="submit" class="small secondary">"+1 h"</button>
                    </ActionForm>
                    <ActionForm action=snooze>
                        <input type="hidden" name="id" value=rid.to_string()/>
                        <input type="hidden" name="preset" value=Preset::TomorrowMorning.as_str()/>
                        <button type="submit" class="small secondary">{t("reminders-tomorrow")}</button>
                    </ActionForm>
                    <ActionForm action=cancel>
                        <input type="hidden" name="id" value=rid.to_string()/>
                        <button type="submit" class="small ghost" aria-label=t("reminders-cancel-this-follow-up")>{t("reminders-cancel")}</button>
                    </ActionForm>
                </div>
                <details class="move-reminder">
                    <summary>{t("reminders-move-to-another-time")}</summary>
                    <ActionForm action=snooze attr:class="custom-time">
                        <input type="hidden" name="id" value=rid.to_string()/>
                        <label class="sr-only" for=format!("move-{rid}")>{t("reminders-new-time")}</label>
                        <input id=format!("move-{rid}") name="custom" type="datetime-local"/>
                        <button type="submit" class="small">{t("reminders-move")}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

#[component]
fn SetReminderForm(f: FollowUps) -> impl IntoView {
    let FollowUps { deal_id, set, .. } = f;
    view! {
        <ActionForm action=set attr:class="stack set-reminder">
            <input type="hidden" name="deal_id" value=move || deal_id.get().to_string()/>
            <div class="reminder-what">
                <label class="sr-only" for="reminder-title">{t("reminders-what")}</label>
                <input id="reminder-title" name="title" placeholder=t("reminders-call-back-send-the-brochure") autocomplete="off"/>
                <label class="sr-only" for="reminder-kind">{t("reminders-how")}</label>
                <select id="reminder-kind" name="kind">
                    {Kind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            {field_error(set.value(), "title")}
            <div class="presets">
                {Preset::ALL.into_iter().map(|p| view! {
                    <button type="submit" name="preset" value=p.as_str() class="secondary preset">{p.label()}</button>
                }).collect_view()}
            </div>
            <label for="reminder-custom">{t("reminders-or-pick-a-time")}</label>
            <div class="custom-time">
                <input id="reminder-custom" name="custom" type="datetime-local"/>
                <button type="submit" class="small">{t("reminders-set")}</button>
            </div>
            {field_error(set.value(), "due")}
            {field_error(set.value(), "kind")}
        </ActionForm>
    }
}

/// Today's follow-ups (overdue first) and open deals nobody planned a next step for.
#[component]
pub fn TodayFollowUps() -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let data = Resource::new(move || (live.arrivals.get(), live.deal_changes.get()), |_| follow_ups());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (due, unplanned) = data.await.unwrap_or_default();
                view! {
                    <section class="card" data-testid="follow-ups">
                        <h2>{t("reminders-follow-ups-today")}</h2>
                        {if due.is_empty() {
                            view! { <p class="hint">{t("reminders-nothing-due-today")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="deal-list">
                                    {due.into_iter().map(|r| view! {
                                        <li class="deal-row" data-testid="follow-up">
                                            <a class="deal-link" href=format!("/deals/{}", r.deal_id)>
                                                <span class="deal-name">{r.contact_name.clone()}</span>
                                                <span class="hint">{format!("{} · {}", r.title, r.kind.label())}</span>
                                                <span class="deal-meta">
                                                    <span class="badge" class:warn=r.overdue>{if r.overdue { t_with("reminders-overdue", &[("due", r.due.clone().into())]) } else { r.due.clone() }}</span>
                                                </span>
                                            </a>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    {(!unplanned.is_empty()).then(|| view! {
                        <section class="card" data-testid="no-next-steps">
                            <h2>{t("reminders-no-next-step")}</h2>
                            <ul class="deal-list">
                                {unplanned.into_iter().map(|(id, name)| view! {
                                    <li class="deal-row"><a class="deal-link" href=format!("/deals/{id}")><span class="deal-name">{name}</span></a></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                }
            })}
        </Transition>
    }
}

/// Subscribing a phone calendar to one's follow-ups.
#[component]
pub fn CalendarCard() -> impl IntoView {
    let create = ServerAction::<NewCalendarLink>::new();
    let revoke = ServerAction::<RevokeCalendarLink>::new();
    let status = Resource::new(move || (create.version().get(), revoke.version().get()), |_| calendar_status());
    view! {
        <section class="card" data-testid="calendar">
            <h2>{t("reminders-follow-ups-in-your-calendar")}</h2>
            <p class="hint">{t("reminders-subscribe-your-phone-s-calendar")}</p>
            {move || create.value().get().and_then(Result::ok).map(|url| {
                let webcal = url.replacen("http://", "webcal://", 1).replacen("https://", "webcal://", 1);
                view! {
                    <p class="notice" role="status">{t("reminders-your-calendar-address-shown-once")}</p>
                    <input class="secret" readonly value=url.clone() data-testid="calendar-url" aria-label=t("reminders-calendar-address")/>
                    <a class="button" href=webcal>{t("reminders-subscribe-on-this-phone")}</a>
                }
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let has = status.await.unwrap_or(false);
                    view! {
                        <div class="calendar-actions">
                            <ActionForm action=create>
                                <button type="submit" class="secondary">{if has { t("reminders-replace-address") } else { t("reminders-create-address") }}</button>
                            </ActionForm>
                            {has.then(|| view! {
                                <ActionForm action=revoke>
                                    <button type="submit" class="ghost">{t("reminders-turn-it-off")}</button>
                                </ActionForm>
                            })}
                        </div>
                    }
                })}
            </Transition>
        </section>
    }
}
