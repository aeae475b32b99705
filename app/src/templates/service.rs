//! Templates kept and filled: the admin's list, and one template sent from a deal.

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{fill, placeholders, Filling, ReadyMessage, TemplateView, MAX_BODY, MAX_NAME};
use crate::db::entities::{contact, deal, message_template, property};
use crate::deals::service::{may_edit, Actor};
use crate::error::{AppError, FieldErrors};
use crate::notifications::service::Notifier;
use crate::language::Text;
use crate::notifications::service::DealChange;

pub async fn list(db: &DatabaseConnection) -> Result<Vec<TemplateView>, AppError> {
    Ok(message_template::Entity::find()
        .order_by_asc(message_template::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|t| TemplateView { id: t.id, name: t.name, body: t.body })
        .collect())
}

/// Adds a template (no `id`) or changes one; every problem is named at its field.
pub async fn save(db: &DatabaseConnection, id: Option<i64>, name: &str, body: &str) -> Result<i64, AppError> {
    let name = name.trim();
    let body = body.trim().replace("\r\n", "\n");
    let mut errors = FieldErrors::new();
    if name.is_empty() {
        errors.insert("name".into(), crate::language::t("templates-give-the-template-a-name"));
    } else if name.chars().count() > MAX_NAME {
        errors.insert("name".into(), crate::language::t_with("templates-keep-the-name-under", &[("max", MAX_NAME.into())]));
    } else {
        let same = message_template::Entity::find().filter(message_template::Column::Name.eq(name)).one(db).await?;
        if same.is_some_and(|t| Some(t.id) != id) {
            errors.insert("name".into(), crate::language::t_with("templates-name-taken", &[("name", name.into())]));
        }
    }
    if body.is_empty() {
        errors.insert("body".into(), crate::language::t("templates-write-the-message"));
    } else if body.chars().count() > MAX_BODY {
        errors.insert("body".into(), format!("WhatsApp takes up to {MAX_BODY} characters; this has {}.", body.chars().count()));
    } else if let Err(message) = placeholders(&body) {
        errors.insert("body".into(), message);
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = Utc::now();
    match id {
        Some(id) => {
            let row = message_template::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
            let mut row: message_template::ActiveModel = row.into();
            row.name = Set(name.to_owned());
            row.body = Set(body);
            row.updated_at = Set(now);
            row.update(db).await?;
            Ok(id)
        }
        None => {
            let row = message_template::ActiveModel { name: Set(name.to_owned()), body: Set(body), created_at: Set(now), updated_at: Set(now), ..Default::default() };
            Ok(row.insert(db).await?.id)
        }
    }
}

pub async fn delete(db: &DatabaseConnection, id: i64) -> Result<(), AppError> {
    let done = message_template::Entity::delete_by_id(id).exec(db).await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What fills templates for this deal, sent by `actor`.
async fn filling(db: &DatabaseConnection, actor: &Actor, d: &deal::Model, base: &str) -> Result<(contact::Model, Filling), AppError> {
    let client = contact::Entity::find_by_id(d.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let agency = crate::agency::load(db).await?.name;
    let shown = crate::presentations::service::for_deal(db, base, &actor.time_zone, d.id).await?;
    let live = shown.into_iter().find(|p| !p.revoked && !p.expired);
    // The listing the deal names by reference, else the newest presentation's first.
    let named = match d.property_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(reference) => property::Entity::find()
            .filter(Expr::expr(Func::upper(Expr::col(property::Column::Reference))).eq(reference.to_uppercase()))
            .one(db)
            .await?
            .map(|p| p.title)
            .or_else(|| Some(reference.to_owned())),
        None => None,
    };
    let property = named.or_else(|| live.as_ref().and_then(|p| p.titles.first().cloned()));
    let with = Filling { name: client.name.clone(), agent: actor.name.clone(), agency, property, link: live.map(|p| p.share_url) };
    Ok((client, with))
}

/// Every template filled in for the deal.
pub async fn for_deal(db: &DatabaseConnection, actor: &Actor, deal_id: i64, base: &str) -> Result<Vec<ReadyMessage>, AppError> {
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    let (client, with) = filling(db, actor, &d, base).await?;
    let no_number = client.whatsapp_number().is_none().then(|| crate::language::t("templates-client-has-no-phone"));
    Ok(list(db)
        .await?
        .into_iter()
        .map(|t| {
            let (text, blocked) = fill(&t.body, &with);
            ReadyMessage { id: t.id, name: t.name, text, blocked: no_number.clone().or(blocked) }
        })
        .collect())
}

/// Puts the template, filled in, on the deal's timeline as sent on WhatsApp (it counts as
/// answering the lead), and gives the wa.me address that opens it in WhatsApp.
pub async fn send(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, deal_id: i64, template_id: i64, base: &str) -> Result<String, AppError> {
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    may_edit(actor, &d)?;
    let template = message_template::Entity::find_by_id(template_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("template_id", crate::language::t("templates-template-was-removed")))?;
    let (client, with) = filling(db, actor, &d, base).await?;
    let Some(to) = client.whatsapp_number() else { return Err(AppError::field("template_id", crate::language::t("templates-client-has-no-phone"))) };
    let (text, blocked) = fill(&template.body, &with);
    if let Some(reason) = blocked {
        return Err(AppError::field("template_id", reason));
    }
    crate::presentations::service::record_sent(db, actor, &d, crate::deals::ActivityKind::Whatsapp, &text, None).await?;
    notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("templates-event-sent").with("name", actor.name.as_str()).with("template", template.name.as_str()) });
    Ok(crate::deals::pages::wa_link(to, &text))
}
