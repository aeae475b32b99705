//! From what a prospect typed to what Doorstep stores: E.164 phones, lower-cased e-mails,
//! tidy names, money in minor units. Each parser says what to fix when it refuses.

use chrono::NaiveDate;

use super::{LeadInput, Need};
#[cfg(test)]
use super::{phone_number, phone_text};
use crate::auth::{Email, parse_name};
use crate::common::parse_money;
use crate::error::{AppError, Validator};
use crate::language::{Language, Text};

pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A phone number as Doorstep keeps it: E.164 (`+34612345678`), and `;ext=456` after it when
/// it has an extension (RFC 3966). Only [`parse_phone`] makes one, so a `Phone` is always a
/// valid number; it is stored and shown as its text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Whether it has an extension, which WhatsApp cannot dial.
    pub fn has_extension(&self) -> bool {
        self.0.contains(";ext=")
    }
}

impl std::ops::Deref for Phone {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

/// A phone number in E.164, read with `region` (ISO 3166, e.g. "ES") when it has no country
/// code, as people write it: "+44 (0)7400 123456" (the trunk 0 that must be dropped after a
/// country code), an extension after `x`, `ext`, `ext.` or `#` (kept apart from the number,
/// as RFC 3966 writes it: `+442034567890;ext=456`), and Mexico's old mobile "1" after +52.
/// Empty input is `None`.
pub fn parse_phone(input: &str, region: &str) -> Result<Option<Phone>, Text> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > 40 {
        return Err(Text::new("phone-error-too-long"));
    }
    let (number, extension) = split_extension(trimmed)?;
    if number.chars().any(|c| c.is_alphabetic()) {
        return Err(Text::new("phone-error-characters"));
    }
    let number = without_trunk_zero(number);
    let number = without_mexican_mobile_one(&number);
    let country = region.parse::<phonenumber::country::Id>().ok();
    let parsed = phonenumber::parse(country, &number)
        .map_err(|_| Text::new("phone-error-country-code"))?;
    if !phonenumber::is_valid(&parsed) {
        return Err(Text::new("phone-error-incomplete"));
    }
    let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
    Ok(Some(Phone(match extension {
        Some(ext) => format!("{e164};ext={ext}"),
        None => e164,
    })))
}

/// A number WhatsApp can reach: as `parse_phone`, without an extension.
pub fn parse_whatsapp(input: &str, region: &str) -> Result<Option<Phone>, Text> {
    let number = parse_phone(input, region)?;
    if number.as_ref().is_some_and(Phone::has_extension) {
        return Err(Text::new("phone-error-whatsapp-extension"));
    }
    Ok(number)
}

/// The number and its extension: "+44 20 3456 7890 x456", "… ext. 456", "… #456".
fn split_extension(input: &str) -> Result<(&str, Option<String>), Text> {
    let lower = input.to_ascii_lowercase();
    let marker = ["ext.", "ext", "x", "#"].iter().filter_map(|m| lower.find(m).map(|at| (at, m.len()))).min_by_key(|(at, _)| *at);
    let Some((at, len)) = marker else { return Ok((input, None)) };
    let extension = input[at + len..].trim().trim_start_matches(['.', ':', '=']).trim();
    if extension.is_empty() || extension.len() > 7 || !extension.chars().all(|c| c.is_ascii_digit()) {
        return Err(Text::new("phone-error-extension"));
    }
    Ok((input[..at].trim_end().trim_end_matches([',', ';']).trim_end(), Some(extension.to_owned())))
}

/// "+44 (0)7400 123456" is +44 7400 123456: the "(0)" is the trunk prefix dialled at home,
/// never after the country code. Without a country code it is the trunk 0 itself.
fn without_trunk_zero(number: &str) -> String {
    let international = number.starts_with('+') || number.starts_with("00");
    if !international {
        return number.replacen("(0)", "0", 1);
    }
    number.replacen("(0)", "", 1)
}

/// "+52 1 55 1234 5678" is +52 55 1234 5678: Mexico's mobile "1" was dropped in 2019, but
/// WhatsApp and people's address books still show it.
fn without_mexican_mobile_one(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let national = if number.starts_with('+') { digits.strip_prefix("52") } else { digits.strip_prefix("0052") };
    match national {
        Some(rest) if rest.len() == 11 && rest.starts_with('1') => format!("+52{}", &rest[1..]),
        _ => number.to_owned(),
    }
}

/// An ISO date (what `<input type=date>` sends). Empty input is `None`.
pub fn parse_date(input: &str) -> Result<Option<String>, Text> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .map_err(|_| Text::new("date-error"))
}

/// Up to `max` characters; longer is refused with the message `too_long`, given `max`.
fn limited(input: &str, max: usize, too_long: &'static str) -> Result<Option<String>, Text> {
    let trimmed = input.trim();
    match trimmed.chars().count() {
        0 => Ok(None),
        n if n <= max => Ok(Some(trimmed.to_owned())),
        _ => Err(Text::new(too_long).with("max", max)),
    }
}

/// Tracking data is not the prospect's to fix: overlong values are cut, never refused.
fn metadata(input: &str, max: usize) -> Option<String> {
    let trimmed = input.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(max).collect())
}

/// A lead that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidLead {
    pub name: String,
    /// A [`Phone`]'s E.164 text, as contacts keep it.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub need: Need,
    pub message: Option<String>,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub move_in: Option<String>,
    pub property_ref: Option<String>,
    pub consent: bool,
    pub language: Option<String>,
    pub utm: [Option<String>; 5],
    pub referrer: Option<String>,
}

/// Checks every field at once, so the prospect sees every problem in one go, each message in
/// `language` (the form's).
pub fn validate(input: &LeadInput, default_need: Need, region: &str, language: &Language) -> Result<ValidLead, AppError> {
    let mut v = Validator::default();
    let said = |text: Text| text.in_language(language);
    let name = v.check("name", parse_name(&input.name).map_err(|_| said(Text::new("capture-error-name"))));
    let phone = v.check("phone", parse_phone(&input.phone, region).map_err(said));
    let email = v.check(
        "email",
        if input.email.trim().is_empty() { Ok(None) } else { Email::parse(&input.email).map(|e| Some(e.as_str().to_owned())).map_err(said) },
    );
    if matches!((&phone, &email), (Some(None), Some(None))) {
        v.add("phone", said(Text::new("capture-error-reach")));
    }
    let need = if input.need.trim().is_empty() { Some(default_need) } else { v.check("need", Need::parse(&input.need).map_err(said)) };
    let message = v.check("message", limited(&input.message, MAX_MESSAGE_CHARS, "capture-error-message-length").map_err(said));
    let budget_min = v.check("budget_min", parse_money(&input.budget_min).map_err(said));
    let budget_max = v.check("budget_max", parse_money(&input.budget_max).map_err(said));
    if let (Some(Some(min)), Some(Some(max))) = (budget_min, budget_max)
        && min > max {
            v.add("budget_max", said(Text::new("capture-error-budget-order")));
        }
    let move_in = v.check("move_in", parse_date(&input.move_in).map_err(said));
    let property_ref = v.check("property_ref", limited(&input.property_ref, 50, "capture-error-reference-length").map_err(said));
    let (name, phone, email, need, message, budget_min, budget_max, move_in, property_ref) =
        v.finish_with((name, phone, email, need, message, budget_min, budget_max, move_in, property_ref))?;
    Ok(ValidLead {
        name,
        phone: phone.map(String::from),
        email,
        need,
        message,
        budget_min,
        budget_max,
        move_in,
        property_ref,
        consent: input.consent,
        language: metadata(&input.language, 16),
        utm: [
            metadata(&input.utm_source, 200),
            metadata(&input.utm_medium, 200),
            metadata(&input.utm_campaign, 200),
            metadata(&input.utm_term, 200),
            metadata(&input.utm_content, 200),
        ],
        referrer: metadata(&input.referrer, 500),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_become_e164_with_the_agency_country() {
        assert_eq!(parse_phone("612 345 678", "ES").unwrap().as_deref(), Some("+34612345678"));
        assert_eq!(parse_phone("+44 20 7946 0958", "ES").unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(parse_phone("0044 20 7946 0958", "ES").unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(parse_phone("(020) 7946 0958", "GB").unwrap().as_deref(), Some("+442079460958"));
        assert_eq!(parse_phone("  ", "ES").unwrap(), None);
    }

    #[test]
    fn phones_as_british_german_and_mexican_buyers_write_them() {
        let read = |input: &str| parse_phone(input, "ES").unwrap().map(String::from).unwrap_or_default();
        assert_eq!(read("+44 (0)7400 123456"), "+447400123456");
        assert_eq!(read("+44 (0) 20 3456 7890"), "+442034567890");
        assert_eq!(read("+49 (0)151 23456789"), "+4915123456789");
        assert_eq!(read("0049 (0)151 23456789"), "+4915123456789");
        assert_eq!(parse_phone("(0)20 3456 7890", "GB").unwrap().as_deref(), Some("+442034567890"), "at home, (0) is the trunk 0");
        assert_eq!(read("+44 20 3456 7890 x456"), "+442034567890;ext=456");
        assert_eq!(read("+44 20 3456 7890 ext. 456"), "+442034567890;ext=456");
        assert_eq!(read("+44 20 3456 7890 EXT 456"), "+442034567890;ext=456");
        assert_eq!(read("+44 20 3456 7890 #456"), "+442034567890;ext=456");
        assert_eq!(read("+52 1 55 1234 5678"), "+525512345678");
        assert_eq!(read("+52 55 1234 5678"), "+525512345678");
        assert_eq!(read("+521 33 1234 5678"), "+523312345678");
        assert_eq!(phone_number("+442034567890;ext=456"), "+442034567890");
        assert_eq!(phone_text("+442034567890;ext=456"), "+442034567890 ext. 456");
        assert_eq!(read("+442034567890;ext=456"), "+442034567890;ext=456", "a stored number reads back as itself");
        assert_eq!(read(&phone_text("+442034567890;ext=456")), "+442034567890;ext=456", "and as shown");
        assert!(parse_whatsapp("+44 20 3456 7890 x456", "ES").is_err());
        assert_eq!(parse_whatsapp("+44 7400 123456", "ES").unwrap().as_deref(), Some("+447400123456"));
    }

    #[test]
    fn impossible_phones_are_refused_with_a_hint() {
        for bad in ["+44 20 3456 7890 x", "+44 20 3456 7890 x12345678", "+44 20 3456 7890 xyz", "+44 (0)74"] {
            assert!(parse_phone(bad, "ES").is_err(), "{bad:?}");
        }
        for bad in ["123", "+34 12", "call me", "6123456789012345678"] {
            assert!(parse_phone(bad, "ES").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn money_is_read_as_people_write_it_into_minor_units() {
        assert_eq!(parse_money("250000").unwrap(), Some(25_000_000));
        assert_eq!(parse_money("€ 250.000").unwrap(), Some(25_000_000));
        assert_eq!(parse_money("250,000").unwrap(), Some(25_000_000));
        assert_eq!(parse_money("250k").unwrap(), Some(25_000_000));
        assert_eq!(parse_money("1.5m").unwrap(), Some(150_000_000));
        assert_eq!(parse_money("1,25M").unwrap(), Some(125_000_000));
        assert_eq!(parse_money("").unwrap(), None);
        for bad in ["12.50", "abc", "1.2.3k", "-5", "k"] {
            assert!(parse_money(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_lead_needs_a_name_and_a_way_to_reach_them() {
        let input = LeadInput { name: " ".into(), ..Default::default() };
        let err = validate(&input, Need::Buy, "ES", &Language::english()).unwrap_err();
        assert!(err.field_message("name").is_some());
        assert!(err.field_message("phone").unwrap().contains("phone number or an e-mail"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = LeadInput {
            name: "Ana".into(),
            phone: "12".into(),
            email: "ana-at-home".into(),
            budget_min: "300k".into(),
            budget_max: "200k".into(),
            move_in: "next year".into(),
            ..Default::default()
        };
        let err = validate(&input, Need::Buy, "ES", &Language::english()).unwrap_err();
        for field in ["phone", "email", "budget_max", "move_in"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
    }

    #[test]
    fn a_good_lead_is_normalised() {
        let input = LeadInput {
            name: "  Ana   López ".into(),
            phone: "612 34 56 78".into(),
            email: "Ana@Mail.COM".into(),
            need: "rent".into(),
            utm_source: "x".repeat(300),
            ..Default::default()
        };
        let lead = validate(&input, Need::Buy, "ES", &Language::english()).unwrap();
        assert_eq!(lead.name, "Ana López");
        assert_eq!(lead.phone.as_deref(), Some("+34612345678"));
        assert_eq!(lead.email.as_deref(), Some("ana@mail.com"));
        assert_eq!(lead.need, Need::Rent);
        assert_eq!(lead.utm[0].as_ref().map(|s| s.len()), Some(200));
    }
}
