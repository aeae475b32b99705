//! The capture rules: one person is one contact, a returning lead joins its open deal, a
//! resubmission creates nothing, and every new lead has an owner who is told at once.

use crate::notifications::NoticeKind;
use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use super::normalize::ValidLead;
use crate::language::Language;
use super::{Accepted, Assignment, FormSettings, FormSummary, Need, NewLead, Outcome};
use crate::auth::{Role, SessionUser};
use crate::db::entities::{activity, capture_form, capture_submission, contact, deal, notification, stage, user};
use crate::error::{AppError, Validator};
use crate::notifications::Notice;

/// The same content from the same form within this window is one lead.
pub const RESUBMISSION_MINUTES: i64 = 10;

pub async fn find_form(db: &impl ConnectionTrait, slug: &str) -> Result<capture_form::Model, AppError> {
    capture_form::Entity::find()
        .filter(capture_form::Column::Slug.eq(slug.to_ascii_lowercase()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub fn settings_of(row: &capture_form::Model) -> FormSettings {
    FormSettings {
        slug: row.slug.clone(),
        title: row.title.clone(),
        intro: row.intro.clone(),
        show_message: row.show_message,
        show_budget: row.show_budget,
        show_move_in: row.show_move_in,
        show_property_ref: row.show_property_ref,
        show_consent: row.show_consent,
        consent_text: row.consent_text.clone(),
        default_need: Need::parse(&row.default_need).unwrap_or(Need::Buy),
        currency: row.currency.clone(),
        assignment: Assignment::parse(&row.assignment).unwrap_or(Assignment::RoundRobin),
        fixed_agent_id: row.fixed_agent_id,
        thank_you_text: row.thank_you_text.clone(),
        redirect_url: row.redirect_url.clone(),
        embed_sites: row.embed_sites.split_whitespace().map(str::to_owned).collect(),
        active: row.active,
        language: row.language.clone(),
    }
}

/// What identifies a submission's content: a double tap or a resubmission hashes the same.
pub(super) fn fingerprint(form_id: i64, lead: &ValidLead) -> String {
    let parts = [
        form_id.to_string(),
        lead.name.to_lowercase(),
        lead.phone.clone().unwrap_or_default(),
        lead.email.clone().unwrap_or_default(),
        lead.need.as_str().to_owned(),
        lead.message.clone().unwrap_or_default(),
        format!("{:?}-{:?}", lead.budget_min, lead.budget_max),
        lead.move_in.clone().unwrap_or_default(),
        lead.property_ref.clone().unwrap_or_default(),
    ];
    let digest = Sha256::digest(parts.join("\u{1f}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// What one submission came to inside its transaction.
pub(super) enum Step {
    Done(Accepted, Vec<Notice>),
    /// The same content was submitted moments ago (or a twin committed first): roll this
    /// transaction back and answer with the earlier submission.
    Seen,
}

/// Accepts one validated submission inside `txn`. The caller commits, publishes the notices
/// after the commit, and on `Seen` rolls back and answers with [`resubmission`].
pub(super) async fn accept(
    txn: &impl ConnectionTrait,
    form: &capture_form::Model,
    lead: &ValidLead,
    print: &str,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Step, AppError> {
    let settings = settings_of(form);
    // Counting first also takes the form's row lock, so on PostgreSQL concurrent submissions
    // to one form queue here instead of interleaving their locks (which could deadlock).
    // A resubmission rolls back, and with it this count.
    count_received(txn, form.id, 1).await?;

    let seen = capture_submission::Entity::find().filter(capture_submission::Column::Fingerprint.eq(print)).one(txn).await?;
    match seen {
        Some(seen) if seen.created_at > now - Duration::minutes(RESUBMISSION_MINUTES) => return Ok(Step::Seen),
        // The same content long ago is a new inquiry; its old fingerprint makes way.
        Some(old) => {
            capture_submission::Entity::delete_by_id(old.id).exec(txn).await?;
        }
        None => {}
    }

    let (contact, known) = find_or_create_contact(txn, form, lead, now).await?;
    let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(txn).await?;
    // A brand-new contact has no deals: skip looking for an open one or a previous owner.
    let open_deal = if known { open_deal_of(txn, &stages, contact.id).await? } else { None };
    let (deal, outcome) = match open_deal {
        Some(deal) => (deal, Outcome::ReturningLead),
        None => {
            let owner = choose_owner(txn, &settings, known.then_some(contact.id), lead.property_ref.as_deref(), now).await?;
            let row = deal_row(form, lead, source, contact.id, owner, first_open_stage(&stages)?, now);
            let deal = row.insert(txn).await?;
            start_plans(txn, form, &stages, &deal, now).await?;
            (deal, Outcome::NewLead)
        }
    };
    let language = crate::language::of_agency(txn).await?;
    inquiry_row(deal.id, contact.id, lead, &form.title, &language, now).insert(txn).await?;

    let inserted = capture_submission::Entity::insert(submission_row(form.id, print, deal.id, contact.id, outcome, now))
        .on_conflict(OnConflict::column(capture_submission::Column::Fingerprint).do_nothing().to_owned())
        .exec(txn)
        .await;
    match inserted {
        Ok(_) => {}
        // A twin of this submission committed first (PostgreSQL): ours makes way for theirs.
        Err(DbErr::RecordNotInserted) => return Ok(Step::Seen),
        Err(err) => return Err(err.into()),
    }

    if outcome == Outcome::ReturningLead {
        count_duplicate(txn, form.id, 1).await?;
    }
    let recipients = match deal.owner_id {
        Some(owner) => vec![owner],
        None => managers(txn).await?,
    };
    let mut notices = Vec::with_capacity(recipients.len());
    for row in notice_rows(&deal, &contact, outcome, &form.title, &recipients, &language, now) {
        let row = row.insert(txn).await?;
        notices.push(Notice::from(row));
    }
    Ok(Step::Done(Accepted { outcome, contact_id: contact.id, deal_id: deal.id, owner_id: deal.owner_id }, notices))
}

/// Starts the follow-up plans a new deal gets, in the transaction that creates it: its
/// form's and its first stage's. An unassigned deal has nobody to remind yet.
pub(super) async fn start_plans(
    txn: &impl ConnectionTrait,
    form: &capture_form::Model,
    stages: &[stage::Model],
    deal: &deal::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let stage_plan = stages.iter().find(|s| s.id == deal.stage_id).and_then(|s| s.plan_id);
    if let Some(owner) = deal.owner_id {
        for plan_id in form.plan_id.into_iter().chain(stage_plan) {
            crate::plans::service::start(txn, plan_id, deal, owner, None, now).await?;
        }
    }
    Ok(())
}

/// The answer to content submitted again within minutes: what the first submission created.
/// Counted as a duplicate; nothing new is created.
pub(super) async fn resubmission(db: &impl ConnectionTrait, print: &str) -> Result<Accepted, AppError> {
    let seen = capture_submission::Entity::find()
        .filter(capture_submission::Column::Fingerprint.eq(print))
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let owner_id = deal::Entity::find_by_id(seen.deal_id).one(db).await?.and_then(|d| d.owner_id);
    if let Some(form_id) = seen.form_id {
        count_duplicate(db, form_id, 1).await?;
    }
    Ok(Accepted { outcome: Outcome::Resubmission, contact_id: seen.contact_id, deal_id: seen.deal_id, owner_id })
}

pub(super) fn first_open_stage(stages: &[stage::Model]) -> Result<i64, AppError> {
    stages
        .iter()
        .find(|s| s.kind == crate::deals::StageKind::Open)
        .map(|s| s.id)
        .ok_or_else(|| AppError::Conflict(crate::language::t("forms-pipeline-has-no-open-stage")))
}

/// A new contact as the prospect described themselves. WhatsApp defaults to the phone.
pub(super) fn contact_row(form: &capture_form::Model, lead: &ValidLead, now: DateTime<Utc>) -> contact::ActiveModel {
    contact::ActiveModel {
        name: Set(lead.name.clone()),
        phone: Set(lead.phone.clone()),
        email: Set(lead.email.clone()),
        whatsapp: Set(lead.phone.clone()),
        language: Set(lead.language.clone()),
        marketing_consent: Set(lead.consent),
        consent_at: Set(lead.consent.then_some(now)),
        consent_text: Set(lead.consent.then(|| form.consent_text.clone())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    // Written here as well as on save: fresh leads are inserted many at a time.
    .searchable()
}

pub(super) fn submission_row(
    form_id: i64,
    print: &str,
    deal_id: i64,
    contact_id: i64,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> capture_submission::ActiveModel {
    capture_submission::ActiveModel {
        fingerprint: Set(print.to_owned()),
        form_id: Set(Some(form_id)),
        deal_id: Set(deal_id),
        contact_id: Set(contact_id),
        outcome: Set(outcome.as_str().into()),
        created_at: Set(now),
        ..Default::default()
    }
}

pub(super) fn inquiry_row(deal_id: i64, contact_id: i64, lead: &ValidLead, form_title: &str, language: &Language, now: DateTime<Utc>) -> activity::ActiveModel {
    activity::ActiveModel {
        deal_id: Set(Some(deal_id)),
        contact_id: Set(contact_id),
        kind: Set(crate::deals::ActivityKind::Inquiry),
        direction: Set(crate::deals::Direction::In),
        author_id: Set(None),
        body: Set(inquiry_text(lead, form_title, language)),
        occurred_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
}

/// The contact with this phone, else this e-mail, else a new one. The unique indexes on phone
/// and e-mail decide races: a concurrent twin's insert does nothing and we read theirs.
/// Returns the contact and whether they were known before.
async fn find_or_create_contact(
    txn: &impl ConnectionTrait,
    form: &capture_form::Model,
    lead: &ValidLead,
    now: DateTime<Utc>,
) -> Result<(contact::Model, bool), AppError> {
    if let Some(found) = find_contact(txn, lead).await? {
        return Ok((fill_in(txn, found, form, lead, now).await?, true));
    }
    let row = contact_row(form, lead, now);
    match contact::Entity::insert(row).on_conflict(OnConflict::new().do_nothing().to_owned()).exec_with_returning(txn).await {
        Ok(created) => Ok((created, false)),
        // A concurrent twin created them first (PostgreSQL): theirs is ours.
        Err(DbErr::RecordNotInserted | DbErr::RecordNotFound(_)) => {
            let found = find_contact(txn, lead).await?.ok_or(AppError::Internal)?;
            Ok((fill_in(txn, found, form, lead, now).await?, true))
        }
        Err(err) => Err(err.into()),
    }
}

/// The contact with this phone, else the one with this e-mail (one query for both).
async fn find_contact(db: &impl ConnectionTrait, lead: &ValidLead) -> Result<Option<contact::Model>, DbErr> {
    let mut matches = sea_orm::Condition::any();
    if let Some(phone) = &lead.phone {
        matches = matches.add(contact::Column::Phone.eq(phone));
    }
    if let Some(email) = &lead.email {
        matches = matches.add(contact::Column::Email.eq(email));
    }
    let found = contact::Entity::find().filter(matches).all(db).await?;
    let by_phone = found.iter().position(|c| c.phone.is_some() && c.phone == lead.phone);
    Ok(match by_phone {
        Some(i) => found.into_iter().nth(i),
        None => found.into_iter().next(),
    })
}

/// Adds what a returning contact told us that we did not know (a phone, an e-mail, consent),
/// unless another contact already holds that phone or e-mail.
async fn fill_in(
    db: &impl ConnectionTrait,
    found: contact::Model,
    form: &capture_form::Model,
    lead: &ValidLead,
    now: DateTime<Utc>,
) -> Result<contact::Model, AppError> {
    let new_phone = match (&found.phone, &lead.phone) {
        (None, Some(phone)) if contact::Entity::find().filter(contact::Column::Phone.eq(phone)).one(db).await?.is_none() => Some(phone.clone()),
        _ => None,
    };
    let new_email = match (&found.email, &lead.email) {
        (None, Some(email)) if contact::Entity::find().filter(contact::Column::Email.eq(email)).one(db).await?.is_none() => Some(email.clone()),
        _ => None,
    };
    let gives_consent = lead.consent && !found.marketing_consent;
    if new_phone.is_none() && new_email.is_none() && !gives_consent {
        return Ok(found);
    }
    let mut row: contact::ActiveModel = found.clone().into();
    if let Some(phone) = new_phone {
        if found.whatsapp.is_none() {
            row.whatsapp = Set(Some(phone.clone()));
        }
        row.phone = Set(Some(phone));
    }
    if let Some(email) = new_email {
        row.email = Set(Some(email));
    }
    if gives_consent {
        row.marketing_consent = Set(true);
        row.consent_at = Set(Some(now));
        row.consent_text = Set(Some(form.consent_text.clone()));
    }
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}

async fn open_deal_of(db: &impl ConnectionTrait, stages: &[stage::Model], contact_id: i64) -> Result<Option<deal::Model>, DbErr> {
    let open_stages: Vec<i64> = stages.iter().filter(|s| s.kind == crate::deals::StageKind::Open).map(|s| s.id).collect();
    deal::Entity::find()
        .filter(deal::Column::ContactId.eq(contact_id))
        .filter(deal::Column::StageId.is_in(open_stages))
        .order_by_desc(deal::Column::CreatedAt)
        .one(db)
        .await
}

pub(super) fn available(u: &user::Model) -> bool {
    u.disabled_at.is_none() && !u.away
}

/// The new deal's owner: the contact's previous owner if still available, else the form's
/// rule. `None` when nobody is available; managers are then told.
async fn choose_owner(
    db: &impl ConnectionTrait,
    settings: &FormSettings,
    known_contact: Option<i64>,
    property_ref: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let previous = match known_contact {
        Some(contact_id) => deal::Entity::find()
            .filter(deal::Column::ContactId.eq(contact_id))
            .filter(deal::Column::OwnerId.is_not_null())
            .order_by_desc(deal::Column::CreatedAt)
            .one(db)
            .await?
            .and_then(|d| d.owner_id),
        None => None,
    };
    if let Some(owner_id) = previous
        && user::Entity::find_by_id(owner_id).one(db).await?.is_some_and(|u| available(&u)) {
            return Ok(Some(owner_id));
        }
    if settings.assignment == Assignment::Fixed
        && let Some(agent_id) = settings.fixed_agent_id
            && user::Entity::find_by_id(agent_id).one(db).await?.is_some_and(|u| available(&u)) {
                return Ok(Some(agent_id));
            }
    if settings.assignment == Assignment::ListingAgent
        && let Some(agent_id) = listing_agents(db, property_ref).await?.into_values().next() {
            return Ok(Some(agent_id));
        }
    // No listing named, or its agent is away: round robin.
    next_in_turn(db, now).await
}

/// The available listing agents of the listings these references name (as typed on a
/// form, any case), by upper-cased reference.
pub(super) async fn listing_agents<'a>(
    db: &impl ConnectionTrait,
    refs: impl IntoIterator<Item = &'a str>,
) -> Result<HashMap<String, i64>, AppError> {
    use crate::db::entities::property;
    let refs: Vec<String> = refs.into_iter().map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty()).collect();
    if refs.is_empty() {
        return Ok(HashMap::new());
    }
    let listings = property::Entity::find()
        .filter(Expr::expr(sea_orm::sea_query::Func::upper(Expr::col(property::Column::Reference))).is_in(refs))
        .filter(property::Column::ListingAgentId.is_not_null())
        .all(db)
        .await?;
    let agent_ids: Vec<i64> = listings.iter().filter_map(|p| p.listing_agent_id).collect();
    let agents: HashMap<i64, user::Model> =
        user::Entity::find().filter(user::Column::Id.is_in(agent_ids)).all(db).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(listings
        .into_iter()
        .filter_map(|p| {
            let agent = agents.get(&p.listing_agent_id?)?;
            available(agent).then(|| (p.reference.to_uppercase(), agent.id))
        })
        .collect())
}

/// Round robin: the available agent who least recently got a lead. The claim is a
/// compare-and-set on `last_assigned_at`, so two concurrent leads never take the same turn
/// (on PostgreSQL the loser re-reads and takes the next agent).
pub async fn next_in_turn(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Option<i64>, AppError> {
    for _ in 0..8 {
        let agents = user::Entity::find().filter(user::Column::Role.eq(Role::Agent.as_str())).all(db).await?;
        let Some((next, claimed_at)) = Turns::new(&agents).next(now) else { return Ok(None) };
        let previous = agents.iter().find(|u| u.id == next).and_then(|u| u.last_assigned_at);
        let mut claim = user::Entity::update_many()
            .col_expr(user::Column::LastAssignedAt, Expr::value(claimed_at))
            .filter(user::Column::Id.eq(next));
        claim = match previous {
            Some(previous) => claim.filter(user::Column::LastAssignedAt.eq(previous)),
            None => claim.filter(user::Column::LastAssignedAt.is_null()),
        };
        if claim.exec(db).await?.rows_affected == 1 {
            return Ok(Some(next));
        }
    }
    Err(AppError::Unavailable(crate::language::t("forms-too-many-leads-at-once")))
}

/// The round-robin order of the available agents, advanced in memory: the agent who least
/// recently got a lead goes next (never-assigned agents first, ids break ties).
pub(super) struct Turns {
    /// (last assigned, agent id) of each available agent.
    agents: Vec<(Option<DateTime<Utc>>, i64)>,
    latest: Option<DateTime<Utc>>,
    /// Agents whose turn was taken here, with the time it was stamped.
    pub claimed: Vec<(i64, DateTime<Utc>)>,
}

impl Turns {
    pub(super) fn new(users: &[user::Model]) -> Turns {
        let agents: Vec<_> =
            users.iter().filter(|u| u.role == Role::Agent.as_str() && available(u)).map(|u| (u.last_assigned_at, u.id)).collect();
        let latest = users.iter().filter_map(|u| u.last_assigned_at).max();
        Turns { agents, latest, claimed: Vec::new() }
    }

    /// Takes the next turn. A turn is always stamped after every earlier turn, even when this
    /// request's clock reading is older than a concurrent one's; otherwise one agent could go
    /// twice.
    pub(super) fn next(&mut self, now: DateTime<Utc>) -> Option<(i64, DateTime<Utc>)> {
        let slot = self.agents.iter_mut().min_by_key(|(at, id)| (at.is_some(), *at, *id))?;
        let claimed_at = match self.latest {
            Some(latest) if latest >= now => latest + Duration::microseconds(1),
            _ => now,
        };
        slot.0 = Some(claimed_at);
        self.latest = Some(claimed_at);
        self.claimed.retain(|(id, _)| *id != slot.1);
        self.claimed.push((slot.1, claimed_at));
        Some((slot.1, claimed_at))
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn deal_row(
    form: &capture_form::Model,
    lead: &ValidLead,
    source: &str,
    contact_id: i64,
    owner_id: Option<i64>,
    stage_id: i64,
    now: DateTime<Utc>,
) -> deal::ActiveModel {
    let [utm_source, utm_medium, utm_campaign, utm_term, utm_content] = lead.utm.clone();
    deal::ActiveModel {
        contact_id: Set(contact_id),
        need: Set(lead.need.as_str().into()),
        budget_min: Set(lead.budget_min),
        budget_max: Set(lead.budget_max),
        currency: Set(form.currency.clone()),
        areas: Set(None),
        bedrooms: Set(None),
        property_ref: Set(lead.property_ref.clone()),
        move_in: Set(lead.move_in.clone()),
        owner_id: Set(owner_id),
        stage_id: Set(stage_id),
        source: Set(source.chars().take(120).collect()),
        form_id: Set(Some(form.id)),
        utm_source: Set(utm_source),
        utm_medium: Set(utm_medium),
        utm_campaign: Set(utm_campaign),
        utm_term: Set(utm_term),
        utm_content: Set(utm_content),
        referrer: Set(lead.referrer.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        first_response_at: Set(None),
        closed_at: Set(None),
        version: Set(1),
        stage_entered_at: Set(Some(now)),
        ..Default::default()
    }
}

/// The inquiry as the agent reads it on the timeline, in the agency's language (the timeline is
/// the team's shared record, written once).
fn inquiry_text(lead: &ValidLead, form_title: &str, language: &Language) -> String {
    let need = language.t(&format!("capture-inquiry-{}", lead.need.as_str()));
    let mut lines = vec![language.t_with("capture-inquiry", &[("form", form_title.into()), ("need", need.into())])];
    if let Some(message) = &lead.message {
        lines.push(message.clone());
    }
    if let Some(reference) = &lead.property_ref {
        lines.push(language.t_with("capture-inquiry-property", &[("reference", reference.as_str().into())]));
    }
    if let Some(date) = &lead.move_in {
        lines.push(language.t_with("capture-inquiry-move-in", &[("date", date.to_string().into())]));
    }
    lines.join("\n")
}

pub(super) async fn count_received(db: &impl ConnectionTrait, form_id: i64, n: i64) -> Result<(), DbErr> {
    capture_form::Entity::update_many()
        .col_expr(capture_form::Column::ReceivedCount, Expr::col(capture_form::Column::ReceivedCount).add(n))
        .filter(capture_form::Column::Id.eq(form_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn count_duplicate(db: &impl ConnectionTrait, form_id: i64, n: i64) -> Result<(), DbErr> {
    capture_form::Entity::update_many()
        .col_expr(capture_form::Column::DuplicateCount, Expr::col(capture_form::Column::DuplicateCount).add(n))
        .filter(capture_form::Column::Id.eq(form_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A blocked submission: counted, never shown as a lead.
pub async fn count_spam(db: &DatabaseConnection, form_id: i64) -> Result<(), AppError> {
    capture_form::Entity::update_many()
        .col_expr(capture_form::Column::SpamCount, Expr::col(capture_form::Column::SpamCount).add(1))
        .filter(capture_form::Column::Id.eq(form_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Who hears of a lead nobody could take: every active manager and admin.
pub(crate) async fn managers(db: &impl ConnectionTrait) -> Result<Vec<i64>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Manager.as_str(), Role::Admin.as_str()]))
        .filter(user::Column::DisabledAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// The notifications that tell `recipients` of a new or returning lead, in the agency's
/// language.
pub(super) fn notice_rows(
    deal: &deal::Model,
    contact: &contact::Model,
    outcome: Outcome,
    form_title: &str,
    recipients: &[i64],
    language: &Language,
    now: DateTime<Utc>,
) -> Vec<notification::ActiveModel> {
    let key = match (outcome, deal.owner_id.is_some()) {
        (Outcome::ReturningLead, true) => "capture-notice-returning",
        (Outcome::ReturningLead, false) => "capture-notice-returning-unassigned",
        (_, true) => "capture-notice-new",
        (_, false) => "capture-notice-new-unassigned",
    };
    let kind = if outcome == Outcome::ReturningLead { NoticeKind::ReturningLead } else { NoticeKind::NewLead };
    let title = language.t_with(key, &[("name", contact.name.as_str().into())]);
    let reach = contact.phone.as_deref().or(contact.email.as_deref()).unwrap_or("");
    let body = format!("{reach} · {}", language.t_with("capture-notice-via", &[("form", form_title.into())]));
    recipients
        .iter()
        .map(|&user_id| notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind),
            title: Set(title.clone()),
            body: Set(body.clone()),
            deal_id: Set(Some(deal.id)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        })
        .collect()
}

/// Leads nobody has answered yet: the viewer's own, or everyone's for a manager.
pub async fn new_leads(db: &DatabaseConnection, viewer: &SessionUser) -> Result<Vec<NewLead>, AppError> {
    let now = Utc::now();
    let mut query = deal::Entity::find()
        .filter(deal::Column::FirstResponseAt.is_null())
        .filter(deal::Column::ClosedAt.is_null())
        .order_by_asc(deal::Column::CreatedAt);
    if !viewer.role.includes(Role::Manager) {
        query = query.filter(deal::Column::OwnerId.eq(viewer.id));
    }
    let deals = query.find_also_related(contact::Entity).all(db).await?;
    let owners: Vec<user::Model> = user::Entity::find().all(db).await?;
    Ok(deals
        .into_iter()
        .filter_map(|(d, c)| c.map(|c| (d, c)))
        .map(|(d, c)| NewLead {
            deal_id: d.id,
            contact_name: c.name,
            phone: c.phone,
            need: Need::parse(&d.need).unwrap_or(Need::Buy),
            source: d.source,
            // An agent's list holds only their own leads; the owner matters to managers.
            owner_name: d
                .owner_id
                .filter(|_| viewer.role.includes(Role::Manager))
                .and_then(|id| owners.iter().find(|u| u.id == id).map(|u| u.name.clone())),
            waiting_minutes: (now - d.created_at).num_minutes(),
        })
        .collect())
}

/// Every form with its counts, for the admin.
pub async fn list_forms(db: &DatabaseConnection, base_url: &str) -> Result<Vec<FormSummary>, AppError> {
    let rows = capture_form::Entity::find().order_by_asc(capture_form::Column::Title).all(db).await?;
    Ok(rows.iter().map(|row| summary_of(row, base_url)).collect())
}

pub fn summary_of(row: &capture_form::Model, base_url: &str) -> FormSummary {
    FormSummary {
        id: row.id,
        settings: settings_of(row),
        received: row.received_count,
        duplicates: row.duplicate_count,
        spam_blocked: row.spam_count,
        url: format!("{}/f/{}", base_url.trim_end_matches('/'), row.slug),
    }
}

/// Validates a form's settings as an admin typed them.
pub fn validate_settings(settings: &FormSettings) -> Result<FormSettings, AppError> {
    let mut v = Validator::default();
    let slug = settings.slug.trim().to_ascii_lowercase();
    let slug_ok = (2..=60).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !slug_ok {
        v.add("slug", crate::language::t("forms-use-a-slug"));
    }
    let title = settings.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 120 {
        v.add("title", crate::language::t("forms-give-the-form-a-title"));
    }
    if settings.intro.chars().count() > 2000 {
        v.add("intro", crate::language::t("forms-keep-the-introduction-under"));
    }
    if settings.show_consent && settings.consent_text.trim().is_empty() {
        v.add("consent_text", crate::language::t("forms-write-the-consent-wording"));
    }
    let currency = settings.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        v.add("currency", crate::language::t("forms-use-a-currency-code"));
    }
    if settings.assignment == Assignment::Fixed && settings.fixed_agent_id.is_none() {
        v.add("fixed_agent_id", crate::language::t("forms-choose-the-agent"));
    }
    let redirect = settings.redirect_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    if let Some(url) = &redirect
        && (!(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace)) {
            v.add("redirect_url", crate::language::t("forms-use-a-full-address"));
        }
    let mut embed_sites: Vec<String> = Vec::new();
    for site in settings.embed_sites.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match site_origin(site) {
            Some(origin) if !embed_sites.contains(&origin) => embed_sites.push(origin),
            Some(_) => {}
            None => v.add(
                "embed_sites",
                crate::language::t_with("forms-not-a-site-address", &[("site", site.into())]),
            ),
        }
    }
    if embed_sites.len() > MAX_EMBED_SITES {
        v.add("embed_sites", crate::language::t_with("forms-list-at-most-sites", &[("max", MAX_EMBED_SITES.into())]));
    }
    v.finish()?;
    Ok(FormSettings { slug, title, currency, redirect_url: redirect, embed_sites, ..settings.clone() })
}

const MAX_EMBED_SITES: usize = 20;

/// A site's origin as browsers compare it in `frame-ancestors`: scheme and host (with a
/// port, and `*.` for every subdomain), lower case, no path. None for anything else.
pub fn site_origin(site: &str) -> Option<String> {
    let site = site.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = site.split_once("://")?;
    if !matches!(scheme, "https" | "http") || rest.is_empty() {
        return None;
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok_and(|p| p > 0) && port.chars().all(|c| c.is_ascii_digit()) => (host, Some(port)),
        _ => (rest, None),
    };
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if bare.is_empty() || !bare.split('.').all(label_ok) {
        return None;
    }
    Some(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// Creates (`id` None) or updates a form. A taken slug is a validation error on the slug.
pub async fn save_form(db: &DatabaseConnection, id: Option<i64>, settings: &FormSettings) -> Result<capture_form::Model, AppError> {
    let s = validate_settings(settings)?;
    if let Some(agent_id) = s.fixed_agent_id {
        user::Entity::find_by_id(agent_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::field("fixed_agent_id", crate::language::t("forms-agent-does-not-exist")))?;
    }
    let now = Utc::now();
    let mut row = match id {
        Some(id) => capture_form::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?.into(),
        None => capture_form::ActiveModel { created_at: Set(now), ..Default::default() },
    };
    row.slug = Set(s.slug.clone());
    row.title = Set(s.title.clone());
    row.intro = Set(s.intro.trim().to_owned());
    row.show_message = Set(s.show_message);
    row.show_budget = Set(s.show_budget);
    row.show_move_in = Set(s.show_move_in);
    row.show_property_ref = Set(s.show_property_ref);
    row.show_consent = Set(s.show_consent);
    row.consent_text = Set(s.consent_text.trim().to_owned());
    row.default_need = Set(s.default_need.as_str().into());
    row.currency = Set(s.currency.clone());
    row.assignment = Set(s.assignment.as_str().into());
    row.fixed_agent_id = Set(s.fixed_agent_id);
    row.thank_you_text = Set(s.thank_you_text.trim().to_owned());
    row.redirect_url = Set(s.redirect_url.clone());
    row.embed_sites = Set(s.embed_sites.join(" "));
    row.active = Set(s.active);
    row.language = Set(s.language.clone());
    row.updated_at = Set(now);
    let saved = if id.is_some() { row.update(db).await } else { row.insert(db).await };
    saved.map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::field("slug", crate::language::t("forms-another-form-uses-this-address")),
        _ => AppError::from(err),
    })
}

#[cfg(test)]
mod tests {
    use super::site_origin;

    #[test]
    fn a_site_is_kept_as_the_origin_browsers_compare() {
        assert_eq!(site_origin(" HTTPS://www.Costa-Homes.es/ ").as_deref(), Some("https://www.costa-homes.es"));
        assert_eq!(site_origin("https://*.costa-homes.es").as_deref(), Some("https://*.costa-homes.es"));
        assert_eq!(site_origin("http://localhost:8080").as_deref(), Some("http://localhost:8080"));
        let bad_ones = [
            "costa-homes.es",
            "https://costa-homes.es/contact",
            "javascript:alert(1)",
            "https://",
            "ftp://costa-homes.es",
            "https://a b.es",
            "'self'",
            "*",
            // Nothing that would end the directive or add another source.
            "https://a.es; script-src *",
            "https://a.es,https://b.es",
            "https://a.es:99999",
            "https://a.es:",
        ];
        for bad in bad_ones {
            assert_eq!(site_origin(bad), None, "{bad}");
        }
    }
}
