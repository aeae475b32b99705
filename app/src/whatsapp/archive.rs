//! What a chat-export upload holds: the chat's text and, from a zip, the files its messages
//! name. Limits hold against hostile files: the upload's size, the number of entries, each
//! file's and the whole archive's unpacked size (read, not trusted from the zip's own
//! headers), so a zip bomb stops at the limit.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// The largest upload taken.
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;
const MAX_ENTRIES: usize = 5_000;
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;
const MAX_FILE: u64 = 32 * 1024 * 1024;
/// A chat's text beyond this is not a chat export.
const MAX_TEXT: u64 = 32 * 1024 * 1024;

/// A read upload.
#[derive(Debug, Default)]
pub struct Upload {
    pub text: String,
    /// Attachment files by their name in the export.
    pub files: BTreeMap<String, Vec<u8>>,
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    let text = String::from_utf8(bytes).map_err(|_| {
        crate::language::t("whatsapp-chat-not-utf8")
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
}

/// Reads up to `limit` bytes of `r`; more is refused.
fn read_limited(r: impl Read, limit: u64, name: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    r.take(limit + 1).read_to_end(&mut out).map_err(|e| crate::language::t_with("whatsapp-file-could-not-be-unpacked", &[("name", name.into()), ("error", e.to_string().into())]))?;
    if out.len() as u64 > limit {
        return Err(crate::language::t_with("whatsapp-file-unpacks-too-large", &[("name", name.into()), ("mb", (limit / (1024 * 1024)).into())]));
    }
    Ok(out)
}

/// What to do with the attachments in a zip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Files {
    /// Unpack and return them (the import that stores them).
    Keep,
    /// Unpack them only to hold them to the limits, one at a time, keeping none: a bomb is
    /// refused without the whole archive in memory at once.
    Count,
    /// Leave them packed (reading the chat's text only).
    Skip,
}

/// Unpacks up to `limit` bytes of `r` into nothing and says how many there were; more is
/// refused, as [`read_limited`] does.
fn count_limited(r: impl Read, limit: u64, name: &str) -> Result<u64, String> {
    let n = std::io::copy(&mut r.take(limit + 1), &mut std::io::sink()).map_err(|e| crate::language::t_with("whatsapp-file-could-not-be-unpacked", &[("name", name.into()), ("error", e.to_string().into())]))?;
    if n > limit {
        return Err(crate::language::t_with("whatsapp-file-unpacks-too-large", &[("name", name.into()), ("mb", (limit / (1024 * 1024)).into())]));
    }
    Ok(n)
}

/// One attachment of a zip that [`open`] has already held to the limits, by its name as the
/// chat gives it; `None` when the zip has no such file.
pub fn file(bytes: &[u8], wanted: &str) -> Result<Option<Vec<u8>>, String> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(None);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| crate::language::t_with("whatsapp-zip-could-not-be-read", &[("error", e.to_string().into())]))?;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| crate::language::t_with("whatsapp-zip-could-not-be-read", &[("error", e.to_string().into())]))?;
        if entry.is_dir() || !entry.name().is_ok_and(|n| n.rsplit(['/', '\\']).next() == Some(wanted)) {
            continue;
        }
        return read_limited(entry, MAX_FILE, wanted).map(Some);
    }
    Ok(None)
}

/// Reads a `.txt` export or a `.zip` one (by its content, not its name).
pub fn open(bytes: &[u8], files_wanted: Files) -> Result<Upload, String> {
    if bytes.is_empty() {
        return Err(crate::language::t("whatsapp-file-is-empty"));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(crate::language::t_with("whatsapp-file-too-large", &[("mb", (MAX_UPLOAD / (1024 * 1024)).into())]));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        if bytes.starts_with(b"%PDF") || bytes.starts_with(&[0xff, 0xd8]) || bytes.starts_with(b"\x89PNG") || bytes.contains(&0) {
            return Err(crate::language::t("whatsapp-not-a-chat-export"));
        }
        return Ok(Upload { text: utf8(bytes.to_vec())?, files: BTreeMap::new() });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| crate::language::t_with("whatsapp-zip-could-not-be-read-again", &[("error", e.to_string().into())]))?;
    if zip.len() > MAX_ENTRIES {
        return Err(crate::language::t_with("whatsapp-zip-too-many-files", &[("max", MAX_ENTRIES.into())]));
    }
    let mut chat: Option<(String, Vec<u8>)> = None;
    let mut files = BTreeMap::new();
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| crate::language::t_with("whatsapp-zip-could-not-be-read", &[("error", e.to_string().into())]))?;
        if entry.is_dir() {
            continue;
        }
        // Only the file's own name counts: folders and `..` in a name are ignored.
        // A name that is not text is no name: the entry is skipped below.
        let name = entry.name().map(|n| n.rsplit(['/', '\\']).next().unwrap_or("").to_string()).unwrap_or_default();
        if name.is_empty() || name.starts_with('.') {
            continue;
        }
        let is_chat = name.to_lowercase().ends_with(".txt") && (name == "_chat.txt" || chat.is_none());
        if !is_chat && files_wanted == Files::Skip {
            continue;
        }
        let limit = if is_chat { MAX_TEXT } else { MAX_FILE };
        if !is_chat && files_wanted == Files::Count {
            unpacked += count_limited(entry, limit.min(MAX_UNPACKED - unpacked), &name)?;
            continue;
        }
        let data = read_limited(entry, limit.min(MAX_UNPACKED - unpacked), &name)?;
        unpacked += data.len() as u64;
        if is_chat {
            if let Some((old_name, old)) = chat.replace((name, data)) {
                files.insert(old_name, old);
            }
        } else {
            files.insert(name, data);
        }
    }
    let Some((_, text)) = chat else {
        return Err(crate::language::t("whatsapp-zip-has-no-chat"));
    };
    Ok(Upload { text: utf8(text)?, files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_zip_gives_its_chat_and_its_attachments() {
        let bytes = zipped(&[("_chat.txt", "\u{feff}[1/5/24, 09:15:02] Ana: Hi".as_bytes()), ("00000012-PHOTO.jpg", b"\xff\xd8photo")]);
        let upload = open(&bytes, Files::Keep).unwrap();
        assert_eq!(upload.text, "[1/5/24, 09:15:02] Ana: Hi", "the byte-order mark is dropped");
        assert_eq!(upload.files.get("00000012-PHOTO.jpg").map(Vec::len), Some(7));
        assert!(open(&bytes, Files::Skip).unwrap().files.is_empty(), "a preview reads the chat only");
    }

    #[test]
    fn zip_bombs_non_utf8_and_other_files_are_refused() {
        let bomb = zipped(&[("_chat.txt", b"x"), ("big.bin", &vec![0u8; (MAX_FILE + 1) as usize])]);
        assert!(bomb.len() < 200_000, "it packs small");
        assert!(open(&bomb, Files::Keep).unwrap_err().contains("more than 32 MB"));
        assert!(open(&bomb, Files::Count).unwrap_err().contains("more than 32 MB"), "counted, not kept, it is refused the same");
        let counted = open(&zipped(&[("_chat.txt", b"31/12/2023, 21:41 - Ana: Hi"), ("a.jpg", &[1u8; 1000])]), Files::Count).unwrap();
        assert!(counted.files.is_empty(), "counting keeps no file");
        assert!(open(b"31/12/2023, 21:41 - Ana: \xff\xfe", Files::Keep).unwrap_err().contains("UTF-8"));
        assert!(open(b"%PDF-1.7 ...", Files::Keep).unwrap_err().contains("not a chat export"));
        assert!(open(&zipped(&[("photo.jpg", b"\xff\xd8")]), Files::Keep).unwrap_err().contains("no chat"));
        assert!(open(b"PK\x03\x04broken", Files::Keep).unwrap_err().contains("could not be read"));
        assert!(open(b"", Files::Keep).unwrap_err().contains("empty"));
    }
}
