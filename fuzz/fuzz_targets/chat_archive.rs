//! An uploaded chat file, as the phone's .zip or a .txt: opening it never panics, and what
//! it unpacks stays within the limits (zip bombs refused).
#![no_main]

use app::whatsapp::archive::{open, Files, MAX_UNPACKED};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(upload) = open(data, Files::Keep) {
        let total: usize = upload.text.len() + upload.files.values().map(Vec::len).sum::<usize>();
        assert!(total as u64 <= MAX_UNPACKED, "unpacked {total} bytes");
    }
});
