//! Small helpers every capability uses, in one place: addresses built with query values,
//! times shown in the reader's time zone, and amounts of money as people write them.

/// Percent-encodes a value for a query string or a URL's parts (RFC 3986 unreserved
/// characters stay as they are).
pub fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An HTTPS client (WhatsApp replies, Web Push, and the one object_store makes for the bucket):
/// reqwest over rustls with ring, the crypto sqlx and lettre already use, named here as the
/// process's provider before the first client is built (rustls refuses to guess).
#[cfg(feature = "ssr")]
pub fn http_client() -> reqwest::ClientBuilder {
    tls_provider();
    reqwest::Client::builder()
}

/// Names ring as rustls's provider for this process, once (later calls change nothing).
/// rustls 0.23.48 deprecates ring's provider for lacking post-quantum key exchange, which
/// only aws-lc has; these clients used ring before the update too, and aws-lc would be a
/// second crypto library built from C on every fresh machine. Moving all of them (sqlx and
/// lettre included) to aws-lc is one change for later, not this one.
#[cfg(feature = "ssr")]
#[allow(deprecated)]
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A time as the viewer reads it: "Wed 25 Nov, 14:02" in their own time zone and language
/// ("mié 25 nov, 14:02").
#[cfg(feature = "ssr")]
pub fn local(at: chrono::DateTime<chrono::Utc>, time_zone: &str) -> String {
    crate::language::current().datetime(at, time_zone)
}

/// An amount in minor units (cents) written in whole units, as people read it and as
/// `parse_money` reads it back: 25000000 is "250000", 12345 is "123.45"; none is "".
pub fn money_text(minor: Option<i64>) -> String {
    match minor {
        Some(m) if m % 100 == 0 => (m / 100).to_string(),
        Some(m) => format!("{}{}.{:02}", if m < 0 { "-" } else { "" }, m.unsigned_abs() / 100, m.unsigned_abs() % 100),
        None => String::new(),
    }
}

/// An amount in whole units as people write it ("250000", "250,000", "250.000", "250k",
/// "1.5m"), returned in minor units (cents). Empty input is `None`.
pub fn parse_money(input: &str) -> Result<Option<i64>, crate::language::Text> {
    use crate::language::Text;
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, '€' | '$' | '£' | ' ' | '\u{a0}' | '\''))
        .collect::<String>()
        .to_lowercase();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let refuse = || Text::new("money-error");
    let (number, factor) = match cleaned.chars().last() {
        Some('k') => (&cleaned[..cleaned.len() - 1], 1_000f64),
        Some('m') => (&cleaned[..cleaned.len() - 1], 1_000_000f64),
        _ => (cleaned.as_str(), 1f64),
    };
    let units: i64 = if factor > 1.0 {
        // "1.5m" / "1,5m": a short decimal with a multiplier, computed in integers below.
        let normal = number.replace(',', ".");
        let (whole, frac) = normal.split_once('.').unwrap_or((&normal, ""));
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 3 {
            return Err(refuse());
        }
        let scale = 10i64.pow(frac.len() as u32);
        let mantissa: i64 = format!("{whole}{frac}").parse().map_err(|_| refuse())?;
        mantissa.checked_mul(factor as i64).map(|v| v / scale).ok_or_else(refuse)?
    } else {
        // Separators only between groups of three digits, so "250.000" is 250000 and
        // "12.50" (a price in cents) is refused rather than misread.
        let groups: Vec<&str> = number.split([',', '.']).collect();
        let grouped = groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty() && groups[0].len() <= 3;
        if !(groups.len() == 1 || grouped) || !groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit())) {
            return Err(refuse());
        }
        groups.concat().parse().map_err(|_| refuse())?
    };
    if units > 1_000_000_000_000 {
        return Err(Text::new("money-error-too-large"));
    }
    Ok(Some(units * 100))
}

/// A number as a person or a tool sends it: text as typed ("250k", "250.000 €", "7") or a whole
/// JSON number (250000), kept as text for the rules to read. Anything else (a fraction, which
/// would pass through a float, or `true`) reads as text no number matches, so that it is a
/// field error like any other.
pub fn number_text<'de, D: serde::Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Amount {
        Text(String),
        Whole(i64),
        Null(()),
        Other(serde::de::IgnoredAny),
    }
    Ok(match <Amount as serde::Deserialize>::deserialize(de)? {
        Amount::Text(text) => text,
        Amount::Whole(n) => n.to_string(),
        Amount::Null(()) => String::new(),
        Amount::Other(_) => "?".into(),
    })
}

/// How the API's document declares an amount read by [`number_text`]: whole units as a JSON
/// number, or text as a person types it.
#[cfg(feature = "ssr")]
pub fn amount_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some("Whole units (250000) or as typed (\"250k\")."))
        .into()
}

/// How the API's document declares text that must be one of a few words.
#[cfg(feature = "ssr")]
pub fn words_schema(words: impl IntoIterator<Item = &'static str>) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words)).build()
}

/// Selects a read-only field's whole text when it gets the focus, ready to copy (a share link,
/// an embed snippet). A handler of the page's, not an inline `onfocus`: the pages' policy runs
/// no inline script without their nonce.
pub fn select_all(ev: leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target = ev.target();
        if let Some(input) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
            input.select();
        } else if let Some(area) = target.and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
            area.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}


/// Hands the heap's free pages back to the system when dropped, for the end of work on a large
/// upload (a CSV of 50,000 rows, a chat export of 64 MB, a 50-megapixel photo). glibc keeps
/// freed memory in its arenas for reuse, so without this the server's resident memory stays
/// at its high point after each such request, and the next one adds to it.
#[cfg(feature = "ssr")]
pub struct GiveBackMemory;

#[cfg(feature = "ssr")]
impl Drop for GiveBackMemory {
    fn drop(&mut self) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free pages to the system; it takes no pointers.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_for_addresses() {
        assert_eq!(urlencode("a b/ç?&=~"), "a%20b%2F%C3%A7%3F%26%3D~");
    }
}
