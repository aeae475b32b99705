//! `/api/v1`: JSON for website and portal integrations, authenticated by API keys
//! (`Authorization: Bearer KEY`). `capture` keys may post leads; `admin` keys may also manage
//! capture forms. Errors are JSON: `{"error": "...", "fields": {"field": "what to fix"}}`.

use app::apikeys::service as keys;
use app::capture::{service as capture, Assignment, FormSettings, LeadInput, Need};
use app::deals::service as deals;
use app::error::AppError;
use app::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};

use super::extract::{AdminKey, Id, CaptureKey, IfMatch, Json, Query};
use serde::Deserialize;
use serde_json::{json, Value};

/// The last page a listing may ask for (declared in the document, refused past it).
pub const MAX_PAGE: i64 = 1_000_000;

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
pub async fn post_lead(State(state): State<AppState>, CaptureKey(key): CaptureKey, headers: HeaderMap, body: Json<LeadRequest>) -> Result<Response, AppError> {
    let idempotency = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    let request_hash = app::auth::session::token_hash(&String::from_utf8_lossy(&body.bytes));
    if let Some(idem) = idempotency {
        if let Some(earlier) = keys::replay(&state.db, key.id, idem, &request_hash).await? {
            let status = StatusCode::from_u16(earlier.status as u16).unwrap_or(StatusCode::OK);
            let replayed = [(header::CONTENT_TYPE, "application/json"), (HeaderName::from_static("idempotent-replay"), "true")];
            return Ok((status, replayed, earlier.body).into_response());
        }
    }
    let request = body.value;
    let mut v = app::error::Validator::default();
    let budget_min = v.check("budget_min", amount(&request.budget_min));
    let budget_max = v.check("budget_max", amount(&request.budget_max));
    v.finish()?;
    let form = match capture::find_form(&state.db, &request.form).await {
        Ok(form) if form.active => form,
        Ok(_) => return Err(AppError::Gone("This form is inactive; activate it or use another.".into())),
        Err(AppError::NotFound) => return Err(AppError::field("form", "No capture form has this slug.")),
        Err(err) => return Err(err),
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
    let accepted = state.intake.submit(&form, &input, &agency.default_region, &source).await?;
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
    Ok((status, [(header::CONTENT_TYPE, "application/json")], body).into_response())
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
        let (default_need, assignment) = v.finish_with((default_need, assignment))?;
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
            default_need,
            currency: self.currency,
            assignment,
            fixed_agent_id: self.fixed_agent_id,
            thank_you_text: self.thank_you_text,
            redirect_url: self.redirect_url,
            embed_sites: self.embed_sites,
            active: self.active,
        })
    }
}

pub async fn list_forms(State(state): State<AppState>, _key: AdminKey, headers: HeaderMap) -> Result<Response, AppError> {
    Ok(axum::Json(capture::list_forms(&state.db, &state.base_url(&headers)).await?).into_response())
}

async fn save_form(state: AppState, headers: HeaderMap, request: FormRequest, id: Option<i64>) -> Result<Response, AppError> {
    let row = capture::save_form(&state.db, id, &request.settings()?).await?;
    let status = if id.is_some() { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, axum::Json(capture::summary_of(&row, &state.base_url(&headers)))).into_response())
}

pub async fn create_form(State(state): State<AppState>, _key: AdminKey, headers: HeaderMap, body: Json<FormRequest>) -> Result<Response, AppError> {
    save_form(state, headers, body.value, None).await
}

pub async fn update_form(State(state): State<AppState>, _key: AdminKey, Id(id): Id, headers: HeaderMap, body: Json<FormRequest>) -> Result<Response, AppError> {
    save_form(state, headers, body.value, Some(id)).await
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
    let id_param = super::api_v1::id_param();
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
    let page_param = |name: &str, maximum: i64, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": maximum}, "description": description});
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
                "parameters": [id_param.clone()],
                "requestBody": form_body,
                "responses": form_update
            }},
            "/stages": {"get": {"summary": "List the pipeline's stages", "description": "Needs an admin key.", "responses": stages_list}},
            "/deals": {"get": {
                "summary": "List deals",
                "description": "Needs an admin key. Most recently changed first.",
                "parameters": [
                    page_param("stage", i64::MAX, "Only this stage's deals."),
                    page_param("owner", i64::MAX, "Only this user's deals."),
                    {"name": "source", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Exact source, like form:contact or api:idealista."},
                    {"name": "q", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Part of the contact's name, e-mail or phone digits."},
                    page_param("page", MAX_PAGE, "From 1."),
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
                    "stage_id": {"type": "integer", "nullable": true, "description": "null is the same as leaving it out."},
                    "lost_reason": {"type": "string", "nullable": true, "description": "Needed when moving to a lost stage: one of the admin's reasons."},
                    "won_value": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "nullable": true, "description": "Needed when moving to a won stage: whole units or as typed."},
                    "owner_id": {"type": "integer", "nullable": true}
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
pub async fn list_stages(State(state): State<AppState>, _key: AdminKey) -> Result<Response, AppError> {
    let stages = deals::pipeline_stages(&state.db).await?;
    Ok(axum::Json(json!(stages
        .into_iter()
        .map(|s| json!({"id": s.id, "name": s.name, "position": s.position, "kind": s.kind.as_str(), "stale_after_days": s.stale_after_days, "deals": s.deals}))
        .collect::<Vec<_>>()))
    .into_response())
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
pub async fn list_deals(State(state): State<AppState>, _key: AdminKey, Query(query): Query<DealListQuery>) -> Result<Response, AppError> {
    let mut v = app::error::Validator::default();
    let mut number = |field: &'static str, raw: &Option<String>| -> Option<i64> {
        v.check(field, positive(field, raw.as_deref()?))
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
    if filter.page > MAX_PAGE as u64 {
        v.add("page", format!("Ask for a page up to {MAX_PAGE}."));
    }
    v.finish()?;
    let (rows, total) = deals::records(&state.db, &filter).await?;
    Ok(axum::Json(json!({"deals": rows, "page": filter.page, "per_page": filter.per_page, "total": total})).into_response())
}

/// The deal with its version as the ETag, for If-Match.
fn with_etag(record: &deals::DealRecord) -> Response {
    let etag = format!("\"{}\"", record.version);
    ([(header::ETAG, etag)], axum::Json(json!(record))).into_response()
}

/// `GET /api/v1/deals/{id}` (admin keys). The ETag is the deal's version, for If-Match.
pub async fn get_deal(State(state): State<AppState>, _key: AdminKey, Id(id): Id) -> Result<Response, AppError> {
    Ok(with_etag(&deals::record(&state.db, id).await?))
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

/// `PATCH /api/v1/deals/{id}` (admin keys): moves the deal (`stage_id`, with `lost_reason` or
/// `won_value` where the stage needs them) or hands it to `owner_id`, one change per request.
/// `If-Match` must carry the version the change is based on: 428 without it, 412 when the
/// deal has changed since.
pub async fn patch_deal(
    State(state): State<AppState>,
    AdminKey(key): AdminKey,
    Id(id): Id,
    IfMatch(version): IfMatch,
    body: Json<DealPatch>,
) -> Result<Response, AppError> {
    let patch = body.value;
    let actor = deals::Actor::api_key(&key.name);
    match (patch.stage_id, patch.owner_id) {
        (Some(stage_id), None) => {
            let won = amount(&patch.won_value).map_err(|message| AppError::field("won_value", message))?;
            let won = (!won.is_empty()).then_some(won);
            deals::move_stage(&state.db, &state.notifier, &actor, id, version, stage_id, patch.lost_reason, won).await?
        }
        (None, Some(owner_id)) => deals::reassign(&state.db, &state.notifier, &actor, id, version, owner_id).await?,
        _ => return Err(AppError::field("stage_id", "Send one change per request: a stage_id or an owner_id.")),
    };
    Ok(with_etag(&deals::record(&state.db, id).await?))
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
pub async fn post_activity(State(state): State<AppState>, AdminKey(key): AdminKey, Id(id): Id, body: Json<ActivityRequest>) -> Result<Response, AppError> {
    let request = body.value;
    let outcome = app::deals::Outcome::parse(&request.outcome).map_err(|_| {
        let names: Vec<&str> = app::deals::Outcome::BUTTONS.iter().map(|o| o.as_str()).chain(["note"]).collect();
        AppError::field("outcome", format!("Use one of: {}.", names.join(", ")))
    })?;
    let actor = deals::Actor::api_key(&key.name);
    deals::log_outcome(&state.db, &state.notifier, &actor, id, outcome, &request.body).await?;
    Ok((StatusCode::CREATED, axum::Json(json!({"deal_id": id, "outcome": outcome.as_str()}))).into_response())
}
