//! Presentations: a PDF and a share link of one listing or a shortlist, made from a deal or
//! on their own, with every open by the client counted on the deal.

#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod service;
pub mod api;
pub mod pages;

use serde::{Deserialize, Serialize};

/// Listings one presentation may hold: a shortlist, not a catalogue.
pub const MAX_LISTINGS: usize = 10;

/// What the agent asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct NewPresentation {
    /// The deal whose client it is for; none: a presentation on its own.
    pub deal_id: Option<i64>,
    /// The listings, in the order shown.
    #[cfg_attr(feature = "ssr", schema(required = true, min_items = 1, max_items = 10))]
    pub property_ids: Vec<i64>,
    /// "a4" (the default) or "letter".
    #[cfg_attr(feature = "ssr", schema(value_type = Paper))]
    pub paper: String,
    /// The link stops working after this many days; None: until revoked.
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<i64>,
    /// Who presents it (the agent card); a person presents it themselves, an API key names
    /// the agent or gets the deal's owner.
    pub agent_id: Option<i64>,
}

/// The paper sizes a PDF is laid out for, as the API names them.
#[cfg(feature = "ssr")]
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum Paper {
    A4,
    Letter,
}

/// A presentation as its agent sees it on the deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresentationView {
    pub id: i64,
    /// Absolute addresses of the share page and the PDF.
    pub share_url: String,
    pub pdf_url: String,
    pub titles: Vec<String>,
    pub paper: String,
    /// In the viewer's time zone.
    pub created: String,
    pub agent: String,
    pub expires: Option<String>,
    pub revoked: bool,
    pub expired: bool,
    pub views: i32,
    pub last_viewed: Option<String>,
    /// wa.me to the client with the link written in, when the deal's client has a number.
    pub whatsapp_url: Option<String>,
    /// The client's e-mail address, when the deal's client has one: the PDF can go there.
    pub email_to: Option<String>,
}
