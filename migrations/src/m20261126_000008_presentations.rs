//! Listing photos, the agency's branding, and presentations: the PDF and share link an agent
//! sends a client, with the opens counted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PropertyPhotos {
    Table,
    Id,
    PropertyId,
    Position,
    DisplayKey,
    ThumbKey,
    Width,
    Height,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Presentations {
    Table,
    Id,
    Token,
    DealId,
    CreatedBy,
    Paper,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    ViewCount,
    LastViewedAt,
}

#[derive(DeriveIden)]
enum PresentationItems {
    Table,
    Id,
    PresentationId,
    PropertyId,
    Position,
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    BrandColor,
    LogoKey,
}

#[derive(DeriveIden)]
enum Properties {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Deals {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PropertyPhotos::Table)
                    .col(ColumnDef::new(PropertyPhotos::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PropertyPhotos::PropertyId).big_integer().not_null())
                    // 0 is the cover; the rest follow in the agent's order.
                    .col(ColumnDef::new(PropertyPhotos::Position).integer().not_null())
                    // Storage keys of the two JPEGs made once at upload: display and thumbnail.
                    .col(ColumnDef::new(PropertyPhotos::DisplayKey).string().not_null())
                    .col(ColumnDef::new(PropertyPhotos::ThumbKey).string().not_null())
                    // Of the display image.
                    .col(ColumnDef::new(PropertyPhotos::Width).integer().not_null())
                    .col(ColumnDef::new(PropertyPhotos::Height).integer().not_null())
                    .col(ColumnDef::new(PropertyPhotos::CreatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PropertyPhotos::Table, PropertyPhotos::PropertyId)
                            .to(Properties::Table, Properties::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("property_photos_order")
                    .table(PropertyPhotos::Table)
                    .col(PropertyPhotos::PropertyId)
                    .col(PropertyPhotos::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Presentations::Table)
                    .col(ColumnDef::new(Presentations::Id).big_integer().not_null().auto_increment().primary_key())
                    // The secret in the share link: 256 random bits.
                    .col(ColumnDef::new(Presentations::Token).string().not_null().unique_key())
                    .col(ColumnDef::new(Presentations::DealId).big_integer().null())
                    .col(ColumnDef::new(Presentations::CreatedBy).big_integer().not_null())
                    // a4 or letter.
                    .col(ColumnDef::new(Presentations::Paper).string().not_null())
                    .col(ColumnDef::new(Presentations::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Presentations::ExpiresAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Presentations::RevokedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(Presentations::ViewCount).integer().not_null().default(0))
                    .col(ColumnDef::new(Presentations::LastViewedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create().from(Presentations::Table, Presentations::DealId).to(Deals::Table, Deals::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(ForeignKey::create().from(Presentations::Table, Presentations::CreatedBy).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("presentations_deal").table(Presentations::Table).col(Presentations::DealId).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PresentationItems::Table)
                    .col(ColumnDef::new(PresentationItems::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PresentationItems::PresentationId).big_integer().not_null())
                    .col(ColumnDef::new(PresentationItems::PropertyId).big_integer().not_null())
                    .col(ColumnDef::new(PresentationItems::Position).integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PresentationItems::Table, PresentationItems::PresentationId)
                            .to(Presentations::Table, Presentations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PresentationItems::Table, PresentationItems::PropertyId)
                            .to(Properties::Table, Properties::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("presentation_items_order")
                    .table(PresentationItems::Table)
                    .col(PresentationItems::PresentationId)
                    .col(PresentationItems::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter().table(Agency::Table).add_column(ColumnDef::new(Agency::BrandColor).string().not_null().default("#1f5f8b")).to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(Agency::Table).add_column(ColumnDef::new(Agency::LogoKey).string().null()).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(PresentationItems::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Presentations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PropertyPhotos::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Agency::Table).drop_column(Agency::LogoKey).to_owned()).await?;
        manager.alter_table(Table::alter().table(Agency::Table).drop_column(Agency::BrandColor).to_owned()).await
    }
}
