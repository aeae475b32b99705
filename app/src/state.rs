//! What every server function and handler reaches through context or axum state.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::auth::SessionUser;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub cookie_secret: Arc<[u8]>,
    /// Cookies get `Secure` when the public URL is https.
    pub secure_cookies: bool,
    /// The address people use to reach Doorstep, for links that leave the app (embed
    /// snippets, e-mails). Without it, links use the address of the request.
    pub public_url: Option<String>,
    pub notifier: crate::notifications::service::Notifier,
    /// Where every lead submission is stored.
    pub intake: crate::capture::intake::Intake,
    /// Photos and logos: the data directory's `media/`, or a shared object store.
    pub media: Arc<dyn crate::media::Storage>,
    /// E-mail to clients, when SMTP is configured.
    pub mailer: Option<Arc<dyn crate::mailer::Mailer>>,
    pub leptos_options: LeptosOptions,
    /// True once a user exists; from then on the set-up page is gone. Users are never
    /// deleted (only disabled), so once true it stays true and needs no query per request.
    pub set_up: Arc<AtomicBool>,
    /// The WhatsApp Cloud API webhook's secrets, when configured.
    pub whatsapp: crate::whatsapp::service::Channel,
    /// The bearer token that reads /metrics, when configured.
    pub metrics_token: Option<Arc<str>>,
    /// The VAPID key pair that signs Web Push, and its public half for browsers.
    pub push: crate::push::worker::Vapid,
    /// How long sessions last without use, and at most.
    pub sessions: crate::auth::session::Lifetime,
}

impl AppState {
    pub fn is_set_up(&self) -> bool {
        self.set_up.load(Ordering::Relaxed)
    }

    pub fn mark_set_up(&self) {
        self.set_up.store(true, Ordering::Relaxed);
    }

    /// Where links to this installation point: the configured public URL, else the host the
    /// request came to.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        self.public_url.clone().unwrap_or_else(|| {
            let host = headers.get(axum::http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1:3000");
            format!("http://{host}")
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Put in the request's extensions by the session middleware when a valid session cookie
/// came with the request.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: SessionUser,
    pub token_hash: String,
}
