//! `doorstep demo --deals N`: N more deals with lived-in histories, for trying the reports at
//! an agency's real size and for the benchmark. Each deal gets a contact, a path through the
//! stages (each move in the audit history and as a stay), a timeline of about ten entries and
//! its follow-ups; deals spread over the last three years, most of the old ones closed.
//!
//! Rows go in as multi-row INSERTs of a thousand deals per transaction, through the same
//! database triggers as every other write, so the report summaries come out exact.

use std::time::Instant;

use anyhow::{bail, Context};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryOrder, TransactionTrait};

use app::db::entities::{lost_reason, stage, user};

/// Deals per transaction.
const BATCH: u64 = 1000;
/// Deals spread over this many days back from now, by default.
pub const SPAN_DAYS: i64 = 3 * 365;

/// A small, fast, reproducible generator (SplitMix64).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len() as u64) as usize]
    }

    /// Minutes to a first answer: most within the hour, a long tail over days.
    fn answer_minutes(&mut self) -> i64 {
        match self.below(100) {
            0..=34 => self.below(5) as i64,
            35..=64 => 5 + self.below(55) as i64,
            65..=84 => 60 + self.below(6 * 60) as i64,
            85..=96 => 420 + self.below(2 * 1440) as i64,
            _ => 3 * 1440 + self.below(10 * 1440) as i64,
        }
    }
}

fn ts(t: DateTime<Utc>) -> String {
    format!("'{}'", t.to_rfc3339_opts(SecondsFormat::AutoSi, false))
}

fn opt_ts(t: Option<DateTime<Utc>>) -> String {
    t.map(ts).unwrap_or_else(|| "NULL".into())
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "NULL".into())
}

fn text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

const FIRST: &[&str] = &[
    "Marta", "Lucía", "Javier", "Pablo", "Sara", "Hugo", "Elena", "Daniel", "Laura", "Carlos", "Anna", "Peter", "Sophie", "James",
    "Ingrid", "Lars", "Claire", "Thomas", "Nadia", "Omar", "Giulia", "Luca", "Emma", "Noah",
];
const LAST: &[&str] = &[
    "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Smith", "Jones", "Müller", "Schmidt", "Dubois",
    "Rossi", "Jansen", "Andersson", "Nielsen", "Novak", "Kowalski", "Brown", "Moreau",
];
/// Sources with their share of leads, and the campaigns that run on them.
const SOURCES: &[(&str, u64, &[&str])] = &[
    ("form:contact", 30, &["", "", "spring-open-house", "newsletter"]),
    ("api:idealista", 28, &[""]),
    ("api:fotocasa", 17, &[""]),
    ("form:valuation", 10, &["", "sellers-autumn"]),
    ("referral", 8, &[""]),
    ("walk-in", 7, &[""]),
];
const AREAS: &[&str] = &["Altea", "Jávea", "Dénia", "Calpe", "Moraira", "Benidorm", "Alicante", "Villajoyosa"];
const NOTES: &[&str] = &[
    "Wants a terrace and sea views",
    "Needs parking for two cars",
    "Moving for work in spring",
    "Mortgage pre-approved",
    "Prefers a quiet street",
    "Second viewing with partner",
];

pub struct Summary {
    pub deals: u64,
    pub stage_changes: u64,
    pub activities: u64,
    pub reminders: u64,
    pub seconds: f64,
}

async fn next_id(db: &impl ConnectionTrait, table: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), format!("SELECT COALESCE(MAX(id), 0) FROM {table}")))
        .await?
        .context("no answer")?;
    Ok(row.try_get_by_index::<i64>(0)? + 1)
}

/// Adds `count` deals to a database that has its stages and staff (the demo's, or an agency's).
pub async fn generate(db: &DatabaseConnection, count: u64, seed: u64, span_days: i64, progress: bool) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(db).await?;
    let open: Vec<&stage::Model> = stages.iter().filter(|s| s.kind == app::deals::StageKind::Open).collect();
    let Some(won) = stages.iter().find(|s| s.kind == app::deals::StageKind::Won) else { bail!("the pipeline has no won stage") };
    let Some(lost) = stages.iter().find(|s| s.kind == app::deals::StageKind::Lost) else { bail!("the pipeline has no lost stage") };
    if open.is_empty() {
        bail!("the pipeline has no open stage");
    }
    let agents: Vec<i64> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.role == "agent" && u.disabled_at.is_none())
        .map(|u| u.id)
        .collect();
    if agents.is_empty() {
        bail!("there are no agents to own the deals; add some first (`doorstep demo` on an empty database)");
    }
    let mut reasons: Vec<String> = lost_reason::Entity::find().all(db).await?.into_iter().map(|r| r.name).collect();
    if reasons.is_empty() {
        reasons.push("Chose another agency".into());
    }
    let now = Utc::now();
    let mut dice = Dice(seed);
    let (mut contact_id, mut deal_id) = (next_id(db, "contacts").await?, next_id(db, "deals").await?);
    let (mut activity_id, mut change_id, mut reminder_id) =
        (next_id(db, "activities").await?, next_id(db, "deal_changes").await?, next_id(db, "reminders").await?);
    let mut stay_id = next_id(db, "deal_stays").await?;
    let mut summary = Summary { deals: 0, stage_changes: 0, activities: 0, reminders: 0, seconds: 0.0 };
    let total_weight: u64 = SOURCES.iter().map(|s| s.1).sum();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut contacts = Vec::new();
        let mut deals = Vec::new();
        let mut activities = Vec::new();
        let mut changes = Vec::new();
        let mut stays = Vec::new();
        let mut reminders = Vec::new();
        for i in 0..n {
            // Spread evenly over the span, newest last, with a little jitter.
            let back = (span_days * 86_400) as f64 * (1.0 - (done + i) as f64 / count as f64);
            let created = now - Duration::seconds(back as i64) - Duration::seconds(dice.below(3600) as i64);
            let owner = *dice.pick(&agents);
            let owner = if dice.chance(3) { None } else { Some(owner) };
            let mut w = dice.below(total_weight);
            let (source, campaigns) = SOURCES
                .iter()
                .find(|(_, weight, _)| {
                    if w < *weight {
                        true
                    } else {
                        w -= weight;
                        false
                    }
                })
                .map(|(s, _, c)| (*s, *c))
                .unwrap_or((SOURCES[0].0, SOURCES[0].2));
            let campaign = *dice.pick(campaigns);
            let need = *dice.pick(&["buy", "buy", "buy", "rent", "sell"]);
            // Prices to buy or sell; a monthly rent for renters.
            let budget = if need == "rent" { 700 + 50 * dice.below(50) as i64 } else { 120_000 + 10_000 * dice.below(60) as i64 };
            let name = format!("{} {}", dice.pick(FIRST), dice.pick(LAST));
            let phone = format!("+3468{:07}", contact_id % 10_000_000);
            contacts.push(format!(
                "({contact_id}, {}, {}, NULL, {}, FALSE, {}, {}, {})",
                text(&name),
                text(&phone),
                text(&phone),
                ts(created),
                ts(created),
                text(&app::search::contact_text(&name, None, Some(&phone)))
            ));
            // The path: how far it gets, then won, lost or still open (old deals mostly closed).
            let age_days = (now - created).num_days();
            let reach = {
                let mut r = 0;
                while r + 1 < open.len() && dice.chance([80, 60, 55, 45][r.min(3)]) {
                    r += 1;
                }
                r
            };
            // Old deals have mostly ended; a few linger open.
            let settles = age_days > 60 || dice.chance((age_days * 100 / 60).clamp(0, 100) as u64) || dice.chance(20);
            let outcome = if !settles {
                "open"
            } else if reach + 1 == open.len() && dice.chance(55) || reach >= 2 && dice.chance(18) {
                "won"
            } else if dice.chance(if age_days > 90 { 97 } else { 85 }) {
                "lost"
            } else {
                "open"
            };
            let answered = dice.chance(96).then(|| created + Duration::minutes(dice.answer_minutes()));
            let answered = answered.filter(|t| *t < now);
            // Stage moves, each a few days after the last.
            let mut at = answered.unwrap_or(created) + Duration::hours(1 + dice.below(48) as i64);
            let mut entered = created;
            let mut path: Vec<(&stage::Model, DateTime<Utc>)> = Vec::new();
            for (k, s) in open.iter().enumerate().take(reach + 1).skip(1) {
                path.push((s, at));
                at += Duration::hours(12 + dice.below(24 * 14) as i64);
                // Deals go back a step and on again: a second viewing, a renegotiated offer
                // (often enough for five stage changes per deal on average).
                if dice.chance(85) {
                    path.push((open[k - 1], at));
                    at += Duration::hours(12 + dice.below(24 * 7) as i64);
                    path.push((s, at));
                    at += Duration::hours(12 + dice.below(24 * 7) as i64);
                }
            }
            match outcome {
                "won" => path.push((won, at)),
                "lost" => path.push((lost, at)),
                _ => {}
            }
            path.retain(|(_, t)| *t < now);
            let final_stage = path.last().map(|(s, _)| *s).unwrap_or(open[0]);
            let closed_at = (final_stage.kind != app::deals::StageKind::Open).then(|| path.last().map(|p| p.1)).flatten();
            let won_value = (final_stage.kind == app::deals::StageKind::Won).then(|| budget * 100 - (budget / 50) * 100 * dice.below(4) as i64);
            let lost_reason = (final_stage.kind == app::deals::StageKind::Lost).then(|| dice.pick(&reasons).clone());
            let furthest = path.iter().filter(|(s, _)| s.kind != app::deals::StageKind::Lost).map(|(s, _)| s.position).max().unwrap_or(open[0].position);
            let stage_entered = path.last().map(|p| p.1).unwrap_or(created);
            let mut last_touch = answered.unwrap_or(created).max(stage_entered);
            // The timeline: the inquiry, the first answer, then calls and messages.
            let mut entries: Vec<(&str, &str, String, DateTime<Utc>)> =
                vec![("inquiry", "in", format!("Looking to {need} in {}", dice.pick(AREAS)), created)];
            if let Some(t) = answered {
                entries.push((*dice.pick(&["call", "whatsapp"]), "out", "First answer".into(), t));
            }
            let mut previous = open[0];
            let mut version = 1;
            for (s, t) in &path {
                version += 1;
                changes.push(format!(
                    "({change_id}, {deal_id}, {}, {version}, 'stage', {}, {}, {})",
                    opt(owner),
                    text(&previous.name),
                    text(&s.name),
                    ts(*t)
                ));
                change_id += 1;
                let days = (t.timestamp() - entered.timestamp()).max(0) / 86_400;
                stays.push(format!(
                    "({stay_id}, {deal_id}, {}, {}, {}, {}, {}, {days})",
                    previous.id,
                    owner.unwrap_or(0),
                    text(source),
                    ts(entered),
                    ts(*t)
                ));
                stay_id += 1;
                entries.push(("stage_change", "internal", format!("{} → {}", previous.name, s.name), *t));
                previous = s;
                entered = *t;
            }
            let extra = 4 + dice.below(6) as i64;
            let span = (closed_at.unwrap_or(now) - created).num_minutes().max(60);
            for _ in 0..extra {
                let t = created + Duration::minutes(dice.below(span as u64) as i64);
                let (kind, direction, body) = match dice.below(4) {
                    0 => ("call", "out", "Called: spoke".to_string()),
                    1 => ("whatsapp", "out", "WhatsApp sent".to_string()),
                    2 => ("whatsapp", "in", "Client replied on WhatsApp".to_string()),
                    _ => ("note", "internal", dice.pick(NOTES).to_string()),
                };
                entries.push((kind, direction, body, t));
                last_touch = last_touch.max(t);
            }
            for (kind, direction, body, t) in &entries {
                activities.push(format!(
                    "({activity_id}, {deal_id}, {contact_id}, {}, {}, {}, {}, {}, {})",
                    text(kind),
                    text(direction),
                    opt(owner.filter(|_| *direction != "in")),
                    text(body),
                    ts(*t),
                    ts(*t)
                ));
                activity_id += 1;
            }
            // Follow-ups: done ones along the way; open deals have one pending (a few overdue).
            for k in 0..(1 + dice.below(2)) {
                let due = created + Duration::hours(24 * (k as i64 + 1) + dice.below(48) as i64);
                if due >= now {
                    continue;
                }
                let assignee = owner.unwrap_or(agents[0]);
                reminders.push(format!(
                    "({reminder_id}, {deal_id}, {assignee}, {assignee}, 'Call back', 'call', {}, 'done', {}, FALSE, {}, {}, {})",
                    ts(due),
                    ts(due),
                    ts(due + Duration::minutes(dice.below(240) as i64)),
                    ts(created),
                    ts(due)
                ));
                reminder_id += 1;
            }
            if final_stage.kind == app::deals::StageKind::Open {
                let assignee = owner.unwrap_or(agents[0]);
                let due = if dice.chance(6) { now - Duration::hours(1 + dice.below(72) as i64) } else { now + Duration::hours(1 + dice.below(24 * 10) as i64) };
                reminders.push(format!(
                    "({reminder_id}, {deal_id}, {assignee}, {assignee}, 'Follow up', 'call', {}, 'pending', NULL, FALSE, NULL, {}, {})",
                    ts(due),
                    ts(created),
                    ts(created)
                ));
                reminder_id += 1;
            }
            let updated = last_touch.min(now);
            deals.push(format!(
                "({deal_id}, {contact_id}, {}, {}, {}, 'EUR', {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {version}, {}, {}, {}, {furthest})",
                text(need),
                budget * 100 - (budget / 10) * 100,
                budget * 100,
                text(dice.pick::<&str>(AREAS)),
                opt(owner),
                final_stage.id,
                text(source),
                if campaign.is_empty() { "NULL".into() } else { text(campaign) },
                ts(created),
                ts(updated),
                opt_ts(answered),
                opt_ts(closed_at),
                opt(won_value),
                lost_reason.as_deref().map(text).unwrap_or_else(|| "NULL".into()),
                ts(stage_entered),
                if source.starts_with("form:") { text(if campaign.is_empty() { "organic" } else { "email" }) } else { "NULL".into() },
                if source.starts_with("form:") { text("website") } else { "NULL".into() },
            ));
            summary.stage_changes += path.len() as u64;
            summary.activities += entries.len() as u64;
            deal_id += 1;
            contact_id += 1;
        }
        summary.reminders += reminders.len() as u64;
        let txn = db.begin().await?;
        let insert = |table: &str, columns: &str, rows: &[String], per: usize| {
            rows.chunks(per).map(|chunk| format!("INSERT INTO {table} ({columns}) VALUES {}", chunk.join(", "))).collect::<Vec<_>>()
        };
        let mut statements = insert(
            "contacts",
            "id, name, phone, email, whatsapp, marketing_consent, created_at, updated_at, search",
            &contacts,
            500,
        );
        statements.extend(insert(
            "deals",
            "id, contact_id, need, budget_min, budget_max, currency, areas, owner_id, stage_id, source, utm_campaign, created_at, updated_at, \
             first_response_at, closed_at, won_value, lost_reason, version, stage_entered_at, utm_medium, utm_source, furthest_position",
            &deals,
            500,
        ));
        statements.extend(insert("deal_changes", "id, deal_id, user_id, version, field, old_value, new_value, changed_at", &changes, 1000));
        statements.extend(insert("deal_stays", "id, deal_id, stage_id, owner_id, source, entered_at, left_at, days", &stays, 1000));
        statements.extend(insert(
            "activities",
            "id, deal_id, contact_id, kind, direction, author_id, body, occurred_at, created_at",
            &activities,
            1000,
        ));
        statements.extend(insert(
            "reminders",
            "id, deal_id, assignee_id, created_by, title, kind, due_at, state, delivered_at, late, completed_at, created_at, updated_at",
            &reminders,
            1000,
        ));
        for sql in statements {
            txn.execute_unprepared(&sql).await.with_context(|| format!("{}…", &sql[..sql.len().min(200)]))?;
        }
        txn.commit().await?;
        done += n;
        summary.deals = done;
        if progress && (done % 50_000 == 0 || done == count) {
            println!("  {done} deals ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // Ids were given explicitly; the sequences move past them.
        for table in ["contacts", "deals", "deal_changes", "deal_stays", "activities", "reminders"] {
            db.execute_unprepared(&format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")).await?;
        }
        db.execute_unprepared("ANALYZE").await?;
    } else {
        db.execute_unprepared("ANALYZE").await?;
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
