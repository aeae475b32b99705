//! Server functions of the chat import. The upload itself is a plain multipart post
//! (`server::http::chats`); these read its preview and confirm it.

use leptos::prelude::*;

use super::{ChatChoice, ChatPreview, Imported};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::auth::{api::guard, Role};

#[server(endpoint = "chats/preview")]
pub async fn load_chat_preview(token: String, choice: ChatChoice) -> Result<ChatPreview, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        super::import::preview(&state.db, state.media.as_ref(), &viewer, &token, &choice).await
    };
    guard::with_status(result.await)
}

/// Adds the chat to the deal's timeline; `confirm` lists the messages whose suggested type the
/// agent ticked. Without JavaScript the browser lands on the deal.
#[server(endpoint = "chats/import")]
pub async fn import_chat(
    token: String,
    agent: String,
    time_zone: String,
    order: String,
    confirm: Option<Vec<usize>>,
) -> Result<Imported, AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let choice = ChatChoice { agent, time_zone, order };
        let done = super::import::import(&state.db, state.media.as_ref(), &state.notifier, &viewer, &token, &choice, &confirm.unwrap_or_default()).await?;
        leptos_axum::redirect(&format!("/deals/{}?imported={}#timeline", done.deal_id, done.added));
        Ok(done)
    };
    guard::with_status(result.await)
}

/// Sends a reply to the deal's client through the agency's WhatsApp Business number.
#[server(endpoint = "whatsapp/reply")]
pub async fn reply_on_whatsapp(deal_id: String, body: String) -> Result<(), AppError> {
    let result = async {
        let viewer = guard::require(Role::Agent)?;
        let state = guard::state()?;
        let actor = crate::deals::service::Actor::person(&viewer);
        let deal_id = guard::parse_id(&deal_id, "deal_id")?;
        super::reply::reply(&state.db, &state.notifier, state.whatsapp.sender.as_ref(), &actor, deal_id, &body).await
    };
    guard::with_status(result.await)
}
