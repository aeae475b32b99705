use sea_orm::entity::prelude::*;

/// A staff account. Holds the password hash, so it never leaves the server: services map it
/// to `SessionUser` or `UserSummary`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub role: String,
    pub time_zone: String,
    pub password_hash: String,
    pub away: bool,
    pub disabled_at: Option<DateTimeUtc>,
    pub last_assigned_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// SHA-256 of the secret in the user's calendar feed address, if they made one.
    pub calendar_token_hash: Option<String>,
    /// The language the person chose ("es"), or None to read the agency's.
    pub language: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
