//! `rate_windows`: the capture forms' rate limit shared by every instance on one PostgreSQL
//! (on SQLite, one server, it stays in memory). One row per form and client address: when
//! its window started and how many submissions it has seen since.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateWindows {
    Table,
    Key,
    StartedAt,
    Hits,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RateWindows::Table)
                    .col(ColumnDef::new(RateWindows::Key).string().not_null().primary_key())
                    .col(ColumnDef::new(RateWindows::StartedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(RateWindows::Hits).integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("rate_windows_started_at").table(RateWindows::Table).col(RateWindows::StartedAt).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(RateWindows::Table).to_owned()).await
    }
}
