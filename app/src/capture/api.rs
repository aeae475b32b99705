//! Server functions for capture: the admin's forms and the agent's new leads. The public form
//! and the lead API are plain HTTP routes in the server crate.

use leptos::prelude::*;

use super::{FormSummary, NewLead};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::api::guard;

/// Links point at the public URL, else at the host this request came to.
#[cfg(feature = "ssr")]
fn base_url(state: &crate::state::AppState) -> String {
    let headers = use_context::<axum::http::request::Parts>().map(|p| p.headers).unwrap_or_default();
    state.base_url(&headers)
}

#[server(endpoint = "forms")]
pub async fn list_forms() -> Result<Vec<FormSummary>, AppError> {
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        let state = guard::state()?;
        super::service::list_forms(&state.db, &base_url(&state)).await
    };
    guard::with_status(result.await)
}

/// Creates (no `id`) or updates a capture form. Checkboxes arrive only when ticked.
#[server(endpoint = "forms/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_form(
    id: Option<i64>,
    slug: String,
    title: String,
    intro: String,
    show_message: Option<String>,
    show_budget: Option<String>,
    show_move_in: Option<String>,
    show_property_ref: Option<String>,
    show_consent: Option<String>,
    consent_text: String,
    default_need: String,
    currency: String,
    assignment: String,
    fixed_agent_id: Option<String>,
    thank_you_text: String,
    redirect_url: String,
    active: Option<String>,
    #[server(default)] embed_sites: String,
    #[server(default)] language: String,
) -> Result<FormSummary, AppError> {
    let result = async {
        let admin = guard::require(crate::auth::Role::Admin)?;
        let state = guard::state()?;
        let settings = super::FormInput {
            slug,
            title,
            intro,
            show_message: show_message.is_some(),
            show_budget: show_budget.is_some(),
            show_move_in: show_move_in.is_some(),
            show_property_ref: show_property_ref.is_some(),
            show_consent: show_consent.is_some(),
            consent_text,
            default_need,
            currency,
            assignment,
            fixed_agent_id: fixed_agent_id.unwrap_or_default(),
            thank_you_text,
            redirect_url: Some(redirect_url),
            embed_sites: embed_sites.split_whitespace().map(str::to_owned).collect(),
            active: active.is_some(),
            language,
        }
        .settings()?;
        let row = super::service::save_form(&state.db, id, &settings).await?;
        tracing::info!(admin_id = admin.id, form_id = row.id, slug = %row.slug, "capture form saved");
        Ok(super::service::summary_of(&row, &base_url(&state)))
    };
    guard::with_status(result.await)
}

/// Leads waiting for a first answer: the caller's own, everyone's for a manager.
#[server(endpoint = "leads/new")]
pub async fn new_leads() -> Result<Vec<NewLead>, AppError> {
    let result = async {
        let user = guard::require(crate::auth::Role::Agent)?;
        super::service::new_leads(&guard::state()?.db, &user).await
    };
    guard::with_status(result.await)
}
