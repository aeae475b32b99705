//! Photos and presentations end to end: uploads checked by decoding, turned upright and
//! stripped of location; PDFs checked with poppler and qpdf; share links that can be
//! withdrawn or expire; and a client's opens (not a preview bot's) arriving on the deal.

use crate::common;

use std::io::Cursor;
use std::process::Command;

use app::db::entities::{activity, deal, notification, presentation, property_photo, reminder, user};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Reply, TestApp};
use image::{DynamicImage, ImageBuffer, ImageEncoder, Rgb};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

async fn api(app: &TestApp, method: &str, path: &str, key: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "doorstep.test")
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    app.send(request.body(Body::from(body.to_owned())).unwrap()).await
}

async fn upload(app: &TestApp, property_id: i64, key: &str, files: &[(&str, Vec<u8>)]) -> Reply {
    let boundary = "doorstep-test-boundary";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/api/v1/properties/{property_id}/photos"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    app.send(request.body(Body::from(body)).unwrap()).await
}

async fn open(app: &TestApp, path: &str, user_agent: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path).header(header::USER_AGENT, user_agent).header(header::HOST, "doorstep.test");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

fn picture(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(ImageBuffer::from_fn(w, h, |x, y| Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 90])))
}

fn jpeg(image: &DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A JPEG as a phone writes it held sideways: EXIF orientation 6 (turn 90° clockwise to
/// view) and a GPS position.
fn sideways_jpeg_with_location(w: u32, h: u32) -> Vec<u8> {
    let mut exif: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    exif.extend_from_slice(&2u16.to_le_bytes());
    // Orientation, SHORT, 1, value 6.
    exif.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    // GPS IFD pointer, LONG, 1, at offset 38.
    exif.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
    exif.extend_from_slice(&0u32.to_le_bytes());
    // The GPS IFD: GPSLatitudeRef "N" and GPSLatitude 38°32'N (three RATIONALs at 56).
    exif.extend_from_slice(&2u16.to_le_bytes());
    exif.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
    exif.extend_from_slice(&[0x02, 0x00, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0]);
    exif.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(38u32, 1u32), (32, 1), (0, 1)] {
        exif.extend_from_slice(&n.to_le_bytes());
        exif.extend_from_slice(&d.to_le_bytes());
    }
    let image = picture(w, h).to_rgb8();
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    encoder.set_exif_metadata(exif).unwrap();
    encoder.write_image(&image, w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn listing(reference: &str, title: &str, price: &str) -> String {
    serde_json::json!({
        "reference": reference, "title": title, "operation": "sale", "property_type": "flat",
        "price": price, "city": "Altea", "area": "Casco Antiguo", "bedrooms": "2", "built_m2": "95",
        "description": "Bright, near the beach. ".repeat(60), "features": "Terrace\nSea views\nLift"
    })
    .to_string()
}

#[tokio::test]
async fn uploads_are_checked_by_decoding_turned_upright_and_stripped() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let made = api(&app, "POST", "/api/v1/properties", &key, &listing("ALT-1", "Sea-view flat", "320000")).await;
    let id = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap();
    let stored = || async { property_photo::Entity::find().count(&app.state.db).await.unwrap() };

    // A text file named like a photo: refused by its content, naming the file.
    let refused = upload(&app, id, &key, &[("house.jpg", b"Viewing notes: Tuesday at 10.".to_vec())]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("house.jpg") && refused.body.contains("not a photo"), "{}", refused.body);

    // A JPEG cut off half way.
    let whole = jpeg(&picture(800, 600));
    let refused = upload(&app, id, &key, &[("ok.jpg", whole.clone()), ("cut.jpg", whole[..whole.len() / 2].to_vec())]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("cut.jpg") && refused.body.contains("cut short"), "{}", refused.body);
    assert_eq!(stored().await, 0, "one bad file in a request stores none");

    // A 50-megapixel photo is taken and resized once; over 50 is refused from its header.
    let big = jpeg(&picture(8160, 6120));
    let taken = upload(&app, id, &key, &[("big.jpg", big)]).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let photos: Value = serde_json::from_str(&taken.body).unwrap();
    assert_eq!((photos["photos"][0]["width"].as_i64(), photos["photos"][0]["height"].as_i64()), (Some(1600), Some(1200)));
    let mut huge = Cursor::new(Vec::new());
    picture(10, 6).write_to(&mut huge, image::ImageFormat::Png).unwrap();
    let mut huge = huge.into_inner();
    huge[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&6_000u32.to_be_bytes());
    let crc = crc32(&huge[12..29]);
    huge[29..33].copy_from_slice(&crc.to_be_bytes());
    let refused = upload(&app, id, &key, &[("huge.png", huge)]).await;
    assert!(refused.body.contains("50 megapixels"), "{}", refused.body);

    // Held sideways with a location: stored upright, and no metadata survives.
    let sideways = sideways_jpeg_with_location(640, 480);
    assert!(contains(&sideways, b"Exif"), "the test photo carries EXIF");
    let taken = upload(&app, id, &key, &[("sideways.jpg", sideways)]).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let photo: Value = serde_json::from_str(&taken.body).unwrap();
    assert_eq!((photo["photos"][0]["width"].as_i64(), photo["photos"][0]["height"].as_i64()), (Some(480), Some(640)), "turned upright");
    let served = open(&app, photo["photos"][0]["url"].as_str().unwrap(), PHONE, None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(!contains(&served.raw, b"Exif") && !contains(&served.raw, b"II\x2a\x00"), "no EXIF, so no location, in the stored photo");
    assert_eq!(image::load_from_memory(&served.raw).unwrap().width(), 480);

    // Order: the second becomes the cover; the listing's cover thumbnail follows.
    let second = photo["photos"][0]["id"].as_i64().unwrap();
    let moved = app.call("/api/photos/move", &format!("id={second}&to=cover"), Some(&admin)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let order: Value = serde_json::from_str(&moved.body).unwrap();
    assert_eq!(order[0]["id"].as_i64(), Some(second));
    let listing: Value = serde_json::from_str(&api(&app, "GET", &format!("/api/v1/properties/{id}"), &key, "").await.body).unwrap();
    assert_eq!(listing["cover"], order[0]["thumb_url"]);
    // Removing the cover makes the next one the cover, and its files go.
    let file = app.config.data_dir.join("media").join(order[0]["url"].as_str().unwrap().trim_start_matches("/media/"));
    assert!(file.exists());
    let left = app.call("/api/photos/delete", &format!("id={second}"), Some(&admin)).await;
    let left: Value = serde_json::from_str(&left.body).unwrap();
    assert_eq!((left.as_array().unwrap().len(), left[0]["position"].as_i64()), (1, Some(0)));
    assert!(!file.exists());
    // Keys cannot climb out of the media directory.
    assert_eq!(open(&app, "/media/..%2Fcookie_secret", PHONE, None).await.status, StatusCode::NOT_FOUND);
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} is needed for this test ({e}); scripts/setup.sh installs it"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn a_shortlist_pdf_reads_right_in_real_pdf_tools_and_opens_are_counted() {
    let app = TestApp::new().await;
    let colleague = app.admin_cookie().await;
    let agent_id = app.add_user("Ελένη Zoë", "elena@costa.test", "agent", "a long enough passphrase").await;
    user::Entity::update_many()
        .col_expr(user::Column::Phone, Expr::value("+34600111222"))
        .filter(user::Column::Id.eq(agent_id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    app.capture_form("portal").await;
    let lead = r#"{"form":"portal","name":"José Núñez","phone":"+34612345001","need":"buy","budget_max":400000}"#;
    assert_eq!(api(&app, "POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);
    let the_deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    deal::Entity::update_many().col_expr(deal::Column::OwnerId, Expr::value(agent_id)).exec(&app.state.db).await.unwrap();

    let mut ids = Vec::new();
    for (reference, title, price) in [("LDZ-1", "Flat on Łódź Street", "310000"), ("ALT-2", "Casa de Zoë <Altea> & \"sea\"", "355000")] {
        let made = api(&app, "POST", "/api/v1/properties", &key, &listing(reference, title, price)).await;
        let id = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap();
        let photos: Vec<(&str, Vec<u8>)> = (0..3).map(|i| ("p.jpg", jpeg(&picture(1200 + i * 10, 800)))).collect();
        assert_eq!(upload(&app, id, &key, &photos).await.status, StatusCode::CREATED);
        ids.push(id);
    }

    // Every problem with the request at once; nothing made.
    let bad = serde_json::json!({"property_ids": [], "paper": "a3", "expires_in_days": 0, "deal_id": the_deal.id}).to_string();
    let refused = api(&app, "POST", "/api/v1/presentations", &key, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["property_ids", "paper", "expires_in_days"] {
        assert!(refused.body.contains(field), "{field}: {}", refused.body);
    }
    assert_eq!(presentation::Entity::find().count(&app.state.db).await.unwrap(), 0);

    let body = serde_json::json!({"property_ids": ids, "deal_id": the_deal.id, "paper": "letter"}).to_string();
    let made = api(&app, "POST", "/api/v1/presentations", &key, &body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made: Value = serde_json::from_str(&made.body).unwrap();
    let share = made["share_url"].as_str().unwrap();
    assert!(share.starts_with("http://doorstep.test/p/"), "{share}");
    let path = share.trim_start_matches("http://doorstep.test");
    let pdf_path = made["pdf_url"].as_str().unwrap().trim_start_matches("http://doorstep.test").to_owned();

    // The PDF, fetched by WhatsApp's link preview: a good PDF, and not a view.
    let pdf = open(&app, &pdf_path, "WhatsApp/2.24.1.6 A", None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shortlist.pdf");
    std::fs::write(&file, &pdf.raw).unwrap();
    let file = file.to_str().unwrap();
    let info = run("pdfinfo", &[file]);
    assert!(info.contains("612 x 792") && info.contains("(letter)"), "{info}");
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages >= 5, "cover, comparison, two listings with photo pages: {info}");
    run("qpdf", &["--check", file]);
    let text = run("pdftotext", &["-layout", file, "-"]);
    for expected in ["José Núñez", "Ελένη Zoë", "Flat on Łódź Street", "Casa de Zoë <Altea> & \"sea\"", "Side by side", "Price per m²", "€3,263 / m²", "€310,000", "Your agent", "+34600111222", share] {
        assert!(text.contains(expected), "the PDF lacks {expected:?}:\n{text}");
    }
    // Page numbers, however pdftotext spaces them.
    let squeezed = text.replace(' ', "");
    assert!(squeezed.contains(&format!("1/{pages}")) && squeezed.contains(&format!("{pages}/{pages}")), "page numbers:\n{text}");
    let fonts = run("pdffonts", &[file]);
    assert!(fonts.lines().skip(2).all(|l| l.contains(" yes ")), "every font embedded: {fonts}");
    let quiet = || async {
        (
            activity::Entity::find().filter(activity::Column::Kind.eq("presentation_viewed")).count(&app.state.db).await.unwrap(),
            presentation::Entity::find().one(&app.state.db).await.unwrap().unwrap().view_count,
        )
    };
    assert_eq!(quiet().await, (0, 0), "a link preview is not a view");
    assert_eq!(open(&app, path, "facebookexternalhit/1.1", None).await.status, StatusCode::OK);
    assert_eq!(open(&app, path, PHONE, Some(&colleague)).await.status, StatusCode::OK);
    assert_eq!(quiet().await, (0, 0), "nor is a colleague's look");

    // The client opens it on a phone: a view on the timeline, the agent told, a call proposed.
    let page = open(&app, path, PHONE, None).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["2 homes selected for José Núñez", "Flat on Łódź Street", "Side by side", "WhatsApp Ελένη", "Download the PDF", "wa.me/34600111222"] {
        assert!(page.body.contains(expected), "the share page lacks {expected:?}");
    }
    // What the agency typed is shown as text, never read as markup.
    assert!(page.body.contains("Casa de Zoë &lt;Altea&gt; &amp; &quot;sea&quot;") || page.body.contains("Casa de Zoë &lt;Altea&gt; &amp; \"sea\""), "escaped title");
    assert!(!page.body.contains("<Altea>"), "no raw markup from a title");
    assert_eq!(quiet().await, (1, 1));
    let told = notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::PresentationViewed)).all(&app.state.db).await.unwrap();
    assert_eq!(told.len(), 1);
    assert_eq!((told[0].user_id, told[0].title.as_str(), told[0].deal_id), (agent_id, "José opened the presentation: call now", Some(the_deal.id)));
    let proposed = reminder::Entity::find().filter(reminder::Column::DealId.eq(the_deal.id)).all(&app.state.db).await.unwrap();
    assert_eq!(proposed.len(), 1);
    assert_eq!((proposed[0].assignee_id, proposed[0].kind.as_str()), (agent_id, "call"));
    assert!(proposed[0].delivered_at.is_some(), "the notice already told them; the scheduler must not again");
    // The PDF right after is the same visit: counted, but not a second entry.
    assert_eq!(open(&app, &pdf_path, PHONE, None).await.status, StatusCode::OK);
    assert_eq!(quiet().await, (1, 2));

    // Sending it on WhatsApp goes on the timeline and answers the lead.
    let sent = app.call("/api/presentations/sent-whatsapp", &format!("id={}", made["id"]), Some(&colleague)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let logged = activity::Entity::find().filter(activity::Column::Kind.eq("whatsapp")).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(logged.body, "Sent the presentation on WhatsApp: Flat on Łódź Street; Casa de Zoë <Altea> & \"sea\"");
    let answered = deal::Entity::find_by_id(the_deal.id).one(&app.state.db).await.unwrap().unwrap();
    assert!(answered.first_response_at.is_some());

    // Withdrawn: gone, and says so; an unknown token is not found.
    let id = made["id"].as_i64().unwrap();
    assert_eq!(api(&app, "DELETE", &format!("/api/v1/presentations/{id}"), &key, "").await.status, StatusCode::NO_CONTENT);
    let gone = open(&app, path, PHONE, None).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.contains("withdrawn"), "{}", gone.body);
    assert_eq!(open(&app, &pdf_path.to_string(), PHONE, None).await.status, StatusCode::GONE);
    assert_eq!(open(&app, &format!("/p/{}", "A".repeat(43)), PHONE, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(open(&app, "/p/short", PHONE, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(quiet().await, (1, 2));
}

#[tokio::test]
async fn links_expire_and_agents_present_only_deals_they_work() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.add_user("Ana Agent", "ana@costa.test", "agent", "a long enough passphrase").await;
    let ben_id = app.add_user("Ben Agent", "ben@costa.test", "agent", "a long enough passphrase").await;
    let ana = app.login_cookie("ana@costa.test", "a long enough passphrase").await;
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    app.capture_form("portal").await;
    let lead = r#"{"form":"portal","name":"Maria Smith","phone":"+34612345002","need":"buy"}"#;
    assert_eq!(api(&app, "POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);
    let the_deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    deal::Entity::update_many().col_expr(deal::Column::OwnerId, Expr::value(ben_id)).exec(&app.state.db).await.unwrap();
    let made = api(&app, "POST", "/api/v1/properties", &key, &listing("ALT-9", "Flat", "300000")).await;
    let property = serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap();

    // Ben's client: Ana may not send them a presentation; on its own she may.
    let body = format!("deal_id={}&property_ids[0]={property}&paper=a4", the_deal.id);
    let refused = app.call("/api/presentations/create", &body, Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let alone = app.call("/api/presentations/create", &format!("property_ids[0]={property}&paper=a4"), Some(&ana)).await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.body);
    let alone: Value = serde_json::from_str(&alone.body).unwrap();
    assert_eq!(alone["whatsapp_url"], Value::Null, "no client to send it to");

    // Expiring in a day; a day later it is gone.
    let body = serde_json::json!({"property_ids": [property], "deal_id": the_deal.id, "expires_in_days": 1}).to_string();
    let made: Value = serde_json::from_str(&api(&app, "POST", "/api/v1/presentations", &key, &body).await.body).unwrap();
    let path = made["share_url"].as_str().unwrap().trim_start_matches("http://doorstep.test").to_owned();
    assert_eq!(open(&app, &path, PHONE, None).await.status, StatusCode::OK);
    // Nor may she record sending Ben's client the link.
    let refused = app.call("/api/presentations/sent-whatsapp", &format!("id={}", made["id"]), Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let row = presentation::Entity::find_by_id(made["id"].as_i64().unwrap()).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(row.created_by, ben_id, "an API key's presentation is the deal owner's");
    presentation::Entity::update_many()
        .col_expr(presentation::Column::ExpiresAt, Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)))
        .filter(presentation::Column::Id.eq(row.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let expired = open(&app, &path, PHONE, None).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("expired"));
}

#[tokio::test]
async fn leads_naming_a_listing_go_to_its_listing_agent() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let ana = app.add_user("Ana Agent", "ana@costa.test", "agent", "a long enough passphrase").await;
    let ben = app.add_user("Ben Agent", "ben@costa.test", "agent", "a long enough passphrase").await;
    let mut settings = app::capture::FormSettings::with_defaults("listing", "Ask about this home");
    settings.show_property_ref = true;
    settings.assignment = app::capture::Assignment::ListingAgent;
    app::capture::service::save_form(&app.state.db, None, &settings).await.unwrap();

    // An admin names Ben as the listing agent from the listing form.
    let form = common::form_body(&[
        ("input[reference]", "ALT-42"), ("input[title]", "Flat"), ("input[operation]", "sale"), ("input[property_type]", "flat"),
        ("input[status]", "available"), ("input[price]", "300000"), ("input[currency]", "EUR"), ("input[address]", ""),
        ("input[city]", "Altea"), ("input[area]", ""), ("input[bedrooms]", ""), ("input[bathrooms]", ""), ("input[built_m2]", ""),
        ("input[plot_m2]", ""), ("input[year_built]", ""), ("input[energy_rating]", ""), ("input[description]", ""),
        ("input[features]", ""), ("input[listing_agent_id]", &ben.to_string()), ("id", ""),
    ]);
    let saved = app.call("/api/properties/save", &form, Some(&admin)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let listing = app::db::entities::property::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(listing.listing_agent_id, Some(ben));
    // Agents do not see whom to name: they list for themselves.
    let ana_cookie = app.login_cookie("ana@costa.test", "a long enough passphrase").await;
    let (_, named): (i64, Vec<(i64, String)>) = serde_json::from_str(&app.call("/api/properties/agents", "", Some(&ana_cookie)).await.body).unwrap();
    assert!(named.is_empty());
    assert!(app.call("/api/properties/agents", "", Some(&admin)).await.body.contains("Ben Agent"));

    // Three leads name it (in any case): all Ben's. One names nothing: round robin (Ana).
    for (name, phone, reference) in [("Lea One", "612000001", "alt-42"), ("Leo Two", "612000002", "ALT-42"), ("Lia Three", "612000003", " Alt-42 ")] {
        let reply = app.submit_lead("listing", &[("name", name), ("phone", phone), ("property_ref", reference)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    app.submit_lead("listing", &[("name", "Noa Four"), ("phone", "612000004")]).await;
    let owners: Vec<Option<i64>> = deal::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|d| d.owner_id).collect();
    assert_eq!(owners, [Some(ben), Some(ben), Some(ben), Some(ana)]);

    // Ben away: his listing's leads go round robin instead.
    user::Entity::update_many().col_expr(user::Column::Away, Expr::value(true)).filter(user::Column::Id.eq(ben)).exec(&app.state.db).await.unwrap();
    app.submit_lead("listing", &[("name", "Ivo Five"), ("phone", "612000005"), ("property_ref", "ALT-42")]).await;
    let last = deal::Entity::find().all(&app.state.db).await.unwrap().pop().unwrap();
    assert_eq!(last.owner_id, Some(ana));
}

#[tokio::test]
async fn the_admin_sets_the_brand_colour_and_logo_the_presentations_use() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let refused = app.call("/api/agency/brand/save", "brand_color=blue", Some(&admin)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("#rrggbb"), "{}", refused.body);
    assert_eq!(app.call("/api/agency/brand/save", "brand_color=%23C0392B", Some(&admin)).await.status, StatusCode::OK);

    // A logo with transparency, uploaded as the form does.
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgba8(ImageBuffer::from_fn(900, 300, |x, _| image::Rgba([200, 30, 30, if x < 450 { 255 } else { 0 }])))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let boundary = "b0undary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n").into_bytes();
    body.extend_from_slice(&png.into_inner());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let post = |cookie: &str, body: Vec<u8>| {
        Request::post("/admin/agency/logo")
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::COOKIE, cookie.to_owned())
            .body(Body::from(body))
            .unwrap()
    };
    app.add_user("Ana Agent", "ana@costa.test", "agent", "a long enough passphrase").await;
    let ana = app.login_cookie("ana@costa.test", "a long enough passphrase").await;
    assert_eq!(app.send(post(&ana, body.clone())).await.status, StatusCode::FORBIDDEN, "admins only");
    let saved = app.send(post(&admin, body)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(saved.location().contains("logo=saved"), "{}", saved.location());
    let agency = app::db::entities::agency::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(agency.brand_color, "#c0392b");
    let logo = app.state.media.get(agency.logo_key.as_deref().unwrap()).await.unwrap().unwrap();
    let logo = image::load_from_memory(&logo).unwrap().to_rgb8();
    assert_eq!((logo.width(), logo.height()), (600, 200), "resized to 600 px");
    assert_eq!(logo.get_pixel(550, 100).0, [255, 255, 255], "transparency on white");

    // A text file is refused with the reason, and the logo stays.
    let mut text = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\n\r\n").into_bytes();
    text.extend_from_slice(b"not a logo");
    text.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let refused = app.send(post(&admin, text)).await;
    assert!(refused.location().contains("logo_error=This%20file%20is%20not%20a%20photo"), "{}", refused.location());
    let still = app::db::entities::agency::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(still.logo_key, agency.logo_key);
}

/// A client whose form was read in Spanish gets their presentation in Spanish, PDF and share
/// page alike, with amounts written the Spanish way; the agent's pages stay in theirs.
#[tokio::test]
async fn a_spanish_client_reads_the_presentation_in_spanish() {
    let app = TestApp::new().await;
    app.admin_cookie().await;
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    app.capture_form("portal").await;
    let lead = r#"{"form":"portal","name":"Lucía Gómez","phone":"+34612345002","need":"buy"}"#;
    assert_eq!(api(&app, "POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);
    // What a Spanish form stores on the contact it makes.
    app::db::entities::contact::Entity::update_many().col_expr(app::db::entities::contact::Column::Language, Expr::value("es")).exec(&app.state.db).await.unwrap();
    let agent_id = app.add_user("Ana Ruiz", "ana@costa.test", "agent", "a long enough passphrase").await;
    deal::Entity::update_many().col_expr(deal::Column::OwnerId, Expr::value(agent_id)).exec(&app.state.db).await.unwrap();
    let the_deal = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let mut ids = Vec::new();
    for (reference, title, price) in [("ALT-1", "Piso en el casco antiguo", "310000"), ("ALT-2", "Casa con jardín", "355000")] {
        let made = api(&app, "POST", "/api/v1/properties", &key, &listing(reference, title, price)).await;
        ids.push(serde_json::from_str::<Value>(&made.body).unwrap()["id"].as_i64().unwrap());
    }
    let body = serde_json::json!({"property_ids": ids, "deal_id": the_deal.id}).to_string();
    let made = api(&app, "POST", "/api/v1/presentations", &key, &body).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let made: Value = serde_json::from_str(&made.body).unwrap();
    let page_path = made["share_url"].as_str().unwrap().trim_start_matches("http://doorstep.test").to_owned();
    let pdf_path = made["pdf_url"].as_str().unwrap().trim_start_matches("http://doorstep.test").to_owned();

    let pdf = open(&app, &pdf_path, "Mozilla/5.0", None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seleccion.pdf");
    std::fs::write(&file, &pdf.raw).unwrap();
    let text = run("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    for expected in ["Preparado para Lucía Gómez", "Comparativa", "Precio por m²", "310.000 €", "Piso en venta", "Dormitorios", "Superficie construida", "Tu agente", "Escanéalo"] {
        assert!(text.contains(expected), "the PDF lacks {expected:?}:\n{text}");
    }
    for english in ["Prepared for", "Side by side", "Bedrooms", "Your agent", "for sale", "€310,000"] {
        assert!(!text.contains(english), "the PDF still says {english:?}:\n{text}");
    }

    let page = open(&app, &page_path, "Mozilla/5.0", None).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["<html lang=\"es\"", "2 viviendas seleccionadas para Lucía Gómez", "Descargar el PDF", "Tu agente", "310.000\u{a0}€"] {
        assert!(page.body.contains(expected), "the share page lacks {expected:?}");
    }
}
