//! Message templates and CSV imports:
//!
//! - `message_templates`: the texts an admin writes once for the whole team (a first answer,
//!   a viewing's confirmation), with placeholders filled from the deal when an agent sends one.
//! - `csv_uploads`: a spreadsheet of contacts and deals uploaded for import, kept until its
//!   uploader has mapped its columns, seen the check and confirmed (or a day has passed).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageTemplates {
    Table,
    Id,
    Name,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CsvUploads {
    Table,
    Id,
    Token,
    UserId,
    FileName,
    Data,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageTemplates::Table)
                    .col(ColumnDef::new(MessageTemplates::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(MessageTemplates::Name).string().not_null().unique_key())
                    .col(ColumnDef::new(MessageTemplates::Body).text().not_null())
                    .col(ColumnDef::new(MessageTemplates::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(MessageTemplates::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CsvUploads::Table)
                    .col(ColumnDef::new(CsvUploads::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(CsvUploads::Token).string().not_null().unique_key())
                    .col(ColumnDef::new(CsvUploads::UserId).big_integer().not_null())
                    .col(ColumnDef::new(CsvUploads::FileName).string().not_null())
                    .col(ColumnDef::new(CsvUploads::Data).blob().not_null())
                    .col(ColumnDef::new(CsvUploads::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CsvUploads::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MessageTemplates::Table).to_owned()).await
    }
}
