//! The push worker: turns notifications into deliveries, claims what is due, encrypts each
//! notice to its device (RFC 8291, aes128gcm, with `web-push-native`, a RustCrypto-only
//! implementation) and hands it to the device's push service with a VAPID signature (RFC
//! 8292). It runs beside the web server (and in `doorstep worker`), so a slow push service
//! never holds up the request that made the notice.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use base64::Engine;
use chrono::Utc;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::sync::Semaphore;
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike, ES256KeyPair};

use super::service::{self, Claimed, Outcome};
use super::{Kind, Payload};
use crate::db::entities::deal;
use crate::notifications::service::Notifier;

/// Sends in flight at once, across all push services.
const IN_FLIGHT: usize = 64;
/// How long a push service has to answer before the send is tried again later.
const ANSWER_WITHIN: StdDuration = StdDuration::from_secs(10);

/// The installation's VAPID identity: the key pair that signs every push, and who to contact.
#[derive(Clone)]
pub struct Vapid {
    key: Arc<ES256KeyPair>,
    /// The public key, base64url (uncompressed point): what browsers subscribe with.
    pub public_key: String,
    /// `mailto:` or `https:` contact for push services (the JWT's `sub`).
    pub subject: String,
}

impl std::fmt::Debug for Vapid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vapid").field("public_key", &self.public_key).field("subject", &self.subject).finish_non_exhaustive()
    }
}

impl Vapid {
    /// From the private key's 32 bytes, base64url.
    pub fn from_private_key(private_key: &str, subject: &str) -> Result<Vapid, String> {
        let bytes = super::service::b64(private_key).ok_or("the VAPID private key is not base64url")?;
        let key = ES256KeyPair::from_bytes(&bytes).map_err(|_| "the VAPID private key is not a P-256 private key (32 bytes)".to_string())?;
        let public_key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.public_key().public_key().to_bytes_uncompressed());
        Ok(Vapid { key: Arc::new(key), public_key, subject: subject.to_owned() })
    }

    /// A new private key, base64url, for the data directory.
    pub fn generate() -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes())
    }
}

/// The HTTP client pushes go out with.
pub fn client() -> Result<reqwest::Client, reqwest::Error> {
    crate::common::http_client().user_agent(concat!("Doorstep/", env!("CARGO_PKG_VERSION"))).timeout(ANSWER_WITHIN).build()
}

/// Runs until `stopping` turns true.
pub async fn run(db: DatabaseConnection, notifier: Notifier, vapid: Vapid, client: reqwest::Client, mut stopping: tokio::sync::watch::Receiver<bool>) {
    tracing::info!("push worker started");
    // Woken by this instance's own notices at once; another instance's are its own to expand,
    // and the one-second round catches anything left (a crash, a retry falling due).
    let mut notices = notifier.subscribe_own();
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut next_prune = Instant::now();
    loop {
        let mut busy = false;
        match service::expand(&db, Utc::now()).await {
            Ok(taken) => busy |= taken as u64 >= service::EXPAND_BATCH,
            Err(err) => tracing::error!(error = ?err, "the push worker could not read new notifications; retrying"),
        }
        match service::claim(&db, Utc::now()).await {
            Ok(claimed) => {
                busy |= claimed.len() as u64 >= service::CLAIM_BATCH;
                for one in claimed {
                    let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
                    let (db, vapid, client) = (db.clone(), vapid.clone(), client.clone());
                    tokio::spawn(async move {
                        deliver(&db, &vapid, &client, one).await;
                        drop(permit);
                    });
                }
            }
            Err(err) => tracing::error!(error = ?err, "the push worker could not claim deliveries; retrying"),
        }
        if Instant::now() >= next_prune {
            if let Err(err) = service::prune(&db, Utc::now()).await {
                tracing::warn!(error = ?err, "could not prune old push deliveries");
            }
            next_prune = Instant::now() + StdDuration::from_secs(3600);
        }
        if busy {
            continue;
        }
        tokio::select! {
            _ = notices.recv() => {}
            _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
            _ = stopping.wait_for(|stop| *stop) => break,
        }
    }
    // Sends under way finish (or their lease runs out and another worker takes them).
    let _ = tokio::time::timeout(ANSWER_WITHIN, in_flight.acquire_many(IN_FLIGHT as u32)).await;
    tracing::info!("push worker stopped");
}

/// Sends one delivery and records what became of it.
pub async fn deliver(db: &DatabaseConnection, vapid: &Vapid, client: &reqwest::Client, claimed: Claimed) {
    let payload = payload(db, &claimed).await;
    let outcome = send(vapid, client, &claimed, &payload).await;
    let now = Utc::now();
    match &outcome {
        Outcome::Sent => {
            let lag = (now - claimed.delivery.created_at).num_milliseconds().max(0) as f64 / 1000.0;
            crate::metrics::push_sent(lag);
        }
        Outcome::Gone => {
            crate::metrics::push_removed();
            tracing::info!(device_id = claimed.device.id, user_id = claimed.device.user_id, "push subscription gone; device removed");
        }
        Outcome::Retry { error, .. } | Outcome::Failed(error) => {
            crate::metrics::push_failed();
            tracing::warn!(device_id = claimed.device.id, attempt = claimed.delivery.attempts, %error, "a push was not accepted");
        }
    }
    if let Err(err) = service::record(db, &claimed, &outcome, now).await {
        tracing::error!(error = ?err, delivery_id = claimed.delivery.id, "could not record a push's outcome");
    }
}

/// What the device shows: the bell's words, except for a lead, which says what the client
/// wants and where they came from instead of their phone number (a lock screen is public).
async fn payload(db: &DatabaseConnection, claimed: &Claimed) -> Payload {
    let n = &claimed.notification;
    let url = n.deal_id.map(|id| format!("/deals/{id}")).unwrap_or_else(|| "/notifications".into());
    let mut body = n.body.clone();
    if Kind::of_notification(n.kind) == Some(Kind::Lead) {
        let lead = match n.deal_id {
            Some(id) => deal::Entity::find_by_id(id).one(db).await.ok().flatten(),
            None => None,
        };
        if let Some(d) = lead {
            // The notice's body is "<phone> · via <form>", written in the agency's language.
            let language = crate::language::of_agency(db).await.unwrap_or_default();
            let via = n.body.split_once(" · ").map(|(_, via)| via.to_owned()).unwrap_or_else(|| d.source.clone());
            let need = crate::capture::Need::parse(&d.need).map(|need| language.t(need.label_key())).unwrap_or_else(|_| d.need.clone());
            let mut parts = vec![need];
            parts.extend(d.areas.clone().filter(|a| !a.trim().is_empty()));
            parts.push(via);
            body = parts.join(" · ");
        }
    }
    Payload { title: n.title.clone(), body, url, tag: format!("notice-{}", n.id) }
}

/// The encrypted, signed request for one delivery.
pub fn request(vapid: &Vapid, claimed: &Claimed, payload: &Payload) -> Result<http::Request<Vec<u8>>, String> {
    use web_push_native::{Auth, WebPushBuilder, p256::PublicKey};
    use super::service::b64;
    let device = &claimed.device;
    let endpoint: http::Uri = device.endpoint.parse().map_err(|_| "the endpoint is not a URL".to_string())?;
    let key = b64(&device.p256dh)
        .and_then(|k| PublicKey::from_sec1_bytes(&k).ok())
        .ok_or("the device's key is not a P-256 public key")?;
    let auth = b64(&device.auth).filter(|a| a.len() == 16).ok_or("the device's secret is not 16 bytes")?;
    let kind = Kind::of_notification(claimed.notification.kind).unwrap_or(Kind::Lead);
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let mut request = WebPushBuilder::new(endpoint, key, Auth::clone_from_slice(&auth))
        .with_valid_duration(StdDuration::from_secs(kind.ttl().into()))
        .with_vapid(&vapid.key, &vapid.subject)
        .build(body)
        .map_err(|e| e.to_string())?;
    let headers = request.headers_mut();
    headers.insert("Urgency", http::HeaderValue::from_static(kind.urgency()));
    // A notice sent twice (a worker died mid-send) replaces itself at the push service.
    if let Ok(topic) = http::HeaderValue::from_str(&format!("n{}", claimed.notification.id)) {
        headers.insert("Topic", topic);
    }
    Ok(request)
}

async fn send(vapid: &Vapid, client: &reqwest::Client, claimed: &Claimed, payload: &Payload) -> Outcome {
    let request = match request(vapid, claimed, payload).and_then(|r| reqwest::Request::try_from(r).map_err(|e| e.to_string())) {
        Ok(request) => request,
        Err(error) => return Outcome::Failed(error),
    };
    let response = match tokio::time::timeout(ANSWER_WITHIN, client.execute(request)).await {
        Ok(Ok(response)) => response,
        Ok(Err(err)) => return Outcome::Retry { error: format!("no answer: {err}"), after: None },
        Err(_) => return Outcome::Retry { error: "no answer within 10 s".into(), after: None },
    };
    let status = response.status();
    let after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(StdDuration::from_secs);
    match status.as_u16() {
        200..=299 => Outcome::Sent,
        404 | 410 => Outcome::Gone,
        429 | 500..=599 => Outcome::Retry { error: format!("the push service answered {status}"), after },
        _ => {
            let text: String = response.text().await.unwrap_or_default().chars().take(200).collect();
            Outcome::Failed(format!("the push service answered {status}: {text}"))
        }
    }
}
