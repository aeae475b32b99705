//! Listings on a phone: the list at /properties, a listing's page with who to call about it
//! (and its form), a new listing at /properties/new, and the listings that fit a deal.

use leptos::prelude::*;

use crate::language::{t, t_with};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{deal_matches, list_properties, listing_agents, load_property, SaveProperty};
use super::{label, ListingMatch, PropertyInput, PropertyView, ENERGY_RATINGS, OPERATIONS, STATUSES, TYPES};
use crate::auth::Role;
use crate::error::AppError;
use crate::shell::{field_error, form_error, RequireRole, Shell};

fn facts(p: &PropertyView) -> String {
    let mut parts = vec![label(TYPES, &p.property_type)];
    if let Some(b) = p.bedrooms {
        parts.push(t_with("properties-bedrooms-short", &[("count", i64::from(b).into())]));
    }
    if let Some(m) = p.built_m2 {
        parts.push(format!("{m} m²"));
    }
    parts.push(if p.area.is_empty() { p.city.clone() } else { format!("{}, {}", p.area, p.city) });
    parts.join(" · ")
}

#[component]
fn PropertyRow(p: PropertyView) -> impl IntoView {
    let status = p.status.clone();
    view! {
        <li>
            <a class="deal-row property-row" href=format!("/properties/{}", p.id) data-testid="property-row">
                {p.cover.clone().map(|src| view! { <img class="thumb" src=src alt="" width="64" height="48" loading="lazy"/> })}
                <span class="deal-main">
                    <span class="deal-name">{format!("{} · {}", p.reference, p.title)}</span>
                    <span class="hint">{facts(&p)}</span>
                </span>
                <span class="deal-side">
                    <strong>{p.price_text.clone()}</strong>
                    {(status != "available").then(|| view! { <span class="badge muted">{label(STATUSES, &status)}</span> })}
                </span>
            </a>
        </li>
    }
}

#[component]
pub fn PropertiesPage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let status = Memo::new(move |_| query.with(|q| q.get("status").unwrap_or_else(|| "available".into())));
    let data = Resource::new(move || (search.get(), status.get()), |(q, s)| list_properties(q, s));
    view! {
        <Shell title=t("properties-listings")>
            <RequireRole role=Role::Agent>
                <form class="filters" method="get" action="/properties">
                    <label class="sr-only" for="property-search">{t("properties-search-listings")}</label>
                    <input id="property-search" name="q" type="search" placeholder=t("properties-reference-title-town") value=move || search.get()/>
                    <select name="status" aria-label=t("properties-status")>
                        <option value="">{t("properties-any-status")}</option>
                        {STATUSES.iter().map(|(code, _)| view! { <option value=*code selected=move || status.get() == *code>{label(STATUSES, code)}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">{t("properties-search")}</button>
                </form>
                <a class="button primary add-listing" href="/properties/new" data-testid="add-listing">{t("properties-add-a-listing")}</a>
                <Transition fallback=|| view! { <p class="hint">{t("properties-loading")}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                            Ok((rows, total)) if rows.is_empty() => view! {
                                <p class="hint" data-testid="no-listings">{if total == 0 { t("properties-no-listings-match") } else { String::new() }}</p>
                            }.into_any(),
                            Ok((rows, total)) => view! {
                                <p class="hint">{t_with("properties-count", &[("count", total.into())])}</p>
                                <ul class="deal-list">{rows.into_iter().map(|p| view! { <PropertyRow p/> }).collect_view()}</ul>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </RequireRole>
        </Shell>
    }
}

/// The listing's form: new (no `id`) or an existing one's details.
#[component]
fn PropertyForm(
    id: Option<i64>,
    start: PropertyInput,
    save: ServerAction<SaveProperty>,
    /// Whom a manager may name; empty for an agent, who lists for themselves.
    agents: Resource<Result<(i64, Vec<(i64, String)>), AppError>>,
) -> impl IntoView {
    let field = move |name: &'static str| field_error(save.value(), name);
    let select = move |name: &'static str, list: &'static [(&'static str, &'static str)], chosen: String| {
        view! {
            <select id=format!("p-{name}") name=format!("input[{name}]")>
                {list.iter().map(|(code, _)| view! { <option value=*code selected=chosen == *code>{label(list, code)}</option> }).collect_view()}
            </select>
        }
    };
    let s = start;
    view! {
        <ActionForm action=save attr:class="stack property-form">
            <input type="hidden" name="id" value=id.map(|i| i.to_string()).unwrap_or_default()/>
            <div class="two">
                <label for="p-reference">{t("properties-reference")}<input id="p-reference" name="input[reference]" value=s.reference autocomplete="off"/></label>
                <label for="p-status">{t("properties-status")}{select("status", STATUSES, if s.status.is_empty() { "available".into() } else { s.status })}</label>
            </div>
            {field("reference")}
            <label for="p-title">{t("properties-title")}</label>
            <input id="p-title" name="input[title]" value=s.title placeholder=t("properties-sea-view-flat-with-a")/>
            {field("title")}
            <div class="two">
                <label for="p-operation">{t("properties-for")}{select("operation", OPERATIONS, s.operation)}</label>
                <label for="p-property_type">{t("properties-type")}{select("property_type", TYPES, s.property_type)}</label>
            </div>
            <label for="p-price">{t("properties-price-a-rent-per-month")}</label>
            <input id="p-price" name="input[price]" inputmode="decimal" value=s.price placeholder="350000"/>
            {field("price")}
            <input type="hidden" name="input[currency]" value=s.currency/>
            <label for="p-address">{t("properties-address")}</label>
            <input id="p-address" name="input[address]" value=s.address autocomplete="off"/>
            <div class="two">
                <label for="p-city">{t("properties-town")}<input id="p-city" name="input[city]" value=s.city/></label>
                <label for="p-area">{t("properties-area")}<input id="p-area" name="input[area]" value=s.area/></label>
            </div>
            {field("city")}
            <div class="three">
                <label for="p-bedrooms">{t("properties-bedrooms")}<input id="p-bedrooms" name="input[bedrooms]" inputmode="numeric" value=s.bedrooms/></label>
                <label for="p-bathrooms">{t("properties-bathrooms")}<input id="p-bathrooms" name="input[bathrooms]" inputmode="numeric" value=s.bathrooms/></label>
                <label for="p-energy">{t("properties-energy")}
                    <select id="p-energy" name="input[energy_rating]">
                        <option value="">"–"</option>
                        {ENERGY_RATINGS.iter().map(|r| { let chosen = s.energy_rating == *r; view! { <option value=*r selected=chosen>{*r}</option> } }).collect_view()}
                    </select>
                </label>
            </div>
            {field("bedrooms")}
            {field("bathrooms")}
            <div class="three">
                <label for="p-built">{t("properties-built-m")}<input id="p-built" name="input[built_m2]" inputmode="numeric" value=s.built_m2/></label>
                <label for="p-plot">{t("properties-plot-m")}<input id="p-plot" name="input[plot_m2]" inputmode="numeric" value=s.plot_m2/></label>
                <label for="p-year">{t("properties-year")}<input id="p-year" name="input[year_built]" inputmode="numeric" value=s.year_built/></label>
            </div>
            {field("built_m2")}
            {field("plot_m2")}
            {field("year_built")}
            <label for="p-description">{t("properties-description")}</label>
            <textarea id="p-description" name="input[description]" rows="6">{s.description}</textarea>
            {field("description")}
            <label for="p-features">{t("properties-features-one-per-line")}</label>
            <textarea id="p-features" name="input[features]" rows="4">{s.features}</textarea>
            {field("features")}
            <Suspense fallback=|| ()>
                {move || {
                    let chosen = s.listing_agent_id;
                    Suspend::new(async move {
                        let (me, people) = agents.await.unwrap_or_default();
                        // A new listing, or one without an agent, is the manager's own until
                        // they choose someone else.
                        let chosen = chosen.or(Some(me));
                        (!people.is_empty()).then(|| view! {
                            <label for="p-agent">{t("properties-listing-agent")}</label>
                            <select id="p-agent" name="input[listing_agent_id]" data-testid="listing-agent">
                                {people.into_iter().map(|(pid, name)| view! { <option value=pid.to_string() selected=chosen == Some(pid)>{name}</option> }).collect_view()}
                            </select>
                            <p class="hint">{t("properties-leads-from-forms-that-name")}</p>
                        })
                    })
                }}
            </Suspense>
            {field("listing_agent_id")}
            {form_error(save.value())}
            <button type="submit" class="primary" data-testid="save-listing">{t("properties-save-listing")}</button>
        </ActionForm>
    }
}

#[component]
pub fn NewPropertyPage() -> impl IntoView {
    let save = ServerAction::<SaveProperty>::new();
    let agents = Resource::new(|| (), |_| listing_agents());
    view! {
        <Shell title=t("properties-new-listing")>
            <RequireRole role=Role::Agent>
                <section class="card">
                    <PropertyForm id=None start=PropertyInput { operation: "sale".into(), property_type: "flat".into(), ..Default::default() } save agents/>
                </section>
            </RequireRole>
        </Shell>
    }
}

#[component]
pub fn PropertyPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or_default()));
    let save = ServerAction::<SaveProperty>::new();
    let data = Resource::new(move || (id.get(), save.version().get()), |(id, _)| load_property(id));
    let agents = Resource::new(|| (), |_| listing_agents());
    view! {
        <Shell title=t("properties-listing")>
            <RequireRole role=Role::Agent>
                <Transition fallback=|| view! { <p class="hint">{t("properties-loading-the-listing")}</p> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Err(AppError::NotFound) => view! { <section class="card"><h2>{t("properties-no-such-listing")}</h2><a href="/properties">{t("properties-back-to-the-listings")}</a></section> }.into_any(),
                            Err(err) => view! { <p class="form-error">{err.to_string()}</p> }.into_any(),
                            Ok(page) => {
                                let p = page.property.clone();
                                let start = p.input();
                                view! {
                                    <div class="deal-sheet">
                                    <section class="card" data-testid="listing">
                                        <p class="eyebrow">{format!("{} · {} · {}", p.reference, label(OPERATIONS, &p.operation), label(STATUSES, &p.status))}</p>
                                        <h2>{p.title.clone()}</h2>
                                        <p class="price">{p.price_text.clone()}</p>
                                        <p class="hint">{facts(&p)}</p>
                                        {(!p.description.is_empty()).then(|| view! { <p class="entry-body">{p.description.clone()}</p> })}
                                        {(!p.features.is_empty()).then(|| view! { <ul class="features">{p.features.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}</ul> })}
                                        <p class="hint">{t_with("properties-listing-agent-is", &[("name", p.listing_agent.clone().unwrap_or_else(|| t("properties-nobody")).into())])}</p>
                                    </section>
                                    <section class="card" data-testid="who-to-call">
                                        <h2>{t("properties-who-to-call")}</h2>
                                        {if page.who_to_call.is_empty() {
                                            view! { <p class="hint">{t("properties-no-open-deal-fits-this")}</p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="deal-list">
                                                    {page.who_to_call.into_iter().map(|m| view! {
                                                        <li>
                                                            <a class="deal-row" href=format!("/deals/{}", m.deal_id) data-testid="match-deal">
                                                                <span class="deal-main">
                                                                    <span class="deal-name">{m.contact_name}</span>
                                                                    <span class="hint">{m.fit.reasons.join(" · ")}</span>
                                                                </span>
                                                                <span class="deal-side hint">{m.owner.unwrap_or_else(|| t("properties-unassigned"))}</span>
                                                            </a>
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </section>
                                    <crate::presentations::pages::ListingPhotos
                                        property_id=p.id
                                        photos=page.photos.clone()
                                        editable=page.editable
                                        added=query.with_untracked(|q| q.get("added"))
                                        refused=query.with_untracked(|q| q.get("refused"))
                                    />
                                    <crate::presentations::pages::PresentListing property_id=p.id/>
                                    {page.editable.then(|| view! {
                                        <section class="card">
                                            <details>
                                                <summary>{t("properties-edit-the-listing")}</summary>
                                                <PropertyForm id=Some(p.id) start save agents/>
                                            </details>
                                        </section>
                                    })}
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

/// The deal page's "Listings that fit" card.
#[component]
pub fn DealListings(
    matches: Resource<Result<Vec<ListingMatch>, AppError>>,
    /// Present when the viewer may send this deal's client a presentation.
    presenting: Option<crate::presentations::pages::Presenting>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let found = matches.await.unwrap_or_default();
                (!found.is_empty()).then(|| view! {
                    <section class="card" data-testid="deal-listings">
                        <h2>{t("properties-listings-that-fit")}</h2>
                        <ul class="deal-list">
                            {found.into_iter().map(|m| view! {
                                <li class="pick-row">
                                    {presenting.map(|p| view! { <crate::presentations::pages::PickListing p property_id=m.property.id/> })}
                                    {m.property.cover.clone().map(|src| view! { <img class="thumb" src=src alt="" width="64" height="48"/> })}
                                    <a class="deal-row" href=format!("/properties/{}", m.property.id) data-testid="match-listing">
                                        <span class="deal-main">
                                            <span class="deal-name">{format!("{} · {}", m.property.reference, m.property.title)}</span>
                                            <span class="hint">{m.fit.reasons.join(" · ")}</span>
                                        </span>
                                        <span class="deal-side"><strong>{m.property.price_text}</strong></span>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                        {presenting.map(|p| view! { <crate::presentations::pages::MakePresentation p/> })}
                    </section>
                })
            })}
        </Transition>
    }
}

/// The deal page makes this above its role check, so the server fetches once.
pub fn deal_listings(deal_id: Memo<i64>) -> Resource<Result<Vec<ListingMatch>, AppError>> {
    Resource::new(move || deal_id.get(), deal_matches)
}
