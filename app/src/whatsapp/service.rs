//! Messages from the WhatsApp Business Cloud API webhook, taken in:
//!
//! - from a number Doorstep knows, with an open deal: a WhatsApp entry on that deal's
//!   timeline at the time it was sent, and a notification to the deal's owner (or the
//!   managers when nobody owns it);
//! - from anyone else: a lead through the intake, like any form's, from the "whatsapp" form
//!   (made on first use, inactive so it has no public page; its assignment rule is the one
//!   WhatsApp leads follow, and an admin can change it);
//! - a message id already taken in changes nothing (Meta redelivers until it gets a 200).

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::Sha256;

use super::cloud::{Batch, Inbound};
use crate::capture::intake::Intake;
use crate::capture::{service as capture, Assignment, FormSettings, LeadInput};
use crate::db::entities::{activity, capture_form, contact, deal, notification, stage, whatsapp_message};
use crate::error::AppError;
use crate::notifications::service::Notifier;
use crate::language::Text;
use crate::notifications::service::DealChange;

/// The capture form WhatsApp leads come in through.
pub const FORM_SLUG: &str = "whatsapp";

/// The webhook's secrets (without them the webhook refuses every call), and the Cloud API
/// sender when replies are set up.
#[derive(Clone, Default)]
pub struct Channel {
    pub verify_token: Option<String>,
    pub app_secret: Option<String>,
    pub sender: Option<super::reply::Sender>,
}

/// The GET handshake: the challenge to echo when the mode is `subscribe` and the token is ours.
pub fn handshake<'a>(channel: &Channel, mode: &str, token: &str, challenge: &'a str) -> Option<&'a str> {
    let ours = channel.verify_token.as_deref()?;
    let same = ours.len() == token.len() && ours.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    (mode == "subscribe" && same && !challenge.is_empty()).then_some(challenge)
}

/// Whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of `body` under
/// the app secret, compared in constant time.
pub fn signed(app_secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else { return false };
    let Some(expected) = decode_hex(hex) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// What one webhook call came to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Received {
    pub leads: usize,
    pub on_deals: usize,
    pub repeated: usize,
    pub deliveries: usize,
}

/// The form WhatsApp leads come through, made (inactive) on first use.
pub async fn whatsapp_form(db: &DatabaseConnection) -> Result<capture_form::Model, AppError> {
    match capture::find_form(db, FORM_SLUG).await {
        Ok(form) => Ok(form),
        Err(AppError::NotFound) => {
            let settings = FormSettings {
                intro: "Leads who write to the agency's WhatsApp number. This form has no public page; its assignment rule is the one WhatsApp leads follow.".into(),
                show_consent: false,
                assignment: Assignment::RoundRobin,
                active: false,
                ..FormSettings::with_defaults(FORM_SLUG, "WhatsApp")
            };
            match capture::save_form(db, None, &settings).await {
                Ok(form) => Ok(form),
                // Two first messages at once: the other made it.
                Err(_) => capture::find_form(db, FORM_SLUG).await,
            }
        }
        Err(err) => Err(err),
    }
}

async fn seen(db: &impl ConnectionTrait, id: &str) -> Result<bool, AppError> {
    Ok(whatsapp_message::Entity::find_by_id(id.to_owned()).one(db).await?.is_some())
}

/// Marks a message taken in; false when another delivery of it was first.
async fn mark(db: &impl ConnectionTrait, id: &str, deal_id: i64) -> Result<bool, AppError> {
    let row = whatsapp_message::ActiveModel { message_id: Set(id.to_owned()), deal_id: Set(Some(deal_id)), received_at: Set(Utc::now()) };
    match whatsapp_message::Entity::insert(row)
        .on_conflict(OnConflict::column(whatsapp_message::Column::MessageId).do_nothing().to_owned())
        .exec(db)
        .await
    {
        Ok(_) => Ok(true),
        Err(sea_orm::DbErr::RecordNotInserted) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// The contact with this number (as phone or WhatsApp) and their newest open deal.
async fn known(db: &impl ConnectionTrait, phone: &str) -> Result<Option<(contact::Model, deal::Model)>, AppError> {
    let Some(person) = contact::Entity::find()
        .filter(Condition::any().add(contact::Column::Phone.eq(phone)).add(contact::Column::Whatsapp.eq(phone)))
        .order_by_asc(contact::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let open: Vec<i64> = stage::Entity::find().filter(stage::Column::Kind.eq("open")).all(db).await?.into_iter().map(|s| s.id).collect();
    let deal = deal::Entity::find()
        .filter(deal::Column::ContactId.eq(person.id))
        .filter(deal::Column::StageId.is_in(open))
        .order_by_desc(deal::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(deal.map(|d| (person, d)))
}

/// Adds a client's message to their open deal's timeline and tells its owner, in one
/// transaction with the mark that it was taken in. False when it was already.
async fn add_to_deal(db: &DatabaseConnection, notifier: &Notifier, m: &Inbound, person: &contact::Model, deal: &deal::Model) -> Result<bool, AppError> {
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    if !mark(txn, &m.id, deal.id).await? {
        return Ok(false);
    }
    activity::ActiveModel {
        deal_id: Set(Some(deal.id)),
        contact_id: Set(person.id),
        kind: Set(crate::deals::ActivityKind::Whatsapp),
        direction: Set(crate::deals::Direction::In),
        author_id: Set(None),
        body: Set(m.text.clone()),
        occurred_at: Set(m.at),
        created_at: Set(now),
        external_id: Set(Some(m.id.clone())),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    // The deal is touched: a client who writes is not a stale deal.
    deal::Entity::update_many().col_expr(deal::Column::UpdatedAt, Expr::value(now)).filter(deal::Column::Id.eq(deal.id)).exec(txn).await?;
    let recipients: Vec<i64> = match deal.owner_id {
        Some(owner) => vec![owner],
        None => capture::managers(txn).await?,
    };
    let preview: String = m.text.chars().take(140).collect();
    let mut notices = Vec::new();
    for user_id in recipients {
        let lang = crate::language::of_user(txn, user_id).await?;
        let row = notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(crate::notifications::NoticeKind::Whatsapp),
            title: Set(lang.t_with("whatsapp-notice-title", &[("client", person.name.as_str().into())])),
            body: Set(preview.clone()),
            deal_id: Set(Some(deal.id)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        notices.push(crate::notifications::Notice::from(row));
    }
    write.txn.commit().await?;
    notifier.publish(notices);
    notifier.deal_changed(DealChange { deal_id: deal.id, version: deal.version, by_user_id: None, what: Text::new("whatsapp-event-wrote").with("name", person.name.as_str()) });
    Ok(true)
}

/// Takes in one webhook call's messages and statuses. Each message is committed on its own,
/// so an error leaves the ones before it kept and marked: Meta's redelivery then adds only
/// what is missing.
pub async fn receive(db: &DatabaseConnection, notifier: &Notifier, intake: &Intake, region: &str, batch: &Batch) -> Result<Received, AppError> {
    let mut out = Received::default();
    for m in &batch.messages {
        if seen(db, &m.id).await? {
            out.repeated += 1;
            continue;
        }
        match known(db, &m.phone).await? {
            Some((person, deal)) => {
                if add_to_deal(db, notifier, m, &person, &deal).await? {
                    out.on_deals += 1;
                } else {
                    out.repeated += 1;
                }
            }
            None => {
                let form = whatsapp_form(db).await?;
                let input = LeadInput {
                    name: m.name.clone().unwrap_or_else(|| m.phone.clone()),
                    phone: m.phone.clone(),
                    message: m.text.clone(),
                    ..Default::default()
                };
                let accepted = intake.submit(&form, &input, region, "whatsapp").await?;
                // A redelivery racing this one found no mark yet: the intake took it for the
                // same inquiry again (a resubmission) and created nothing.
                mark(db, &m.id, accepted.deal_id).await?;
                out.leads += usize::from(accepted.outcome != crate::capture::Outcome::Resubmission);
            }
        }
    }
    for d in &batch.deliveries {
        // Statuses can arrive out of order: "delivered" after "read" must not undo it.
        let later: &[&str] = match d.status.as_str() {
            "sent" => &["sent", "delivered", "read"],
            "delivered" => &["delivered", "read"],
            "read" => &["read"],
            "failed" => &["failed"],
            // A status Doorstep does not know changes nothing.
            _ => continue,
        };
        let updated = activity::Entity::update_many()
            .col_expr(activity::Column::Delivery, Expr::value(d.status.clone()))
            .filter(activity::Column::ExternalId.eq(d.id.clone()))
            .filter(activity::Column::Direction.eq("out"))
            .filter(Condition::any().add(activity::Column::Delivery.is_null()).add(activity::Column::Delivery.is_not_in(later.iter().copied())))
            .exec(db)
            .await?;
        out.deliveries += updated.rows_affected as usize;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hmac_of_the_exact_body_under_the_app_secret_passes() {
        let body = br#"{"object":"whatsapp_business_account"}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"app-secret").unwrap();
        mac.update(body);
        let good = format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>());
        assert!(signed("app-secret", body, Some(&good)));
        assert!(!signed("other-secret", body, Some(&good)));
        assert!(!signed("app-secret", br#"{"object":"whatsapp_business_account" }"#, Some(&good)));
        assert!(!signed("app-secret", body, None));
        assert!(!signed("app-secret", body, Some(good.trim_start_matches("sha256="))));
        assert!(!signed("app-secret", body, Some("sha256=zz")));
    }
}
