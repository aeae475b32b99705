use sea_orm::entity::prelude::*;
use sea_orm::Set;

/// A listing: for sale or to rent, with its price in minor units of its currency.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "properties")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub reference: String,
    pub title: String,
    pub operation: String,
    pub property_type: String,
    pub status: String,
    pub price: i64,
    pub currency: String,
    pub address: String,
    pub city: String,
    pub area: String,
    pub bedrooms: Option<i32>,
    pub bathrooms: Option<i32>,
    pub built_m2: Option<i32>,
    pub plot_m2: Option<i32>,
    pub year_built: Option<i32>,
    pub energy_rating: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub features: String,
    pub listing_agent_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Reference, title, town and area folded for search (`crate::search`); written on save.
    #[sea_orm(column_type = "Text")]
    pub search: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// `search` written from the reference, title, town and area the row carries.
    async fn before_save<C: ConnectionTrait>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr> {
        if let (Some(reference), Some(title), Some(city), Some(area)) =
            (self.reference.try_as_ref(), self.title.try_as_ref(), self.city.try_as_ref(), self.area.try_as_ref())
        {
            self.search = Set(crate::search::property_text(reference, title, city, area));
        }
        Ok(self)
    }
}
