//! Faults from below: a disk that fills up and a database that goes away. Whatever is
//! answered with a success is stored; everything else is refused in words that say to try
//! again, and the same process recovers by itself once the fault is gone.

use crate::common;

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use app::db::entities::{contact, property_photo};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Reply, TestApp};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

/// A small tmpfs mounted for one test, unmounted when dropped.
struct SmallDisk {
    mount: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let parent = tempfile::tempdir().unwrap();
        let mount = parent.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&mount)
            .status()
            .expect("running mount");
        assert!(status.success(), "the full-disk test mounts a small tmpfs, which needs root (make test runs as root here)");
        SmallDisk { mount, _parent: parent }
    }

    /// Writes to one file until the disk refuses more; returns it, to free the space later.
    /// Called again, it takes whatever was freed since.
    fn fill(&self) -> PathBuf {
        let path = self.mount.join("filler");
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).unwrap();
        for chunk in [1 << 20, 64 << 10, 4 << 10, 512, 1] {
            let bytes = vec![0u8; chunk];
            while file.write_all(&bytes).and_then(|_| file.sync_data()).is_ok() {}
        }
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

async fn photo_upload(app: &TestApp, property_id: i64, key: &str, bytes: Vec<u8>) -> Reply {
    let boundary = "doorstep-disk-boundary";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"front.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").into_bytes();
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/api/v1/properties/{property_id}/photos"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    app.send(request.body(Body::from(body)).unwrap()).await
}

async fn csv_upload(app: &TestApp, cookie: &str, csv: &str) -> Reply {
    let boundary = "doorstep-disk-csv";
    let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n");
    let request = Request::post("/data/imports")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::ACCEPT, "text/html")
        .header(header::COOKIE, cookie);
    app.send(request.body(Body::from(body)).unwrap()).await
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::ImageBuffer::from_fn(w, h, |x, y| image::Rgb([(x * 7 % 256) as u8, (y * 3 % 256) as u8, 90])));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn readyz(app: &TestApp) -> Reply {
    app.get("/readyz", None).await
}

fn media_files(dir: &Path) -> usize {
    walk(&dir.join("media"))
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()).unwrap_or(0)
}

#[tokio::test]
async fn a_full_disk_refuses_what_it_cannot_store_and_recovers_without_a_restart() {
    if common::database_kind() == "postgres" {
        // The database is elsewhere; PostgreSQL's own full disk is its SQLSTATE 53100, mapped
        // the same way (app::error::outage).
        return;
    }
    let disk = SmallDisk::mount(24);
    let app = TestApp::in_data_dir(tempfile::tempdir_in(&disk.mount).unwrap()).await;
    let admin = app.admin_cookie().await;
    app.capture_form("open-day").await;
    let capture_key = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;
    let admin_key = app::apikeys::service::create(&app.state.db, "Feed", "admin").await.unwrap().key;
    let created = app.api_json("POST", "/api/v1/properties", &admin_key, r#"{"reference":"ALT-1","title":"Flat by the sea","operation":"sale","property_type":"flat","price":"300000","currency":"EUR","city":"Altea"}"#).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let property_id = serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.submit_lead("open-day", &[("name", "Before Full"), ("phone", "+34612000001")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(readyz(&app).await.status, StatusCode::OK);

    // Every write must now find new room: the journal is emptied into the database file, and
    // the rest of the disk is taken.
    app.state.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    let filler = disk.fill();
    let data_dir = app.config.data_dir.clone();
    let (people, photos, files) = (contact::Entity::find().count(&app.state.db).await.unwrap(), property_photo::Entity::find().count(&app.state.db).await.unwrap(), media_files(&data_dir));

    // The load balancer is told why.
    let ready = readyz(&app).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.body.contains("disk is full"), "{}", ready.body);

    // A prospect's form: a page that says so, with what they typed kept.
    let form = app.submit_lead("open-day", &[("name", "Lucía Full"), ("phone", "+34612000002")]).await;
    assert_eq!(form.status, StatusCode::SERVICE_UNAVAILABLE, "{}", form.body);
    assert!(form.body.contains("disk is full") && form.body.contains("Lucía Full"), "{}", form.body);
    // The API: 503 with Retry-After and the reason.
    let api = app.api_json("POST", "/api/v1/leads", &capture_key, r#"{"form":"open-day","name":"Api Full","phone":"+34612000003"}"#).await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.body);
    assert!(api.headers.get(header::RETRY_AFTER).is_some(), "{:?}", api.headers);
    assert!(api.body.contains("disk is full"), "{}", api.body);
    // A photo, and a CSV import from the Data page, which says why on the page.
    let photo = photo_upload(&app, property_id, &admin_key, jpeg(900, 600)).await;
    assert_eq!(photo.status, StatusCode::SERVICE_UNAVAILABLE, "{}", photo.body);
    assert!(photo.headers.get(header::RETRY_AFTER).is_some());
    // A refused write may leave the journal grown (room the next write reuses), so empty it
    // and take the space again.
    app.state.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
    disk.fill();
    let import = csv_upload(&app, &admin, "name,phone\nImport Full,+34612000004\n").await;
    assert_eq!(import.status, StatusCode::SEE_OTHER);
    assert!(import.location().starts_with("/data?import_error=") && import.location().contains("disk%20is%20full"), "{}", import.location());

    // Nothing half-stored: no new person, photo row or file.
    assert_eq!(contact::Entity::find().count(&app.state.db).await.unwrap(), people);
    assert_eq!(property_photo::Entity::find().count(&app.state.db).await.unwrap(), photos);
    assert_eq!(media_files(&data_dir), files, "no partial photo left on the disk");

    // Space comes back: the same process takes leads and photos again, and is ready.
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(readyz(&app).await.status, StatusCode::OK);
    assert_eq!(app.submit_lead("open-day", &[("name", "Lucía Full"), ("phone", "+34612000002")]).await.status, StatusCode::SEE_OTHER);
    let api = app.api_json("POST", "/api/v1/leads", &capture_key, r#"{"form":"open-day","name":"Api Full","phone":"+34612000003"}"#).await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
    assert_eq!(photo_upload(&app, property_id, &admin_key, jpeg(900, 600)).await.status, StatusCode::CREATED);
    assert_eq!(contact::Entity::find().count(&app.state.db).await.unwrap(), people + 2);
    // What was answered as stored is on the disk: read by a connection of its own.
    let fresh = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", data_dir.join("doorstep.db").display())).await.unwrap();
    assert_eq!(contact::Entity::find().count(&fresh).await.unwrap(), people + 2);
    assert_eq!(property_photo::Entity::find().count(&fresh).await.unwrap(), photos + 1);
    assert_eq!(app::db::entities::csv_upload::Entity::find().count(&fresh).await.unwrap(), 0, "the refused import left nothing");
    let check = app.state.db.query_one_raw(sea_orm::Statement::from_string(app.state.db.get_database_backend(), "PRAGMA integrity_check")).await.unwrap().unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
}

/// A PostgreSQL server of one test's own, on its own port and directory, so it can be
/// stopped and started without touching the server the other tests share.
struct OwnPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let version = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL installed (scripts/setup.sh --postgres)")
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .max()
            .expect("a PostgreSQL version");
        let bin = PathBuf::from(format!("/usr/lib/postgresql/{version}/bin"));
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = OwnPostgres { dir, bin, port };
        // PostgreSQL refuses to run as root: as root, the directory is handed to `postgres`.
        let _ = Command::new("chown").arg("-R").arg("postgres").arg(pg.dir.path()).status();
        pg.run(&format!("{}/initdb -D {}/data -U doorstep -A trust --no-sync -E UTF8", pg.bin.display(), pg.dir.path().display()));
        pg.ctl("start");
        pg
    }

    fn run(&self, command: &str) {
        let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
        let status = if root {
            Command::new("su").args(["postgres", "-c", command]).stdout(std::process::Stdio::null()).status()
        } else {
            Command::new("sh").args(["-c", command]).stdout(std::process::Stdio::null()).status()
        };
        assert!(status.expect("running a PostgreSQL tool").success(), "{command}");
    }

    fn ctl(&self, action: &str) {
        let dir = self.dir.path().display();
        let options = format!("-p {} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off", self.port);
        let mode = if action == "stop" { "-m fast" } else { "" };
        self.run(&format!("{}/pg_ctl -D {dir}/data -l {dir}/log -o '{options}' -w {mode} {action}", self.bin.display()));
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://doorstep@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let dir = self.dir.path().display();
        let _ = Command::new("su").args(["postgres", "-c", &format!("{}/pg_ctl -D {dir}/data -m immediate stop", self.bin.display())]).status();
    }
}

#[tokio::test]
async fn postgresql_away_for_20_seconds_loses_no_answered_lead_and_delivers_each_reminder_once() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration as StdDuration, Instant};

    use app::db::entities::{notification, reminder, user};
    use chrono::{Duration, Utc};
    use common::served::{self, Served, client};
    use sea_orm::{ColumnTrait, QueryFilter};

    if common::database_kind() != "postgres" {
        return;
    }
    let pg = OwnPostgres::start();
    let admin_db = sea_orm::Database::connect(pg.url("postgres")).await.unwrap();
    admin_db.execute_unprepared("CREATE DATABASE doorstep").await.unwrap();
    drop(admin_db);
    let url = pg.url("doorstep");
    let app = TestApp::configured(|config| config.database_url = Some(url.clone())).await;
    let cookie = app.admin_cookie().await;
    app.capture_form("open-day").await;
    assert_eq!(app.submit_lead("open-day", &[("name", "First Lead"), ("phone", "+34611000000")]).await.status, StatusCode::SEE_OTHER);
    let deal_id = app::db::entities::deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let admin = user::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    // Reminders falling due before, during and after the outage.
    let count = 60;
    let start = Utc::now();
    app.insert_reminders((0..count).map(|i| common::pending_reminder(deal_id, admin, &format!("Outage call #{i}"), start + Duration::milliseconds(500 * i))).collect()).await;
    let (first, second) = (Served::start(&app).await, Served::start(&app).await);
    let bases = [first.base.clone(), second.base.clone()];
    let http = client();
    let token = app.form_token(10);

    // A lead every 50 ms, each on its own task (an open model: a slow answer does not slow
    // the arrivals), alternating between the instances.
    let answers: Arc<Mutex<Vec<(String, u16)>>> = Arc::default();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let stream = {
        let (answers, http, bases, token) = (answers.clone(), http.clone(), bases.clone(), token.clone());
        tokio::spawn(async move {
            let mut posts = Vec::new();
            let mut i = 0u32;
            while !*stopped.borrow() {
                let (answers, http, base, token) = (answers.clone(), http.clone(), bases[i as usize % 2].clone(), token.clone());
                posts.push(tokio::spawn(async move {
                    let name = format!("Stream Lead {i}");
                    let phone = format!("+3462{i:07}");
                    let status = match served::submit_lead(&http, &base, &token, "open-day", &[("name", &name), ("phone", &phone)]).await {
                        Ok(reply) => reply.status().as_u16(),
                        Err(_) => 0,
                    };
                    answers.lock().unwrap().push((name, status));
                }));
                i += 1;
                tokio::time::sleep(StdDuration::from_millis(50)).await;
            }
            for post in posts {
                post.await.unwrap();
            }
        })
    };

    tokio::time::sleep(StdDuration::from_secs(3)).await;
    pg.ctl("stop");
    let away = Instant::now();
    tokio::time::sleep(StdDuration::from_secs(1)).await;
    // During the outage: not ready, and a page says the service is unavailable.
    for base in &bases {
        let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503, "{base}/readyz while the database is away");
        assert!(ready.text().await.unwrap().contains("database"));
    }
    let page = http.get(format!("{}/pipeline", bases[1])).header(header::COOKIE, &cookie).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.headers().get(header::RETRY_AFTER).is_some());
    assert!(page.text().await.unwrap().contains("unavailable"), "the page says so");
    let outage_answers = answers.lock().unwrap().len();
    tokio::time::sleep(StdDuration::from_secs(20).saturating_sub(away.elapsed())).await;
    pg.ctl("start");
    let back = Instant::now();

    // Every instance serves again by itself within 30 s.
    for base in &bases {
        loop {
            let ready = http.get(format!("{base}/readyz")).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
            let page = http.get(format!("{base}/pipeline")).header(header::COOKIE, &cookie).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
            if ready == 200 && page == 200 {
                break;
            }
            assert!(back.elapsed() < StdDuration::from_secs(30), "{base} did not serve again within 30 s of the database's return ({ready}, {page})");
            tokio::time::sleep(StdDuration::from_millis(200)).await;
        }
    }
    let recovered = back.elapsed();
    tokio::time::sleep(StdDuration::from_secs(3)).await;
    stop.send(true).unwrap();
    stream.await.unwrap();

    // Every lead answered as taken is there; everything else was told to try again (503),
    // never a plain failure.
    let answers = answers.lock().unwrap().clone();
    let taken: Vec<&String> = answers.iter().filter(|(_, s)| *s == 303).map(|(n, _)| n).collect();
    let refused = answers.iter().filter(|(_, s)| *s == 503).count();
    let other: Vec<&(String, u16)> = answers.iter().filter(|(_, s)| *s != 303 && *s != 503).collect();
    eprintln!("outage: {} posts, {} taken, {refused} refused (503), {outage_answers} answered in its first second, serving again {:.1} s after its return", answers.len(), taken.len(), recovered.as_secs_f64());
    assert!(other.is_empty(), "answers other than 303 and 503: {other:?}");
    assert!(refused > 0, "the outage refused leads");
    let stored: std::collections::HashSet<String> = app::db::entities::contact::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|c| c.name).collect();
    let lost: Vec<&&String> = taken.iter().filter(|n| !stored.contains(n.as_str())).collect();
    assert!(lost.is_empty(), "answered as taken but not stored: {lost:?}");

    // Every reminder is delivered, each exactly once.
    let deadline = Instant::now() + StdDuration::from_secs(30);
    loop {
        let pending = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_null()).count(&app.state.db).await.unwrap();
        if pending == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending} reminders still undelivered");
        tokio::time::sleep(StdDuration::from_millis(500)).await;
    }
    for r in reminder::Entity::find().all(&app.state.db).await.unwrap() {
        let copies = notification::Entity::find().filter(notification::Column::ReminderId.eq(r.id)).count(&app.state.db).await.unwrap();
        assert_eq!(copies, 1, "reminder {} delivered {copies} times", r.title);
    }
}
