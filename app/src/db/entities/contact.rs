use sea_orm::entity::prelude::*;
use sea_orm::Set;

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
    /// Name, e-mail and phone digits folded for search (`crate::search`); written on save.
    #[sea_orm(column_type = "Text")]
    pub search: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C: ConnectionTrait>(self, _db: &C, _insert: bool) -> Result<Self, DbErr> {
        Ok(self.searchable())
    }
}

impl ActiveModel {
    /// With `search` written from the name, e-mail and phone it carries. Saving does this
    /// itself; rows inserted together (`insert_many`) call it.
    pub fn searchable(mut self) -> Self {
        if let (Some(name), Some(email), Some(phone)) = (self.name.try_as_ref(), self.email.try_as_ref(), self.phone.try_as_ref()) {
            self.search = Set(crate::search::contact_text(name, email.as_deref(), phone.as_deref()));
        }
        self
    }
}

impl Model {
    /// The number to write to on WhatsApp: their WhatsApp number, else their phone.
    pub fn whatsapp_number(&self) -> Option<&str> {
        let usable = |n: &&str| n.chars().any(|c| c.is_ascii_digit());
        self.whatsapp.as_deref().filter(usable).or(self.phone.as_deref().filter(usable))
    }
}
