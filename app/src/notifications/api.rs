//! Server functions for the bell: how many notifications are unread, and the list.

use leptos::prelude::*;

use super::NoticeView;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "notifications/unread")]
pub async fn unread_count() -> Result<u64, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        super::service::unread(&guard::state()?.db, viewer.id).await
    };
    guard::with_status(result.await)
}

/// The newest notifications; opening the list marks them read.
#[server(endpoint = "notifications/list")]
pub async fn recent_notifications() -> Result<Vec<NoticeView>, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let list = super::service::recent(&state.db, &viewer).await?;
        super::service::mark_all_read(&state.db, viewer.id).await?;
        Ok(list)
    };
    guard::with_status(result.await)
}
