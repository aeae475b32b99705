//! The chat import's upload (`POST /deals/{id}/chats`, a plain multipart form, so it works
//! without JavaScript) and the files imported messages carried (`GET /attachments/{id}`),
//! which only the signed-in team may open.

use app::db::entities::activity;
use app::error::AppError;
use app::state::AppState;
use app::whatsapp::archive::MAX_UPLOAD;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sea_orm::EntityTrait;

use super::extract::{InWords, Session};
use super::upload::{one_file, Wanted};

/// The upload's limit, with room for the form around the file.
pub const BODY_LIMIT: usize = MAX_UPLOAD + 64 * 1024;

fn back(deal_id: i64, message: &str) -> Response {
    Redirect::to(&format!("/deals/{deal_id}?chat_error={}#chat-import", app::common::urlencode(message))).into_response()
}

pub async fn upload(State(state): State<AppState>, Path(deal_id): Path<i64>, Session(session): Session, mut multipart: Multipart) -> Result<Response, InWords> {
    let wanted = Wanted { default_name: "chat.txt", what: "the chat export", one: "A chat export", limit: MAX_UPLOAD };
    let (name, bytes) = match one_file(&mut multipart, &wanted).await {
        Ok(file) => file,
        Err(message) => return Ok(back(deal_id, &message)),
    };
    match app::whatsapp::import::stage(&state.db, &session.user, deal_id, &name, bytes).await {
        Ok(token) => Ok(Redirect::to(&format!("/deals/{deal_id}/chats/{token}")).into_response()),
        Err(AppError::Validation(fields)) => Ok(back(deal_id, &fields.values().cloned().collect::<Vec<_>>().join(" "))),
        Err(err) => Err(err.into()),
    }
}

pub async fn attachment(State(state): State<AppState>, Path(id): Path<i64>, _session: Session) -> Result<Response, InWords> {
    let entry = activity::Entity::find_by_id(id).one(&state.db).await.map_err(AppError::from)?.ok_or(AppError::NotFound)?;
    let (Some(key), Some(name)) = (entry.attachment_key, entry.attachment_name) else { return Err(AppError::NotFound.into()) };
    let bytes = state.media.get(&key).await?.ok_or(AppError::NotFound)?;
    let kind = app::whatsapp::import::content_type(&name);
    let inline = kind != "application/octet-stream";
    // The name comes from the client's phone: only safe characters reach the header.
    let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let disposition = format!("{}; filename=\"{safe}\"", if inline { "inline" } else { "attachment" });
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'; img-src 'self'".to_string()),
        ],
        bytes,
    )
        .into_response())
}
