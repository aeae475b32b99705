//! WhatsApp as a channel: chat exports an agency brings with it, read into contacts'
//! timelines, and the Business Cloud API's webhook, where clients' messages come in.

pub mod cloud;
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;
