//! Claim-to-reply: one colleague answers the client at a time.


use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter};

use crate::deals::{Claim, CLAIM_MINUTES};
use crate::auth::SessionUser;
use crate::db::entities::deal;
use crate::error::AppError;
use crate::language::Text;
use crate::notifications::service::DealChange;
use crate::notifications::service::Notifier;
use super::*;

/// "I'm replying": holds the reply for [`CLAIM_MINUTES`]. Refused while a colleague holds it.
pub async fn claim_reply(db: &DatabaseConnection, notifier: &Notifier, viewer: &SessionUser, deal_id: i64) -> Result<Claim, AppError> {
    let now = Utc::now();
    let until = now + Duration::minutes(CLAIM_MINUTES);
    // One statement decides between two people claiming at once.
    let taken = deal::Entity::update_many()
        .col_expr(deal::Column::ReplyClaimedBy, Expr::value(viewer.id))
        .col_expr(deal::Column::ReplyClaimedUntil, Expr::value(until))
        .filter(deal::Column::Id.eq(deal_id))
        .filter(
            Condition::any()
                .add(deal::Column::ReplyClaimedBy.is_null())
                .add(deal::Column::ReplyClaimedBy.eq(viewer.id))
                .add(deal::Column::ReplyClaimedUntil.lte(now)),
        )
        .exec(db)
        .await?;
    let deal = find_deal(db, deal_id).await?;
    if taken.rows_affected == 0 {
        let names = names(db).await?;
        let holder = live_claim(&deal, &names, now).map(|c| c.name).unwrap_or_else(|| "A colleague".into());
        return Err(AppError::Conflict(format!("{holder} is already replying to this client.")));
    }
    notifier.deal_changed(DealChange { deal_id, version: deal.version, by_user_id: Some(viewer.id), what: Text::new("deals-event-replying").with("name", viewer.name.as_str()) });
    Ok(Claim { user_id: viewer.id, name: viewer.name.clone(), until })
}

/// Gives the reply back before the claim lapses.
pub async fn release_reply(db: &DatabaseConnection, notifier: &Notifier, viewer: &SessionUser, deal_id: i64) -> Result<(), AppError> {
    let released = deal::Entity::update_many()
        .col_expr(deal::Column::ReplyClaimedBy, Expr::value(Option::<i64>::None))
        .col_expr(deal::Column::ReplyClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(deal::Column::Id.eq(deal_id))
        .filter(deal::Column::ReplyClaimedBy.eq(viewer.id))
        .exec(db)
        .await?;
    if released.rows_affected == 1 {
        let deal = find_deal(db, deal_id).await?;
        notifier.deal_changed(DealChange { deal_id, version: deal.version, by_user_id: Some(viewer.id), what: Text::new("deals-event-stopped-replying").with("name", viewer.name.as_str()) });
    }
    Ok(())
}
