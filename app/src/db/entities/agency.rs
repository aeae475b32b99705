use sea_orm::entity::prelude::*;

/// The agency this installation serves: one row, written by the first-administrator page.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub name: String,
    pub time_zone: String,
    /// ISO 3166 country code for phone numbers typed without a country code.
    pub default_region: String,
    pub updated_at: DateTimeUtc,
    /// Managers hear of a follow-up overdue by more than this many minutes; None: never.
    pub escalate_after_minutes: Option<i32>,
    /// The local hour each person's morning digest arrives.
    pub digest_hour: i32,
    /// The colour of presentations and share pages, as #rrggbb.
    pub brand_color: String,
    /// Storage key of the logo (a PNG), if an admin gave one.
    pub logo_key: Option<String>,
    /// The language of people who chose none ("en", "es").
    pub language: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
