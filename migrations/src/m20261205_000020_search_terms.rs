//! On SQLite, an `fts5vocab` table beside each trigram index (`contact_search_terms`, …): how
//! many rows hold each trigram, so that a long search looks up its rarest trigrams first
//! (`app::search::ids`). They store nothing; they read the index they name. PostgreSQL's
//! pg_trgm needs nothing of the kind.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [&str; 3] = ["contact_search", "property_search", "deal_refs"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        for index in INDEXES {
            db.execute_unprepared(&format!("CREATE VIRTUAL TABLE {index}_terms USING fts5vocab({index}, 'row')")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Sqlite {
            return Ok(());
        }
        for index in INDEXES {
            db.execute_unprepared(&format!("DROP TABLE {index}_terms")).await?;
        }
        Ok(())
    }
}
