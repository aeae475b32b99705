//! The agency's listings, and matching them with open deals both ways: the listings that fit
//! a deal, and the deals a listing fits ("who should I call about this new listing?"). The
//! types here cross the wire.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod photos;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// What a listing offers: a sale or a rental (a rent is per month).
pub const OPERATIONS: &[(&str, &str)] = &[("sale", "For sale"), ("rent", "To rent")];
pub const TYPES: &[(&str, &str)] = &[
    ("flat", "Flat"),
    ("house", "House"),
    ("villa", "Villa"),
    ("townhouse", "Townhouse"),
    ("penthouse", "Penthouse"),
    ("plot", "Plot"),
    ("commercial", "Commercial"),
    ("other", "Other"),
];
pub const STATUSES: &[(&str, &str)] = &[("available", "Available"), ("reserved", "Reserved"), ("sold", "Sold"), ("let", "Let")];
pub const ENERGY_RATINGS: &[&str] = &["A", "B", "C", "D", "E", "F", "G"];

/// The name of `code`, one of the lists above, in the reader's language (its key in the
/// messages is `properties-value-<code>`; the lists' own English names are what the API
/// documents).
pub fn label(list: &[(&'static str, &'static str)], code: &str) -> String {
    list.iter().find(|(c, _)| *c == code).map(|(c, _)| crate::language::t(&format!("properties-value-{c}"))).unwrap_or_default()
}

/// A listing as typed in a form or sent as JSON: text, checked by the service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PropertyInput {
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 40))]
    pub reference: String,
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 140))]
    pub title: String,
    #[cfg_attr(feature = "ssr", schema(required = true, schema_with = words::operation))]
    pub operation: String,
    #[cfg_attr(feature = "ssr", schema(required = true, schema_with = words::property_type))]
    pub property_type: String,
    #[cfg_attr(feature = "ssr", schema(schema_with = words::status))]
    pub status: String,
    /// As people type it: "350000", "350k", "€ 1.200"; a rent is per month.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub price: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 3, max_length = 3))]
    pub currency: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub address: String,
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 80))]
    pub city: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 80))]
    pub area: String,
    pub bedrooms: String,
    pub bathrooms: String,
    pub built_m2: String,
    pub plot_m2: String,
    pub year_built: String,
    /// A to G, or empty for none.
    #[cfg_attr(feature = "ssr", schema(schema_with = words::energy_rating))]
    pub energy_rating: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 10000))]
    pub description: String,
    /// One per line.
    pub features: String,
    pub listing_agent_id: Option<i64>,
}

/// The words a listing's fields take, as the API's document declares them.
#[cfg(feature = "ssr")]
pub mod words {
    use crate::common::words_schema;

    pub fn operation() -> utoipa::openapi::Object {
        words_schema(super::OPERATIONS.iter().map(|(code, _)| *code))
    }

    pub fn property_type() -> utoipa::openapi::Object {
        words_schema(super::TYPES.iter().map(|(code, _)| *code))
    }

    pub fn status() -> utoipa::openapi::Object {
        words_schema(super::STATUSES.iter().map(|(code, _)| *code))
    }

    pub fn energy_rating() -> utoipa::openapi::Object {
        words_schema(std::iter::once("").chain(super::ENERGY_RATINGS.iter().copied()))
    }
}

/// A listing as the API and the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = Property))]
pub struct PropertyView {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub operation: String,
    pub property_type: String,
    pub status: String,
    /// Minor units of `currency`.
    pub price: i64,
    pub currency: String,
    /// "€350,000" or "€1,200 / month".
    pub price_text: String,
    pub address: String,
    pub city: String,
    pub area: String,
    pub bedrooms: Option<i32>,
    pub bathrooms: Option<i32>,
    pub built_m2: Option<i32>,
    pub plot_m2: Option<i32>,
    pub year_built: Option<i32>,
    pub energy_rating: Option<String>,
    pub description: String,
    pub features: Vec<String>,
    pub listing_agent_id: Option<i64>,
    pub listing_agent: Option<String>,
    /// The cover photo's thumbnail address, if the listing has photos.
    pub cover: Option<String>,
}

/// One photo of a listing, in its place; position 0 is the cover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = Photo))]
pub struct PhotoView {
    pub id: i64,
    pub position: i32,
    /// Addresses of the display image and the thumbnail.
    pub url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
}

/// How well a listing and a deal fit, and why, in words: "in budget", "3 bedrooms (wants 2+)".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fit {
    pub score: u32,
    pub reasons: Vec<String>,
}

/// A listing that fits a deal, best first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListingMatch {
    pub property: PropertyView,
    pub fit: Fit,
}

/// An open deal a listing fits, best first: who to call about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DealMatch {
    pub deal_id: i64,
    pub contact_name: String,
    pub owner: Option<String>,
    pub fit: Fit,
}

/// A listing's page: the listing, who to call about it, and whether the viewer may change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyPage {
    pub property: PropertyView,
    pub photos: Vec<PhotoView>,
    pub who_to_call: Vec<DealMatch>,
    pub editable: bool,
}

impl PropertyView {
    /// The form's starting values for this listing.
    pub fn input(&self) -> PropertyInput {
        let n = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        PropertyInput {
            reference: self.reference.clone(),
            title: self.title.clone(),
            operation: self.operation.clone(),
            property_type: self.property_type.clone(),
            status: self.status.clone(),
            price: (self.price / 100).to_string(),
            currency: self.currency.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            area: self.area.clone(),
            bedrooms: n(self.bedrooms),
            bathrooms: n(self.bathrooms),
            built_m2: n(self.built_m2),
            plot_m2: n(self.plot_m2),
            year_built: n(self.year_built),
            energy_rating: self.energy_rating.clone().unwrap_or_default(),
            description: self.description.clone(),
            features: self.features.join("\n"),
            listing_agent_id: self.listing_agent_id,
        }
    }
}

/// What a deal asks for, as matching reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Wish {
    /// sale or rent.
    pub operation: String,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub currency: String,
    pub bedrooms: Option<i32>,
    /// Lower-cased place names; empty means anywhere.
    pub areas: Vec<String>,
}

/// What a listing offers, as matching reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Offer {
    pub operation: String,
    pub status: String,
    pub price: i64,
    pub currency: String,
    pub bedrooms: Option<i32>,
    pub city: String,
    pub area: String,
}

/// Budgets are a guide: a listing up to this much over the top of the budget still shows.
pub const OVER_BUDGET_PERCENT: i64 = 10;

/// Whether `offer` fits `wish`, and how well. None when it does not: another operation,
/// not available, another currency, over budget by more than [`OVER_BUDGET_PERCENT`], too
/// few bedrooms, or outside the places asked for.
pub fn fit(wish: &Wish, offer: &Offer) -> Option<Fit> {
    if offer.status != "available" || offer.operation != wish.operation || offer.currency != wish.currency {
        return None;
    }
    let mut score = 0;
    let mut reasons = Vec::new();
    if let Some(max) = wish.budget_max {
        if offer.price > max + max * OVER_BUDGET_PERCENT / 100 {
            return None;
        }
        if offer.price <= max {
            score += 40;
            reasons.push("in budget".to_string());
        } else {
            score += 10;
            reasons.push(format!("{}% over budget", ((offer.price - max) * 100 + max - 1) / max));
        }
    }
    if let Some(min) = wish.budget_min {
        // Far below what they want to spend is rarely what they want.
        if offer.price * 2 < min {
            return None;
        }
    }
    if let Some(wanted) = wish.bedrooms {
        match offer.bedrooms {
            Some(b) if b >= wanted => {
                score += if b == wanted { 30 } else { 20 };
                reasons.push(format!("{b} bedrooms (wants {wanted}+)"));
            }
            Some(_) => return None,
            None => {}
        }
    }
    if !wish.areas.is_empty() {
        let place = [offer.area.to_lowercase(), offer.city.to_lowercase()];
        let hit = wish.areas.iter().find(|a| place.iter().any(|p| !p.is_empty() && (p.contains(a.as_str()) || a.contains(p.as_str()))));
        match hit {
            Some(_) => {
                score += 30;
                reasons.push(format!("in {}", if offer.area.is_empty() { &offer.city } else { &offer.area }));
            }
            None => return None,
        }
    }
    Some(Fit { score, reasons })
}

/// The places a deal names ("Altea, Calpe / Benidorm"), lower-cased.
pub fn areas_of(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("").split([',', '/', ';', '\n']).map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect()
}

/// A deal's need as the operation it looks for; selling and letting look for buyers and
/// tenants, not listings.
pub fn operation_for(need: &str) -> Option<&'static str> {
    match need {
        "buy" => Some("sale"),
        "rent" => Some("rent"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wish() -> Wish {
        Wish {
            operation: "sale".into(),
            budget_min: None,
            budget_max: Some(350_000_00),
            currency: "EUR".into(),
            bedrooms: Some(2),
            areas: areas_of(Some("Altea, Calpe")),
        }
    }

    fn offer(price: i64, bedrooms: i32, area: &str) -> Offer {
        Offer {
            operation: "sale".into(),
            status: "available".into(),
            price,
            currency: "EUR".into(),
            bedrooms: Some(bedrooms),
            city: "Altea".into(),
            area: area.into(),
        }
    }

    #[test]
    fn a_listing_in_budget_with_the_rooms_in_the_place_fits_best() {
        let best = fit(&wish(), &offer(320_000_00, 2, "Altea Hills")).unwrap();
        assert_eq!(best.score, 100);
        assert_eq!(best.reasons, ["in budget", "2 bedrooms (wants 2+)", "in Altea Hills"]);
        let over = fit(&wish(), &offer(370_000_00, 3, "")).unwrap();
        assert_eq!(over.reasons[0], "6% over budget");
        assert!(over.score < best.score);
    }

    #[test]
    fn what_does_not_fit_is_left_out() {
        assert_eq!(fit(&wish(), &offer(390_000_00, 3, "")), None, "more than 10% over budget");
        assert_eq!(fit(&wish(), &offer(300_000_00, 1, "")), None, "too few bedrooms");
        let mut elsewhere = offer(300_000_00, 2, "Playa");
        elsewhere.city = "Benidorm".into();
        assert_eq!(fit(&wish(), &elsewhere), None, "another place");
        let mut sold = offer(300_000_00, 2, "");
        sold.status = "sold".into();
        assert_eq!(fit(&wish(), &sold), None);
        let mut rental = offer(1_200_00, 2, "");
        rental.operation = "rent".into();
        assert_eq!(fit(&wish(), &rental), None);
        let mut pounds = offer(300_000_00, 2, "");
        pounds.currency = "GBP".into();
        assert_eq!(fit(&wish(), &pounds), None);
    }

    #[test]
    fn an_open_wish_takes_any_place_and_any_size() {
        let open = Wish { operation: "rent".into(), currency: "EUR".into(), ..Default::default() };
        let mut flat = offer(900_00, 1, "");
        flat.operation = "rent".into();
        assert_eq!(fit(&open, &flat).map(|f| f.score), Some(0));
        assert_eq!(operation_for("buy"), Some("sale"));
        assert_eq!(operation_for("sell"), None);
        assert_eq!(areas_of(Some(" Altea / calpe;; ")), ["altea", "calpe"]);
    }
}
