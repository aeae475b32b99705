//! The manager's dashboard at /reports and the deals behind a number at /reports/deals.
//! Charts are SVG written with the page, so they show before the WASM loads and print; each
//! sits over the table it draws, which screen readers read instead.

use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_router::hooks::use_query_map;

use super::api::{load_dashboard, load_drill_down, HandOver, ReassignDeals, SetAway};
use super::{duration, money_list, percent, Dashboard, DrillDown, Figure, FigureParams, Person, ReportQuery, Scope, DRILL_PAGE};
use crate::auth::Role;
use crate::deals::pages::DealRow;
use crate::shell::{form_error, RequireRole, Shell};

fn report_query() -> Memo<ReportQuery> {
    let q = use_query_map();
    Memo::new(move |_| {
        q.with(|q| ReportQuery {
            from: q.get("from").filter(|s| !s.is_empty()),
            to: q.get("to").filter(|s| !s.is_empty()),
            agent: q.get("agent").and_then(|s| s.parse().ok()),
            source: q.get("source").filter(|s| !s.is_empty()),
        })
    })
}

/// The link to the deals behind `figure` under the dashboard's filters.
fn drill(scope: &Scope, figure: Figure) -> String {
    format!("/reports/deals?{}&{}", scope.query().to_query_string(), figure.to_query_string())
}

fn csv(scope: &Scope, table: &str) -> String {
    format!("/reports/export/{table}.csv?{}", scope.query().to_query_string())
}

/// A number that opens the deals behind it.
fn num(scope: &Scope, n: u64, figure: Figure) -> impl IntoView + use<> {
    if n == 0 {
        view! { <span class="zero">"0"</span> }.into_any()
    } else {
        view! { <a href=drill(scope, figure) data-testid="drill">{n.to_string()}</a> }.into_any()
    }
}

/// Horizontal bars, one per row: label, bar, value; each bar links to its deals.
#[component]
fn Bars(title: String, rows: Vec<(String, u64, String)>) -> impl IntoView {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = 30 * rows.len().max(1);
    let id = format!("chart-{}", title.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let labelled_by = id.clone();
    // 440 units wide: on a phone the labels still read at about 12 px.
    view! {
        <svg class="chart" viewBox=format!("0 0 440 {height}") role="img" aria-labelledby=labelled_by preserveAspectRatio="xMinYMin meet">
            <title id=id>{title}</title>
            {rows.into_iter().enumerate().map(|(i, (label, value, href))| {
                let y = i * 30;
                let w = (value as f64 / max as f64 * 220.0).round().max(if value > 0 { 2.0 } else { 0.0 });
                view! {
                    <a href=href>
                        <text x="0" y=y + 20 class="chart-label">{label}</text>
                        <rect x="130" y=y + 6 width=w height="18" rx="3" class="chart-bar"/>
                        <text x=format!("{}", 136.0 + w) y=y + 20 class="chart-value">{value.to_string()}</text>
                    </a>
                }
            }).collect_view()}
        </svg>
    }
}

/// New leads and won deals per week, as paired columns.
#[component]
fn WeeklyChart(weeks: Vec<super::Week>) -> impl IntoView {
    let max = weeks.iter().map(|w| w.new_leads.max(w.won)).max().unwrap_or(0).max(1);
    let n = weeks.len().max(1);
    let step = 560.0 / n as f64;
    let bar = (step * 0.38).min(28.0);
    view! {
        <svg class="chart" viewBox="0 0 600 220" role="img" aria-labelledby="chart-weekly" preserveAspectRatio="xMinYMin meet">
            <title id="chart-weekly">{t("reports-new-leads-and-won-deals")}</title>
            <line x1="30" y1="190" x2="600" y2="190" class="chart-axis"/>
            <text x="0" y="16" class="chart-value">{max.to_string()}</text>
            <text x="0" y="190" class="chart-value">"0"</text>
            {weeks.into_iter().enumerate().map(|(i, w)| {
                let x = 36.0 + i as f64 * step;
                let h = |v: u64| (v as f64 / max as f64 * 170.0).round();
                let label = w.start.get(5..).unwrap_or("").to_string();
                view! {
                    <g>
                        <rect x=format!("{x:.1}") y=format!("{}", 190.0 - h(w.new_leads)) width=format!("{bar:.1}") height=format!("{}", h(w.new_leads)) class="chart-bar"/>
                        <rect x=format!("{:.1}", x + bar + 2.0) y=format!("{}", 190.0 - h(w.won)) width=format!("{bar:.1}") height=format!("{}", h(w.won)) class="chart-bar won"/>
                        {(n <= 16 || i % 2 == 0).then(|| view! { <text x=format!("{x:.1}") y="208" class="chart-label small">{label}</text> })}
                    </g>
                }
            }).collect_view()}
            <rect x="420" y="4" width="10" height="10" class="chart-bar"/>
            <text x="434" y="14" class="chart-label small">{t("reports-new-leads")}</text>
            <rect x="510" y="4" width="10" height="10" class="chart-bar won"/>
            <text x="524" y="14" class="chart-label small">{t("reports-won")}</text>
        </svg>
    }
}

#[component]
fn Filters(d: Dashboard) -> impl IntoView {
    let agent = d.scope.agent;
    let source = d.scope.source.clone().unwrap_or_default();
    view! {
        <form class="report-filters" method="get" action="/reports" data-testid="report-filters">
            <label>{t("reports-from")}<input type="date" name="from" value=d.scope.from.clone()/></label>
            <label>{t("reports-to")}<input type="date" name="to" value=d.scope.to.clone()/></label>
            <label>{t("reports-agent")}
                <select name="agent" data-testid="filter-agent">
                    <option value="">{t("reports-everyone")}</option>
                    {d.agents.iter().map(|p| view! { <option value=p.id.to_string() selected=agent == Some(p.id)>{p.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{t("reports-source")}
                <select name="source">
                    <option value="">{t("reports-any-source")}</option>
                    {d.sources.iter().map(|s| view! { <option value=s.clone() selected=*s == source>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="primary">{t("reports-apply")}</button>
        </form>
    }
}

#[component]
fn Section(#[prop(into)] title: String, scope: Scope, table: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card report" data-testid=format!("report-{table}")>
            <div class="report-head">
                <h2>{title}</h2>
                <a class="csv" href=csv(&scope, table) download>{t("reports-csv")}</a>
            </div>
            {children()}
        </section>
    }
}

fn speed_table(scope: &Scope, rows: Vec<super::SpeedRow>, by_agent: bool) -> impl IntoView + use<> {
    let scope = scope.clone();
    view! {
        <table class="report-table">
            <thead><tr><th>{if by_agent { t("reports-agent") } else { t("reports-source") }}</th><th>{t("reports-leads")}</th><th>{t("reports-median")}</th><th>"90%"</th><th>{t("reports-5-min")}</th><th>"≤ 1 h"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let q = if by_agent {
                        ReportQuery { agent: r.key.parse().ok().filter(|id| *id != 0), ..scope.query() }
                    } else {
                        ReportQuery { source: Some(r.key.clone()), ..scope.query() }
                    };
                    let sub = Scope { from: scope.from.clone(), to: scope.to.clone(), agent: q.agent, source: q.source.clone(), label: String::new() };
                    view! {
                        <tr>
                            <th scope="row">{r.label.clone()}</th>
                            <td>{num(&sub, r.leads, Figure::Leads)}</td>
                            <td>{r.median_minutes.map(duration).unwrap_or_else(|| "–".into())}</td>
                            <td>{r.p90_minutes.map(duration).unwrap_or_else(|| "–".into())}</td>
                            <td><a href=drill(&sub, Figure::AnsweredWithin { minutes: 5 })>{percent(r.within_5m, r.leads)}</a></td>
                            <td><a href=drill(&sub, Figure::AnsweredWithin { minutes: 60 })>{percent(r.within_1h, r.leads)}</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn TeamTable(d: Dashboard, away: ServerAction<SetAway>, hand: ServerAction<HandOver>) -> impl IntoView {
    let scope = d.scope.clone();
    let agents = d.agents.clone();
    view! {
        {form_error(hand.value())}
        <div class="table-wrap">
        <table class="report-table team-table">
            <thead><tr><th>{t("reports-agent")}</th><th>{t("reports-open")}</th><th>{t("reports-follow-ups-done")}</th><th>{t("reports-overdue")}</th><th>{t("reports-stale")}</th><th>{t("reports-won")}</th><th>{t("reports-won-value")}</th><th>{t("reports-actions")}</th></tr></thead>
            <tbody>
                {d.team.into_iter().map(|r| {
                    let others: Vec<Person> = agents.iter().filter(|p| p.id != r.id).cloned().collect();
                    let id = r.id;
                    let is_away = r.away;
                    view! {
                        <tr data-testid="team-row">
                            <th scope="row">{r.name.clone()}{r.away.then(|| view! { " " <span class="badge warn">{t("reports-away")}</span> })}</th>
                            <td>{num(&scope, r.open, Figure::AgentOpen { agent: r.id })}</td>
                            <td>{r.done.to_string()}</td>
                            <td>{num(&scope, r.overdue, Figure::Overdue { agent: r.id })}</td>
                            <td>{num(&scope, r.stale, Figure::Stale { agent: r.id })}</td>
                            <td>{num(&scope, r.won, Figure::AgentWon { agent: r.id })}</td>
                            <td>{money_list(&r.won_value)}</td>
                            <td class="actions">
                                {(id != 0).then(|| view! {
                                    <ActionForm action=away attr:class="inline">
                                        <input type="hidden" name="user_id" value=id.to_string()/>
                                        <input type="hidden" name="away" value=(!is_away).to_string()/>
                                        <button type="submit" class="secondary small" data-testid="toggle-away">{if is_away { "Back" } else { "Away" }}</button>
                                    </ActionForm>
                                })}
                                {(r.open > 0).then(|| view! {
                                    <ActionForm action=hand attr:class="inline hand-over">
                                        <input type="hidden" name="from_id" value=id.to_string()/>
                                        <select name="owner_id" aria-label=t("reports-hand-open-deals-to-2") data-testid="hand-over-to">
                                            <option value="">{t("reports-hand-open-deals-to")}</option>
                                            {others.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="secondary small" data-testid="hand-over">{t("reports-move")}</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn DashboardView(d: Dashboard, away: ServerAction<SetAway>, hand: ServerAction<HandOver>) -> impl IntoView {
    let s = d.scope.clone();
    let open_rows: Vec<(String, u64, String)> =
        d.open.iter().map(|o| (o.name.clone(), o.deals, drill(&s, Figure::Open { stage: o.stage_id }))).collect();
    let open_total: u64 = d.open.iter().map(|o| o.deals).sum();
    let f = d.funnel.clone();
    let mut funnel_rows: Vec<(String, u64, String)> = Vec::new();
    funnel_rows.extend(f.steps.iter().map(|st| (st.name.clone(), st.reached, drill(&s, Figure::Reached { stage: st.stage_id }))));
    funnel_rows.push((t("reports-won"), f.won, drill(&s, Figure::Won)));
    let stage_rows: Vec<(String, u64, String)> = d
        .stage_time
        .iter()
        .map(|t| (t.name.clone(), t.median_days.unwrap_or(0).max(0) as u64, drill(&s, Figure::StageTime { stage: t.stage_id })))
        .collect();
    let total = d.speed.total.clone();
    let s1 = s.clone();
    let s2 = s.clone();
    let s3 = s.clone();
    let s4 = s.clone();
    let s5 = s.clone();
    let s6 = s.clone();
    let s7 = s.clone();
    let (open, by_agent, by_source_speed) = (d.open.clone(), d.speed.by_agent.clone(), d.speed.by_source.clone());
    let (by_source, stage_time, weekly) = (d.by_source.clone(), d.stage_time.clone(), d.weekly.clone());
    let team = d.clone();
    view! {
        <p class="scope" data-testid="scope">{s.label.clone()}</p>
        <div class="kpis">
            <a class="kpi" href="#open"><span class="kpi-n" data-testid="kpi-open">{open_total.to_string()}</span><span>{t("reports-open-deals-now")}</span></a>
            <a class="kpi" href=drill(&s, Figure::Leads)><span class="kpi-n" data-testid="kpi-leads">{f.leads.to_string()}</span><span>{t("reports-new-leads-2")}</span></a>
            <a class="kpi" href=drill(&s, Figure::Won)><span class="kpi-n">{percent(f.won, f.leads)}</span><span>{t("reports-of-them-won")}</span></a>
            <a class="kpi" href=drill(&s, Figure::AnsweredWithin { minutes: 5 })><span class="kpi-n">{total.median_minutes.map(duration).unwrap_or_else(|| "–".into())}</span><span>{t("reports-median-first-answer")}</span></a>
        </div>
        <div class="report-grid">
            <Section title=t("reports-title-open") scope=s1.clone() table="open">
                <div id="open"></div>
                <Bars title=t("reports-chart-open") rows=open_rows/>
                <table class="report-table">
                    <thead><tr><th>{t("reports-stage")}</th><th>{t("reports-deals")}</th><th>{t("reports-value")}</th></tr></thead>
                    <tbody>
                        {open.iter().map(|o| view! {
                            <tr><th scope="row">{o.name.clone()}</th><td>{num(&s1, o.deals, Figure::Open { stage: o.stage_id })}</td><td>{money_list(&o.value)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Section>
            <Section title=t("reports-title-funnel") scope=s2.clone() table="funnel">
                <Bars title=t("reports-chart-funnel") rows=funnel_rows/>
                <table class="report-table">
                    <thead><tr><th>{t("reports-stage")}</th><th>{t("reports-reached")}</th><th>{t("reports-from-the-step-before")}</th><th>{t("reports-from-all-leads")}</th></tr></thead>
                    <tbody>
                        {
                            let mut before = f.leads;
                            let mut rows = Vec::new();
                            for st in &f.steps {
                                rows.push(view! {
                                    <tr><th scope="row">{st.name.clone()}</th><td>{num(&s2, st.reached, Figure::Reached { stage: st.stage_id })}</td>
                                    <td>{percent(st.reached, before)}</td><td>{percent(st.reached, f.leads)}</td></tr>
                                }.into_any());
                                before = st.reached;
                            }
                            rows.push(view! {
                                <tr><th scope="row">{t("reports-won")}</th><td>{num(&s2, f.won, Figure::Won)}</td><td>{percent(f.won, before)}</td><td>{percent(f.won, f.leads)}</td></tr>
                            }.into_any());
                            rows.collect_view()
                        }
                    </tbody>
                </table>
                <p class="hint">{t_with("reports-won-value-lost", &[("value", money_list(&f.won_value).into()), ("lost", f.lost.into())])}</p>
                {(!f.lost_reasons.is_empty()).then(|| view! {
                    <table class="report-table">
                        <thead><tr><th>{t("reports-lost-because")}</th><th>{t("reports-deals")}</th><th>{t("reports-share")}</th></tr></thead>
                        <tbody>
                            {f.lost_reasons.iter().map(|(reason, n)| view! {
                                <tr><th scope="row">{if reason.is_empty() { t("reports-no-reason") } else { reason.clone() }}</th>
                                <td>{num(&s2, *n, Figure::LostReason { reason: reason.clone() })}</td><td>{percent(*n, f.lost)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </Section>
            <Section title=t("reports-title-speed") scope=s3.clone() table="speed">
                <p class="hint">{t_with("reports-speed-summary", &[
                    ("answered", total.answered.into()),
                    ("leads", total.leads.into()),
                    ("median", total.median_minutes.map(duration).unwrap_or_else(|| "–".into()).into()),
                    ("p90", total.p90_minutes.map(duration).unwrap_or_else(|| "–".into()).into()),
                ])}{num(&s3, total.leads - total.answered, Figure::Unanswered)}</p>
                <div class="table-wrap">{speed_table(&s3, by_agent.clone(), true)}</div>
                <div class="table-wrap">{speed_table(&s3, by_source_speed.clone(), false)}</div>
            </Section>
            <Section title=t("reports-title-team") scope=s4.clone() table="team">
                <TeamTable d=team away hand/>
            </Section>
            <Section title=t("reports-title-sources") scope=s5.clone() table="sources">
                <div class="table-wrap">
                <table class="report-table">
                    <thead><tr><th>{t("reports-source")}</th><th>{t("reports-campaign")}</th><th>{t("reports-leads")}</th><th>{t("reports-won")}</th><th>{t("reports-won-value")}</th><th>{t("reports-conversion")}</th></tr></thead>
                    <tbody>
                        {by_source.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.source.clone()}</th>
                                <td>{if r.campaign.is_empty() { "–".to_string() } else { r.campaign.clone() }}</td>
                                <td>{num(&s5, r.leads, Figure::Source { source: r.source.clone(), campaign: r.campaign.clone(), won: false })}</td>
                                <td>{num(&s5, r.won, Figure::Source { source: r.source.clone(), campaign: r.campaign.clone(), won: true })}</td>
                                <td>{money_list(&r.won_value)}</td>
                                <td>{percent(r.won, r.leads)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </Section>
            <Section title=t("reports-title-stage-time") scope=s6.clone() table="stage-time">
                <Bars title=t("reports-chart-stage-time") rows=stage_rows/>
                <table class="report-table">
                    <thead><tr><th>{t("reports-stage")}</th><th>{t("reports-stays-ended")}</th><th>{t("reports-median-days")}</th></tr></thead>
                    <tbody>
                        {stage_time.iter().map(|t| view! {
                            <tr><th scope="row">{t.name.clone()}</th><td>{num(&s6, t.stays, Figure::StageTime { stage: t.stage_id })}</td>
                            <td>{t.median_days.map(|d| d.to_string()).unwrap_or_else(|| "–".into())}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Section>
            <Section title=t("reports-title-weekly") scope=s7.clone() table="weekly">
                <WeeklyChart weeks=weekly.clone()/>
                <div class="table-wrap">
                <table class="report-table">
                    <thead><tr><th>{t("reports-week-from")}</th><th>{t("reports-new-leads")}</th><th>{t("reports-won")}</th></tr></thead>
                    <tbody>
                        {weekly.iter().map(|w| view! {
                            <tr><th scope="row">{w.start.clone()}</th>
                            <td>{num(&s7, w.new_leads, Figure::WeekNew { start: w.start.clone() })}</td>
                            <td>{num(&s7, w.won, Figure::WeekWon { start: w.start.clone() })}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </Section>
        </div>
        <p class="hint">
            <a href=format!("/reports/export/deals.csv?{}&{}", s.query().to_query_string(), Figure::Leads.to_query_string()) download>{t("reports-all-new-leads-of-the")}</a>
            {t("reports-follow-ups-are-counted-per")}
        </p>
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let query = report_query();
    let away = ServerAction::<SetAway>::new();
    let hand = ServerAction::<HandOver>::new();
    let data = Resource::new(
        move || (query.get(), away.version().get(), hand.version().get()),
        |(q, _, _)| load_dashboard(q),
    );
    view! {
        <Shell title=t("reports-reports-2")>
            <RequireRole role=Role::Manager>
                <Transition fallback=|| view! { <p class="hint">{t("reports-loading")}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(err) => view! { <p class="form-error" data-testid="report-error">{err.to_string()}</p>
                                <a class="button" href="/reports">{t("reports-back-to-the-last-30")}</a> }.into_any(),
                            Ok(d) => view! {
                                <Filters d=d.clone()/>
                                {hand.value().get().and_then(|r| r.ok()).map(|n| view! { <p class="notice" data-testid="moved">{t_with("reports-moved", &[("count", n.into())])}</p> })}
                                <DashboardView d away hand/>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn DrillView(d: DrillDown, figure: FigureParams, reassign: ServerAction<ReassignDeals>, picks: NodeRef<leptos::html::Form>) -> impl IntoView {
    let base = format!(
        "/reports/deals?{}&{}",
        d.scope.query().to_query_string(),
        super::Figure::parse(&figure).map(|f| f.to_query_string()).unwrap_or_default()
    );
    let pages = d.total.div_ceil(DRILL_PAGE).max(1);
    let csv = base.replacen("/reports/deals?", "/reports/export/deals.csv?", 1);
    view! {
        <p class="scope"><a href=format!("/reports?{}", d.scope.query().to_query_string())>{t("reports-reports")}</a>" · "{d.scope.label.clone()}</p>
        <h2 data-testid="drill-title">{d.title.clone()}</h2>
        <p class="hint"><span data-testid="drill-total">{d.total.to_string()}</span>{t_with("reports-drill-deals", &[("count", d.total.into())])}
            " · "<a href=csv download>{t("reports-csv")}</a></p>
        {reassign.value().get().and_then(|r| r.ok()).map(|n| view! { <p class="notice" data-testid="moved">{t_with("reports-moved", &[("count", n.into())])}</p> })}
        {form_error(reassign.value())}
        <ActionForm action=reassign node_ref=picks attr:class="stack">
            <ul class="deal-list pickable">
                {d.deals.into_iter().enumerate().map(|(i, card)| {
                    let id = card.id;
                    view! {
                        <li class="pick-row">
                            <input type="checkbox" name=format!("deal_ids[{i}]") value=id.to_string() aria-label=t("reports-pick-this-deal") data-testid="pick-deal"/>
                            <DealRow card/>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(d.total > 0).then(|| view! {
                <div class="bulk-bar">
                    <select name="owner_id" aria-label=t("reports-give-the-ticked-deals-to-2") data-testid="reassign-to">
                        <option value="">{t("reports-give-the-ticked-deals-to")}</option>
                        {d.agents.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="primary" data-testid="reassign">{t("reports-reassign")}</button>
                </div>
            })}
        </ActionForm>
        {(pages > 1).then(|| view! {
            <nav class="pager">
                {(d.page > 1).then(|| view! { <a href=format!("{base}&page={}", d.page - 1)>{t("reports-newer")}</a> })}
                <span class="hint">{format!("Page {} of {pages}", d.page)}</span>
                {(d.page < pages).then(|| view! { <a href=format!("{base}&page={}", d.page + 1)>{t("reports-older")}</a> })}
            </nav>
        })}
    }
}

#[component]
pub fn DrillDownPage() -> impl IntoView {
    let query = report_query();
    let q = use_query_map();
    let figure = Memo::new(move |_| {
        q.with(|q| FigureParams {
            figure: q.get("figure"),
            stage: q.get("stage").and_then(|s| s.parse().ok()),
            owner: q.get("owner").and_then(|s| s.parse().ok()),
            minutes: q.get("minutes").and_then(|s| s.parse().ok()),
            key: q.get("key"),
            campaign: q.get("campaign"),
        })
    });
    let page = Memo::new(move |_| q.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1u64)));
    let reassign = ServerAction::<ReassignDeals>::new();
    // Once deals are handed over the list changes under the boxes: none stays ticked.
    let picks = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(reassign.value().get(), Some(Ok(_)))
            && let Some(form) = picks.get() {
                form.reset();
            }
    });
    let data = Resource::new(
        move || (query.get(), figure.get(), page.get(), reassign.version().get()),
        |(q, f, p, _)| load_drill_down(q, f, p),
    );
    view! {
        <Shell title=t("reports-deals-behind-a-number")>
            <RequireRole role=Role::Manager>
                <Transition fallback=|| view! { <p class="hint">{t("reports-loading")}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                            Ok(d) => view! { <DrillView d figure=figure.get_untracked() reassign picks/> }.into_any(),
                        }
                    })}
                </Transition>
            </RequireRole>
        </Shell>
    }
}
