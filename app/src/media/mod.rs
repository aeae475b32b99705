//! Listing photos and the agency's logo: checked by decoding, turned upright, stripped of
//! their metadata and resized once, then kept behind one storage interface.

pub mod photos;
pub mod storage;

pub use photos::{process, Processed, MAX_MEGAPIXELS, MAX_UPLOAD_BYTES};
pub use storage::{LocalStorage, S3Settings, S3Storage, Storage};
