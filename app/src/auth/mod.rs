//! Accounts, roles and sessions: the types shared by server and browser.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a user may do. Each role includes the ones below it: an admin can do everything a
/// manager can, a manager everything an agent can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Agent, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Its name in the page's language (English outside a page).
    pub fn label(self) -> String {
        crate::language::t(match self {
            Role::Agent => "role-agent",
            Role::Manager => "role-manager",
            Role::Admin => "role-admin",
        })
    }

    pub fn parse(input: &str) -> Result<Role, String> {
        match input.trim().to_ascii_lowercase().as_str() {
            "agent" => Ok(Role::Agent),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            _ => Err(crate::language::t("auth-choose-a-role")),
        }
    }

    pub fn includes(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An e-mail address, trimmed and lower-cased so that one person has one account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, crate::language::Text> {
        use crate::language::Text;
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(Text::new("email-error-empty"));
        }
        if value.len() > 254 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Text::new("email-error-spaces"));
        }
        let (local, domain) = value
            .rsplit_once('@')
            .ok_or_else(|| Text::new("email-error-at"))?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(Text::new("email-error-incomplete"));
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name.
pub fn parse_name(input: &str) -> Result<String, String> {
    let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
    match value.chars().count() {
        0 => Err(crate::language::t("auth-enter-a-name")),
        1..=100 => Ok(value),
        _ => Err(crate::language::t("auth-keep-the-name-under")),
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Length is what makes a password strong; composition rules only make it harder to remember.
pub fn check_password(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(crate::language::t_with("auth-use-at-least-characters", &[("min", MIN_PASSWORD_CHARS.into())]));
    }
    if chars > 256 {
        return Err(crate::language::t("auth-use-at-most-256-characters"));
    }
    if password.trim().is_empty() {
        return Err(crate::language::t("auth-password-cannot-be-only-spaces"));
    }
    Ok(())
}

/// A staff phone number in E.164 (`+` and 8 to 15 digits). Spaces, dots, dashes and
/// brackets are accepted and removed; a leading `00` is read as `+`.
pub fn parse_staff_phone(input: &str) -> Result<Option<String>, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let compact: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
        .collect();
    let digits = compact
        .strip_prefix('+')
        .or_else(|| compact.strip_prefix("00"))
        .ok_or_else(|| crate::language::t("auth-start-with-the-country-code"))?;
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(crate::language::t("auth-phone-only-digits-after-plus"));
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(crate::language::t("auth-enter-the-full-number"));
    }
    Ok(Some(format!("+{digits}")))
}

/// The logged-in user as pages and server functions see it. Deliberately holds no password
/// hash or session token: this struct is serialised to the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub time_zone: String,
    /// The language pages are in: the person's own choice, else the agency's ("es").
    pub language: String,
}

/// One of the viewer's own live sessions: where and when it was last used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    /// "Chrome on Android", from the browser that logged in.
    pub device: String,
    /// The address it logged in from.
    pub address: Option<String>,
    /// In the viewer's time zone.
    pub last_seen: String,
    pub started: String,
    /// The session this page was asked for with.
    pub current: bool,
}

/// One row of the admin's user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: Role,
    pub time_zone: String,
    pub away: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A colleague as every logged-in user sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub phone: Option<String>,
    pub away: bool,
}

/// A new account as typed into a form or the CLI, before validation.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NewUserInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    pub time_zone: String,
    pub password: String,
}

/// Messages for the login page, chosen by a code in its URL so that nothing a link
/// carries is ever shown as text.
pub fn login_message(code: &str) -> Option<String> {
    match code {
        "invalid" => Some(crate::language::t("auth-email-and-password-do-not-match")),
        "throttled" => Some(crate::language::t("auth-too-many-failed-attempts")),
        "missing" => Some(crate::language::t("auth-enter-your-email-and-password")),
        "expired" => Some(crate::language::t("auth-session-has-ended")),
        "logged_out" => Some(crate::language::t("auth-you-have-logged-out")),
        "setup_done" => Some(crate::language::t("auth-agency-is-ready")),
        _ => None,
    }
}

/// Where to go after logging in: only paths on this site, never another host.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Ana@Agency.COM ").unwrap().as_str(), "ana@agency.com");
    }

    #[test]
    fn email_without_at_or_domain_dot_is_refused() {
        for bad in ["", "ana", "ana@", "@agency.com", "ana@agency", "ana @agency.com", "ana@.com", "ana@agency..com"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn roles_include_the_roles_below_them() {
        assert!(Role::Admin.includes(Role::Manager));
        assert!(Role::Manager.includes(Role::Agent));
        assert!(!Role::Agent.includes(Role::Manager));
        assert!(!Role::Manager.includes(Role::Admin));
        assert_eq!(Role::parse(" Manager ").unwrap(), Role::Manager);
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn short_or_blank_passwords_are_refused() {
        assert!(check_password("short").is_err());
        assert!(check_password("          ").is_err());
        assert!(check_password("correct horse battery").is_ok());
    }

    #[test]
    fn staff_phone_is_normalised_to_e164() {
        assert_eq!(parse_staff_phone("+34 612-345-678").unwrap().as_deref(), Some("+34612345678"));
        assert_eq!(parse_staff_phone("0044 (20) 7946 0958").unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(parse_staff_phone("  ").unwrap(), None);
        assert!(parse_staff_phone("612345678").is_err());
        assert!(parse_staff_phone("+34 61a").is_err());
        assert!(parse_staff_phone("+1234").is_err());
    }

    #[test]
    fn names_collapse_whitespace_and_have_a_limit() {
        assert_eq!(parse_name("  Ana   Lopez ").unwrap(), "Ana Lopez");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn next_path_never_leaves_the_site() {
        assert_eq!(safe_next("/admin/users"), "/admin/users");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
