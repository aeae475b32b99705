use sea_orm::entity::prelude::*;

/// A listing photo, stored once at upload as a display JPEG and a thumbnail. Position 0 is
/// the cover.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "property_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub property_id: i64,
    pub position: i32,
    pub display_key: String,
    pub thumb_key: String,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
