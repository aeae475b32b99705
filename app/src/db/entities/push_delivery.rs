use sea_orm::entity::prelude::*;

/// Where a push to a device stands. Stored by its word; the claim's SQL names `pending` and
/// `sending` too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Delivery {
    /// Waiting for its first attempt, or for a retry at `next_attempt_at`.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Claimed by a worker until `next_attempt_at` (after that, another may take it).
    #[sea_orm(string_value = "sending")]
    Sending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Given up: the device is gone or every attempt failed.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// One notification to push to one device (unique together): the push outbox.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub notification_id: i64,
    pub device_id: i64,
    pub state: Delivery,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// When the notification was made: the start of the lag to the push service.
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
