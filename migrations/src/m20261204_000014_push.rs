//! Web Push to the devices people opt in:
//!
//! - `push_devices`: a browser's push subscription (its endpoint and keys), the user and the
//!   session that made it (logging out or disabling the user ends the session, and with it
//!   the device), the device's name and the kinds of notice it wants.
//! - `push_deliveries`: the outbox, one row per notification and device (unique together, so
//!   a notification is pushed to a device at most once), with its state, attempts and the
//!   time of its next try.
//! - `notifications.pushed_at`: when a notification was turned into its deliveries; the
//!   notifications from before this step count as done, so nobody is pushed old news.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PushDevices {
    Table,
    Id,
    UserId,
    SessionId,
    Endpoint,
    P256dh,
    Auth,
    Name,
    Kinds,
    CreatedAt,
    LastPushedAt,
}

#[derive(DeriveIden)]
enum PushDeliveries {
    Table,
    Id,
    NotificationId,
    DeviceId,
    State,
    Attempts,
    NextAttemptAt,
    CreatedAt,
    SentAt,
    Error,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    PushedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushDevices::Table)
                    .col(ColumnDef::new(PushDevices::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PushDevices::UserId).big_integer().not_null())
                    .col(ColumnDef::new(PushDevices::SessionId).big_integer().not_null())
                    .col(ColumnDef::new(PushDevices::Endpoint).text().not_null().unique_key())
                    .col(ColumnDef::new(PushDevices::P256dh).string().not_null())
                    .col(ColumnDef::new(PushDevices::Auth).string().not_null())
                    .col(ColumnDef::new(PushDevices::Name).string().not_null())
                    .col(ColumnDef::new(PushDevices::Kinds).string().not_null())
                    .col(ColumnDef::new(PushDevices::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PushDevices::LastPushedAt).timestamp_with_time_zone().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDevices::Table, PushDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDevices::Table, PushDevices::SessionId)
                            .to(Sessions::Table, Sessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("push_devices_user_id").table(PushDevices::Table).col(PushDevices::UserId).to_owned())
            .await?;
        manager
            .create_index(Index::create().name("push_devices_session_id").table(PushDevices::Table).col(PushDevices::SessionId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PushDeliveries::Table)
                    .col(ColumnDef::new(PushDeliveries::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(PushDeliveries::NotificationId).big_integer().not_null())
                    .col(ColumnDef::new(PushDeliveries::DeviceId).big_integer().not_null())
                    .col(ColumnDef::new(PushDeliveries::State).string().not_null())
                    .col(ColumnDef::new(PushDeliveries::Attempts).integer().not_null().default(0))
                    .col(ColumnDef::new(PushDeliveries::NextAttemptAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PushDeliveries::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(PushDeliveries::SentAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(PushDeliveries::Error).string().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDeliveries::Table, PushDeliveries::NotificationId)
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDeliveries::Table, PushDeliveries::DeviceId)
                            .to(PushDevices::Table, PushDevices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("push_deliveries_once")
                    .table(PushDeliveries::Table)
                    .col(PushDeliveries::NotificationId)
                    .col(PushDeliveries::DeviceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("push_deliveries_due")
                    .table(PushDeliveries::Table)
                    .col(PushDeliveries::State)
                    .col(PushDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("push_deliveries_device_id").table(PushDeliveries::Table).col(PushDeliveries::DeviceId).to_owned())
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(ColumnDef::new(Notifications::PushedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE notifications SET pushed_at = created_at").await?;
        // The push worker's queue: the few notifications not yet turned into deliveries.
        db.execute_unprepared("CREATE INDEX notifications_unpushed ON notifications (id) WHERE pushed_at IS NULL").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX notifications_unpushed").await?;
        manager.alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::PushedAt).to_owned()).await?;
        manager.drop_table(Table::drop().table(PushDeliveries::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(PushDevices::Table).to_owned()).await
    }
}
