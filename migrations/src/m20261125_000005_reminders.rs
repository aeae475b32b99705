//! Follow-ups: reminders on deals, and the queue the scheduler delivers them from.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    DealId,
    AssigneeId,
    CreatedBy,
    Title,
    Kind,
    DueAt,
    State,
    DeliveredAt,
    Late,
    LockedBy,
    LockedUntil,
    CompletedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    ReminderId,
    ReminderDueAt,
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
    CalendarTokenHash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let at = |col: Reminders| ColumnDef::new(col).timestamp_with_time_zone().not_null().to_owned();
        let at_null = |col: Reminders| ColumnDef::new(col).timestamp_with_time_zone().null().to_owned();
        manager
            .create_table(
                Table::create()
                    .table(Reminders::Table)
                    .col(ColumnDef::new(Reminders::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Reminders::DealId).big_integer().not_null())
                    .col(ColumnDef::new(Reminders::AssigneeId).big_integer().not_null())
                    .col(ColumnDef::new(Reminders::CreatedBy).big_integer().null())
                    .col(ColumnDef::new(Reminders::Title).string().not_null())
                    .col(ColumnDef::new(Reminders::Kind).string().not_null())
                    // Always UTC; shown in the viewer's time zone.
                    .col(at(Reminders::DueAt))
                    // pending, done or cancelled.
                    .col(ColumnDef::new(Reminders::State).string().not_null().default("pending"))
                    // Set in the same transaction as the notification it produced: a reminder
                    // with this set has been delivered, exactly once.
                    .col(at_null(Reminders::DeliveredAt))
                    .col(ColumnDef::new(Reminders::Late).boolean().not_null().default(false))
                    // A scheduler's lease on a due reminder while it delivers it; an expired
                    // lease (a crashed scheduler) lets another take it over.
                    .col(ColumnDef::new(Reminders::LockedBy).string().null())
                    .col(at_null(Reminders::LockedUntil))
                    .col(at_null(Reminders::CompletedAt))
                    .col(at(Reminders::CreatedAt))
                    .col(at(Reminders::UpdatedAt))
                    .foreign_key(ForeignKey::create().from(Reminders::Table, Reminders::DealId).to(Deals::Table, Deals::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(ForeignKey::create().from(Reminders::Table, Reminders::AssigneeId).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::Cascade))
                    .foreign_key(ForeignKey::create().from(Reminders::Table, Reminders::CreatedBy).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::SetNull))
                    .to_owned(),
            )
            .await?;
        // A user's calendar feed address is a secret token; only its SHA-256 is kept, and a new
        // one revokes the old.
        manager
            .alter_table(Table::alter().table(Users::Table).add_column(ColumnDef::new(Users::CalendarTokenHash).string().null()).to_owned())
            .await?;
        // The scheduler's query: pending, undelivered, by due time.
        manager
            .create_index(
                Index::create()
                    .name("reminders_queue")
                    .table(Reminders::Table)
                    .col(Reminders::State)
                    .col(Reminders::DeliveredAt)
                    .col(Reminders::DueAt)
                    .to_owned(),
            )
            .await?;
        // The reminder, and the due time, a notification delivered. Unique together: the
        // database itself refuses a second delivery of one reminder at one due time, whatever
        // the schedulers do (a snoozed reminder is due again, and delivered again).
        manager
            .alter_table(Table::alter().table(Notifications::Table).add_column(ColumnDef::new(Notifications::ReminderId).big_integer().null()).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Notifications::Table).add_column(ColumnDef::new(Notifications::ReminderDueAt).timestamp_with_time_zone().null()).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("notifications_reminder")
                    .table(Notifications::Table)
                    .col(Notifications::ReminderId)
                    .col(Notifications::ReminderDueAt)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("reminders_deal").table(Reminders::Table).col(Reminders::DealId).col(Reminders::State).to_owned())
            .await?;
        manager
            .create_index(
                Index::create().name("reminders_assignee_due").table(Reminders::Table).col(Reminders::AssigneeId).col(Reminders::State).col(Reminders::DueAt).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("notifications_reminder").table(Notifications::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Reminders::Table).to_owned()).await
    }
}
