use sea_orm::entity::prelude::*;

/// A person the agency deals with. Phone (E.164) and e-mail are each unique.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
    pub language: Option<String>,
    pub marketing_consent: bool,
    pub consent_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub consent_text: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The number to write to on WhatsApp: their WhatsApp number, else their phone.
    pub fn whatsapp_number(&self) -> Option<&str> {
        let usable = |n: &&str| n.chars().any(|c| c.is_ascii_digit());
        self.whatsapp.as_deref().filter(usable).or(self.phone.as_deref().filter(usable))
    }
}
