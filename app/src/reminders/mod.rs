//! Follow-ups: reminders on deals, the presets agents set them with, and the scheduler that
//! delivers each due reminder exactly once. The types here cross the wire.

#[cfg(feature = "ssr")]
pub mod alerts;
pub mod api;
#[cfg(feature = "ssr")]
pub mod calendar;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod scheduler;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

/// A reminder counts as delivered late when the scheduler reaches it this long after it was
/// due (the server was down, or busy).
pub const LATE_AFTER_MINUTES: i64 = 5;

/// How a follow-up is done. Stored by its `as_str` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
#[cfg_attr(feature = "ssr", schema(as = ReminderKind))]
pub enum Kind {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "call"))]
    Call,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "whatsapp"))]
    Whatsapp,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "email"))]
    Email,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "viewing"))]
    Viewing,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "other"))]
    Other,
}

/// Where a follow-up stands: waiting to be done, done, or cancelled (by hand, or because its
/// deal was won or lost). Stored by its `as_str` name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum, utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(sea_orm::sea_query::StringLen::None)"))]
#[cfg_attr(feature = "ssr", schema(as = ReminderState))]
pub enum State {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "pending"))]
    Pending,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "done"))]
    Done,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "cancelled"))]
    Cancelled,
}

impl State {
    pub const ALL: [State; 3] = [State::Pending, State::Done, State::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Done => "done",
            State::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<State, String> {
        State::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| crate::language::t("reminders-use-pending-done-or-cancelled"))
    }
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Call, Kind::Whatsapp, Kind::Email, Kind::Viewing, Kind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Call => "call",
            Kind::Whatsapp => "whatsapp",
            Kind::Email => "email",
            Kind::Viewing => "viewing",
            Kind::Other => "other",
        }
    }

    /// The title of a follow-up of this kind given none: "Call back".
    pub fn back(self) -> String {
        crate::language::t(match self {
            Kind::Call => "reminders-back-call",
            Kind::Whatsapp => "reminders-back-whatsapp",
            Kind::Email => "reminders-back-email",
            Kind::Viewing => "reminders-back-viewing",
            Kind::Other => "reminders-back-other",
        })
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Kind::Call => "reminders-label-call",
            Kind::Whatsapp => "reminders-label-whatsapp",
            Kind::Email => "reminders-label-email",
            Kind::Viewing => "reminders-label-viewing",
            Kind::Other => "reminders-label-other",
        })
    }

    pub fn parse(raw: &str) -> Result<Kind, String> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or_else(|| crate::language::t("reminders-choose-a-kind"))
    }
}

/// The one-tap due times on a phone, in the assignee's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = ReminderPreset, rename_all = "snake_case"))]
pub enum Preset {
    InAnHour,
    ThisEvening,
    #[cfg_attr(feature = "ssr", schema(rename = "tomorrow_9"))]
    TomorrowMorning,
    #[cfg_attr(feature = "ssr", schema(rename = "in_3_days"))]
    InThreeDays,
    NextMonday,
}

impl Preset {
    pub const ALL: [Preset; 5] = [Preset::InAnHour, Preset::ThisEvening, Preset::TomorrowMorning, Preset::InThreeDays, Preset::NextMonday];

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::InAnHour => "in_an_hour",
            Preset::ThisEvening => "this_evening",
            Preset::TomorrowMorning => "tomorrow_9",
            Preset::InThreeDays => "in_3_days",
            Preset::NextMonday => "next_monday",
        }
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Preset::InAnHour => "reminders-label-in-an-hour",
            Preset::ThisEvening => "reminders-label-this-evening",
            Preset::TomorrowMorning => "reminders-label-tomorrow-morning",
            Preset::InThreeDays => "reminders-label-in-three-days",
            Preset::NextMonday => "reminders-label-next-monday",
        })
    }

    pub fn parse(raw: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.as_str() == raw.trim())
    }
}

/// A pending reminder as a deal page or Today shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderView {
    pub id: i64,
    pub deal_id: i64,
    pub contact_name: String,
    pub title: String,
    pub kind: Kind,
    /// The due time in the viewer's time zone.
    pub due: String,
    pub overdue: bool,
    pub assignee: String,
    /// What to say, from a follow-up plan's step.
    pub message: Option<String>,
}

/// A deal's follow-ups as its page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealFollowUps {
    pub pending: Vec<ReminderView>,
    /// Open deals need a next step; closed ones do not.
    pub open: bool,
    /// Whether the viewer may change the deal's follow-ups.
    pub editable: bool,
    /// The plans the viewer may start on the deal.
    pub plans: Vec<crate::plans::PlanChoice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_read_back_what_they_write_and_refuse_the_rest() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Ok(kind));
        }
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Ok(state));
        }
        assert!(State::parse("open").is_err());
        assert!(Kind::parse("fax").is_err());
    }
}
