//! Server functions for the agency's settings.

use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "agency/update")]
pub async fn update_agency(name: String, time_zone: String, default_region: String) -> Result<(), AppError> {
    use crate::auth::api::guard;
    let result = async {
        let admin = guard::require(crate::auth::Role::Admin)?;
        super::update(&guard::state()?.db, &name, &time_zone, &default_region).await?;
        tracing::info!(admin_id = admin.id, "agency settings saved");
        Ok(())
    };
    guard::with_status(result.await)
}
