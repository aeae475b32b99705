//! Sending e-mail to clients from a server function (a presentation with its PDF). The
//! server provides the transport (SMTP) when one is configured.

use crate::error::AppError;

pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One message to one person, answered to the agent who sent it.
pub struct Mail {
    pub to_name: String,
    pub to_email: String,
    pub reply_to: Option<(String, String)>,
    pub subject: String,
    pub text: String,
    pub attachment: Option<Attachment>,
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// Hands the message to the mail server; an error says why in words for the agent.
    async fn send(&self, mail: Mail) -> Result<(), AppError>;
}
