//! Database entities. Server-only: entities never cross the wire; services map them to the
//! shared types of each capability.

pub mod entities;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

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
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}
