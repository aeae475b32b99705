//! The WhatsApp Business Cloud API's webhook payloads, read into what Doorstep keeps: messages
//! from clients and delivery statuses of messages sent from Doorstep. Fields Doorstep does not
//! use are ignored, so new ones Meta adds do not break the webhook; a payload whose messages
//! lack what Doorstep needs is refused whole, naming the field, and nothing of it is kept.

use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize, Default)]
struct Value {
    #[serde(default)]
    contacts: Vec<Contact>,
    #[serde(default)]
    messages: Vec<Message>,
    #[serde(default)]
    statuses: Vec<Status>,
}

#[derive(Deserialize)]
struct Contact {
    #[serde(default)]
    wa_id: String,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    timestamp: String,
    #[serde(rename = "type", default)]
    kind: String,
    text: Option<Text>,
    image: Option<Media>,
    video: Option<Media>,
    document: Option<Media>,
    audio: Option<Media>,
    sticker: Option<Media>,
    location: Option<Location>,
    button: Option<Text>,
    interactive: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Text {
    #[serde(default, alias = "text")]
    body: String,
}

#[derive(Deserialize)]
struct Media {
    caption: Option<String>,
    filename: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    latitude: Option<f64>,
    longitude: Option<f64>,
    name: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    timestamp: String,
}

/// A client's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// WhatsApp's message id (`wamid.…`): the same message redelivered has the same id.
    pub id: String,
    /// The sender's number in E.164 (`+` and the digits WhatsApp gives).
    pub phone: String,
    /// The name on the sender's WhatsApp profile, when given.
    pub name: Option<String>,
    pub at: DateTime<Utc>,
    /// The text, or what was sent in words ("Photo: caption", "Location: …").
    pub text: String,
}

/// What happened to a message Doorstep sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    /// sent, delivered, read or failed.
    pub status: String,
    pub at: DateTime<Utc>,
}

/// Everything one webhook call carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub messages: Vec<Inbound>,
    pub deliveries: Vec<Delivery>,
}

/// The longest message id and text kept.
const MAX_ID: usize = 256;
const MAX_TEXT: usize = 8_192;

fn instant(raw: &str, what: &str) -> Result<DateTime<Utc>, String> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or_else(|| format!("{what}.timestamp must be seconds since 1970, not {raw:?}."))
}

/// A message as the deal's timeline keeps it: its text, or what kind of message it was in
/// the agency's language ("Foto: La vista").
fn words(m: &Message, language: &crate::language::Language) -> String {
    let media = |key: &str, media: &Option<Media>| {
        let m = media.as_ref();
        let detail = m.and_then(|m| m.caption.clone().or_else(|| m.filename.clone())).filter(|s| !s.trim().is_empty());
        match detail {
            Some(d) => language.t_with("whatsapp-body-with-detail", &[("kind", language.t(key).into()), ("detail", d.into())]),
            None => language.t(key),
        }
    };
    match m.kind.as_str() {
        "text" => m.text.as_ref().map(|t| t.body.clone()).unwrap_or_default(),
        "image" => media("whatsapp-body-photo", &m.image),
        "video" => media("whatsapp-body-video", &m.video),
        "document" => media("whatsapp-body-document", &m.document),
        "audio" => media("whatsapp-body-voice-message", &m.audio),
        "sticker" => media("whatsapp-body-sticker", &m.sticker),
        "location" => {
            let l = m.location.as_ref();
            let place = l.map(|l| [l.name.clone(), l.address.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ")).unwrap_or_default();
            let at = l.and_then(|l| Some(format!("{:.5}, {:.5}", l.latitude?, l.longitude?))).unwrap_or_default();
            let place = [place, at].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
            language.t_with("whatsapp-body-location", &[("place", place.into())])
        }
        "button" => m.button.as_ref().map(|b| b.body.clone()).unwrap_or_default(),
        "interactive" => {
            let reply = m.interactive.as_ref().and_then(|i| {
                ["button_reply", "list_reply"].iter().find_map(|k| i.get(k)?.get("title")?.as_str().map(str::to_string))
            });
            reply.unwrap_or_else(|| language.t("whatsapp-body-interactive-reply"))
        }
        "" => language.t("whatsapp-body-new-kind"),
        other => language.t_with("whatsapp-body-other-kind", &[("kind", other.to_owned().into())]),
    }
}

/// Reads a webhook body; what is not text is described in `language` (the agency's). Errors,
/// which only Meta and operators read, say in English which field of which message is wrong.
pub fn parse(body: &[u8], language: &crate::language::Language) -> Result<Batch, String> {
    let payload: Payload = serde_json::from_slice(body).map_err(|e| format!("The body is not a WhatsApp webhook payload: {e}."))?;
    if payload.object != "whatsapp_business_account" {
        return Err(format!("object must be \"whatsapp_business_account\", not {:?}.", payload.object));
    }
    let mut batch = Batch::default();
    for (e, entry) in payload.entry.iter().enumerate() {
        for (c, change) in entry.changes.iter().enumerate() {
            let value = &change.value;
            for (i, m) in value.messages.iter().enumerate() {
                let what = format!("entry[{e}].changes[{c}].value.messages[{i}]");
                if m.id.trim().is_empty() || m.id.len() > MAX_ID {
                    return Err(format!("{what}.id must be WhatsApp's message id."));
                }
                let digits = m.from.trim().trim_start_matches('+');
                if !(6..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("{what}.from must be the sender's number in digits, not {:?}.", m.from));
                }
                let name = value
                    .contacts
                    .iter()
                    .find(|c| c.wa_id.trim_start_matches('+') == digits)
                    .and_then(|c| c.profile.as_ref())
                    .map(|p| p.name.trim().to_string())
                    .filter(|n| !n.is_empty());
                let text: String = words(m, language).chars().take(MAX_TEXT).collect();
                batch.messages.push(Inbound { id: m.id.trim().to_string(), phone: format!("+{digits}"), name, at: instant(&m.timestamp, &what)?, text });
            }
            for (i, s) in value.statuses.iter().enumerate() {
                let what = format!("entry[{e}].changes[{c}].value.statuses[{i}]");
                if s.id.trim().is_empty() || s.id.len() > MAX_ID {
                    return Err(format!("{what}.id must be the id of the message sent."));
                }
                if !matches!(s.status.as_str(), "sent" | "delivered" | "read" | "failed") {
                    return Err(format!("{what}.status must be sent, delivered, read or failed, not {:?}.", s.status));
                }
                batch.deliveries.push(Delivery { id: s.id.trim().to_string(), status: s.status.clone(), at: instant(&s.timestamp, &what)? });
            }
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::Language;

    fn read(body: &[u8]) -> Result<Batch, String> {
        parse(body, &Language::english())
    }

    fn message(kind_and_body: &str) -> String {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{
            "messaging_product":"whatsapp","metadata":{{"display_phone_number":"34900000000","phone_number_id":"111"}},
            "contacts":[{{"profile":{{"name":"Marta Ruiz"}},"wa_id":"34611222333"}}],
            "messages":[{{"from":"34611222333","id":"wamid.HBgL","timestamp":"1764230400",{kind_and_body}}}]}}}}]}}]}}"#
        )
    }

    #[test]
    fn a_text_message_with_the_senders_profile_name() {
        let batch = read(message(r#""type":"text","text":{"body":"Hola, ¿sigue libre el piso?"}"#).as_bytes()).unwrap();
        assert_eq!(
            batch.messages,
            vec![Inbound {
                id: "wamid.HBgL".into(),
                phone: "+34611222333".into(),
                name: Some("Marta Ruiz".into()),
                at: DateTime::from_timestamp(1_764_230_400, 0).unwrap(),
                text: "Hola, ¿sigue libre el piso?".into(),
            }]
        );
    }

    #[test]
    fn media_locations_and_buttons_are_put_in_words() {
        let text = |body: &str| read(message(body).as_bytes()).unwrap().messages[0].text.clone();
        assert_eq!(text(r#""type":"image","image":{"caption":"The view","mime_type":"image/jpeg","id":"9"}"#), "Photo: The view");
        assert_eq!(text(r#""type":"audio","audio":{"id":"9"}"#), "Voice message");
        assert_eq!(
            text(r#""type":"location","location":{"latitude":38.3452,"longitude":-0.4810,"name":"Alicante"}"#),
            "Location: Alicante · 38.34520, -0.48100"
        );
        assert_eq!(text(r#""type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"a","title":"Book a viewing"}}"#), "Book a viewing");
        assert_eq!(text(r#""type":"reaction","reaction":{"emoji":"👍"}"#), "A reaction message (open WhatsApp to see it)");

        // In a Spanish agency's timeline, in Spanish.
        let es = Language::stored("es").unwrap();
        let texto = |body: &str| parse(message(body).as_bytes(), &es).unwrap().messages[0].text.clone();
        assert_eq!(texto(r#""type":"image","image":{"caption":"La vista","mime_type":"image/jpeg","id":"9"}"#), "Foto: La vista");
        assert_eq!(texto(r#""type":"audio","audio":{"id":"9"}"#), "Mensaje de voz");
        assert_eq!(texto(r#""type":"location","location":{"latitude":38.3452,"longitude":-0.4810,"name":"Alicante"}"#), "Ubicación: Alicante · 38.34520, -0.48100");
        assert_eq!(texto(r#""type":"interactive","interactive":{"type":"nfm_reply"}"#), "Respuesta interactiva");
        assert_eq!(texto(r#""type":"reaction","reaction":{"emoji":"👍"}"#), "Un mensaje de tipo reaction (ábrelo en WhatsApp para verlo)");
    }

    #[test]
    fn statuses_of_sent_messages_are_read() {
        let body = r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[
            {"id":"wamid.OUT","status":"read","timestamp":"1764230500","recipient_id":"34611222333"}]}}]}]}"#;
        let batch = read(body.as_bytes()).unwrap();
        assert_eq!(batch.deliveries, vec![Delivery { id: "wamid.OUT".into(), status: "read".into(), at: DateTime::from_timestamp(1_764_230_500, 0).unwrap() }]);
    }

    #[test]
    fn payloads_missing_what_doorstep_needs_are_refused_naming_the_field() {
        assert!(read(b"not json").unwrap_err().contains("not a WhatsApp webhook payload"));
        assert!(read(br#"{"object":"page","entry":[]}"#).unwrap_err().contains("whatsapp_business_account"));
        let bad_from = message(r#""type":"text","text":{"body":"x"}"#).replace(r#""from":"34611222333""#, r#""from":"Marta""#);
        assert!(read(bad_from.as_bytes()).unwrap_err().contains("messages[0].from"));
        let bad_time = message(r#""type":"text","text":{"body":"x"}"#).replace("1764230400", "yesterday");
        assert!(read(bad_time.as_bytes()).unwrap_err().contains("timestamp"));
    }
}
