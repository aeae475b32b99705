//! The bell in the top bar (unread count, live) and the list it opens.

use leptos::prelude::*;

use crate::language::t;

use super::api::{recent_notifications, unread_count};
use crate::auth::Role;
use crate::shell::{LiveNotices, RequireRole, Shell};

/// The unread count, fetched in the browser (after hydration) and again whenever a
/// notification arrives live. Browser-only on purpose (an effect, which never runs on the
/// server): it takes no part in the server's numbering of resources, so adding it to every
/// page's frame cannot shift which serialised data each page's own resources hydrate from.
pub fn unread() -> RwSignal<Option<u64>> {
    let live = expect_context::<LiveNotices>();
    let count = RwSignal::new(None);
    Effect::new(move |_| {
        live.arrivals.get();
        leptos::task::spawn_local(async move {
            if let Ok(n) = unread_count().await {
                count.set(Some(n));
            }
        });
    });
    count
}

/// The bell: unread notifications.
#[component]
pub fn Bell(count: RwSignal<Option<u64>>) -> impl IntoView {
    view! {
        <a class="bell" href="/notifications" aria-label=t("notifications-notifications") data-testid="bell">
            <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor"
                stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4"/>
            </svg>
            // Nothing on the server and at hydration (the count loads in the browser), so both
            // agree; the badge appears once the count is in.
            {move || {
                count.get().filter(|n| *n > 0).map(|n| {
                    view! { <span class="bell-count" data-testid="bell-count">{if n > 99 { "99+".to_string() } else { n.to_string() }}</span> }
                })
            }}
        </a>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let live = expect_context::<LiveNotices>();
    let list = Resource::new(move || live.arrivals.get(), |_| recent_notifications());
    view! {
        <Shell title=t("notifications-notifications")>
            <RequireRole role=Role::Agent>
                <crate::push::pages::PushDevices/>
                <Transition fallback=|| view! { <p class="hint">{t("notifications-loading")}</p> }>
                    {move || Suspend::new(async move {
                        let items = list.await.unwrap_or_default();
                        if items.is_empty() {
                            return view! { <p class="hint">{t("notifications-nothing-yet-new-leads-and")}</p> }.into_any();
                        }
                        view! {
                            <ul class="card deal-list" data-testid="notifications">
                                {items.into_iter().map(|n| {
                                    let href = n.deal_id.map(|id| format!("/deals/{id}")).unwrap_or_else(|| "/".into());
                                    view! {
                                        <li class="deal-row" class:unread=n.unread>
                                            <a class="deal-link" href=href>
                                                <span class="deal-name">{n.title}</span>
                                                <span class="hint">{format!("{} · {}", n.body, n.at)}</span>
                                            </a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </Transition>
                <crate::auth::pages::YourLanguage/>
                <crate::auth::pages::Sessions/>
            </RequireRole>
        </Shell>
    }
}
