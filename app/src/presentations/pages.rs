//! Pages: picking listings into a presentation on a deal, the deal's presentations with
//! their opens, and a listing's photos.

use leptos::prelude::*;

use crate::language::{t, t_with};

use super::api::{CreatePresentation, DeletePhoto, EmailPresentation, MovePhoto, RevokePresentation, WhatsappSent};
use super::PresentationView;
use crate::error::AppError;
use crate::properties::PhotoView;

/// The deal page's presentation state, made at page level with its other resources.
#[derive(Clone, Copy)]
pub struct Presenting {
    pub deal_id: Memo<i64>,
    pub create: ServerAction<CreatePresentation>,
    pub revoke: ServerAction<RevokePresentation>,
    pub email: ServerAction<EmailPresentation>,
    pub whatsapp: ServerAction<WhatsappSent>,
    /// Which presentation the last e-mail was for, so its answer shows under it alone.
    pub emailed: RwSignal<Option<i64>>,
    pub list: Resource<Result<Vec<PresentationView>, AppError>>,
    /// The listings ticked for the next presentation, in the order ticked.
    pub picked: RwSignal<Vec<i64>>,
    pub paper: RwSignal<String>,
    /// Days the link lasts; empty: until withdrawn.
    pub lasts: RwSignal<String>,
}

impl Presenting {
    /// `heard` changes whenever anyone changes the deal (a client's open among them).
    pub fn new<T: Clone + PartialEq + Send + Sync + 'static>(deal_id: Memo<i64>, heard: Memo<T>) -> Presenting {
        let create = ServerAction::<CreatePresentation>::new();
        let revoke = ServerAction::<RevokePresentation>::new();
        let email = ServerAction::<EmailPresentation>::new();
        let whatsapp = ServerAction::<WhatsappSent>::new();
        let list = Resource::new(
            move || (deal_id.get(), create.version().get(), revoke.version().get(), heard.get()),
            |(id, ..)| super::api::deal_presentations(id),
        );
        let picked = RwSignal::new(Vec::new());
        Effect::new(move |_| {
            if matches!(create.value().get(), Some(Ok(_))) {
                picked.set(Vec::new());
            }
        });
        Presenting { deal_id, create, revoke, email, whatsapp, emailed: RwSignal::new(None), list, picked, paper: RwSignal::new("a4".into()), lasts: RwSignal::new(String::new()) }
    }

    pub fn toggle(&self, property_id: i64) {
        self.picked.update(|p| match p.iter().position(|x| *x == property_id) {
            Some(at) => {
                p.remove(at);
            }
            None => p.push(property_id),
        });
    }
}

/// The tick box beside a listing that fits the deal.
#[component]
pub fn PickListing(p: Presenting, property_id: i64) -> impl IntoView {
    view! {
        <label class="pick" title=t("presentations-put-in")>
            <input
                type="checkbox"
                data-testid="pick-listing"
                prop:checked=move || p.picked.with(|x| x.contains(&property_id))
                on:change=move |_| p.toggle(property_id)
            />
        </label>
    }
}

/// Under the listings that fit: make the presentation of the ticked ones.
#[component]
pub fn MakePresentation(p: Presenting) -> impl IntoView {
    let count = move || p.picked.with(Vec::len);
    let pending = p.create.pending();
    view! {
        <div class="make-presentation">
            <select aria-label=t("presentations-paper") prop:value=move || p.paper.get() on:change=move |ev| p.paper.set(event_target_value(&ev))>
                <option value="a4">"A4"</option>
                <option value="letter">{t("presentations-letter")}</option>
            </select>
            <select aria-label=t("presentations-the-link-lasts") data-testid="link-lasts" prop:value=move || p.lasts.get() on:change=move |ev| p.lasts.set(event_target_value(&ev))>
                <option value="">{t("presentations-link-until-withdrawn")}</option>
                <option value="7">{t("presentations-link-for-7-days")}</option>
                <option value="30">{t("presentations-link-for-30-days")}</option>
            </select>
            <button
                type="button"
                class="primary"
                data-testid="make-presentation"
                disabled=move || count() == 0 || pending.get()
                on:click=move |_| {
                    p.create.dispatch(CreatePresentation {
                        deal_id: Some(p.deal_id.get()),
                        property_ids: p.picked.get(),
                        paper: p.paper.get(),
                        expires_in_days: p.lasts.get().parse().ok(),
                    });
                }
            >
                {move || match count() {
                    0 => t("presentations-tick-listings"),
                    1 => t("presentations-make-a-presentation"),
                    n => t_with("presentations-make-of", &[("count", n.into())]),
                }}
            </button>
            {move || match p.create.value().get() {
                Some(Err(err)) => Some(view! { <p class="form-error" role="alert">{err.to_string()}</p> }),
                _ => None,
            }}
        </div>
    }
}

/// A presentation's line: what it holds, who opened it, and the ways to send it.
#[component]
fn PresentationItem(item: PresentationView, actions: Option<Presenting>) -> impl IntoView {
    let live = !item.revoked && !item.expired;
    let status = if item.revoked {
        t("presentations-withdrawn")
    } else if item.expired {
        t("presentations-expired")
    } else {
        match (item.views, &item.last_viewed) {
            (0, _) => t("presentations-not-opened"),
            (n, Some(at)) => t_with("presentations-opened-last", &[("count", n.into()), ("at", at.clone().into())]),
            (n, None) => t_with("presentations-opened", &[("count", n.into())]),
        }
    };
    let opened = item.views > 0 && live;
    let id = item.id;
    view! {
        <li class="presentation" data-testid="presentation">
            <p class="deal-name">{item.titles.join(" · ")}</p>
            <p class="hint">{format!("{} · {} · {}", item.created, item.agent, item.paper.to_uppercase())}
                {item.expires.clone().filter(|_| live).map(|e| t_with("presentations-until", &[("at", e.into())]))}</p>
            <p class=if opened { "views opened" } else { "views" } data-testid="presentation-views">{status}</p>
            {live.then(|| view! {
                <input class="share-link" readonly value=item.share_url.clone() aria-label=t("presentations-share-link") on:focus=crate::common::select_all/>
                <div class="contact-actions">
                    {item.whatsapp_url.clone().map(|url| view! {
                        <a class="button whatsapp" href=url target="_blank" rel="noopener" data-testid="send-whatsapp"
                            on:click=move |_| { if let Some(p) = actions { p.whatsapp.dispatch(WhatsappSent { id }); } }>{t("presentations-send-on-whatsapp")}</a>
                    })}
                    <a class="button" href=item.share_url.clone() target="_blank" rel="noopener" data-testid="open-share">{t("presentations-open")}</a>
                    <a class="button" href=item.pdf_url.clone() target="_blank" rel="noopener">{t("presentations-pdf")}</a>
                    {actions.and_then(|p| item.email_to.clone().map(|to| view! {
                        <button type="button" class="button" data-testid="send-email" disabled=move || p.email.pending().get()
                            on:click=move |_| { p.emailed.set(Some(id)); p.email.dispatch(EmailPresentation { id }); }>{t_with("presentations-email-to", &[("to", to.clone().into())])}</button>
                    }))}
                    {actions.map(|p| view! {
                        <button type="button" class="link-button" on:click=move |_| { p.revoke.dispatch(RevokePresentation { id }); }>{t("presentations-withdraw-link")}</button>
                    })}
                </div>
                {actions.map(|p| view! {
                    {move || match (p.emailed.get() == Some(id) && p.email.input().get().is_none(), p.email.value().get()) {
                        (false, _) => None,
                        (true, Some(Ok(to))) => Some(view! { <p class="notice" role="status">{t_with("presentations-sent-to", &[("to", to.into())])}</p> }.into_any()),
                        (true, Some(Err(err))) => Some(view! { <p class="form-error" role="alert">{err.to_string()}</p> }.into_any()),
                        _ => None,
                    }}
                })}
            })}
        </li>
    }
}

/// The deal's presentations, newest first, updated live as the client opens them.
#[component]
pub fn DealPresentations(p: Presenting, editable: bool) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = p.list.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card" data-testid="deal-presentations">
                        <h2>{t("presentations-presentations")}</h2>
                        {move || p.revoke.value().get().and_then(Result::err).map(|err| view! { <p class="form-error" role="alert">{err.to_string()}</p> })}
                        <ul class="plain-list">
                            {list.into_iter().map(|item| view! { <PresentationItem item actions=editable.then_some(p)/> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// A listing's photos: the cover first, each with its moves, and the upload form (a plain
/// form post, so it works from any phone browser).
#[component]
pub fn ListingPhotos(property_id: i64, photos: Vec<PhotoView>, editable: bool, added: Option<String>, refused: Option<String>) -> impl IntoView {
    let shown = RwSignal::new(photos);
    let moving = ServerAction::<MovePhoto>::new();
    let deleting = ServerAction::<DeletePhoto>::new();
    Effect::new(move |_| {
        if let Some(Ok(now)) = moving.value().get() {
            shown.set(now);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = deleting.value().get() {
            shown.set(now);
        }
    });
    let count = move || shown.with(Vec::len);
    view! {
        <section class="card" id="photos" data-testid="listing-photos">
            <h2>{t("presentations-photos")}</h2>
            {added.filter(|n| n != "0").map(|n| view! { <p class="notice" role="status">{format!("{n} added.")}</p> })}
            {refused.map(|r| view! {
                <div class="form-error" role="alert" data-testid="photo-refused">
                    <p>{t("presentations-not-added")}</p>
                    <ul>{r.lines().map(|l| view! { <li>{l.to_owned()}</li> }).collect_view()}</ul>
                </div>
            })}
            {move || (count() == 0).then(|| view! { <p class="hint">{t("presentations-no-photos-yet-the-first")}</p> })}
            {move || {
                let failed = match (moving.value().get(), deleting.value().get()) {
                    (Some(Err(err)), _) | (_, Some(Err(err))) => Some(err.to_string()),
                    _ => None,
                };
                failed.map(|message| view! { <p class="form-error" role="alert">{message}</p> })
            }}
            <ul class="photo-grid">
                <For each=move || shown.get() key=|ph| (ph.id, ph.position) let:ph>
                    {
                        let id = ph.id;
                        let position = ph.position as usize;
                        view! {
                            <li class="photo" data-testid="photo">
                                <img src=ph.thumb_url.clone() alt="" loading="lazy" width="200" height="150"/>
                                {(ph.position == 0).then(|| view! { <span class="badge cover" data-testid="cover-badge">{t("presentations-cover")}</span> })}
                                {editable.then(|| view! {
                                    <div class="photo-actions">
                                        {(ph.position != 0).then(|| view! {
                                            <button type="button" data-testid="make-cover" on:click=move |_| { moving.dispatch(MovePhoto { id, to: "cover".into() }); }>{t("presentations-cover")}</button>
                                            <button type="button" aria-label=t("presentations-earlier") on:click=move |_| { moving.dispatch(MovePhoto { id, to: "earlier".into() }); }>"←"</button>
                                        })}
                                        {move || (position + 1 < count()).then(|| view! {
                                            <button type="button" aria-label=t("presentations-later") on:click=move |_| { moving.dispatch(MovePhoto { id, to: "later".into() }); }>"→"</button>
                                        })}
                                        <button type="button" aria-label=t("presentations-remove") on:click=move |_| { deleting.dispatch(DeletePhoto { id }); }>"✕"</button>
                                    </div>
                                })}
                            </li>
                        }
                    }
                </For>
            </ul>
            {editable.then(|| view! {
                <form method="post" action=format!("/properties/{property_id}/photos") enctype="multipart/form-data" class="stack upload">
                    <label>
                        {t("presentations-add-photos-jpeg-png-or")}
                        <input type="file" name="photo" accept="image/jpeg,image/png,image/webp" multiple data-testid="photo-input"/>
                    </label>
                    <button type="submit" class="primary" data-testid="upload-photos">{t("presentations-upload")}</button>
                </form>
            })}
        </section>
    }
}

/// "Present this listing" on its own page: a link not tied to any deal.
#[component]
pub fn PresentListing(property_id: i64) -> impl IntoView {
    let create = ServerAction::<CreatePresentation>::new();
    view! {
        <section class="card" data-testid="present-listing">
            <h2>{t("presentations-present-it")}</h2>
            <p class="hint">{t("presentations-a-pdf-and-a-link")}</p>
            <button type="button" class="primary" disabled=move || create.pending().get()
                on:click=move |_| { create.dispatch(CreatePresentation { deal_id: None, property_ids: vec![property_id], paper: "a4".into(), expires_in_days: None }); }>
                {t("presentations-make-a-presentation")}
            </button>
            {move || match create.value().get() {
                Some(Ok(item)) => view! { <ul class="plain-list"><PresentationItem item actions=None/></ul> }.into_any(),
                Some(Err(err)) => view! { <p class="form-error" role="alert">{err.to_string()}</p> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
