//! The CSV import and the exports through the real router: upload, refusals, the check (a
//! dry run), all-or-none, duplicates by phone or e-mail, a second import of the same file,
//! and the exports that read back.

use app::db::entities::{activity, contact, csv_upload, deal};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

use crate::common::{enc, Reply, TestApp};

const PASS: &str = "agent passphrase 12";

async fn upload(app: &TestApp, cookie: &str, name: &str, bytes: &[u8]) -> Reply {
    let boundary = "doorstep-csv-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post("/data/imports")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

async fn counts(app: &TestApp) -> (u64, u64, u64) {
    let db = &app.state.db;
    (contact::Entity::find().count(db).await.unwrap(), deal::Entity::find().count(db).await.unwrap(), activity::Entity::find().count(db).await.unwrap())
}

fn run(token: &str, mapping: &[&str], step: &str, mode: &str) -> String {
    let mut body = format!("token={token}&step={step}&mode={mode}");
    for (i, field) in mapping.iter().enumerate() {
        body.push_str(&format!("&mapping[{i}]={}", enc(field)));
    }
    body
}

/// Excel's "CSV UTF-8" in a decimal-comma locale: a byte-order mark, semicolons, CRLF, a
/// quoted newline, a blank row, a row joining an existing contact by e-mail, a row repeating
/// an earlier one's number, and two rows with problems.
const FILE: &str = "\u{feff}Nombre;Teléfono;Email;Operación;Etapa;Agente;Presupuesto;Fecha;Notas\r\n\
    José Núñez;612 345 678;jose@example.es;compra;Viewing;ana@costa.test;350.000;01/03/2026;\"Wants a terrace\r\nnear the sea\"\r\n\
    Known Client;;known@example.es;rent;;;1.200;;\r\n\
    ;;;;;;;;\r\n\
    Zoë Ελένη;+44 7911 123456;;;;;;;=HYPERLINK(\"http://x\")\r\n\
    Bad Row;12;not-an-email;swap;;;;;\r\n\
    José again;+34 612 345 678;;;;;;;\r\n\
    Nobody;;;buy;Signed;Bob;;;\r\n";

#[tokio::test]
async fn a_spreadsheet_is_checked_then_imported_once_and_reads_back_from_the_exports() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", PASS).await;
    let ana = app.login_cookie("ana@costa.test", PASS).await;
    // A contact Doorstep already has.
    app.capture_form("portal").await;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    let lead = r#"{"form":"portal","name":"Known Client","email":"known@example.es","need":"buy"}"#;
    assert_eq!(app.api_json("POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);

    // Agents do not import.
    assert_eq!(upload(&app, &ana, "contacts.csv", FILE.as_bytes()).await.status, StatusCode::FORBIDDEN);
    let staged = upload(&app, &admin, "contacts.csv", FILE.as_bytes()).await;
    assert!(staged.status.is_redirection(), "{}", staged.body);
    let token = staged.location().strip_prefix("/data/imports/").expect("the mapping page").to_owned();

    let view: Value = serde_json::from_str(&app.call("/api/imports/view", &format!("token={token}"), Some(&admin)).await.body).unwrap();
    assert_eq!((view["delimiter"].as_str(), view["rows"].as_u64()), (Some("semicolon"), Some(6)));
    let guessed: Vec<&str> = view["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(guessed, ["name", "phone", "email", "need", "stage", "owner", "budget_max", "created", "notes"]);
    assert_eq!(app.call("/api/imports/view", &format!("token={token}"), Some(&ana)).await.status, StatusCode::FORBIDDEN);

    // The check writes nothing and names each problem with its spreadsheet row.
    let before = counts(&app).await;
    let checked = app.call("/api/imports/run", &run(&token, &guessed, "check", "valid"), Some(&admin)).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    let report: Value = serde_json::from_str(&checked.body).unwrap();
    assert_eq!(report["written"], false);
    assert_eq!((report["rows"].as_u64(), report["valid"].as_u64()), (Some(6), Some(4)));
    assert_eq!((report["new_contacts"].as_u64(), report["matched_contacts"].as_u64()), (Some(2), Some(2)), "{report}");
    assert_eq!(report["new_deals"].as_u64(), Some(2), "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.iter().map(|p| p[0].as_u64().unwrap()).collect::<Vec<_>>(), [6, 8], "the quoted newline is one row, and the blank row 4 still counts");
    let bad = problems[0][1].to_string();
    assert!(bad.contains("Phone: \\\"12\\\"") && bad.contains("not-an-email") && bad.contains("\\\"swap\\\""), "{bad}");
    assert!(problems[1][1].to_string().contains("no stage \\\"Signed\\\""), "{}", problems[1][1]);
    assert_eq!(counts(&app).await, before, "a check adds nothing");

    // All or none: with problems, nothing.
    let refused = app.call("/api/imports/run", &run(&token, &guessed, "import", "all"), Some(&admin)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("Nothing was imported: 2 of 6 rows"), "{}", refused.body);
    assert_eq!(counts(&app).await, before);

    // The valid rows.
    let done = app.call("/api/imports/run", &run(&token, &guessed, "import", "valid"), Some(&admin)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let report: Value = serde_json::from_str(&done.body).unwrap();
    assert_eq!((report["written"].as_bool(), report["new_contacts"].as_u64(), report["new_deals"].as_u64()), (Some(true), Some(2), Some(2)));
    let after = counts(&app).await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (2, 2));
    let jose = contact::Entity::find().filter(contact::Column::Phone.eq("+34612345678")).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(jose.email.as_deref(), Some("jose@example.es"));
    let deal_of_jose = deal::Entity::find().filter(deal::Column::ContactId.eq(jose.id)).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((deal_of_jose.need.as_str(), deal_of_jose.budget_max, deal_of_jose.source.as_str()), ("buy", Some(35_000_000), "import"));
    assert_eq!(deal_of_jose.created_at.to_rfc3339(), "2026-03-01T08:00:00+00:00", "09:00 in Madrid, stored in UTC");
    assert_eq!(csv_upload::Entity::find().count(&app.state.db).await.unwrap(), 0, "the upload is gone once imported");

    // The same file again: everything matches, nothing is added twice.
    let staged = upload(&app, &admin, "contacts.csv", FILE.as_bytes()).await;
    let token = staged.location().strip_prefix("/data/imports/").unwrap().to_owned();
    let again: Value = serde_json::from_str(&app.call("/api/imports/run", &run(&token, &guessed, "import", "valid"), Some(&admin)).await.body).unwrap();
    assert_eq!((again["new_contacts"].as_u64(), again["new_deals"].as_u64(), again["duplicate_deals"].as_u64()), (Some(0), Some(0), Some(2)), "{again}");
    assert_eq!(counts(&app).await.0, after.0);

    // The exports read it back; a cell that a spreadsheet would run as a formula is defused.
    let contacts = app.get("/data/export/contacts.csv", Some(&admin)).await;
    assert_eq!(contacts.status, StatusCode::OK);
    assert!(contacts.body.starts_with("contact_id,name,phone,email"), "{}", contacts.body);
    assert!(contacts.body.contains("José Núñez,+34612345678,jose@example.es"), "{}", contacts.body);
    let deals = app.get("/data/export/deals.csv", Some(&admin)).await;
    assert!(deals.body.contains(",buy,Viewing,Ana Lopez,import,,,350000,EUR,"), "{}", deals.body);
    let timeline = app.get("/data/export/activities.csv", Some(&admin)).await;
    assert!(timeline.body.contains("\"Imported note: Wants a terrace"), "{}", timeline.body);
    assert_eq!(timeline.body.matches("Imported note: =HYPERLINK").count(), 1, "a second import adds no note twice: {}", timeline.body);
    contact::Entity::update_many()
        .col_expr(contact::Column::Name, sea_orm::sea_query::Expr::value("=HYPERLINK(\"http://x\")"))
        .filter(contact::Column::Id.eq(jose.id))
        .exec(&app.state.db)
        .await
        .unwrap();
    let contacts = app.get("/data/export/contacts.csv", Some(&admin)).await;
    assert!(contacts.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{}", contacts.body);
    assert_eq!(app.get("/data/export/deals.csv", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/data/export/passwords.csv", Some(&admin)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn files_that_are_not_csv_are_refused_at_upload_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    for (name, bytes, expected) in [
        ("book.xlsx", b"PK\x03\x04\x14\x00\x06\x00".to_vec(), "Excel workbook"),
        ("empty.csv", b"Name,Phone\n".to_vec(), "no rows"),
        ("photo.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec(), "binary data"),
        ("broken.csv", b"\xff\xfeN\x00\x00\xd8".to_vec(), "says it is UTF-16"),
    ] {
        let refused = upload(&app, &admin, name, &bytes).await;
        assert!(refused.status.is_redirection(), "{name}: {}", refused.body);
        let message = refused.location().to_owned();
        assert!(message.starts_with("/data?import_error="), "{name}: {message}");
        let decoded = message.replace("%20", " ").replace('+', " ");
        assert!(decoded.contains(expected), "{name}: {decoded}");
    }
    assert_eq!(csv_upload::Entity::find().count(&app.state.db).await.unwrap(), 0);
    // Over the size limit: refused before it is read.
    let huge = vec![b'a'; app::imports::table::MAX_BYTES + 1024];
    let refused = upload(&app, &admin, "huge.csv", &huge).await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    assert!(refused.location().contains("import_error=The%20file%20is%20over%2010%20MB"), "{}", refused.location());
    assert_eq!(csv_upload::Entity::find().count(&app.state.db).await.unwrap(), 0);
}

/// One agency's contacts as a Unicode text: Spanish, French, German and Polish names, and
/// phones as foreign buyers write them.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("José Núñez", "612 345 678", "+34612345678"),
    ("Françoise Lefèvre", "+33 6 12 34 56 78", "+33612345678"),
    ("Jürgen Groß", "+49 (0)151 23456789", "+4915123456789"),
    ("Harriet Åkesson", "+44 20 3456 7890 ext. 456", "+442034567890;ext=456"),
    ("Łukasz Wąsik", "+48 512 345 678", "+48512345678"),
    ("Lupita Peña", "+52 1 55 1234 5678", "+525512345678"),
];

/// The file `PEOPLE` makes with `separator`, leaving out anyone `keep` refuses.
fn people_file(separator: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut text = format!("Nombre{separator}Teléfono\r\n");
    for (name, phone, _) in PEOPLE.iter().filter(|(name, _, _)| keep(name)) {
        text.push_str(&format!("{name}{separator}{phone}\r\n"));
    }
    text
}

#[tokio::test]
async fn files_in_each_encoding_excel_saves_import_identically() {
    let unicode = people_file(";", |_| true);
    // A code page holds only some of the world's letters: each file has the people it can spell.
    let spelled_in = |page: &'static encoding_rs::Encoding| move |name: &str| !page.encode(name).2;
    let western = people_file(";", spelled_in(encoding_rs::WINDOWS_1252));
    let central = people_file(";", spelled_in(encoding_rs::WINDOWS_1250));
    let tabbed = people_file("\t", |_| true);
    let utf16 = |text: &str| -> Vec<u8> { [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect() };
    let files: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("utf8.csv", unicode.clone().into_bytes(), "UTF-8", &unicode),
        ("utf8-bom.csv", [b"\xEF\xBB\xBF".as_slice(), unicode.as_bytes()].concat(), "UTF-8", &unicode),
        ("unicode.txt", utf16(&tabbed), "UTF-16 (little-endian)", &tabbed),
        ("windows.csv", encoding_rs::WINDOWS_1252.encode(&western).0.into_owned(), "Windows-1252 (Latin-1)", &western),
        ("polish.csv", encoding_rs::WINDOWS_1250.encode(&central).0.into_owned(), "Windows-1250 (Central European)", &central),
    ];
    assert!(western.contains("Jürgen Groß") && !western.contains("Łukasz") && central.contains("Łukasz Wąsik"), "the fixtures are what they claim");
    for (name, bytes, encoding, text) in files {
        let app = TestApp::new().await;
        let admin = app.admin_cookie().await;
        let staged = upload(&app, &admin, name, &bytes).await;
        let token = staged.location().strip_prefix("/data/imports/").unwrap_or_else(|| panic!("{name}: {}", staged.location())).to_owned();
        let view: Value = serde_json::from_str(&app.call("/api/imports/view", &format!("token={token}"), Some(&admin)).await.body).unwrap();
        assert_eq!(view["encoding"].as_str(), Some(encoding), "{name}: the preview names the encoding it read");
        let page = app.get(&format!("/data/imports/{token}"), Some(&admin)).await;
        assert!(page.body.contains(&format!("read as {encoding}")), "{name}: the mapping page says it too");
        let done = app.call("/api/imports/run", &run(&token, &["name", "phone"], "import", "all"), Some(&admin)).await;
        assert_eq!(done.status, StatusCode::OK, "{name}: {}", done.body);
        let mut stored: Vec<(String, Option<String>)> = contact::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|c| (c.name, c.phone)).collect();
        stored.sort();
        let mut expected: Vec<(String, Option<String>)> =
            PEOPLE.iter().filter(|(person, _, _)| text.contains(person)).map(|(person, _, phone)| (person.to_string(), Some(phone.to_string()))).collect();
        expected.sort();
        assert_eq!(stored, expected, "{name}: every character arrives intact");
    }
}
