//! Replies to clients through the WhatsApp Business Cloud API, when the agency has set it up
//! (`DOORSTEP_WHATSAPP_TOKEN` and `DOORSTEP_WHATSAPP_PHONE_NUMBER_ID`). The message goes out
//! from the agency's business number, lands on the deal's timeline with its message id, and
//! the webhook's status callbacks mark it delivered and read there.

use std::time::Duration;

use serde::Deserialize;

use super::MAX_TEXT;
use crate::db::entities::{contact, deal};
use crate::deals::service::{may_edit, Actor};
use crate::error::AppError;
use crate::notifications::service::Notifier;
use crate::language::Text;
use crate::notifications::service::DealChange;
use sea_orm::{DatabaseConnection, EntityTrait};

/// Meta's Graph API, at the version Doorstep's payloads follow.
pub const GRAPH_URL: &str = "https://graph.facebook.com/v21.0";

/// The configured sender: the messages endpoint of the agency's number, and its token.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    endpoint: String,
    token: String,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("Sender").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Accepted {
    messages: Vec<AcceptedMessage>,
}

#[derive(Deserialize)]
struct AcceptedMessage {
    id: String,
}

#[derive(Deserialize)]
struct Refusal {
    error: RefusalError,
}

#[derive(Deserialize)]
struct RefusalError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
}

impl Sender {
    pub fn new(graph_url: &str, token: &str, phone_number_id: &str) -> Result<Sender, reqwest::Error> {
        let client = crate::common::http_client().timeout(Duration::from_secs(15)).connect_timeout(Duration::from_secs(5)).build()?;
        let number: String = phone_number_id.chars().filter(char::is_ascii_alphanumeric).collect();
        Ok(Sender { client, endpoint: format!("{}/{number}/messages", graph_url.trim_end_matches('/')), token: token.to_owned() })
    }

    /// Sends a text to a number (E.164, with or without the plus); the Cloud API's message id,
    /// or what the agent should know about why it did not go.
    pub async fn send_text(&self, to: &str, text: &str) -> Result<String, AppError> {
        let digits: String = to.chars().filter(char::is_ascii_digit).collect();
        let body = serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": digits,
            "type": "text",
            "text": { "preview_url": true, "body": text },
        });
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(&self.token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|err| {
                tracing::warn!(error = %err, "the WhatsApp Cloud API could not be reached");
                AppError::Unavailable("WhatsApp could not be reached, so nothing was sent. Try again in a minute.".into())
            })?;
        let status = response.status();
        let bytes = response.bytes().await.unwrap_or_default();
        if status.is_success() {
            let accepted: Accepted = serde_json::from_slice(&bytes).map_err(|_| AppError::Unavailable("WhatsApp answered in a way Doorstep does not know; check the client's chat before sending again.".into()))?;
            return accepted.messages.into_iter().next().map(|m| m.id).ok_or_else(|| AppError::Unavailable("WhatsApp gave no message id; check the client's chat before sending again.".into()));
        }
        let refusal = serde_json::from_slice::<Refusal>(&bytes).ok().map(|r| r.error);
        tracing::warn!(status = status.as_u16(), code = refusal.as_ref().map(|r| r.code), "the WhatsApp Cloud API refused a message");
        Err(AppError::Conflict(match refusal {
            // Outside the 24-hour window a business may only send approved templates.
            Some(r) if r.code == 131047 => crate::language::t("whatsapp-outside-24-hours"),
            Some(r) if r.code == 190 || status == reqwest::StatusCode::UNAUTHORIZED => crate::language::t("whatsapp-access-token-refused"),
            Some(r) if r.code == 131026 || r.code == 133010 => crate::language::t("whatsapp-number-cannot-receive"),
            Some(r) if !r.message.is_empty() => crate::language::t_with("whatsapp-refused-the-message-because", &[("reason", r.message.into())]),
            _ => crate::language::t_with("whatsapp-refused-the-message", &[("status", status.as_u16().to_string().into())]),
        }))
    }
}

/// Sends the agent's reply to the deal's client from the business number and puts it on the
/// timeline. Nothing is recorded when WhatsApp refuses it.
pub async fn reply(db: &DatabaseConnection, notifier: &Notifier, sender: Option<&Sender>, actor: &Actor, deal_id: i64, text: &str) -> Result<(), AppError> {
    let Some(sender) = sender else {
        return Err(AppError::Conflict(crate::language::t("whatsapp-replies-not-set-up")));
    };
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    may_edit(actor, &d)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("body", crate::language::t("whatsapp-write-the-message-first")));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::field("body", format!("WhatsApp takes up to {MAX_TEXT} characters; this has {}.", text.chars().count())));
    }
    let client = contact::Entity::find_by_id(d.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(to) = client.whatsapp_number() else {
        return Err(AppError::field("body", crate::language::t("templates-client-has-no-phone")));
    };
    let message_id = sender.send_text(to, text).await?;
    if let Err(err) = crate::presentations::service::record_sent(db, actor, &d, crate::deals::ActivityKind::Whatsapp, text, Some(&message_id)).await {
        // It went: say so, rather than invite a second send.
        tracing::error!(error = %err, message_id, "a WhatsApp reply went out but was not recorded");
        return Err(AppError::Conflict(crate::language::t("whatsapp-could-not-record-it")));
    }
    notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("whatsapp-event-replied").with("name", actor.name.as_str()) });
    Ok(())
}
