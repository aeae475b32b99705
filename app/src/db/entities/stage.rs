use sea_orm::entity::prelude::*;

/// A pipeline stage.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub position: i32,
    pub kind: crate::deals::StageKind,
    pub stale_after_days: Option<i32>,
    /// A follow-up plan started on a deal when it enters this stage.
    pub plan_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
