//! API keys: how websites and portals send leads, and how tools manage forms.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a key may do under `/api/v1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Only post leads.
    Capture,
    /// Everything under `/api/v1`, including managing capture forms.
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Capture => "capture",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(input: &str) -> Result<Scope, String> {
        match input.trim() {
            "capture" => Ok(Scope::Capture),
            "admin" => Ok(Scope::Admin),
            _ => Err(crate::language::t("apikeys-choose-a-scope")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

/// A key just created: the only time the key itself is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub summary: ApiKeySummary,
    pub key: String,
}
