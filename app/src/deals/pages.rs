//! The pipeline (one stage at a time on a phone, a board on a wide screen), the deal page and
//! the admin's stage settings. Forms post to server functions, so the core actions work
//! without JavaScript; with it, colleagues' changes arrive live.

use crate::common::urlencode;
use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    load_deal, load_pipeline, stage_settings, ClaimReply, DeleteStage, EditContact, LogOutcome, MoveStage, Reassign, ReleaseReply,
    SaveLostReasons, SaveStage,
};
use super::{money_short, Column, DealCard, DealView, Matches, Outcome, Pipeline, PipelineQuery, StageKind, SEARCH_LIMIT};
use crate::auth::Role;
use crate::error::AppError;
use crate::shell::{field_error, form_error, LiveNotices, RequireRole, Shell};

/// A deal as a row of a list: who, what, how long, and who is on it.
#[component]
pub fn DealRow(
    card: DealCard,
    /// The deal's stage, where a list mixes stages (a search's).
    #[prop(optional)]
    stage: Option<String>,
) -> impl IntoView {
    let href = format!("/deals/{}", card.id);
    let what = [Some(card.need.label().to_owned()), card.budget.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    view! {
        <li class="deal-row" data-testid="deal-row">
            <a href=href class="deal-link">
                <span class="deal-name">{card.contact_name.clone()}</span>
                <span class="hint">{what}</span>
                <span class="deal-meta">
                    {stage.filter(|s| !s.is_empty()).map(|s| view! { <span class="badge stage" data-testid="deal-stage">{s}</span> })}
                    {card.unanswered.then(|| view! { <span class="badge warn">{t_with("deals-waiting", &[("time", card.age.clone().into())])}</span> })}
                    {(!card.unanswered).then(|| view! { <span class="hint">{t_with("deals-ago", &[("time", card.age.clone().into())])}</span> })}
                    {card.stale.then(|| view! { <span class="badge warn">{t("deals-stale")}</span> })}
                    {card.claim.clone().map(|c| view! { <span class="badge claim" data-testid="claim-badge">{t_with("deals-is-replying", &[("name", c.name.into())])}</span> })}
                    {card.owner_name.clone().map(|o| view! { <span class="badge muted">{o}</span> })}
                </span>
            </a>
        </li>
    }
}

/// Today: the leads nobody has answered yet, and the deals going stale.
#[component]
pub fn TodayCards() -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let lists = Resource::new(move || (live.arrivals.get(), live.deal_changes.get()), |_| super::api::today());
    view! {
        {move || live.last.get().map(|title| view! { <p class="notice live" role="status" data-testid="live-notice">{title}</p> })}
        <Transition fallback=|| view! { <section class="card"><p class="hint">{t("deals-loading")}</p></section> }>
            {move || Suspend::new(async move {
                let (unanswered, stale) = lists.await.unwrap_or_default();
                view! {
                    <section class="card" data-testid="new-leads">
                        <h2>{t("deals-new-leads-waiting")}</h2>
                        {if unanswered.is_empty() {
                            view! { <p class="hint">{t("deals-nobody-is-waiting-for-an")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="deal-list">
                                    {unanswered.into_iter().map(|card| view! { <DealRow card/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                    <section class="card" data-testid="stale-deals">
                        <h2>{t("deals-going-stale")}</h2>
                        {if stale.is_empty() {
                            view! { <p class="hint">{t("deals-no-deal-has-waited-past")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="deal-list">
                                    {stale.into_iter().map(|card| view! { <DealRow card/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    </section>
                }
            })}
        </Transition>
    }
}

/// The pipeline's address for `q` on `stage` (none: a search's list of every stage) at `page`.
fn query_href(q: &PipelineQuery, stage: Option<i64>, page: u64) -> String {
    let mut parts: Vec<String> = stage.map(|stage| format!("stage={stage}")).into_iter().collect();
    if q.everyone {
        parts.push("everyone=1".into());
    }
    if let Some(source) = q.source.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("source={}", urlencode(source)));
    }
    if let Some(search) = q.search.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("q={}", urlencode(search)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    format!("/pipeline?{}", parts.join("&"))
}


#[component]
pub fn PipelinePage() -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| PipelineQuery {
            stage: p.get("stage").and_then(|s| s.parse().ok()),
            everyone: p.get("everyone").is_some_and(|v| v == "1" || v == "on"),
            source: p.get("source").filter(|s| !s.is_empty()),
            search: p.get("q").filter(|s| !s.trim().is_empty()),
            page: p.get("page").and_then(|s| s.parse().ok()).unwrap_or(1),
        })
    });
    // Made here, not inside RequireRole: children of its suspense can be built more than once
    // on the server, and each build would fetch (and ship to the browser) its own copy.
    let data = Resource::new(move || (query.get(), live.deal_changes.get()), |(q, _)| load_pipeline(q));
    view! {
        <Shell title=t("deals-pipeline")>
            <RequireRole role=Role::Agent>
                <PipelineView query data/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn PipelineView(query: Memo<PipelineQuery>, data: Resource<Result<Pipeline, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="hint">{t("deals-loading-the-pipeline")}</p> }>
            {move || Suspend::new(async move {
                let q = query.get_untracked();
                match data.await {
                    Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                    Ok(p) => {
                        let selected = p.selected;
                        view! {
                            <form method="get" action="/pipeline" class="filters card" data-testid="pipeline-filters">
                                // No stage: a new search looks in every stage.
                                <label class="sr-only" for="pipeline-q">{t("deals-search")}</label>
                                <input id="pipeline-q" type="search" name="q" placeholder=t("deals-name-phone-or-e-mail")
                                    value=q.search.clone().unwrap_or_default() autocomplete="off"/>
                                <div class="filter-row">
                                    <label class="sr-only" for="pipeline-source">{t("deals-source")}</label>
                                    <select id="pipeline-source" name="source">
                                        <option value="">{t("deals-all-sources")}</option>
                                        {p.sources.iter().map(|s| {
                                            let chosen = q.source.as_deref() == Some(s.as_str());
                                            view! { <option value=s.clone() selected=chosen>{s.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                    {p.may_see_everyone.then(|| view! {
                                        <label class="check"><input type="checkbox" name="everyone" value="1" checked=p.everyone/>{t("deals-everyone-s")}</label>
                                    })}
                                    <button type="submit" class="small">{t("deals-filter")}</button>
                                </div>
                            </form>
                            <nav class="stage-switcher" class:searching=p.matches.is_some() aria-label=t("deals-stages") data-testid="stage-switcher">
                                {p.matches.as_ref().map(|m| {
                                    let all: u64 = p.columns.iter().map(|c| c.stage.deals).sum();
                                    let count = if m.capped { format!("{all}+") } else { all.to_string() };
                                    let current = selected == 0;
                                    view! {
                                        <a href=query_href(&q, None, 1) class="stage-tab" class:current=current
                                            aria-current=current.then_some("true")>
                                            <span class="stage-name">{t("deals-all-matches")}</span>
                                            <span class="stage-count" data-testid="stage-count">{count}</span>
                                        </a>
                                    }
                                })}
                                {p.columns.iter().map(|c| {
                                    let current = c.stage.id == selected;
                                    let value = c.stage.value.first().map(|m| money_short(m.minor, &m.currency));
                                    view! {
                                        <a href=query_href(&q, Some(c.stage.id), 1) class="stage-tab" class:current=current
                                            aria-current=current.then_some("true")>
                                            <span class="stage-name">{c.stage.name.clone()}</span>
                                            <span class="stage-count" data-testid="stage-count">{c.stage.deals}</span>
                                            {value.map(|v| view! { <span class="stage-value">{v}</span> })}
                                        </a>
                                    }
                                }).collect_view()}
                            </nav>
                            {match p.matches {
                                Some(matches) => {
                                    let names: Vec<(i64, String)> = p.columns.iter().map(|c| (c.stage.id, c.stage.name.clone())).collect();
                                    view! { <SearchMatches matches q=q.clone() selected names/> }.into_any()
                                }
                                None => view! { <Board columns=p.columns q=q.clone() selected/> }.into_any(),
                            }}
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Every stage as a column with a page of its deals (a phone shows the selected one).
#[component]
fn Board(columns: Vec<Column>, q: PipelineQuery, selected: i64) -> impl IntoView {
    view! {
        <div class="board">
            {columns.into_iter().map(|c| {
                let current = c.stage.id == selected;
                let (page, pages, stage_id) = (c.page, c.pages, c.stage.id);
                let prev = (page > 1).then(|| query_href(&q, Some(stage_id), page - 1));
                let next = (page < pages).then(|| query_href(&q, Some(stage_id), page + 1));
                view! {
                    <section class="column" class:current=current data-testid="stage-column">
                        <h2 class="column-title">
                            {c.stage.name.clone()}
                            <span class="hint">{format!(" {}", c.stage.deals)}</span>
                            {c.stage.value.first().map(|m| view! { <span class="column-value">{money_short(m.minor, &m.currency)}</span> })}
                        </h2>
                        {if c.deals.is_empty() {
                            view! { <p class="hint">{t("deals-no-deals-here")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="deal-list">
                                    {c.deals.into_iter().map(|card| view! { <DealRow card/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {(pages > 1).then(|| view! {
                            <p class="pager">
                                {prev.map(|h| view! { <a class="button small" href=h>{t("deals-newer")}</a> })}
                                <span class="hint">{t_with("deals-page-of", &[("page", page.to_string().into()), ("pages", pages.to_string().into())])}</span>
                                {next.map(|h| view! { <a class="button small" href=h>{t("deals-older")}</a> })}
                            </p>
                        })}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

/// A search's matches as one list, newest first, each with its stage, a page at a time.
#[component]
fn SearchMatches(matches: Matches, q: PipelineQuery, selected: i64, names: Vec<(i64, String)>) -> impl IntoView {
    let stage = (selected != 0).then_some(selected);
    let prev = (matches.page > 1).then(|| query_href(&q, stage, matches.page - 1));
    let next = (matches.page < matches.pages).then(|| query_href(&q, stage, matches.page + 1));
    let search = q.search.clone().unwrap_or_default();
    view! {
        <section class="card matches" data-testid="search-matches">
            {matches.capped.then(|| view! {
                <p class="notice" role="status" data-testid="search-capped">
                    {t_with("deals-search-capped", &[("limit", SEARCH_LIMIT.into())])}
                </p>
            })}
            {if matches.deals.is_empty() {
                view! { <p class="hint">{t_with("deals-no-match", &[("search", search.into())])}</p> }.into_any()
            } else {
                view! {
                    <ul class="deal-list">
                        {matches.deals.into_iter().map(|card| {
                            let stage = names.iter().find(|(id, _)| *id == card.stage_id).map(|(_, name)| name.clone());
                            view! { <DealRow card stage=stage.unwrap_or_default()/> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(matches.pages > 1).then(|| view! {
                <p class="pager">
                    {prev.map(|h| view! { <a class="button small" href=h>{t("deals-newer")}</a> })}
                    <span class="hint">{t_with("deals-page-of", &[("page", matches.page.to_string().into()), ("pages", matches.pages.to_string().into())])}</span>
                    {next.map(|h| view! { <a class="button small" href=h>{t("deals-older")}</a> })}
                </p>
            })}
        </section>
    }
}

/// The digits of an E.164 number, as wa.me wants them.
pub fn wa_link(number: &str, greeting: &str) -> String {
    let digits: String = crate::capture::phone_number(number).chars().filter(char::is_ascii_digit).collect();
    format!("https://wa.me/{digits}?text={}", urlencode(greeting))
}

/// Everything the deal page acts with. Made by the page itself, outside RequireRole, so the
/// server fetches the deal once.
#[derive(Clone, Copy)]
struct Workspace {
    id: Memo<i64>,
    data: Resource<Result<DealView, AppError>>,
    log: ServerAction<LogOutcome>,
    move_stage: ServerAction<MoveStage>,
    reassign: ServerAction<Reassign>,
    edit: ServerAction<EditContact>,
    claim: ServerAction<ClaimReply>,
    release: ServerAction<ReleaseReply>,
    /// The note survives a live reload of the page around it.
    note: RwSignal<String>,
    /// The last stage move asked for, to apply again after a conflict.
    last_move: RwSignal<Option<MoveStage>>,
    follow_ups: crate::reminders::pages::FollowUps,
    listings: Resource<Result<Vec<crate::properties::ListingMatch>, AppError>>,
    presenting: crate::presentations::pages::Presenting,
    messaging: Resource<Result<crate::templates::DealMessaging, AppError>>,
    reply: ServerAction<crate::whatsapp::api::ReplyOnWhatsapp>,
}

#[component]
pub fn DealPage() -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default()));
    let log = ServerAction::<LogOutcome>::new();
    let move_stage = ServerAction::<MoveStage>::new();
    let reassign = ServerAction::<Reassign>::new();
    let edit = ServerAction::<EditContact>::new();
    let claim = ServerAction::<ClaimReply>::new();
    let release = ServerAction::<ReleaseReply>::new();
    let follow_ups = crate::reminders::pages::FollowUps::new(id);
    let listings = crate::properties::pages::deal_listings(id);
    // Reload on our own actions and when anyone changes this deal.
    let heard = Memo::new(move |_| {
        live.deal_changes.get();
        live.last_deal.with_untracked(|e| e.as_ref().map(|e| (e.deal_id, e.version, e.what.clone())))
    });
    let presenting = crate::presentations::pages::Presenting::new(id, heard);
    // Refilled when the deal changes: a new presentation link, a new number.
    let messaging = Resource::new(move || (id.get(), heard.get(), edit.version().get()), |(id, ..)| crate::templates::api::messaging_for_deal(id));
    let reply = ServerAction::<crate::whatsapp::api::ReplyOnWhatsapp>::new();
    let data = Resource::new(
        move || {
            (
                id.get(),
                log.version().get(),
                move_stage.version().get(),
                reassign.version().get(),
                edit.version().get(),
                claim.version().get(),
                release.version().get(),
                heard.get(),
                follow_ups.done.version().get(),
                reply.version().get(),
            )
        },
        |(id, ..)| load_deal(id),
    );
    let note = RwSignal::new(String::new());
    Effect::new(move |_| {
        if matches!(log.value().get(), Some(Ok(()))) {
            note.set(String::new());
        }
    });
    let last_move = RwSignal::new(None::<MoveStage>);
    Effect::new(move |_| {
        if let Some(input) = move_stage.input().get() {
            last_move.set(Some(input));
        }
    });
    let ws = Workspace { id, data, log, move_stage, reassign, edit, claim, release, note, last_move, follow_ups, listings, presenting, messaging, reply };
    view! {
        <Shell title=t("deals-deal")>
            <RequireRole role=Role::Agent>
                <DealWorkspace ws/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn DealWorkspace(ws: Workspace) -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let (id, data) = (ws.id, ws.data);
    let others = move || {
        live.last_deal.get().filter(|e| e.deal_id == id.get()).map(|e| view! { <p class="notice live" role="status" data-testid="deal-live">{e.what}</p> })
    };
    view! {
        {others}
        <Transition fallback=|| view! { <p class="hint">{t("deals-loading-the-deal")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound) => view! { <section class="card"><h2>{t("deals-no-such-deal")}</h2><a href="/pipeline">{t("deals-back-to-the-pipeline")}</a></section> }.into_any(),
                    Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                    Ok(d) => view! { <DealSheet d ws/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One deal's sheet: a card per thing an agent does with it, top to bottom in the order of a
/// phone call (who and how to reach them, what to say, what is next, what happened).
#[component]
fn DealSheet(d: DealView, ws: Workspace) -> impl IntoView {
    let Workspace { log, move_stage, reassign, edit, claim, release, note, last_move, follow_ups, listings, presenting, messaging, reply, .. } = ws;
    let deal_id = d.id;
    let editable = d.editable;
    let query = use_query_map();
    let chat_error = query.with_untracked(|q| q.get("chat_error"));
    let imported = query.with_untracked(|q| q.get("imported"));
    let history = d.history.clone();
    let timeline = d.timeline.clone();
    let contact = d.contact.clone();
    let version = d.version;
    view! {
        <div class="deal-sheet">
        <ContactFacts d=d.clone() claim release/>
        {editable.then(|| view! { <crate::templates::pages::DealMessages deal_id messaging reply/> })}
        <crate::reminders::pages::NextStepCard f=follow_ups/>
        <crate::properties::pages::DealListings matches=listings presenting=editable.then_some(presenting)/>
        <crate::presentations::pages::DealPresentations p=presenting editable/>
        <LogCard deal_id log note/>
        {editable.then(|| view! { <StageCard d=d.clone() move_stage reassign last_move/> })}
        <TimelineCard entries=timeline imported/>
        <ChatImportCard deal_id chat_error/>
        {editable.then(|| view! { <EditContactCard deal_id version contact=contact.clone() edit/> })}
        {(!history.is_empty()).then(|| view! { <HistoryCard history=history.clone()/> })}
        </div>
    }
}

/// Who the client is, how to reach them, what they want, and who is replying right now.
#[component]
fn ContactFacts(d: DealView, claim: ServerAction<ClaimReply>, release: ServerAction<ReleaseReply>) -> impl IntoView {
    let deal_id = d.id;
    let c = d.contact.clone();
    let tel = c.phone.clone().map(|p| format!("tel:{p}"));
    let wa = c.whatsapp.clone().or(c.phone.clone()).map(|n| wa_link(&n, &d.greeting));
    let mail = c.email.clone().map(|e| format!("mailto:{e}"));
    let current_stage = d.stages.iter().find(|s| s.id == d.stage_id).cloned();
    let mine = d.claim.as_ref().is_some_and(|cl| cl.user_id == d.viewer_id);
    let claim_view = match d.claim.clone() {
        Some(cl) if cl.user_id != d.viewer_id => view! {
            <p class="claim-banner" data-testid="claim-banner" role="status">{t_with("deals-is-replying-to-this-client", &[("name", cl.name.into())])}</p>
        }.into_any(),
        _ if mine => view! {
            <ActionForm action=release attr:class="claim-form">
                <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                <p class="claim-banner mine" data-testid="claim-banner">{t("deals-you-are-replying-colleagues-see")}</p>
                <button type="submit" class="secondary small">{t("deals-done-replying")}</button>
            </ActionForm>
        }.into_any(),
        _ => view! {
            <ActionForm action=claim attr:class="claim-form">
                <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                <button type="submit" class="secondary" data-testid="claim">{t("deals-i-m-replying")}</button>
            </ActionForm>
        }.into_any(),
    };
    let claim_error = form_error(claim.value());
    let editable = d.editable;
    let owner_name = d.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default();
    view! {
        <section class="card contact-card" data-testid="contact-card">
            <p class="eyebrow">{format!("{} · {}", d.need.label(), current_stage.as_ref().map(|s| s.name.clone()).unwrap_or_default())}</p>
            <h2 data-testid="contact-name">{c.name.clone()}</h2>
            <p class="hint">
                {[c.phone.as_deref().map(crate::capture::phone_text), c.email.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
            </p>
            <div class="reach">
                {tel.map(|h| view! { <a class="button" href=h data-testid="call">{t("deals-call")}</a> })}
                {wa.map(|h| view! { <a class="button whatsapp" href=h target="_blank" rel="noopener" data-testid="whatsapp">{t("deals-whatsapp")}</a> })}
                {mail.map(|h| view! { <a class="button secondary" href=h>{t("deals-e-mail")}</a> })}
            </div>
            {(!editable).then(|| view! {
                <p class="notice" data-testid="read-only">{t_with("deals-read-only", &[("owner", owner_name.clone().into())])}</p>
            })}
            {claim_view}
            {claim_error}
            <dl class="facts">
                {d.budget.clone().map(|b| view! { <div><dt>{t("deals-budget")}</dt><dd>{b}</dd></div> })}
                {d.property_ref.clone().map(|b| view! { <div><dt>{t("deals-property")}</dt><dd>{b}</dd></div> })}
                {d.move_in.clone().map(|b| view! { <div><dt>{t("deals-move-in")}</dt><dd>{b}</dd></div> })}
                <div><dt>{t("deals-source")}</dt><dd>{d.source.clone()}</dd></div>
                <div><dt>{t("deals-arrived")}</dt><dd>{d.created.clone()}</dd></div>
                <div><dt>{t("deals-first-answer")}</dt><dd>{d.first_response.clone().unwrap_or_else(|| t("deals-not-yet"))}</dd></div>
                <div><dt>{t("deals-owner")}</dt><dd data-testid="owner">{d.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| t("deals-nobody"))}</dd></div>
                {d.lost_reason.clone().map(|r| view! { <div><dt>{t("deals-lost-because")}</dt><dd>{r}</dd></div> })}
                {d.won_value.clone().map(|v| view! { <div><dt>{t("deals-won-for")}</dt><dd>{v}</dd></div> })}
            </dl>
        </section>
    }
}

/// What happened: one tap for the usual outcomes, or a note.
#[component]
fn LogCard(deal_id: i64, log: ServerAction<LogOutcome>, note: RwSignal<String>) -> impl IntoView {
    view! {
        <section class="card" data-testid="log-card">
            <h2>{t("deals-what-happened")}</h2>
            <ActionForm action=log attr:class="stack log-form">
                <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                <div class="outcomes">
                    {Outcome::BUTTONS.into_iter().map(|o| view! {
                        <button type="submit" name="outcome" value=o.as_str() class="secondary outcome">{o.label()}</button>
                    }).collect_view()}
                </div>
                <label for="note">{t("deals-note-optional-with-a-button")}</label>
                <textarea id="note" name="body" rows="3" prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                {field_error(log.value(), "body")}
                {form_error(log.value())}
                <button type="submit" class="primary" name="outcome" value="note">{t("deals-save-note")}</button>
            </ActionForm>
        </section>
    }
}

/// The stage, with what a won or lost stage needs, and the owner for a manager.
#[component]
fn StageCard(d: DealView, move_stage: ServerAction<MoveStage>, reassign: ServerAction<Reassign>, last_move: RwSignal<Option<MoveStage>>) -> impl IntoView {
    let deal_id = d.id;
    let version = d.version;
    let stage_conflict = move || match move_stage.value().get() {
        Some(Err(AppError::StaleVersion(message))) => Some(view! {
            <div class="conflict" role="alert" data-testid="conflict">
                <p>{message}</p>
                <button type="button" class="small" on:click=move |_| {
                    if let Some(mut again) = last_move.get_untracked() {
                        again.version = version.to_string();
                        move_stage.dispatch(again);
                    }
                }>{t("deals-apply-my-change-again")}</button>
            </div>
        }),
        _ => None,
    };
    let stage_error = form_error(move_stage.value());
    let stage_options = d.stages.clone();
    let reasons = d.lost_reasons.clone();
    let currency = d.currency.clone();
    let assignable = d.assignable.clone();
    let owner_id = d.owner.as_ref().map(|o| o.id);
    view! {
        <section class="card" data-testid="stage-card">
            <h2>{t("deals-stage")}</h2>
            {stage_conflict}
            <ActionForm action=move_stage attr:class="stack stage-form">
                <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                <input type="hidden" name="version" value=version.to_string()/>
                <label for="stage_id">{t("deals-move-to")}</label>
                <select id="stage_id" name="stage_id" data-testid="stage-select">
                    {stage_options.into_iter().map(|s| {
                        let chosen = s.id == d.stage_id;
                        view! { <option value=s.id.to_string() selected=chosen data-kind=s.kind.as_str()>{s.name}</option> }
                    }).collect_view()}
                </select>
                <div class="when-lost">
                    <label for="lost_reason">{t("deals-why-was-it-lost")}</label>
                    <select id="lost_reason" name="lost_reason">
                        <option value="">{t("deals-choose-a-reason")}</option>
                        {reasons.into_iter().map(|r| view! { <option value=r.clone()>{r.clone()}</option> }).collect_view()}
                    </select>
                    {field_error(move_stage.value(), "lost_reason")}
                </div>
                <div class="when-won">
                    <label for="won_value">{t_with("deals-final-value", &[("currency", currency.clone().into())])}</label>
                    <input id="won_value" name="won_value" inputmode="decimal" placeholder="250000"/>
                    {field_error(move_stage.value(), "won_value")}
                </div>
                {move || match move_stage.value().get() {
                    Some(Err(AppError::StaleVersion(_))) => None,
                    _ => Some(stage_error()),
                }}
                <button type="submit" class="primary" data-testid="move">{t("deals-move")}</button>
            </ActionForm>
            {(!assignable.is_empty()).then(|| view! {
                <ActionForm action=reassign attr:class="stack owner-form">
                    <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <label for="owner_id">{t("deals-owner")}</label>
                    <select id="owner_id" name="owner_id">
                        {assignable.into_iter().map(|p| {
                            let chosen = Some(p.id) == owner_id;
                            view! { <option value=p.id.to_string() selected=chosen>{p.name}</option> }
                        }).collect_view()}
                    </select>
                    {form_error(reassign.value())}
                    <button type="submit" class="secondary">{t("deals-reassign")}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Everything that happened on the deal.
#[component]
fn TimelineCard(entries: Vec<super::TimelineEntry>, imported: Option<String>) -> impl IntoView {
    view! {
        <section class="card" id="timeline" data-testid="timeline">
            <h2>{t("deals-timeline")}</h2>
            {imported.map(|n| view! { <p class="notice" role="status" data-testid="imported">{match n.parse::<i64>() { Ok(count) => t_with("deals-whatsapp-imported", &[("count", count.into())]), Err(_) => t_with("deals-whatsapp-imported", &[("count", n.into())]) }}</p> })}
            <ol class="timeline">
                {entries.into_iter().map(|e| view! {
                    <li class=format!("entry kind-{}", e.kind) data-testid="timeline-entry">
                        <p class="entry-head">
                            <span class="badge">{e.label}</span>
                            <span class="hint">{format!("{}{}", e.at, e.author.map(|a| format!(" · {a}")).unwrap_or_default())}</span>
                        </p>
                        <p class="entry-body">{e.body}</p>
                        {e.attachment.map(|(href, name)| view! { <p><a class="attachment" href=href target="_blank" rel="noopener">{format!("📎 {name}")}</a></p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// A WhatsApp chat export added to the timeline, as a plain upload that works without
/// JavaScript.
#[component]
fn ChatImportCard(deal_id: i64, chat_error: Option<String>) -> impl IntoView {
    view! {
        <section class="card" data-testid="chat-import">
            <details>
                <summary>{t("deals-import-a-whatsapp-chat")}</summary>
                <p class="hint">{t("deals-in-whatsapp-open-the-chat")}</p>
                <form method="post" action=format!("/deals/{deal_id}/chats") enctype="multipart/form-data" class="stack">
                    <label for="chat-file">{t("deals-chat-export")}</label>
                    <input id="chat-file" type="file" name="file" accept=".txt,.zip,text/plain,application/zip" required/>
                    {chat_error.map(|m| view! { <p class="form-error" role="alert" data-testid="chat-error">{m}</p> })}
                    <button type="submit" class="secondary">{t("deals-read-the-chat")}</button>
                </form>
            </details>
        </section>
    }
}

/// The client's name and ways to reach them.
#[component]
fn EditContactCard(deal_id: i64, version: i64, contact: super::ContactCard, edit: ServerAction<EditContact>) -> impl IntoView {
    let c = contact;
    view! {
        <section class="card">
            <details>
                <summary>{t("deals-edit-contact-details")}</summary>
                <ActionForm action=edit attr:class="stack">
                    <input type="hidden" name="deal_id" value=deal_id.to_string()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <label for="c-name">{t("deals-name")}</label>
                    <input id="c-name" name="name" autocomplete="off" value=c.name.clone()/>
                    {field_error(edit.value(), "name")}
                    <label for="c-phone">{t("deals-phone")}</label>
                    <input id="c-phone" name="phone" type="tel" inputmode="tel" value=c.phone.as_deref().map(crate::capture::phone_text).unwrap_or_default()/>
                    {field_error(edit.value(), "phone")}
                    <label for="c-email">{t("deals-e-mail")}</label>
                    <input id="c-email" name="email" type="email" inputmode="email" value=c.email.clone().unwrap_or_default()/>
                    {field_error(edit.value(), "email")}
                    <label for="c-wa">{t("deals-whatsapp")}</label>
                    <input id="c-wa" name="whatsapp" type="tel" inputmode="tel" value=c.whatsapp.clone().unwrap_or_default()/>
                    {field_error(edit.value(), "whatsapp")}
                    {form_error(edit.value())}
                    <button type="submit" class="primary">{t("deals-save-contact")}</button>
                </ActionForm>
            </details>
        </section>
    }
}

/// The audit history of the deal's fields, for managers.
#[component]
fn HistoryCard(history: Vec<super::Change>) -> impl IntoView {
    view! {
        <section class="card" data-testid="history">
            <details>
                <summary>{t_with("deals-change-history", &[("count", history.len().into())])}</summary>
                <ul class="history">
                    {history.into_iter().map(|h| view! {
                        <li>
                            <span class="hint">{format!("{} · {} · v{}", h.at, h.by.unwrap_or_else(|| t("deals-system")), h.version)}</span>
                            <span>{format!("{}: {} → {}", super::field_label(&h.field), h.old_value.unwrap_or_else(|| "–".into()), h.new_value.unwrap_or_else(|| "–".into()))}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </section>
    }
}

#[component]
pub fn StagesPage() -> impl IntoView {
    view! {
        <Shell title=t("deals-stages")>
            <RequireRole role=Role::Admin>
                <StageAdmin/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn StageAdmin() -> impl IntoView {
    let save = ServerAction::<SaveStage>::new();
    let delete = ServerAction::<DeleteStage>::new();
    let reasons = ServerAction::<SaveLostReasons>::new();
    let data = Resource::new(
        move || (save.version().get(), delete.version().get(), reasons.version().get()),
        |_| stage_settings(),
    );
    view! {
        <p class="hint">{t("deals-the-steps-every-deal-goes")}</p>
        {form_error(save.value())}
        {form_error(delete.value())}
        <Transition fallback=|| view! { <p class="hint">{t("deals-loading")}</p> }>
            {move || Suspend::new(async move {
                let (stages, lost) = data.await.unwrap_or_default();
                let next_position = stages.iter().map(|s| s.position).max().unwrap_or(0) + 1;
                view! {
                    <ul class="stage-admin" data-testid="stage-admin">
                        {stages.into_iter().map(|s| view! {
                            <li class="card">
                                <ActionForm action=save attr:class="stage-edit">
                                    <input type="hidden" name="id" value=s.id.to_string()/>
                                    <label>{t("deals-name")}<input name="name" value=s.name.clone()/></label>
                                    <label>{t("deals-kind")}
                                        <select name="kind">
                                            {[StageKind::Open, StageKind::Won, StageKind::Lost].into_iter().map(|k| view! {
                                                <option value=k.as_str() selected=k == s.kind>{t(&format!("deals-{}", k.as_str()))}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{t("deals-order")}<input name="position" inputmode="numeric" value=s.position.to_string()/></label>
                                    <label>{t("deals-stale-after-days")}<input name="stale_after_days" inputmode="numeric" value=s.stale_after_days.map(|d| d.to_string()).unwrap_or_default()/></label>
                                    <button type="submit" class="small">{t("deals-save")}</button>
                                </ActionForm>
                                <ActionForm action=delete attr:class="stage-delete">
                                    <input type="hidden" name="id" value=s.id.to_string()/>
                                    <span class="hint">{t_with("deals-count", &[("count", s.deals.into())])}</span>
                                    <button type="submit" class="small danger" disabled=s.deals > 0>{t("deals-delete")}</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                    <section class="card">
                        <h2>{t("deals-add-a-stage")}</h2>
                        <ActionForm action=save attr:class="stack">
                            <label for="new-stage-name">{t("deals-name")}</label>
                            <input id="new-stage-name" name="name"/>
                            {field_error(save.value(), "name")}
                            <label for="new-stage-kind">{t("deals-kind")}</label>
                            <select id="new-stage-kind" name="kind">
                                <option value="open">{t("deals-open")}</option>
                                <option value="won">{t("deals-won")}</option>
                                <option value="lost">{t("deals-lost")}</option>
                            </select>
                            <input type="hidden" name="position" value=next_position.to_string()/>
                            <label for="new-stage-stale">{t("deals-stale-after-days-optional")}</label>
                            <input id="new-stage-stale" name="stale_after_days" inputmode="numeric"/>
                            {field_error(save.value(), "stale_after_days")}
                            <button type="submit" class="primary">{t("deals-add-stage")}</button>
                        </ActionForm>
                    </section>
                    <section class="card">
                        <h2>{t("deals-reasons-for-losing-a-deal")}</h2>
                        <ActionForm action=reasons attr:class="stack">
                            <label for="reasons">{t("deals-one-per-line")}</label>
                            <textarea id="reasons" name="reasons" rows="6">{lost.join("\n")}</textarea>
                            {field_error(reasons.value(), "reasons")}
                            <button type="submit" class="primary">{t("deals-save-reasons")}</button>
                        </ActionForm>
                    </section>
                }
            })}
        </Transition>
    }
}
