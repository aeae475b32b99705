//! Several `doorstep serve` instances (and `doorstep worker`s) on one PostgreSQL act as one
//! for live pages: what one instance publishes (a notification, a changed deal) reaches the
//! pages open on every other, through PostgreSQL's LISTEN/NOTIFY. SQLite has one instance, so
//! nothing is started there.

use app::notifications::service::{Notifier, Shared};
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::mpsc;

/// The NOTIFY channel every instance listens on.
pub const CHANNEL: &str = "doorstep_events";

/// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;

/// One published event, with the instance it came from so that instance skips its own.
#[derive(Serialize, Deserialize)]
struct Envelope {
    from: String,
    #[serde(flatten)]
    shared: Shared,
}

/// Starts sharing `notifier`'s events with the other instances on the same PostgreSQL.
/// Returns at once; the listener ends when the notifier shuts down, the sender with the
/// process.
pub fn start(db: &DatabaseConnection, notifier: &Notifier) {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    let pool = db.get_postgres_connection_pool().clone();
    let me = format!("{:016x}", rand::random::<u64>());
    tokio::spawn(send(pool.clone(), me.clone(), notifier.share_with_others()));
    tokio::spawn(listen(pool, me, notifier.clone()));
}

/// NOTIFYs each event this instance publishes. Publishing never waits for this: a page open
/// on another instance hears of the event a moment later, or (PostgreSQL down) on its next
/// load.
async fn send(pool: PgPool, me: String, mut outgoing: mpsc::UnboundedReceiver<Shared>) {
    while let Some(shared) = outgoing.recv().await {
        let payload = match serde_json::to_string(&Envelope { from: me.clone(), shared }) {
            Ok(payload) if payload.len() < MAX_PAYLOAD => payload,
            Ok(payload) => {
                tracing::warn!(bytes = payload.len(), "an event too large to share with other instances was skipped");
                continue;
            }
            Err(err) => {
                tracing::warn!(error = %err, "an event could not be written for other instances");
                continue;
            }
        };
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&pool).await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, "could not tell other instances of an event");
        }
    }
}

/// Hands the events other instances NOTIFY to the pages open here, reconnecting when the
/// connection drops.
async fn listen(pool: PgPool, me: String, notifier: Notifier) {
    let mut stopping = notifier.stopping();
    let mut listener: Option<PgListener> = None;
    loop {
        let Some(active) = listener.as_mut() else {
            match subscribe(&pool).await {
                Ok(subscribed) => listener = Some(subscribed),
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for other instances' events; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = stopping.wait_for(|stop| *stop) => return,
                    }
                }
            }
            continue;
        };
        let received = tokio::select! {
            received = active.try_recv() => received,
            _ = stopping.wait_for(|stop| *stop) => return,
        };
        match received {
            Ok(Some(notification)) => match serde_json::from_str::<Envelope>(notification.payload()) {
                Ok(envelope) if envelope.from != me => notifier.deliver(envelope.shared),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "skipped an event another instance sent that this one cannot read"),
            },
            // The listener reconnects and listens again by itself on the next call.
            Ok(None) => tracing::warn!("lost the connection for other instances' events; reconnecting"),
            Err(err) => {
                tracing::warn!(error = %err, "listening for other instances' events failed; reconnecting");
                listener = None;
            }
        }
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
