//! A listing's photos: added from a phone, put in order, one made the cover, removed.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{PhotoView, PropertyView};
use crate::db::entities::{property, property_photo};
use crate::deals::service::Actor;
use crate::error::AppError;
use crate::media::Storage;

/// Photos one listing may have: enough for any brochure.
pub const MAX_PHOTOS: usize = 40;

/// Where the app serves a stored object.
pub fn media_url(key: &str) -> String {
    format!("/media/{key}")
}

fn view_of(row: &property_photo::Model) -> PhotoView {
    PhotoView {
        id: row.id,
        position: row.position,
        url: media_url(&row.display_key),
        thumb_url: media_url(&row.thumb_key),
        width: row.width,
        height: row.height,
    }
}

/// The photo rows of a listing, cover first.
pub async fn rows(db: &impl sea_orm::ConnectionTrait, property_id: i64) -> Result<Vec<property_photo::Model>, AppError> {
    Ok(property_photo::Entity::find()
        .filter(property_photo::Column::PropertyId.eq(property_id))
        .order_by_asc(property_photo::Column::Position)
        .order_by_asc(property_photo::Column::Id)
        .all(db)
        .await?)
}

pub async fn list(db: &DatabaseConnection, property_id: i64) -> Result<Vec<PhotoView>, AppError> {
    Ok(rows(db, property_id).await?.iter().map(view_of).collect())
}

/// Fills in each listing's cover thumbnail with one query.
pub async fn with_covers(db: &DatabaseConnection, listings: &mut [PropertyView]) -> Result<(), AppError> {
    let ids: Vec<i64> = listings.iter().map(|p| p.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let covers: HashMap<i64, String> = property_photo::Entity::find()
        .filter(property_photo::Column::PropertyId.is_in(ids))
        .filter(property_photo::Column::Position.eq(0))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.property_id, media_url(&p.thumb_key)))
        .collect();
    for listing in listings {
        listing.cover = covers.get(&listing.id).cloned();
    }
    Ok(())
}

pub async fn changeable(db: &DatabaseConnection, actor: &Actor, property_id: i64) -> Result<property::Model, AppError> {
    let row = property::Entity::find_by_id(property_id).one(db).await?.ok_or(AppError::NotFound)?;
    super::service::may_change(actor, &row)?;
    Ok(row)
}

/// Checks, resizes and stores one upload as the listing's last photo (its cover if it is
/// the first). A refused file stores nothing.
pub async fn add(db: &DatabaseConnection, media: &dyn Storage, actor: &Actor, property_id: i64, bytes: Vec<u8>) -> Result<PhotoView, AppError> {
    changeable(db, actor, property_id).await?;
    add_processed(db, media, actor, property_id, process(bytes).await?).await
}

/// Checks and resizes an upload off the request threads (it takes a core for a moment).
pub async fn process(bytes: Vec<u8>) -> Result<crate::media::Processed, AppError> {
    let _memory = crate::common::GiveBackMemory;
    let _turn = crate::media::photos::DECODING.acquire().await.map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(move || crate::media::process(&bytes)).await.map_err(|err| {
        tracing::error!(error = %err, "photo processing stopped");
        AppError::Internal
    })?
}

/// Takes the listing's row lock (PostgreSQL; SQLite writes one at a time anyway), so two
/// uploads or moves on one listing never number their photos at the same time.
async fn lock_listing(txn: &impl sea_orm::ConnectionTrait, property_id: i64) -> Result<(), AppError> {
    use sea_orm::sea_query::Expr;
    property::Entity::update_many()
        .col_expr(property::Column::Id, Expr::col(property::Column::Id))
        .filter(property::Column::Id.eq(property_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Stores a photo already checked by [`process`] as the listing's last.
pub async fn add_processed(
    db: &DatabaseConnection,
    media: &dyn Storage,
    actor: &Actor,
    property_id: i64,
    done: crate::media::Processed,
) -> Result<PhotoView, AppError> {
    changeable(db, actor, property_id).await?;
    if rows(db, property_id).await?.len() >= MAX_PHOTOS {
        return Err(AppError::field("photo", crate::language::t_with("properties-holds-up-to-photos", &[("max", MAX_PHOTOS.into())])));
    }
    let name = crate::media::photos::random_name();
    let display_key = format!("photos/{name}.jpg");
    let thumb_key = format!("photos/{name}-thumb.jpg");
    media.put(&display_key, done.display, "image/jpeg").await?;
    media.put(&thumb_key, done.thumb, "image/jpeg").await?;
    let inserted = async {
        let write = crate::db::begin_write(db).await?;
        let txn = &write.txn;
        lock_listing(txn, property_id).await?;
        let order = rows(txn, property_id).await?;
        if order.len() >= MAX_PHOTOS {
            return Err(AppError::field("photo", crate::language::t_with("properties-holds-up-to-photos", &[("max", MAX_PHOTOS.into())])));
        }
        let next = order.last().map_or(0, |p| p.position + 1);
        let row = property_photo::ActiveModel {
            property_id: Set(property_id),
            position: Set(next),
            display_key: Set(display_key.clone()),
            thumb_key: Set(thumb_key.clone()),
            width: Set(done.width as i32),
            height: Set(done.height as i32),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        write.txn.commit().await?;
        Ok::<_, AppError>(row)
    }
    .await;
    match inserted {
        Ok(row) => Ok(view_of(&row)),
        Err(err) => {
            // Nothing points at the files: take them away again.
            let _ = media.delete(&display_key).await;
            let _ = media.delete(&thumb_key).await;
            Err(err)
        }
    }
}

/// Where a photo goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Cover,
    Earlier,
    Later,
}

impl Move {
    pub fn parse(raw: &str) -> Result<Move, AppError> {
        match raw {
            "cover" => Ok(Move::Cover),
            "earlier" => Ok(Move::Earlier),
            "later" => Ok(Move::Later),
            _ => Err(AppError::field("move", crate::language::t("properties-say-cover-earlier-or-later"))),
        }
    }
}

async fn photo(db: &DatabaseConnection, photo_id: i64) -> Result<property_photo::Model, AppError> {
    property_photo::Entity::find_by_id(photo_id).one(db).await?.ok_or(AppError::NotFound)
}

/// Moves a photo and renumbers the listing's photos 0, 1, 2… in one transaction.
pub async fn reorder(db: &DatabaseConnection, actor: &Actor, photo_id: i64, to: Move) -> Result<Vec<PhotoView>, AppError> {
    let moved = photo(db, photo_id).await?;
    changeable(db, actor, moved.property_id).await?;
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    lock_listing(txn, moved.property_id).await?;
    let mut order = rows(txn, moved.property_id).await?;
    let at = order.iter().position(|p| p.id == photo_id).ok_or(AppError::NotFound)?;
    let item = order.remove(at);
    let target = match to {
        Move::Cover => 0,
        Move::Earlier => at.saturating_sub(1),
        Move::Later => (at + 1).min(order.len()),
    };
    order.insert(target, item);
    renumber(txn, &order).await?;
    write.txn.commit().await?;
    list(db, moved.property_id).await
}

/// Numbers the photos 0, 1, 2… in the order given.
async fn renumber(txn: &impl sea_orm::ConnectionTrait, order: &[property_photo::Model]) -> Result<(), AppError> {
    for (position, row) in order.iter().enumerate() {
        if row.position != position as i32 {
            property_photo::ActiveModel { id: Set(row.id), position: Set(position as i32), ..Default::default() }.update(txn).await?;
        }
    }
    Ok(())
}

/// Removes a photo and its files; the next one becomes the cover if it was the cover.
pub async fn delete(db: &DatabaseConnection, media: &dyn Storage, actor: &Actor, photo_id: i64) -> Result<Vec<PhotoView>, AppError> {
    let gone = photo(db, photo_id).await?;
    changeable(db, actor, gone.property_id).await?;
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    lock_listing(txn, gone.property_id).await?;
    property_photo::Entity::delete_by_id(photo_id).exec(txn).await?;
    renumber(txn, &rows(txn, gone.property_id).await?).await?;
    write.txn.commit().await?;
    // After the commit: a failed file delete leaves an orphan file, never a broken photo.
    for key in [&gone.display_key, &gone.thumb_key] {
        if let Err(err) = media.delete(key).await {
            tracing::warn!(error = %err, key, "a removed photo's file stayed behind");
        }
    }
    list(db, gone.property_id).await
}
