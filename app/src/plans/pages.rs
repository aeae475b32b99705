//! The admin's plan editor at /admin/plans: plans, their steps, and what starts each by itself.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{plan_settings, AddStep, DeletePlan, DeleteStep, SavePlan, SetStarter, Starter};
use super::{PlanView, PLACEHOLDERS};
use crate::auth::Role;
use crate::error::AppError;
use crate::reminders::Kind;
use crate::shell::{field_error, form_error, RequireRole, Shell};

/// Everything the page changes; made above RequireRole so the server fetches once.
#[derive(Clone, Copy)]
struct Editor {
    data: Resource<Result<(Vec<PlanView>, Vec<Starter>), AppError>>,
    save: ServerAction<SavePlan>,
    delete: ServerAction<DeletePlan>,
    step: ServerAction<AddStep>,
    drop_step: ServerAction<DeleteStep>,
    starter: ServerAction<SetStarter>,
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let save = ServerAction::<SavePlan>::new();
    let delete = ServerAction::<DeletePlan>::new();
    let step = ServerAction::<AddStep>::new();
    let drop_step = ServerAction::<DeleteStep>::new();
    let starter = ServerAction::<SetStarter>::new();
    // Reload after a change that went through; a refused one keeps what the admin typed.
    let changed = RwSignal::new(0u32);
    macro_rules! reload_on_success {
        ($($action:ident),*) => {$(
            Effect::new(move |_| {
                if matches!($action.value().get(), Some(Ok(_))) {
                    changed.update(|n| *n += 1);
                }
            });
        )*};
    }
    reload_on_success!(save, delete, step, drop_step, starter);
    let data = Resource::new(move || changed.get(), |_| plan_settings());
    let editor = Editor { data, save, delete, step, drop_step, starter };
    view! {
        <Shell title=t("plans-follow-up-plans")>
            <RequireRole role=Role::Admin>
                <PlanAdmin editor/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn PlanAdmin(editor: Editor) -> impl IntoView {
    let Editor { data, save, delete, step, drop_step, starter } = editor;
    view! {
        <p class="hint">
            {t("plans-explained")}
        </p>
        {form_error(save.value())}
        {form_error(delete.value())}
        {form_error(step.value())}
        {form_error(drop_step.value())}
        {form_error(starter.value())}
        <Transition fallback=|| view! { <p class="hint">{t("plans-loading")}</p> }>
            {move || Suspend::new(async move {
                let (plans, starters) = data.await.unwrap_or_default();
                let choices: Vec<(i64, String)> = plans.iter().map(|p| (p.id, p.name.clone())).collect();
                view! {
                    <ul class="plan-admin" data-testid="plans">
                        {plans.into_iter().map(|p| view! { <PlanCard p editor/> }).collect_view()}
                    </ul>
                    <section class="card">
                        <h2>{t("plans-new-plan")}</h2>
                        <ActionForm action=save attr:class="stack">
                            <label for="new-plan-name">{t("plans-name")}</label>
                            <input id="new-plan-name" name="name" placeholder=t("plans-new-buyer-lead") autocomplete="off"/>
                            {field_error(save.value(), "name")}
                            <button type="submit" class="primary">{t("plans-create-plan")}</button>
                        </ActionForm>
                    </section>
                    <section class="card" data-testid="starters">
                        <h2>{t("plans-starts-by-itself")}</h2>
                        <p class="hint">{t("plans-a-plan-can-start-on")}</p>
                        <ul class="starters">
                            {starters.into_iter().map(|s| {
                                let choices = choices.clone();
                                view! {
                                    <li>
                                        <ActionForm action=starter attr:class="starter">
                                            <input type="hidden" name="target" value=s.target.clone()/>
                                            <label>
                                                <span>{s.label.clone()}</span>
                                                <select name="plan_id">
                                                    <option value="" selected=s.plan_id.is_none()>{t("plans-no-plan")}</option>
                                                    {choices.into_iter().map(|(id, name)| view! {
                                                        <option value=id.to_string() selected=s.plan_id == Some(id)>{name}</option>
                                                    }).collect_view()}
                                                </select>
                                            </label>
                                            <button type="submit" class="small secondary">{t("plans-save")}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }
            })}
        </Transition>
    }
}

#[component]
fn PlanCard(p: PlanView, editor: Editor) -> impl IntoView {
    let Editor { save, delete, step, drop_step, .. } = editor;
    let pid = p.id;
    let no_steps = p.steps.is_empty();
    let placeholders = PLACEHOLDERS.iter().map(|(tag, _)| *tag).collect::<Vec<_>>().join(" ");
    view! {
        <li class="card plan" data-testid="plan">
            <ActionForm action=save attr:class="plan-edit">
                <input type="hidden" name="id" value=pid.to_string()/>
                <label class="grow">{t("plans-name")}<input name="name" value=p.name.clone()/></label>
                <label class="check"><input type="checkbox" name="active" value="on" checked=p.active/>{t("plans-in-use")}</label>
                <button type="submit" class="small">{t("plans-save")}</button>
            </ActionForm>
            {(!p.started_by.is_empty()).then(|| view! { <p class="hint">{t_with("plans-starts-by-itself-from", &[("starters", p.started_by.join(", ").into())])}</p> })}
            <ol class="steps">
                {p.steps.into_iter().map(|s| view! {
                    <li class="step" data-testid="plan-step">
                        <div>
                            <strong>{format!("{} · {}", s.when(), s.kind.label())}</strong>
                            <span>{s.title.clone()}</span>
                            {(!s.message.is_empty()).then(|| view! { <span class="hint message">{s.message.clone()}</span> })}
                        </div>
                        <ActionForm action=drop_step>
                            <input type="hidden" name="id" value=s.id.to_string()/>
                            <button type="submit" class="small ghost" aria-label=t_with("plans-remove-step", &[("title", s.title.clone().into())])>{t("plans-remove")}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ol>
            {no_steps.then(|| view! { <p class="hint">{t("plans-no-steps-yet-add-the")}</p> })}
            <details class="add-step" open=no_steps>
                <summary>{t("plans-add-a-step")}</summary>
                <ActionForm action=step attr:class="stack">
                    <input type="hidden" name="plan_id" value=pid.to_string()/>
                    <div class="row">
                        <label>{t("plans-after")}<input name="amount" inputmode="numeric" value="0" size="4"/></label>
                        <label>{t("plans-unit")}
                            <select name="unit">
                                <option value="minutes">{t("plans-minutes")}</option>
                                <option value="hours">{t("plans-hours")}</option>
                                <option value="days" selected=true>{t("plans-days")}</option>
                            </select>
                        </label>
                        <label>{t("plans-at-optional")}<input name="at_time" type="time"/></label>
                    </div>
                    {field_error(step.value(), "amount")}
                    {field_error(step.value(), "at_time")}
                    <label>{t("plans-how")}
                        <select name="kind">
                            {Kind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t("plans-what-to-do")}<input name="title" placeholder=t("plans-call-to-introduce-yourself") autocomplete="off"/></label>
                    {field_error(step.value(), "title")}
                    <label>{t("plans-message-optional")}
                        <textarea name="message" rows="3" placeholder=t("plans-hello-first-name-this-is")></textarea>
                    </label>
                    <p class="hint">{format!("Placeholders: {placeholders}")}</p>
                    {field_error(step.value(), "message")}
                    <button type="submit" class="primary">{t("plans-add-step")}</button>
                </ActionForm>
            </details>
            <ActionForm action=delete attr:class="plan-delete">
                <input type="hidden" name="id" value=pid.to_string()/>
                <button type="submit" class="small danger">{t("plans-delete-plan")}</button>
            </ActionForm>
        </li>
    }
}
