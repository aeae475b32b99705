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

/// Mail to clients (presentations with their PDF), sent from server functions.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(smtp: &Smtp) -> anyhow::Result<SmtpMailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
            .map_err(|e| anyhow::anyhow!("the SMTP URL is not usable: {e}"))?
            .build();
        let from: Mailbox = smtp.from.parse().map_err(|e| anyhow::anyhow!("the sender {:?} is not an e-mail address: {e}", smtp.from))?;
        Ok(SmtpMailer { transport, from })
    }
}

fn mailbox(name: &str, email: &str) -> Result<Mailbox, app::error::AppError> {
    format!("{} <{}>", name.replace(['<', '>', '"', ','], ""), email)
        .parse()
        .map_err(|_| app::error::AppError::Conflict(format!("{name}'s e-mail address {email} is not one mail can be sent to: correct it first.")))
}

#[async_trait::async_trait]
impl app::mailer::Mailer for SmtpMailer {
    async fn send(&self, mail: app::mailer::Mail) -> Result<(), app::error::AppError> {
        use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
        let mut builder = Message::builder().from(self.from.clone()).to(mailbox(&mail.to_name, &mail.to_email)?).subject(&mail.subject);
        if let Some((name, email)) = &mail.reply_to {
            builder = builder.reply_to(mailbox(name, email)?);
        }
        let text = SinglePart::plain(mail.text);
        let built = match mail.attachment {
            Some(file) => {
                let kind = ContentType::parse(&file.content_type).unwrap_or(ContentType::TEXT_PLAIN);
                builder.multipart(MultiPart::mixed().singlepart(text).singlepart(Attachment::new(file.file_name).body(file.bytes, kind)))
            }
            None => builder.singlepart(text),
        };
        let message = built.map_err(|err| {
            tracing::error!(error = %err, "building an e-mail");
            app::error::AppError::Internal
        })?;
        self.transport.send(message).await.map_err(|err| {
            tracing::warn!(error = %err, "the mail server refused a message");
            app::error::AppError::Unavailable("The mail server did not take the message; try again shortly.".into())
        })?;
        Ok(())
    }
}

/// Starts mailing notices; returns at once. Refuses a URL or sender that cannot work.
pub fn start(state: AppState, smtp: Smtp) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| anyhow::anyhow!("the SMTP URL is not usable: {e}"))?
        .build();
    let from: Mailbox = smtp.from.parse().map_err(|e| anyhow::anyhow!("the sender {:?} is not an e-mail address: {e}", smtp.from))?;
    // Each instance e-mails only what it published: another instance's notices are its own
    // to e-mail.
    let mut notices = state.notifier.subscribe_own();
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
    // In the agent's language, as the notice itself is.
    let language = app::language::of_person(person.language.as_deref(), &app::agency::language(&state.db).await?);
    let link = match (&state.public_url, notice.deal_id) {
        (Some(base), Some(deal)) => format!("\n\n{}", language.t_with("notifications-mail-open", &[("url", format!("{base}/deals/{deal}").into())])),
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
