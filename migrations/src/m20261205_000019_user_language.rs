//! The language each person reads Doorstep in: `agency.language`, the agency's default set on
//! the Agency page ("en" for installations from before), and `users.language`, a person's own
//! choice, or NULL to follow the agency's.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Agency {
    Table,
    Language,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Agency::Table).add_column(ColumnDef::new(Agency::Language).string().not_null().default("en")).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).add_column(ColumnDef::new(Users::Language).string().null()).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::Language).to_owned()).await?;
        manager.alter_table(Table::alter().table(Agency::Table).drop_column(Agency::Language).to_owned()).await
    }
}
