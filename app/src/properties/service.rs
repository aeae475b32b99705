//! Listings as data: checked input, saving, reading, and matching with open deals.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{areas_of, fit, operation_for, DealMatch, ListingMatch, Offer, PropertyInput, PropertyView, Wish, ENERGY_RATINGS, OPERATIONS, STATUSES, TYPES};
use crate::common::parse_money;
use crate::db::entities::{contact, deal, property};
use crate::deals::service::Actor;
use crate::error::{AppError, Validator};

/// Matches shown per deal, and deals shown per listing.
pub const MATCH_LIMIT: usize = 20;

fn text(v: &mut Validator, field: &str, raw: &str, max: usize, required: bool) -> String {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && value.is_empty() {
        v.add(field, crate::language::t("properties-fill-this-in"));
    } else if value.chars().count() > max {
        v.add(field, crate::language::t_with("properties-keep-it-under", &[("max", max.into())]));
    }
    value
}

fn number(v: &mut Validator, field: &str, raw: &str, range: std::ops::RangeInclusive<i32>) -> Option<i32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = raw.parse::<i32>().ok().filter(|n| range.contains(n));
    v.check(field, parsed.map(Some).ok_or_else(|| crate::language::t_with("properties-give-a-whole-number", &[("min", (*range.start()).into()), ("max", (*range.end()).into())]))).flatten()
}

fn one_of(v: &mut Validator, field: &str, raw: &str, list: &[(&str, &str)], default: Option<&str>) -> String {
    let raw = raw.trim();
    let raw = if raw.is_empty() { default.unwrap_or("") } else { raw };
    if list.iter().any(|(c, _)| *c == raw) {
        raw.to_owned()
    } else {
        let codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
        v.add(field, crate::language::t_with("properties-choose-one-of", &[("codes", codes.join(", ").into())]));
        String::new()
    }
}

/// The row `input` describes, or every problem with it at once.
fn checked(input: &PropertyInput, agency_currency: &str) -> Result<property::ActiveModel, AppError> {
    let mut v = Validator::default();
    let reference = text(&mut v, "reference", &input.reference, 40, true);
    let title = text(&mut v, "title", &input.title, 140, true);
    let operation = one_of(&mut v, "operation", &input.operation, OPERATIONS, None);
    let property_type = one_of(&mut v, "property_type", &input.property_type, TYPES, None);
    let status = one_of(&mut v, "status", &input.status, STATUSES, Some("available"));
    let price = v.check("price", parse_money(&input.price).map_err(String::from).and_then(|p| p.filter(|p| *p > 0).ok_or_else(|| crate::language::t("properties-give-the-price"))));
    let currency = match input.currency.trim() {
        "" => agency_currency.to_owned(),
        c if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => c.to_ascii_uppercase(),
        _ => {
            v.add("currency", crate::language::t("properties-give-a-currency-code"));
            String::new()
        }
    };
    let address = text(&mut v, "address", &input.address, 200, false);
    let city = text(&mut v, "city", &input.city, 80, true);
    let area = text(&mut v, "area", &input.area, 80, false);
    let bedrooms = number(&mut v, "bedrooms", &input.bedrooms, 0..=50);
    let bathrooms = number(&mut v, "bathrooms", &input.bathrooms, 0..=50);
    let built_m2 = number(&mut v, "built_m2", &input.built_m2, 1..=100_000);
    let plot_m2 = number(&mut v, "plot_m2", &input.plot_m2, 1..=10_000_000);
    let year_built = number(&mut v, "year_built", &input.year_built, 1000..=2100);
    let energy_rating = match input.energy_rating.trim().to_ascii_uppercase().as_str() {
        "" => None,
        r if ENERGY_RATINGS.contains(&r) => Some(r.to_owned()),
        _ => {
            v.add("energy_rating", crate::language::t("properties-give-a-rating-a-to-g"));
            None
        }
    };
    let description = input.description.trim().to_owned();
    if description.chars().count() > 10_000 {
        v.add("description", crate::language::t("properties-keep-the-description-under"));
    }
    let features: Vec<String> = input.features.lines().map(|l| l.trim().trim_start_matches(['-', '•', '*']).trim().to_owned()).filter(|l| !l.is_empty()).collect();
    if features.len() > 60 || features.iter().any(|f| f.chars().count() > 120) {
        v.add("features", crate::language::t("properties-up-to-60-features"));
    }
    let price = v.finish_with(price)?;
    Ok(property::ActiveModel {
        reference: Set(reference),
        title: Set(title),
        operation: Set(operation),
        property_type: Set(property_type),
        status: Set(status),
        price: Set(price),
        currency: Set(currency),
        address: Set(address),
        city: Set(city),
        area: Set(area),
        bedrooms: Set(bedrooms),
        bathrooms: Set(bathrooms),
        built_m2: Set(built_m2),
        plot_m2: Set(plot_m2),
        year_built: Set(year_built),
        energy_rating: Set(energy_rating),
        description: Set(description),
        features: Set(features.join("\n")),
        ..Default::default()
    })
}

/// Agents change their own listings; managers, admins and API keys change all.
pub fn may_change(actor: &Actor, row: &property::Model) -> Result<(), AppError> {
    if actor.manager || row.listing_agent_id.is_none() || row.listing_agent_id == actor.user_id { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Adds a listing (no `id`) or changes one. The listing agent defaults to whoever adds it;
/// only a manager names someone else.
pub async fn save(db: &DatabaseConnection, actor: &Actor, id: Option<i64>, input: &PropertyInput) -> Result<i64, AppError> {
    let mut row = checked(input, "EUR")?;
    let existing = match id {
        Some(id) => {
            let current = property::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            may_change(actor, &current)?;
            Some(current)
        }
        None => None,
    };
    let agent = match input.listing_agent_id {
        Some(agent) if Some(agent) != actor.user_id && !actor.manager => return Err(AppError::Forbidden),
        Some(agent) => {
            crate::auth::service::active_colleague(db, agent, "listing_agent_id").await?;
            Some(agent)
        }
        None => existing.as_ref().and_then(|e| e.listing_agent_id).or(actor.user_id),
    };
    row.listing_agent_id = Set(agent);
    let now = Utc::now();
    row.updated_at = Set(now);
    let saved = match existing {
        Some(current) => {
            row.id = Set(current.id);
            row.created_at = Set(current.created_at);
            row.update(db).await
        }
        None => {
            row.created_at = Set(now);
            row.insert(db).await
        }
    };
    match saved {
        Ok(row) => Ok(row.id),
        Err(err) if matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::field("reference", crate::language::t("properties-another-listing-has-this-reference")))
        }
        Err(err) => Err(err.into()),
    }
}

fn view_of(row: property::Model, agent: Option<String>) -> PropertyView {
    let price_text = match row.operation.as_str() {
        "rent" => format!("{} / month", crate::deals::money(row.price, &row.currency)),
        _ => crate::deals::money(row.price, &row.currency),
    };
    PropertyView {
        cover: None,
        id: row.id,
        features: row.features.lines().map(str::to_owned).collect(),
        reference: row.reference,
        title: row.title,
        operation: row.operation,
        property_type: row.property_type,
        status: row.status,
        price: row.price,
        currency: row.currency,
        price_text,
        address: row.address,
        city: row.city,
        area: row.area,
        bedrooms: row.bedrooms,
        bathrooms: row.bathrooms,
        built_m2: row.built_m2,
        plot_m2: row.plot_m2,
        year_built: row.year_built,
        energy_rating: row.energy_rating,
        description: row.description,
        listing_agent_id: row.listing_agent_id,
        listing_agent: agent,
    }
}

pub async fn get(db: &DatabaseConnection, id: i64) -> Result<PropertyView, AppError> {
    let row = property::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let names = crate::deals::service::names(db).await?;
    let agent = row.listing_agent_id.and_then(|a| names.get(&a).cloned());
    let mut view = [view_of(row, agent)];
    super::photos::with_covers(db, &mut view).await?;
    let [view] = view;
    Ok(view)
}

/// Which listings to list.
#[derive(Clone, Debug, Default)]
pub struct PropertyFilter {
    pub status: Option<String>,
    pub operation: Option<String>,
    /// Part of the reference, title, city or area.
    pub search: Option<String>,
    pub page: u64,
    pub per_page: u64,
}

/// A page of listings, newest first, and how many match in all.
pub async fn list(db: &DatabaseConnection, f: &PropertyFilter) -> Result<(Vec<PropertyView>, u64), AppError> {
    let mut select = property::Entity::find();
    if let Some(status) = &f.status {
        select = select.filter(property::Column::Status.eq(status.as_str()));
    }
    if let Some(operation) = &f.operation {
        select = select.filter(property::Column::Operation.eq(operation.as_str()));
    }
    if let Some(needle) = f.search.as_deref().and_then(crate::search::needle) {
        select = select.filter(crate::search::condition(db.get_database_backend(), r#""properties"."id""#, crate::search::Index::Properties, &needle));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(property::Column::UpdatedAt)
        .order_by_desc(property::Column::Id)
        .offset(crate::db::offset(f.page, f.per_page))
        .limit(f.per_page)
        .all(db)
        .await?;
    let names = crate::deals::service::names(db).await?;
    let mut views: Vec<PropertyView> = rows
        .into_iter()
        .map(|r| {
            let agent = r.listing_agent_id.and_then(|a| names.get(&a).cloned());
            view_of(r, agent)
        })
        .collect();
    super::photos::with_covers(db, &mut views).await?;
    Ok((views, total))
}

fn wish_of(d: &deal::Model) -> Option<Wish> {
    Some(Wish {
        operation: operation_for(&d.need)?.to_owned(),
        budget_min: d.budget_min,
        budget_max: d.budget_max,
        currency: d.currency.clone(),
        bedrooms: d.bedrooms,
        areas: areas_of(d.areas.as_deref()),
    })
}

fn offer_of(p: &property::Model) -> Offer {
    Offer {
        operation: p.operation.clone(),
        status: p.status.clone(),
        price: p.price,
        currency: p.currency.clone(),
        bedrooms: p.bedrooms,
        city: p.city.clone(),
        area: p.area.clone(),
    }
}

/// The available listings that fit a deal's need, budget, bedrooms and places, best first.
pub async fn matches_for_deal(db: &DatabaseConnection, deal_id: i64) -> Result<Vec<ListingMatch>, AppError> {
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(wish) = wish_of(&d) else { return Ok(Vec::new()) };
    let mut select = property::Entity::find()
        .filter(property::Column::Status.eq("available"))
        .filter(property::Column::Operation.eq(wish.operation.as_str()))
        .filter(property::Column::Currency.eq(wish.currency.as_str()));
    if let Some(max) = wish.budget_max {
        select = select.filter(property::Column::Price.lte(max + max * super::OVER_BUDGET_PERCENT / 100));
    }
    let rows = select.order_by_asc(property::Column::Price).limit(2000).all(db).await?;
    let names = crate::deals::service::names(db).await?;
    let mut found: Vec<ListingMatch> = rows
        .into_iter()
        .filter_map(|p| {
            let fit = fit(&wish, &offer_of(&p))?;
            let agent = p.listing_agent_id.and_then(|a| names.get(&a).cloned());
            Some(ListingMatch { property: view_of(p, agent), fit })
        })
        .collect();
    found.sort_by(|a, b| b.fit.score.cmp(&a.fit.score).then(a.property.price.cmp(&b.property.price)));
    found.truncate(MATCH_LIMIT * 2);
    let mut views: Vec<PropertyView> = found.iter().map(|m| m.property.clone()).collect();
    super::photos::with_covers(db, &mut views).await?;
    for (m, v) in found.iter_mut().zip(views) {
        m.property.cover = v.cover;
    }
    Ok(found)
}

/// The open deals a listing fits, best first.
pub async fn deals_for_property(db: &DatabaseConnection, property_id: i64) -> Result<Vec<DealMatch>, AppError> {
    let p = property::Entity::find_by_id(property_id).one(db).await?.ok_or(AppError::NotFound)?;
    let need = match p.operation.as_str() {
        "sale" => "buy",
        _ => "rent",
    };
    let offer = offer_of(&p);
    let floor = p.price * 100 / (100 + super::OVER_BUDGET_PERCENT);
    let rows = deal::Entity::find()
        .filter(deal::Column::ClosedAt.is_null())
        .filter(deal::Column::Need.eq(need))
        .filter(deal::Column::Currency.eq(p.currency.as_str()))
        .filter(Condition::any().add(deal::Column::BudgetMax.is_null()).add(deal::Column::BudgetMax.gte(floor)))
        .order_by_desc(deal::Column::UpdatedAt)
        .limit(5000)
        .find_also_related(contact::Entity)
        .all(db)
        .await?;
    let names = crate::deals::service::names(db).await?;
    let mut found: Vec<DealMatch> = rows
        .into_iter()
        .filter_map(|(d, c)| {
            let fit = fit(&wish_of(&d)?, &offer)?;
            Some(DealMatch { deal_id: d.id, contact_name: c.map(|c| c.name).unwrap_or_default(), owner: d.owner_id.and_then(|o| names.get(&o).cloned()), fit })
        })
        .collect();
    found.sort_by(|a, b| b.fit.score.cmp(&a.fit.score).then(a.deal_id.cmp(&b.deal_id)));
    found.truncate(MATCH_LIMIT * 2);
    Ok(found)
}
