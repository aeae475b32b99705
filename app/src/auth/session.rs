//! Session cookies: a random token, signed with the installation's cookie secret, whose
//! SHA-256 is the key of a row in `sessions`. Sessions live in the database, so they survive
//! restarts and are shared by every server instance on one PostgreSQL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "doorstep_session";
/// Sessions end after this long without use.
pub const IDLE_DAYS: i64 = 30;

/// A fresh token for a new session: 256 random bits from the operating system.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores in place of the token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(secret: &[u8], token: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(token.as_bytes());
    mac
}

/// The cookie value: the token and its signature.
pub fn sign(secret: &[u8], token: &str) -> String {
    let signature = mac(secret, token).finalize().into_bytes();
    format!("{token}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The token inside a cookie value, if its signature is ours (checked in constant time).
pub fn verify(secret: &[u8], cookie_value: &str) -> Option<String> {
    let (token, signature) = cookie_value.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    mac(secret, token).verify_slice(&signature).ok()?;
    Some(token.to_owned())
}

/// The `Set-Cookie` header that starts a session. HttpOnly keeps it from scripts; SameSite=Lax
/// keeps other sites' forms from posting with it (the CSRF defence, with the Origin check).
pub fn set_cookie_header(value: &str, secure: bool) -> String {
    let max_age = IDLE_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn clear_cookie_header(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The session cookie's value among a request's `Cookie` headers.
pub fn cookie_value<'a>(cookie_headers: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    cookie_headers
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_only_with_the_same_secret() {
        let token = new_token();
        let value = sign(b"secret-one", &token);
        assert_eq!(verify(b"secret-one", &value).as_deref(), Some(token.as_str()));
        assert_eq!(verify(b"secret-two", &value), None);
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let value = sign(b"secret", &new_token());
        // A different first character: replacing it with the one it already was (1 in 64
        // tokens) would change nothing.
        let other = if value.starts_with('x') { 'y' } else { 'x' };
        let tampered = format!("{other}{}", &value[1..]);
        assert_eq!(verify(b"secret", &tampered), None);
        assert_eq!(verify(b"secret", "no-signature"), None);
    }

    #[test]
    fn tokens_are_unique_and_hashes_hide_them() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(!token_hash(&a).contains(&a));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let headers = ["theme=dark; doorstep_session=abc.def", "other=1"];
        assert_eq!(cookie_value(headers.iter().copied()), Some("abc.def"));
        assert_eq!(cookie_value(["x=1"].iter().copied()), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_on_https() {
        let header = set_cookie_header("v", true);
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Secure"));
        assert!(!set_cookie_header("v", false).contains("Secure"));
    }
}
