//! `/api/v1/properties/{id}/photos` (multipart upload, list) and `/api/v1/presentations`,
//! for tools with an admin key.

use app::apikeys::Scope;
use app::deals::service::Actor;
use app::error::AppError;
use app::presentations::NewPresentation;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api_v1::{app_error, authorize, error, json_body};

/// `GET /api/v1/properties/{id}/photos`: cover first.
pub async fn list_photos(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    if let Err(err) = app::properties::service::get(&state.db, id).await {
        return app_error(err);
    }
    match app::properties::photos::list(&state.db, id).await {
        Ok(photos) => axum::Json(json!({"photos": photos})).into_response(),
        Err(err) => app_error(err),
    }
}

/// `POST /api/v1/properties/{id}/photos`: multipart, one or more `photo` parts. All are
/// checked before any is stored: one refused file refuses the request, naming it.
pub async fn upload_photos(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>) -> Response {
    let key = match authorize(&state, &headers, Scope::Admin).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let Ok(mut multipart) = multipart else {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &AppError::Conflict("Send the photos as multipart/form-data, each in a part named photo.".into()));
    };
    let mut files: Vec<(String, Bytes)> = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.file_name().unwrap_or("photo").to_owned();
                match field.bytes().await {
                    Ok(bytes) => files.push((name, bytes)),
                    Err(err) => return error(err.status(), &AppError::Conflict(format!("{name}: {}", err.body_text()))),
                }
            }
            Ok(None) => break,
            Err(err) => return error(err.status(), &AppError::Conflict(err.body_text())),
        }
    }
    if files.is_empty() {
        return app_error(AppError::field("photo", "Send at least one photo part."));
    }
    // The listing first: nothing is decoded for a request that cannot store anything.
    if let Err(err) = app::properties::photos::changeable(&state.db, &Actor::api_key(&key.name), id).await {
        return app_error(err);
    }
    match app::properties::photos::list(&state.db, id).await {
        Ok(now) if now.len() + files.len() > app::properties::photos::MAX_PHOTOS => {
            let room = app::properties::photos::MAX_PHOTOS.saturating_sub(now.len());
            return app_error(AppError::field("photo", format!("A listing holds up to {} photos; this one has room for {room} more.", app::properties::photos::MAX_PHOTOS)));
        }
        Ok(_) => {}
        Err(err) => return app_error(err),
    }
    // Every file is checked before any is stored, so a bad one in the middle stores nothing.
    let mut checked = Vec::with_capacity(files.len());
    for (i, (name, bytes)) in files.into_iter().enumerate() {
        match app::properties::photos::process(bytes.to_vec()).await {
            Ok(done) => checked.push(done),
            Err(AppError::Validation(fields)) => {
                let mut problems = app::error::FieldErrors::new();
                problems.insert(format!("photo[{i}]"), format!("{name}: {}", fields.values().cloned().collect::<Vec<_>>().join(" ")));
                return app_error(AppError::Validation(problems));
            }
            Err(err) => return app_error(err),
        }
    }
    let actor = Actor::api_key(&key.name);
    let mut added: Vec<app::properties::PhotoView> = Vec::new();
    for done in checked {
        match app::properties::photos::add_processed(&state.db, state.media.as_ref(), &actor, id, done).await {
            Ok(photo) => added.push(photo),
            Err(err) => {
                // All or none: take back the ones this request stored.
                for photo in &added {
                    let _ = app::properties::photos::delete(&state.db, state.media.as_ref(), &actor, photo.id).await;
                }
                return app_error(err);
            }
        }
    }
    (StatusCode::CREATED, axum::Json(json!({"photos": added}))).into_response()
}

/// `POST /api/v1/presentations`: the share URL and the PDF URL of a new presentation.
pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match authorize(&state, &headers, Scope::Admin).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let input: NewPresentation = match json_body(&headers, &body) {
        Ok(input) => input,
        Err(response) => return response,
    };
    let actor = Actor::api_key(&key.name);
    let row = match app::presentations::service::create(&state.db, &state.notifier, &actor, &input).await {
        Ok(row) => row,
        Err(err) => return app_error(err),
    };
    let base = state.base_url(&headers);
    match app::presentations::service::view(&state.db, &base, "UTC", row).await {
        Ok(view) => (
            StatusCode::CREATED,
            axum::Json(json!({"id": view.id, "share_url": view.share_url, "pdf_url": view.pdf_url, "listings": view.titles, "expires": view.expires})),
        )
            .into_response(),
        Err(err) => app_error(err),
    }
}

/// `DELETE /api/v1/presentations/{id}`: withdraws the share link.
pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>) -> Response {
    let key = match authorize(&state, &headers, Scope::Admin).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    match app::presentations::service::revoke(&state.db, &state.notifier, &Actor::api_key(&key.name), id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => app_error(err),
    }
}

pub fn paths(errors: &dyn Fn(&[&str]) -> Value) -> Value {
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
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
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "properties": {"photo": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}},
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
