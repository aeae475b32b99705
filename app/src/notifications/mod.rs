//! Telling people at once: a notification per user, stored, and pushed live to open pages.

#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// What a user sees arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub deal_id: Option<i64>,
}
