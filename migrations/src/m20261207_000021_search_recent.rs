//! On PostgreSQL, the contacts' trigram index also holds the block of 1,024 ids each contact
//! falls in, `id / 1024` (btree_gin, a trusted extension like pg_trgm). A search for a name
//! that thousands of clients share then reads the matches of the newest blocks alone, from
//! the index, instead of every match's row: at 100,000 contacts, the newest 501 of the 3,277
//! "lopez" took 0.5 ms so, against 3.0 ms through the rows (`app::search::newest_rows`,
//! docs/benchmarks.md). The index replaces `contacts_search_trgm`, which it also serves for a
//! search on the text alone, so a write keeps the same number of indexes. SQLite's FTS5
//! trigram table already reads its matches newest first.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gin").await?;
        db.execute_unprepared("CREATE INDEX contacts_search_recent ON contacts USING gin (search gin_trgm_ops, (id / 1024))").await?;
        db.execute_unprepared("DROP INDEX contacts_search_trgm").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE INDEX contacts_search_trgm ON contacts USING gin (search gin_trgm_ops)").await?;
        db.execute_unprepared("DROP INDEX contacts_search_recent").await?;
        Ok(())
    }
}
