//! Message templates: texts an admin writes once for the team ("Hi {first_name}, here is the
//! flat we spoke about: {link}"). From a deal, an agent picks one: WhatsApp opens with the
//! client's number and the text filled in, and the deal's timeline records what was sent.

use serde::{Deserialize, Serialize};

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

/// The placeholders a template may use, and the key of what each becomes in the messages.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("{first_name}", "templates-placeholder-first-name"),
    ("{name}", "templates-placeholder-name"),
    ("{agent}", "templates-placeholder-agent"),
    ("{agency}", "templates-placeholder-agency"),
    ("{property}", "templates-placeholder-property"),
    ("{link}", "templates-placeholder-link"),
];

pub const MAX_NAME: usize = 80;
pub const MAX_BODY: usize = crate::whatsapp::MAX_TEXT;

/// A template as the admin edits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: i64,
    pub name: String,
    pub body: String,
}

/// A template filled in for one deal, ready to send, or why it cannot be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadyMessage {
    pub id: i64,
    pub name: String,
    /// The text with the deal's details in (what is missing stays as its placeholder).
    pub text: String,
    /// Why it cannot be sent yet ("The deal has no presentation link yet: make one below.").
    pub blocked: Option<String>,
}

/// What the deal page offers for writing to the client on WhatsApp.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DealMessaging {
    pub templates: Vec<ReadyMessage>,
    /// Replies go out through the agency's WhatsApp Business number (the Cloud API is set up).
    pub replies: bool,
}

/// What fills a template for one deal. `None` where the deal has nothing to put there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filling {
    pub name: String,
    pub agent: String,
    pub agency: String,
    pub property: Option<String>,
    pub link: Option<String>,
}

/// The `{…}` placeholders a body uses, each once, in order; an unknown one is an error
/// that names it and lists the known ones.
pub fn placeholders(body: &str) -> Result<Vec<&'static str>, String> {
    let mut found: Vec<&'static str> = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else { break };
        let tag = &after[..=close];
        // A brace with spaces or another brace inside is text, not a placeholder.
        if tag[1..tag.len() - 1].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && tag.len() > 2 {
            match PLACEHOLDERS.iter().find(|(known, _)| *known == tag) {
                Some((known, _)) => {
                    if !found.contains(known) {
                        found.push(known);
                    }
                }
                None => {
                    let known: Vec<&str> = PLACEHOLDERS.iter().map(|(t, _)| *t).collect();
                    return Err(format!("{tag} is not a placeholder Doorstep knows. Use {}.", known.join(", ")));
                }
            }
            rest = &after[close + 1..];
        } else {
            rest = &after[1..];
        }
    }
    Ok(found)
}

/// The body with the deal's details in, and what it needs that the deal lacks (as a sentence).
pub fn fill(body: &str, with: &Filling) -> (String, Option<String>) {
    let first = with.name.split_whitespace().next().unwrap_or(&with.name);
    let mut missing = Vec::new();
    let mut text = body.replace("{first_name}", first).replace("{name}", &with.name).replace("{agent}", &with.agent).replace("{agency}", &with.agency);
    for (tag, value, lack) in [
        ("{property}", &with.property, crate::language::t("templates-deal-names-no-listing")),
        ("{link}", &with.link, crate::language::t("templates-deal-has-no-live-link")),
    ] {
        if text.contains(tag) {
            match value {
                Some(v) => text = text.replace(tag, v),
                None => missing.push(lack),
            }
        }
    }
    (text, (!missing.is_empty()).then(|| missing.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filling() -> Filling {
        Filling {
            name: "José Núñez".into(),
            agent: "Ana Ruiz".into(),
            agency: "Costa Blanca Homes".into(),
            property: Some("Sea-view flat, Altea".into()),
            link: Some("https://crm.example/p/abc".into()),
        }
    }

    #[test]
    fn placeholders_are_filled_from_the_deal() {
        let (text, blocked) = fill("Hola {first_name}, soy {agent} de {agency}. {property}: {link}", &filling());
        assert_eq!(text, "Hola José, soy Ana Ruiz de Costa Blanca Homes. Sea-view flat, Altea: https://crm.example/p/abc");
        assert_eq!(blocked, None);
    }

    #[test]
    fn a_missing_link_blocks_and_says_what_to_do() {
        let without = Filling { link: None, ..filling() };
        let (text, blocked) = fill("Here it is: {link}", &without);
        assert_eq!(text, "Here it is: {link}");
        assert!(blocked.unwrap().contains("make a presentation"));
        // A template that does not use the link is not blocked by its absence.
        assert_eq!(fill("Hi {first_name}", &without).1, None);
    }

    #[test]
    fn unknown_placeholders_are_named() {
        assert_eq!(placeholders("Hi {first_name}, {link} {first_name}").unwrap(), vec!["{first_name}", "{link}"]);
        let err = placeholders("Hi {firstname}").unwrap_err();
        assert!(err.starts_with("{firstname} is not a placeholder"), "{err}");
        // Braces that are not placeholders are text.
        assert!(placeholders("Price {negotiable } or {} or { x }").unwrap().is_empty());
        assert!(placeholders("An open { brace").unwrap().is_empty());
    }
}
