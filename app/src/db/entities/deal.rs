use sea_orm::entity::prelude::*;

/// One need of one contact moving through the pipeline. Money is in minor units.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub contact_id: i64,
    pub need: String,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub currency: String,
    pub areas: Option<String>,
    pub bedrooms: Option<i32>,
    pub property_ref: Option<String>,
    pub move_in: Option<String>,
    pub owner_id: Option<i64>,
    pub stage_id: i64,
    pub source: String,
    pub form_id: Option<i64>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub referrer: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub first_response_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub version: i64,
    pub lost_reason: Option<String>,
    /// The final value of a won deal, in minor units.
    pub won_value: Option<i64>,
    pub stage_entered_at: Option<DateTimeUtc>,
    pub reply_claimed_by: Option<i64>,
    pub reply_claimed_until: Option<DateTimeUtc>,
    /// The highest position of an open or won stage the deal has been in, kept by the
    /// database (migration 9); a lost deal keeps the one it had.
    pub furthest_position: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::contact::Entity", from = "Column::ContactId", to = "super::contact::Column::Id")]
    Contact,
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
