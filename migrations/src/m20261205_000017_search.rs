//! Search that ignores case and accents, read from an index:
//!
//! - `contacts.search` and `properties.search`: the row's searchable text folded to
//!   lower-case ASCII (`app::search`), written with the row from now on and filled here for
//!   the rows from before.
//! - SQLite: FTS5 tables with the trigram tokenizer over those columns (`contact_search`,
//!   `property_search`) and over `deals.property_ref` (`deal_refs`), external-content tables
//!   kept in step by triggers on every insert, update and delete.
//! - PostgreSQL: pg_trgm's GIN indexes on the same columns (a trusted extension, so the
//!   database's owner may create it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Search,
}

#[derive(DeriveIden)]
enum Properties {
    Table,
    Search,
}

/// The folding of `app::search` as this migration shipped it: deunicode's transliteration,
/// lower case, single spaces; a contact's phone by its digits.
fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn joined(parts: Vec<String>) -> String {
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// An FTS5 trigram table over `column` of `table`, with the triggers that keep it in step,
/// filled from the rows there are.
fn trigram_table(name: &str, table: &str, column: &str) -> Vec<String> {
    vec![
        format!("CREATE VIRTUAL TABLE {name} USING fts5({column}, content='{table}', content_rowid='id', tokenize='trigram')"),
        format!("CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN INSERT INTO {name}(rowid, {column}) VALUES (new.id, new.{column}); END"),
        format!(
            "CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN INSERT INTO {name}({name}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END"
        ),
        format!(
            "CREATE TRIGGER {name}_update AFTER UPDATE OF {column} ON {table} BEGIN \
             INSERT INTO {name}({name}, rowid, {column}) VALUES ('delete', old.id, old.{column}); \
             INSERT INTO {name}(rowid, {column}) VALUES (new.id, new.{column}); END"
        ),
        format!("INSERT INTO {name}({name}) VALUES ('rebuild')"),
    ]
}

const TRIGRAM_TABLES: [(&str, &str, &str); 3] =
    [("contact_search", "contacts", "search"), ("property_search", "properties", "search"), ("deal_refs", "deals", "property_ref")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Contacts::Table).add_column(ColumnDef::new(Contacts::Search).text().not_null().default("")).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Properties::Table).add_column(ColumnDef::new(Properties::Search).text().not_null().default("")).to_owned())
            .await?;

        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let update = |table: &str, id: i64, text: String| {
            let sql = match backend {
                DbBackend::Postgres => format!("UPDATE {table} SET search = $1 WHERE id = $2"),
                _ => format!("UPDATE {table} SET search = ? WHERE id = ?"),
            };
            Statement::from_sql_and_values(backend, sql, [text.into(), id.into()])
        };
        let text = |row: &sea_orm_migration::sea_orm::QueryResult, column: &str| -> Result<String, DbErr> {
            Ok(row.try_get::<Option<String>>("", column)?.unwrap_or_default())
        };
        for row in db.query_all_raw(Statement::from_string(backend, "SELECT id, name, email, phone FROM contacts")).await? {
            let digits: String = text(&row, "phone")?.chars().filter(char::is_ascii_digit).collect();
            let search = joined(vec![fold(&text(&row, "name")?), fold(&text(&row, "email")?), digits]);
            db.execute_raw(update("contacts", row.try_get("", "id")?, search)).await?;
        }
        for row in db.query_all_raw(Statement::from_string(backend, "SELECT id, reference, title, city, area FROM properties")).await? {
            let parts = ["reference", "title", "city", "area"].iter().map(|c| text(&row, c).map(|t| fold(&t))).collect::<Result<Vec<_>, _>>()?;
            db.execute_raw(update("properties", row.try_get("", "id")?, joined(parts))).await?;
        }

        let statements = match backend {
            DbBackend::Postgres => vec![
                "CREATE EXTENSION IF NOT EXISTS pg_trgm".to_owned(),
                "CREATE INDEX contacts_search_trgm ON contacts USING gin (search gin_trgm_ops)".to_owned(),
                "CREATE INDEX properties_search_trgm ON properties USING gin (search gin_trgm_ops)".to_owned(),
                "CREATE INDEX deals_property_ref_trgm ON deals USING gin (lower(property_ref) gin_trgm_ops)".to_owned(),
            ],
            _ => TRIGRAM_TABLES.iter().flat_map(|(name, table, column)| trigram_table(name, table, column)).collect(),
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for index in ["contacts_search_trgm", "properties_search_trgm", "deals_property_ref_trgm"] {
                    db.execute_unprepared(&format!("DROP INDEX {index}")).await?;
                }
            }
            _ => {
                for (name, _, _) in TRIGRAM_TABLES {
                    for trigger in ["insert", "delete", "update"] {
                        db.execute_unprepared(&format!("DROP TRIGGER {name}_{trigger}")).await?;
                    }
                    db.execute_unprepared(&format!("DROP TABLE {name}")).await?;
                }
            }
        }
        manager.alter_table(Table::alter().table(Properties::Table).drop_column(Properties::Search).to_owned()).await?;
        manager.alter_table(Table::alter().table(Contacts::Table).drop_column(Contacts::Search).to_owned()).await
    }
}
