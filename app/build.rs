//! Writes each language's messages as one Fluent file, the one the browser is sent with a
//! page in that language (`language::served`, `/messages/<code>.<hash>.ftl`): the front end
//! then carries no message of its own, and a phone downloads only its reader's language.
//! The hash names the text, so browsers keep the file until the messages change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("messages");
    std::fs::create_dir_all(&dir).expect("the build's own directory");
    let mut languages: Vec<PathBuf> = read_dir(Path::new("locales")).into_iter().filter(|p| p.is_dir()).collect();
    languages.sort();
    let mut table = String::from("/// Each language's messages as one file: its code, the hash naming the text, the text.\npub(crate) const SERVED: &[(&str, &str, &str)] = &[\n");
    for language in languages {
        let code = language.file_name().and_then(|n| n.to_str()).expect("a language directory named by its code").to_owned();
        let mut files: Vec<PathBuf> = read_dir(&language).into_iter().filter(|p| p.extension().is_some_and(|e| e == "ftl")).collect();
        files.sort();
        let mut text = String::new();
        for file in files {
            text.push_str(&std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
            text.push('\n');
        }
        let path = dir.join(format!("{code}.ftl"));
        std::fs::write(&path, &text).expect("the build's own directory");
        writeln!(table, "    ({code:?}, {:?}, include_str!({:?})),", format!("{:016x}", fnv1a(text.as_bytes())), path.display().to_string()).unwrap();
    }
    table.push_str("];\n");
    std::fs::write(out.join("messages.rs"), table).expect("the build's own directory");
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.expect("a directory entry").path()).collect()
}

/// FNV-1a: a name for the text, stable from one build to the next (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
