//! The built front end as a phone should get it. A release build writes each file beside its
//! brotli and gzip copies (`cargo leptos build --release --precompress`), and those are sent
//! to browsers that accept them; anything else is compressed on the fly (see `compression`).
//! The front end's names carry their content hashes, so browsers keep them for a year without
//! asking again; pages are `no-cache`, so a new release reaches everyone at their next page.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// Files named by their content: a year, and browsers need not even ask whether they changed.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Icons and the favicon keep their names across releases: a day.
const STATIC: &str = "public, max-age=86400";
/// Asked again every time (a cheap 304 when unchanged): pages, and a development build's
/// unhashed front end.
const REVALIDATE: &str = "no-cache";

/// The front end this server sends: the names of its script, WASM and style sheet, and a
/// version that changes with any of them (the service worker's cache is named by it).
#[derive(Clone, Debug)]
pub struct FrontEnd {
    pub root: PathBuf,
    pub js: String,
    pub wasm: String,
    pub css: String,
    pub version: String,
    hashed: bool,
    /// The site root's own entries besides `pkg` (favicon, icons), served with `STATIC`.
    statics: HashSet<String>,
}

impl FrontEnd {
    /// Whether `dir` holds a built front end (its script, hashed or not).
    pub fn built_in(dir: &Path) -> bool {
        std::fs::read_dir(dir.join("pkg")).is_ok_and(|entries| {
            entries.flatten().any(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("doorstep") && n.ends_with(".js")))
        })
    }

    /// Reads the names Leptos will put in pages: hashed when cargo-leptos wrote its hash file
    /// (see `Config::leptos_options`), plain otherwise.
    pub fn read(options: &LeptosOptions) -> FrontEnd {
        let root = PathBuf::from(options.site_root.as_ref());
        let (js, wasm, css) = (app::front_file(options, "js"), app::front_file(options, "wasm"), app::front_file(options, "css"));
        let hashed = wasm != format!("{}.wasm", options.output_name);
        let version = if hashed {
            short_hash(&(&js, &wasm, &css))
        } else {
            // Without hashes (a development build) the files' sizes and times tell releases
            // apart.
            let stamps: Vec<_> = [&js, &wasm, &css]
                .iter()
                .map(|f| std::fs::metadata(root.join("pkg").join(f)).ok().map(|m| (m.len(), m.modified().ok())))
                .collect();
            short_hash(&stamps)
        };
        let statics = std::fs::read_dir(&root)
            .map(|entries| entries.flatten().filter_map(|e| e.file_name().into_string().ok()).filter(|n| n != "pkg").collect())
            .unwrap_or_default();
        FrontEnd { root, js, wasm, css, version, hashed, statics }
    }

    /// The front end's files under `/pkg/`, as pages load them.
    pub fn files(&self) -> [String; 3] {
        [&self.js, &self.wasm, &self.css].map(|f| format!("/pkg/{f}"))
    }

    /// The caching rule for a successful answer at `path`, if it is one of our files.
    fn policy(&self, path: &str) -> Option<&'static str> {
        if let Some(file) = path.strip_prefix("/pkg/") {
            // cargo-leptos names every file here by its content (the split-off WASM chunks
            // too), except wasm-bindgen's snippets, which the WASM asks for by plain name.
            let named_by_content = self.hashed && !file.starts_with("snippets/");
            return Some(if named_by_content { IMMUTABLE } else { REVALIDATE });
        }
        let first = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        self.statics.contains(first).then_some(STATIC)
    }
}

fn short_hash(value: &impl Hash) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The site's files, each from its precompressed copy when there is one the browser accepts.
/// What is not a file falls through to `not_found` (Leptos's 404 page).
pub fn files<F>(front: &FrontEnd, not_found: F) -> ServeDir<F> {
    ServeDir::new(&front.root)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
        .fallback(not_found)
}

/// Sets `Cache-Control` on answers that did not set their own: the rules above for the site's
/// files, `no-cache` for pages. Files that come in several encodings say so (`Vary`), so a
/// cache in between keeps each.
pub async fn cache_policy(State(front): State<Arc<FrontEnd>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers();
    if headers.contains_key(header::CACHE_CONTROL) {
        return response;
    }
    let policy = if super::access::is_page(headers) {
        Some(REVALIDATE)
    } else if response.status().is_success() || response.status() == axum::http::StatusCode::NOT_MODIFIED {
        front.policy(&path)
    } else {
        None
    };
    if let Some(policy) = policy {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        if path.starts_with("/pkg/") && !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

/// Compresses answers on the fly (brotli or gzip, as the browser prefers) unless they already
/// are (precompressed files, PDFs, photos, zips) or must arrive as they are written (the live
/// event stream: `DefaultPredicate` leaves `text/event-stream` alone, and images).
pub fn compression() -> CompressionLayer<impl Predicate> {
    // Only brotli and gzip are compiled in (tower-http's features): every browser has one.
    CompressionLayer::new().compress_when(worth_compressing())
}

fn worth_compressing() -> impl Predicate {
    DefaultPredicate::new()
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("font/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: &str) -> axum::http::Response<String> {
        axum::http::Response::builder().header(header::CONTENT_TYPE, content_type).body("x".repeat(4096)).unwrap()
    }

    #[test]
    fn text_is_compressed_but_not_what_already_is_or_must_stream() {
        let predicate = worth_compressing();
        for compressed in ["text/html; charset=utf-8", "application/json", "text/csv; charset=utf-8", "application/wasm", "text/javascript", "image/svg+xml"] {
            assert!(predicate.should_compress(&answer(compressed)), "{compressed}");
        }
        for left_alone in ["application/pdf", "image/jpeg", "image/png", "image/webp", "application/zip", "font/ttf", "text/event-stream"] {
            assert!(!predicate.should_compress(&answer(left_alone)), "{left_alone}");
        }
    }

    #[test]
    fn hashed_names_are_kept_for_good_and_unhashed_ones_are_asked_again() {
        let hashed = FrontEnd {
            root: PathBuf::from("site"),
            js: "doorstep.abc.js".into(),
            wasm: "doorstep.def.wasm".into(),
            css: "doorstep.ghi.css".into(),
            version: "1".into(),
            hashed: true,
            statics: HashSet::from(["favicon.svg".to_owned()]),
        };
        assert_eq!(hashed.policy("/pkg/doorstep.def.wasm"), Some(IMMUTABLE));
        assert_eq!(hashed.policy("/pkg/Hq3vT0bUfWcRr2xY8mPzLw.wasm"), Some(IMMUTABLE), "a split-off chunk, named by its hash");
        assert_eq!(hashed.policy("/pkg/snippets/leptos-abc/inline0.js"), Some(REVALIDATE));
        assert_eq!(hashed.policy("/favicon.svg"), Some(STATIC));
        assert_eq!(hashed.policy("/api/v1/deals"), None);
        let plain = FrontEnd { hashed: false, js: "doorstep.js".into(), ..hashed };
        assert_eq!(plain.policy("/pkg/doorstep.js"), Some(REVALIDATE));
    }
}
