use sea_orm::entity::prelude::*;

/// One listing of a presentation, in the order the agent chose.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "presentation_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub presentation_id: i64,
    pub property_id: i64,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
