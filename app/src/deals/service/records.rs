//! Deals as the REST API gives them: stored values, money in minor units, times in UTC.


use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::deals::PipelineQuery;
use crate::db::entities::{contact, deal, stage};
use crate::error::AppError;
use super::*;

/// A deal as the REST API gives it: stored values, money in minor units, times in UTC.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Deal)]
pub struct DealRecord {
    pub id: i64,
    /// Changes with every edit: send it back in If-Match.
    pub version: i64,
    pub contact: ContactRecord,
    #[schema(value_type = crate::capture::Need)]
    pub need: String,
    /// Minor units (cents).
    pub budget_min: Option<i64>,
    /// Minor units (cents).
    pub budget_max: Option<i64>,
    pub currency: String,
    pub stage_id: i64,
    pub stage: String,
    pub owner_id: Option<i64>,
    pub source: String,
    pub property_ref: Option<String>,
    pub lost_reason: Option<String>,
    /// Minor units (cents).
    pub won_value: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Contact)]
pub struct ContactRecord {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
}

/// What an API client may filter the deal list by.
#[derive(Clone, Debug, Default)]
pub struct DealFilter {
    pub stage_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub source: Option<String>,
    pub search: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

fn record_of(deal: deal::Model, contact: Option<contact::Model>, stages: &[stage::Model]) -> DealRecord {
    let contact = contact.unwrap_or_else(|| contact::Model {
        id: deal.contact_id,
        name: String::new(),
        phone: None,
        email: None,
        whatsapp: None,
        language: None,
        marketing_consent: false,
        consent_at: None,
        consent_text: None,
        created_at: deal.created_at,
        updated_at: deal.created_at,
        search: String::new(),
    });
    DealRecord {
        id: deal.id,
        version: deal.version,
        contact: ContactRecord { id: contact.id, name: contact.name, phone: contact.phone, email: contact.email, whatsapp: contact.whatsapp },
        need: deal.need,
        budget_min: deal.budget_min,
        budget_max: deal.budget_max,
        currency: deal.currency,
        stage_id: deal.stage_id,
        stage: stages.iter().find(|s| s.id == deal.stage_id).map(|s| s.name.clone()).unwrap_or_default(),
        owner_id: deal.owner_id,
        source: deal.source,
        property_ref: deal.property_ref,
        lost_reason: deal.lost_reason,
        won_value: deal.won_value,
        created_at: deal.created_at,
        updated_at: deal.updated_at,
        first_response_at: deal.first_response_at,
        closed_at: deal.closed_at,
    }
}

/// A page of deals for the API, most recently changed first, and how many match in all.
pub async fn records(db: &DatabaseConnection, filter: &DealFilter) -> Result<(Vec<DealRecord>, u64), AppError> {
    let query = PipelineQuery { source: filter.source.clone(), search: filter.search.clone(), ..Default::default() };
    let mut select = matching(db.get_database_backend(), None, &query);
    if let Some(stage_id) = filter.stage_id {
        select = select.filter(deal::Column::StageId.eq(stage_id));
    }
    if let Some(owner_id) = filter.owner_id {
        select = select.filter(deal::Column::OwnerId.eq(owner_id));
    }
    let total = select.clone().count(db).await?;
    let stage_rows = stages(db).await?;
    let rows = select.order_by_desc(deal::Column::UpdatedAt).order_by_desc(deal::Column::Id).find_also_related(contact::Entity)
        .limit(filter.per_page)
        .offset(crate::db::offset(filter.page, filter.per_page))
        .all(db)
        .await?;
    Ok((rows.into_iter().map(|(d, c)| record_of(d, c, &stage_rows)).collect(), total))
}

pub async fn record(db: &DatabaseConnection, id: i64) -> Result<DealRecord, AppError> {
    let deal = find_deal(db, id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?;
    Ok(record_of(deal, contact, &stages(db).await?))
}
