//! E-mail to the people Doorstep notifies, over SMTP when it is configured. A background task
//! follows the notifications as they are published and mails the lead notices; a failed
//! send is logged and the in-app notification still stands.

use app::db::entities::user;
use app::notifications::Notice;
use app::state::AppState;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::EntityTrait;
use tokio::sync::broadcast::error::RecvError;

/// Where and as whom to send.
#[derive(Clone, Debug)]
pub struct Smtp {
    /// e.g. `smtp://user:pass@mail.example.com:587?tls=required`, `smtps://…:465`, or
    /// `smtp://127.0.0.1:2525` for a local relay without TLS.
    pub url: String,
    pub from: String,
}

/// Which notices are worth an e-mail: the ones that mean somebody is waiting or something is
/// due (not the live bookkeeping of who changed what).
fn mails(notice: &Notice) -> bool {
    matches!(notice.kind.as_str(), "new_lead" | "returning_lead" | "reminder" | "escalation" | "stale" | "digest")
}

/// Starts mailing notices; returns at once. Refuses a URL or sender that cannot work.
pub fn start(state: AppState, smtp: Smtp) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| anyhow::anyhow!("the SMTP URL is not usable: {e}"))?
        .build();
    let from: Mailbox = smtp.from.parse().map_err(|e| anyhow::anyhow!("the sender {:?} is not an e-mail address: {e}", smtp.from))?;
    let mut notices = state.notifier.subscribe();
    let mut stopping = state.notifier.stopping();
    Ok(tokio::spawn(async move {
        loop {
            let notice = tokio::select! {
                received = notices.recv() => received,
                _ = stopping.wait_for(|stop| *stop) => return,
            };
            match notice {
                Ok(notice) if mails(&notice) => {
                    if let Err(err) = send(&state, &transport, &from, &notice).await {
                        tracing::warn!(error = %err, user_id = notice.user_id, "could not e-mail a notification");
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "e-mail fell behind; some notifications were not mailed"),
                Err(RecvError::Closed) => return,
            }
        }
    }))
}

async fn send(state: &AppState, transport: &AsyncSmtpTransport<Tokio1Executor>, from: &Mailbox, notice: &Notice) -> anyhow::Result<()> {
    let Some(person) = user::Entity::find_by_id(notice.user_id).one(&state.db).await? else { return Ok(()) };
    if person.disabled_at.is_some() {
        return Ok(());
    }
    let to: Mailbox = format!("{} <{}>", person.name.replace(['<', '>', '"'], ""), person.email).parse()?;
    let link = match (&state.public_url, notice.deal_id) {
        (Some(base), Some(_)) => format!("\n\nOpen Doorstep: {base}/"),
        _ => String::new(),
    };
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&notice.title)
        .body(format!("{}\n{}{link}\n", notice.title, notice.body))?;
    transport.send(message).await?;
    Ok(())
}
