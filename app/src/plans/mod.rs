//! Follow-up plans: a named sequence of steps an admin defines ("call at once, WhatsApp the
//! next morning, call again on day 3"). Applied to a deal, each step becomes a reminder;
//! winning or losing the deal cancels what is left. A capture form or a stage can start a
//! plan by itself. The types here cross the wire.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

use crate::reminders::Kind;

/// The longest offset a step may have: a year.
pub const MAX_OFFSET_MINUTES: i32 = 366 * 24 * 60;

/// A plan as the admin page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub steps: Vec<StepView>,
    /// What starts it by itself: "Form: Website", "Stage: Viewing".
    pub started_by: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: i64,
    pub offset_minutes: i32,
    pub at_time: Option<String>,
    pub kind: Kind,
    pub title: String,
    pub message: String,
}

impl StepView {
    pub fn when(&self) -> String {
        when(self.offset_minutes, self.at_time.as_deref())
    }
}

/// A plan an agent may start on a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanChoice {
    pub id: i64,
    pub name: String,
    pub steps: usize,
}

/// When a step falls, in words and the reader's language: "At once", "After 2 hours",
/// "Day 3 at 09:00".
pub fn when(offset_minutes: i32, at_time: Option<&str>) -> String {
    use crate::language::{t, t_with};
    let days = offset_minutes / (24 * 60);
    match at_time {
        Some(at) if days == 0 => t_with("plans-when-same-day", &[("at", at.into())]),
        Some(at) if days == 1 => t_with("plans-when-next-day", &[("at", at.into())]),
        Some(at) => t_with("plans-when-day", &[("days", days.into()), ("at", at.into())]),
        None if offset_minutes == 0 => t("plans-when-at-once"),
        None if offset_minutes % (24 * 60) == 0 => t_with("plans-when-after-days", &[("n", days.into())]),
        None if offset_minutes % 60 == 0 => t_with("plans-when-after-hours", &[("n", (offset_minutes / 60).into())]),
        None => t_with("plans-when-after-minutes", &[("n", offset_minutes.into())]),
    }
}

/// An offset as typed: an amount and a unit (minutes, hours, days).
pub fn offset_of(amount: &str, unit: &str) -> Result<i32, String> {
    let amount: i32 = amount.trim().parse().map_err(|_| crate::language::t("plans-give-a-whole-number"))?;
    let per = match unit.trim() {
        "minutes" => 1,
        "hours" => 60,
        "days" => 24 * 60,
        _ => return Err(crate::language::t("plans-choose-minutes-hours-or-days")),
    };
    match amount.checked_mul(per) {
        Some(minutes) if (0..=MAX_OFFSET_MINUTES).contains(&minutes) => Ok(minutes),
        _ => Err(crate::language::t("plans-keep-the-offset-within-a-year")),
    }
}

/// The placeholders a step's message may use, as the admin page lists them.
pub const PLACEHOLDERS: &[(&str, &str)] = crate::templates::PLACEHOLDERS.split_at(4).0;

/// A step's message with the deal's names filled in, as message templates fill them.
/// Unknown placeholders stay as typed.
pub fn render(template: &str, client: &str, agent: &str, agency: &str) -> String {
    let with = crate::templates::Filling { name: client.into(), agent: agent.into(), agency: agency.into(), property: None, link: None };
    crate::templates::fill(template, &with).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_as_people_say_them() {
        assert_eq!(when(0, None), "At once");
        assert_eq!(when(120, None), "After 2 hours");
        assert_eq!(when(45, None), "After 45 minutes");
        assert_eq!(when(3 * 24 * 60, None), "After 3 days");
        assert_eq!(when(24 * 60, Some("09:00")), "Next day at 09:00");
        assert_eq!(when(3 * 24 * 60, Some("09:30")), "Day 3 at 09:30");
        assert_eq!(when(0, Some("18:00")), "Same day at 18:00");
        #[cfg(feature = "ssr")]
        {
            let spanish = crate::language::Language::parse("es").unwrap();
            assert_eq!(crate::language::for_reader_now(spanish.clone(), || when(120, None)), "Al cabo de 2 horas");
            assert_eq!(crate::language::for_reader_now(spanish.clone(), || when(24 * 60, None)), "Al cabo de 1 día");
            assert_eq!(crate::language::for_reader_now(spanish, || when(3 * 24 * 60, Some("09:30"))), "Día 3 a las 09:30");
        }
    }

    #[test]
    fn typed_offsets_are_checked() {
        assert_eq!(offset_of("2", "hours"), Ok(120));
        assert_eq!(offset_of(" 3 ", "days"), Ok(3 * 24 * 60));
        assert!(offset_of("-1", "days").is_err());
        assert!(offset_of("400", "days").is_err());
        assert!(offset_of("two", "days").is_err());
        assert!(offset_of("2", "weeks").is_err());
        assert!(offset_of("99999999", "days").is_err(), "no overflow");
    }

    #[test]
    fn messages_get_the_names_filled_in() {
        assert_eq!(
            render("Hola {first_name}, soy {agent} de {agency}. {unknown}", "José Núñez", "Ana López", "Costa Blanca Homes"),
            "Hola José, soy Ana López de Costa Blanca Homes. {unknown}"
        );
        assert_eq!(render("Hi {first_name}", "", "Ana", "X"), "Hi ");
    }
}
