//! A chat export into a deal's timeline: the upload is kept aside (`chat_uploads`) until the
//! agent has seen the preview and confirmed, then every message not already there is added in
//! one transaction, at its original time. Each message's identity is its author, local time,
//! text and how many identical ones came before it, so importing the same export again (or a
//! longer export of the same chat) adds only what is new.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::export::{self, ChatExport, DateOrder, Platform};
use super::{archive, ChatChoice, ChatPreview, Imported, PreviewLine};
use crate::auth::SessionUser;
use crate::db::entities::{activity, chat_upload, contact, deal};
use crate::error::AppError;
use crate::media::Storage;
use crate::notifications::service::Notifier;
use crate::language::Text;
use crate::notifications::service::DealChange;

/// Uploads nobody confirmed are dropped after this.
const KEEP_HOURS: i64 = 24;
const SAMPLE: usize = 3;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::field("file", message)
}

/// Keeps an upload for its preview. Refuses, saying why, anything that is not a chat export.
pub async fn stage(db: &DatabaseConnection, media: &dyn Storage, viewer: &SessionUser, deal_id: i64, file_name: &str, bytes: Vec<u8>) -> Result<String, AppError> {
    let _memory = crate::common::GiveBackMemory;
    deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    // Every file is unpacked once here (counted, not kept), so a zip bomb is refused before
    // anything is stored.
    let upload = archive::open(&bytes, archive::Files::Count).map_err(invalid)?;
    export::parse(&upload.text, None, DateOrder::DayFirst).map_err(|e| invalid(e.to_string()))?;
    let now = Utc::now();
    let stale = chat_upload::Entity::find().filter(chat_upload::Column::CreatedAt.lt(now - Duration::hours(KEEP_HOURS))).all(db).await?;
    for old in &stale {
        forget(db, media, old).await?;
    }
    let token = crate::auth::session::new_token();
    // The file goes to media storage, the row only names it: tens of MB are written once,
    // not copied through the database driver.
    let key = format!("uploads/chat-{}.zip", crate::auth::session::new_token().to_ascii_lowercase());
    media.put(&key, bytes, "application/zip").await?;
    let stored = chat_upload::Entity::insert(chat_upload::ActiveModel {
        token: Set(token.clone()),
        deal_id: Set(deal_id),
        user_id: Set(viewer.id),
        file_name: Set(file_name.chars().take(200).collect()),
        data: Set(Vec::new()),
        file_key: Set(Some(key.clone())),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await;
    if let Err(err) = stored {
        let _ = media.delete(&key).await;
        return Err(err.into());
    }
    Ok(token)
}

/// The uploaded file's bytes, from media storage or (uploads from before) the row.
async fn file_of(media: &dyn Storage, upload: &chat_upload::Model) -> Result<Vec<u8>, AppError> {
    match &upload.file_key {
        Some(key) => media.get(key).await?.ok_or_else(|| AppError::Gone(crate::language::t("whatsapp-upload-is-gone"))),
        None => Ok(upload.data.clone()),
    }
}

/// Removes an upload and its file.
async fn forget(db: &impl sea_orm::ConnectionTrait, media: &dyn Storage, upload: &chat_upload::Model) -> Result<(), AppError> {
    chat_upload::Entity::delete_by_id(upload.id).exec(db).await?;
    if let Some(key) = &upload.file_key {
        media.delete(key).await?;
    }
    Ok(())
}

/// The viewer's own upload.
async fn upload_of(db: &DatabaseConnection, viewer: &SessionUser, token: &str) -> Result<chat_upload::Model, AppError> {
    chat_upload::Entity::find()
        .filter(chat_upload::Column::Token.eq(token))
        .filter(chat_upload::Column::UserId.eq(viewer.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Gone(crate::language::t("whatsapp-upload-is-gone-or-old")))
}

/// The chat read as chosen, the agent's name, the zone and the order.
struct Reading {
    chat: ChatExport,
    agent: String,
    tz: chrono_tz::Tz,
}

fn read(text: &str, choice: &ChatChoice, contact_name: &str, viewer: &SessionUser) -> Result<Reading, AppError> {
    let order = match choice.order.as_str() {
        "" => None,
        raw => Some(DateOrder::parse(raw).ok_or_else(|| AppError::field("order", crate::language::t("whatsapp-choose-date-order")))?),
    };
    let chat = export::parse(text, order, DateOrder::DayFirst).map_err(|e| invalid(e.to_string()))?;
    let tz_name = if choice.time_zone.is_empty() { viewer.time_zone.as_str() } else { choice.time_zone.as_str() };
    let tz: chrono_tz::Tz = tz_name.parse().map_err(|_| AppError::field("time_zone", crate::language::t("whatsapp-choose-a-time-zone")))?;
    let agent = if choice.agent.is_empty() {
        guess_agent(&chat.participants, contact_name, &viewer.name)
    } else if chat.participants.contains(&choice.agent) {
        choice.agent.clone()
    } else {
        return Err(AppError::field("agent", crate::language::t("whatsapp-choose-a-participant")));
    };
    Ok(Reading { chat, agent, tz })
}

/// The agency's side: the participant named like the viewer, else the one not named like the
/// client, else the first.
fn guess_agent(participants: &[String], contact_name: &str, viewer_name: &str) -> String {
    let first = |s: &str| s.split_whitespace().next().unwrap_or("").to_lowercase();
    participants
        .iter()
        .find(|p| first(p) == first(viewer_name))
        .or_else(|| participants.iter().find(|p| first(p) != first(contact_name)))
        .or(participants.first())
        .cloned()
        .unwrap_or_default()
}

/// A wall-clock time in a zone: the earlier of two when clocks go back, the hour after a gap
/// when they go forward.
fn instant(tz: chrono_tz::Tz, at: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&at)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(at + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&at))
}

/// Each authored message's identity, in order; WhatsApp's own lines are not imported.
fn identities(chat: &ChatExport) -> Vec<(usize, String)> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    chat.messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let author = m.author.as_deref()?;
            let key = format!("{author}\u{1f}{}\u{1f}{}", m.at.format("%Y-%m-%d %H:%M:%S"), m.text);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let digest = Sha256::digest(format!("{key}\u{1f}{n}").as_bytes());
            Some((i, format!("chat:{}", digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>())))
        })
        .collect()
}

async fn existing(db: &impl sea_orm::ConnectionTrait, contact_id: i64, ids: &[(usize, String)]) -> Result<HashSet<String>, AppError> {
    let mut out = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows = activity::Entity::find()
            .filter(activity::Column::ContactId.eq(contact_id))
            .filter(activity::Column::ExternalId.is_in(chunk.iter().map(|(_, id)| id.clone())))
            .all(db)
            .await?;
        out.extend(rows.into_iter().filter_map(|a| a.external_id));
    }
    Ok(out)
}

fn line(chat: &ChatExport, i: usize, agent: &str, tz: chrono_tz::Tz, viewer_tz: &str) -> PreviewLine {
    let m = &chat.messages[i];
    let author = m.author.clone().unwrap_or_default();
    PreviewLine {
        index: i,
        at: crate::common::local(instant(tz, m.at), viewer_tz),
        ours: author == agent,
        author,
        text: m.text.chars().take(300).collect(),
        attachment: m.attachment.clone(),
        suggestion: export::suggest(&m.text).map(|s| (s.as_str().to_owned(), s.label().to_owned())),
    }
}

/// What the upload will add, read as chosen.
pub async fn preview(db: &DatabaseConnection, media: &dyn Storage, viewer: &SessionUser, token: &str, choice: &ChatChoice) -> Result<ChatPreview, AppError> {
    let _memory = crate::common::GiveBackMemory;
    let upload = upload_of(db, viewer, token).await?;
    let bytes = file_of(media, &upload).await?;
    let deal = deal::Entity::find_by_id(upload.deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    let person = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let text = archive::open(&bytes, archive::Files::Skip).map_err(invalid)?.text;
    let r = read(&text, choice, &person.name, viewer)?;
    let ids = identities(&r.chat);
    let already = existing(db, person.id, &ids).await?;
    let authored: Vec<usize> = ids.iter().map(|(i, _)| *i).collect();
    let head: Vec<usize> = authored.iter().take(SAMPLE).copied().collect();
    let tail: Vec<usize> = authored.iter().rev().take(SAMPLE).rev().filter(|i| !head.contains(i)).copied().collect();
    let sample = [head, tail].concat();
    let at = |i: Option<&usize>| i.map(|i| line(&r.chat, *i, &r.agent, r.tz, &viewer.time_zone).at).unwrap_or_default();
    Ok(ChatPreview {
        token: token.to_owned(),
        deal_id: deal.id,
        contact_name: person.name.clone(),
        contact_phone: person.phone.clone(),
        file_name: upload.file_name.clone(),
        phone_kind: match r.chat.platform {
            Platform::Android => "Android",
            Platform::Ios => "iPhone",
        }
        .into(),
        participants: r.chat.participants.clone(),
        agent: r.agent.clone(),
        time_zone: r.tz.name().to_owned(),
        order: r.chat.order.as_str().to_owned(),
        ambiguous_order: r.chat.ambiguous_order,
        messages: ids.len(),
        new_messages: ids.iter().filter(|(_, id)| !already.contains(id)).count(),
        attachments: r.chat.messages.iter().filter(|m| m.attachment.is_some()).count(),
        omitted_media: r.chat.messages.iter().filter(|m| m.media_omitted).count(),
        first: at(authored.first()),
        last: at(authored.last()),
        sample: sample.into_iter().map(|i| line(&r.chat, i, &r.agent, r.tz, &viewer.time_zone)).collect(),
        suggestions: ids
            .iter()
            .filter(|(i, id)| !already.contains(id) && r.chat.messages[*i].author.as_deref() != Some(r.agent.as_str()))
            .map(|(i, _)| line(&r.chat, *i, &r.agent, r.tz, &viewer.time_zone))
            .filter(|l| l.suggestion.is_some())
            .collect(),
    })
}

/// The type a stored attachment is served as, by its name; anything else is a download.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Adds the chat's new messages to the deal's timeline. `confirmed` are the messages whose
/// suggested type the agent accepted (they are logged as that type).
pub async fn import(
    db: &DatabaseConnection,
    media: &dyn Storage,
    notifier: &Notifier,
    viewer: &SessionUser,
    token: &str,
    choice: &ChatChoice,
    confirmed: &[usize],
) -> Result<Imported, AppError> {
    let _memory = crate::common::GiveBackMemory;
    let upload = upload_of(db, viewer, token).await?;
    let deal = deal::Entity::find_by_id(upload.deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    let person = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let bytes = file_of(media, &upload).await?;
    let text = archive::open(&bytes, archive::Files::Skip).map_err(invalid)?.text;
    let r = read(&text, choice, &person.name, viewer)?;
    let ids = identities(&r.chat);
    let already = existing(db, person.id, &ids).await?;
    let fresh: Vec<&(usize, String)> = ids.iter().filter(|(_, id)| !already.contains(id)).collect();
    // Files go to storage before the transaction (never holding the write lock over I/O); a
    // failed import leaves them unreferenced, which costs space and shows nobody anything.
    let mut stored: HashMap<usize, (String, String)> = HashMap::new();
    for (i, _) in &fresh {
        let Some(name) = &r.chat.messages[*i].attachment else { continue };
        // One attachment in memory at a time, however many the chat has.
        let Some(file) = archive::file(&bytes, name).map_err(invalid)? else { continue };
        let ext = name.rsplit('.').next().unwrap_or("bin").to_ascii_lowercase();
        let ext: String = ext.chars().filter(char::is_ascii_alphanumeric).take(5).collect();
        let key = format!("chats/{}.{ext}", crate::auth::session::new_token().to_ascii_lowercase());
        media.put(&key, file, content_type(name)).await?;
        stored.insert(*i, (key, name.clone()));
    }
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let rows: Vec<activity::ActiveModel> = fresh
        .iter()
        .map(|(i, id)| {
            let m = &r.chat.messages[*i];
            let ours = m.author.as_deref() == Some(r.agent.as_str());
            let kind = match export::suggest(&m.text) {
                Some(s) if confirmed.contains(i) && !ours => s.kind(),
                _ => crate::deals::ActivityKind::Whatsapp,
            };
            let (key, name) = stored.get(i).cloned().unzip();
            activity::ActiveModel {
                deal_id: Set(Some(deal.id)),
                contact_id: Set(person.id),
                kind: Set(kind),
                direction: Set(if ours { crate::deals::Direction::Out } else { crate::deals::Direction::In }),
                author_id: Set(None),
                body: Set(if m.text.is_empty() { name.clone().unwrap_or_default() } else { m.text.clone() }),
                occurred_at: Set(instant(r.tz, m.at)),
                created_at: Set(now),
                external_id: Set(Some(id.clone())),
                attachment_key: Set(key),
                attachment_name: Set(name),
                ..Default::default()
            }
        })
        .collect();
    let added = rows.len();
    for chunk in rows.chunks(400) {
        activity::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    chat_upload::Entity::delete_by_id(upload.id).exec(txn).await?;
    write.txn.commit().await?;
    if let Some(key) = &upload.file_key {
        // Imported: the uploaded file is done with (a failure here only leaves it behind).
        if let Err(err) = media.delete(key).await {
            tracing::warn!(error = %err, "an imported chat's upload could not be removed");
        }
    }
    if added > 0 {
        notifier.deal_changed(DealChange {
            deal_id: deal.id,
            version: deal.version,
            by_user_id: Some(viewer.id),
            what: Text::new("whatsapp-event-imported").with("name", viewer.name.as_str()).with("count", added),
        });
    }
    Ok(Imported { deal_id: deal.id, added, already_there: ids.len() - added })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agency_side_is_the_viewer_or_whoever_is_not_the_client() {
        let people = vec!["Marta Ruiz".to_string(), "Ana López".to_string()];
        assert_eq!(guess_agent(&people, "Marta Ruiz", "Ana Lopez"), "Ana López");
        assert_eq!(guess_agent(&people, "Marta Ruiz", "Elena Garcia"), "Ana López");
        assert_eq!(guess_agent(&people, "Someone Else", "Elena Garcia"), "Marta Ruiz");
    }

    #[test]
    fn identical_messages_stay_apart_and_reimports_match() {
        let text = "01/02/2024, 10:00 - Ana: Ok\n01/02/2024, 10:00 - Ana: Ok\n01/02/2024, 10:01 - Marta: Ok\n";
        let chat = export::parse(text, None, DateOrder::DayFirst).unwrap();
        let ids = identities(&chat);
        assert_eq!(ids.len(), 3);
        assert_ne!(ids[0].1, ids[1].1, "the second identical message is its own");
        assert_eq!(ids, identities(&export::parse(text, None, DateOrder::DayFirst).unwrap()));
    }

    #[test]
    fn wall_clock_times_survive_daylight_saving_changes() {
        let tz: chrono_tz::Tz = "Europe/Madrid".parse().unwrap();
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(instant(tz, at("2024-03-31 02:30")).to_rfc3339(), "2024-03-31T01:30:00+00:00", "the skipped hour moves on");
        assert_eq!(instant(tz, at("2024-10-27 02:30")).to_rfc3339(), "2024-10-27T00:30:00+00:00", "the repeated hour is the first");
        assert_eq!(instant(tz, at("2024-07-01 12:00")).to_rfc3339(), "2024-07-01T10:00:00+00:00");
    }
}
