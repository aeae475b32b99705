//! Server functions for the agency's settings.

use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "agency/update")]
pub async fn update_agency(name: String, time_zone: String, default_region: String, #[server(default)] language: String) -> Result<(), AppError> {
    use crate::auth::api::guard;
    let result = async {
        let admin = guard::require(crate::auth::Role::Admin)?;
        super::update(&guard::state()?.db, &name, &time_zone, &default_region, &language).await?;
        tracing::info!(admin_id = admin.id, "agency settings saved");
        Ok(())
    };
    guard::with_status(result.await)
}

/// When managers hear of an overdue follow-up (minutes; None: never) and the local hour of
/// the morning digest.
#[server(endpoint = "agency/alerts")]
pub async fn alert_settings() -> Result<(Option<i32>, i32), AppError> {
    use crate::auth::api::guard;
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        super::alerts(&guard::state()?.db).await
    };
    guard::with_status(result.await)
}

/// Saves the alert settings: `escalate_after` in minutes (empty turns escalation off) and
/// `digest_hour` from 0 to 23.
#[server(endpoint = "agency/alerts/save")]
pub async fn save_alerts(escalate_after: String, digest_hour: String) -> Result<(), AppError> {
    use crate::auth::api::guard;
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        super::save_alerts(&guard::state()?.db, &escalate_after, &digest_hour).await
    };
    guard::with_status(result.await)
}

/// The presentations' colour and the logo's address.
#[server(endpoint = "agency/brand")]
pub async fn brand() -> Result<(String, Option<String>), AppError> {
    use crate::auth::api::guard;
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        super::service::brand(&guard::state()?.db).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "agency/brand/save")]
pub async fn save_brand(brand_color: String) -> Result<(), AppError> {
    use crate::auth::api::guard;
    let result = async {
        guard::require(crate::auth::Role::Admin)?;
        super::service::save_color(&guard::state()?.db, &brand_color).await
    };
    guard::with_status(result.await)
}
