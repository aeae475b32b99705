use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

use super::{DealEvent, Notice};
use crate::db::entities::notification;
use crate::error::AppError;
use crate::language::{Language, Text};

/// Fans new notifications out to the live streams of this server's open pages, and, when
/// several instances share one database, to the other instances (see `share_with_others`).
#[derive(Clone)]
pub struct Notifier {
    sender: broadcast::Sender<Notice>,
    /// Only what this instance published: what it alone acts on (e-mailing), so that several
    /// instances do not each act on every notice.
    own: broadcast::Sender<Notice>,
    deals: broadcast::Sender<DealChange>,
    stopping: watch::Sender<bool>,
    /// Where what this instance publishes goes for the other instances, once one is set.
    others: Arc<Mutex<Option<mpsc::UnboundedSender<Shared>>>>,
    /// What was heard lately, so that a page's live stream, opening a moment after the page
    /// was rendered, can tell whether anything happened in between (see `missed_since`).
    recent: Arc<Mutex<Recent>>,
}

/// How long `Notifier::recent` remembers: longer than any page takes to open its stream.
const REMEMBER_SECONDS: i64 = 120;

struct Recent {
    since: DateTime<Utc>,
    /// When, and whose notice it was (none: a deal changed).
    heard: std::collections::VecDeque<(DateTime<Utc>, Option<i64>)>,
}

/// What a page rendered at some moment has missed since: its lists are then reloaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Missed {
    pub notices: bool,
    pub deals: bool,
}

/// What one instance publishes for the pages open on the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "event", rename_all = "snake_case")]
pub enum Shared {
    Notice(Notice),
    Deal(DealChange),
}

/// Something changed on a deal, as it is published and shared between instances: what
/// happened is a message not yet in a language ("{ $name } made a presentation" with the
/// actor's name), written in each viewer's own language where their stream delivers it
/// ([`DealChange::for_reader`]), since viewers of one deal may read different languages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DealChange {
    pub deal_id: i64,
    pub version: i64,
    pub by_user_id: Option<i64>,
    #[serde(with = "message")]
    pub what: Text,
}

impl DealChange {
    /// The event as a page of a viewer reading `language` receives it.
    pub fn for_reader(&self, language: &Language) -> DealEvent {
        DealEvent { deal_id: self.deal_id, version: self.version, by_user_id: self.by_user_id, what: self.what.in_language(language) }
    }
}

/// A [`Text`] as it travels between instances: its key and its values by name, numbers as
/// numbers (for the plurals of the language it is finally written in).
mod message {
    use crate::language::{Text, Value};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wire {
        key: String,
        #[serde(default)]
        args: Vec<(String, Arg)>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Arg {
        Number(i64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(text: &Text, serializer: S) -> Result<S::Ok, S::Error> {
        let args = text
            .args
            .iter()
            .map(|(name, value)| {
                let arg = match value {
                    Value::Number(n) => Arg::Number(*n),
                    Value::Text(t) => Arg::Text(t.clone()),
                };
                ((*name).to_owned(), arg)
            })
            .collect();
        Wire { key: text.key.to_owned(), args }.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        // Only the messages' own words: Text holds &'static str, and nothing read from the
        // channel is kept beyond them.
        let word = |w: String| crate::language::known_word(&w).ok_or_else(|| serde::de::Error::custom(format!("{w:?} is not a message key or value name")));
        let mut text = Text::new(word(wire.key)?);
        for (name, arg) in wire.args {
            let value = match arg {
                Arg::Number(n) => Value::Number(n),
                Arg::Text(t) => Value::Text(t),
            };
            text.args.push((word(name)?, value));
        }
        Ok(text)
    }
}

impl Default for Notifier {
    fn default() -> Self {
        // Enough for a burst of leads; a page that falls further behind reloads its lists.
        Notifier {
            sender: broadcast::channel(1024).0,
            own: broadcast::channel(1024).0,
            deals: broadcast::channel(1024).0,
            stopping: watch::channel(false).0,
            others: Arc::default(),
            recent: Arc::new(Mutex::new(Recent { since: Utc::now(), heard: Default::default() })),
        }
    }
}

impl Notifier {
    pub fn publish(&self, notices: impl IntoIterator<Item = Notice>) {
        for notice in notices {
            self.heard(Some(notice.user_id));
            self.share(Shared::Notice(notice.clone()));
            let _ = self.own.send(notice.clone());
            // No open page is not an error: the notice is stored and shown on next load.
            let _ = self.sender.send(notice);
        }
    }

    /// From now on, everything published here is also handed to the returned receiver, for
    /// the other instances. A second call replaces the first receiver.
    pub fn share_with_others(&self) -> mpsc::UnboundedReceiver<Shared> {
        let (sender, receiver) = mpsc::unbounded_channel();
        *self.others.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(sender);
        receiver
    }

    /// Hands what another instance published to the pages open here (and not back out).
    pub fn deliver(&self, shared: Shared) {
        // As in `publish`, no open page here is not an error.
        match shared {
            Shared::Notice(notice) => {
                self.heard(Some(notice.user_id));
                let _ = self.sender.send(notice);
            }
            Shared::Deal(event) => {
                self.heard(None);
                let _ = self.deals.send(event);
            }
        }
    }

    fn heard(&self, notice_for: Option<i64>) {
        let now = Utc::now();
        let mut recent = self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while recent.heard.front().is_some_and(|(at, _)| *at < now - chrono::Duration::seconds(REMEMBER_SECONDS)) {
            recent.heard.pop_front();
        }
        recent.heard.push_back((now, notice_for));
    }

    /// Whether `user_id`'s notices or any deal changed after `rendered` (a page's render
    /// time, with a second's grace for the clocks of several instances). When this instance
    /// cannot know (it started, or stopped remembering, after that), both.
    pub fn missed_since(&self, user_id: i64, rendered: DateTime<Utc>) -> Missed {
        let after = rendered - chrono::Duration::seconds(1);
        let recent = self.recent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if rendered < recent.since || after < Utc::now() - chrono::Duration::seconds(REMEMBER_SECONDS) {
            return Missed { notices: true, deals: true };
        }
        let mut missed = Missed::default();
        for (_, whose) in recent.heard.iter().filter(|(at, _)| *at >= after) {
            match whose {
                Some(user) if *user == user_id => missed.notices = true,
                Some(_) => {}
                None => missed.deals = true,
            }
        }
        missed
    }

    fn share(&self, shared: Shared) {
        if let Some(others) = self.others.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).as_ref() {
            let _ = others.send(shared);
        }
    }

    /// Every notice for the pages open here, whichever instance published it.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }

    /// Only the notices this instance published.
    pub fn subscribe_own(&self) -> broadcast::Receiver<Notice> {
        self.own.subscribe()
    }

    /// Tells every open page that a deal changed. Call after the change commits.
    pub fn deal_changed(&self, event: DealChange) {
        self.heard(None);
        self.share(Shared::Deal(event.clone()));
        let _ = self.deals.send(event);
    }

    pub fn subscribe_deals(&self) -> broadcast::Receiver<DealChange> {
        self.deals.subscribe()
    }

    /// Ends every live stream, so a graceful shutdown is not held open by them.
    pub fn shut_down(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once `shut_down` has been called.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }
}

impl From<notification::Model> for Notice {
    fn from(row: notification::Model) -> Notice {
        Notice { id: row.id, user_id: row.user_id, kind: row.kind.as_str().to_owned(), title: row.title, body: row.body, deal_id: row.deal_id }
    }
}

/// Stores a notification; publish it after the surrounding transaction commits.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    kind: super::NoticeKind,
    title: &str,
    body: &str,
    deal_id: Option<i64>,
) -> Result<Notice, AppError> {
    let row = notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        deal_id: Set(deal_id),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.into())
}

pub async fn unread(db: &sea_orm::DatabaseConnection, user_id: i64) -> Result<u64, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// The viewer's newest 50 notifications.
pub async fn recent(db: &sea_orm::DatabaseConnection, viewer: &crate::auth::SessionUser) -> Result<Vec<super::NoticeView>, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(viewer.id))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| super::NoticeView {
            id: n.id,
            kind: n.kind.as_str().to_owned(),
            title: n.title,
            body: n.body,
            deal_id: n.deal_id,
            at: crate::common::local(n.created_at, &viewer.time_zone),
            unread: n.read_at.is_none(),
        })
        .collect())
}

pub async fn mark_all_read(db: &sea_orm::DatabaseConnection, user_id: i64) -> Result<(), AppError> {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(id: i64) -> Notice {
        Notice { id, user_id: 1, kind: "new_lead".into(), title: "New lead: Lucía".into(), body: String::new(), deal_id: Some(7) }
    }

    #[test]
    fn what_is_published_here_is_shared_and_what_arrives_is_not_sent_back() {
        let notifier = Notifier::default();
        let mut others = notifier.share_with_others();
        let mut pages = notifier.subscribe();
        let mut own = notifier.subscribe_own();
        notifier.publish([notice(1)]);
        assert_eq!(others.try_recv().unwrap(), Shared::Notice(notice(1)));
        assert_eq!(pages.try_recv().unwrap(), notice(1));
        assert_eq!(own.try_recv().unwrap(), notice(1));

        notifier.deliver(Shared::Notice(notice(2)));
        assert_eq!(pages.try_recv().unwrap(), notice(2), "pages here hear another instance's notice");
        assert!(others.try_recv().is_err(), "and it is not shared again");
        assert!(own.try_recv().is_err(), "nor acted on here as if it were this instance's");
    }

    #[test]
    fn a_stream_opening_late_learns_what_it_missed_since_its_page_was_rendered() {
        let notifier = Notifier::default();
        let rendered = Utc::now() + chrono::Duration::seconds(2);
        assert_eq!(notifier.missed_since(1, rendered), Missed::default(), "nothing happened");
        let before = Utc::now() - chrono::Duration::seconds(30);
        assert_eq!(notifier.missed_since(1, before), Missed { notices: true, deals: true }, "rendered before this instance started: cannot know");
        notifier.publish([notice(1)]);
        assert_eq!(notifier.missed_since(2, Utc::now()), Missed::default(), "another user's notice is not this one's");
        assert_eq!(notifier.missed_since(1, Utc::now()), Missed { notices: true, deals: false });
        notifier.deliver(Shared::Deal(DealChange { deal_id: 3, version: 4, by_user_id: None, what: Text::new("deals-event-edited-contact").with("name", "Ana") }));
        assert_eq!(notifier.missed_since(2, Utc::now()), Missed { notices: false, deals: true }, "another instance's change counts too");
    }

    fn imported(count: i64) -> DealChange {
        DealChange { deal_id: 3, version: 4, by_user_id: Some(1), what: Text::new("whatsapp-event-imported").with("name", "Lucía Martín").with("count", count) }
    }

    #[test]
    fn a_shared_event_reads_back_as_written() {
        let event = Shared::Deal(imported(12));
        let text = serde_json::to_string(&event).unwrap();
        assert!(text.starts_with(r#"{"type":"deal","event":{"#), "{text}");
        assert!(text.contains(r#""what":{"key":"whatsapp-event-imported","args":[["name","Lucía Martín"],["count",12]]}"#), "a key and its values, not English: {text}");
        assert_eq!(serde_json::from_str::<Shared>(&text).unwrap(), event);
        // Only the messages' own keys and value names are read back: nothing else is kept.
        for stranger in [text.replace("whatsapp-event-imported", "no-such-message"), text.replace(r#"["count",12]"#, r#"["made-up",12]"#)] {
            let refused = serde_json::from_str::<Shared>(&stranger).unwrap_err().to_string();
            assert!(refused.contains("is not a message key or value name"), "{refused}");
        }
    }

    #[test]
    fn each_viewer_reads_what_happened_on_a_deal_in_their_own_language() {
        let notifier = Notifier::default();
        let mut others = notifier.share_with_others();
        let mut pages = notifier.subscribe_deals();
        notifier.deal_changed(imported(1));
        let (english, spanish) = (Language::english(), Language::parse("es").unwrap());
        let heard = pages.try_recv().unwrap();
        assert_eq!(heard.for_reader(&english).what, "Lucía Martín imported 1 WhatsApp message");
        assert_eq!(heard.for_reader(&spanish).what, "Lucía Martín ha importado 1 mensaje de WhatsApp");
        assert_eq!(heard.for_reader(&spanish), DealEvent { deal_id: 3, version: 4, by_user_id: Some(1), what: "Lucía Martín ha importado 1 mensaje de WhatsApp".into() });
        // Shared with another instance, it is still a message to write in its viewers' languages.
        let shared = serde_json::to_string(&others.try_recv().unwrap()).unwrap();
        let Shared::Deal(arrived) = serde_json::from_str::<Shared>(&shared).unwrap() else { panic!("{shared}") };
        assert_eq!(arrived.for_reader(&spanish).what, "Lucía Martín ha importado 1 mensaje de WhatsApp");
        assert_eq!(imported(12).for_reader(&spanish).what, "Lucía Martín ha importado 12 mensajes de WhatsApp");
        let logged = Text::new("deals-event-logged").with("name", "Ana").with("outcome", crate::deals::Outcome::ViewingBooked.as_str());
        assert_eq!((logged.in_language(&english), logged.in_language(&spanish)), ("Ana logged: Viewing booked".into(), "Ana ha anotado: Visita concertada".into()));
    }
}
