//! Home: who you are and who is on the team, with one-tap calls to colleagues.

use leptos::prelude::*;

use crate::auth::api::team;
use crate::language::{t, t_with};
use crate::shell::{SessionContext, Shell};

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let members = OnceResource::new(team());
    let greeting = move || {
        Suspend::new(async move {
            session.user.await.ok().flatten().map(|u| {
                view! {
                    <section class="card">
                        <h2>{t_with("home-hello", &[("name", u.name.clone().into())])}</h2>
                        <p class="hint">{t_with("home-logged-in-as", &[("email", u.email.clone().into()), ("role", u.role.label().into()), ("zone", u.time_zone.clone().into())])}</p>
                    </section>
                }
            })
        })
    };
    view! {
        <Shell title=t("nav-today")>
            <Suspense fallback=|| ()>{greeting}</Suspense>
            <crate::reminders::pages::TodayFollowUps/>
            <crate::deals::pages::TodayCards/>
            <crate::reminders::pages::CalendarCard/>
            <section class="card">
                <h2>{t("home-team")}</h2>
                <Suspense fallback=|| view! { <p class="hint">{t("loading")}</p> }>
                    {move || Suspend::new(async move {
                        let list = members.await.unwrap_or_default();
                        view! {
                            <ul class="team-list" data-testid="team-list">
                                {list.into_iter().map(|m| {
                                    let tel = m.phone.clone().map(|p| format!("tel:{p}"));
                                    view! {
                                        <li>
                                            <span class="team-name">{m.name}</span>
                                            <span class="badge">{m.role.label()}</span>
                                            {m.away.then(|| view! { <span class="badge warn">{t("home-away")}</span> })}
                                            {tel.map(|href| view! { <a class="button small" href=href>{t("home-call")}</a> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </Suspense>
            </section>
        </Shell>
    }
}
