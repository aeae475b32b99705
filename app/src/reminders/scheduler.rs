//! The scheduler: delivers every due reminder exactly once, as a notification to its
//! assignee, through restarts, crashes and several instances.
//!
//! The queue is the `reminders` table. A scheduler first leases a batch of due, undelivered
//! reminders (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so instances never wait on each
//! other). It then delivers its batch in one transaction: it marks them delivered, only
//! where its own lease still holds and nothing delivered them yet, and inserts one
//! notification for each row it marked. The mark and the notification commit together, and
//! the unique `notifications (reminder_id, reminder_due_at)` refuses a second delivery even if
//! everything else failed. A scheduler killed mid-delivery commits nothing. Its lease lapses after
//! [`LEASE_SECONDS`] and another scheduler (or itself, restarted) takes the batch over.
//! Reminders that fell due while nothing was running are delivered at the next start and
//! marked late. Once a minute it also raises the alerts in [`super::alerts`].

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, Set, Statement,
    TransactionTrait,
};

use super::LATE_AFTER_MINUTES;
use crate::db::entities::{notification, reminder, user};
use crate::error::AppError;
use crate::notifications::Notice;
use crate::notifications::service::Notifier;

/// How long a scheduler may hold a batch before others may take it over.
pub const LEASE_SECONDS: i64 = 30;
/// Reminders leased per round.
pub const BATCH: u64 = 500;

/// A random name for this scheduler's leases.
pub fn worker_id() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
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

/// One round: lease what is due at `now`, then deliver it. Returns how many were delivered.
pub async fn deliver_due(db: &DatabaseConnection, notifier: &Notifier, worker: &str, now: DateTime<Utc>) -> Result<usize, AppError> {
    let leased = lease(db, worker, now).await?;
    if leased == 0 {
        return Ok(0);
    }
    deliver_leased(db, notifier, worker, now).await
}

/// Leases up to [`BATCH`] due, undelivered reminders whose lease is free or lapsed.
pub async fn lease(db: &DatabaseConnection, worker: &str, now: DateTime<Utc>) -> Result<u64, AppError> {
    let until = now + Duration::seconds(LEASE_SECONDS);
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "UPDATE reminders SET locked_by = $1, locked_until = $2 WHERE id IN (
                SELECT id FROM reminders
                WHERE state = 'pending' AND delivered_at IS NULL AND due_at <= $3
                  AND (locked_until IS NULL OR locked_until < $3)
                ORDER BY due_at LIMIT $4
                FOR UPDATE SKIP LOCKED)"
        }
        _ => {
            "UPDATE reminders SET locked_by = ?, locked_until = ? WHERE id IN (
                SELECT id FROM reminders
                WHERE state = 'pending' AND delivered_at IS NULL AND due_at <= ?
                  AND (locked_until IS NULL OR locked_until < ?)
                ORDER BY due_at LIMIT ?)"
        }
    };
    let values: Vec<sea_orm::Value> = match backend {
        DatabaseBackend::Postgres => vec![worker.into(), until.into(), now.into(), (BATCH as i64).into()],
        _ => vec![worker.into(), until.into(), now.into(), now.into(), (BATCH as i64).into()],
    };
    // On SQLite the lease takes the single writer's turn like every other write.
    let write = crate::db::begin_write(db).await?;
    let result = write.txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    write.txn.commit().await?;
    Ok(result.rows_affected())
}

/// Delivers what this worker holds a live lease on: marks each delivered and notifies its
/// assignee, all in one transaction.
pub async fn deliver_leased(db: &DatabaseConnection, notifier: &Notifier, worker: &str, now: DateTime<Utc>) -> Result<usize, AppError> {
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let late_before = now - Duration::minutes(LATE_AFTER_MINUTES);
    // Only rows whose lease is still ours and that nobody delivered: a scheduler whose lease
    // lapsed (it stalled) and was taken over finds nothing here.
    let mine = reminder::Entity::update_many()
        .col_expr(reminder::Column::DeliveredAt, Expr::value(now))
        .col_expr(reminder::Column::Late, Expr::col(reminder::Column::DueAt).lt(late_before))
        .col_expr(reminder::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(reminder::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(reminder::Column::LockedBy.eq(worker))
        .filter(reminder::Column::LockedUntil.gte(now))
        .filter(reminder::Column::DeliveredAt.is_null())
        .filter(reminder::Column::State.eq("pending"))
        .exec_with_returning(txn)
        .await?;
    if mine.is_empty() {
        write.txn.commit().await?;
        return Ok(0);
    }
    let contacts = super::service::contacts_of(txn, mine.iter().map(|r| r.deal_id).collect()).await?;
    let users = user::Entity::find().all(txn).await?;
    let rows = mine.iter().map(|r| {
        let who = contacts.get(&r.deal_id).map(|c| c.name.clone()).unwrap_or_default();
        let zone = users.iter().find(|u| u.id == r.assignee_id).map(|u| super::service::zone(&u.time_zone)).unwrap_or(chrono_tz::Tz::UTC);
        let due = r.due_at.with_timezone(&zone).format("%H:%M");
        let late = if r.due_at < late_before { " (late)" } else { "" };
        notification::ActiveModel {
            user_id: Set(r.assignee_id),
            kind: Set("reminder".into()),
            title: Set(format!("Follow up: {} · {who}", r.title)),
            body: Set(format!("Due {due}{late}")),
            deal_id: Set(Some(r.deal_id)),
            reminder_id: Set(Some(r.id)),
            reminder_due_at: Set(Some(r.due_at)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }
    });
    let notices: Vec<Notice> =
        notification::Entity::insert_many(rows).exec_with_returning(txn).await?.into_iter().map(crate::capture::service::notice_of).collect();
    write.txn.commit().await?;
    let delivered = notices.len();
    notifier.publish(notices);
    Ok(delivered)
}

/// Makes sure the database answers before a worker starts (used by `doorstep worker`).
pub async fn check(db: &DatabaseConnection) -> Result<(), AppError> {
    let txn = db.begin().await?;
    reminder::Entity::find().filter(reminder::Column::Id.eq(0)).one(&txn).await?;
    txn.commit().await?;
    Ok(())
}
