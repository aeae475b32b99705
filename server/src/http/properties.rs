//! Listings: `/api/v1/properties` and matching for tools (admin keys: the agency's listings,
//! the open deals a listing fits, the listings that fit a deal), and a listing's photos, both
//! the API's all-or-none multipart upload and the listing page's plain form, which works
//! without JavaScript.

use app::deals::service::Actor;
use app::error::{AppError, Validator};
use app::properties::photos;
use app::properties::service as properties;
use app::properties::{DealMatch, ListingMatch, PhotoView, PropertyInput, PropertyView};
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::api::{BodyErrors, IdParam, Invalid, KeyErrors, NotFound};
use super::extract::{AdminKey, Id, InWords, Json, Query, Session};
use super::Routes;

/// The filters of `GET /properties`, read as text so each bad one is named in the answer.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PropertyQuery {
    #[param(required = false, schema_with = app::properties::words::status)]
    status: Option<String>,
    #[param(required = false, schema_with = app::properties::words::operation)]
    operation: Option<String>,
    /// Part of the reference, title, city or area.
    #[param(value_type = String, required = false)]
    q: Option<String>,
    /// From 1.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 1_000_000)]
    page: Option<String>,
    /// At most 200; 50 unless given.
    #[param(value_type = i64, required = false, minimum = 1, maximum = 200)]
    per_page: Option<String>,
}

/// A page of listings, newest first.
#[derive(Serialize, ToSchema)]
pub struct PropertyPage {
    properties: Vec<PropertyView>,
    page: u64,
    per_page: u64,
    total: u64,
}

/// `GET /api/v1/properties`: newest first, filtered and paged.
#[utoipa::path(get, path = "/properties", summary = "List listings", description = "Needs an admin key.", params(PropertyQuery),
    responses(
        (status = 200, description = "A page of listings, newest first.", body = PropertyPage),
        KeyErrors, (status = 422, response = Invalid),
    ))]
pub async fn list_properties(State(state): State<AppState>, _key: AdminKey, Query(q): Query<PropertyQuery>) -> Result<axum::Json<PropertyPage>, AppError> {
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
    let (properties, total) = properties::list(&state.db, &filter).await?;
    Ok(axum::Json(PropertyPage { properties, page, per_page, total }))
}

async fn save(state: AppState, key: AdminKey, input: PropertyInput, id: Option<i64>) -> Result<(StatusCode, axum::Json<PropertyView>), AppError> {
    let actor = Actor::api_key(&key.0.name);
    let status = if id.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    let id = properties::save(&state.db, &actor, id, &input).await?;
    Ok((status, axum::Json(properties::get(&state.db, id).await?)))
}

/// `POST /api/v1/properties`: adds a listing.
#[utoipa::path(post, path = "/properties", summary = "Add a listing", description = "Needs an admin key.", request_body = PropertyInput,
    responses(
        (status = 201, description = "Added.", body = PropertyView),
        KeyErrors, BodyErrors,
    ))]
pub async fn create_property(State(state): State<AppState>, key: AdminKey, body: Json<PropertyInput>) -> Result<(StatusCode, axum::Json<PropertyView>), AppError> {
    save(state, key, body.value, None).await
}

/// `PUT /api/v1/properties/{id}`: replaces a listing's details.
#[utoipa::path(put, path = "/properties/{id}", summary = "Change a listing", description = "Needs an admin key.", params(IdParam), request_body = PropertyInput,
    responses(
        (status = 200, description = "Saved.", body = PropertyView),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn update_property(State(state): State<AppState>, key: AdminKey, Id(id): Id, body: Json<PropertyInput>) -> Result<(StatusCode, axum::Json<PropertyView>), AppError> {
    save(state, key, body.value, Some(id)).await
}

/// `GET /api/v1/properties/{id}`.
#[utoipa::path(get, path = "/properties/{id}", summary = "Read a listing", description = "Needs an admin key.", params(IdParam),
    responses(
        (status = 200, description = "The listing.", body = PropertyView),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn get_property(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<axum::Json<PropertyView>, AppError> {
    Ok(axum::Json(properties::get(&state.db, id).await?))
}

/// `GET /api/v1/properties/{id}/matches`: the open deals this listing fits, best first.
#[utoipa::path(get, path = "/properties/{id}/matches", summary = "Open deals this listing fits", description = "Needs an admin key.", params(IdParam),
    responses(
        (status = 200, description = "Open deals this listing fits, best first.", body = Vec<DealMatch>),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn deals_for_property(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<axum::Json<Vec<DealMatch>>, AppError> {
    Ok(axum::Json(properties::deals_for_property(&state.db, id).await?))
}

/// `GET /api/v1/deals/{id}/matches`: the available listings that fit this deal, best first.
#[utoipa::path(get, path = "/deals/{id}/matches", summary = "Listings that fit this deal", description = "Needs an admin key.", params(IdParam),
    responses(
        (status = 200, description = "Available listings that fit this deal, best first.", body = Vec<ListingMatch>),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn listings_for_deal(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<axum::Json<Vec<ListingMatch>>, AppError> {
    Ok(axum::Json(properties::matches_for_deal(&state.db, id).await?))
}

/// One form post of photos: a handful of full-size phone photos.
pub const UPLOAD_LIMIT: usize = 120 * 1024 * 1024;

pub fn routes() -> Routes {
    let (schemas, paths, photos) = routes!(list_photos, upload_photos);
    Routes {
        session: Router::new().route("/properties/{id}/photos", post(add_photos).layer(DefaultBodyLimit::max(UPLOAD_LIMIT))),
        api: OpenApiRouter::new()
            .routes(routes!(list_properties, create_property))
            .routes(routes!(get_property, update_property))
            .routes(routes!(deals_for_property))
            .routes(routes!(listings_for_deal))
            .routes((schemas, paths, photos.layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))),
        ..Routes::default()
    }
}

/// A listing's photos, cover first.
#[derive(Serialize, ToSchema)]
pub struct Photos {
    photos: Vec<PhotoView>,
}

/// `POST /photos`'s body: one or more `photo` parts.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// `GET /api/v1/properties/{id}/photos`: cover first.
#[utoipa::path(get, path = "/properties/{id}/photos", summary = "A listing's photos", description = "Needs an admin key.", params(IdParam),
    responses(
        (status = 200, description = "The listing's photos, cover first.", body = Photos),
        KeyErrors, (status = 404, response = NotFound),
    ))]
pub async fn list_photos(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<axum::Json<Photos>, AppError> {
    app::properties::service::get(&state.db, id).await?;
    Ok(axum::Json(Photos { photos: photos::list(&state.db, id).await? }))
}

/// `POST /api/v1/properties/{id}/photos`: multipart, one or more `photo` parts. All are
/// checked before any is stored: one refused file refuses the request, naming it.
#[utoipa::path(post, path = "/properties/{id}/photos", summary = "Upload photos",
    description = "Needs an admin key. JPEG, PNG or WebP, checked by decoding; turned upright, metadata (location included) removed, resized to 1600 px and a 400 px thumbnail. Up to 25 MB and 50 megapixels each; one refused file stores none.",
    params(IdParam), request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored, after the last photo; the first one a listing gets is its cover.", body = Photos),
        KeyErrors, (status = 404, response = NotFound), BodyErrors,
    ))]
pub async fn upload_photos(
    State(state): State<AppState>,
    AdminKey(key): AdminKey,
    Id(id): Id,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, axum::Json<Photos>), AppError> {
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
    Ok((StatusCode::CREATED, axum::Json(Photos { photos: added })))
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
                tracing::info!(error = %err.body_text(), "a photo upload stopped");
                refused.push(app::language::t_with("upload-photos-stopped", &[("mb", (UPLOAD_LIMIT / (1024 * 1024)).into())]));
                break;
            }
        };
        let name = field.file_name().unwrap_or("photo").to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) if bytes.is_empty() => continue,
            Ok(bytes) => bytes,
            Err(err) => {
                tracing::info!(error = %err.body_text(), "a photo upload stopped");
                refused.push(format!("{name}: {}", app::language::t("upload-stopped")));
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
        refused.push(app::language::t("upload-choose-photos"));
    }
    let mut query = format!("?added={added}");
    if !refused.is_empty() {
        query.push_str(&format!("&refused={}", app::common::urlencode(&refused.join("\n"))));
    }
    Ok(Redirect::to(&format!("/properties/{id}{query}#photos")).into_response())
}
