//! What every `/api/v1` route shares: JSON for website and portal integrations, authenticated
//! by API keys (`Authorization: Bearer KEY`; `capture` keys may post leads, `admin` keys do
//! the rest), errors as `{"error": "...", "fields": {"field": "what to fix"}}`, and the
//! OpenAPI document, assembled from each capability's own paths and schemas.

use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

/// The last page a listing may ask for (declared in the document, refused past it).
pub const MAX_PAGE: i64 = 1_000_000;

pub fn routes() -> super::Routes {
    super::Routes { api: Router::new().route("/api/v1/openapi.json", get(openapi)), ..super::Routes::default() }
}

/// The id in an address, as the document declares it: any 64-bit integer (one that names
/// nothing is a 404).
pub(super) fn id_param() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}})
}

/// JSON bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A positive whole number from a query string, as the document declares it (an empty
/// value is not a number).
pub(super) fn positive(field: &str, raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        Ok(_) => Err(format!("Give {field} as a positive number.")),
        Err(_) => Err(format!("Give {field} as a whole number.")),
    }
}

/// An amount as JSON: a number of whole units, or text as a person types it ("250k").
pub(super) fn amount(value: &Option<Value>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("Give the amount as a whole number, like 250000.".into()),
    }
}

/// `GET /api/v1/openapi.json`: the API as it stands, for integrators and their tools.
pub async fn openapi() -> axum::Json<Value> {
    axum::Json(openapi_document())
}

pub fn openapi_document() -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    // Any request may be malformed (an id in the address that is not a number, a cut-off
    // upload): 400 belongs to every operation.
    let errors = |codes: &[&str]| -> Value {
        let mut map = serde_json::Map::new();
        for code in std::iter::once(&"400").chain(codes) {
            map.insert((*code).into(), json!({"description": describe(code), "content": {"application/json": {"schema": error}}}));
        }
        Value::Object(map)
    };
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "Doorstep API", "version": "1", "description": "Leads in from websites and portals; capture forms and the pipeline managed by tools. Authenticate with an API key: Authorization: Bearer KEY."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3 document."}}}}
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "fields"], "properties": {
                    "error": {"type": "string", "description": "What went wrong, for a person."},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "What to fix, per field."}
                }}
            }
        }
    });
    let parts = [
        (super::capture::paths(&errors), super::capture::schemas()),
        (super::deals::paths(&errors), super::deals::schemas()),
        (super::reminders::paths(&errors), super::reminders::schemas()),
        (super::plans::paths(&errors), super::plans::schemas()),
        (super::properties::paths(&errors), super::properties::schemas()),
        (super::presentations::paths(&errors), super::presentations::schemas()),
        (super::reports::paths(&errors), json!({})),
    ];
    for (paths, schemas) in parts {
        for (path, item) in paths.as_object().into_iter().flatten() {
            doc["paths"][path] = item.clone();
        }
        for (name, schema) in schemas.as_object().into_iter().flatten() {
            doc["components"]["schemas"][name] = schema.clone();
        }
    }
    doc
}

pub(super) fn describe(code: &str) -> &'static str {
    match code {
        "401" => "No API key, or an unknown or revoked one.",
        "403" => "The key's scope does not allow this.",
        "404" => "No such form, deal, reminder, plan or listing.",
        "409" => "Refused as things stand: already done or cancelled, or the plan already runs on the deal.",
        "412" => "The deal changed since the version in If-Match; read it again, then decide.",
        "428" => "If-Match is missing.",
        "410" => "The form is inactive.",
        "413" => "The body is larger than 64 KB.",
        "415" => "The body is not application/json.",
        "422" => "The body is not valid JSON, or fields need fixing (see fields).",
        "429" => "Too many requests.",
        _ => "Error.",
    }
}
