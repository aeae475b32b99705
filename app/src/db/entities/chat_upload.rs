use sea_orm::entity::prelude::*;

/// A chat export uploaded for a deal, kept until its uploader confirms the preview (or a day).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_uploads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub token: String,
    pub deal_id: i64,
    pub user_id: i64,
    pub file_name: String,
    /// Empty when the file is in media storage under `file_key`.
    #[sea_orm(column_type = "Blob")]
    pub data: Vec<u8>,
    pub file_key: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
