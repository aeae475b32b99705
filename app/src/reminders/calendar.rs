//! The calendar feed: a user's pending follow-ups as iCalendar (RFC 5545), at a secret,
//! revocable address a phone calendar subscribes to.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::session::{new_token, token_hash};
use crate::db::entities::{reminder, user};
use crate::error::AppError;

/// Makes a new feed address for the user, revoking any earlier one. The token is shown once.
pub async fn new_link(db: &DatabaseConnection, user_id: i64) -> Result<String, AppError> {
    let token = new_token();
    user::Entity::update_many()
        .col_expr(user::Column::CalendarTokenHash, Expr::value(token_hash(&token)))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(token)
}

pub async fn revoke(db: &DatabaseConnection, user_id: i64) -> Result<(), AppError> {
    user::Entity::update_many()
        .col_expr(user::Column::CalendarTokenHash, Expr::value(Option::<String>::None))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn has_link(db: &DatabaseConnection, user_id: i64) -> Result<bool, AppError> {
    Ok(user::Entity::find_by_id(user_id).one(db).await?.is_some_and(|u| u.calendar_token_hash.is_some()))
}

/// The feed for the token, or `NotFound` for an unknown or revoked one (or a disabled user).
pub async fn feed(db: &DatabaseConnection, token: &str, base_url: &str) -> Result<String, AppError> {
    let owner = user::Entity::find()
        .filter(user::Column::CalendarTokenHash.eq(token_hash(token)))
        .filter(user::Column::DisabledAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let reminders = reminder::Entity::find()
        .filter(reminder::Column::AssigneeId.eq(owner.id))
        .filter(reminder::Column::State.eq(crate::reminders::State::Pending))
        .filter(reminder::Column::DueAt.gt(now - Duration::days(30)))
        .order_by_asc(reminder::Column::DueAt)
        .all(db)
        .await?;
    let contacts = super::service::contacts_of(db, reminders.iter().map(|r| r.deal_id).collect()).await?;
    let events: Vec<Event> = reminders
        .iter()
        .map(|r| {
            let contact = contacts.get(&r.deal_id).cloned();
            let name = contact.as_ref().map(|c| c.name.clone()).unwrap_or_default();
            let phone = contact.and_then(|c| c.phone).unwrap_or_default();
            Event {
                uid: format!("reminder-{}@doorstep", r.id),
                start: r.due_at,
                stamp: r.updated_at,
                summary: format!("{}: {name}", r.title),
                description: format!("{name} {phone}\n{base_url}/deals/{}", r.deal_id),
                url: format!("{base_url}/deals/{}", r.deal_id),
            }
        })
        .collect();
    let lang = crate::language::of_person(owner.language.as_deref(), &crate::agency::language(db).await?);
    Ok(calendar(&lang.t_with("reminders-calendar-name", &[("name", owner.name.as_str().into())]), &events))
}

pub struct Event {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub summary: String,
    pub description: String,
    pub url: String,
}

/// An iCalendar document: CRLF line ends, text escaped, lines folded at 75 octets.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Doorstep//Follow-ups//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        format!("X-WR-CALNAME:{}", text(name)),
        "REFRESH-INTERVAL;VALUE=DURATION:PT15M".to_owned(),
    ];
    for e in events {
        lines.extend([
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{}", stamp(e.stamp)),
            format!("DTSTART:{}", stamp(e.start)),
            "DURATION:PT15M".to_owned(),
            format!("SUMMARY:{}", text(&e.summary)),
            format!("DESCRIPTION:{}", text(&e.description)),
            format!("URL:{}", e.url),
            "BEGIN:VALARM".to_owned(),
            "ACTION:DISPLAY".to_owned(),
            format!("DESCRIPTION:{}", text(&e.summary)),
            "TRIGGER:PT0M".to_owned(),
            "END:VALARM".to_owned(),
            "END:VEVENT".to_owned(),
        ]);
    }
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values: backslash, semicolon, comma and newline escaped.
fn text(value: &str) -> String {
    value.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// A content line folded into 75-octet pieces (never splitting a UTF-8 character), each
/// continuation starting with a space, every line ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let folded = fold(&format!("SUMMARY:{}", "Llamar a Lucía Fernández sobre el ático; ".repeat(4)));
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "Llamar a Lucía Fernández sobre el ático; ".repeat(4)));
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("Call back; then, maybe\nvisit \\ see"), "Call back\\; then\\, maybe\\nvisit \\\\ see");
    }
}
