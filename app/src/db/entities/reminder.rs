use sea_orm::entity::prelude::*;

/// A follow-up on a deal: what to do, by whom, when (UTC). `delivered_at` is set in the same
/// transaction as its notification.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub deal_id: i64,
    pub assignee_id: i64,
    pub created_by: Option<i64>,
    pub title: String,
    pub kind: crate::reminders::Kind,
    pub due_at: DateTimeUtc,
    pub state: crate::reminders::State,
    pub delivered_at: Option<DateTimeUtc>,
    pub late: bool,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The follow-up plan this step came from, if any.
    pub plan_id: Option<i64>,
    /// What to say, from the plan step's template.
    pub message: Option<String>,
    /// When the managers were told it is overdue.
    pub escalated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
