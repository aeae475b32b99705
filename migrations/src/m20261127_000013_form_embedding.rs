//! `capture_forms.embed_sites`: the sites that may show a form in a frame, as origins
//! separated by spaces (`https://www.costa-homes.es https://costa-homes.es`); empty lets any
//! site embed it, as before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CaptureForms {
    Table,
    EmbedSites,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CaptureForms::Table)
                    .add_column(ColumnDef::new(CaptureForms::EmbedSites).text().not_null().default(""))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(CaptureForms::Table).drop_column(CaptureForms::EmbedSites).to_owned()).await
    }
}
