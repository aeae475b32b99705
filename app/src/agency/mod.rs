//! The agency this installation serves: its name and default time zone.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
pub use service::*;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub name: String,
    pub time_zone: String,
    /// ISO 3166 country code used for phone numbers typed without a country code.
    pub default_region: String,
    /// The language of people who chose none ("en", "es").
    pub language: String,
}

/// The name an installation made from the command line has until an administrator gives it
/// its own; the first admin is asked for it on logging in.
pub const UNNAMED: &str = "Your agency";

impl Agency {
    /// Whether an administrator still has to name the agency.
    pub fn needs_naming(&self) -> bool {
        self.name == UNNAMED
    }

    /// What pages and forms show until the first administrator names the agency (and if the
    /// database cannot be read).
    pub fn unnamed() -> Agency {
        Agency { name: "Doorstep".into(), time_zone: "UTC".into(), default_region: "ES".into(), language: "en".into() }
    }
}

pub fn parse_agency_name(input: &str) -> Result<String, String> {
    let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match value.chars().count() {
        0 => Err(crate::language::t("agency-enter-the-agency-name")),
        1..=80 => Ok(value),
        _ => Err(crate::language::t("agency-keep-the-agency-name-under")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_name_is_required_and_tidied() {
        assert_eq!(parse_agency_name("  Costa   Homes ").unwrap(), "Costa Homes");
        assert!(parse_agency_name(" ").is_err());
    }
}
