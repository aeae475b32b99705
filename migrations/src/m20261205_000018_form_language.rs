//! `capture_forms.language`: the language a form speaks to prospects ("en", "es", …), or
//! "auto" to follow each prospect's browser. Forms from before follow the browser.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaptureForms {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(CaptureForms::Table).add_column(ColumnDef::new(CaptureForms::Language).string().not_null().default("auto")).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(CaptureForms::Table).drop_column(CaptureForms::Language).to_owned()).await
    }
}
