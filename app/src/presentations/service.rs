//! Making presentations, opening their share links, turning them into PDFs, and counting the
//! client's opens on the deal.

use crate::deals::ActivityKind;
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::TryRng;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::pdf::{self, AgentCard, Brochure, Listing, Paper, Photo};
use super::{NewPresentation, PresentationView, MAX_LISTINGS};
use crate::db::entities::{activity, agency, contact, deal, presentation, presentation_item, property, property_photo, reminder, user};
use crate::deals::service::Actor;
use crate::error::{AppError, Validator};
use crate::language::Language;
use crate::media::Storage;
use crate::notifications::service::Notifier;
use crate::language::Text;
use crate::notifications::service::DealChange;
use crate::notifications::Notice;

/// Opens closer together than this are one visit: a reload or the PDF after the page.
pub const SAME_VISIT_MINUTES: i64 = 10;
pub const MAX_EXPIRY_DAYS: i64 = 365;

fn token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::SysRng.try_fill_bytes(&mut bytes).expect("the system's random numbers");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A share-link token as Doorstep makes them: 43 URL-safe characters.
pub fn plausible_token(raw: &str) -> bool {
    raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes a presentation of the listings in the order given, for a deal's client or on its
/// own. Every problem with the request is told at once; nothing is written on any.
pub async fn create(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, input: &NewPresentation) -> Result<presentation::Model, AppError> {
    let mut v = Validator::default();
    let mut ids = Vec::new();
    for id in &input.property_ids {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    if ids.is_empty() {
        v.add("property_ids", crate::language::t("presentations-pick-at-least-one-listing"));
    } else if ids.len() > MAX_LISTINGS {
        v.add("property_ids", crate::language::t_with("presentations-holds-up-to-listings", &[("max", MAX_LISTINGS.into())]));
    }
    let found = property::Entity::find().filter(property::Column::Id.is_in(ids.clone())).count(db).await?;
    if !ids.is_empty() && found != ids.len() as u64 {
        v.add("property_ids", crate::language::t("presentations-listing-no-longer-exists"));
    }
    let paper = match input.paper.trim() {
        "" => Some(Paper::A4),
        p => Paper::parse(p),
    };
    if paper.is_none() {
        v.add("paper", crate::language::t("presentations-choose-a4-or-letter"));
    }
    let expires_at = match input.expires_in_days {
        None => None,
        Some(days) if (1..=MAX_EXPIRY_DAYS).contains(&days) => Some(Utc::now() + Duration::days(days)),
        Some(_) => {
            v.add("expires_in_days", crate::language::t_with("presentations-give-expiry-days", &[("max", MAX_EXPIRY_DAYS.into())]));
            None
        }
    };
    let deal = match input.deal_id {
        Some(id) => Some(deal::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let paper = v.finish_with(paper)?;
    if let Some(d) = &deal {
        // Sending to a client is working the deal: the owner, unassigned deals, or a manager.
        crate::deals::service::may_edit(actor, d)?;
    }
    let agent_id = match (actor.user_id, input.agent_id, &deal) {
        (Some(me), None, _) => me,
        (_, Some(named), _) => named,
        (None, None, Some(deal::Model { owner_id: Some(owner), .. })) => *owner,
        (None, None, _) => return Err(AppError::field("agent_id", crate::language::t("presentations-say-which-agent-presents-it"))),
    };
    let agent = user::Entity::find_by_id(agent_id).one(db).await?.filter(|u| u.disabled_at.is_none());
    let Some(agent) = agent else { return Err(AppError::field("agent_id", crate::language::t("presentations-no-active-user-has-this-id"))) };

    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let row = presentation::ActiveModel {
        token: Set(token()),
        deal_id: Set(deal.as_ref().map(|d| d.id)),
        created_by: Set(agent.id),
        paper: Set(paper.code().into()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        view_count: Set(0),
        last_viewed_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    for (position, property_id) in ids.iter().enumerate() {
        presentation_item::ActiveModel { presentation_id: Set(row.id), property_id: Set(*property_id), position: Set(position as i32), ..Default::default() }
            .insert(txn)
            .await?;
    }
    if let Some(d) = &deal {
        let titles = titles(txn, row.id).await?;
        activity::ActiveModel {
            deal_id: Set(Some(d.id)),
            contact_id: Set(d.contact_id),
            kind: Set(crate::deals::ActivityKind::Presentation),
            direction: Set(crate::deals::Direction::Out),
            author_id: Set(actor.user_id),
            body: Set(crate::language::of_agency(txn).await?.t_with("presentations-timeline-made", &[("titles", titles.join("; ").into())])),
            occurred_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    write.txn.commit().await?;
    if let Some(d) = &deal {
        notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("presentations-event-made").with("name", actor.name.as_str()) });
    }
    Ok(row)
}

async fn titles(db: &impl sea_orm::ConnectionTrait, presentation_id: i64) -> Result<Vec<String>, AppError> {
    Ok(listings(db, presentation_id).await?.into_iter().map(|p| p.title).collect())
}

/// The listings of a presentation, in its order.
async fn listings(db: &impl sea_orm::ConnectionTrait, presentation_id: i64) -> Result<Vec<property::Model>, AppError> {
    let items = presentation_item::Entity::find()
        .filter(presentation_item::Column::PresentationId.eq(presentation_id))
        .order_by_asc(presentation_item::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i64> = items.iter().map(|i| i.property_id).collect();
    let mut rows = property::Entity::find().filter(property::Column::Id.is_in(ids.clone())).all(db).await?;
    rows.sort_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(rows)
}

/// The client a presentation was made for: its deal's contact, if it has a deal.
async fn client_of(db: &DatabaseConnection, row: &presentation::Model) -> Result<Option<contact::Model>, AppError> {
    let Some(deal_id) = row.deal_id else { return Ok(None) };
    match deal::Entity::find_by_id(deal_id).one(db).await? {
        Some(d) => Ok(contact::Entity::find_by_id(d.contact_id).one(db).await?),
        None => Ok(None),
    }
}

/// The share page's address for a token.
pub fn share_url(base: &str, token: &str) -> String {
    format!("{base}/p/{token}")
}

pub fn pdf_url(base: &str, token: &str) -> String {
    format!("{base}/p/{token}/presentation.pdf")
}

/// A deal's presentations, newest first, as the viewer reads them.
pub async fn for_deal(db: &DatabaseConnection, base: &str, time_zone: &str, deal_id: i64) -> Result<Vec<PresentationView>, AppError> {
    let rows = presentation::Entity::find()
        .filter(presentation::Column::DealId.eq(deal_id))
        .order_by_desc(presentation::Column::CreatedAt)
        .order_by_desc(presentation::Column::Id)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(view(db, base, time_zone, row).await?);
    }
    Ok(views)
}

pub async fn view(db: &DatabaseConnection, base: &str, time_zone: &str, row: presentation::Model) -> Result<PresentationView, AppError> {
    let names = crate::deals::service::names(db).await?;
    let titles = titles(db, row.id).await?;
    let client = client_of(db, &row).await?;
    let share = share_url(base, &row.token);
    let whatsapp_url = client.as_ref().and_then(|c| c.whatsapp.clone().or_else(|| c.phone.clone())).map(|number| {
        let first = client.as_ref().map(|c| first_name(&c.name).to_owned()).unwrap_or_default();
        let what = if titles.len() == 1 { "the home we talked about" } else { "the homes I picked for you" };
        crate::deals::pages::wa_link(&number, &format!("Hi {first}, here is {what}: {share}"))
    });
    let local = |at: DateTime<Utc>| crate::common::local(at, time_zone);
    let now = Utc::now();
    Ok(PresentationView {
        id: row.id,
        pdf_url: pdf_url(base, &row.token),
        share_url: share,
        titles,
        paper: row.paper.clone(),
        created: local(row.created_at),
        agent: names.get(&row.created_by).cloned().unwrap_or_default(),
        expires: row.expires_at.map(local),
        revoked: row.revoked_at.is_some(),
        expired: row.expires_at.is_some_and(|at| at <= now),
        views: row.view_count,
        last_viewed: row.last_viewed_at.map(local),
        whatsapp_url,
        email_to: client.as_ref().and_then(|c| c.email.clone()),
    })
}

/// E-mails the PDF to the deal's client, with the share link, answered to the agent; the
/// timeline records it. Refuses with what to do when something is missing.
pub async fn email(state: &crate::state::AppState, actor: &Actor, id: i64, base: &str) -> Result<String, AppError> {
    let db = &state.db;
    let row = presentation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(deal_id) = row.deal_id else {
        return Err(AppError::Conflict(crate::language::t("presentations-not-for-a-client-send-link")));
    };
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    crate::deals::service::may_edit(actor, &d)?;
    let Some(mailer) = state.mailer.clone() else {
        return Err(AppError::Conflict(crate::language::t("presentations-mail-not-set-up")));
    };
    let share = match open(db, &row.token).await? {
        Ok(share) => share,
        Err(Closed::Revoked) => return Err(AppError::Gone(crate::language::t("presentations-link-withdrawn"))),
        Err(_) => return Err(AppError::Gone(crate::language::t("presentations-link-expired"))),
    };
    let Some(client) = share.client.clone() else { return Err(AppError::NotFound) };
    let Some(to) = client.email.clone() else {
        return Err(AppError::Conflict(crate::language::t_with("presentations-no-email", &[("client", client.name.as_str().into())])));
    };
    let pdf = render(state.media.as_ref(), &share, base).await?;
    // Written in the client's language, as the PDF and the share page are.
    let (subject, text) = crate::language::for_reader_now(share.language(), || {
        use crate::language::t_with;
        let first = first_name(&client.name).to_owned();
        let lines: Vec<String> = share.listings.iter().map(|l| format!("- {} — {}, {}", l.property.title, price_text(&l.property), place_text(&l.property))).collect();
        let count = share.listings.len();
        let phone = share.agent.phone.clone().map(|p| format!("\n{p}")).unwrap_or_default();
        let text = format!(
            "{}\n\n{}\n{}\n\n{}\n{}\n\n{}\n{}{phone}\n",
            t_with("presentations-mail-hello", &[("name", first.into())]),
            t_with("presentations-mail-intro", &[("count", count.into())]),
            lines.join("\n"),
            crate::language::t("presentations-mail-attached"),
            share_url(base, &row.token),
            share.agent.name,
            share.agency.name
        );
        let subject = match share.listings.as_slice() {
            [one] => format!("{}: {}", share.agency.name, one.property.title),
            many => t_with("presentations-mail-subject", &[("agency", share.agency.name.as_str().into()), ("count", many.len().into())]),
        };
        (subject, text)
    });
    let file_name = file_name(&share);
    mailer
        .send(crate::mailer::Mail {
            to_name: client.name.clone(),
            to_email: to.clone(),
            reply_to: Some((share.agent.name.clone(), share.agent.email.clone())),
            subject,
            text,
            attachment: Some(crate::mailer::Attachment { file_name, content_type: "application/pdf".into(), bytes: pdf }),
        })
        .await?;
    // Sent: on the timeline, and the client counts as answered. The mail is gone already,
    // so a failure to record it is logged rather than told as a failed send (which the agent
    // would retry, mailing the client twice).
    let agency_language = Language::stored(&share.agency.language).unwrap_or_default();
    let entry = agency_language.t_with("presentations-mailed-entry", &[("to", to.as_str().into())]);
    if let Err(err) = record_sent(db, actor, &d, ActivityKind::Email, &entry, None).await {
        tracing::error!(error = %err, deal_id = d.id, "a presentation was e-mailed but not recorded on the timeline");
    }
    state.notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("presentations-event-emailed").with("name", actor.name.as_str()) });
    Ok(to)
}

/// Records that the agent sent a presentation's link on WhatsApp (the button opens WhatsApp
/// with the link written in; this puts it on the deal's timeline).
pub async fn record_whatsapp(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, id: i64) -> Result<(), AppError> {
    let row = presentation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(deal_id) = row.deal_id else { return Err(AppError::Conflict(crate::language::t("presentations-not-for-a-client"))) };
    let d = deal::Entity::find_by_id(deal_id).one(db).await?.ok_or(AppError::NotFound)?;
    crate::deals::service::may_edit(actor, &d)?;
    let titles = titles(db, row.id).await?;
    let agency_language = crate::language::of_agency(db).await?;
    let entry = agency_language.t_with("presentations-whatsapp-entry", &[("titles", titles.join("; ").into())]);
    record_sent(db, actor, &d, ActivityKind::Whatsapp, &entry, None).await?;
    notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("presentations-event-sent-on-whatsapp").with("name", actor.name.as_str()) });
    Ok(())
}

/// Puts a message sent to the client on the deal's timeline (`kind` is the channel), and
/// counts it as answering the lead. `external_id` is the channel's id of a message sent
/// through it (a Cloud API message id), whose delivery statuses come back to this entry.
pub(crate) async fn record_sent(db: &DatabaseConnection, actor: &Actor, d: &deal::Model, kind: ActivityKind, body: &str, external_id: Option<&str>) -> Result<(), AppError> {
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    activity::ActiveModel {
        deal_id: Set(Some(d.id)),
        contact_id: Set(d.contact_id),
        kind: Set(kind),
        direction: Set(crate::deals::Direction::Out),
        author_id: Set(actor.user_id),
        body: Set(body.into()),
        occurred_at: Set(now),
        created_at: Set(now),
        external_id: Set(external_id.map(str::to_owned)),
        delivery: Set(external_id.map(|_| "sent".to_owned())),
        ..Default::default()
    }
    .insert(&write.txn)
    .await?;
    let mut touch = deal::Entity::update_many().col_expr(deal::Column::UpdatedAt, Expr::value(now)).filter(deal::Column::Id.eq(d.id));
    if d.first_response_at.is_none() {
        touch = touch.col_expr(deal::Column::FirstResponseAt, Expr::value(now));
    }
    touch.exec(&write.txn).await?;
    write.txn.commit().await?;
    Ok(())
}

/// Ends a share link for good. Its maker, the deal's editors and managers may.
pub async fn revoke(db: &DatabaseConnection, notifier: &Notifier, actor: &Actor, id: i64) -> Result<(), AppError> {
    let row = presentation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let deal = match row.deal_id {
        Some(deal_id) => deal::Entity::find_by_id(deal_id).one(db).await?,
        None => None,
    };
    let allowed = actor.manager
        || actor.user_id == Some(row.created_by)
        || deal.as_ref().is_some_and(|d| crate::deals::service::may_edit(actor, d).is_ok());
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if row.revoked_at.is_none() {
        presentation::Entity::update_many()
            .col_expr(presentation::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(presentation::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    if let Some(d) = deal {
        notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: actor.user_id, what: Text::new("presentations-event-revoked").with("name", actor.name.as_str()) });
    }
    Ok(())
}

/// A listing with its photos, as the share page and the PDF show it.
pub struct SharedListing {
    pub property: property::Model,
    pub photos: Vec<property_photo::Model>,
}

/// Everything a share link shows.
pub struct Share {
    pub presentation: presentation::Model,
    pub listings: Vec<SharedListing>,
    pub agent: user::Model,
    pub agency: agency::Model,
    pub client: Option<contact::Model>,
}

impl Share {
    /// The language its reader reads: the client's (the one their form was read in), else the
    /// agency's.
    pub fn language(&self) -> Language {
        self.client.as_ref().and_then(|c| c.language.as_deref()).and_then(Language::stored).or_else(|| Language::stored(&self.agency.language)).unwrap_or_default()
    }
}

/// Why a share link shows nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    Unknown,
    Revoked,
    Expired,
}

/// The presentation behind a share link, if the link still works.
pub async fn open(db: &DatabaseConnection, token: &str) -> Result<Result<Share, Closed>, AppError> {
    if !plausible_token(token) {
        return Ok(Err(Closed::Unknown));
    }
    let Some(row) = presentation::Entity::find().filter(presentation::Column::Token.eq(token)).one(db).await? else {
        return Ok(Err(Closed::Unknown));
    };
    if row.revoked_at.is_some() {
        return Ok(Err(Closed::Revoked));
    }
    if row.expires_at.is_some_and(|at| at <= Utc::now()) {
        return Ok(Err(Closed::Expired));
    }
    let mut listings = Vec::new();
    for property in self::listings(db, row.id).await? {
        let photos = crate::properties::photos::rows(db, property.id).await?;
        listings.push(SharedListing { property, photos });
    }
    let agent = user::Entity::find_by_id(row.created_by).one(db).await?.ok_or(AppError::NotFound)?;
    let agency = match agency::Entity::find().one(db).await? {
        Some(agency) => agency,
        None => {
            crate::agency::ensure(db, "UTC").await?;
            agency::Entity::find().one(db).await?.ok_or(AppError::Internal)?
        }
    };
    let client = client_of(db, &row).await?;
    Ok(Ok(Share { presentation: row, listings, agent, agency, client }))
}

fn label(list: &[(&'static str, &'static str)], code: &str) -> String {
    Some(crate::properties::label(list, code)).filter(|l| !l.is_empty()).unwrap_or_else(|| code.to_owned())
}

/// "€350,000" or "€1,200 a month".
pub fn price_text(p: &property::Model) -> String {
    let money = crate::deals::money(p.price, &p.currency);
    if p.operation == "rent" { crate::language::t_with("presentations-pdf-per-month", &[("price", money.into())]) } else { money }
}

/// "Flat for sale", "House to rent".
pub fn kind_text(p: &property::Model) -> String {
    let kind = label(crate::properties::TYPES, &p.property_type);
    let key = if p.operation == "rent" { "presentations-pdf-kind-rent" } else { "presentations-pdf-kind-sale" };
    crate::language::t_with(key, &[("kind", kind.into())])
}

pub fn place_text(p: &property::Model) -> String {
    [p.area.as_str(), p.city.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
}

/// The key facts, labelled, leaving out what the listing does not say.
pub fn facts(p: &property::Model) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    let mut add = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            facts.push((label.to_owned(), value));
        }
    };
    add(&crate::language::t("presentations-pdf-bedrooms"), p.bedrooms.map(|n| n.to_string()));
    add(&crate::language::t("presentations-pdf-bathrooms"), p.bathrooms.map(|n| n.to_string()));
    add(&crate::language::t("presentations-pdf-built"), p.built_m2.map(|n| format!("{n} m²")));
    add(&crate::language::t("presentations-pdf-plot"), p.plot_m2.map(|n| format!("{n} m²")));
    add(&crate::language::t("presentations-pdf-year"), p.year_built.map(|n| n.to_string()));
    add(&crate::language::t("presentations-pdf-energy"), p.energy_rating.clone());
    add(&crate::language::t("presentations-pdf-status"), Some(label(crate::properties::STATUSES, &p.status)));
    facts
}

/// Price per built m², rounded to whole currency units; money stays integer throughout.
pub fn price_per_m2(p: &property::Model) -> Option<String> {
    let m2 = i64::from(p.built_m2.filter(|m| *m > 0)?);
    let per = (p.price + m2 / 2) / m2;
    let per = (per + 50) / 100 * 100;
    Some(format!("{} / m²", crate::deals::money(per, &p.currency)))
}

/// The comparison table's cells, in [`pdf::COMPARED`] order.
pub fn compared(p: &property::Model) -> Vec<String> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    vec![
        price_text(p),
        or_dash(price_per_m2(p)),
        or_dash(p.bedrooms.map(|n| n.to_string())),
        or_dash(p.bathrooms.map(|n| n.to_string())),
        or_dash(p.built_m2.map(|n| format!("{n} m²"))),
        or_dash(p.plot_m2.map(|n| format!("{n} m²"))),
        or_dash(p.energy_rating.clone()),
        place_text(p),
    ]
}

/// The PDF of a share, its photos read from storage.
pub async fn brochure(media: &dyn Storage, share: &Share, base: &str) -> Result<Brochure, AppError> {
    let mut listings = Vec::with_capacity(share.listings.len());
    for shared in &share.listings {
        let p = &shared.property;
        let mut photos = Vec::with_capacity(shared.photos.len());
        for photo in &shared.photos {
            // A photo whose file is missing is left out rather than failing the brochure.
            if let Some(jpeg) = media.get(&photo.display_key).await? {
                photos.push(Photo { jpeg: Arc::new(jpeg), width: photo.width as u32, height: photo.height as u32 });
            }
        }
        listings.push(Listing {
            title: p.title.clone(),
            reference: p.reference.clone(),
            price: price_text(p),
            kind: kind_text(p),
            place: place_text(p),
            facts: facts(p),
            description: p.description.clone(),
            features: p.features.lines().map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect(),
            photos,
            compared: compared(p),
        });
    }
    let logo = match &share.agency.logo_key {
        Some(key) => match media.get(key).await? {
            Some(jpeg) => image::load_from_memory(&jpeg).ok().map(|i| Photo { jpeg: Arc::new(jpeg), width: i.width(), height: i.height() }),
            None => None,
        },
        None => None,
    };
    let tz: chrono_tz::Tz = share.agency.time_zone.parse().unwrap_or(chrono_tz::UTC);
    Ok(Brochure {
        agency: share.agency.name.clone(),
        color: pdf::color(&share.agency.brand_color),
        logo,
        client: share.client.as_ref().map(|c| c.name.clone()),
        agent: AgentCard {
            name: share.agent.name.clone(),
            phone: share.agent.phone.clone(),
            email: Some(share.agent.email.clone()),
            whatsapp: share.agent.phone.clone(),
        },
        share_url: share_url(base, &share.presentation.token),
        date: crate::language::current().date(share.presentation.created_at.with_timezone(&tz).date_naive(), "date-long"),
        paper: Paper::parse(&share.presentation.paper).unwrap_or(Paper::A4),
        listings,
    })
}

/// PDFs rendered at once across the server; more wait their turn rather than starve pages.
static RENDERING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The share's PDF. Its turn is taken before the photos are read, so waiting requests hold
/// no photos, and the turn goes with the rendering even if the client leaves.
pub async fn render(media: &dyn Storage, share: &Share, base: &str) -> Result<Vec<u8>, AppError> {
    let turn = RENDERING.acquire().await.map_err(|_| AppError::Internal)?;
    let language = share.language();
    let brochure = crate::language::for_reader(language.clone(), brochure(media, share, base)).await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        crate::language::for_reader_now(language, || pdf::render(&brochure))
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "rendering a presentation stopped");
        AppError::Internal
    })
}

/// "ALT-001.pdf", or "<agency> selection.pdf" for a shortlist: ASCII only, for every mail
/// client and download folder.
pub fn file_name(share: &Share) -> String {
    let stem = match share.listings.as_slice() {
        [one] => one.property.reference.clone(),
        _ => format!("{} selection", share.agency.name),
    };
    let clean: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let clean = clean.trim_matches('-');
    format!("{}.pdf", if clean.is_empty() { "presentation" } else { clean })
}

/// The client's first name, as greetings use it.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// Link-preview fetchers, crawlers and prefetches: they open links nobody has read yet.
pub fn is_bot(user_agent: Option<&str>, purpose: Option<&str>) -> bool {
    if purpose.is_some_and(|p| p.to_ascii_lowercase().contains("prefetch") || p.to_ascii_lowercase().contains("preview")) {
        return true;
    }
    let Some(agent) = user_agent.map(str::to_ascii_lowercase).filter(|a| !a.trim().is_empty()) else { return true };
    const BOTS: &[&str] = &[
        "whatsapp", "facebookexternalhit", "facebot", "meta-externalagent", "twitterbot", "telegrambot", "slackbot", "slack-imgproxy",
        "linkedinbot", "discordbot", "skypeuripreview", "applebot", "googlebot", "bingbot", "duckduckbot", "yandex", "baiduspider",
        "pinterest", "embedly", "iframely", "viber", "kakaotalk-scrap", "outlook", "microsoft office", "curl/", "wget/",
        "python-requests", "headlesschrome/", "go-http-client",
    ];
    // Generic words only as whole words: "bot" must not catch a phone called "CUBOT".
    const WORDS: &[&str] = &["bot", "crawler", "spider", "preview", "scanner"];
    BOTS.iter().any(|b| agent.contains(b)) || agent.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| WORDS.contains(&w))
}

/// Counts a client's open of a share link. A new visit (none in the last
/// [`SAME_VISIT_MINUTES`]) goes on the deal's timeline, tells the agent and the deal's owner
/// live, and proposes a call now unless one is already due soon.
pub async fn record_view(db: &DatabaseConnection, notifier: &Notifier, presentation_id: i64) -> Result<(), AppError> {
    let now = Utc::now();
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let row = presentation::Entity::find_by_id(presentation_id).one(txn).await?.ok_or(AppError::NotFound)?;
    let new_visit = row.last_viewed_at.is_none_or(|at| now - at >= Duration::minutes(SAME_VISIT_MINUTES));
    // Counted with the row's own value, so two opens at once both count.
    let mut update = presentation::Entity::update_many()
        .col_expr(presentation::Column::ViewCount, Expr::col(presentation::Column::ViewCount).add(1))
        .col_expr(presentation::Column::LastViewedAt, Expr::value(now))
        .filter(presentation::Column::Id.eq(presentation_id));
    if !new_visit {
        // Within a visit the count grows; the visit's start stays.
        update = presentation::Entity::update_many()
            .col_expr(presentation::Column::ViewCount, Expr::col(presentation::Column::ViewCount).add(1))
            .filter(presentation::Column::Id.eq(presentation_id));
    } else if let Some(last) = row.last_viewed_at {
        // Another request started this visit between our read and now: leave it to that one.
        update = update.filter(presentation::Column::LastViewedAt.eq(last));
    } else {
        update = update.filter(presentation::Column::LastViewedAt.is_null());
    }
    let counted = update.exec(txn).await?.rows_affected == 1;
    if !counted {
        // Another open started this visit a moment ago: this one still counts as an open.
        presentation::Entity::update_many()
            .col_expr(presentation::Column::ViewCount, Expr::col(presentation::Column::ViewCount).add(1))
            .filter(presentation::Column::Id.eq(presentation_id))
            .exec(txn)
            .await?;
    }
    let Some(deal_id) = row.deal_id.filter(|_| new_visit && counted) else {
        write.txn.commit().await?;
        return Ok(());
    };
    let Some(d) = deal::Entity::find_by_id(deal_id).one(txn).await? else {
        write.txn.commit().await?;
        return Ok(());
    };
    let client = contact::Entity::find_by_id(d.contact_id).one(txn).await?;
    let name = client.as_ref().map(|c| c.name.clone()).filter(|n| !n.trim().is_empty());
    let titles = titles(txn, row.id).await?;
    // What the listings are called, and who opened them, in `lang`.
    let what = |lang: &Language| if titles.len() == 1 { titles[0].clone() } else { lang.t_with("presentations-listings-count", &[("count", titles.len().into())]) };
    let who = |lang: &Language, first: bool| match &name {
        Some(name) if first => first_name(name).to_owned(),
        Some(name) => name.clone(),
        None => lang.t("presentations-the-client"),
    };
    let agency_language = crate::language::of_agency(txn).await?;
    activity::ActiveModel {
        deal_id: Set(Some(d.id)),
        contact_id: Set(d.contact_id),
        kind: Set(crate::deals::ActivityKind::PresentationViewed),
        direction: Set(crate::deals::Direction::In),
        author_id: Set(None),
        body: Set(agency_language.t_with("presentations-opened-entry", &[("client", who(&agency_language, false).into()), ("what", what(&agency_language).into())])),
        occurred_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut told = vec![row.created_by];
    if let Some(owner) = d.owner_id.filter(|o| *o != row.created_by) {
        told.push(owner);
    }
    let mut notices: Vec<Notice> = Vec::new();
    for user_id in &told {
        let lang = crate::language::of_user(txn, *user_id).await?;
        let title = lang.t_with("presentations-opened-notice", &[("client", who(&lang, true).into())]);
        notices.push(crate::notifications::service::create(txn, *user_id, crate::notifications::NoticeKind::PresentationViewed, &title, &what(&lang), Some(d.id)).await?);
    }
    // The proposed follow-up: a call, due now, for whoever owns the deal, unless a follow-up
    // is already due within the hour. Marked delivered: the notice above already told them.
    let assignee = d.owner_id.unwrap_or(row.created_by);
    let soon = reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(d.id))
        .filter(reminder::Column::State.eq(crate::reminders::State::Pending))
        .filter(reminder::Column::DueAt.lte(now + Duration::hours(1)))
        .count(txn)
        .await?;
    if soon == 0 {
        let lang = crate::language::of_user(txn, assignee).await?;
        reminder::ActiveModel {
            deal_id: Set(d.id),
            assignee_id: Set(assignee),
            created_by: Set(None),
            title: Set(lang.t_with("presentations-call-back", &[("client", who(&lang, true).into())])),
            kind: Set(crate::reminders::Kind::Call),
            due_at: Set(now),
            state: Set(crate::reminders::State::Pending),
            delivered_at: Set(Some(now)),
            late: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    write.txn.commit().await?;
    notifier.publish(notices);
    notifier.deal_changed(DealChange { deal_id: d.id, version: d.version, by_user_id: None, what: match &name {
        Some(name) => Text::new("presentations-opened-event").with("client", name.as_str()),
        None => Text::new("presentations-opened-event-no-name"),
    } });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_previews_are_not_views() {
        let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert!(!is_bot(Some(phone), None));
        assert!(is_bot(Some("WhatsApp/2.23.20.0 A"), None));
        assert!(is_bot(Some("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"), None));
        assert!(is_bot(Some("TelegramBot (like TwitterBot)"), None));
        assert!(is_bot(Some("Slackbot-LinkExpanding 1.0"), None));
        assert!(is_bot(None, None));
        assert!(is_bot(Some("Mozilla/5.0 (compatible; SomeCrawler bot 1.0)"), None));
        assert!(!is_bot(Some("Mozilla/5.0 (Linux; Android 12; CUBOT KINGKONG 7) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"), None));
        assert!(is_bot(Some(phone), Some("prefetch")));
    }

    #[test]
    fn tokens_are_long_and_url_safe() {
        let t = token();
        assert!(plausible_token(&t), "{t}");
        assert_ne!(t, token());
        assert!(!plausible_token("short"));
        assert!(!plausible_token(&"a/".repeat(22)[..43]));
    }
}
