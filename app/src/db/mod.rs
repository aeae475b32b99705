//! Database entities. Server-only: entities never cross the wire; services map them to the
//! shared types of each capability.

pub mod entities;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, MutexGuard};

/// The rows to skip for a 1-based page number: page 0 reads as the first, and a page past any
/// possible end reads as an empty one instead of overflowing (the databases take offsets up
/// to i64::MAX).
pub fn offset(page: u64, per_page: u64) -> u64 {
    page.saturating_sub(1).saturating_mul(per_page).min(i64::MAX as u64)
}

/// The text of a query that answers one value in one row (a `group_concat` of many rows'
/// values), or an empty text when it answers none. On SQLite a list read this way crosses from
/// the connection's thread once, where sqlx hands every row across on its own
/// (`search::newest`, the pipeline's search hits).
pub async fn concatenated(db: &impl sea_orm::ConnectionTrait, statement: sea_orm::Statement) -> Result<String, DbErr> {
    let row = db.query_one_raw(statement).await?;
    Ok(row.map(|r| r.try_get_by_index::<Option<String>>(0)).transpose()?.flatten().unwrap_or_default())
}

/// Opens the database named by `url`. A SQLite file is created if missing and runs in WAL
/// mode with a busy timeout, so readers never block the writer and a burst of writes queues
/// instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        // Pragmas here apply to every pooled connection, not just the first.
        options.max_connections(8).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                .create_if_missing(true)
        });
        options.map_sqlx_sqlite_pool_opts(|pool| pool.after_release(|conn, _| Box::pin(close_if_stuck(conn))));
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Keeps SQLite's query planner informed: `PRAGMA optimize` gathers the statistics
/// (`ANALYZE`) of the tables whose size changed a lot since they were last gathered, which is
/// what tells SQLite that 25 deals of a search are better found through the search index
/// than by reading a stage's 20,000 deals (90 ms against 5 ms at 100,000 deals). SQLite
/// advises running it when a connection opens and every few hours; the server does it at
/// start and every hour (`housekeeping`). PostgreSQL's autovacuum does the same by itself.
/// It also merges the search's trigram indexes ([`crate::search::merge`]) and, on PostgreSQL,
/// rewrites the report tables that bulk writes left bloated ([`crate::reports::service::compact`]).
pub async fn optimize(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // 0x10002: every table that may need it, not only those this connection queried.
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    crate::reports::service::compact(db).await?;
    crate::search::merge(db).await
}

/// Whether a SQLite connection going back to the pool may be used again. A full disk or an
/// I/O error can make SQLite end a transaction by itself; the ROLLBACK sqlx then sends fails,
/// and sqlx goes on counting a transaction that is not there. Its next "transaction" is then a
/// SAVEPOINT whose rollback (ROLLBACK TO) leaves SQLite's transaction open, and every later
/// statement on that connection would run inside it: answered, and never committed. Such a
/// connection is closed instead (closing rolls back whatever it held). Costs nothing on the
/// usual path, where no transaction is counted.
async fn close_if_stuck(conn: &mut sea_orm::sqlx::SqliteConnection) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Connection;
    if conn.is_in_transaction() {
        // A rollback queued when a transaction was dropped runs before this.
        conn.ping().await?;
    }
    if conn.is_in_transaction() {
        tracing::warn!("a database connection lost track of its transaction; it is closed");
        return Ok(false);
    }
    Ok(true)
}

/// SQLite has one writer at a time, and a connection that finds the lock taken sleeps in
/// growing steps before it retries. Queuing writers here instead wakes the next one the
/// moment the lock is free, which is what keeps write latency flat under load.
static SQLITE_WRITER: Mutex<()> = Mutex::const_new(());

/// A transaction that will write: on SQLite it holds the write lock from its first statement
/// (BEGIN IMMEDIATE), taken in turn through `SQLITE_WRITER`.
pub struct WriteTxn {
    pub txn: DatabaseTransaction,
    _turn: Option<MutexGuard<'static, ()>>,
}

pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        let turn = SQLITE_WRITER.lock().await;
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        };
        let txn = db.begin_with_options(options).await?;
        Ok(WriteTxn { txn, _turn: Some(turn) })
    } else {
        Ok(WriteTxn { txn: db.begin().await?, _turn: None })
    }
}
