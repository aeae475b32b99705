//! The one file a plain multipart upload form sends (a chat export, a CSV), or what to tell
//! the person who sent it.

use app::error::AppError;
use axum::extract::Multipart;

/// What to ask for, in the form's own words (message keys, put in the sender's language).
pub struct Wanted<'a> {
    /// The file's name when the browser gives none.
    pub default_name: &'a str,
    /// The message asking for the file: "Choose the chat export first."
    pub choose: &'static str,
    /// The message giving the size limit, with `$mb`: "A chat export may be up to 64 MB."
    pub limit_text: &'static str,
    pub limit: usize,
}

/// The form's first file and its name; an empty or missing file, or an upload cut short,
/// is a sentence saying what to do.
pub async fn one_file(multipart: &mut Multipart, wanted: &Wanted<'_>) -> Result<(String, Vec<u8>), String> {
    use app::language::{t, t_with};
    let (name, bytes) = match multipart.next_field().await {
        Ok(Some(field)) => {
            let name = field.file_name().unwrap_or(wanted.default_name).to_owned();
            match collect(field).await {
                Ok(bytes) => (name, bytes),
                Err(err) => {
                    tracing::info!(error = %err.body_text(), "an upload stopped");
                    let limit = t_with(wanted.limit_text, &[("mb", (wanted.limit / (1024 * 1024)).into())]);
                    return Err(format!("{} {limit}", t("upload-stopped")));
                }
            }
        }
        Ok(None) => return Err(t(wanted.choose)),
        Err(err) => {
            tracing::info!(error = %err.body_text(), "an upload stopped");
            return Err(t("upload-stopped"));
        }
    };
    if bytes.is_empty() {
        return Err(t(wanted.choose));
    }
    Ok((name, bytes))
}

/// A part's bytes, read chunk by chunk into one vector. Growing a vector reallocates in place
/// (the allocator moves pages rather than copying for large blocks), where collecting into
/// `Bytes` first held the old and the new buffer at once: a 64 MB upload peaked at several
/// times its size.
async fn collect(mut field: axum::extract::multipart::Field<'_>) -> Result<Vec<u8>, axum::extract::multipart::MultipartError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Every file part of an upload, in order, with its name; an upload cut short or over the
/// route's limit is the error that says so.
pub async fn all_files(multipart: &mut Multipart) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let stopped = |status: axum::http::StatusCode, text: String| match status.as_u16() {
        413 => AppError::TooLarge(text),
        _ => AppError::BadRequest(text),
    };
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|err| stopped(err.status(), err.body_text()))? {
        let name = field.file_name().unwrap_or("photo").to_owned();
        let bytes = collect(field).await.map_err(|err| stopped(err.status(), format!("{name}: {}", err.body_text())))?;
        files.push((name, bytes));
    }
    Ok(files)
}
