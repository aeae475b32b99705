//! Telling people at once: a notification per user, stored, and pushed live to open pages.

pub mod api;
pub mod pages;
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

/// Something changed on a deal: every open list and deal page hears it and reloads what it
/// shows. Carries no client data; pages fetch what their viewer may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealEvent {
    pub deal_id: i64,
    pub version: i64,
    /// Who did it, and what, in words: "Ana López is replying".
    pub by_user_id: Option<i64>,
    pub what: String,
}

/// A notification in the bell's list, its time in the viewer's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub deal_id: Option<i64>,
    pub at: String,
    pub unread: bool,
}
