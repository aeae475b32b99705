//! `doorstep backup FILE` and `doorstep restore FILE`.
//!
//! On SQLite, a backup is `VACUUM INTO`: one read transaction copies the whole database as it
//! was at its start, while the server goes on serving (WAL mode lets the writer continue). The
//! copy is written beside the target, checked (`PRAGMA integrity_check`, Doorstep's
//! migrations table), and only then renamed into place, so FILE is never half a backup.
//!
//! A restore checks FILE the same way, refuses while a server answers on the configured
//! address, keeps the current database as `doorstep.db.before-restore-<time>`, moves the copy
//! into place and migrates it (a backup from an older version is brought up to date).
//!
//! PostgreSQL has its own tools, which these commands name: `pg_dump --format=custom` takes a
//! consistent snapshot while Doorstep serves, and `pg_restore` puts it back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::config::Config;

/// Every table's rows, each as SQLite's own quoted text of its values, in a stable order.
pub type Contents = BTreeMap<String, Vec<String>>;

/// What a backup or restore holds: rows per table.
#[derive(Debug)]
pub struct Summary {
    pub tables: BTreeMap<String, usize>,
    pub bytes: u64,
}

impl Summary {
    pub fn rows(&self) -> usize {
        self.tables.values().sum()
    }
}

/// The file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

fn quoted(path: &Path) -> anyhow::Result<String> {
    let text = path.to_str().context("the backup's path must be valid UTF-8")?;
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// Every table of a SQLite database but SQLite's own, by name.
const SQLITE_TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";

/// A table or column name as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The error `doorstep backup` answers on PostgreSQL: the pg_dump command to use instead.
fn use_pg_dump(file: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "the database is PostgreSQL: back it up with pg_dump, which is consistent while Doorstep serves:\n  pg_dump --format=custom --file={} \"$DATABASE_URL\"",
        file.display()
    )
}

async fn strings(db: &impl ConnectionTrait, sql: &str) -> anyhow::Result<Vec<String>> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await?;
    rows.iter().map(|r| r.try_get_by_index::<Option<String>>(0).map(Option::unwrap_or_default).map_err(Into::into)).collect()
}

/// Every table's rows, for comparing two databases exactly.
pub async fn contents(db: &impl ConnectionTrait) -> anyhow::Result<Contents> {
    let mut out = Contents::new();
    if db.get_database_backend() == DbBackend::Postgres {
        let tables = "SELECT table_name::text FROM information_schema.tables \
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";
        for table in strings(db, tables).await? {
            // A row's text form holds every column, in order.
            let mut rows = strings(db, &format!("SELECT t::text FROM {} t", ident(&table))).await?;
            rows.sort();
            out.insert(table, rows);
        }
        return Ok(out);
    }
    for table in strings(db, SQLITE_TABLES).await? {
        let columns = strings(db, &format!("SELECT name FROM pragma_table_info('{}') ORDER BY cid", table.replace('\'', "''"))).await?;
        let row = columns.iter().map(|c| format!("quote({})", ident(c))).collect::<Vec<_>>().join(" || '|' || ");
        let mut rows = strings(db, &format!("SELECT {row} FROM {}", ident(&table))).await?;
        rows.sort();
        out.insert(table, rows);
    }
    Ok(out)
}

/// Checks that `file` is a whole Doorstep database, and counts its rows.
pub async fn check(file: &Path) -> anyhow::Result<Summary> {
    let bytes = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    let mut head = [0u8; 16];
    use std::io::Read;
    std::fs::File::open(file)?.read_exact(&mut head).ok();
    if &head != b"SQLite format 3\0" {
        bail!("{} is not a SQLite database, so not a Doorstep backup", file.display());
    }
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{}?mode=ro", file.display()));
    // A whole-file check takes seconds on a large database: not a slow query worth a warning.
    options.sqlx_logging(false).max_connections(1);
    let db = sea_orm::Database::connect(options).await.with_context(|| format!("opening {}", file.display()))?;
    let verdict = strings(&db, "PRAGMA integrity_check").await?;
    if verdict != ["ok"] {
        bail!("{} is damaged: {}", file.display(), verdict.join("; "));
    }
    let tables = strings(&db, SQLITE_TABLES).await?;
    if !tables.iter().any(|t| t == "seaql_migrations") || !tables.iter().any(|t| t == "deals") {
        bail!("{} is a SQLite database, but not Doorstep's", file.display());
    }
    let mut counts = BTreeMap::new();
    for table in tables {
        let n = strings(&db, &format!("SELECT CAST(count(*) AS TEXT) FROM {}", ident(&table))).await?;
        counts.insert(table, n.first().and_then(|n| n.parse().ok()).unwrap_or(0));
    }
    db.close().await.ok();
    Ok(Summary { tables: counts, bytes })
}

/// Copies the open SQLite database into `file` as one consistent snapshot.
pub async fn snapshot(db: &DatabaseConnection, file: &Path) -> anyhow::Result<Summary> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(use_pg_dump(file));
    }
    if file.exists() {
        bail!("{} already exists: choose a new name, or remove it first", file.display());
    }
    let partial = file.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    db.execute_unprepared(&format!("VACUUM INTO {}", quoted(&partial)?)).await.context("copying the database")?;
    let summary = match check(&partial).await {
        Ok(summary) => summary,
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            return Err(err.context("the copy failed its check and was removed"));
        }
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, file).with_context(|| format!("moving the backup to {}", file.display()))?;
    Ok(summary)
}

fn report(verb: &str, file: &Path, summary: &Summary, started: Instant) {
    let deals = summary.tables.get("deals").copied().unwrap_or(0);
    let contacts = summary.tables.get("contacts").copied().unwrap_or(0);
    println!(
        "{verb} {}: {} tables, {} rows ({contacts} contacts, {deals} deals), {:.1} MB, in {:.2} s",
        file.display(),
        summary.tables.len(),
        summary.rows(),
        summary.bytes as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
}

/// `doorstep backup FILE`.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = config.database_url();
    if !url.starts_with("sqlite:") {
        return Err(use_pg_dump(file));
    }
    let db = app::db::connect(&url).await.context("opening the database")?;
    let summary = snapshot(&db, file).await?;
    report("Backed up to", file, &summary, started);
    println!("Photos and logos are not in it: copy {} too (or keep versions in the S3 bucket).", config.data_dir.join("media").display());
    Ok(())
}

/// `doorstep restore FILE`.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = config.database_url();
    let Some(target) = sqlite_path(&url) else {
        bail!("the database is PostgreSQL: restore with pg_restore into an empty database, then start Doorstep:\n  pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" {}", file.display());
    };
    if tokio::net::TcpStream::connect(config.addr).await.is_ok() {
        bail!("something answers on {}: stop Doorstep before restoring, so nothing writes to the database meanwhile", config.addr);
    }
    let summary = check(file).await?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = target.with_extension("restore-partial");
    std::fs::copy(file, &partial).with_context(|| format!("copying {}", file.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    if target.exists() {
        // Fold the write-ahead log into the file, so the kept copy is whole on its own; a
        // checkpoint that cannot finish means something still has the database open.
        let current = app::db::connect(&format!("sqlite://{}", target.display())).await.context("opening the current database")?;
        let busy = current
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(TRUNCATE)".to_owned()))
            .await
            .context("folding the write-ahead log into the current database")?
            .map(|row| row.try_get_by_index::<i64>(0).unwrap_or(1))
            .unwrap_or(0);
        current.close().await.ok();
        if busy != 0 {
            let _ = std::fs::remove_file(&partial);
            bail!("the current database is still in use: stop every Doorstep process before restoring");
        }
        let kept = target.with_extension(format!("db.before-restore-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")));
        std::fs::rename(&target, &kept).with_context(|| format!("keeping the current database as {}", kept.display()))?;
        // Whatever is left of its log goes with it, never away.
        for suffix in ["-wal", "-shm"] {
            let log = PathBuf::from(format!("{}{suffix}", target.display()));
            if log.exists() {
                std::fs::rename(&log, format!("{}{suffix}", kept.display()))?;
            }
        }
        println!("The database it replaces is kept as {}", kept.display());
    }
    std::fs::rename(&partial, &target).with_context(|| format!("moving the backup to {}", target.display()))?;
    config.open_database().await.context("migrating the restored database")?;
    report("Restored", &target, &summary, started);
    Ok(())
}
