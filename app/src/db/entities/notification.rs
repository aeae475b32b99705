use sea_orm::entity::prelude::*;

/// A message to one user, shown in the app (live) and optionally e-mailed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub kind: crate::notifications::NoticeKind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub deal_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    /// The reminder this notification delivered, and the due time it delivered (unique
    /// together: one delivery per reminder per due time).
    pub reminder_id: Option<i64>,
    pub reminder_due_at: Option<DateTimeUtc>,
    /// Makes an alert once-only (unique): "digest:7:2026-11-26", "stale:42:…".
    pub dedupe_key: Option<String>,
    /// When the push worker turned it into deliveries to the user's devices (none if it
    /// wants no push).
    pub pushed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
