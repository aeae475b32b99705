//! Follow-up plans (named sequences of reminders), applied by hand, by a capture form or by a
//! stage; and the alerts the scheduler raises besides reminders: the morning digest,
//! escalation of overdue follow-ups to managers, and stale deals.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FollowUpPlans {
    Table,
    Id,
    Name,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FollowUpSteps {
    Table,
    Id,
    PlanId,
    Position,
    OffsetMinutes,
    AtTime,
    Kind,
    Title,
    Message,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    LockedBy,
    LockedUntil,
    PlanId,
    Message,
    EscalatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    DedupeKey,
    DealId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CaptureForms {
    Table,
    PlanId,
}

#[derive(DeriveIden)]
enum Stages {
    Table,
    PlanId,
}

#[derive(DeriveIden)]
enum Agency {
    Table,
    EscalateAfterMinutes,
    DigestHour,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FollowUpPlans::Table)
                    .col(ColumnDef::new(FollowUpPlans::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(FollowUpPlans::Name).string().not_null().unique_key())
                    .col(ColumnDef::new(FollowUpPlans::Active).boolean().not_null().default(true))
                    .col(ColumnDef::new(FollowUpPlans::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(FollowUpPlans::UpdatedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        // A step is due `offset_minutes` after the plan starts; with `at_time` ("09:30") it
        // moves to that time, in the assignee's zone, on the day the offset lands.
        manager
            .create_table(
                Table::create()
                    .table(FollowUpSteps::Table)
                    .col(ColumnDef::new(FollowUpSteps::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(FollowUpSteps::PlanId).big_integer().not_null())
                    .col(ColumnDef::new(FollowUpSteps::Position).integer().not_null())
                    .col(ColumnDef::new(FollowUpSteps::OffsetMinutes).integer().not_null())
                    .col(ColumnDef::new(FollowUpSteps::AtTime).string().null())
                    .col(ColumnDef::new(FollowUpSteps::Kind).string().not_null())
                    .col(ColumnDef::new(FollowUpSteps::Title).string().not_null())
                    .col(ColumnDef::new(FollowUpSteps::Message).text().not_null())
                    .foreign_key(
                        ForeignKey::create().from(FollowUpSteps::Table, FollowUpSteps::PlanId).to(FollowUpPlans::Table, FollowUpPlans::Id).on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement. Plan references are plain columns: deleting
        // a plan clears them in the same transaction.
        let additions = [
            (Reminders::Table.into_iden(), ColumnDef::new(Reminders::PlanId).big_integer().null().to_owned()),
            // The plan step's message, with the client's name filled in.
            (Reminders::Table.into_iden(), ColumnDef::new(Reminders::Message).text().null().to_owned()),
            // Set when the managers were told it is overdue; cleared by a new due time.
            (Reminders::Table.into_iden(), ColumnDef::new(Reminders::EscalatedAt).timestamp_with_time_zone().null().to_owned()),
            // What makes an alert once-only (the digest of one user on one day, say): a
            // second insert with the same key does nothing, whichever scheduler tries.
            (Notifications::Table.into_iden(), ColumnDef::new(Notifications::DedupeKey).string().null().to_owned()),
            (CaptureForms::Table.into_iden(), ColumnDef::new(CaptureForms::PlanId).big_integer().null().to_owned()),
            (Stages::Table.into_iden(), ColumnDef::new(Stages::PlanId).big_integer().null().to_owned()),
            // Managers hear of a follow-up overdue by more than this; null turns it off.
            (Agency::Table.into_iden(), ColumnDef::new(Agency::EscalateAfterMinutes).integer().null().default(120).to_owned()),
            // The local hour each person's morning digest arrives.
            (Agency::Table.into_iden(), ColumnDef::new(Agency::DigestHour).integer().not_null().default(8).to_owned()),
        ];
        for (table, column) in additions {
            manager.alter_table(Table::alter().table(table).add_column(column).to_owned()).await?;
        }
        // The scheduler now marks and notifies in one transaction, row-locked on PostgreSQL;
        // the lease columns it used before are gone.
        for column in [Reminders::LockedBy, Reminders::LockedUntil] {
            manager.alter_table(Table::alter().table(Reminders::Table).drop_column(column).to_owned()).await?;
        }
        manager
            .create_index(Index::create().name("notifications_dedupe").table(Notifications::Table).col(Notifications::DedupeKey).unique().to_owned())
            .await?;
        // "Was this deal flagged stale since it was last touched?"
        manager
            .create_index(
                Index::create()
                    .name("notifications_deal_kind")
                    .table(Notifications::Table)
                    .col(Notifications::DealId)
                    .col(Notifications::Kind)
                    .col(Notifications::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("notifications_deal_kind").table(Notifications::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("notifications_dedupe").table(Notifications::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(FollowUpSteps::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(FollowUpPlans::Table).to_owned()).await
    }
}
