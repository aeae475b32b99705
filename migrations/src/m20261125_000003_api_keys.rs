//! API keys for website and portal integrations, and the answers kept for idempotent retries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(ColumnDef::new(ApiKeys::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                    .col(ColumnDef::new(ApiKeys::Scope).string().not_null())
                    .col(ColumnDef::new(ApiKeys::KeyHash).string().not_null().unique_key())
                    .col(ColumnDef::new(ApiKeys::Prefix).string().not_null())
                    .col(ColumnDef::new(ApiKeys::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ApiKeys::LastUsedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ApiKeys::RevokedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotentAnswers::Table)
                    .col(ColumnDef::new(IdempotentAnswers::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(IdempotentAnswers::ApiKeyId).big_integer().not_null())
                    .col(ColumnDef::new(IdempotentAnswers::IdempotencyKey).string().not_null())
                    .col(ColumnDef::new(IdempotentAnswers::RequestHash).string().not_null())
                    .col(ColumnDef::new(IdempotentAnswers::Status).integer().not_null())
                    .col(ColumnDef::new(IdempotentAnswers::Body).text().not_null())
                    .col(ColumnDef::new(IdempotentAnswers::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdempotentAnswers::Table, IdempotentAnswers::ApiKeyId)
                            .to(ApiKeys::Table, ApiKeys::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idempotent_answers_key")
                    .table(IdempotentAnswers::Table)
                    .col(IdempotentAnswers::ApiKeyId)
                    .col(IdempotentAnswers::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(IdempotentAnswers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ApiKeys::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    Name,
    Scope,
    KeyHash,
    Prefix,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum IdempotentAnswers {
    Table,
    Id,
    ApiKeyId,
    IdempotencyKey,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}
