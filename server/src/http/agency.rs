//! The Agency page's logo upload (`POST /admin/agency/logo`, admins only), a plain multipart
//! form so it works without JavaScript.

use app::error::AppError;
use app::state::AppState;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;

use super::extract::{InWords, Session};
use super::upload::{one_file, Wanted};
use super::Routes;

/// One image, as large as a photo may be, with room for the form around it.
const BODY_LIMIT: usize = app::media::photos::MAX_UPLOAD_BYTES + 64 * 1024;

pub fn routes() -> Routes {
    Routes {
        session: Router::new().route("/admin/agency/logo", post(upload_logo).layer(DefaultBodyLimit::max(BODY_LIMIT))),
        ..Routes::default()
    }
}

/// The Agency page's logo upload (admins only), as a plain form post.
pub async fn upload_logo(State(state): State<AppState>, session: Session, mut multipart: Multipart) -> Result<Response, InWords> {
    session.at_least(app::auth::Role::Admin)?;
    let back = |message: &str| Redirect::to(&format!("/admin/agency?logo_error={}#brand", app::common::urlencode(message))).into_response();
    let wanted = Wanted { default_name: "logo", choose: "upload-choose-logo", limit_text: "upload-logo-limit", limit: app::media::photos::MAX_UPLOAD_BYTES };
    let bytes = match one_file(&mut multipart, &wanted).await {
        Ok((_, bytes)) => bytes,
        Err(message) => return Ok(back(&message)),
    };
    match app::agency::save_logo(&state.db, state.media.as_ref(), bytes).await {
        Ok(()) => Ok(Redirect::to("/admin/agency?logo=saved#brand").into_response()),
        Err(AppError::Validation(fields)) => Ok(back(&fields.into_values().next().unwrap_or_default())),
        Err(err) => Err(err.into()),
    }
}
