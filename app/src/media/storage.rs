//! Where media bytes live. One interface, so the local data directory (the default) and a
//! shared object store behind several servers are interchangeable.

use std::path::PathBuf;

use crate::error::AppError;

/// A flat key space of immutable objects: photos are written once and never changed, so
/// a key names one content for ever.
#[async_trait::async_trait]
pub trait Storage: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), AppError>;
    /// None when there is no such object.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError>;
    async fn delete(&self, key: &str) -> Result<(), AppError>;
}

/// Keys are made by Doorstep (`photos/<random>.jpg`), but a key also arrives in a request's
/// path: only lower-case letters, digits, `-`, `_`, `.` and single `/` between parts pass.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
        })
}

/// Files under a directory (the data directory's `media/`).
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    pub fn new(root: impl Into<PathBuf>) -> LocalStorage {
        LocalStorage { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, AppError> {
        if !valid_key(key) {
            return Err(AppError::NotFound);
        }
        Ok(self.root.join(key))
    }
}

fn io(err: std::io::Error) -> AppError {
    tracing::error!(error = %err, "media storage");
    AppError::Internal
}

#[async_trait::async_trait]
impl Storage for LocalStorage {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), AppError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io)?;
        }
        // Written aside and renamed, so a reader never sees half a photo.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, &bytes).await.map_err(io)?;
        tokio::fs::rename(&partial, &path).await.map_err(io)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        match tokio::fs::read(self.path(key)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(io(err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), AppError> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(io(err)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(valid_key("photos/ab12.jpg"));
        assert!(!valid_key("../cookie_secret"));
        assert!(!valid_key("photos/../../x"));
        assert!(!valid_key("/etc/passwd"));
        assert!(!valid_key("photos//x.jpg"));
        assert!(!valid_key("Photos/X.jpg"));
    }

    #[tokio::test]
    async fn local_storage_round_trips() {
        let dir = tempdir();
        let store = LocalStorage::new(&dir);
        store.put("photos/a.jpg", b"abc".to_vec(), "image/jpeg").await.unwrap();
        assert_eq!(store.get("photos/a.jpg").await.unwrap().as_deref(), Some(&b"abc"[..]));
        store.delete("photos/a.jpg").await.unwrap();
        assert_eq!(store.get("photos/a.jpg").await.unwrap(), None);
        assert!(matches!(store.get("../x").await, Err(AppError::NotFound)));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("doorstep-media-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
