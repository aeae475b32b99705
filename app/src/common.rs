//! Small helpers every capability uses, in one place: addresses built with query values, and
//! times shown in the reader's time zone.

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

/// A time as the viewer reads it: "Wed 25 Nov, 14:02" in their own time zone.
#[cfg(feature = "ssr")]
pub fn local(at: chrono::DateTime<chrono::Utc>, time_zone: &str) -> String {
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format("%a %-d %b, %H:%M").to_string(),
        Err(_) => at.format("%a %-d %b, %H:%M UTC").to_string(),
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
