//! `chat_uploads.file_key`: a chat export waiting for its preview is kept in media storage
//! (the data directory, or the shared bucket) rather than in the row, so a 64 MB upload is
//! not copied through the database driver several times over. Rows from before keep their
//! bytes in `data`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChatUploads {
    Table,
    FileKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(ChatUploads::Table).add_column(ColumnDef::new(ChatUploads::FileKey).string().null()).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(ChatUploads::Table).drop_column(ChatUploads::FileKey).to_owned()).await
    }
}
