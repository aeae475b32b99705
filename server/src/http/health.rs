//! Probes for process supervisors and load balancers.

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers: send traffic here.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
