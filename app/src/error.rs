//! The one error type that crosses the wire: every server function and HTTP handler answers
//! with one of these, each with a status and a message a user can act on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Messages keyed by the form field they belong to.
pub type FieldErrors = BTreeMap<String, String>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("Your role does not give access to this.")]
    Forbidden,
    #[error("That was not found. It may have been removed.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    #[error("{0}")]
    TooManyRequests(String),
    /// Details are logged on the server and never shown to the client.
    #[error("Something went wrong on our side. Please try again; it has been logged.")]
    Internal,
    /// The request never reached a server function (network, decoding).
    #[error("Could not reach Doorstep: {0}")]
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
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Validation(_) => 422,
            AppError::TooManyRequests(_) => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
        }
    }
}

/// Collects per-field validation results so a form reports every problem at once.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.errors.entry(field.to_owned()).or_insert(message);
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
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}
