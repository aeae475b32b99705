//! Accounts and sessions: the rules, reached by server functions, HTTP handlers and the CLI.

use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, SqlErr,
};

use super::session::{self, Lifetime};
use super::{check_password, parse_name, parse_staff_phone, Email, NewUserInput, Role, SessionSummary, SessionUser, UserSummary};
use crate::agency;
use crate::db::entities::{login_failure, session as sessions, user};
use crate::error::{AppError, Validator};

/// Failed log-ins allowed per account, and per address, within the window.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
pub const MAX_FAILURES_PER_IP: u64 = 30;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

/// A new account's fields after validation.
pub struct ValidUser {
    pub name: String,
    pub email: Email,
    pub phone: Option<String>,
    pub role: Role,
    pub time_zone: String,
    pub password: String,
}

/// Validates every field at once, so a form can show all its problems together.
pub fn validate_new_user(input: &NewUserInput) -> Result<ValidUser, AppError> {
    let mut v = Validator::default();
    let name = v.check("name", parse_name(&input.name));
    let email = v.check("email", Email::parse(&input.email));
    let phone = v.check("phone", parse_staff_phone(&input.phone));
    let role = v.check("role", Role::parse(&input.role));
    let time_zone = v.check("time_zone", agency::parse_time_zone(&input.time_zone));
    v.check("password", check_password(&input.password));
    let (name, email, phone, role, time_zone) = v.finish_with((name, email, phone, role, time_zone))?;
    Ok(ValidUser {
        name,
        email,
        phone,
        role,
        time_zone,
        password: input.password.clone(),
    })
}

/// Argon2id with the crate's recommended parameters; run off the async threads because it is
/// deliberately slow.
pub async fn hash_password(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        // A random salt from the system's generator, made by the hasher itself.
        Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|err| {
        tracing::error!(error = %err, "password hashing failed");
        AppError::Internal
    })
}

async fn password_matches(password: &str, stored_hash: &str) -> bool {
    let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored_hash)
            .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

pub async fn user_count(db: &impl ConnectionTrait) -> Result<u64, AppError> {
    Ok(user::Entity::find().count(db).await?)
}

/// Inserts a validated account. A taken e-mail is a validation error on the e-mail field.
pub async fn insert_user(db: &impl ConnectionTrait, valid: ValidUser) -> Result<user::Model, AppError> {
    let hash = hash_password(&valid.password).await?;
    let now = Utc::now();
    let row = user::ActiveModel {
        email: Set(valid.email.as_str().to_owned()),
        name: Set(valid.name),
        phone: Set(valid.phone),
        role: Set(valid.role.as_str().to_owned()),
        time_zone: Set(valid.time_zone),
        password_hash: Set(hash),
        away: Set(false),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    row.insert(db).await.map_err(|err| match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::field("email", crate::language::t("auth-another-account-uses-this-email"))
        }
        _ => AppError::from(err),
    })
}

pub async fn create_user(db: &DatabaseConnection, input: &NewUserInput) -> Result<user::Model, AppError> {
    insert_user(db, validate_new_user(input)?).await
}

/// The install step: names the agency and creates the first administrator, only while the
/// database has no users at all. Two racing requests cannot both succeed: the check and the
/// insert share a transaction and the agency row has a fixed primary key.
pub async fn create_first_admin(
    db: &DatabaseConnection,
    agency_name: &str,
    input: &NewUserInput,
) -> Result<user::Model, AppError> {
    let input = NewUserInput { role: Role::Admin.as_str().into(), ..input.clone() };
    let mut v = Validator::default();
    let agency_name = v.check("agency_name", agency::parse_agency_name(agency_name));
    let valid = match validate_new_user(&input) {
        Ok(valid) => Some(valid),
        Err(AppError::Validation(errors)) => {
            for (field, message) in errors {
                v.add(&field, message);
            }
            None
        }
        Err(other) => return Err(other),
    };
    let (agency_name, valid) = v.finish_with((agency_name, valid))?;
    // A write from its first statement: a transaction that read first and then wrote found
    // SQLite's lock taken by a background worker's write, and the first admin was refused with
    // "database is locked" (seen in a Playwright run).
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    if user_count(txn).await? > 0 {
        return Err(AppError::Conflict(crate::language::t("auth-already-has-an-administrator")));
    }
    agency::save(txn, &agency_name, &valid.time_zone).await?;
    let admin = insert_user(txn, valid).await?;
    write.txn.commit().await?;
    Ok(admin)
}

pub fn to_session_user(row: &user::Model) -> SessionUser {
    SessionUser {
        id: row.id,
        name: row.name.clone(),
        email: row.email.clone(),
        // Roles are written only from `Role::as_str`; an unknown value gets the least access.
        role: Role::parse(&row.role).unwrap_or(Role::Agent),
        time_zone: row.time_zone.clone(),
        // Resolved against the agency's by `session_user`, which every page load goes through.
        language: row.language.clone().unwrap_or_else(|| "en".into()),
    }
}

pub fn to_summary(row: &user::Model) -> UserSummary {
    UserSummary {
        id: row.id,
        name: row.name.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        role: Role::parse(&row.role).unwrap_or(Role::Agent),
        time_zone: row.time_zone.clone(),
        away: row.away,
        disabled: row.disabled_at.is_some(),
        created_at: row.created_at,
    }
}

/// Checks e-mail and password, counting failures per account and per address. Refuses while
/// either has too many recent failures, even with the right password, so guessing stays slow.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    ip: &str,
) -> Result<user::Model, AppError> {
    let email = email.trim().to_lowercase();
    let since = Utc::now() - Duration::minutes(FAILURE_WINDOW_MINUTES);
    let account_failures = login_failure::Entity::find()
        .filter(login_failure::Column::Email.eq(&email))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    let ip_failures = login_failure::Entity::find()
        .filter(login_failure::Column::Ip.eq(ip))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    if account_failures >= MAX_FAILURES_PER_ACCOUNT || ip_failures >= MAX_FAILURES_PER_IP {
        return Err(AppError::TooManyRequests(
            crate::language::t("auth-too-many-failed-attempts"),
        ));
    }
    let found = user::Entity::find().filter(user::Column::Email.eq(&email)).one(db).await?;
    let ok = match &found {
        Some(row) => password_matches(password, &row.password_hash).await && row.disabled_at.is_none(),
        None => {
            // Spend about the time of a real check so response times do not reveal accounts.
            let _ = hash_password(password).await;
            false
        }
    };
    match (ok, found) {
        (true, Some(row)) => {
            login_failure::Entity::delete_many()
                .filter(login_failure::Column::Email.eq(&email))
                .exec(db)
                .await?;
            Ok(row)
        }
        _ => {
            login_failure::ActiveModel {
                email: Set(email),
                ip: Set(ip.to_owned()),
                at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await?;
            Err(AppError::Unauthorized)
        }
    }
}

/// Starts a session and returns the cookie token (the database keeps only its hash).
pub async fn start_session(
    db: &DatabaseConnection,
    lifetime: Lifetime,
    user_id: i64,
    user_agent: Option<String>,
    ip: Option<String>,
) -> Result<String, AppError> {
    let token = session::new_token();
    let now = Utc::now();
    sessions::ActiveModel {
        token_hash: Set(session::token_hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(lifetime.expiry(now, now)),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(300).collect())),
        ip: Set(ip),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The user behind a session token, if the session is live and the account enabled. Extends
/// the session at most every few minutes, so reads do not become writes on every request,
/// and never past its absolute lifetime. The lifetime's limits are checked here too, so a
/// shorter setting ends longer sessions at once.
pub async fn session_user(db: &DatabaseConnection, lifetime: Lifetime, token_hash: &str) -> Result<Option<SessionUser>, AppError> {
    use sea_orm::{FromQueryResult, IdenStatic, QuerySelect, QueryTrait};
    let now = Utc::now();
    // The agency's language comes in the same read, for a person who chose none: one round
    // trip less before every page (docs/benchmarks.md).
    let select = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(token_hash))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::LastSeenAt.gt(now - lifetime.idle))
        .filter(sessions::Column::CreatedAt.gt(now - lifetime.absolute))
        .find_also_related(user::Entity)
        .expr_as(Expr::cust(agency::language_subquery()), "agency_language")
        .limit(1);
    let Some(row) = db.query_one_raw(select.build(db.get_database_backend())).await? else { return Ok(None) };
    let session_row = sessions::Model::from_query_result(&row, sea_orm::query::SelectA.as_str())?;
    let Some(user_row) = user::Model::from_query_result_optional(&row, sea_orm::query::SelectB.as_str())? else { return Ok(None) };
    if user_row.disabled_at.is_some() {
        return Ok(None);
    }
    if now - session_row.last_seen_at > Duration::minutes(5) {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(lifetime.expiry(session_row.created_at, now)))
            .filter(sessions::Column::Id.eq(session_row.id))
            .exec(db)
            .await?;
    }
    let mut user = to_session_user(&user_row);
    if user_row.language.is_none() {
        user.language = row.try_get::<Option<String>>("", "agency_language")?.unwrap_or_else(|| agency::FIRST_LANGUAGE.into());
    }
    Ok(Some(user))
}

/// Sets the language the user reads Doorstep in; None follows the agency's.
pub async fn set_language(db: &impl ConnectionTrait, user_id: i64, language: Option<&str>) -> Result<(), AppError> {
    let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(code) => Some(crate::language::Language::parse(code).map(|l| l.code()).ok_or_else(|| AppError::field("language", unknown_language()))?),
    };
    user::Entity::update_many().col_expr(user::Column::Language, Expr::value(language)).filter(user::Column::Id.eq(user_id)).exec(db).await?;
    Ok(())
}

/// What an unknown language code is told.
pub fn unknown_language() -> String {
    let names: Vec<String> = crate::language::Language::all().iter().map(|l| format!("{} ({})", l.code(), l.name())).collect();
    crate::language::t_with("auth-choose-a-language", &[("languages", names.join(", ").into())])
}

pub async fn end_session(db: &DatabaseConnection, token_hash: &str) -> Result<(), AppError> {
    sessions::Entity::delete_many().filter(sessions::Column::TokenHash.eq(token_hash)).exec(db).await?;
    Ok(())
}

/// The viewer's live sessions, the one asking first, then the most recently used.
pub async fn my_sessions(db: &DatabaseConnection, lifetime: Lifetime, viewer: &SessionUser, current_hash: &str) -> Result<Vec<SessionSummary>, AppError> {
    let now = Utc::now();
    let rows = sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(viewer.id))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::LastSeenAt.gt(now - lifetime.idle))
        .filter(sessions::Column::CreatedAt.gt(now - lifetime.absolute))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(db)
        .await?;
    let mut list: Vec<SessionSummary> = rows
        .into_iter()
        .map(|row| SessionSummary {
            id: row.id,
            device: crate::push::service::device_name(row.user_agent.as_deref()),
            address: row.ip,
            last_seen: crate::common::local(row.last_seen_at, &viewer.time_zone),
            started: crate::common::local(row.created_at, &viewer.time_zone),
            current: row.token_hash == current_hash,
        })
        .collect();
    list.sort_by_key(|s| !s.current);
    Ok(list)
}

/// Ends one of the viewer's own sessions (never anyone else's: an id that is not theirs ends
/// nothing). The session asking is ended by logging out, not here.
pub async fn end_my_session(db: &DatabaseConnection, viewer: &SessionUser, current_hash: &str, id: i64) -> Result<(), AppError> {
    let ended = sessions::Entity::delete_many()
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::UserId.eq(viewer.id))
        .filter(sessions::Column::TokenHash.ne(current_hash))
        .exec(db)
        .await?;
    if ended.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session of the viewer's but the one asking: how many ended.
pub async fn end_my_other_sessions(db: &DatabaseConnection, viewer: &SessionUser, current_hash: &str) -> Result<u64, AppError> {
    let ended = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(viewer.id))
        .filter(sessions::Column::TokenHash.ne(current_hash))
        .exec(db)
        .await?;
    Ok(ended.rows_affected)
}

async fn end_all_sessions(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

pub async fn list_users(db: &DatabaseConnection) -> Result<Vec<UserSummary>, AppError> {
    let rows = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    Ok(rows.iter().map(to_summary).collect())
}

async fn find_user(db: &impl ConnectionTrait, user_id: i64) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)
}

pub async fn find_by_email(db: &DatabaseConnection, email: &str) -> Result<user::Model, AppError> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Disables or re-enables an account. Disabling ends its sessions at once. An admin cannot
/// disable themselves, nor the last enabled admin, so the agency is never locked out.
pub async fn set_disabled(db: &DatabaseConnection, actor_id: i64, user_id: i64, disabled: bool) -> Result<(), AppError> {
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let row = find_user(txn, user_id).await?;
    if disabled {
        if user_id == actor_id {
            return Err(AppError::Conflict(crate::language::t("auth-cannot-disable-your-own-account")));
        }
        if row.role == Role::Admin.as_str() {
            let enabled_admins = user::Entity::find()
                .filter(user::Column::Role.eq(Role::Admin.as_str()))
                .filter(user::Column::DisabledAt.is_null())
                .count(txn)
                .await?;
            if enabled_admins <= 1 {
                return Err(AppError::Conflict(crate::language::t("auth-last-active-admin")));
            }
        }
    }
    let now = Utc::now();
    let mut active: user::ActiveModel = row.into();
    active.disabled_at = Set(disabled.then_some(now));
    active.updated_at = Set(now);
    active.update(txn).await?;
    if disabled {
        end_all_sessions(txn, user_id).await?;
    }
    write.txn.commit().await?;
    Ok(())
}

/// Sets a new password and ends the account's sessions, so a leaked password stops working
/// everywhere.
pub async fn reset_password(db: &DatabaseConnection, user_id: i64, new_password: &str) -> Result<(), AppError> {
    check_password(new_password).map_err(|m| AppError::field("password", m))?;
    let hash = hash_password(new_password).await?;
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let row = find_user(txn, user_id).await?;
    let email = row.email.clone();
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(txn).await?;
    end_all_sessions(txn, user_id).await?;
    login_failure::Entity::delete_many().filter(login_failure::Column::Email.eq(email)).exec(txn).await?;
    write.txn.commit().await?;
    Ok(())
}

/// The viewer changes their own password: the current one must match (a session left open on
/// a shared computer is not enough), wrong guesses count as failed log-ins, and every other
/// session ends while this one stays, so whoever had the old password is out everywhere.
pub async fn change_password(
    db: &DatabaseConnection,
    viewer: &SessionUser,
    current_hash: &str,
    current: &str,
    new_password: &str,
    ip: &str,
) -> Result<u64, AppError> {
    let mut v = Validator::default();
    if current.is_empty() {
        v.add("current", crate::language::t("auth-enter-your-current-password"));
    }
    v.check("password", check_password(new_password));
    if !current.is_empty() && current == new_password {
        v.add("password", crate::language::t("auth-choose-a-different-password"));
    }
    v.finish()?;
    let row = find_user(db, viewer.id).await?;
    if let Err(err) = authenticate(db, &row.email, current, ip).await {
        return Err(match err {
            AppError::Unauthorized => AppError::field("current", crate::language::t("auth-not-your-current-password")),
            other => other,
        });
    }
    let hash = hash_password(new_password).await?;
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let mut active: user::ActiveModel = find_user(txn, viewer.id).await?.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    active.update(txn).await?;
    let ended = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(viewer.id))
        .filter(sessions::Column::TokenHash.ne(current_hash))
        .exec(txn)
        .await?;
    write.txn.commit().await?;
    Ok(ended.rows_affected)
}

/// Changes role, time zone and the away flag. The last enabled admin keeps the admin role.
pub async fn update_user(
    db: &DatabaseConnection,
    user_id: i64,
    role: &str,
    time_zone: &str,
    away: bool,
) -> Result<(), AppError> {
    let mut v = Validator::default();
    let role = v.check("role", Role::parse(role));
    let time_zone = v.check("time_zone", agency::parse_time_zone(time_zone));
    let (role, time_zone) = v.finish_with((role, time_zone))?;
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let row = find_user(txn, user_id).await?;
    if row.role == Role::Admin.as_str() && role != Role::Admin && row.disabled_at.is_none() {
        let enabled_admins = user::Entity::find()
            .filter(user::Column::Role.eq(Role::Admin.as_str()))
            .filter(user::Column::DisabledAt.is_null())
            .count(txn)
            .await?;
        if enabled_admins <= 1 {
            return Err(AppError::field("role", crate::language::t("auth-last-active-admin")));
        }
    }
    let mut active: user::ActiveModel = row.into();
    active.role = Set(role.as_str().to_owned());
    active.time_zone = Set(time_zone);
    active.away = Set(away);
    active.updated_at = Set(Utc::now());
    active.update(txn).await?;
    write.txn.commit().await?;
    Ok(())
}

/// The user `user_id` if they exist and are enabled; otherwise a field error on `field`
/// asking for an active colleague (for assigning deals, follow-ups and listings).
pub async fn active_colleague(db: &impl ConnectionTrait, user_id: i64, field: &str) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(|| AppError::field(field, crate::language::t("auth-choose-an-active-colleague")))
}

/// Marks a colleague away (round-robin skips them) or back. Managers may do this too.
pub async fn set_away(db: &DatabaseConnection, user_id: i64, away: bool) -> Result<(), AppError> {
    let row = find_user(db, user_id).await?;
    let mut active: user::ActiveModel = row.into();
    active.away = Set(away);
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(())
}

/// Removes expired sessions and old failure counts; run periodically by the server.
pub async fn prune(db: &DatabaseConnection) -> Result<(), AppError> {
    let now = Utc::now();
    sessions::Entity::delete_many().filter(sessions::Column::ExpiresAt.lte(now)).exec(db).await?;
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lte(now - Duration::minutes(FAILURE_WINDOW_MINUTES)))
        .exec(db)
        .await?;
    Ok(())
}
