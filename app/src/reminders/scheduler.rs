//! The scheduler: delivers every due reminder exactly once, as a notification to its
//! assignee, through restarts, crashes and several instances.
//!
//! The queue is the `reminders` table. One round is one transaction: it marks a batch of due,
//! undelivered reminders delivered and inserts one notification for each row it marked; the
//! mark and the notifications commit together. On PostgreSQL the batch is picked with
//! `FOR UPDATE SKIP LOCKED`, so instances never wait on each other and never take the same
//! row; on SQLite the single writer's turn does the same. A scheduler killed mid-delivery
//! commits nothing: its rows are unlocked and the next round (its own, restarted, or
//! another's) takes them. The unique `notifications (reminder_id, reminder_due_at)` refuses a
//! second delivery even if everything else failed. Reminders that fell due while nothing was
//! running are delivered at the next start and marked late. Once a minute it also raises
//! the alerts in [`super::alerts`].

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    Statement, TransactionTrait,
};

use super::LATE_AFTER_MINUTES;
use crate::db::entities::{notification, reminder, user};
use crate::error::AppError;
use crate::notifications::Notice;
use crate::notifications::service::Notifier;

/// Reminders delivered per round (one transaction).
pub const BATCH: u64 = 1000;

/// A random name for this scheduler, for its log lines.
pub fn worker_id() -> String {
    let n: u64 = rand::random();
    format!("{}-{n:016x}", std::process::id())
}

/// Runs until `stopping` turns true: delivers what is due, then waits a second.
pub async fn run(db: DatabaseConnection, notifier: Notifier, worker: String, mut stopping: tokio::sync::watch::Receiver<bool>) {
    tracing::info!(%worker, "scheduler started");
    let mut next_alerts = Utc::now();
    loop {
        if Utc::now() >= next_alerts {
            if let Err(err) = super::alerts::run(&db, &notifier, Utc::now()).await {
                tracing::error!(error = ?err, "the scheduler could not raise alerts; retrying");
            }
            next_alerts = Utc::now() + Duration::seconds(super::alerts::EVERY_SECONDS);
        }
        let delivered = match deliver_due(&db, &notifier, &worker, Utc::now()).await {
            Ok(n) => n,
            Err(err) => {
                tracing::error!(error = ?err, "the scheduler could not deliver reminders; retrying");
                0
            }
        };
        if delivered as u64 >= BATCH {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(StdDuration::from_secs(1)) => {}
            _ = stopping.wait_for(|stop| *stop) => break,
        }
    }
    tracing::info!(%worker, "scheduler stopped");
}

/// One round: delivers up to [`BATCH`] reminders due at `now` and publishes their
/// notifications. Returns how many were delivered.
pub async fn deliver_due(db: &DatabaseConnection, notifier: &Notifier, worker: &str, now: DateTime<Utc>) -> Result<usize, AppError> {
    let write = crate::db::begin_write(db).await?;
    let round = deliver_in(&write.txn, worker, now).await?;
    write.txn.commit().await?;
    let delivered = round.notices.len();
    for lag in round.lags {
        crate::metrics::reminder_delivered(lag);
    }
    notifier.publish(round.notices);
    Ok(delivered)
}

/// One round's deliveries: a notification for each reminder, and how late each went out.
pub struct Round {
    pub notices: Vec<Notice>,
    /// Seconds from each reminder's due time to its delivery.
    pub lags: Vec<f64>,
}

/// The round's work inside `txn`: marks a batch delivered and stores a notification for each.
/// Nothing is delivered until the caller commits.
pub async fn deliver_in(txn: &DatabaseTransaction, worker: &str, now: DateTime<Utc>) -> Result<Round, AppError> {
    let backend = txn.get_database_backend();
    let late_before = now - Duration::minutes(LATE_AFTER_MINUTES);
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE reminders SET delivered_at = $1, late = (due_at < $2) WHERE id IN (
                SELECT id FROM reminders
                WHERE state = 'pending' AND delivered_at IS NULL AND due_at <= $1
                ORDER BY due_at LIMIT $3
                FOR UPDATE SKIP LOCKED)
             RETURNING *"
        }
        _ => {
            "UPDATE reminders SET delivered_at = ?1, late = (due_at < ?2) WHERE id IN (
                SELECT id FROM reminders
                WHERE state = 'pending' AND delivered_at IS NULL AND due_at <= ?1
                ORDER BY due_at LIMIT ?3)
             RETURNING *"
        }
    };
    let values: Vec<sea_orm::Value> = vec![now.into(), late_before.into(), (BATCH as i64).into()];
    let mine = reminder::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(txn).await?;
    if mine.is_empty() {
        return Ok(Round { notices: Vec::new(), lags: Vec::new() });
    }
    tracing::debug!(%worker, reminders = mine.len(), "delivering");
    let contacts = super::service::contacts_of(txn, mine.iter().map(|r| r.deal_id).collect()).await?;
    let users = user::Entity::find().all(txn).await?;
    let agency_language = crate::agency::language(txn).await?;
    let rows = mine.iter().map(|r| {
        let who = contacts.get(&r.deal_id).map(|c| c.name.clone()).unwrap_or_default();
        let assignee = users.iter().find(|u| u.id == r.assignee_id);
        let zone = assignee.map(|u| super::service::zone(&u.time_zone)).unwrap_or(chrono_tz::Tz::UTC);
        let lang = crate::language::of_person(assignee.and_then(|u| u.language.as_deref()), &agency_language);
        let due = r.due_at.with_timezone(&zone).format("%H:%M").to_string();
        let body = if r.due_at < late_before { "reminders-due-late" } else { "reminders-due-at" };
        notification::ActiveModel {
            user_id: Set(r.assignee_id),
            kind: Set(crate::notifications::NoticeKind::Reminder),
            title: Set(lang.t_with("reminders-follow-up-title", &[("title", r.title.as_str().into()), ("client", who.into())])),
            body: Set(lang.t_with(body, &[("time", due.into())])),
            deal_id: Set(Some(r.deal_id)),
            reminder_id: Set(Some(r.id)),
            reminder_due_at: Set(Some(r.due_at)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }
    });
    let notices = notification::Entity::insert_many(rows).exec_with_returning(txn).await?.into_iter().map(crate::notifications::Notice::from).collect();
    let lags = mine.iter().map(|r| (now - r.due_at).num_milliseconds().max(0) as f64 / 1000.0).collect();
    Ok(Round { notices, lags })
}

/// Makes sure the database answers before a worker starts (used by `doorstep worker`).
pub async fn check(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await?;
    reminder::Entity::find().filter(reminder::Column::Id.eq(0)).one(&txn).await?;
    txn.commit().await?;
    Ok(())
}
