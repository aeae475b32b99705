//! Where every submission enters: validation, then the capture rules in one transaction.
//!
//! On PostgreSQL each submission has its own transaction and many run at once. SQLite has a
//! single writer, so there one writer task takes the submissions that queued while it was
//! busy and stores them together (group commit): the write lock, the commit and the reads
//! they share (stages, agents, known contacts, earlier fingerprints) are paid once per batch,
//! and leads from new contacts are written with one multi-row statement per table. Anything
//! else in the batch (a returning contact, a resubmission, two leads with one phone) takes
//! the one-at-a-time path, in its own savepoint, after them. Every submission gets its answer
//! only after the commit that holds it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use super::normalize::{self, ValidLead};
use super::service::{self, Step, Turns};
use super::{Accepted, Assignment, LeadInput, Outcome};
use crate::auth::Role;
use crate::language::Language;
use crate::db::entities::{activity, capture_form, capture_submission, contact, deal, notification, stage, user};
use crate::error::AppError;
use crate::notifications::Notice;
use crate::notifications::service::Notifier;

/// The most submissions one SQLite transaction takes.
const MAX_BATCH: usize = 64;

/// Accepts lead submissions from forms, the API and the demo.
#[derive(Clone)]
pub struct Intake {
    db: DatabaseConnection,
    notifier: Notifier,
    /// The SQLite writer's queue; `None` on PostgreSQL.
    queue: Option<mpsc::Sender<Job>>,
}

struct Job {
    form: capture_form::Model,
    lead: ValidLead,
    print: String,
    source: String,
    at: DateTime<Utc>,
    reply: oneshot::Sender<Result<Accepted, AppError>>,
}

impl Intake {
    /// Must be called inside a tokio runtime: on SQLite it starts the writer task, which ends
    /// when the last clone of this intake is dropped.
    pub fn new(db: DatabaseConnection, notifier: Notifier) -> Intake {
        let queue = (db.get_database_backend() == DatabaseBackend::Sqlite).then(|| {
            let (sender, receiver) = mpsc::channel(4096);
            tokio::spawn(write_batches(db.clone(), notifier.clone(), receiver));
            sender
        });
        Intake { db, notifier, queue }
    }

    /// Validates `input` against `form` (phones read in `region`) and stores the lead.
    /// A lead that got `Ok` is committed and its owner has been told.
    pub async fn submit(
        &self,
        form: &capture_form::Model,
        input: &LeadInput,
        region: &str,
        source: &str,
    ) -> Result<Accepted, AppError> {
        self.submit_in(form, input, region, source, &Language::english()).await
    }

    /// As [`Intake::submit`], with what needs fixing said in `language` (the form page's).
    pub async fn submit_in(
        &self,
        form: &capture_form::Model,
        input: &LeadInput,
        region: &str,
        source: &str,
        language: &Language,
    ) -> Result<Accepted, AppError> {
        let accepted = self.store(form, input, region, source, language).await?;
        crate::metrics::lead_captured(source, accepted.outcome.as_str());
        Ok(accepted)
    }

    async fn store(&self, form: &capture_form::Model, input: &LeadInput, region: &str, source: &str, language: &Language) -> Result<Accepted, AppError> {
        let settings = service::settings_of(form);
        let lead = normalize::validate(input, settings.default_need, region, language)?;
        let print = service::fingerprint(form.id, &lead);
        let at = Utc::now();
        let Some(queue) = &self.queue else {
            let txn = self.db.begin().await?;
            return match service::accept(&txn, form, &lead, &print, source, at).await? {
                Step::Done(accepted, notices) => {
                    txn.commit().await?;
                    self.notifier.publish(notices);
                    Ok(accepted)
                }
                Step::Seen => {
                    txn.rollback().await?;
                    service::resubmission(&self.db, &print).await
                }
            };
        };
        let (reply, answer) = oneshot::channel();
        let job = Job { form: form.clone(), lead, print, source: source.to_owned(), at, reply };
        queue.send(job).await.map_err(|_| AppError::Internal)?;
        answer.await.map_err(|_| AppError::Internal)?
    }
}

/// The SQLite writer: waits for a submission, takes whatever else has queued meanwhile, and
/// stores them in one transaction.
async fn write_batches(db: DatabaseConnection, notifier: Notifier, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        match store_batch(&db, &jobs).await {
            Ok(results) => {
                for (job, (result, notices)) in jobs.into_iter().zip(results) {
                    notifier.publish(notices);
                    let _ = job.reply.send(result);
                }
            }
            Err(err) => {
                tracing::error!(error = ?err, submissions = jobs.len(), "a batch of lead submissions could not be stored");
                // A full disk or a database gone away is told as such: try again later.
                for job in jobs {
                    let answer = match &err {
                        outage @ (AppError::Outage(_) | AppError::Unavailable(_)) => outage.clone(),
                        _ => AppError::Internal,
                    };
                    let _ = job.reply.send(Err(answer));
                }
            }
        }
    }
}

type Answer = (Result<Accepted, AppError>, Vec<Notice>);

/// Stores `jobs` in one transaction and returns each one's answer, in order. An error here
/// means nothing of the batch was committed.
async fn store_batch(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Answer>, AppError> {
    let write = crate::db::begin_write(db).await?;
    let txn = &write.txn;
    let mut answers: Vec<Option<Answer>> = jobs.iter().map(|_| None).collect();

    let fresh = fresh_leads(txn, jobs).await?;
    if !fresh.is_empty() {
        let savepoint = txn.begin().await?;
        match store_fresh(&savepoint, jobs, &fresh).await {
            Ok(stored) => {
                savepoint.commit().await?;
                for (i, answer) in fresh.iter().zip(stored) {
                    answers[*i] = Some(answer);
                }
            }
            // Whatever went wrong, the one-at-a-time path below gives each lead its own answer.
            Err(err) => {
                tracing::warn!(error = ?err, "multi-row capture failed; storing the batch one lead at a time");
                savepoint.rollback().await?;
            }
        }
    }

    for (job, answer) in jobs.iter().zip(answers.iter_mut()) {
        if answer.is_none() {
            *answer = Some(store_one(txn, job).await?);
        }
    }
    write.txn.commit().await?;
    Ok(answers.into_iter().map(|a| a.unwrap_or((Err(AppError::Internal), Vec::new()))).collect())
}

/// One submission in its own savepoint, so its failure leaves the rest of the batch intact.
async fn store_one(txn: &DatabaseTransaction, job: &Job) -> Result<Answer, AppError> {
    let savepoint = txn.begin().await?;
    match service::accept(&savepoint, &job.form, &job.lead, &job.print, &job.source, job.at).await {
        Ok(Step::Done(accepted, notices)) => {
            savepoint.commit().await?;
            Ok((Ok(accepted), notices))
        }
        Ok(Step::Seen) => {
            savepoint.rollback().await?;
            Ok((service::resubmission(txn, &job.print).await, Vec::new()))
        }
        Err(err) => {
            savepoint.rollback().await?;
            Ok((Err(err), Vec::new()))
        }
    }
}

/// The positions of the jobs that are new people with new content: no stored fingerprint, no
/// known contact, and no phone, e-mail or content shared with an earlier job of the batch.
async fn fresh_leads(txn: &DatabaseTransaction, jobs: &[Job]) -> Result<Vec<usize>, AppError> {
    let prints: Vec<&str> = jobs.iter().map(|j| j.print.as_str()).collect();
    let seen: HashSet<String> = capture_submission::Entity::find()
        .filter(capture_submission::Column::Fingerprint.is_in(prints))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| s.fingerprint)
        .collect();
    let phones: Vec<&str> = jobs.iter().filter_map(|j| j.lead.phone.as_deref()).collect();
    let emails: Vec<&str> = jobs.iter().filter_map(|j| j.lead.email.as_deref()).collect();
    // Only non-empty lists in the condition: an empty IN is a constant false, and `OR false`
    // stops SQLite from using the two unique indexes (it would scan every contact).
    let mut matches = sea_orm::Condition::any();
    if !phones.is_empty() {
        matches = matches.add(contact::Column::Phone.is_in(phones));
    }
    if !emails.is_empty() {
        matches = matches.add(contact::Column::Email.is_in(emails));
    }
    let known = contact::Entity::find().filter(matches).all(txn).await?;
    let mut taken: HashSet<String> = known.into_iter().flat_map(|c| [c.phone, c.email]).flatten().collect();
    let mut prints_so_far = HashSet::new();
    let mut fresh = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let keys: Vec<&String> = job.lead.phone.iter().chain(job.lead.email.iter()).collect();
        let is_fresh = !seen.contains(&job.print) && !prints_so_far.contains(job.print.as_str()) && keys.iter().all(|k| !taken.contains(*k));
        // Later jobs with this phone, e-mail or content meet this one as known.
        taken.extend(keys.into_iter().cloned());
        prints_so_far.insert(job.print.as_str());
        if is_fresh {
            fresh.push(i);
        }
    }
    Ok(fresh)
}

/// Stores the fresh leads with one multi-row insert per table: contacts, deals, inquiries,
/// fingerprints, notifications, then the round-robin stamps and form counters.
async fn store_fresh(txn: &DatabaseTransaction, jobs: &[Job], fresh: &[usize]) -> Result<Vec<Answer>, AppError> {
    let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(txn).await?;
    let stage_id = service::first_open_stage(&stages)?;
    let users = user::Entity::find().all(txn).await?;
    let mut turns = Turns::new(&users);
    let managers: Vec<i64> = users
        .iter()
        .filter(|u| u.disabled_at.is_none() && (u.role == Role::Manager.as_str() || u.role == Role::Admin.as_str()))
        .map(|u| u.id)
        .collect();

    let rows = fresh.iter().map(|&i| service::contact_row(&jobs[i].form, &jobs[i].lead, jobs[i].at));
    let contacts = contact::Entity::insert_many(rows).exec_with_returning(txn).await?;
    // Rows come back in no promised order: match them by phone, else e-mail (unique here).
    let key = |phone: &Option<String>, email: &Option<String>| phone.clone().or_else(|| email.clone());
    let contact_of: HashMap<String, contact::Model> = contacts.into_iter().filter_map(|c| Some((key(&c.phone, &c.email)?, c))).collect();
    let contact_for = |job: &Job| contact_of.get(&key(&job.lead.phone, &job.lead.email)?);

    let by_listing = fresh.iter().map(|&i| &jobs[i]).filter(|job| job.form.assignment == Assignment::ListingAgent.as_str());
    let listing_agents = service::listing_agents(txn, by_listing.filter_map(|job| job.lead.property_ref.as_deref())).await?;
    let mut deal_rows = Vec::with_capacity(fresh.len());
    for &i in fresh {
        let job = &jobs[i];
        let contact = contact_for(job).ok_or(AppError::Internal)?;
        let fixed = job.form.fixed_agent_id.filter(|_| job.form.assignment == Assignment::Fixed.as_str());
        let fixed = fixed.filter(|id| users.iter().any(|u| u.id == *id && service::available(u)));
        let listing = job
            .lead
            .property_ref
            .as_deref()
            .filter(|_| job.form.assignment == Assignment::ListingAgent.as_str())
            .and_then(|r| listing_agents.get(&r.trim().to_uppercase()).copied());
        let owner = fixed.or(listing).or_else(|| turns.next(job.at).map(|(id, _)| id));
        deal_rows.push(service::deal_row(&job.form, &job.lead, &job.source, contact.id, owner, stage_id, job.at));
    }
    let deals = deal::Entity::insert_many(deal_rows).exec_with_returning(txn).await?;
    let deal_of: HashMap<i64, deal::Model> = deals.into_iter().map(|d| (d.contact_id, d)).collect();

    let language = crate::language::of_agency(txn).await?;
    let mut inquiries = Vec::with_capacity(fresh.len());
    let mut submissions = Vec::with_capacity(fresh.len());
    let mut notice_rows = Vec::with_capacity(fresh.len());
    let mut answers = Vec::with_capacity(fresh.len());
    for &i in fresh {
        let job = &jobs[i];
        let contact = contact_for(job).ok_or(AppError::Internal)?;
        let deal = deal_of.get(&contact.id).ok_or(AppError::Internal)?;
        service::start_plans(txn, &job.form, &stages, deal, job.at).await?;
        inquiries.push(service::inquiry_row(deal.id, contact.id, &job.lead, &job.form.title, &language, job.at));
        submissions.push(service::submission_row(job.form.id, &job.print, deal.id, contact.id, Outcome::NewLead, job.at));
        let recipients = match deal.owner_id {
            Some(owner) => vec![owner],
            None => managers.clone(),
        };
        notice_rows.extend(service::notice_rows(deal, contact, Outcome::NewLead, &job.form.title, &recipients, &language, job.at));
        answers.push(Accepted { outcome: Outcome::NewLead, contact_id: contact.id, deal_id: deal.id, owner_id: deal.owner_id });
    }
    activity::Entity::insert_many(inquiries).exec_without_returning(txn).await?;
    capture_submission::Entity::insert_many(submissions).exec_without_returning(txn).await?;
    let mut notices_by_deal: HashMap<i64, Vec<Notice>> = HashMap::new();
    if !notice_rows.is_empty() {
        for row in notification::Entity::insert_many(notice_rows).exec_with_returning(txn).await? {
            notices_by_deal.entry(row.deal_id.unwrap_or_default()).or_default().push(crate::notifications::Notice::from(row));
        }
    }

    for (agent, at) in &turns.claimed {
        user::Entity::update_many()
            .col_expr(user::Column::LastAssignedAt, Expr::value(*at))
            .filter(user::Column::Id.eq(*agent))
            .exec(txn)
            .await?;
    }
    let mut per_form: HashMap<i64, i64> = HashMap::new();
    for &i in fresh {
        *per_form.entry(jobs[i].form.id).or_default() += 1;
    }
    for (form_id, n) in per_form {
        service::count_received(txn, form_id, n).await?;
    }

    Ok(answers
        .into_iter()
        .map(|accepted| {
            let notices = notices_by_deal.remove(&accepted.deal_id).unwrap_or_default();
            (Ok(accepted), notices)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveModelTrait, Database, TransactionTrait};
    use sea_orm_migration::MigratorTrait;

    use super::*;
    use crate::capture::FormSettings;

    async fn database() -> DatabaseConnection {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        migrations::Migrator::up(&db, None).await.unwrap();
        db
    }

    fn job(form: &capture_form::Model, name: &str, phone: &str, email: &str, message: &str) -> Job {
        let input = LeadInput {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            message: message.into(),
            ..Default::default()
        };
        let lead = normalize::validate(&input, super::super::Need::Buy, "ES", &Language::english()).unwrap();
        let print = service::fingerprint(form.id, &lead);
        Job { form: form.clone(), lead, print, source: "test".into(), at: Utc::now(), reply: oneshot::channel().0 }
    }

    #[tokio::test]
    async fn only_new_people_with_new_content_take_the_multi_row_path() {
        let db = database().await;
        let form = service::save_form(&db, None, &FormSettings::with_defaults("open-day", "Open day")).await.unwrap();
        let known = service::contact_row(&form, &job(&form, "Known", "+34 600 000 001", "", "x").lead, Utc::now());
        known.insert(&db).await.unwrap();
        let jobs = vec![
            job(&form, "New", "+34 600 000 010", "", "Hello"),
            job(&form, "Known", "+34 600 000 001", "", "Hello again"),
            job(&form, "New", "+34 600 000 010", "", "Hello"),
            job(&form, "New", "600 000 010", "", "Another question"),
            job(&form, "Mail", "", "mail@example.com", "Hi"),
            job(&form, "Mail", "+34 600 000 020", "Mail@Example.com", "Hi with a phone"),
            job(&form, "Other", "+34 600 000 030", "other@example.com", "Hi"),
        ];
        let txn = db.begin().await.unwrap();
        // 0 and 4 and 6 are new; 1 is known; 2 repeats 0; 3 shares 0's phone; 5 shares 4's e-mail.
        assert_eq!(fresh_leads(&txn, &jobs).await.unwrap(), vec![0, 4, 6]);
    }

    #[tokio::test]
    async fn a_batch_stores_each_lead_as_one_at_a_time_would() {
        let db = database().await;
        let form = service::save_form(&db, None, &FormSettings::with_defaults("open-day", "Open day")).await.unwrap();
        let jobs = vec![
            job(&form, "Ana", "+34 600 000 010", "", "Hello"),
            job(&form, "Ana", "+34 600 000 010", "", "Hello"),
            job(&form, "Ana", "+34 600 000 010", "", "A second question"),
            job(&form, "Ben", "", "ben@example.com", "Hi"),
        ];
        let answers = store_batch(&db, &jobs).await.unwrap();
        let outcomes: Vec<Outcome> = answers.iter().map(|(a, _)| a.as_ref().unwrap().outcome).collect();
        assert_eq!(outcomes, vec![Outcome::NewLead, Outcome::Resubmission, Outcome::ReturningLead, Outcome::NewLead]);
        let ana: Vec<i64> = answers[..3].iter().map(|(a, _)| a.as_ref().unwrap().deal_id).collect();
        assert!(ana.iter().all(|d| *d == ana[0]), "one deal for Ana: {ana:?}");
        let form = capture_form::Entity::find_by_id(form.id).one(&db).await.unwrap().unwrap();
        assert_eq!((form.received_count, form.duplicate_count), (3, 2));
        assert_eq!(activity::Entity::find().all(&db).await.unwrap().len(), 3);
    }
}
