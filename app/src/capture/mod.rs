//! Lead capture: public forms, the lead API, duplicates, spam defence and assignment. The
//! types here cross the wire; the rules are in `service`.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod intake;
#[cfg(any(feature = "ssr", feature = "parsers"))]
pub mod normalize;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// What the contact wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Need {
    Buy,
    Rent,
    Sell,
    Let,
}

impl Need {
    pub const ALL: [Need; 4] = [Need::Buy, Need::Rent, Need::Sell, Need::Let];

    pub fn as_str(self) -> &'static str {
        match self {
            Need::Buy => "buy",
            Need::Rent => "rent",
            Need::Sell => "sell",
            Need::Let => "let",
        }
    }

    /// How a prospect reads the choice on a form.
    /// Its name in the reader's language ("Buy a home", "Comprar una vivienda").
    pub fn label(self) -> String {
        crate::language::t(self.label_key())
    }

    /// The key of its label in the languages (`app/locales`).
    pub fn label_key(self) -> &'static str {
        match self {
            Need::Buy => "need-buy",
            Need::Rent => "need-rent",
            Need::Sell => "need-sell",
            Need::Let => "need-let",
        }
    }

    pub fn parse(input: &str) -> Result<Need, crate::language::Text> {
        Need::ALL
            .into_iter()
            .find(|n| n.as_str() == input.trim().to_ascii_lowercase())
            .ok_or_else(|| crate::language::Text::new("need-unknown"))
    }
}

/// Who gets a form's new leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Assignment {
    /// In turn among active agents who are not away.
    RoundRobin,
    /// The listing agent of the listing the lead names by reference; round robin when it
    /// names none, or its agent is away.
    ListingAgent,
    /// Always one named agent.
    Fixed,
}

impl Assignment {
    pub const ALL: [Assignment; 3] = [Assignment::RoundRobin, Assignment::ListingAgent, Assignment::Fixed];

    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::RoundRobin => "round_robin",
            Assignment::ListingAgent => "listing_agent",
            Assignment::Fixed => "fixed",
        }
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Assignment::RoundRobin => "assignment-round-robin",
            Assignment::ListingAgent => "assignment-listing-agent",
            Assignment::Fixed => "assignment-fixed",
        })
    }

    pub fn parse(input: &str) -> Result<Assignment, String> {
        Assignment::ALL
            .into_iter()
            .find(|a| a.as_str() == input.trim())
            .ok_or_else(|| crate::language::t("forms-choose-how-leads-are-assigned"))
    }
}

/// A capture form's settings as either edge sends them, before its choices are read: the
/// admin page's fields or the API's JSON (whose defaults these are). [`FormInput::settings`]
/// reads them once for both.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(description = "A capture form's settings; what is left out takes its default."))]
#[serde(default)]
pub struct FormInput {
    /// The form's address: /f/{slug}.
    #[cfg_attr(feature = "ssr", schema(required = true, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$"))]
    pub slug: String,
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 120))]
    pub title: String,
    pub intro: String,
    pub show_message: bool,
    pub show_budget: bool,
    pub show_move_in: bool,
    pub show_property_ref: bool,
    pub show_consent: bool,
    pub consent_text: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Need))]
    pub default_need: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 3, max_length = 3))]
    pub currency: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Assignment))]
    pub assignment: String,
    /// An agent's id, as a number or as the page's select sends it; empty for none.
    #[serde(deserialize_with = "crate::common::number_text")]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>, default = json!(null)))]
    pub fixed_agent_id: String,
    pub thank_you_text: String,
    pub redirect_url: Option<String>,
    /// Sites that may show the form in a frame, as origins (https://www.costa-homes.es); empty: any site.
    #[cfg_attr(feature = "ssr", schema(max_items = 20))]
    pub embed_sites: Vec<String>,
    pub active: bool,
    /// The language prospects read the form in ("en", "es"), or "auto" for each prospect's
    /// browser's.
    #[cfg_attr(feature = "ssr", schema(example = "auto"))]
    pub language: String,
}

impl Default for FormInput {
    fn default() -> Self {
        FormInput {
            slug: String::new(),
            title: String::new(),
            intro: String::new(),
            show_message: true,
            show_budget: false,
            show_move_in: false,
            show_property_ref: false,
            show_consent: false,
            consent_text: String::new(),
            default_need: Need::Buy.as_str().into(),
            currency: "EUR".into(),
            assignment: Assignment::RoundRobin.as_str().into(),
            fixed_agent_id: String::new(),
            thank_you_text: String::new(),
            redirect_url: None,
            embed_sites: Vec::new(),
            active: true,
            language: AUTOMATIC.into(),
        }
    }
}

/// A form's language setting that follows each prospect's browser.
pub const AUTOMATIC: &str = "auto";

#[cfg(feature = "ssr")]
impl FormInput {
    /// The settings, with every choice read, or every field that needs fixing at once. The
    /// rules on the values themselves (slug, currency, addresses) are the service's.
    pub fn settings(self) -> Result<FormSettings, crate::error::AppError> {
        let mut v = crate::error::Validator::default();
        let default_need = v.check("default_need", Need::parse(&self.default_need));
        let assignment = v.check("assignment", Assignment::parse(&self.assignment));
        let fixed_agent_id = match self.fixed_agent_id.trim() {
            "" => None,
            raw => v.check("fixed_agent_id", raw.parse::<i64>().map_err(|_| crate::language::t("forms-choose-an-agent-from-the-list"))),
        };
        let language = match self.language.trim() {
            "" | AUTOMATIC => Some(AUTOMATIC.to_owned()),
            code => v.check("language", crate::language::Language::parse(code).map(|l| l.code()).ok_or(crate::language::t("forms-choose-a-language"))),
        };
        let (default_need, assignment, language) = v.finish_with((default_need, assignment, language))?;
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
            fixed_agent_id,
            thank_you_text: self.thank_you_text,
            redirect_url: self.redirect_url,
            embed_sites: self.embed_sites,
            active: self.active,
            language,
        })
    }
}

/// A capture form's settings, as the admin edits them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FormSettings {
    pub slug: String,
    pub title: String,
    pub intro: String,
    pub show_message: bool,
    pub show_budget: bool,
    pub show_move_in: bool,
    pub show_property_ref: bool,
    pub show_consent: bool,
    pub consent_text: String,
    pub default_need: Need,
    pub currency: String,
    pub assignment: Assignment,
    pub fixed_agent_id: Option<i64>,
    pub thank_you_text: String,
    pub redirect_url: Option<String>,
    /// The sites that may show the form in a frame (origins like `https://www.costa-homes.es`);
    /// none listed: any site may.
    pub embed_sites: Vec<String>,
    pub active: bool,
    /// A language's code, or [`AUTOMATIC`].
    pub language: String,
}

impl FormSettings {
    /// A form with sensible defaults: what the admin's "New form" starts from.
    pub fn with_defaults(slug: &str, title: &str) -> FormSettings {
        FormSettings {
            slug: slug.into(),
            title: title.into(),
            intro: crate::language::t("forms-default-intro"),
            show_message: true,
            show_budget: true,
            show_move_in: false,
            show_property_ref: false,
            show_consent: true,
            consent_text: crate::language::t("forms-default-consent"),
            default_need: Need::Buy,
            currency: "EUR".into(),
            assignment: Assignment::RoundRobin,
            fixed_agent_id: None,
            thank_you_text: crate::language::t("forms-default-thanks"),
            redirect_url: None,
            embed_sites: Vec::new(),
            active: true,
            language: AUTOMATIC.into(),
        }
    }
}

/// A form in the admin's list, with what it has received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FormSummary {
    pub id: i64,
    pub settings: FormSettings,
    pub received: i64,
    pub duplicates: i64,
    pub spam_blocked: i64,
    /// The form's public address, for the embed snippet.
    pub url: String,
}

impl FormSummary {
    pub fn embed_snippet(&self) -> String {
        format!(
            "<iframe src=\"{}\" title=\"{}\" style=\"width:100%;max-width:480px;height:720px;border:0\" loading=\"lazy\"></iframe>",
            self.url,
            self.settings.title.replace('"', "&quot;")
        )
    }
}

/// A lead as submitted by a form or the API, before validation: both edges deserialise this one
/// type (the public form from its fields, the API from JSON). Every field is text so that what
/// the prospect typed can be shown back to them unchanged; a missing field is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = Lead))]
#[serde(default)]
pub struct LeadInput {
    /// The slug of the capture form whose rules apply, as the API names it (the public form's
    /// address names its own).
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub form: String,
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 100))]
    pub name: String,
    /// Any common format; read with the agency's country when it has no country code. Phone
    /// or e-mail is required.
    pub phone: String,
    pub email: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Need))]
    pub need: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub message: String,
    #[serde(deserialize_with = "crate::common::number_text")]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::common::amount_schema))]
    pub budget_min: String,
    #[serde(deserialize_with = "crate::common::number_text")]
    #[cfg_attr(feature = "ssr", schema(schema_with = crate::common::amount_schema))]
    pub budget_max: String,
    #[cfg_attr(feature = "ssr", schema(format = Date))]
    pub move_in: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 50))]
    pub property_ref: String,
    /// Marketing consent, with the form's wording.
    #[serde(deserialize_with = "ticked")]
    pub consent: bool,
    pub language: String,
    pub utm_source: String,
    pub utm_medium: String,
    pub utm_campaign: String,
    pub utm_term: String,
    pub utm_content: String,
    pub referrer: String,
}

/// A tick: JSON's true or false, or a form's checkbox, which sends its value ("on") only when
/// ticked.
fn ticked<'de, D: serde::Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Tick {
        Bool(bool),
        Text(String),
        Null(()),
    }
    Ok(match Tick::deserialize(de)? {
        Tick::Bool(b) => b,
        Tick::Text(text) => !matches!(text.trim(), "" | "false" | "0" | "off" | "no"),
        Tick::Null(()) => false,
    })
}

/// What happened to an accepted submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = LeadOutcome))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new deal (and perhaps a new contact).
    NewLead,
    /// A known contact with an open deal: the inquiry joined that deal.
    ReturningLead,
    /// The same content again within minutes: nothing new was created.
    Resubmission,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NewLead => "new_lead",
            Outcome::ReturningLead => "returning_lead",
            Outcome::Resubmission => "resubmission",
        }
    }
}

/// A lead taken: what it became, and who has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Accepted {
    pub outcome: Outcome,
    pub contact_id: i64,
    pub deal_id: i64,
    pub owner_id: Option<i64>,
}

/// A lead waiting for its first answer, as an agent's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLead {
    pub deal_id: i64,
    pub contact_name: String,
    pub phone: Option<String>,
    pub need: Need,
    pub source: String,
    pub owner_name: Option<String>,
    /// Minutes since the lead arrived, computed on the server.
    pub waiting_minutes: i64,
}

/// "5 min", "2 h 10 min", "3 days": how long someone has waited, in the reader's language.
pub fn waited(minutes: i64) -> String {
    crate::language::current().waited(minutes)
}

/// The number without its extension (`+442034567890;ext=456` is `+442034567890`).
pub fn phone_number(stored: &str) -> &str {
    stored.split(';').next().unwrap_or(stored)
}

/// A stored number as people read it: `+442034567890;ext=456` is "+442034567890 ext. 456".
pub fn phone_text(stored: &str) -> String {
    match stored.split_once(";ext=") {
        Some((number, ext)) => format!("{number} ext. {ext}"),
        None => stored.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn form_settings_read_once_for_the_page_and_the_api() {
        let json: FormInput = serde_json::from_str(r#"{"slug":"open-day","title":"Open day","fixed_agent_id":7}"#).unwrap();
        let settings = json.clone().settings().unwrap();
        assert_eq!((settings.default_need, settings.assignment, settings.fixed_agent_id), (Need::Buy, Assignment::RoundRobin, Some(7)));
        assert!(settings.show_message && settings.active && !settings.show_budget);
        // What the page's select sends reads the same as the API's number.
        let page = FormInput { fixed_agent_id: "7".into(), ..json.clone() };
        assert_eq!(page.settings().unwrap(), settings);
        // Every bad choice is named at once.
        let bad = FormInput { default_need: "swap".into(), assignment: "lottery".into(), fixed_agent_id: "Ana".into(), ..json };
        let err = bad.settings().unwrap_err();
        for field in ["default_need", "assignment", "fixed_agent_id"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn a_lead_reads_the_same_from_a_form_and_from_json() {
        let form = [("name", "Ana"), ("budget_min", "250k"), ("consent", "yes"), ("website", ""), ("t", "token")];
        let from_form = LeadInput::deserialize(serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(form.into_iter())).unwrap();
        let from_json: LeadInput = serde_json::from_str(r#"{"name":"Ana","budget_min":"250k","consent":true}"#).unwrap();
        assert_eq!(from_form, from_json);
        assert_eq!((from_form.budget_min.as_str(), from_form.consent), ("250k", true));
        // Whole numbers are read as typed; a fraction or a tick where an amount goes is text no
        // amount matches, so the rules refuse it by its field; null and a missing field are empty.
        let numbers: LeadInput = serde_json::from_str(r#"{"budget_min":250000,"budget_max":1.5,"consent":null}"#).unwrap();
        assert_eq!((numbers.budget_min.as_str(), numbers.budget_max.as_str(), numbers.consent), ("250000", "?", false));
        let bad: LeadInput = serde_json::from_str(r#"{"budget_min":true,"budget_max":null}"#).unwrap();
        assert_eq!((bad.budget_min.as_str(), bad.budget_max.as_str()), ("?", ""));
        let unticked = LeadInput::deserialize(serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new([("name", "Ana")].into_iter())).unwrap();
        assert!(!unticked.consent);
    }

    #[test]
    fn needs_and_rules_round_trip_through_their_names() {
        for need in Need::ALL {
            assert_eq!(Need::parse(need.as_str()).unwrap(), need);
        }
        for rule in Assignment::ALL {
            assert_eq!(Assignment::parse(rule.as_str()).unwrap(), rule);
        }
        assert!(Need::parse("steal").is_err());
    }

    #[test]
    fn waiting_time_reads_like_a_person_would_say_it() {
        assert_eq!(waited(0), "just now");
        assert_eq!(waited(5), "5 min");
        assert_eq!(waited(120), "2 h");
        assert_eq!(waited(130), "2 h 10 min");
        assert_eq!(waited(60 * 24 * 3), "3 days");
    }
}
