//! The one error type that crosses the wire: every server function and HTTP handler answers
//! with one of these, each with a status and a message a user can act on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Messages keyed by the form field they belong to.
pub type FieldErrors = BTreeMap<String, String>;

/// What went wrong, one variant per answer a client must tell apart: each has its own status,
/// so the status is never chosen at the call site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: a request that cannot mean anything (a malformed id in the address, a webhook
    /// handshake without its fields).
    #[error("{0}")]
    BadRequest(String),
    /// 401: a session is needed.
    #[error("{}", crate::language::t("error-log-in"))]
    Unauthorized,
    /// 401: the request did not prove who sent it: an API key missing, unknown or revoked,
    /// a webhook without its signature (answered with `WWW-Authenticate: Bearer`).
    #[error("{0}")]
    Unauthenticated(String),
    /// 403: the caller's role may not do this.
    #[error("{}", crate::language::t("error-forbidden"))]
    Forbidden,
    /// 403: the caller's key or role may not do this, and why.
    #[error("{0}")]
    OutOfScope(String),
    #[error("{}", crate::language::t("error-not-found"))]
    NotFound,
    /// 410: it was there and is no more (a withdrawn link, an upload already imported).
    #[error("{0}")]
    Gone(String),
    /// 412: the change was based on a version that is no longer current.
    #[error("{0}")]
    StaleVersion(String),
    /// 413
    #[error("{0}")]
    TooLarge(String),
    /// 415
    #[error("{0}")]
    UnsupportedType(String),
    /// 409: the change contradicts the current state (a closed deal, the last admin).
    #[error("{0}")]
    Conflict(String),
    /// 422: fields that need correcting, each with its message.
    #[error("{}", crate::language::t("error-validation"))]
    Validation(FieldErrors),
    /// 422: a body or query string that cannot be read at all.
    #[error("{0}")]
    Unreadable(String),
    /// 428: a change must say which version it is based on.
    #[error("{0}")]
    VersionRequired(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Details are logged on the server and never shown to the client.
    #[error("{}", crate::language::t("error-internal"))]
    Internal,
    /// 503: a service Doorstep depends on (WhatsApp, the mail server, a form taking too many
    /// leads at once) did not answer; trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// 503: the disk is full or the database does not answer, so nothing was stored. It
    /// travels as which outage it is and is written when shown, in the language of whoever
    /// reads it: the task that met it (the capture form's writer) serves no one in particular.
    #[error("{}", crate::language::t(.0.key()))]
    Outage(Outage),
    /// The request never reached a server function (network, decoding).
    #[error("{}", crate::language::t_with("error-transport", &[("reason", .0.as_str().into())]))]
    Transport(String),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), message.into());
        AppError::Validation(errors)
    }

    /// The message for one field, when this is a validation error that names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation(errors) => errors.get(field).cloned(),
            _ => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized | AppError::Unauthenticated(_) => 401,
            AppError::Forbidden | AppError::OutOfScope(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Gone(_) => 410,
            AppError::StaleVersion(_) => 412,
            AppError::TooLarge(_) => 413,
            AppError::UnsupportedType(_) => 415,
            AppError::Validation(_) | AppError::Unreadable(_) => 422,
            AppError::VersionRequired(_) => 428,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
            AppError::Unavailable(_) | AppError::Outage(_) => 503,
        }
    }
}

/// The JSON of every error answer of the HTTP API, as its OpenAPI document names it (`Error`).
#[cfg(feature = "ssr")]
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What went wrong, for a person.
    pub error: String,
    /// What to fix, per field.
    #[schema(inline)]
    pub fields: FieldErrors,
}

/// Every HTTP answer of the API with an error carries an [`ErrorBody`], with the variant's
/// status (and `WWW-Authenticate` when a key is wanted).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let fields = match &self {
            AppError::Validation(fields) => fields.clone(),
            _ => FieldErrors::new(),
        };
        let body = ErrorBody { error: self.to_string(), fields };
        let mut response = (status, axum::Json(body)).into_response();
        if matches!(self, AppError::Unauthenticated(_)) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

/// Collects per-field validation results so a form reports every problem at once.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn check<T, E: Into<String>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.entry(field.to_owned()).or_insert(message.into());
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::Validation(self.errors)) }
    }

    /// Every problem at once, or the values the checks gave: `let (name, zone) =
    /// v.finish_with((name, zone))?;` takes the `Option`s that `check` returned.
    pub fn finish_with<C: Checked>(self, checked: C) -> Result<C::Values, AppError> {
        self.finish()?;
        checked.values().ok_or_else(|| {
            #[cfg(feature = "ssr")]
            tracing::error!("a check gave no value yet recorded no problem");
            AppError::Internal
        })
    }
}

/// The results of `Validator::check`, all of which hold a value once no check failed.
pub trait Checked {
    type Values;
    fn values(self) -> Option<Self::Values>;
}

impl<A> Checked for Option<A> {
    type Values = A;
    fn values(self) -> Option<A> {
        self
    }
}

macro_rules! checked_tuples {
    ($($name:ident)+) => {
        impl<$($name),+> Checked for ($(Option<$name>,)+) {
            type Values = ($($name,)+);
            #[allow(non_snake_case)]
            fn values(self) -> Option<Self::Values> {
                let ($($name,)+) = self;
                Some(($($name?,)+))
            }
        }
    };
}

checked_tuples!(A B);
checked_tuples!(A B C);
checked_tuples!(A B C D);
checked_tuples!(A B C D E);
checked_tuples!(A B C D E F);
checked_tuples!(A B C D E F G);
checked_tuples!(A B C D E F G H);
checked_tuples!(A B C D E F G H I);
checked_tuples!(A B C D E F G H I J);

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

/// The message (key) said when the disk under the data directory or the database is full:
/// nothing was stored.
pub const DISK_FULL: &str = "error-disk-full";
/// The message (key) said while the database does not answer: nothing was stored.
pub const DATABASE_AWAY: &str = "error-database-away";

/// Why nothing could be stored for now ([`AppError::Outage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outage {
    /// The disk under the data directory, or the database's, is full.
    DiskFull,
    /// The database cannot be reached (stopped, restarting, the network gone).
    DatabaseAway,
}

impl Outage {
    /// Its message (key).
    pub fn key(self) -> &'static str {
        match self {
            Outage::DiskFull => DISK_FULL,
            Outage::DatabaseAway => DATABASE_AWAY,
        }
    }
}

impl AppError {
    /// The message in `language`: an outage is written in it; every other message was
    /// written where it arose, in the language of whoever was being answered there.
    pub fn in_language(&self, language: &crate::language::Language) -> String {
        match self {
            AppError::Outage(outage) => language.t(outage.key()),
            other => other.to_string(),
        }
    }
}

/// How long a 503 asks a client to wait before trying again (`Retry-After`, seconds).
pub const RETRY_AFTER_SECONDS: u32 = 30;

/// Which outage, if any, a database error is (its message key): a full disk, or a database
/// that cannot be reached (stopped, restarting, the network gone). Both are for trying again
/// later, unlike a broken query, which is a bug.
#[cfg(feature = "ssr")]
pub fn outage(err: &sea_orm::DbErr) -> Option<Outage> {
    use sea_orm::{DbErr, RuntimeErr};
    use sea_orm::sqlx::Error as Sqlx;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) => return Some(Outage::DatabaseAway),
        DbErr::Conn(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return Some(Outage::DatabaseAway),
        _ => return None,
    };
    match &**sqlx {
        Sqlx::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => Some(Outage::DiskFull),
        Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::Protocol(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => Some(Outage::DatabaseAway),
        Sqlx::Database(db) => {
            let code = db.code()?;
            match code.as_ref() {
                // PostgreSQL (SQLSTATE): disk_full, and the server shutting down or starting up.
                "53100" => Some(Outage::DiskFull),
                "57P01" | "57P02" | "57P03" => Some(Outage::DatabaseAway),
                c if c.starts_with("08") => Some(Outage::DatabaseAway),
                // SQLite (extended result codes): SQLITE_FULL, and the I/O errors a full disk
                // gives while writing or syncing the journal.
                c => match c.parse::<i32>().map(|n| n & 0xff) {
                    Ok(13) => Some(Outage::DiskFull),
                    Ok(10) => Some(Outage::DiskFull),
                    _ => None,
                },
            }
        }
        _ => None,
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        match outage(&err) {
            Some(outage) => {
                tracing::warn!(error = %err, "database unavailable");
                AppError::Outage(outage)
            }
            None => {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}

/// A file that could not be written: a full disk is an outage to wait out, anything else a bug.
#[cfg(feature = "ssr")]
pub fn storage_error(err: std::io::Error, what: &str) -> AppError {
    use std::io::ErrorKind;
    if matches!(err.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::FileTooLarge) {
        tracing::warn!(error = %err, what, "disk full");
        AppError::Outage(Outage::DiskFull)
    } else {
        tracing::error!(error = %err, what, "file error");
        AppError::Internal
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::language::{Language, for_reader_now};

    #[test]
    fn an_outage_is_said_in_the_reader_s_language() {
        let spanish = Language::parse("es").unwrap();
        let away = || AppError::from(sea_orm::DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout));
        assert_eq!(away(), AppError::Outage(Outage::DatabaseAway));
        assert_eq!(away().to_string(), "The database is not answering, so nothing was saved. Please try again in a minute.", "English where no reader is known");
        let full = || storage_error(std::io::Error::from(std::io::ErrorKind::StorageFull), "a photo");
        assert_eq!(full(), AppError::Outage(Outage::DiskFull));
        let said = for_reader_now(spanish.clone(), || (away().to_string(), full().to_string()));
        assert_eq!(said.0, "La base de datos no responde, así que no se ha guardado nada. Vuelve a intentarlo en un minuto.");
        assert!(said.1.starts_with("El disco del servidor está lleno"), "{}", said.1);
        // Met by a task that knew no reader, then shown on a Spanish page.
        assert_eq!(full().in_language(&spanish), said.1);
        assert_eq!(full().in_language(&Language::english()), full().to_string());
        // It crosses the wire as which outage it is, for the page to write in its language.
        let json = serde_json::to_string(&away()).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), away(), "{json}");
        assert_eq!(AppError::Conflict("Already closed.".into()).in_language(&spanish), "Already closed.", "other messages are kept as they were written");
    }
}
