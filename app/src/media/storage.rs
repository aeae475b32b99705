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
    crate::error::storage_error(err, "media storage")
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
        if let Err(err) = tokio::fs::write(&partial, &bytes).await {
            // A full disk leaves no half photo behind to hold on to the space.
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(io(err));
        }
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

/// Where an S3-compatible store is: AWS S3, MinIO, Cloudflare R2, Ceph…
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// None for AWS itself; `http://127.0.0.1:9000` for a local MinIO, say.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Never prints the secret.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .finish()
    }
}

/// Objects in a bucket shared by every server instance.
pub struct S3Storage {
    store: object_store::aws::AmazonS3,
}

impl S3Storage {
    pub fn new(settings: &S3Settings) -> Result<S3Storage, String> {
        crate::common::tls_provider();
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key);
        if let Some(endpoint) = &settings.endpoint {
            // S3-compatible servers are addressed by path, not by bucket host names.
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://")).with_virtual_hosted_style_request(false);
        }
        Ok(S3Storage { store: builder.build().map_err(|e| format!("the S3 settings are not usable: {e}"))? })
    }
}

fn s3_error(err: object_store::Error) -> AppError {
    tracing::error!(error = %err, "media storage (S3)");
    AppError::Internal
}

#[async_trait::async_trait]
impl Storage for S3Storage {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), AppError> {
        use object_store::{Attribute, Attributes, ObjectStore, PutOptions};
        if !valid_key(key) {
            return Err(AppError::NotFound);
        }
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        let options = PutOptions { attributes, ..Default::default() };
        self.store.put_opts(&object_store::path::Path::from(key), bytes.into(), options).await.map_err(s3_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        use object_store::ObjectStoreExt;
        if !valid_key(key) {
            return Err(AppError::NotFound);
        }
        match self.store.get(&object_store::path::Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(s3_error)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(err) => Err(s3_error(err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), AppError> {
        use object_store::ObjectStoreExt;
        if !valid_key(key) {
            return Err(AppError::NotFound);
        }
        match self.store.delete(&object_store::path::Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(s3_error(err)),
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
