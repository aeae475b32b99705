//! `doorstep backup` while leads keep arriving, and `doorstep restore` into a new data
//! directory: the backup is consistent, and the restored database equals the original, table
//! by table and row by row.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use doorstep::backup;

use crate::common::{self, database_kind, TestApp};

#[tokio::test]
async fn a_backup_taken_while_leads_arrive_restores_to_an_identical_database() {
    // One test client sends every lead, from one address.
    let app = TestApp::configured(|c| c.capture_rate_limit = 1_000_000).await;
    if database_kind() == "postgres" {
        // PostgreSQL is backed up with pg_dump: the command says so and writes nothing.
        let file = app.config.data_dir.join("pg.backup");
        let refused = backup::snapshot(&app.state.db, &file).await.unwrap_err().to_string();
        assert!(refused.contains("pg_dump --format=custom"), "{refused}");
        assert!(!file.exists());
        return;
    }
    let _ = app.admin_cookie().await;
    app.capture_form("open-day").await;
    for i in 0..20 {
        let phone = format!("+3461200{i:04}");
        let sent = app.submit_lead("open-day", &[("name", &format!("Lead {i}")), ("phone", &phone), ("need", "buy")]).await;
        assert!(sent.status.is_redirection() || sent.status == StatusCode::OK, "{}", sent.status);
    }

    // Leads keep arriving while the first backup is taken.
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (app, stop, answered) = (app.clone(), stop.clone(), answered.clone());
        tokio::spawn(async move {
            let mut i = 100;
            while !stop.load(Ordering::Relaxed) {
                let phone = format!("+3461200{i:04}");
                let sent = app.submit_lead("open-day", &[("name", &format!("Lead {i}")), ("phone", &phone), ("need", "rent")]).await;
                if sent.status.is_redirection() || sent.status == StatusCode::OK {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let during = app.config.data_dir.join("during.doorstep");
    let summary = backup::snapshot(&app.state.db, &during).await.expect("a backup while serving");
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(answered.load(Ordering::Relaxed) > 0, "leads arrived during the backup");
    assert!(summary.tables["deals"] >= 20, "{:?}", summary.tables);
    // Consistent: every deal in it has its contact and its inquiry on the timeline.
    let copy = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", during.display()).as_str()).await.unwrap();
    let contents = backup::contents(&copy).await.unwrap();
    assert_eq!(contents["deals"].len(), contents["capture_submissions"].len(), "a deal per accepted submission");
    assert_eq!(contents["deals"].len(), contents["contacts"].len());
    copy.close().await.unwrap();

    // Writes have stopped: a second backup restores to exactly the same database.
    let after = app.config.data_dir.join("after.doorstep");
    backup::snapshot(&app.state.db, &after).await.unwrap();
    assert!(backup::snapshot(&app.state.db, &after).await.unwrap_err().to_string().contains("already exists"));
    let original = backup::contents(&app.state.db).await.unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut config = doorstep::Config::for_data_dir(elsewhere.path(), None);
    config.addr = "127.0.0.1:1".parse().unwrap();
    backup::restore(&config, &after).await.expect("a restore into a new data directory");
    let restored = config.open_database().await.unwrap();
    let restored = backup::contents(&restored).await.unwrap();
    assert_eq!(restored.keys().collect::<Vec<_>>(), original.keys().collect::<Vec<_>>());
    for (table, rows) in &original {
        assert_eq!(&restored[table], rows, "table {table} differs after the restore");
    }
    assert!(original["deals"].len() > 20);

    // A restore over an existing database keeps the one it replaces.
    backup::restore(&config, &during).await.unwrap();
    let kept = std::fs::read_dir(elsewhere.path()).unwrap().filter_map(|e| e.ok()).filter(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.contains("before-restore") && !name.ends_with("-wal") && !name.ends_with("-shm")
    })
    .count();
    assert_eq!(kept, 1);
}

#[tokio::test]
async fn files_that_are_not_doorstep_backups_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = doorstep::Config::for_data_dir(dir.path(), None);
    config.addr = "127.0.0.1:1".parse().unwrap();
    let db = config.open_database().await.unwrap();
    let before = backup::contents(&db).await.unwrap();
    db.close().await.unwrap();

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    assert!(backup::restore(&config, &text).await.unwrap_err().to_string().contains("not a SQLite database"));
    let other = dir.path().join("other.sqlite");
    let foreign = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", other.display()).as_str()).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&foreign, "CREATE TABLE notes (body TEXT)").await.unwrap();
    foreign.close().await.unwrap();
    assert!(backup::restore(&config, &other).await.unwrap_err().to_string().contains("not Doorstep's"));
    let mut damaged = std::fs::read(dir.path().join("doorstep.db")).unwrap();
    let cut = damaged.len() / 2;
    damaged.truncate(cut);
    let half = dir.path().join("half.doorstep");
    std::fs::write(&half, damaged).unwrap();
    assert!(backup::restore(&config, &half).await.is_err());

    let db = config.open_database().await.unwrap();
    assert_eq!(backup::contents(&db).await.unwrap(), before, "the database is as it was");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("before-restore")).count(), 0);

    // While a server answers on the address, a restore is refused.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    config.addr = listener.local_addr().unwrap();
    let good = dir.path().join("good.doorstep");
    backup::snapshot(&db, &good).await.unwrap();
    assert!(backup::restore(&config, &good).await.unwrap_err().to_string().contains("stop Doorstep"));
}

#[tokio::test]
async fn on_postgresql_the_documented_pg_dump_and_pg_restore_give_back_every_table() {
    if database_kind() != "postgres" {
        return;
    }
    let app = TestApp::configured(|c| c.capture_rate_limit = 1_000_000).await;
    let _ = app.admin_cookie().await;
    app.capture_form("open-day").await;
    for i in 0..20 {
        let phone = format!("+3461200{i:04}");
        app.submit_lead("open-day", &[("name", &format!("Lead {i}")), ("phone", &phone), ("message", "A flat with a terrace")]).await;
    }
    let source = app.config.database_url.clone().expect("a PostgreSQL URL");
    let file = app.config.data_dir.join("doorstep.pgdump");
    // The two commands `doorstep backup` and `doorstep restore` name for PostgreSQL.
    let dumped = std::process::Command::new("pg_dump").arg("--format=custom").arg(format!("--file={}", file.display())).arg(&source).status().unwrap();
    assert!(dumped.success());
    let base = std::env::var("DOORSTEP_TEST_DATABASE_URL").unwrap();
    let target = common::fresh_postgres(&base).await;
    let restored = std::process::Command::new("pg_restore")
        .args(["--clean", "--if-exists", "--no-owner"])
        .arg(format!("--dbname={target}"))
        .arg(&file)
        .status()
        .unwrap();
    assert!(restored.success());

    let original = backup::contents(&app.state.db).await.unwrap();
    let copy = sea_orm::Database::connect(&target).await.unwrap();
    let copied = backup::contents(&copy).await.unwrap();
    assert!(original["deals"].len() == 20 && original.len() > 20, "{:?}", original.keys());
    assert_eq!(copied.keys().collect::<Vec<_>>(), original.keys().collect::<Vec<_>>());
    for (table, rows) in &original {
        assert_eq!(&copied[table], rows, "table {table} differs after pg_restore");
    }
    // And Doorstep starts on the restored database: nothing left to migrate.
    let mut config = doorstep::Config::for_data_dir(app.config.data_dir.as_path(), Some(target));
    config.cookie_secret = None;
    let restarted = config.app_state().await.expect("Doorstep opens the restored database");
    assert_eq!(app::auth::service::user_count(&restarted.db).await.unwrap(), 1);
}
