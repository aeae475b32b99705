//! The rules of Web Push: which devices a person has, what a subscription must look like to
//! be kept, and the outbox (which notification goes to which device, claimed once).
//!
//! The outbox works like the reminders' scheduler. A round of [`expand`] takes the
//! notifications not yet pushed (`pushed_at` unset), marks them, and inserts one delivery per
//! device of their user that wants their kind, in one transaction; the unique
//! `(notification_id, device_id)` refuses a second. A round of [`claim`] marks a batch of due
//! deliveries `sending` until a lease runs out, in its own transaction (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so instances never take the same row). The worker then sends
//! them and records the outcome; a worker that dies mid-send leaves its rows to be taken
//! again when the lease ends, and the device shows the notice once still, since a notice
//! carries its notification's tag and a second arrival replaces the first.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set, Statement,
};

use super::{Device, Kind, kinds_of, kinds_text};
use crate::auth::SessionUser;
use crate::db::entities::push_delivery::Delivery;
use crate::db::entities::{notification, push_delivery, push_device, session};
use crate::error::AppError;

/// What a browser gives when it subscribes (PushSubscription's endpoint and keys).
#[derive(Clone, Debug)]
pub struct Subscription {
    pub endpoint: String,
    /// The device's P-256 public key, base64url (65 bytes, uncompressed).
    pub p256dh: String,
    /// Its 16-byte authentication secret, base64url.
    pub auth: String,
}

/// Notifications turned into deliveries per round.
pub const EXPAND_BATCH: u64 = 500;
/// Deliveries claimed per round.
pub const CLAIM_BATCH: u64 = 200;
/// How long a claimed delivery is a worker's before another may take it.
pub const LEASE_SECONDS: i64 = 60;
/// Tries before a delivery is given up (the push service kept failing).
pub const MAX_ATTEMPTS: i32 = 8;
/// A notification older than this when the worker first sees it (the server was down for
/// long) is not pushed: the bell and e-mail still have it.
pub const STALE_AFTER_MINUTES: i64 = 60;

/// Bytes from base64url, as browsers and key files write it (padded or not).
pub(super) fn b64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// Checks what a browser sent; the message says what is wrong.
pub fn check(sub: &Subscription) -> Result<(), AppError> {
    let bad = |key: &str| Err(AppError::field("endpoint", crate::language::t(key)));
    let Ok(url) = url::Url::parse(sub.endpoint.trim()) else {
        return bad("push-error-endpoint-not-an-address");
    };
    let loopback = matches!(url.host(), Some(url::Host::Domain("localhost")))
        || matches!(url.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
        || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback());
    match url.scheme() {
        "https" => {}
        // A push service on this machine (a test or a self-hosted relay) may use plain HTTP.
        "http" if loopback => {}
        _ => return bad("push-error-endpoint-https"),
    }
    if sub.endpoint.len() > 2000 {
        return bad("push-error-endpoint-too-long");
    }
    match b64(&sub.p256dh) {
        Some(key) if key.len() == 65 && key[0] == 4 => {}
        _ => return Err(AppError::field("p256dh", crate::language::t("push-error-device-key"))),
    }
    match b64(&sub.auth) {
        Some(secret) if secret.len() == 16 => {}
        _ => return Err(AppError::field("auth", crate::language::t("push-error-device-secret"))),
    }
    Ok(())
}

/// A name for a device from its browser's User-Agent: "Chrome on Android".
pub fn device_name(user_agent: Option<&str>) -> String {
    let ua = user_agent.unwrap_or("");
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "Mac"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("SamsungBrowser") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => crate::language::t("push-device-any"),
        ("", system) => crate::language::t_with("push-device-any-on", &[("system", system.into())]),
        (browser, "") => browser.into(),
        (browser, system) => crate::language::t_with("push-device-on", &[("browser", browser.into()), ("system", system.into())]),
    }
}

/// Stores (or takes over) a subscription for the viewer's session. A browser has one
/// subscription per site, so its endpoint names the device: subscribing again (after logging
/// in anew, or as somebody else on a shared phone) moves it to this session and user.
pub async fn subscribe(
    db: &DatabaseConnection,
    viewer: &SessionUser,
    token_hash: &str,
    sub: &Subscription,
    user_agent: Option<&str>,
) -> Result<i64, AppError> {
    check(sub)?;
    let session = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let endpoint = sub.endpoint.trim().to_owned();
    let existing = push_device::Entity::find().filter(push_device::Column::Endpoint.eq(endpoint.as_str())).one(db).await?;
    let kinds = match &existing {
        Some(device) if device.user_id == viewer.id => device.kinds.clone(),
        _ => kinds_text(&Kind::offered_to(viewer.role)),
    };
    let row = push_device::ActiveModel {
        user_id: Set(viewer.id),
        session_id: Set(session.id),
        endpoint: Set(endpoint),
        p256dh: Set(sub.p256dh.trim().to_owned()),
        auth: Set(sub.auth.trim().to_owned()),
        name: Set(device_name(user_agent)),
        kinds: Set(kinds),
        created_at: Set(Utc::now()),
        last_pushed_at: Set(None),
        ..Default::default()
    };
    let id = match existing {
        Some(device) => {
            let mut row = row;
            row.id = Set(device.id);
            if device.user_id == viewer.id {
                row.created_at = Set(device.created_at);
                row.last_pushed_at = Set(device.last_pushed_at);
            }
            row.update(db).await?.id
        }
        None => row.insert(db).await?.id,
    };
    Ok(id)
}

/// The viewer's devices, newest first.
pub async fn devices(db: &DatabaseConnection, viewer: &SessionUser) -> Result<Vec<Device>, AppError> {
    let rows = push_device::Entity::find()
        .filter(push_device::Column::UserId.eq(viewer.id))
        .order_by_desc(push_device::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| Device {
            id: d.id,
            name: d.name,
            kinds: kinds_of(&d.kinds),
            since: crate::common::local(d.created_at, &viewer.time_zone),
            last_pushed: d.last_pushed_at.map(|t| crate::common::local(t, &viewer.time_zone)),
            endpoint: d.endpoint,
        })
        .collect())
}

async fn own_device(db: &DatabaseConnection, viewer: &SessionUser, id: i64) -> Result<push_device::Model, AppError> {
    match push_device::Entity::find_by_id(id).one(db).await? {
        Some(device) if device.user_id == viewer.id => Ok(device),
        _ => Err(AppError::NotFound),
    }
}

/// Sets which kinds of notice one of the viewer's devices is pushed.
pub async fn set_kinds(db: &DatabaseConnection, viewer: &SessionUser, id: i64, kinds: &[Kind]) -> Result<(), AppError> {
    let device = own_device(db, viewer, id).await?;
    let mut row: push_device::ActiveModel = device.into();
    row.kinds = Set(kinds_text(kinds));
    row.update(db).await?;
    Ok(())
}

/// Removes one of the viewer's devices: nothing more is pushed to it.
pub async fn remove(db: &DatabaseConnection, viewer: &SessionUser, id: i64) -> Result<(), AppError> {
    own_device(db, viewer, id).await?;
    push_device::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Removes a device the push service says is gone (404 or 410).
pub async fn forget(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    push_device::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// A round of turning new notifications into deliveries. Returns how many notifications it
/// took.
pub async fn expand(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, AppError> {
    let write = crate::db::begin_write(db).await?;
    let taken = expand_in(&write.txn, now).await?;
    write.txn.commit().await?;
    Ok(taken)
}

async fn expand_in(txn: &DatabaseTransaction, now: DateTime<Utc>) -> Result<usize, AppError> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE notifications SET pushed_at = $1 WHERE id IN (
                SELECT id FROM notifications WHERE pushed_at IS NULL ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING *"
        }
        _ => {
            "UPDATE notifications SET pushed_at = ?1 WHERE id IN (
                SELECT id FROM notifications WHERE pushed_at IS NULL ORDER BY id LIMIT ?2)
             RETURNING *"
        }
    };
    let values: Vec<sea_orm::Value> = vec![now.into(), (EXPAND_BATCH as i64).into()];
    let taken = notification::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(txn).await?;
    let stale_before = now - Duration::minutes(STALE_AFTER_MINUTES);
    let wanted: Vec<&notification::Model> =
        taken.iter().filter(|n| n.created_at >= stale_before && Kind::of_notification(n.kind).is_some()).collect();
    if wanted.is_empty() {
        return Ok(taken.len());
    }
    let users: Vec<i64> = wanted.iter().map(|n| n.user_id).collect();
    let devices = push_device::Entity::find().filter(push_device::Column::UserId.is_in(users)).all(txn).await?;
    let rows: Vec<push_delivery::ActiveModel> = wanted
        .iter()
        .flat_map(|n| {
            let kind = Kind::of_notification(n.kind);
            devices
                .iter()
                .filter(move |d| d.user_id == n.user_id && kind.is_some_and(|k| kinds_of(&d.kinds).contains(&k)))
                .map(move |d| push_delivery::ActiveModel {
                    notification_id: Set(n.id),
                    device_id: Set(d.id),
                    state: Set(Delivery::Pending),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    created_at: Set(n.created_at),
                    sent_at: Set(None),
                    error: Set(None),
                    ..Default::default()
                })
        })
        .collect();
    if !rows.is_empty() {
        push_delivery::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([push_delivery::Column::NotificationId, push_delivery::Column::DeviceId])
            .exec(txn)
            .await?;
    }
    Ok(taken.len())
}

/// A claimed delivery, with what the worker needs to send it.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub delivery: push_delivery::Model,
    pub device: push_device::Model,
    pub notification: notification::Model,
}

/// Claims a batch of due deliveries for `LEASE_SECONDS`: pending ones whose time has come,
/// and ones a worker claimed and never finished.
pub async fn claim(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Claimed>, AppError> {
    let write = crate::db::begin_write(db).await?;
    let backend = write.txn.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE push_deliveries SET state = 'sending', attempts = attempts + 1, next_attempt_at = $2 WHERE id IN (
                SELECT id FROM push_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING *"
        }
        _ => {
            "UPDATE push_deliveries SET state = 'sending', attempts = attempts + 1, next_attempt_at = ?2 WHERE id IN (
                SELECT id FROM push_deliveries WHERE state IN ('pending', 'sending') AND next_attempt_at <= ?1
                ORDER BY next_attempt_at LIMIT ?3)
             RETURNING *"
        }
    };
    let values: Vec<sea_orm::Value> = vec![now.into(), (now + Duration::seconds(LEASE_SECONDS)).into(), (CLAIM_BATCH as i64).into()];
    let mine = push_delivery::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(&write.txn).await?;
    write.txn.commit().await?;
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let devices = push_device::Entity::find()
        .filter(push_device::Column::Id.is_in(mine.iter().map(|d| d.device_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let notices = notification::Entity::find()
        .filter(notification::Column::Id.is_in(mine.iter().map(|d| d.notification_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(mine
        .into_iter()
        .filter_map(|delivery| {
            let device = devices.iter().find(|d| d.id == delivery.device_id)?.clone();
            let notification = notices.iter().find(|n| n.id == delivery.notification_id)?.clone();
            Some(Claimed { delivery, device, notification })
        })
        .collect())
}

/// What became of one send.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The push service took it.
    Sent,
    /// The subscription is gone (404, 410): the device is removed.
    Gone,
    /// Worth another try later (429, 5xx, no answer), after at least this long.
    Retry { error: String, after: Option<std::time::Duration> },
    /// Refused for good (another 4xx: a bad key, a payload too large).
    Failed(String),
}

/// The wait before the `attempt`-th retry: 2, 4, 8 … seconds, at most ten minutes.
pub fn backoff(attempt: i32) -> Duration {
    Duration::seconds((1i64 << attempt.clamp(1, 10) as u32).min(600))
}

/// Records a send's outcome. Returns what it did, for the metrics.
pub async fn record(db: &DatabaseConnection, claimed: &Claimed, outcome: &Outcome, now: DateTime<Utc>) -> Result<(), AppError> {
    let id = claimed.delivery.id;
    match outcome {
        Outcome::Sent => {
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::State, Expr::value(Delivery::Sent))
                .col_expr(push_delivery::Column::SentAt, Expr::value(now))
                .col_expr(push_delivery::Column::Error, Expr::value(Option::<String>::None))
                .filter(push_delivery::Column::Id.eq(id))
                .exec(db)
                .await?;
            push_device::Entity::update_many()
                .col_expr(push_device::Column::LastPushedAt, Expr::value(now))
                .filter(push_device::Column::Id.eq(claimed.device.id))
                .exec(db)
                .await?;
        }
        Outcome::Gone => forget(db, claimed.device.id).await?,
        Outcome::Retry { error, after } if claimed.delivery.attempts < MAX_ATTEMPTS => {
            let wait = backoff(claimed.delivery.attempts);
            let wait = after.and_then(|a| Duration::from_std(a).ok()).map_or(wait, |a| a.max(wait).min(Duration::hours(1)));
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::State, Expr::value(Delivery::Pending))
                .col_expr(push_delivery::Column::NextAttemptAt, Expr::value(now + wait))
                .col_expr(push_delivery::Column::Error, Expr::value(error.clone()))
                .filter(push_delivery::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
        Outcome::Retry { error, .. } | Outcome::Failed(error) => {
            push_delivery::Entity::update_many()
                .col_expr(push_delivery::Column::State, Expr::value(Delivery::Failed))
                .col_expr(push_delivery::Column::Error, Expr::value(error.clone()))
                .filter(push_delivery::Column::Id.eq(id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Deliveries done with for a day are dropped; the notification itself stays.
pub async fn prune(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, AppError> {
    let result = push_delivery::Entity::delete_many()
        .filter(push_delivery::Column::State.is_in([Delivery::Sent, Delivery::Failed]))
        .filter(push_delivery::Column::CreatedAt.lt(now - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(endpoint: &str) -> Subscription {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut key = vec![4u8];
        key.extend([7u8; 64]);
        Subscription { endpoint: endpoint.into(), p256dh: engine.encode(key), auth: engine.encode([1u8; 16]) }
    }

    #[test]
    fn a_subscription_must_name_a_secure_push_service_and_carry_real_keys() {
        assert!(check(&sub("https://fcm.googleapis.com/fcm/send/abc")).is_ok());
        assert!(check(&sub("http://127.0.0.1:9000/push/abc")).is_ok(), "a push service on this machine");
        assert!(check(&sub("http://push.example.com/abc")).is_err(), "plain HTTP elsewhere");
        assert!(check(&sub("javascript:alert(1)")).is_err());
        let mut short = sub("https://push.example.com/abc");
        short.auth = "AAAA".into();
        assert!(check(&short).is_err());
        let mut bad = sub("https://push.example.com/abc");
        bad.p256dh = "not base64!".into();
        assert!(check(&bad).is_err());
    }

    #[test]
    fn what_is_wrong_with_a_subscription_is_said_in_the_caller_s_language() {
        let spanish = crate::language::Language::parse("es").unwrap();
        let refused = |sub: Subscription| crate::language::for_reader_now(spanish.clone(), || check(&sub)).unwrap_err();
        let plain = refused(sub("http://push.example.com/abc"));
        assert_eq!(plain.field_message("endpoint").as_deref(), Some("La dirección de notificaciones (endpoint) tiene que empezar por https://."));
        let mut short = sub("https://push.example.com/abc");
        short.auth = "AAAA".into();
        assert_eq!(refused(short).field_message("auth").as_deref(), Some("El secreto del dispositivo tiene que tener 16 bytes en base64url."));
        let english = check(&sub("javascript:alert(1)")).unwrap_err();
        assert_eq!(english.field_message("endpoint").as_deref(), Some("The push endpoint must be an https:// address."), "English where no reader is known");
    }

    #[test]
    fn devices_are_named_as_people_know_them() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
        assert_eq!(device_name(Some(android)), "Chrome on Android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_name(Some(iphone)), "Safari on iPhone");
        assert_eq!(device_name(Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")), "Firefox on Windows");
        assert_eq!(device_name(None), "A browser");
    }

    #[test]
    fn retries_wait_longer_each_time_and_never_more_than_ten_minutes() {
        assert_eq!(backoff(1), Duration::seconds(2));
        assert_eq!(backoff(3), Duration::seconds(8));
        assert_eq!(backoff(30), Duration::seconds(600));
    }
}
