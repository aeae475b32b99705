use sea_orm::entity::prelude::*;

/// A public lead-capture form, with its counters.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "capture_forms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub intro: String,
    pub show_message: bool,
    pub show_budget: bool,
    pub show_move_in: bool,
    pub show_property_ref: bool,
    pub show_consent: bool,
    #[sea_orm(column_type = "Text")]
    pub consent_text: String,
    pub default_need: String,
    pub currency: String,
    pub assignment: String,
    pub fixed_agent_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub thank_you_text: String,
    pub redirect_url: Option<String>,
    pub active: bool,
    pub received_count: i64,
    pub duplicate_count: i64,
    pub spam_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The language prospects read it in ("es"), or "auto" for each one's browser's.
    pub language: String,
    /// A follow-up plan started on every new deal from this form.
    pub plan_id: Option<i64>,
    /// The sites that may show the form in a frame, origins separated by spaces; empty: any.
    #[sea_orm(column_type = "Text")]
    pub embed_sites: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
