//! The admin's agency settings: the name on forms and pages, the default time zone, and the
//! country used to read phone numbers typed without a country code.

use leptos::prelude::*;

use super::api::UpdateAgency;
use crate::auth::Role;
use crate::shell::{field_error, form_error, RequireRole, SessionContext, Shell};

#[component]
pub fn AgencyPage() -> impl IntoView {
    view! {
        <Shell title="Agency">
            <RequireRole role=Role::Admin>
                <AgencySettings/>
            </RequireRole>
        </Shell>
    }
}

#[component]
fn AgencySettings() -> impl IntoView {
    let update = ServerAction::<UpdateAgency>::new();
    let session = expect_context::<SessionContext>();
    let error = move |field| field_error(update.value(), field);
    view! {
        {move || matches!(update.value().get(), Some(Ok(()))).then(|| view! { <p class="notice" role="status">"Saved. Reload to see the new name everywhere."</p> })}
        {form_error(update.value())}
        <section class="card">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let agency = session.agency.await.ok();
                    let (name, zone, region) = agency.map(|a| (a.name, a.time_zone, a.default_region)).unwrap_or_default();
                    view! {
                        <ActionForm action=update attr:class="stack">
                            <label for="agency-name">"Agency name"</label>
                            <input id="agency-name" name="name" value=name required maxlength="80"/>
                            {error("name")}
                            <label for="agency-zone">"Time zone"</label>
                            <input id="agency-zone" name="time_zone" value=zone required/>
                            {error("time_zone")}
                            <label for="agency-region">"Country for phone numbers without a country code"</label>
                            <input id="agency-region" name="default_region" value=region required maxlength="2" autocapitalize="characters"/>
                            <p class="hint">"Two letters, like ES, GB or US. Numbers typed with + and a country code are read as typed."</p>
                            {error("default_region")}
                            <button type="submit" class="primary">"Save"</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
