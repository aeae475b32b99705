//! WhatsApp as a channel: chat exports an agency brings with it, read into contacts'
//! timelines, and the Business Cloud API's webhook, where clients' messages come in.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod cloud;
pub mod export;
pub mod pages;
#[cfg(any(feature = "ssr", feature = "parsers"))]
pub mod archive;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod reply;
#[cfg(feature = "ssr")]
pub mod service;

/// WhatsApp takes up to 4,096 characters in a text message.
pub const MAX_TEXT: usize = 4096;

/// How to read an uploaded chat: who of its participants is the agency's side, the time zone
/// the phone was in, and the date order when the file cannot tell. Empty means "as guessed".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatChoice {
    #[serde(default)]
    pub agent: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub order: String,
}

/// One message as the preview shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    /// Its place among the chat's messages, for confirming a suggestion.
    pub index: usize,
    pub at: String,
    pub author: String,
    pub text: String,
    /// Written by the agency's side.
    pub ours: bool,
    pub attachment: Option<String>,
    /// A suggested type: viewing, payment or complaint, and its label.
    pub suggestion: Option<(String, String)>,
}

/// What an uploaded chat will add, before anything is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatPreview {
    pub token: String,
    pub deal_id: i64,
    pub contact_name: String,
    pub contact_phone: Option<String>,
    pub file_name: String,
    /// "Android" or "iPhone".
    pub phone_kind: String,
    pub participants: Vec<String>,
    pub agent: String,
    pub time_zone: String,
    /// dmy, mdy or ymd.
    pub order: String,
    pub ambiguous_order: bool,
    pub messages: usize,
    /// Messages not on the timeline yet (an earlier import of the same chat added the rest).
    pub new_messages: usize,
    pub attachments: usize,
    pub omitted_media: usize,
    pub first: String,
    pub last: String,
    /// The first and last few messages, to check the reading.
    pub sample: Vec<PreviewLine>,
    pub suggestions: Vec<PreviewLine>,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub deal_id: i64,
    pub added: usize,
    pub already_there: usize,
}
