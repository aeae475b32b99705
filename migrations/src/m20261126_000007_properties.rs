//! The agency's listings: what is for sale or to rent, matched against open deals.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Properties {
    Table,
    Id,
    Reference,
    Title,
    Operation,
    PropertyType,
    Status,
    Price,
    Currency,
    Address,
    City,
    Area,
    Bedrooms,
    Bathrooms,
    BuiltM2,
    PlotM2,
    YearBuilt,
    EnergyRating,
    Description,
    Features,
    ListingAgentId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let int_null = |col: Properties| ColumnDef::new(col).integer().null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Properties::Table)
                    .col(ColumnDef::new(Properties::Id).big_integer().not_null().auto_increment().primary_key())
                    // The agency's own reference, as on its website and in portals.
                    .col(ColumnDef::new(Properties::Reference).string().not_null().unique_key())
                    .col(ColumnDef::new(Properties::Title).string().not_null())
                    // sale or rent.
                    .col(ColumnDef::new(Properties::Operation).string().not_null())
                    .col(ColumnDef::new(Properties::PropertyType).string().not_null())
                    // available, reserved, sold or let.
                    .col(ColumnDef::new(Properties::Status).string().not_null().default("available"))
                    // Minor units of `currency`; a rent is per month.
                    .col(ColumnDef::new(Properties::Price).big_integer().not_null())
                    .col(ColumnDef::new(Properties::Currency).string().not_null())
                    .col(ColumnDef::new(Properties::Address).string().not_null())
                    .col(ColumnDef::new(Properties::City).string().not_null())
                    .col(ColumnDef::new(Properties::Area).string().not_null())
                    .col(int_null(Properties::Bedrooms))
                    .col(int_null(Properties::Bathrooms))
                    .col(int_null(Properties::BuiltM2))
                    .col(int_null(Properties::PlotM2))
                    .col(int_null(Properties::YearBuilt))
                    .col(ColumnDef::new(Properties::EnergyRating).string().null())
                    .col(ColumnDef::new(Properties::Description).text().not_null())
                    // One feature per line.
                    .col(ColumnDef::new(Properties::Features).text().not_null())
                    .col(ColumnDef::new(Properties::ListingAgentId).big_integer().null())
                    .col(ColumnDef::new(Properties::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(Properties::UpdatedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create().from(Properties::Table, Properties::ListingAgentId).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Matching a deal reads the available listings of one operation by price.
        manager
            .create_index(
                Index::create()
                    .name("properties_match")
                    .table(Properties::Table)
                    .col(Properties::Status)
                    .col(Properties::Operation)
                    .col(Properties::Price)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Properties::Table).to_owned()).await
    }
}
