//! Data coming in and going out: a spreadsheet of contacts and deals imported (upload, map
//! the columns, check every row, then import all valid rows or none), and CSV exports of
//! contacts, deals and timelines.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(any(feature = "ssr", feature = "parsers"))]
pub mod table;

/// A Doorstep field a spreadsheet column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    FirstName,
    LastName,
    Phone,
    Email,
    Whatsapp,
    Language,
    Notes,
    Need,
    Stage,
    Owner,
    BudgetMin,
    BudgetMax,
    Currency,
    Areas,
    Bedrooms,
    PropertyRef,
    Source,
    Created,
}

impl Field {
    pub const ALL: [Field; 19] = [
        Field::Name,
        Field::FirstName,
        Field::LastName,
        Field::Phone,
        Field::Email,
        Field::Whatsapp,
        Field::Language,
        Field::Notes,
        Field::Need,
        Field::Stage,
        Field::Owner,
        Field::BudgetMin,
        Field::BudgetMax,
        Field::Currency,
        Field::Areas,
        Field::Bedrooms,
        Field::PropertyRef,
        Field::Source,
        Field::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Whatsapp => "whatsapp",
            Field::Language => "language",
            Field::Notes => "notes",
            Field::Need => "need",
            Field::Stage => "stage",
            Field::Owner => "owner",
            Field::BudgetMin => "budget_min",
            Field::BudgetMax => "budget_max",
            Field::Currency => "currency",
            Field::Areas => "areas",
            Field::Bedrooms => "bedrooms",
            Field::PropertyRef => "property_ref",
            Field::Source => "source",
            Field::Created => "created",
        }
    }

    pub fn parse(raw: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == raw)
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Field::Name => "imports-label-name",
            Field::FirstName => "imports-label-first-name",
            Field::LastName => "imports-label-last-name",
            Field::Phone => "imports-label-phone",
            Field::Email => "imports-label-email",
            Field::Whatsapp => "imports-label-whatsapp",
            Field::Language => "imports-label-language",
            Field::Notes => "imports-label-notes",
            Field::Need => "imports-label-need",
            Field::Stage => "imports-label-stage",
            Field::Owner => "imports-label-owner",
            Field::BudgetMin => "imports-label-budget-min",
            Field::BudgetMax => "imports-label-budget-max",
            Field::Currency => "imports-label-currency",
            Field::Areas => "imports-label-areas",
            Field::Bedrooms => "imports-label-bedrooms",
            Field::PropertyRef => "imports-label-property-ref",
            Field::Source => "imports-label-source",
            Field::Created => "imports-label-created",
        })
    }

    /// Headers this field goes by, lower-cased without spaces or punctuation, in English and
    /// Spanish (what agencies' spreadsheets and other CRMs' exports call them).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Name => &["name", "fullname", "contact", "contactname", "client", "clientname", "nombre", "nombrecompleto", "cliente"],
            Field::FirstName => &["firstname", "givenname", "forename"],
            Field::LastName => &["lastname", "surname", "familyname", "apellidos", "apellido"],
            Field::Phone => &["phone", "phonenumber", "mobile", "mobilephone", "cell", "tel", "telephone", "telefono", "teléfono", "móvil", "movil"],
            Field::Email => &["email", "emailaddress", "mail", "correo", "correoelectronico", "correoelectrónico"],
            Field::Whatsapp => &["whatsapp", "whatsappnumber", "wa"],
            Field::Language => &["language", "lang", "idioma"],
            Field::Notes => &["notes", "note", "comments", "comment", "message", "notas", "comentarios"],
            Field::Need => &["need", "type", "dealtype", "operation", "looking", "lookingfor", "operacion", "operación"],
            Field::Stage => &["stage", "status", "pipelinestage", "etapa", "estado"],
            Field::Owner => &["owner", "agent", "assignedto", "agente", "responsable"],
            Field::BudgetMin => &["budgetmin", "budgetfrom", "minbudget", "minprice", "presupuestominimo", "presupuestomínimo"],
            Field::BudgetMax => &["budget", "budgetmax", "budgetto", "maxbudget", "maxprice", "price", "presupuesto", "presupuestomaximo", "presupuestomáximo"],
            Field::Currency => &["currency", "moneda"],
            Field::Areas => &["areas", "area", "zone", "zones", "location", "zona", "zonas"],
            Field::Bedrooms => &["bedrooms", "beds", "dormitorios", "habitaciones"],
            Field::PropertyRef => &["propertyref", "propertyreference", "reference", "ref", "listing", "referencia"],
            Field::Source => &["source", "leadsource", "origin", "channel", "origen", "fuente"],
            Field::Created => &["created", "createdat", "createdon", "date", "arrived", "arrivedon", "fecha", "fechaalta"],
        }
    }
}

/// An uploaded spreadsheet as the mapping screen shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadView {
    pub token: String,
    pub file_name: String,
    /// The encoding the file was read in ("UTF-8", "Windows-1252 (Latin-1)").
    pub encoding: String,
    /// "comma", "semicolon" or "tab".
    pub delimiter: String,
    pub rows: usize,
    pub columns: Vec<ColumnView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnView {
    pub header: String,
    /// The first few non-empty values.
    pub samples: Vec<String>,
    /// The field guessed from the header ("" to leave it out).
    pub field: String,
}

/// What an import would do (a dry run), or did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub written: bool,
    pub rows: usize,
    pub valid: usize,
    pub new_contacts: usize,
    /// Rows that matched a contact already in Doorstep (or an earlier row) by phone or e-mail.
    pub matched_contacts: usize,
    pub new_deals: usize,
    /// Rows whose deal the contact already has (open with the same need, or closed in the same
    /// stage): not added again.
    pub duplicate_deals: usize,
    /// Row number and every reason, for each row that failed.
    pub problems: Vec<(usize, Vec<String>)>,
    /// Matches, for the user to check: row number and what it matched.
    pub matches: Vec<(usize, String)>,
}
