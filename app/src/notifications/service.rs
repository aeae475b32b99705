use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use tokio::sync::{broadcast, watch};

use super::{DealEvent, Notice};
use crate::db::entities::notification;
use crate::error::AppError;

/// Fans new notifications out to the live streams of this server's open pages.
/// In memory: each server instance serves the streams of its own open pages.
#[derive(Clone)]
pub struct Notifier {
    sender: broadcast::Sender<Notice>,
    deals: broadcast::Sender<DealEvent>,
    stopping: watch::Sender<bool>,
}

impl Default for Notifier {
    fn default() -> Self {
        // Enough for a burst of leads; a page that falls further behind reloads its lists.
        Notifier { sender: broadcast::channel(1024).0, deals: broadcast::channel(1024).0, stopping: watch::channel(false).0 }
    }
}

impl Notifier {
    pub fn publish(&self, notices: impl IntoIterator<Item = Notice>) {
        for notice in notices {
            // No open page is not an error: the notice is stored and shown on next load.
            let _ = self.sender.send(notice);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }

    /// Tells every open page that a deal changed. Call after the change commits.
    pub fn deal_changed(&self, event: DealEvent) {
        let _ = self.deals.send(event);
    }

    pub fn subscribe_deals(&self) -> broadcast::Receiver<DealEvent> {
        self.deals.subscribe()
    }

    /// Ends every live stream, so a graceful shutdown is not held open by them.
    pub fn shut_down(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once `shut_down` has been called.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

/// Stores a notification; publish it after the surrounding transaction commits.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    deal_id: Option<i64>,
) -> Result<Notice, AppError> {
    let row = notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        deal_id: Set(deal_id),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Notice { id: row.id, user_id, kind: row.kind, title: row.title, body: row.body, deal_id })
}

pub async fn unread(db: &sea_orm::DatabaseConnection, user_id: i64) -> Result<u64, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// The viewer's newest 50 notifications.
pub async fn recent(db: &sea_orm::DatabaseConnection, viewer: &crate::auth::SessionUser) -> Result<Vec<super::NoticeView>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(viewer.id))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| super::NoticeView {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            deal_id: n.deal_id,
            at: crate::deals::service::local(n.created_at, &viewer.time_zone),
            unread: n.read_at.is_none(),
        })
        .collect())
}

pub async fn mark_all_read(db: &sea_orm::DatabaseConnection, user_id: i64) -> Result<(), AppError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
