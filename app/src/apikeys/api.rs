//! Server functions for the admin's API-key page.

use leptos::prelude::*;

use super::{ApiKeySummary, NewApiKey};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::api::guard;

#[server(endpoint = "apikeys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, AppError> {
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        super::service::list(&guard::state()?.db).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "apikeys/create")]
pub async fn create_api_key(name: String, scope: String) -> Result<NewApiKey, AppError> {
    let result = async {
        let admin = guard::require(crate::auth::Role::Admin)?;
        let created = super::service::create(&guard::state()?.db, &name, &scope).await?;
        tracing::info!(admin_id = admin.id, key_id = created.summary.id, "API key created");
        Ok(created)
    };
    guard::with_status(result.await)
}

#[server(endpoint = "apikeys/revoke")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    let result = async {
        let admin = guard::require(crate::auth::Role::Admin)?;
        super::service::revoke(&guard::state()?.db, id).await?;
        tracing::info!(admin_id = admin.id, key_id = id, "API key revoked");
        Ok(())
    };
    guard::with_status(result.await)
}
