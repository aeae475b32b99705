//! WhatsApp as a channel:
//!
//! - `activities.external_id`: where a timeline entry came from outside (a chat export's
//!   message, a Cloud API message id), unique per contact, so bringing it in again adds
//!   nothing; `attachment_key`/`attachment_name` for a file it carried (kept in media
//!   storage); `delivery` for what WhatsApp said of a message sent from Doorstep.
//! - `whatsapp_messages`: every Cloud API message id already taken in, with the deal it went
//!   to, so a redelivered webhook changes nothing.
//! - `chat_uploads`: a chat export uploaded for a deal, kept until its uploader has seen the
//!   preview and confirmed (or a day has passed).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activities {
    Table,
    ContactId,
    ExternalId,
    AttachmentKey,
    AttachmentName,
    Delivery,
}

#[derive(DeriveIden)]
enum WhatsappMessages {
    Table,
    MessageId,
    DealId,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum ChatUploads {
    Table,
    Id,
    Token,
    DealId,
    UserId,
    FileName,
    Data,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [Activities::ExternalId, Activities::AttachmentKey, Activities::AttachmentName, Activities::Delivery] {
            manager
                .alter_table(Table::alter().table(Activities::Table).add_column(ColumnDef::new(column).string().null()).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("activities_external")
                    .table(Activities::Table)
                    .col(Activities::ContactId)
                    .col(Activities::ExternalId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WhatsappMessages::Table)
                    .col(ColumnDef::new(WhatsappMessages::MessageId).string().not_null().primary_key())
                    .col(ColumnDef::new(WhatsappMessages::DealId).big_integer().null())
                    .col(ColumnDef::new(WhatsappMessages::ReceivedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChatUploads::Table)
                    .col(ColumnDef::new(ChatUploads::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(ChatUploads::Token).string().not_null().unique_key())
                    .col(ColumnDef::new(ChatUploads::DealId).big_integer().not_null())
                    .col(ColumnDef::new(ChatUploads::UserId).big_integer().not_null())
                    .col(ColumnDef::new(ChatUploads::FileName).string().not_null())
                    .col(ColumnDef::new(ChatUploads::Data).blob().not_null())
                    .col(ColumnDef::new(ChatUploads::CreatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ChatUploads::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WhatsappMessages::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("activities_external").table(Activities::Table).to_owned()).await?;
        for column in [Activities::Delivery, Activities::AttachmentName, Activities::AttachmentKey, Activities::ExternalId] {
            manager.alter_table(Table::alter().table(Activities::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
