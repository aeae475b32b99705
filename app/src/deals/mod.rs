//! The deal workspace: the pipeline, the deal page, the timeline, claims on the reply and
//! versioned edits. The types here cross the wire; the rules are in `service`.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::capture::Need;

/// A field of a deal as its history records it ("stage", "contact name"), in the reader's
/// words; a field without a message (recorded by an older release) as it was stored.
pub fn field_label(field: &str) -> String {
    let key = match field {
        "stage" => "deals-field-stage",
        "owner" => "deals-field-owner",
        "lost_reason" => "deals-field-lost-reason",
        "won_value" => "deals-field-won-value",
        "contact name" => "deals-field-contact-name",
        "contact phone" => "deals-field-contact-phone",
        "contact e-mail" => "deals-field-contact-email",
        "contact WhatsApp" => "deals-field-contact-whatsapp",
        other => return other.replace('_', " "),
    };
    crate::language::t(key)
}

/// How long "I'm replying" holds before it lapses on its own.
pub const CLAIM_MINUTES: i64 = 5;

/// Deals per page of one stage.
pub const PAGE_SIZE: u64 = 50;

/// Matches per page of a search's list.
pub const SEARCH_PAGE_SIZE: u64 = 25;

/// The most deals a search counts. A name that thousands of clients share (at 100,000 deals
/// "lopez" finds 3,300) is counted over the deals of its newest clients up to this many, and
/// the page asks for more of the name: an agent searches for one client, and counting every
/// López exactly cost more than the whole page may (docs/benchmarks.md).
pub const SEARCH_LIMIT: usize = 500;

/// What a stage means: deals still being worked, won, or lost. Stored as its word ("open",
/// "won", "lost") through SeaORM's active enum, so a row with any other word is an error when
/// read, not a stage silently taken for open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
pub enum StageKind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "open"))]
    Open,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "won"))]
    Won,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "lost"))]
    Lost,
}

impl StageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::Open => "open",
            StageKind::Won => "won",
            StageKind::Lost => "lost",
        }
    }

    pub fn parse(raw: &str) -> Result<StageKind, String> {
        match raw.trim() {
            "open" => Ok(StageKind::Open),
            "won" => Ok(StageKind::Won),
            "lost" => Ok(StageKind::Lost),
            _ => Err(crate::language::t("deals-choose-open-won-or-lost")),
        }
    }
}

/// A stage with what it holds under the current filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageInfo {
    pub id: i64,
    pub name: String,
    pub position: i32,
    pub kind: StageKind,
    pub stale_after_days: Option<i32>,
    pub deals: u64,
    /// Budgets of open deals and final values of won ones, per currency.
    pub value: Vec<Money>,
}

/// A deal's id, where it stands beside other ids and a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DealId(pub i64);

/// A version of a deal: every edit makes the next one, and a change names the version it is
/// based on, so that nobody overwrites what they have not seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(pub i64);

/// A move to another stage, with what that stage needs: a reason from the admin's list for a
/// lost stage, the final value (as typed) for a won one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageMove {
    pub stage_id: i64,
    pub lost_reason: Option<String>,
    pub won_value: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    /// Adds `minor` in `currency` to amounts kept one per currency, in currency order; a zero
    /// adds nothing.
    pub fn add_to(list: &mut Vec<Money>, currency: &str, minor: i64) {
        if minor == 0 {
            return;
        }
        match list.iter_mut().find(|m| m.currency == currency) {
            Some(m) => m.minor += minor,
            None => list.push(Money { minor, currency: currency.to_owned() }),
        }
        list.sort_by(|a, b| a.currency.cmp(&b.currency));
    }
}

/// Who is answering the client right now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub user_id: i64,
    pub name: String,
    pub until: DateTime<Utc>,
}

/// One deal as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealCard {
    pub id: i64,
    pub contact_name: String,
    pub phone: Option<String>,
    pub need: Need,
    pub budget: Option<String>,
    pub owner_name: Option<String>,
    pub stage_id: i64,
    pub source: String,
    /// "3 h", "2 days": since the deal was created when nobody has answered yet, else since
    /// it last changed.
    pub age: String,
    pub unanswered: bool,
    pub stale: bool,
    pub claim: Option<Claim>,
}

/// A column of the board, or the one stage a phone shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub stage: StageInfo,
    pub deals: Vec<DealCard>,
    pub page: u64,
    pub pages: u64,
}

/// A search's answer: one list of its matches, newest first, in every stage or in the one
/// chosen; each stage's count and worth are in the pipeline's columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matches {
    pub deals: Vec<DealCard>,
    /// How many deals the list has, over its pages.
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    /// More deals match than a search counts ([`SEARCH_LIMIT`]): the counts are of the
    /// newest clients' deals.
    pub capped: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    /// Every stage with its count and worth; without a search, each with a page of its deals
    /// (a phone shows the selected one, a wide screen all of them as a board).
    pub columns: Vec<Column>,
    /// The stage a phone shows; in a search, the stage its list is narrowed to, or 0 for all.
    pub selected: i64,
    pub everyone: bool,
    pub may_see_everyone: bool,
    pub sources: Vec<String>,
    /// A search's list, which takes the board's place.
    pub matches: Option<Matches>,
}

/// What the pipeline shows: from the page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineQuery {
    pub stage: Option<i64>,
    pub everyone: bool,
    pub source: Option<String>,
    pub search: Option<String>,
    pub page: u64,
}

/// A typed timeline entry, with the time already in the viewer's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub direction: String,
    pub author: Option<String>,
    pub at: String,
    pub body: String,
    /// A file the entry carried: its address (for the team only) and its name.
    pub attachment: Option<(String, String)>,
}

/// One audited change, for a manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub version: i64,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub by: Option<String>,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
    pub language: Option<String>,
    pub marketing_consent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// Everything the deal page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealView {
    pub id: i64,
    pub version: i64,
    pub contact: ContactCard,
    pub need: Need,
    pub budget: Option<String>,
    pub property_ref: Option<String>,
    pub move_in: Option<String>,
    pub source: String,
    pub created: String,
    pub first_response: Option<String>,
    pub stage_id: i64,
    pub stages: Vec<StageInfo>,
    pub lost_reason: Option<String>,
    pub won_value: Option<String>,
    pub currency: String,
    pub lost_reasons: Vec<String>,
    pub owner: Option<Person>,
    /// Who a manager may hand the deal to; empty for an agent.
    pub assignable: Vec<Person>,
    pub claim: Option<Claim>,
    /// Whether the viewer may change this deal: agents their own and unassigned deals,
    /// managers all. Others see it read-only.
    pub editable: bool,
    /// The viewer's own id, to tell "you are replying" from "Ana is replying".
    pub viewer_id: i64,
    /// The greeting a WhatsApp message starts with: "Hello Marta, this is Ana from Costa
    /// Blanca Homes about your inquiry."
    pub greeting: String,
    pub timeline: Vec<TimelineEntry>,
    /// The audit history, for managers only (empty for agents).
    pub history: Vec<Change>,
}

/// What a quick outcome button records on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Outcome {
    CalledNoAnswer,
    CalledSpoke,
    WhatsappSent,
    EmailSent,
    ViewingBooked,
    PaymentReceived,
    Complaint,
    Question,
    Note,
}

impl Outcome {
    pub const BUTTONS: [Outcome; 8] = [
        Outcome::CalledNoAnswer,
        Outcome::CalledSpoke,
        Outcome::WhatsappSent,
        Outcome::EmailSent,
        Outcome::ViewingBooked,
        Outcome::PaymentReceived,
        Outcome::Complaint,
        Outcome::Question,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::CalledNoAnswer => "called_no_answer",
            Outcome::CalledSpoke => "called_spoke",
            Outcome::WhatsappSent => "whatsapp_sent",
            Outcome::EmailSent => "email_sent",
            Outcome::ViewingBooked => "viewing_booked",
            Outcome::PaymentReceived => "payment_received",
            Outcome::Complaint => "complaint",
            Outcome::Question => "question",
            Outcome::Note => "note",
        }
    }

    pub fn parse(raw: &str) -> Result<Outcome, String> {
        Outcome::BUTTONS
            .into_iter()
            .chain([Outcome::Note])
            .find(|o| o.as_str() == raw.trim())
            .ok_or_else(|| crate::language::t("deals-choose-what-happened"))
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Outcome::CalledNoAnswer => "deals-label-called-no-answer",
            Outcome::CalledSpoke => "deals-label-called-spoke",
            Outcome::WhatsappSent => "deals-label-whatsapp-sent",
            Outcome::EmailSent => "deals-label-email-sent",
            Outcome::ViewingBooked => "deals-label-viewing-booked",
            Outcome::PaymentReceived => "deals-label-payment-received",
            Outcome::Complaint => "deals-label-complaint",
            Outcome::Question => "deals-label-question",
            Outcome::Note => "deals-label-note",
        })
    }

    /// The timeline type and direction it becomes.
    pub fn activity(self) -> (ActivityKind, Direction) {
        match self {
            Outcome::CalledNoAnswer | Outcome::CalledSpoke => (ActivityKind::Call, Direction::Out),
            Outcome::WhatsappSent => (ActivityKind::Whatsapp, Direction::Out),
            Outcome::EmailSent => (ActivityKind::Email, Direction::Out),
            Outcome::ViewingBooked => (ActivityKind::Viewing, Direction::Out),
            Outcome::PaymentReceived => (ActivityKind::Payment, Direction::In),
            Outcome::Complaint => (ActivityKind::Complaint, Direction::In),
            Outcome::Question => (ActivityKind::Question, Direction::In),
            Outcome::Note => (ActivityKind::Note, Direction::Internal),
        }
    }

    /// Whether the agency reached out to the client: the first one answers the lead.
    pub fn answers_the_client(self) -> bool {
        matches!(self, Outcome::CalledSpoke | Outcome::WhatsappSent | Outcome::EmailSent | Outcome::ViewingBooked | Outcome::CalledNoAnswer)
    }
}

/// What a timeline entry records. Stored by its word through SeaORM's active enum, so that a
/// row with a word no code writes is an error when read, not an entry shown as something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
pub enum ActivityKind {
    /// A lead's first message, from a form, the API, WhatsApp or an import.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "inquiry"))]
    Inquiry,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "note"))]
    Note,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "call"))]
    Call,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "whatsapp"))]
    Whatsapp,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "email"))]
    Email,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "viewing"))]
    Viewing,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "booking"))]
    Booking,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "payment"))]
    Payment,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "complaint"))]
    Complaint,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "question"))]
    Question,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "stage_change"))]
    StageChange,
    /// A presentation sent to the client.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "presentation"))]
    Presentation,
    /// The client opened a presentation.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "presentation_viewed"))]
    PresentationViewed,
    /// Doorstep's own record (a follow-up done).
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "system"))]
    System,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Inquiry => "inquiry",
            ActivityKind::Note => "note",
            ActivityKind::Call => "call",
            ActivityKind::Whatsapp => "whatsapp",
            ActivityKind::Email => "email",
            ActivityKind::Viewing => "viewing",
            ActivityKind::Booking => "booking",
            ActivityKind::Payment => "payment",
            ActivityKind::Complaint => "complaint",
            ActivityKind::Question => "question",
            ActivityKind::StageChange => "stage_change",
            ActivityKind::Presentation => "presentation",
            ActivityKind::PresentationViewed => "presentation_viewed",
            ActivityKind::System => "system",
        }
    }

    /// How the timeline names it.
    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            ActivityKind::Inquiry => "deals-label-inquiry",
            ActivityKind::Note => "deals-label-note",
            ActivityKind::Call => "deals-label-call",
            ActivityKind::Whatsapp => "deals-label-whatsapp",
            ActivityKind::Email => "deals-label-email",
            ActivityKind::Viewing => "deals-label-viewing",
            ActivityKind::Booking => "deals-label-booking",
            ActivityKind::Payment => "deals-label-payment",
            ActivityKind::Complaint => "deals-label-complaint",
            ActivityKind::Question => "deals-label-question",
            ActivityKind::StageChange => "deals-label-stage-change",
            ActivityKind::Presentation => "deals-label-presentation",
            ActivityKind::PresentationViewed => "deals-label-presentation-viewed",
            ActivityKind::System => "deals-label-system",
        })
    }
}

/// Which way a timeline entry went: from the client, to the client, or within the agency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
pub enum Direction {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "in"))]
    In,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "out"))]
    Out,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "internal"))]
    Internal,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Internal => "internal",
        }
    }
}

/// An amount in minor units as the reader writes it: "€250,000", "CHF 1,200.50";
/// "250.000 €" in Spanish.
pub fn money(minor: i64, currency: &str) -> String {
    crate::language::current().money(minor, currency)
}

/// A stage total in a few characters: "€1.2M", "€850k"; "1,2 M €" in Spanish.
pub fn money_short(minor: i64, currency: &str) -> String {
    crate::language::current().money_short(minor, currency)
}

/// A budget range as a card shows it.
pub fn budget(min: Option<i64>, max: Option<i64>, currency: &str) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a != b => Some(format!("{} – {}", money(a, currency), money(b, currency))),
        (Some(a), _) => Some(money(a, currency)),
        (None, Some(b)) => Some(crate::language::t_with("money-up-to", &[("amount", money(b, currency).into())])),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(25_000_000, "EUR"), "€250,000");
        assert_eq!(money(120_050, "GBP"), "£1,200.50");
        assert_eq!(money(99, "CHF"), "CHF 0.99");
        assert_eq!(money_short(125_000_000, "EUR"), "€1.2M");
        assert_eq!(money_short(85_000_000, "EUR"), "€850k");
        assert_eq!(budget(Some(25_000_000), Some(35_000_000), "EUR").as_deref(), Some("€250,000 – €350,000"));
        assert_eq!(budget(None, Some(100_000), "EUR").as_deref(), Some("up to €1,000"));
    }

    #[test]
    fn every_outcome_round_trips_and_only_contact_answers_a_lead() {
        for o in Outcome::BUTTONS.into_iter().chain([Outcome::Note]) {
            assert_eq!(Outcome::parse(o.as_str()), Ok(o));
        }
        assert!(Outcome::parse("hug").is_err());
        assert!(!Outcome::Note.answers_the_client());
        assert!(!Outcome::Complaint.answers_the_client());
        assert!(Outcome::WhatsappSent.answers_the_client());
    }
}
