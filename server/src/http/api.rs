//! What every `/api/v1` route shares: JSON for website and portal integrations, authenticated
//! by API keys (`Authorization: Bearer KEY`; `capture` keys may post leads, `admin` keys do
//! the rest), errors as `{"error": "...", "fields": {"field": "what to fix"}}`, and the
//! OpenAPI document. Each capability registers its routes with `utoipa_axum::routes!`, so the
//! document is generated from the handlers' `#[utoipa::path]` and the types they read and
//! answer: a route cannot be served without being described.

use app::error::ErrorBody;
use app::state::AppState;
use axum::Extension;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The last page a listing may ask for (declared in the document, refused past it).
pub const MAX_PAGE: i64 = 1_000_000;

/// JSON bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn routes() -> super::Routes {
    super::Routes { api: OpenApiRouter::new().routes(routes!(openapi)), ..super::Routes::default() }
}

/// What the document says before any capability adds its paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Doorstep API",
        version = "1",
        description = "Leads in from websites and portals; capture forms and the pipeline managed by tools. Authenticate with an API key: Authorization: Bearer KEY."
    ),
    servers((url = "/api/v1")),
    security(("apiKey" = [])),
    modifiers(&BearerKey),
    components(
        schemas(ErrorBody),
        responses(BadRequest, Unauthorised, OutOfScope, NotFound, Conflict, Gone, Stale, TooLarge, Unsupported, Invalid, VersionRequired, TooMany)
    )
)]
pub struct Base;

/// `Authorization: Bearer KEY`.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, document: &mut Document) {
        if let Some(components) = document.components.as_mut() {
            components.add_security_scheme("apiKey", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
        }
    }
}

/// The API's routes with the document they make, which `GET /openapi.json` serves.
pub fn assemble(api: OpenApiRouter<AppState>) -> axum::Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(Base::openapi()).merge(api).split_for_parts();
    // Serialised once: every request gets the same bytes.
    let json = serde_json::to_vec(&closed(document)).unwrap_or_default();
    router.layer(Extension(Served(axum::body::Bytes::from(json))))
}

/// The document's JSON, as `GET /openapi.json` sends it.
#[derive(Clone)]
pub struct Served(axum::body::Bytes);

/// The document as served. The JSON extractor refuses a field a route does not take (a typo
/// is not dropped in silence), and an upload reads only its named parts, so every body's
/// schema says `additionalProperties: false`, whether or not its type also refuses them itself.
fn closed(document: Document) -> serde_json::Value {
    let mut document = serde_json::to_value(document).unwrap_or_default();
    let mut bodies = Vec::new();
    for item in document["paths"].as_object().into_iter().flat_map(|paths| paths.values()) {
        for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
            for content in operation["requestBody"]["content"].as_object().into_iter().flat_map(|c| c.values()) {
                if let Some(name) = content["schema"]["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
                    bodies.push(name.to_owned());
                }
            }
        }
    }
    for name in bodies {
        if let Some(schema) = document["components"]["schemas"].get_mut(&name).and_then(|s| s.as_object_mut()) {
            schema.insert("additionalProperties".into(), serde_json::Value::Bool(false));
            // A word left out is read as empty, which stands for the form's or the listing's
            // own default: no default to declare where the schema is a list of words.
            for property in schema.get_mut("properties").and_then(|p| p.as_object_mut()).into_iter().flat_map(|p| p.values_mut()) {
                if let Some(property) = property.as_object_mut()
                    && property.contains_key("$ref") && property.get("default").is_some_and(|d| d == "") {
                        property.remove("default");
                    }
            }
        }
    }
    document
}

/// `GET /api/v1/openapi.json`: the API as it stands, for integrators and their tools.
#[utoipa::path(get, path = "/openapi.json", summary = "This document", security(()), responses((status = 200, description = "OpenAPI 3 document.")))]
pub async fn openapi(Extension(Served(json)): Extension<Served>) -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], json)
}

/// A positive whole number from a query string, as the document declares it (an empty
/// value is not a number).
pub(super) fn positive(field: &str, raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        Ok(_) => Err(format!("Give {field} as a positive number.")),
        Err(_) => Err(format!("Give {field} as a whole number.")),
    }
}

// The error answers, one reusable response each, every one an `Error` body (described here,
// built by `AppError`'s `IntoResponse`). Any request may be malformed (an id in the address
// that is not a number, a cut-off upload): every operation lists 400.

/// The request cannot mean anything: an id in the address that is not a number, a cut-off upload.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct BadRequest(ErrorBody);

/// No API key, or an unknown or revoked one.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Unauthorised(ErrorBody);

/// The key's scope does not allow this.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct OutOfScope(ErrorBody);

/// No such form, deal, reminder, plan or listing.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct NotFound(ErrorBody);

/// Refused as things stand: already done or cancelled, or the plan already runs on the deal.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Conflict(ErrorBody);

/// The form is inactive.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Gone(ErrorBody);

/// The deal changed since the version in If-Match; read it again, then decide.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Stale(ErrorBody);

/// The body is larger than this route takes (64 KB of JSON).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct TooLarge(ErrorBody);

/// The body is not of the type this route takes (application/json unless it says otherwise).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Unsupported(ErrorBody);

/// The body is not valid JSON, or fields need fixing (see fields).
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct Invalid(ErrorBody);

/// If-Match is missing.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct VersionRequired(ErrorBody);

/// Too many requests; Retry-After says when to try again.
#[derive(ToResponse)]
#[allow(dead_code)]
pub struct TooMany(ErrorBody);

/// What every API-key route may answer besides its own: a request that cannot mean anything,
/// no key or an unknown one, a key whose scope does not reach.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum KeyErrors {
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    #[response(status = 401)]
    Unauthorised(#[ref_response] Unauthorised),
    #[response(status = 403)]
    OutOfScope(#[ref_response] OutOfScope),
}

/// What a route that reads a body may refuse it for: too large, not of its type, not the
/// JSON it takes or fields to fix.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    #[response(status = 413)]
    TooLarge(#[ref_response] TooLarge),
    #[response(status = 415)]
    Unsupported(#[ref_response] Unsupported),
    #[response(status = 422)]
    Invalid(#[ref_response] Invalid),
}

/// An id in the address, as the document declares it: any 64-bit integer (one that names
/// nothing is a 404).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdParam {
    /// The record's id.
    #[param(minimum = -9_223_372_036_854_775_808i64, maximum = 9_223_372_036_854_775_807i64)]
    #[allow(dead_code)]
    id: i64,
}
