//! `/api/v1/properties/{id}/photos` (multipart upload, list) and `/api/v1/presentations`,
//! for tools with an admin key.

use app::deals::service::Actor;
use app::error::AppError;
use app::presentations::NewPresentation;
use app::properties::photos;
use app::state::AppState;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::extract::{AdminKey, Id, Json};

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

/// `POST /api/v1/presentations`: the share URL and the PDF URL of a new presentation.
pub async fn create(State(state): State<AppState>, AdminKey(key): AdminKey, headers: HeaderMap, body: Json<NewPresentation>) -> Result<Response, AppError> {
    let actor = Actor::api_key(&key.name);
    let row = app::presentations::service::create(&state.db, &state.notifier, &actor, &body.value).await?;
    let view = app::presentations::service::view(&state.db, &state.base_url(&headers), "UTC", row).await?;
    let made = json!({"id": view.id, "share_url": view.share_url, "pdf_url": view.pdf_url, "listings": view.titles, "expires": view.expires});
    Ok((StatusCode::CREATED, axum::Json(made)).into_response())
}

/// `DELETE /api/v1/presentations/{id}`: withdraws the share link.
pub async fn revoke(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id) -> Result<StatusCode, AppError> {
    app::presentations::service::revoke(&state.db, &state.notifier, &Actor::api_key(&key.name), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let id_param = super::api_v1::id_param();
    let photos = json!({"application/json": {"schema": {"type": "object", "properties": {"photos": {"type": "array", "items": {"$ref": "#/components/schemas/Photo"}}}}}});
    let mut list = errors(&["401", "403", "404"]);
    list["200"] = json!({"description": "The listing's photos, cover first.", "content": photos.clone()});
    let mut upload = errors(&["401", "403", "404", "413", "415", "422"]);
    upload["201"] = json!({"description": "Stored, after the last photo; the first one a listing gets is its cover.", "content": photos});
    let mut made = errors(&["401", "403", "404", "413", "415", "422"]);
    made["201"] = json!({"description": "Made.", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "id": {"type": "integer"}, "share_url": {"type": "string"}, "pdf_url": {"type": "string"},
        "listings": {"type": "array", "items": {"type": "string"}}, "expires": {"type": "string", "nullable": true}
    }}}}});
    let mut revoked = errors(&["401", "403", "404"]);
    revoked["204"] = json!({"description": "The link no longer opens."});
    json!({
        "/properties/{id}/photos": {
            "get": {"summary": "A listing's photos", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": list},
            "post": {"summary": "Upload photos", "description": "Needs an admin key. JPEG, PNG or WebP, checked by decoding; turned upright, metadata (location included) removed, resized to 1600 px and a 400 px thumbnail. Up to 25 MB and 50 megapixels each; one refused file stores none.",
                "parameters": [id_param.clone()],
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "additionalProperties": false, "properties": {"photo": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
                "responses": upload}
        },
        "/presentations": {
            "post": {"summary": "Make a presentation", "description": "Needs an admin key. The PDF and share page of one or more listings, for a deal's client or on their own. The agent card is agent_id's, else the deal owner's.",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPresentation"}}}},
                "responses": made}
        },
        "/presentations/{id}": {
            "delete": {"summary": "Withdraw a presentation's link", "description": "Needs an admin key.", "parameters": [id_param], "responses": revoked}
        }
    })
}

pub fn schemas() -> Value {
    json!({
        "Photo": {"type": "object", "properties": {
            "id": {"type": "integer"}, "position": {"type": "integer", "description": "0 is the cover."},
            "url": {"type": "string"}, "thumb_url": {"type": "string"}, "width": {"type": "integer"}, "height": {"type": "integer"}
        }},
        "NewPresentation": {"type": "object", "required": ["property_ids"], "additionalProperties": false, "properties": {
            "property_ids": {"type": "array", "minItems": 1, "maxItems": 10, "items": {"type": "integer"}},
            "deal_id": {"type": "integer", "nullable": true},
            "paper": {"type": "string", "enum": ["a4", "letter"]},
            "expires_in_days": {"type": "integer", "minimum": 1, "maximum": 365, "nullable": true},
            "agent_id": {"type": "integer", "nullable": true}
        }}
    })
}
