//! Listings: `/api/v1/properties` and matching for tools (admin keys: the agency's listings,
//! the open deals a listing fits, the listings that fit a deal), and a listing's photos, both
//! the API's all-or-none multipart upload and the listing page's plain form, which works
//! without JavaScript.

use app::deals::service::Actor;
use app::error::{AppError, Validator};
use app::properties::photos;
use app::properties::service as properties;
use app::properties::PropertyInput;
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};

use super::extract::{AdminKey, Id, InWords, Json, Query, Session};
use super::Routes;

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
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<u64> { v.check(field, super::api::positive(field, raw.as_deref()?)).map(|n| n as u64) };
    let page = number("page", &q.page).unwrap_or(1);
    let per_page = number("per_page", &q.per_page).unwrap_or(50);
    if per_page > 200 {
        v.add("per_page", "Ask for at most 200 listings per page.");
    }
    if page > super::api::MAX_PAGE as u64 {
        v.add("page", format!("Ask for a page up to {}.", super::api::MAX_PAGE));
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
pub async fn get_one(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
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

/// One form post of photos: a handful of full-size phone photos.
pub const UPLOAD_LIMIT: usize = 120 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes {
        session: Router::new().route("/properties/{id}/photos", post(add_photos).layer(DefaultBodyLimit::max(UPLOAD_LIMIT))),
        api: Router::new()
            .route("/api/v1/properties", get(list).post(create))
            .route("/api/v1/properties/{id}", get(get_one).put(update))
            .route("/api/v1/properties/{id}/matches", get(deals_for_property))
            .route("/api/v1/deals/{id}/matches", get(listings_for_deal))
            .route("/api/v1/properties/{id}/photos", get(list_photos).post(upload_photos).layer(DefaultBodyLimit::max(UPLOAD_LIMIT))),
        ..Routes::default()
    }
}

/// `GET /api/v1/properties/{id}/photos`: cover first.
pub async fn list_photos(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    app::properties::service::get(&state.db, id).await?;
    Ok(axum::Json(json!({"photos": photos::list(&state.db, id).await?})).into_response())
}

/// `POST /api/v1/properties/{id}/photos`: multipart, one or more `photo` parts. All are
/// checked before any is stored: one refused file refuses the request, naming it.
pub async fn upload_photos(
    State(state): State<AppState>,
    AdminKey(key): AdminKey,
    Id(id): Id,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let mut multipart = multipart.map_err(|_| AppError::UnsupportedType("Send the photos as multipart/form-data, each in a part named photo.".into()))?;
    let files = super::upload::all_files(&mut multipart).await?;
    if files.is_empty() {
        return Err(AppError::field("photo", "Send at least one photo part."));
    }
    // The listing first: nothing is decoded for a request that cannot store anything.
    let actor = Actor::api_key(&key.name);
    photos::changeable(&state.db, &actor, id).await?;
    let now = photos::list(&state.db, id).await?;
    if now.len() + files.len() > photos::MAX_PHOTOS {
        let room = photos::MAX_PHOTOS.saturating_sub(now.len());
        return Err(AppError::field("photo", format!("A listing holds up to {} photos; this one has room for {room} more.", photos::MAX_PHOTOS)));
    }
    // Every file is checked before any is stored, so a bad one in the middle stores nothing.
    let mut checked = Vec::with_capacity(files.len());
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        match photos::process(bytes).await {
            Ok(done) => checked.push(done),
            Err(AppError::Validation(fields)) => {
                let problem = format!("{name}: {}", fields.values().cloned().collect::<Vec<_>>().join(" "));
                return Err(AppError::field(&format!("photo[{i}]"), problem));
            }
            Err(err) => return Err(err),
        }
    }
    let mut added: Vec<app::properties::PhotoView> = Vec::new();
    for done in checked {
        match photos::add_processed(&state.db, state.media.as_ref(), &actor, id, done).await {
            Ok(photo) => added.push(photo),
            Err(err) => {
                // All or none: take back the ones this request stored.
                for photo in &added {
                    let _ = photos::delete(&state.db, state.media.as_ref(), &actor, photo.id).await;
                }
                return Err(err);
            }
        }
    }
    Ok((StatusCode::CREATED, axum::Json(json!({"photos": added}))).into_response())
}

/// The listing page's upload form: each file is checked and stored on its own, and the page
/// comes back saying what was added and what was refused, and why.
pub async fn add_photos(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Session(session): Session,
    mut multipart: Multipart,
) -> Result<Response, InWords> {
    let actor = app::deals::service::Actor::person(&session.user);
    let (mut added, mut refused) = (0, Vec::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) => {
                refused.push(format!("the upload stopped: {} (one upload takes up to {} MB; send fewer photos at once)", err.body_text(), UPLOAD_LIMIT / (1024 * 1024)));
                break;
            }
        };
        let name = field.file_name().unwrap_or("photo").to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) if bytes.is_empty() => continue,
            Ok(bytes) => bytes,
            Err(err) => {
                refused.push(format!("{name}: {}", err.body_text()));
                break;
            }
        };
        match app::properties::photos::add(&state.db, state.media.as_ref(), &actor, id, bytes.to_vec()).await {
            Ok(_) => added += 1,
            Err(AppError::Validation(fields)) => refused.push(format!("{name}: {}", fields.values().cloned().collect::<Vec<_>>().join(" "))),
            Err(err) => return Err(err.into()),
        }
    }
    if added == 0 && refused.is_empty() {
        refused.push("No file was chosen: pick photos first.".into());
    }
    let mut query = format!("?added={added}");
    if !refused.is_empty() {
        query.push_str(&format!("&refused={}", app::common::urlencode(&refused.join("\n"))));
    }
    Ok(Redirect::to(&format!("/properties/{id}{query}#photos")).into_response())
}

/// The OpenAPI paths of this module, merged into the document.
pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let one = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Property"}}});
    let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PropertyInput"}}}});
    let id_param = super::api::id_param();
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
    let photos = json!({"application/json": {"schema": {"type": "object", "properties": {"photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}}}}}});
    let mut photo_list = errors(&["401", "403", "404"]);
    photo_list["200"] = json!({"description": "The listing's photos, cover first.", "content": photos.clone()});
    let mut photo_upload = errors(&["401", "403", "404", "413", "415", "422"]);
    photo_upload["201"] = json!({"description": "Stored, after the last photo; the first one a listing gets is its cover.", "content": photos});
    json!({
        "/properties/{id}/photos": {
            "get": {"summary": "A listing's photos", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": photo_list},
            "post": {"summary": "Upload photos", "description": "Needs an admin key. JPEG, PNG or WebP, checked by decoding; turned upright, metadata (location included) removed, resized to 1600 px and a 400 px thumbnail. Up to 25 MB and 50 megapixels each; one refused file stores none.",
                "parameters": [id_param.clone()],
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "additionalProperties": false, "properties": {"photo": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                "responses": photo_upload}
        },
        "/properties": {
            "get": {"summary": "List listings", "description": "Needs an admin key.", "parameters": [
                query("status", json!({"type": "string", "enum": ["available", "reserved", "sold", "let"]})),
                query("operation", json!({"type": "string", "enum": ["sale", "rent"]})),
                query("q", json!({"type": "string"})),
                query("page", json!({"type": "integer", "minimum": 1, "maximum": super::api::MAX_PAGE})),
                query("per_page", json!({"type": "integer", "minimum": 1, "maximum": 200}))
            ], "responses": list},
            "post": {"summary": "Add a listing", "description": "Needs an admin key.", "requestBody": body.clone(), "responses": create}
        },
        "/properties/{id}": {
            "get": {"summary": "Read a listing", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": get},
            "put": {"summary": "Change a listing", "description": "Needs an admin key.", "parameters": [id_param.clone()], "requestBody": body, "responses": update}
        },
        "/properties/{id}/matches": {"get": {"summary": "Open deals this listing fits", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": deals}},
        "/deals/{id}/matches": {"get": {"summary": "Listings that fit this deal", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": listings}}
    })
}

pub fn schemas() -> Value {
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    json!({
        "Photo": {"type": "object", "properties": {
            "id": {"type": "integer"}, "position": {"type": "integer", "description": "0 is the cover."},
            "url": {"type": "string"}, "thumb_url": {"type": "string"}, "width": {"type": "integer"}, "height": {"type": "integer"}
        }},
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
