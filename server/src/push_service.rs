//! A local Web Push service, as a browser vendor runs one, for the tests and `doorstep bench
//! push`: it makes subscriptions (a P-256 key pair and an auth secret per device, as a
//! browser does), and for every push it checks the VAPID signature (RFC 8292: an ES256 JWT
//! for this origin, not expired, with a contact, signed by the key it names, which must be
//! the installation's), decrypts the payload (RFC 8291, aes128gcm) with the device's private
//! key, and records it. A device can be told to answer 410 (gone) or 500 a number of times.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use tokio::sync::watch;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256PublicKey};
use web_push_native::jwt_simple::claims::NoCustomClaims;
use web_push_native::jwt_simple::common::VerificationOptions;
use web_push_native::p256::SecretKey;
use web_push_native::p256::elliptic_curve::rand_core::{OsRng, RngCore};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;

/// One push as the device received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub device: String,
    /// The decrypted payload (the notice's JSON).
    pub payload: serde_json::Value,
    pub urgency: Option<String>,
    pub ttl: Option<u64>,
    pub topic: Option<String>,
    /// When the push service accepted it.
    pub at: Instant,
}

/// What a device's push service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// 410: the subscription is gone.
    Gone,
    /// 500 this many more times, then accept.
    FailTimes(u32),
}

struct Device {
    secret: SecretKey,
    auth: [u8; 16],
    behaviour: Behaviour,
}

#[derive(Default)]
struct Inner {
    devices: HashMap<String, Device>,
    /// Every answer given, accepted or not: (device, status).
    answers: Vec<(String, u16)>,
    refused: Vec<String>,
}

#[derive(Clone)]
pub struct LocalPushService {
    inner: Arc<Mutex<Inner>>,
    received: watch::Sender<Vec<Received>>,
    /// The VAPID public key (base64url) pushes must be signed with.
    vapid_key: String,
    delay: Duration,
    /// `http://127.0.0.1:<port>`
    pub base: String,
}

/// A subscription as the browser hands it to the page.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl LocalPushService {
    /// Starts listening on a free port. `delay` is how long it takes to answer each push.
    pub async fn start(vapid_public_key: &str, delay: Duration) -> anyhow::Result<LocalPushService> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let service = LocalPushService {
            inner: Arc::default(),
            received: watch::channel(Vec::new()).0,
            vapid_key: vapid_public_key.to_owned(),
            delay,
            base: format!("http://{}", listener.local_addr()?),
        };
        let router = axum::Router::new().route("/push/{device}", post(push)).with_state(service.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(service)
    }

    /// A new device's subscription, as `pushManager.subscribe()` makes one.
    pub fn subscribe(&self, behaviour: Behaviour) -> Subscription {
        let secret = SecretKey::random(&mut OsRng);
        let mut auth = [0u8; 16];
        OsRng.fill_bytes(&mut auth);
        let mut id = [0u8; 12];
        OsRng.fill_bytes(&mut id);
        let device = b64(&id);
        let public = secret.public_key().as_affine().to_encoded_point(false);
        let sub = Subscription { endpoint: format!("{}/push/{device}", self.base), p256dh: b64(public.as_bytes()), auth: b64(&auth) };
        self.lock().devices.insert(device, Device { secret, auth, behaviour });
        sub
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.borrow().clone()
    }

    /// What one subscription's device received.
    pub fn received_by(&self, sub: &Subscription) -> Vec<Received> {
        let device = sub.endpoint.rsplit('/').next().unwrap_or_default();
        self.received().into_iter().filter(|r| r.device == device).collect()
    }

    /// Every status answered to one subscription, in order.
    pub fn answers_to(&self, sub: &Subscription) -> Vec<u16> {
        let device = sub.endpoint.rsplit('/').next().unwrap_or_default();
        self.lock().answers.iter().filter(|(d, _)| d == device).map(|(_, s)| *s).collect()
    }

    /// Pushes refused for a bad signature or payload, with the reason.
    pub fn refused(&self) -> Vec<String> {
        self.lock().refused.clone()
    }

    /// Waits until `done` holds of what was received, or `within` passes.
    pub async fn wait_for(&self, within: Duration, done: impl Fn(&[Received]) -> bool) -> bool {
        let mut watching = self.received.subscribe();
        tokio::time::timeout(within, watching.wait_for(|all| done(all))).await.is_ok()
    }
}

fn refuse(service: &LocalPushService, device: &str, why: String) -> StatusCode {
    let mut inner = service.lock();
    inner.refused.push(why);
    inner.answers.push((device.to_owned(), 400));
    StatusCode::BAD_REQUEST
}

/// RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`.
fn check_vapid(service: &LocalPushService, headers: &HeaderMap) -> Result<(), String> {
    let value = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or("no Authorization header")?;
    let rest = value.strip_prefix("vapid ").ok_or("the Authorization scheme is not vapid")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.ok_or("no t= in the Authorization")?, key.ok_or("no k= in the Authorization")?);
    if key != service.vapid_key {
        return Err("k= is not the installation's VAPID key".into());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(key).map_err(|_| "k= is not base64url")?;
    let public = ES256PublicKey::from_bytes(&bytes).map_err(|e| format!("k= is not a P-256 key: {e}"))?;
    let options = VerificationOptions { allowed_audiences: Some(["http://127.0.0.1".to_string()].into()), ..Default::default() };
    let claims = public.verify_token::<NoCustomClaims>(token, Some(options)).map_err(|e| format!("the JWT does not verify: {e}"))?;
    let expires = claims.expires_at.ok_or("the JWT has no exp")?;
    if expires.as_secs() > web_push_native::jwt_simple::prelude::Clock::now_since_epoch().as_secs() + 24 * 3600 {
        return Err("the JWT expires more than 24 hours from now".into());
    }
    match claims.subject.as_deref() {
        Some(sub) if sub.starts_with("mailto:") || sub.starts_with("https://") => Ok(()),
        other => Err(format!("the JWT's sub is not a mailto: or https: contact: {other:?}")),
    }
}

async fn push(State(service): State<LocalPushService>, Path(device): Path<String>, headers: HeaderMap, body: Bytes) -> StatusCode {
    tokio::time::sleep(service.delay).await;
    let (secret, auth, behaviour) = {
        let mut inner = service.lock();
        let Some(known) = inner.devices.get_mut(&device) else {
            inner.answers.push((device, 404));
            return StatusCode::NOT_FOUND;
        };
        let behaviour = known.behaviour;
        if let Behaviour::FailTimes(n) = behaviour {
            known.behaviour = if n <= 1 { Behaviour::Accept } else { Behaviour::FailTimes(n - 1) };
        }
        (known.secret.clone(), known.auth, behaviour)
    };
    match behaviour {
        Behaviour::Gone => {
            service.lock().answers.push((device, 410));
            return StatusCode::GONE;
        }
        Behaviour::FailTimes(_) => {
            service.lock().answers.push((device, 500));
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        Behaviour::Accept => {}
    }
    if let Err(why) = check_vapid(&service, &headers) {
        return refuse(&service, &device, why);
    }
    if headers.get("content-encoding").and_then(|v| v.to_str().ok()) != Some("aes128gcm") {
        return refuse(&service, &device, "Content-Encoding is not aes128gcm".into());
    }
    let auth = web_push_native::Auth::clone_from_slice(&auth);
    let plain = match web_push_native::decrypt(body.to_vec(), &secret, &auth) {
        Ok(plain) => plain,
        Err(err) => return refuse(&service, &device, format!("the payload does not decrypt: {err}")),
    };
    let Ok(payload) = serde_json::from_slice(&plain) else {
        return refuse(&service, &device, "the payload is not JSON".into());
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let received = Received {
        device: device.clone(),
        payload,
        urgency: header("urgency"),
        ttl: header("ttl").and_then(|t| t.parse().ok()),
        topic: header("topic"),
        at: Instant::now(),
    };
    service.lock().answers.push((device, 201));
    service.received.send_modify(|all| all.push(received));
    StatusCode::CREATED
}
