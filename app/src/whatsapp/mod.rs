//! WhatsApp as a channel: chat exports an agency brings with it, read into contacts' timelines.

pub mod export;
