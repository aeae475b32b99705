//! Server functions of the manager's view. Every one is for managers and admins only.

use leptos::prelude::*;

use super::{Dashboard, DrillDown, FigureParams, ReportQuery};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "reports/dashboard")]
pub async fn load_dashboard(#[server(default)] query: ReportQuery) -> Result<Dashboard, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        super::service::dashboard(&guard::state()?.db, &viewer.time_zone, &query).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "reports/deals")]
pub async fn load_drill_down(#[server(default)] query: ReportQuery, #[server(default)] figure: FigureParams, page: u64) -> Result<DrillDown, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        let figure = super::Figure::parse(&figure).ok_or_else(|| AppError::field("figure", crate::language::t("reports-choose-a-number")))?;
        super::service::drill_down(&guard::state()?.db, &viewer, &query, &figure, page).await
    };
    guard::with_status(result.await)
}

/// Hands the ticked deals to one colleague; returns how many moved.
#[server(endpoint = "reports/reassign")]
pub async fn reassign_deals(deal_ids: Option<Vec<i64>>, owner_id: Option<i64>) -> Result<u64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        let state = guard::state()?;
        let owner_id = owner_id.ok_or_else(|| AppError::field("owner_id", crate::language::t("reports-choose-who-takes-the-deals")))?;
        let actor = crate::deals::service::Actor::person(&viewer);
        crate::deals::service::reassign_many(&state.db, &state.notifier, &actor, &deal_ids.unwrap_or_default(), owner_id).await
    };
    guard::with_status(result.await)
}

/// Hands every open deal of one agent to another (say, while they are away).
#[server(endpoint = "reports/hand-over")]
pub async fn hand_over(from_id: i64, owner_id: Option<i64>) -> Result<u64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        let state = guard::state()?;
        let owner_id = owner_id.ok_or_else(|| AppError::field("owner_id", crate::language::t("reports-choose-who-takes-the-deals")))?;
        if owner_id == from_id {
            return Err(AppError::field("owner_id", crate::language::t("reports-choose-somebody-else")));
        }
        let ids = crate::deals::service::open_deal_ids(&state.db, from_id).await?;
        if ids.is_empty() {
            return Err(AppError::field("owner_id", crate::language::t("reports-no-open-deals-to-hand-over")));
        }
        let actor = crate::deals::service::Actor::person(&viewer);
        crate::deals::service::reassign_many(&state.db, &state.notifier, &actor, &ids, owner_id).await
    };
    guard::with_status(result.await)
}

/// Marks a colleague away (no new leads go to them) or back.
#[server(endpoint = "reports/away")]
pub async fn set_away(user_id: i64, away: bool) -> Result<(), AppError> {
    let result = async {
        guard::require(Role::Manager)?;
        crate::auth::service::set_away(&guard::state()?.db, user_id, away).await
    };
    guard::with_status(result.await)
}
