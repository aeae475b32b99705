//! One deal's page: the deal, its contact, timeline, history and what the viewer may do.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::deals::{budget, money, ActivityKind, Direction, Change, ContactCard, DealView, Person, TimelineEntry};
use crate::auth::{Role, SessionUser};
use crate::capture::Need;
use crate::db::entities::{activity, contact, deal_change, lost_reason, user};
use crate::common::local;
use crate::error::AppError;
use super::*;

/// The deal page. Any staff member may open any deal: colleagues cover for each other, and
/// the reply claim keeps them from answering twice.
pub async fn view(db: &DatabaseConnection, viewer: &SessionUser, id: i64) -> Result<DealView, AppError> {
    let now = Utc::now();
    let deal = find_deal(db, id).await?;
    let contact = contact::Entity::find_by_id(deal.contact_id).one(db).await?.ok_or(AppError::NotFound)?;
    let users = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    let names: HashMap<i64, String> = users.iter().map(|u| (u.id, u.name.clone())).collect();
    let stage_rows = stages(db).await?;
    let reasons = lost_reason::Entity::find()
        .filter(lost_reason::Column::Active.eq(true))
        .order_by_asc(lost_reason::Column::Position)
        .all(db)
        .await?;
    let agency = crate::agency::load(db).await?;
    // The first words the agent sends the client on WhatsApp: in the client's language.
    let client_language = crate::language::of_person(contact.language.as_deref(), &agency.language);
    let contact_first_name = contact.name.split_whitespace().next().unwrap_or("").to_owned();
    let timeline = activity::Entity::find()
        .filter(activity::Column::DealId.eq(id))
        .order_by_desc(activity::Column::OccurredAt)
        .order_by_desc(activity::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| TimelineEntry {
            id: a.id,
            label: match (a.kind, a.direction) {
                (ActivityKind::Whatsapp, Direction::In) => "WhatsApp from client".to_owned(),
                (ActivityKind::Whatsapp, Direction::Out) => match a.delivery.as_deref() {
                    Some("failed") => "WhatsApp to client · not delivered".to_owned(),
                    Some(status @ ("sent" | "delivered" | "read")) => format!("WhatsApp to client · {status}"),
                    _ => "WhatsApp to client".to_owned(),
                },
                (kind, _) => kind.label().to_owned(),
            },
            attachment: a.attachment_name.clone().map(|name| (format!("/attachments/{}", a.id), name)),
            kind: a.kind.as_str().to_owned(),
            direction: a.direction.as_str().to_owned(),
            author: a.author_id.and_then(|id| names.get(&id).cloned()),
            at: local(a.occurred_at, &viewer.time_zone),
            body: a.body,
        })
        .collect();
    let manager = viewer.role.includes(Role::Manager);
    let history = if manager {
        deal_change::Entity::find()
            .filter(deal_change::Column::DealId.eq(id))
            .order_by_desc(deal_change::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|c| Change {
                version: c.version,
                field: c.field,
                old_value: c.old_value,
                new_value: c.new_value,
                by: c.user_id.and_then(|id| names.get(&id).cloned()),
                at: local(c.changed_at, &viewer.time_zone),
            })
            .collect()
    } else {
        Vec::new()
    };
    let assignable = if manager {
        users
            .iter()
            .filter(|u| u.disabled_at.is_none())
            .map(|u| Person { id: u.id, name: u.name.clone() })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DealView {
        id: deal.id,
        version: deal.version,
        contact: ContactCard {
            id: contact.id,
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            whatsapp: contact.whatsapp,
            language: contact.language,
            marketing_consent: contact.marketing_consent,
        },
        need: Need::parse(&deal.need).unwrap_or(Need::Buy),
        budget: budget(deal.budget_min, deal.budget_max, &deal.currency),
        property_ref: deal.property_ref.clone(),
        move_in: deal.move_in.clone(),
        source: deal.source.clone(),
        created: local(deal.created_at, &viewer.time_zone),
        first_response: deal.first_response_at.map(|at| local(at, &viewer.time_zone)),
        stage_id: deal.stage_id,
        stages: stage_rows.iter().map(stage_info).collect(),
        lost_reason: deal.lost_reason.clone(),
        won_value: deal.won_value.map(|v| money(v, &deal.currency)),
        currency: deal.currency.clone(),
        lost_reasons: reasons.into_iter().map(|r| r.name).collect(),
        owner: deal.owner_id.map(|id| Person { id, name: names.get(&id).cloned().unwrap_or_default() }),
        assignable,
        claim: live_claim(&deal, &names, now),
        editable: may_edit(&Actor::person(viewer), &deal).is_ok(),
        viewer_id: viewer.id,
        greeting: client_language.t_with(
            "deals-greeting",
            &[
                ("client", contact_first_name.into()),
                ("agent", viewer.name.split_whitespace().next().unwrap_or(&viewer.name).into()),
                ("agency", agency.name.into()),
            ],
        ),
        timeline,
        history,
    })
}
