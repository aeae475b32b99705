//! `/api/v1`: JSON for website and portal integrations, authenticated by API keys
//! (`Authorization: Bearer KEY`). `capture` keys may post leads; `admin` keys may also manage
//! capture forms. Errors are JSON: `{"error": "...", "fields": {"field": "what to fix"}}`.

use app::apikeys::{service as keys, Scope};
use app::capture::{service as capture, Assignment, FormSettings, LeadInput, Need};
use app::db::entities::api_key;
use app::deals::service as deals;
use app::error::AppError;
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

/// JSON bodies above this are refused with 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub(super) fn error(status: StatusCode, err: &AppError) -> Response {
    let fields = match err {
        AppError::Validation(fields) => json!(fields),
        _ => json!({}),
    };
    let mut response = (status, axum::Json(json!({ "error": err.to_string(), "fields": fields }))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

pub(super) fn app_error(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error(status, &err)
}

pub(super) async fn authorize(state: &AppState, headers: &HeaderMap, needed: Scope) -> Result<api_key::Model, Response> {
    let bearer = super::access::bearer(headers)
        .ok_or_else(|| error(StatusCode::UNAUTHORIZED, &AppError::Conflict("Send an API key: Authorization: Bearer KEY.".into())))?;
    let key = keys::authenticate(&state.db, bearer)
        .await
        .map_err(|_| error(StatusCode::UNAUTHORIZED, &AppError::Conflict("This API key is unknown or revoked.".into())))?;
    if needed == Scope::Admin && key.scope != Scope::Admin.as_str() {
        return Err(error(StatusCode::FORBIDDEN, &AppError::Conflict("This key may only post leads; this needs an admin key.".into())));
    }
    Ok(key)
}

/// Parses a JSON body, refusing other content types (415) and malformed JSON (422).
pub(super) fn json_body<T: for<'de> Deserialize<'de>>(headers: &HeaderMap, body: &Bytes) -> Result<T, Response> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &AppError::Conflict("Send the body as application/json.".into())));
    }
    serde_json::from_slice(body).map_err(|err| {
        let message = if err.is_syntax() || err.is_eof() {
            format!("The body is not valid JSON: {err}.")
        } else {
            format!("The JSON does not match what this route takes: {err}.")
        };
        error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::Conflict(message))
    })
}

/// An amount as JSON: a number of whole units, or text as a person types it ("250k").
fn amount(value: &Option<Value>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err("Give the amount as a whole number, like 250000.".into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadRequest {
    /// The slug of the capture form whose rules (assignment, currency) apply.
    form: String,
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    budget_min: Option<Value>,
    #[serde(default)]
    budget_max: Option<Value>,
    #[serde(default)]
    move_in: String,
    #[serde(default)]
    property_ref: String,
    #[serde(default)]
    consent: bool,
    #[serde(default)]
    language: String,
    #[serde(default)]
    utm_source: String,
    #[serde(default)]
    utm_medium: String,
    #[serde(default)]
    utm_campaign: String,
    #[serde(default)]
    utm_term: String,
    #[serde(default)]
    utm_content: String,
    #[serde(default)]
    referrer: String,
}

/// `POST /api/v1/leads`. With an `Idempotency-Key` header, a retry gets the first answer and
/// creates nothing; the same key with a different body is refused.
pub async fn post_lead(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match authorize(&state, &headers, Scope::Capture).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let idempotency = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    let request_hash = app::auth::session::token_hash(&String::from_utf8_lossy(&body));
    if let Some(idem) = idempotency {
        if idem.len() > 200 {
            return error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::field("Idempotency-Key", "Keep the Idempotency-Key under 200 characters."));
        }
        match keys::earlier_answer(&state.db, key.id, idem).await {
            Ok(Some(earlier)) if earlier.request_hash != request_hash => {
                return error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::field("Idempotency-Key", "This Idempotency-Key was used for a different request."));
            }
            Ok(Some(earlier)) => {
                let status = StatusCode::from_u16(earlier.status as u16).unwrap_or(StatusCode::OK);
                let mut response = (status, earlier.body).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response.headers_mut().insert("idempotent-replay", HeaderValue::from_static("true"));
                return response;
            }
            Ok(None) => {}
            Err(err) => return app_error(err),
        }
    }
    let request: LeadRequest = match json_body(&headers, &body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let mut v = app::error::Validator::default();
    let budget_min = v.check("budget_min", amount(&request.budget_min));
    let budget_max = v.check("budget_max", amount(&request.budget_max));
    if let Err(err) = v.finish() {
        return app_error(err);
    }
    let form = match capture::find_form(&state.db, &request.form).await {
        Ok(form) if form.active => form,
        Ok(_) => return error(StatusCode::GONE, &AppError::field("form", "This form is inactive; activate it or use another.")),
        Err(AppError::NotFound) => return error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::field("form", "No capture form has this slug.")),
        Err(err) => return app_error(err),
    };
    let input = LeadInput {
        name: request.name,
        phone: request.phone,
        email: request.email,
        need: request.need,
        message: request.message,
        budget_min: budget_min.unwrap_or_default(),
        budget_max: budget_max.unwrap_or_default(),
        move_in: request.move_in,
        property_ref: request.property_ref,
        consent: request.consent,
        language: request.language,
        utm_source: request.utm_source,
        utm_medium: request.utm_medium,
        utm_campaign: request.utm_campaign,
        utm_term: request.utm_term,
        utm_content: request.utm_content,
        referrer: request.referrer,
    };
    let agency = super::capture::agency(&state).await;
    let source = format!("api:{}", key.name);
    let accepted = match state.intake.submit(&form, &input, &agency.default_region, &source).await {
        Ok(accepted) => accepted,
        Err(err) => return app_error(err),
    };
    let status = StatusCode::CREATED;
    let body = json!({
        "outcome": accepted.outcome.as_str(),
        "contact_id": accepted.contact_id,
        "deal_id": accepted.deal_id,
        "owner_id": accepted.owner_id,
    })
    .to_string();
    if let Some(idem) = idempotency {
        if let Err(err) = keys::keep_answer(&state.db, key.id, idem, &request_hash, status.as_u16(), &body).await {
            tracing::warn!(error = %err, "could not keep an idempotent answer");
        }
    }
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A capture form as the API sends and takes it (the admin page's fields).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRequest {
    slug: String,
    title: String,
    #[serde(default)]
    intro: String,
    #[serde(default = "yes")]
    show_message: bool,
    #[serde(default)]
    show_budget: bool,
    #[serde(default)]
    show_move_in: bool,
    #[serde(default)]
    show_property_ref: bool,
    #[serde(default)]
    show_consent: bool,
    #[serde(default)]
    consent_text: String,
    #[serde(default = "buy")]
    default_need: String,
    #[serde(default = "eur")]
    currency: String,
    #[serde(default = "round_robin")]
    assignment: String,
    #[serde(default)]
    fixed_agent_id: Option<i64>,
    #[serde(default)]
    thank_you_text: String,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    embed_sites: Vec<String>,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}
fn buy() -> String {
    "buy".into()
}
fn eur() -> String {
    "EUR".into()
}
fn round_robin() -> String {
    "round_robin".into()
}

impl FormRequest {
    fn settings(self) -> Result<FormSettings, AppError> {
        let mut v = app::error::Validator::default();
        let default_need = v.check("default_need", Need::parse(&self.default_need));
        let assignment = v.check("assignment", Assignment::parse(&self.assignment));
        v.finish()?;
        Ok(FormSettings {
            slug: self.slug,
            title: self.title,
            intro: self.intro,
            show_message: self.show_message,
            show_budget: self.show_budget,
            show_move_in: self.show_move_in,
            show_property_ref: self.show_property_ref,
            show_consent: self.show_consent,
            consent_text: self.consent_text,
            default_need: default_need.expect("checked"),
            currency: self.currency,
            assignment: assignment.expect("checked"),
            fixed_agent_id: self.fixed_agent_id,
            thank_you_text: self.thank_you_text,
            redirect_url: self.redirect_url,
            embed_sites: self.embed_sites,
            active: self.active,
        })
    }
}

pub async fn list_forms(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    match capture::list_forms(&state.db, &state.base_url(&headers)).await {
        Ok(forms) => axum::Json(forms).into_response(),
        Err(err) => app_error(err),
    }
}

async fn save_form(state: AppState, headers: HeaderMap, body: Bytes, id: Option<i64>) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    let request: FormRequest = match json_body(&headers, &body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let saved = match request.settings() {
        Ok(settings) => capture::save_form(&state.db, id, &settings).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(row) => {
            let status = if id.is_some() { StatusCode::OK } else { StatusCode::CREATED };
            (status, axum::Json(capture::summary_of(&row, &state.base_url(&headers)))).into_response()
        }
        Err(err) => app_error(err),
    }
}

pub async fn create_form(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    save_form(state, headers, body, None).await
}

pub async fn update_form(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap, body: Bytes) -> Response {
    save_form(state, headers, body, Some(id)).await
}

/// `GET /api/v1/openapi.json`: the API as it stands, for integrators and their tools.
pub async fn openapi() -> Response {
    axum::Json(openapi_document()).into_response()
}

pub fn openapi_document() -> Value {
    let error = json!({"$ref": "#/components/schemas/Error"});
    let errors = |codes: &[&str]| -> Value {
        let mut map = serde_json::Map::new();
        for code in codes {
            map.insert((*code).into(), json!({"description": describe(code), "content": {"application/json": {"schema": error}}}));
        }
        Value::Object(map)
    };
    let mut lead_responses = errors(&["401", "410", "413", "415", "422", "429"]);
    lead_responses["201"] = json!({"description": "Accepted: a new lead, a returning lead joined to its open deal, or a resubmission that created nothing.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}});
    let mut forms_list = errors(&["401", "403"]);
    forms_list["200"] = json!({"description": "Every capture form with its counts.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/FormSummary"}}}}});
    let mut form_create = errors(&["401", "403", "413", "415", "422"]);
    form_create["201"] = json!({"description": "Created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FormSummary"}}}});
    let mut form_update = errors(&["401", "403", "404", "413", "415", "422"]);
    form_update["200"] = json!({"description": "Saved.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FormSummary"}}}});
    let form_body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FormSettings"}}}});
    let deal_schema = json!({"application/json": {"schema": {"$ref": "#/components/schemas/Deal"}}});
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let mut stages_list = errors(&["401", "403"]);
    stages_list["200"] = json!({"description": "The stages in order.", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"}}}}});
    let mut deals_list = errors(&["401", "403", "422"]);
    deals_list["200"] = json!({"description": "A page of deals, most recently changed first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DealPage"}}}});
    let mut deal_get = errors(&["401", "403", "404"]);
    deal_get["200"] = json!({"description": "The deal; its ETag header is its version.", "content": deal_schema.clone()});
    let mut deal_patch = errors(&["401", "403", "404", "412", "413", "415", "422", "428"]);
    deal_patch["200"] = json!({"description": "Changed; the new ETag is the new version.", "content": deal_schema});
    let mut activity_post = errors(&["401", "403", "404", "413", "415", "422"]);
    activity_post["201"] = json!({"description": "Logged on the deal's timeline."});
    let page_param = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}, "description": description});
    let follow_up_paths = super::api_v1_follow_ups::paths(&errors);
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "Doorstep API", "version": "1", "description": "Leads in from websites and portals; capture forms and the pipeline managed by tools. Authenticate with an API key: Authorization: Bearer KEY."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/leads": {"post": {
                "summary": "Send a lead",
                "description": "Needs a capture or admin key. The form's rules (assignment, currency) apply. Send an Idempotency-Key header to make retries safe.",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lead"}}}},
                "responses": lead_responses
            }},
            "/forms": {
                "get": {"summary": "List capture forms", "description": "Needs an admin key.", "responses": forms_list},
                "post": {"summary": "Create a capture form", "description": "Needs an admin key.", "requestBody": form_body.clone(), "responses": form_create}
            },
            "/forms/{id}": {"put": {
                "summary": "Update a capture form",
                "description": "Needs an admin key.",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "requestBody": form_body,
                "responses": form_update
            }},
            "/stages": {"get": {"summary": "List the pipeline's stages", "description": "Needs an admin key.", "responses": stages_list}},
            "/deals": {"get": {
                "summary": "List deals",
                "description": "Needs an admin key. Most recently changed first.",
                "parameters": [
                    page_param("stage", "Only this stage's deals."),
                    page_param("owner", "Only this user's deals."),
                    {"name": "source", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Exact source, like form:contact or api:idealista."},
                    {"name": "q", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Part of the contact's name, e-mail or phone digits."},
                    page_param("page", "From 1."),
                    {"name": "per_page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                ],
                "responses": deals_list
            }},
            "/deals/{id}": {
                "get": {"summary": "Read a deal", "description": "Needs an admin key.", "parameters": [id_param.clone()], "responses": deal_get},
                "patch": {
                    "summary": "Move a deal or change its owner",
                    "description": "Needs an admin key. One change per request. If-Match must carry the version the change is based on (the ETag of a GET).",
                    "parameters": [id_param.clone(), {"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"}, "example": "\"3\""}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DealPatch"}}}},
                    "responses": deal_patch
                }
            },
            "/deals/{id}/activities": {"post": {
                "summary": "Log what happened on a deal",
                "description": "Needs an admin key. The first contact with the client (a call, WhatsApp, e-mail or viewing) answers the lead.",
                "parameters": [id_param],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Activity"}}}},
                "responses": activity_post
            }},
            "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3 document."}}}}
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "fields"], "properties": {
                    "error": {"type": "string", "description": "What went wrong, for a person."},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "What to fix, per field."}
                }},
                "Lead": {"type": "object", "required": ["form", "name"], "additionalProperties": false, "properties": {
                    "form": {"type": "string", "description": "Slug of the capture form whose rules apply."},
                    "name": {"type": "string", "maxLength": 100},
                    "phone": {"type": "string", "description": "Any common format; read with the agency's country when it has no country code. Phone or e-mail is required."},
                    "email": {"type": "string"},
                    "need": {"type": "string", "enum": ["buy", "rent", "sell", "let"]},
                    "message": {"type": "string", "maxLength": 2000},
                    "budget_min": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "description": "Whole units (250000) or as typed (\"250k\")."},
                    "budget_max": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
                    "move_in": {"type": "string", "format": "date"},
                    "property_ref": {"type": "string", "maxLength": 50},
                    "consent": {"type": "boolean", "description": "Marketing consent, with the form's wording."},
                    "language": {"type": "string"},
                    "utm_source": {"type": "string"}, "utm_medium": {"type": "string"}, "utm_campaign": {"type": "string"},
                    "utm_term": {"type": "string"}, "utm_content": {"type": "string"},
                    "referrer": {"type": "string"}
                }},
                "Accepted": {"type": "object", "properties": {
                    "outcome": {"type": "string", "enum": ["new_lead", "returning_lead", "resubmission"]},
                    "contact_id": {"type": "integer"}, "deal_id": {"type": "integer"},
                    "owner_id": {"type": "integer", "nullable": true}
                }},
                "FormSettings": {"type": "object", "required": ["slug", "title"], "additionalProperties": false, "properties": {
                    "slug": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*[a-z0-9]$"},
                    "title": {"type": "string", "maxLength": 120},
                    "intro": {"type": "string"},
                    "show_message": {"type": "boolean"}, "show_budget": {"type": "boolean"}, "show_move_in": {"type": "boolean"},
                    "show_property_ref": {"type": "boolean"}, "show_consent": {"type": "boolean"},
                    "consent_text": {"type": "string"},
                    "default_need": {"type": "string", "enum": ["buy", "rent", "sell", "let"]},
                    "currency": {"type": "string", "minLength": 3, "maxLength": 3},
                    "assignment": {"type": "string", "enum": ["round_robin", "listing_agent", "fixed"]},
                    "fixed_agent_id": {"type": "integer", "nullable": true},
                    "thank_you_text": {"type": "string"},
                    "redirect_url": {"type": "string", "nullable": true},
                    "embed_sites": {"type": "array", "maxItems": 20, "items": {"type": "string"},
                        "description": "Sites that may show the form in a frame, as origins (https://www.costa-homes.es); empty: any site."},
                    "active": {"type": "boolean"}
                }},
                "Stage": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "position": {"type": "integer"},
                    "kind": {"type": "string", "enum": ["open", "won", "lost"]},
                    "stale_after_days": {"type": "integer", "nullable": true}, "deals": {"type": "integer"}
                }},
                "Deal": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "version": {"type": "integer"},
                    "contact": {"type": "object", "properties": {
                        "id": {"type": "integer"}, "name": {"type": "string"}, "phone": {"type": "string", "nullable": true},
                        "email": {"type": "string", "nullable": true}, "whatsapp": {"type": "string", "nullable": true}
                    }},
                    "need": {"type": "string", "enum": ["buy", "rent", "sell", "let"]},
                    "budget_min": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
                    "budget_max": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
                    "currency": {"type": "string"}, "stage_id": {"type": "integer"}, "stage": {"type": "string"},
                    "owner_id": {"type": "integer", "nullable": true}, "source": {"type": "string"},
                    "property_ref": {"type": "string", "nullable": true}, "lost_reason": {"type": "string", "nullable": true},
                    "won_value": {"type": "integer", "nullable": true, "description": "Minor units (cents)."},
                    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
                    "first_response_at": {"type": "string", "format": "date-time", "nullable": true},
                    "closed_at": {"type": "string", "format": "date-time", "nullable": true}
                }},
                "DealPage": {"type": "object", "properties": {
                    "deals": {"type": "array", "items": {"$ref": "#/components/schemas/Deal"}},
                    "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}
                }},
                "DealPatch": {"type": "object", "additionalProperties": false, "properties": {
                    "stage_id": {"type": "integer"},
                    "lost_reason": {"type": "string", "description": "Needed when moving to a lost stage: one of the admin's reasons."},
                    "won_value": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "description": "Needed when moving to a won stage: whole units or as typed."},
                    "owner_id": {"type": "integer"}
                }},
                "Activity": {"type": "object", "required": ["outcome"], "additionalProperties": false, "properties": {
                    "outcome": {"type": "string", "enum": ["called_no_answer", "called_spoke", "whatsapp_sent", "email_sent", "viewing_booked", "payment_received", "complaint", "question", "note"]},
                    "body": {"type": "string", "maxLength": 5000}
                }},
                "FormSummary": {"type": "object", "properties": {
                    "id": {"type": "integer"},
                    "settings": {"$ref": "#/components/schemas/FormSettings"},
                    "received": {"type": "integer"}, "duplicates": {"type": "integer"}, "spam_blocked": {"type": "integer"},
                    "url": {"type": "string"}
                }}
            }
        }
    });
    let more_paths = [follow_up_paths, super::api_v1_properties::paths(&errors), super::api_v1_presentations::paths(&errors), super::reports::paths(&errors)];
    for (path, item) in more_paths.iter().flat_map(|p| p.as_object().into_iter().flatten()) {
        doc["paths"][path] = item.clone();
    }
    let more_schemas = [super::api_v1_follow_ups::schemas(), super::api_v1_properties::schemas(), super::api_v1_presentations::schemas()];
    for (name, schema) in more_schemas.iter().flat_map(|s| s.as_object().into_iter().flatten()) {
        doc["components"]["schemas"][name] = schema.clone();
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

/// `GET /api/v1/stages` (admin keys): the pipeline's stages in order, with their deal counts.
pub async fn list_stages(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    match deals::pipeline_stages(&state.db).await {
        Ok(stages) => axum::Json(json!(stages
            .into_iter()
            .map(|s| json!({"id": s.id, "name": s.name, "position": s.position, "kind": s.kind.as_str(), "stale_after_days": s.stale_after_days, "deals": s.deals}))
            .collect::<Vec<_>>()))
        .into_response(),
        Err(err) => app_error(err),
    }
}

#[derive(Deserialize)]
pub struct DealListQuery {
    stage: Option<String>,
    owner: Option<String>,
    source: Option<String>,
    q: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /api/v1/deals` (admin keys): deals most recently changed first, filtered and paged.
pub async fn list_deals(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<DealListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    let query = match query {
        Ok(axum::extract::Query(query)) => query,
        Err(err) => return error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::Conflict(format!("The query string cannot be read: {err}."))),
    };
    let mut v = app::error::Validator::default();
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<i64> {
        let raw = raw.as_deref().map(str::trim).filter(|r| !r.is_empty())?;
        v.check(field, raw.parse::<i64>().map_err(|_| format!("Give {field} as a whole number.")).and_then(|n| if n > 0 { Ok(n) } else { Err(format!("Give {field} as a positive number.")) }))
    };
    let filter = deals::DealFilter {
        stage_id: number("stage", &query.stage),
        owner_id: number("owner", &query.owner),
        page: number("page", &query.page).unwrap_or(1) as u64,
        per_page: number("per_page", &query.per_page).unwrap_or(50) as u64,
        source: query.source.filter(|s| !s.is_empty()),
        search: query.q.filter(|s| !s.trim().is_empty()),
    };
    if filter.per_page > 200 {
        v.add("per_page", "Ask for at most 200 deals per page.");
    }
    if let Err(err) = v.finish() {
        return app_error(err);
    }
    match deals::records(&state.db, &filter).await {
        Ok((rows, total)) => axum::Json(json!({"deals": rows, "page": filter.page, "per_page": filter.per_page, "total": total})).into_response(),
        Err(err) => app_error(err),
    }
}

fn with_etag(record: &deals::DealRecord, status: StatusCode) -> Response {
    let mut response = (status, axum::Json(json!(record))).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", record.version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `GET /api/v1/deals/{id}` (admin keys). The ETag is the deal's version, for If-Match.
pub async fn get_deal(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    if let Err(response) = authorize(&state, &headers, Scope::Admin).await {
        return response;
    }
    match deals::record(&state.db, id).await {
        Ok(record) => with_etag(&record, StatusCode::OK),
        Err(err) => app_error(err),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealPatch {
    stage_id: Option<i64>,
    lost_reason: Option<String>,
    #[serde(default)]
    won_value: Option<Value>,
    owner_id: Option<i64>,
}

/// The version an `If-Match` header names: `3`, `"3"` or `W/"3"`.
fn if_match(headers: &HeaderMap) -> Option<Result<i64, ()>> {
    let raw = headers.get(header::IF_MATCH)?.to_str().map_err(|_| ()).ok()?;
    Some(raw.trim().trim_start_matches("W/").trim_matches('"').parse::<i64>().map_err(|_| ()))
}

/// `PATCH /api/v1/deals/{id}` (admin keys): moves the deal (`stage_id`, with `lost_reason` or
/// `won_value` where the stage needs them) or hands it to `owner_id`, one change per request.
/// `If-Match` must carry the version the change is based on: 428 without it, 412 when the
/// deal has changed since.
pub async fn patch_deal(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match authorize(&state, &headers, Scope::Admin).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let version = match if_match(&headers) {
        None => {
            return error(StatusCode::PRECONDITION_REQUIRED, &AppError::Conflict("Send If-Match with the deal's version (its ETag), so no one else's change is overwritten.".into()))
        }
        Some(Err(())) => return error(StatusCode::UNPROCESSABLE_ENTITY, &AppError::field("If-Match", "Give If-Match as the deal's ETag, like \"3\".")),
        Some(Ok(version)) => version,
    };
    let patch: DealPatch = match json_body(&headers, &body) {
        Ok(patch) => patch,
        Err(response) => return response,
    };
    let actor = deals::Actor::api_key(&key.name);
    let result = match (patch.stage_id, patch.owner_id) {
        (Some(stage_id), None) => {
            let won = match amount(&patch.won_value) {
                Ok(won) => (!won.is_empty()).then_some(won),
                Err(message) => return app_error(AppError::field("won_value", message)),
            };
            deals::move_stage(&state.db, &state.notifier, &actor, id, version, stage_id, patch.lost_reason, won).await
        }
        (None, Some(owner_id)) => deals::reassign(&state.db, &state.notifier, &actor, id, version, owner_id).await,
        _ => return app_error(AppError::field("stage_id", "Send one change per request: a stage_id or an owner_id.")),
    };
    match result {
        Ok(_) => match deals::record(&state.db, id).await {
            Ok(record) => with_etag(&record, StatusCode::OK),
            Err(err) => app_error(err),
        },
        // A change based on an old version: the precondition failed.
        Err(err @ AppError::Conflict(_)) => error(StatusCode::PRECONDITION_FAILED, &err),
        Err(err) => app_error(err),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    outcome: String,
    #[serde(default)]
    body: String,
}

/// `POST /api/v1/deals/{id}/activities` (admin keys): logs what happened, as the quick
/// outcome buttons do (`note` needs a body).
pub async fn post_activity(State(state): State<AppState>, Path(id): Path<i64>, headers: HeaderMap, body: Bytes) -> Response {
    let key = match authorize(&state, &headers, Scope::Admin).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let request: ActivityRequest = match json_body(&headers, &body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let outcome = match app::deals::Outcome::parse(&request.outcome) {
        Ok(outcome) => outcome,
        Err(_) => {
            let names: Vec<&str> = app::deals::Outcome::BUTTONS.iter().map(|o| o.as_str()).chain(["note"]).collect();
            return app_error(AppError::field("outcome", format!("Use one of: {}.", names.join(", "))));
        }
    };
    let actor = deals::Actor::api_key(&key.name);
    match deals::log_outcome(&state.db, &state.notifier, &actor, id, outcome, &request.body).await {
        Ok(()) => (StatusCode::CREATED, axum::Json(json!({"deal_id": id, "outcome": outcome.as_str()}))).into_response(),
        Err(err) => app_error(err),
    }
}
