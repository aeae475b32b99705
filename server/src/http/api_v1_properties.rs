//! `/api/v1/properties` and matching, for tools (admin keys): the agency's listings, the
//! open deals a listing fits, and the listings that fit a deal.

use app::deals::service::Actor;
use app::error::{AppError, Validator};
use app::properties::service as properties;
use app::properties::PropertyInput;
use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::extract::{AdminKey, Id, Json, Query};

#[derive(Deserialize)]
pub struct PropertyQuery {
    status: Option<String>,
    operation: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /api/v1/properties`: newest first, filtered and paged.
pub async fn list(State(state): State<AppState>, _key: AdminKey, Query(q): Query<PropertyQuery>) -> Result<Response, AppError> {
    let mut v = Validator::default();
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<u64> { v.check(field, super::api_v1::positive(field, raw.as_deref()?)).map(|n| n as u64) };
    let page = number("page", &q.page).unwrap_or(1);
    let per_page = number("per_page", &q.per_page).unwrap_or(50);
    if per_page > 200 {
        v.add("per_page", "Ask for at most 200 listings per page.");
    }
    if page > super::api_v1::MAX_PAGE as u64 {
        v.add("page", format!("Ask for a page up to {}.", super::api_v1::MAX_PAGE));
    }
    let pick = |v: &mut Validator, field: &str, raw: Option<String>, list: &[(&str, &str)]| -> Option<String> {
        let raw = raw?;
        if list.iter().any(|(c, _)| *c == raw.trim()) {
            Some(raw.trim().to_owned())
        } else {
            v.add(field, format!("Use one of: {}.", list.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")));
            None
        }
    };
    let status = pick(&mut v, "status", q.status, app::properties::STATUSES);
    let operation = pick(&mut v, "operation", q.operation, app::properties::OPERATIONS);
    v.finish()?;
    let filter = properties::PropertyFilter { status, operation, search: q.q, page, per_page };
    let (rows, total) = properties::list(&state.db, &filter).await?;
    Ok(axum::Json(json!({"properties": rows, "page": page, "per_page": per_page, "total": total})).into_response())
}

async fn save(state: AppState, key: AdminKey, input: PropertyInput, id: Option<i64>) -> Result<Response, AppError> {
    let actor = Actor::api_key(&key.0.name);
    let status = if id.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    let id = properties::save(&state.db, &actor, id, &input).await?;
    Ok((status, axum::Json(json!(properties::get(&state.db, id).await?))).into_response())
}

/// `POST /api/v1/properties`: adds a listing.
pub async fn create(State(state): State<AppState>, key: AdminKey, body: Json<PropertyInput>) -> Result<Response, AppError> {
    save(state, key, body.value, None).await
}

/// `PUT /api/v1/properties/{id}`: replaces a listing's details.
pub async fn update(State(state): State<AppState>, key: AdminKey, Id(id): Id, body: Json<PropertyInput>) -> Result<Response, AppError> {
    save(state, key, body.value, Some(id)).await
}

/// `GET /api/v1/properties/{id}`.
pub async fn get(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(axum::Json(json!(properties::get(&state.db, id).await?)).into_response())
}

/// `GET /api/v1/properties/{id}/matches`: the open deals this listing fits, best first.
pub async fn deals_for_property(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(axum::Json(json!(properties::deals_for_property(&state.db, id).await?)).into_response())
}

/// `GET /api/v1/deals/{id}/matches`: the available listings that fit this deal, best first.
pub async fn listings_for_deal(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(axum::Json(json!(properties::matches_for_deal(&state.db, id).await?)).into_response())
}

/// The OpenAPI paths of this module, merged into the document.
pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let one = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Property"}}});
    let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PropertyInput"}}}});
    let id_param = super::api_v1::id_param();
    let query = |name: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "schema": schema});
    let mut list = errors(&["401", "403", "422"]);
    list["200"] = json!({"description": "A page of listings, newest first.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "properties": {"type": "array", "items": {"$ref": "#/components/schemas/Property"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}
    }}}}});
    let mut create = errors(&["401", "403", "413", "415", "422"]);
    create["201"] = json!({"description": "Added.", "content": one.clone()});
    let mut update = errors(&["401", "403", "404", "413", "415", "422"]);
    update["200"] = json!({"description": "Saved.", "content": one.clone()});
    let mut get = errors(&["401", "403", "404"]);
    get["200"] = json!({"description": "The listing.", "content": one});
    let fit = json!({"type": "object", "properties": {"score": {"type": "integer"}, "reasons": {"type": "array", "items": {"type": "string"}}}});
    let mut deals = errors(&["401", "403", "404"]);
    deals["200"] = json!({"description": "Open deals this listing fits, best first.", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
        "deal_id": {"type": "integer"}, "contact_name": {"type": "string"}, "owner": {"type": "string", "nullable": true}, "fit": fit.clone()
    }}}}}});
    let mut listings = errors(&["401", "403", "404"]);
    listings["200"] = json!({"description": "Available listings that fit this deal, best first.", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object", "properties": {
        "property": {"$ref": "#/components/schemas/Property"}, "fit": fit
    }}}}}});
    json!({
        "/properties": {
            "get": {"summary": "List listings", "description": "Needs an admin key.", "parameters": [
                query("status", json!({"type": "string", "enum": ["available", "reserved", "sold", "let"]})),
                query("operation", json!({"type": "string", "enum": ["sale", "rent"]})),
                query("q", json!({"type": "string"})),
                query("page", json!({"type": "integer", "minimum": 1, "maximum": super::api_v1::MAX_PAGE})),
                query("per_page", json!({"type": "integer", "minimum": 1, "maximum": 200}))
            ], "responses": list},
            "post": {"summary": "Add a listing", "description": "Needs an admin key.", "requestBody": body.clone(), "responses": create}
        },
        "/properties/{id}": {
            "get": {"summary": "Read a listing", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": get},
            "put": {"summary": "Change a listing", "description": "Needs an admin key.", "parameters": [id_param.clone()], "requestBody": body, "responses": update}
        },
        "/properties/{id}/matches": {"get": {"summary": "Open deals this listing fits", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": deals}},
        "/deals/{id}/matches": {"get": {"summary": "Listings that fit this deal", "description": "Needs an admin key.", "parameters": [id_param], "responses": listings}}
    })
}

pub fn schemas() -> Value {
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    json!({
        "PropertyInput": {"type": "object", "required": ["reference", "title", "operation", "property_type", "price", "city"], "additionalProperties": false, "properties": {
            "reference": text(40), "title": text(140),
            "operation": {"type": "string", "enum": ["sale", "rent"]},
            "property_type": {"type": "string", "enum": ["flat", "house", "villa", "townhouse", "penthouse", "plot", "commercial", "other"]},
            "status": {"type": "string", "enum": ["available", "reserved", "sold", "let"]},
            "price": {"type": "string", "description": "As typed: \"350000\", \"350k\"; a rent is per month."},
            "currency": {"type": "string", "minLength": 3, "maxLength": 3},
            "address": text(200), "city": text(80), "area": text(80),
            "bedrooms": {"type": "string"}, "bathrooms": {"type": "string"}, "built_m2": {"type": "string"}, "plot_m2": {"type": "string"}, "year_built": {"type": "string"},
            "energy_rating": {"type": "string", "enum": ["", "A", "B", "C", "D", "E", "F", "G"]},
            "description": text(10000), "features": {"type": "string", "description": "One per line."},
            "listing_agent_id": {"type": "integer", "nullable": true}
        }},
        "Property": {"type": "object", "properties": {
            "id": {"type": "integer"}, "reference": {"type": "string"}, "title": {"type": "string"},
            "operation": {"type": "string"}, "property_type": {"type": "string"}, "status": {"type": "string"},
            "price": {"type": "integer", "description": "Minor units of currency."}, "currency": {"type": "string"}, "price_text": {"type": "string"},
            "address": {"type": "string"}, "city": {"type": "string"}, "area": {"type": "string"},
            "bedrooms": {"type": "integer", "nullable": true}, "bathrooms": {"type": "integer", "nullable": true},
            "built_m2": {"type": "integer", "nullable": true}, "plot_m2": {"type": "integer", "nullable": true}, "year_built": {"type": "integer", "nullable": true},
            "energy_rating": {"type": "string", "nullable": true}, "description": {"type": "string"},
            "features": {"type": "array", "items": {"type": "string"}},
            "listing_agent_id": {"type": "integer", "nullable": true}, "listing_agent": {"type": "string", "nullable": true}
        }}
    })
}
