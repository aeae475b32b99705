//! Web Push: notices on a person's phone or desk with Doorstep closed. A device opts in (the
//! browser's push subscription is stored with the kinds it wants); every notification of a
//! kind it wants becomes one delivery in the push outbox, which a worker encrypts (RFC 8291)
//! and hands to the browser's push service signed with the installation's VAPID key (RFC
//! 8292).

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod worker;

use serde::{Deserialize, Serialize};

/// What a device can choose to be pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Lead,
    WhatsApp,
    Presentation,
    FollowUp,
    Escalation,
    Handover,
}

impl Kind {
    pub const ALL: [Kind; 6] = [Kind::Lead, Kind::WhatsApp, Kind::Presentation, Kind::FollowUp, Kind::Escalation, Kind::Handover];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Lead => "lead",
            Kind::WhatsApp => "whatsapp",
            Kind::Presentation => "presentation",
            Kind::FollowUp => "follow_up",
            Kind::Escalation => "escalation",
            Kind::Handover => "handover",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Kind::Lead => "push-label-lead",
            Kind::WhatsApp => "push-label-whats-app",
            Kind::Presentation => "push-label-presentation",
            Kind::FollowUp => "push-label-follow-up",
            Kind::Escalation => "push-label-escalation",
            Kind::Handover => "push-label-handover",
        })
    }

    /// The kinds a role can be pushed (and a new device starts with): escalations go to
    /// managers only.
    pub fn offered_to(role: crate::auth::Role) -> Vec<Kind> {
        Kind::ALL.into_iter().filter(|k| *k != Kind::Escalation || role.includes(crate::auth::Role::Manager)).collect()
    }

    /// Which notifications this kind pushes; the others (who moved a deal, the daily digest,
    /// stale deals) stay in the bell and e-mail.
    #[cfg(feature = "ssr")]
    pub fn of_notification(kind: crate::notifications::NoticeKind) -> Option<Kind> {
        use crate::notifications::NoticeKind;
        Some(match kind {
            NoticeKind::NewLead | NoticeKind::ReturningLead => Kind::Lead,
            NoticeKind::Whatsapp => Kind::WhatsApp,
            NoticeKind::PresentationViewed => Kind::Presentation,
            NoticeKind::Reminder => Kind::FollowUp,
            NoticeKind::Escalation => Kind::Escalation,
            NoticeKind::DealAssigned => Kind::Handover,
            NoticeKind::Stale | NoticeKind::Digest => return None,
        })
    }

    /// How long the push service keeps a notice for a device that is off (seconds): a
    /// follow-up or a new lead still matters hours later; that a presentation was opened is
    /// news for the day.
    pub fn ttl(self) -> u32 {
        match self {
            Kind::Lead | Kind::WhatsApp | Kind::Escalation => 24 * 3600,
            Kind::FollowUp | Kind::Handover => 12 * 3600,
            Kind::Presentation => 4 * 3600,
        }
    }

    /// RFC 8030 urgency: a waiting lead or client wakes the phone at once.
    pub fn urgency(self) -> &'static str {
        match self {
            Kind::Lead | Kind::WhatsApp | Kind::Escalation => "high",
            Kind::FollowUp | Kind::Handover => "normal",
            Kind::Presentation => "low",
        }
    }
}

/// The kinds a device wants, as stored: comma-separated.
pub fn kinds_text(kinds: &[Kind]) -> String {
    Kind::ALL.into_iter().filter(|k| kinds.contains(k)).map(Kind::as_str).collect::<Vec<_>>().join(",")
}

pub fn kinds_of(text: &str) -> Vec<Kind> {
    text.split(',').filter_map(|k| Kind::parse(k.trim())).collect()
}

/// One of the viewer's devices, as the devices list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub kinds: Vec<Kind>,
    /// When it opted in, in the viewer's time zone.
    pub since: String,
    pub last_pushed: Option<String>,
    /// Its subscription's endpoint, for the page to tell which device it is on.
    pub endpoint: String,
}

/// What the service worker receives, encrypted: shown as the notification as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    /// The page a tap opens.
    pub url: String,
    /// One notification per tag: a notice pushed again replaces itself on the device.
    pub tag: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_written_and_unknown_ones_are_dropped() {
        let text = kinds_text(&[Kind::FollowUp, Kind::Lead]);
        assert_eq!(text, "lead,follow_up");
        assert_eq!(kinds_of(&text), vec![Kind::Lead, Kind::FollowUp]);
        assert_eq!(kinds_of("lead,nonsense, whatsapp"), vec![Kind::Lead, Kind::WhatsApp]);
    }

    #[test]
    fn only_the_notices_that_call_for_someone_are_pushed() {
        use crate::notifications::NoticeKind;
        assert_eq!(Kind::of_notification(NoticeKind::NewLead), Some(Kind::Lead));
        assert_eq!(Kind::of_notification(NoticeKind::DealAssigned), Some(Kind::Handover));
        assert_eq!(Kind::of_notification(NoticeKind::Stale), None);
        assert_eq!(Kind::of_notification(NoticeKind::Digest), None);
        assert_eq!(Kind::Lead.urgency(), "high");
    }
}
