use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{ApiKeySummary, NewApiKey, Scope};
use crate::auth::session::{new_token, token_hash};
use crate::db::entities::{api_key, idempotent_answer};
use crate::error::AppError;

const KEY_PREFIX: &str = "dsk_";

fn summary(row: &api_key::Model) -> ApiKeySummary {
    ApiKeySummary {
        id: row.id,
        name: row.name.clone(),
        // Scopes are written only from `Scope::as_str`; an unknown one gets the least power.
        scope: Scope::parse(&row.scope).unwrap_or(Scope::Capture),
        prefix: row.prefix.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        revoked: row.revoked_at.is_some(),
    }
}

pub async fn create(db: &DatabaseConnection, name: &str, scope: &str) -> Result<NewApiKey, AppError> {
    let mut v = crate::error::Validator::default();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        v.add("name", crate::language::t("apikeys-name-the-key"));
    }
    let scope = v.check("scope", Scope::parse(scope));
    let scope = v.finish_with(scope)?;
    let key = format!("{KEY_PREFIX}{}", new_token());
    let row = api_key::ActiveModel {
        name: Set(name.to_owned()),
        scope: Set(scope.as_str().into()),
        key_hash: Set(token_hash(&key)),
        prefix: Set(key.chars().take(KEY_PREFIX.len() + 6).collect()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewApiKey { summary: summary(&row), key })
}

pub async fn list(db: &DatabaseConnection) -> Result<Vec<ApiKeySummary>, AppError> {
    let rows = api_key::Entity::find().order_by_desc(api_key::Column::CreatedAt).all(db).await?;
    Ok(rows.iter().map(summary).collect())
}

pub async fn revoke(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    let row = api_key::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if row.revoked_at.is_none() {
        let mut active: api_key::ActiveModel = row.into();
        active.revoked_at = Set(Some(Utc::now()));
        active.update(db).await?;
    }
    Ok(())
}

/// The live key behind a bearer token; anything else is `Unauthorized`.
pub async fn authenticate(db: &DatabaseConnection, bearer: &str) -> Result<api_key::Model, AppError> {
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(token_hash(bearer.trim())))
        .one(db)
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or(AppError::Unauthorized)?;
    let now = Utc::now();
    // Written at most once a minute, so a busy integration does not write on every call; and
    // only noted when it fails (a full disk), so reads still work.
    if row.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        let noted = api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_key::Column::Id.eq(row.id))
            .exec(db)
            .await;
        if let Err(err) = noted {
            tracing::warn!(error = %err, key_id = row.id, "the key's last use could not be recorded");
        }
    }
    Ok(row)
}

/// A stored answer for this key's `Idempotency-Key`, if any.
pub async fn earlier_answer(db: &DatabaseConnection, key_id: i64, idempotency_key: &str) -> Result<Option<idempotent_answer::Model>, AppError> {
    Ok(idempotent_answer::Entity::find()
        .filter(idempotent_answer::Column::ApiKeyId.eq(key_id))
        .filter(idempotent_answer::Column::IdempotencyKey.eq(idempotency_key))
        .one(db)
        .await?)
}

/// The idempotency rules of a retried request: a key of at most 200 characters, the earlier
/// answer to the same key and body (to be sent again as it was), and a refusal when the key
/// came with a different body. `None`: a new request, to be answered and then kept.
pub async fn replay(db: &DatabaseConnection, key_id: i64, idempotency_key: &str, request_hash: &str) -> Result<Option<idempotent_answer::Model>, AppError> {
    if idempotency_key.len() > 200 {
        return Err(AppError::field("Idempotency-Key", crate::language::t("apikeys-idempotency-key-too-long")));
    }
    match earlier_answer(db, key_id, idempotency_key).await? {
        Some(earlier) if earlier.request_hash != request_hash => Err(AppError::field("Idempotency-Key", crate::language::t("apikeys-idempotency-key-reused"))),
        earlier => Ok(earlier),
    }
}

/// An answer to a request that may be retried: its status and JSON body, and whether it is
/// the first answer sent again.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// Answers a request once per `Idempotency-Key`: `work` runs for a new key and its success is
/// kept; a retry with the same key and the same body gets that answer again and `work` does
/// not run; the same key with another body is refused. Without a key `work` just runs. Only
/// successes are kept, so a request refused for its content can be corrected and retried.
pub async fn answer_once<Work, Done>(db: &DatabaseConnection, key_id: i64, idempotency_key: Option<&str>, request: &[u8], work: Work) -> Result<Answer, AppError>
where
    Work: FnOnce() -> Done,
    Done: std::future::Future<Output = Result<(u16, String), AppError>>,
{
    let idempotency_key = idempotency_key.map(str::trim).filter(|k| !k.is_empty());
    let request_hash = token_hash(&String::from_utf8_lossy(request));
    if let Some(idem) = idempotency_key
        && let Some(earlier) = replay(db, key_id, idem, &request_hash).await? {
            return Ok(Answer { status: earlier.status as u16, body: earlier.body, replayed: true });
        }
    let (status, body) = work().await?;
    if let Some(idem) = idempotency_key
        && let Err(err) = keep_answer(db, key_id, idem, &request_hash, status, &body).await {
            // The work is done and answered; only a retry's replay is lost.
            tracing::warn!(error = %err, "could not keep an idempotent answer");
        }
    Ok(Answer { status, body, replayed: false })
}

/// Keeps the first answer; a concurrent twin that stored first wins and this one is dropped.
pub async fn keep_answer(
    db: &DatabaseConnection,
    key_id: i64,
    idempotency_key: &str,
    request_hash: &str,
    status: u16,
    body: &str,
) -> Result<(), AppError> {
    let row = idempotent_answer::ActiveModel {
        api_key_id: Set(key_id),
        idempotency_key: Set(idempotency_key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(i32::from(status)),
        body: Set(body.to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let conflict = sea_orm::sea_query::OnConflict::columns([idempotent_answer::Column::ApiKeyId, idempotent_answer::Column::IdempotencyKey])
        .do_nothing()
        .to_owned();
    match idempotent_answer::Entity::insert(row).on_conflict(conflict).exec(db).await {
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => Ok(()),
        Err(err) => Err(err.into()),
    }
}
