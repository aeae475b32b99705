//! Server functions for listings: the list, one listing with who to call about it, saving,
//! and the listings that fit a deal.

use leptos::prelude::*;

use super::{ListingMatch, PropertyInput, PropertyPage, PropertyView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "properties/list")]
pub async fn list_properties(search: String, status: String) -> Result<(Vec<PropertyView>, u64), AppError> {
    let result = async {
        guard::require(Role::Agent)?;
        let status = Some(status).filter(|s| super::STATUSES.iter().any(|(c, _)| c == s));
        let filter = super::service::PropertyFilter { status, search: Some(search), page: 1, per_page: 100, ..Default::default() };
        super::service::list(&guard::state()?.db, &filter).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "properties/get")]
pub async fn load_property(id: i64) -> Result<PropertyPage, AppError> {
    use sea_orm::EntityTrait;
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let db = guard::state()?.db;
        let row = crate::db::entities::property::Entity::find_by_id(id).one(&db).await?.ok_or(AppError::NotFound)?;
        let editable = super::service::may_change(&crate::deals::service::Actor::person(&viewer), &row).is_ok();
        Ok(PropertyPage { property: super::service::get(&db, id).await?, photos: super::photos::list(&db, id).await?, who_to_call: super::service::deals_for_property(&db, id).await?, editable })
    };
    guard::with_status(result.await)
}

/// Adds a listing (no `id`) or changes one; returns its id.
#[server(endpoint = "properties/save")]
pub async fn save_property(id: Option<String>, input: PropertyInput) -> Result<i64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let id = id.filter(|s| !s.trim().is_empty()).map(|s| guard::parse_id(&s, "id")).transpose()?;
        let actor = crate::deals::service::Actor::person(&viewer);
        let saved = super::service::save(&guard::state()?.db, &actor, id, &input).await?;
        // Without JavaScript the browser follows to the listing's page.
        leptos_axum::redirect(&format!("/properties/{saved}"));
        Ok(saved)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "deal/matches")]
pub async fn deal_matches(deal_id: i64) -> Result<Vec<ListingMatch>, AppError> {
    let result = async {
        guard::require(Role::Agent)?;
        let mut found = super::service::matches_for_deal(&guard::state()?.db, deal_id).await?;
        found.truncate(5);
        Ok(found)
    };
    guard::with_status(result.await)
}

/// The viewer's own id, and whom a manager may name as a listing agent (everyone, the
/// disabled marked so); an agent gets no one, as agents list only for themselves.
#[server(endpoint = "properties/agents")]
pub async fn listing_agents() -> Result<(i64, Vec<(i64, String)>), AppError> {
    use sea_orm::{EntityTrait, QueryOrder};
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        if viewer.role < Role::Manager {
            return Ok((viewer.id, Vec::new()));
        }
        let people = crate::db::entities::user::Entity::find()
            .order_by_asc(crate::db::entities::user::Column::Name)
            .all(&guard::state()?.db)
            .await?;
        let named = people.into_iter().map(|u| (u.id, if u.disabled_at.is_some() { format!("{} (disabled)", u.name) } else { u.name })).collect();
        Ok((viewer.id, named))
    };
    guard::with_status(result.await)
}
