//! Probes for process supervisors and load balancers.

use std::path::PathBuf;

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// Below this much free space on the data directory's disk, the instance asks for no traffic:
/// a lead needs a few kilobytes, a photo a few hundred, and SQLite's journal room besides.
pub const MIN_FREE_BYTES: u64 = 8 * 1024 * 1024;

/// The process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Send traffic here: the database answers and the data directory has room. When not, the
/// body says which, for whoever is looking at the load balancer.
pub async fn readyz(State(state): State<AppState>, data_dir: PathBuf) -> (StatusCode, String) {
    if let Err(err) = state.db.ping().await {
        tracing::warn!(error = %err, "readiness check failed: database");
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database is not answering".into());
    }
    match free_bytes(data_dir.clone()).await {
        Some(free) if free < MIN_FREE_BYTES => {
            tracing::warn!(free, data_dir = %data_dir.display(), "readiness check failed: disk full");
            (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: the data directory's disk is full ({} KB free)", free / 1024))
        }
        _ => (StatusCode::OK, "ready".into()),
    }
}

/// Bytes an unprivileged writer may still use on the disk holding `dir` (statvfs).
async fn free_bytes(dir: PathBuf) -> Option<u64> {
    tokio::task::spawn_blocking(move || {
        let stat = rustix::fs::statvfs(&dir).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    })
    .await
    .ok()
    .flatten()
}
