//! The deal workspace: why deals are lost, what they were won for, who is replying, and the
//! audit history of every change.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The reasons a new agency starts with; an admin can change them.
const DEFAULT_LOST_REASONS: &[&str] =
    &["Bought or rented elsewhere", "Budget does not fit", "No longer looking", "Could not reach them", "Chose another agency"];

#[derive(DeriveIden)]
enum Deals {
    Table,
    Id,
    StageId,
    Source,
    LostReason,
    WonValue,
    StageEnteredAt,
    ReplyClaimedBy,
    ReplyClaimedUntil,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LostReasons {
    Table,
    Id,
    Name,
    Position,
    Active,
}

#[derive(DeriveIden)]
enum DealChanges {
    Table,
    Id,
    DealId,
    UserId,
    Version,
    Field,
    OldValue,
    NewValue,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let columns = [
            ColumnDef::new(Deals::LostReason).string().null().to_owned(),
            // The final value of a won deal, in minor units of the deal's currency.
            ColumnDef::new(Deals::WonValue).big_integer().null().to_owned(),
            // When the deal entered its stage: "stale after N days" counts from the later of
            // this and the last activity.
            ColumnDef::new(Deals::StageEnteredAt).timestamp_with_time_zone().null().to_owned(),
            // "Ana is replying": who claimed the reply, until when.
            ColumnDef::new(Deals::ReplyClaimedBy).big_integer().null().to_owned(),
            ColumnDef::new(Deals::ReplyClaimedUntil).timestamp_with_time_zone().null().to_owned(),
        ];
        for column in columns {
            manager.alter_table(Table::alter().table(Deals::Table).add_column(column).to_owned()).await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Deals::Table)
                    .value(Deals::StageEnteredAt, Expr::col(Deals::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LostReasons::Table)
                    .col(ColumnDef::new(LostReasons::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(LostReasons::Name).string().not_null())
                    .col(ColumnDef::new(LostReasons::Position).integer().not_null())
                    .col(ColumnDef::new(LostReasons::Active).boolean().not_null().default(true))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert().into_table(LostReasons::Table).columns([LostReasons::Name, LostReasons::Position]).to_owned();
        for (position, name) in DEFAULT_LOST_REASONS.iter().enumerate() {
            insert.values_panic([(*name).into(), (position as i32).into()]);
        }
        manager.exec_stmt(insert).await?;

        // Every change to a deal: which field, from what, to what, by whom, and the version it
        // made. Stage moves are changes of the field "stage".
        manager
            .create_table(
                Table::create()
                    .table(DealChanges::Table)
                    .col(ColumnDef::new(DealChanges::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(DealChanges::DealId).big_integer().not_null())
                    .col(ColumnDef::new(DealChanges::UserId).big_integer().null())
                    .col(ColumnDef::new(DealChanges::Version).big_integer().not_null())
                    .col(ColumnDef::new(DealChanges::Field).string().not_null())
                    .col(ColumnDef::new(DealChanges::OldValue).text().null())
                    .col(ColumnDef::new(DealChanges::NewValue).text().null())
                    .col(ColumnDef::new(DealChanges::ChangedAt).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(DealChanges::Table, DealChanges::DealId)
                            .to(Deals::Table, Deals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DealChanges::Table, DealChanges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("deal_changes_deal_version")
                    .table(DealChanges::Table)
                    .col(DealChanges::DealId)
                    .col(DealChanges::Version)
                    .to_owned(),
            )
            .await?;
        // The pipeline lists each stage's deals most recently touched first, and filters by
        // source.
        manager
            .create_index(
                Index::create()
                    .name("deals_stage_updated")
                    .table(Deals::Table)
                    .col(Deals::StageId)
                    .col(Deals::UpdatedAt)
                    .col(Deals::Id)
                    .to_owned(),
            )
            .await?;
        manager.create_index(Index::create().name("deals_source").table(Deals::Table).col(Deals::Source).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DealChanges::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(LostReasons::Table).to_owned()).await
    }
}
