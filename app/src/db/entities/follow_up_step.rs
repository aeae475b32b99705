use sea_orm::entity::prelude::*;

/// One step of a follow-up plan: due `offset_minutes` after the plan starts, moved to
/// `at_time` ("09:30", the assignee's zone) on that day when given.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_steps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub position: i32,
    pub offset_minutes: i32,
    pub at_time: Option<String>,
    pub kind: crate::reminders::Kind,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
