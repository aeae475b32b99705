//! Reading `application/x-www-form-urlencoded` bodies strictly: invalid percent-escapes or
//! bytes that are not UTF-8 are refused with a reason, never silently replaced.

use std::collections::HashMap;

pub fn parse(body: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut fields = HashMap::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, |b| *b == b'=');
        let name = decode(parts.next().unwrap_or_default())?;
        let value = decode(parts.next().unwrap_or_default())?;
        // The first value of a repeated field wins, as with an HTML form's single inputs.
        fields.entry(name).or_insert(value);
    }
    Ok(fields)
}

fn decode(raw: &[u8]) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).ok_or("a %-escape is cut short")?;
                let text = std::str::from_utf8(hex).map_err(|_| "a %-escape is not hexadecimal")?;
                bytes.push(u8::from_str_radix(text, 16).map_err(|_| "a %-escape is not hexadecimal")?);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| "the text is not valid UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded() {
        let fields = parse(b"name=Ana+L%C3%B3pez&phone=%2B34+612&empty=&name=second").unwrap();
        assert_eq!(fields["name"], "Ana López");
        assert_eq!(fields["phone"], "+34 612");
        assert_eq!(fields["empty"], "");
    }

    #[test]
    fn broken_escapes_and_bad_utf8_are_refused() {
        assert!(parse(b"name=%ZZ").is_err());
        assert!(parse(b"name=%C3").is_err());
        assert!(parse(b"name=%F").is_err());
        assert!(parse(b"name=\xff\xfe").is_err());
    }
}
