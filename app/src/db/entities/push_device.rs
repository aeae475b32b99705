use sea_orm::entity::prelude::*;

/// A browser that asked for Web Push: its subscription (endpoint and the keys its payloads
/// are encrypted to), whose it is, the session that made it (ending the session removes it)
/// and the kinds of notice it wants, comma-separated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_devices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub session_id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub name: String,
    pub kinds: String,
    pub created_at: DateTimeUtc,
    pub last_pushed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
