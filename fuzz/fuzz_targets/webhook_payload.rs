//! A WhatsApp Cloud API webhook body (after its signature passed): parsing never panics.
#![no_main]

use app::language::Language;
use app::whatsapp::cloud::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, &Language::english());
});
