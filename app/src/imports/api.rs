//! Server functions of the CSV import: the upload's columns, and the check or the import
//! under the manager's mapping. The upload itself is a plain multipart post
//! (`server::http::data`).

use leptos::prelude::*;

use super::{ImportReport, UploadView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "imports/view")]
pub async fn load_upload(token: String) -> Result<UploadView, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        super::service::view(&guard::state()?.db, &viewer, &token).await
    };
    guard::with_status(result.await)
}

/// `step` is "check" (a dry run: nothing is written) or "import"; `mode` is "valid" (import
/// the valid rows, list the others) or "all" (import nothing unless every row is valid).
/// `mapping` holds one field per column, "" to leave a column out.
#[server(endpoint = "imports/run")]
pub async fn run_import(token: String, mapping: Option<Vec<String>>, step: String, mode: String) -> Result<ImportReport, AppError> {
    let result = async {
        let viewer = guard::require(Role::Manager)?;
        let write = match step.as_str() {
            "check" => false,
            "import" => true,
            _ => return Err(AppError::field("step", crate::language::t("imports-choose-check-or-import"))),
        };
        let all_or_none = match mode.as_str() {
            "all" => true,
            "valid" => false,
            _ => return Err(AppError::field("mode", crate::language::t("imports-choose-valid-rows-or-nothing"))),
        };
        super::service::run(&guard::state()?.db, &viewer, &token, &mapping.unwrap_or_default(), write, all_or_none).await
    };
    guard::with_status(result.await)
}
