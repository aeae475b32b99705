//! Session cookies: a random token, signed with the installation's cookie secret, whose
//! SHA-256 is the key of a row in `sessions`. Sessions live in the database, so they survive
//! restarts and are shared by every server instance on one PostgreSQL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "doorstep_session";

/// How long a session lives (ASVS 5.0 7.3.1 and 7.3.2): it ends after `idle` without a
/// request, and `absolute` after its log-in however busy it is. Both are settings
/// (`--session-idle-hours`, `--session-lifetime-hours`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    pub idle: chrono::Duration,
    pub absolute: chrono::Duration,
}

impl Default for Lifetime {
    /// A week without use, a month at most: an agent who opens Doorstep every working day
    /// logs in once a month; a phone left in a drawer is signed out within a week.
    fn default() -> Self {
        Lifetime { idle: chrono::Duration::days(7), absolute: chrono::Duration::days(30) }
    }
}

impl Lifetime {
    /// A lifetime from the settings' hours; the idle timeout can be no longer than the whole.
    pub fn from_hours(idle: u32, absolute: u32) -> Result<Lifetime, String> {
        if idle == 0 || absolute == 0 {
            return Err("session timeouts must be at least one hour".into());
        }
        if idle > absolute {
            return Err(format!("the idle timeout ({idle} h) cannot be longer than the session lifetime ({absolute} h)"));
        }
        Ok(Lifetime { idle: chrono::Duration::hours(idle.into()), absolute: chrono::Duration::hours(absolute.into()) })
    }

    /// When a session started at `created` and last used at `seen` ends.
    pub fn expiry(&self, created: chrono::DateTime<chrono::Utc>, seen: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
        (seen + self.idle).min(created + self.absolute)
    }
}

/// A fresh token for a new session: 256 random bits from the operating system.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::SysRng.try_fill_bytes(&mut bytes).expect("the system's random numbers");
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
/// The browser may keep it for the session's whole lifetime; the server ends it sooner when
/// it goes unused.
pub fn set_cookie_header(value: &str, secure: bool, lifetime: Lifetime) -> String {
    let max_age = lifetime.absolute.num_seconds();
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
        let header = set_cookie_header("v", true, Lifetime::default());
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Secure"));
        assert!(!set_cookie_header("v", false, Lifetime::default()).contains("Secure"));
    }

    #[test]
    fn the_browser_keeps_the_cookie_for_the_session_s_lifetime() {
        let lifetime = Lifetime::from_hours(8, 72).unwrap();
        assert!(set_cookie_header("v", false, lifetime).contains(&format!("Max-Age={}", 72 * 3600)));
    }
}
