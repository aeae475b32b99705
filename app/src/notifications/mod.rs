//! Telling people at once: a notification per user, stored, and pushed live to open pages.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// What a notification tells. Stored by its word through SeaORM's active enum; the word
/// also reaches pages and push payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
pub enum NoticeKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "new_lead"))]
    NewLead,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "returning_lead"))]
    ReturningLead,
    /// A client wrote on WhatsApp.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "whatsapp"))]
    Whatsapp,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "presentation_viewed"))]
    PresentationViewed,
    /// A follow-up is due.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "reminder"))]
    Reminder,
    /// A follow-up is overdue: its assignee's managers are told.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "escalation"))]
    Escalation,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "deal_assigned"))]
    DealAssigned,
    /// A deal has had nothing happen for its stage's limit.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "stale"))]
    Stale,
    /// The morning summary of the day.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "digest"))]
    Digest,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::NewLead => "new_lead",
            NoticeKind::ReturningLead => "returning_lead",
            NoticeKind::Whatsapp => "whatsapp",
            NoticeKind::PresentationViewed => "presentation_viewed",
            NoticeKind::Reminder => "reminder",
            NoticeKind::Escalation => "escalation",
            NoticeKind::DealAssigned => "deal_assigned",
            NoticeKind::Stale => "stale",
            NoticeKind::Digest => "digest",
        }
    }
}

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

/// Something changed on a deal, as a page receives it: every open list and deal page hears
/// it and reloads what it shows. Carries no client data; pages fetch what their viewer may
/// see. Published as a `service::DealChange`, whose words each viewer's stream writes in
/// that viewer's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealEvent {
    pub deal_id: i64,
    pub version: i64,
    /// Who did it, and what, in words in the viewer's language: "Ana López is replying".
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
