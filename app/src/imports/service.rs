//! Imports kept and run: an upload is kept aside (`csv_uploads`) until its uploader has mapped
//! the columns and confirmed; the check and the import run the same code, the import in one
//! transaction, so it writes every valid row or (when asked, or on any error) none.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::table::{self, Directory, Moment, Row};
use super::{ColumnView, Field, ImportReport, UploadView};
use crate::auth::SessionUser;
use crate::db::entities::{activity, capture_form, contact, csv_upload, deal, stage, user};
use crate::error::AppError;

/// Uploads nobody confirmed are dropped after this.
const KEEP_HOURS: i64 = 24;
const NOTE: &str = "Imported note: ";
/// The most problems and matches listed; the counts stay whole.
const LISTED: usize = 500;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::field("file", message)
}

/// Keeps an upload for its mapping screen; refuses, saying why, anything that is not a CSV.
pub async fn stage(db: &DatabaseConnection, viewer: &SessionUser, file_name: &str, bytes: Vec<u8>) -> Result<String, AppError> {
    let _memory = crate::common::GiveBackMemory;
    table::read(&bytes).map_err(invalid)?;
    let now = Utc::now();
    csv_upload::Entity::delete_many().filter(csv_upload::Column::CreatedAt.lt(now - Duration::hours(KEEP_HOURS))).exec(db).await?;
    let token = crate::auth::session::new_token();
    // Stored without reading the row back: the file may be 10 MB.
    csv_upload::Entity::insert(csv_upload::ActiveModel {
        token: Set(token.clone()),
        user_id: Set(viewer.id),
        file_name: Set(file_name.chars().take(200).collect()),
        data: Set(bytes),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(token)
}

async fn upload_of(db: &DatabaseConnection, viewer: &SessionUser, token: &str) -> Result<csv_upload::Model, AppError> {
    csv_upload::Entity::find()
        .filter(csv_upload::Column::Token.eq(token))
        .filter(csv_upload::Column::UserId.eq(viewer.id))
        .filter(csv_upload::Column::CreatedAt.gt(Utc::now() - Duration::hours(KEEP_HOURS)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Gone(crate::language::t("imports-upload-is-gone")))
}

/// The upload's columns, a few values of each, and the field each seems to hold.
pub async fn view(db: &DatabaseConnection, viewer: &SessionUser, token: &str) -> Result<UploadView, AppError> {
    let _memory = crate::common::GiveBackMemory;
    let upload = upload_of(db, viewer, token).await?;
    let grid = table::read(&upload.data).map_err(invalid)?;
    let guessed = table::guess(&grid.header);
    let columns = grid
        .header
        .iter()
        .enumerate()
        .map(|(i, header)| ColumnView {
            header: if header.is_empty() { format!("Column {}", i + 1) } else { header.clone() },
            samples: grid.rows.iter().map(|r| r[i].trim()).filter(|v| !v.is_empty()).take(3).map(|v| v.chars().take(60).collect()).collect(),
            field: guessed[i].map(|f| f.as_str().to_owned()).unwrap_or_default(),
        })
        .collect();
    let delimiter = match grid.delimiter {
        b';' => "semicolon",
        b'\t' => "tab",
        _ => "comma",
    };
    Ok(UploadView { token: token.to_owned(), file_name: upload.file_name, encoding: grid.encoding.into(), delimiter: delimiter.into(), rows: grid.rows.len(), columns })
}

async fn directory(db: &impl ConnectionTrait) -> Result<Directory, AppError> {
    let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(db).await?;
    let people = user::Entity::find().order_by_asc(user::Column::Id).all(db).await?;
    let currency = capture_form::Entity::find().order_by_asc(capture_form::Column::Id).one(db).await?.map(|f| f.currency).unwrap_or_else(|| "EUR".into());
    Ok(Directory {
        stages: stages.into_iter().map(|s| (s.id, s.name, s.kind.as_str().to_owned())).collect(),
        // Deals go only to people who can work them.
        people: people.into_iter().filter(|u| u.disabled_at.is_none()).map(|u| (u.id, u.name, u.email)).collect(),
        region: crate::agency::load(db).await?.default_region,
        currency,
    })
}

/// Checks the upload under the mapping and, when `write`, imports it. With `all_or_none`,
/// one failing row stops everything; otherwise the valid rows go in and the report lists the
/// others. Either way, nothing is written unless the whole import commits.
pub async fn run(db: &DatabaseConnection, viewer: &SessionUser, token: &str, mapping: &[String], write: bool, all_or_none: bool) -> Result<ImportReport, AppError> {
    let _memory = crate::common::GiveBackMemory;
    let upload = upload_of(db, viewer, token).await?;
    let grid = table::read(&upload.data).map_err(invalid)?;
    let mut fields = Vec::with_capacity(grid.header.len());
    for i in 0..grid.header.len() {
        let raw = mapping.get(i).map(String::as_str).unwrap_or("");
        fields.push(match raw {
            "" => None,
            raw => Some(Field::parse(raw).ok_or_else(|| AppError::field("mapping", crate::language::t("imports-unknown-field-reload")))?),
        });
    }
    let report = match write {
        true => {
            let w = crate::db::begin_write(db).await?;
            let report = check_and_apply(&w.txn, &grid, &fields, Some(viewer.id), all_or_none).await?;
            csv_upload::Entity::delete_many().filter(csv_upload::Column::Token.eq(token)).exec(&w.txn).await?;
            w.txn.commit().await?;
            report
        }
        false => check_and_apply(db, &grid, &fields, None, all_or_none).await?,
    };
    Ok(ImportReport { written: write, ..report })
}

async fn check_and_apply(
    conn: &impl ConnectionTrait,
    grid: &table::Table,
    fields: &[Option<Field>],
    author: Option<i64>,
    all_or_none: bool,
) -> Result<ImportReport, AppError> {
    let people = directory(conn).await?;
    let rows = table::check(grid, fields, &people).map_err(|m| AppError::field("mapping", m))?;
    let mut report = ImportReport { rows: rows.len(), ..Default::default() };
    let mut valid = Vec::new();
    for row in rows {
        match row {
            Ok(row) => valid.push(row),
            Err(problem) if report.problems.len() < LISTED => report.problems.push((problem.number, problem.reasons)),
            Err(_) => {}
        }
    }
    report.valid = valid.len();
    let failed = report.rows - report.valid;
    if author.is_some() && all_or_none && failed > 0 {
        return Err(AppError::Conflict(crate::language::t_with("imports-nothing-was-imported", &[("failed", failed.into()), ("rows", report.rows.into())])));
    }
    let tz: chrono_tz::Tz = crate::agency::load(conn).await?.time_zone.parse().unwrap_or(chrono_tz::UTC);
    apply(conn, &people, &valid, tz, author, &mut report).await?;
    Ok(report)
}

/// Matches each valid row to a contact (by phone, WhatsApp or e-mail, in Doorstep or in an
/// earlier row) and counts what would be added; with `author` set, adds it.
async fn apply(db: &impl ConnectionTrait, people: &Directory, rows: &[Row], tz: chrono_tz::Tz, author: Option<i64>, report: &mut ImportReport) -> Result<(), AppError> {
    let now = Utc::now();
    let first_open = people.stages.iter().find(|s| s.2 == "open").map(|s| s.0).ok_or_else(|| AppError::Conflict(crate::language::t("imports-pipeline-has-no-open-stage")))?;
    let kinds: HashMap<i64, &str> = people.stages.iter().map(|s| (s.0, s.2.as_str())).collect();
    // Contacts seen in this file, by number and address: a later row joins them.
    let mut in_file: HashMap<String, (i64, String)> = HashMap::new();
    // The deals each contact has, including those this import adds: an open one per need, and
    // a closed one per need and stage (a won deal imported twice is the same deal).
    let mut held: HashSet<(i64, String)> = HashSet::new();
    let mut next_new = -1i64;
    for row in rows {
        let keys: Vec<String> = [row.phone.clone(), row.whatsapp.clone(), row.email.clone()].into_iter().flatten().collect();
        let earlier = keys.iter().find_map(|k| in_file.get(k).cloned());
        let (contact_id, matched) = match earlier {
            Some((id, name)) => (id, Some(format!("{name} (an earlier row)"))),
            None => {
                let mut any = Condition::any();
                for number in [&row.phone, &row.whatsapp].into_iter().flatten() {
                    any = any.add(contact::Column::Phone.eq(number.clone())).add(contact::Column::Whatsapp.eq(number.clone()));
                }
                if let Some(email) = &row.email {
                    any = any.add(contact::Column::Email.eq(email.clone()));
                }
                match contact::Entity::find().filter(any).order_by_asc(contact::Column::Id).one(db).await? {
                    Some(known) => {
                        for key in deal_keys(db, known.id, &kinds).await? {
                            held.insert((known.id, key));
                        }
                        (known.id, Some(format!("{} (already in Doorstep)", known.name)))
                    }
                    None => {
                        report.new_contacts += 1;
                        let id = match author {
                            Some(_) => {
                                contact::ActiveModel {
                                    name: Set(row.name.clone()),
                                    phone: Set(row.phone.clone()),
                                    email: Set(row.email.clone()),
                                    whatsapp: Set(row.whatsapp.clone()),
                                    language: Set(row.language.clone()),
                                    marketing_consent: Set(false),
                                    created_at: Set(now),
                                    updated_at: Set(now),
                                    ..Default::default()
                                }
                                .insert(db)
                                .await?
                                .id
                            }
                            None => {
                                next_new -= 1;
                                next_new
                            }
                        };
                        (id, None)
                    }
                }
            }
        };
        for key in keys {
            in_file.entry(key).or_insert((contact_id, row.name.clone()));
        }
        if let Some(what) = matched {
            report.matched_contacts += 1;
            if report.matches.len() < LISTED {
                report.matches.push((row.number, what));
            }
        }
        let Some(d) = &row.deal else {
            if let (Some(_), Some(notes)) = (author, &row.notes) {
                // Importing the same file again adds the note once.
                let body = format!("{NOTE}{notes}");
                let there = activity::Entity::find()
                    .filter(activity::Column::ContactId.eq(contact_id))
                    .filter(activity::Column::Kind.eq(crate::deals::ActivityKind::Note))
                    .filter(activity::Column::Body.eq(body))
                    .one(db)
                    .await?;
                if there.is_none() {
                    note_row(contact_id, None, notes, now).insert(db).await?;
                }
            }
            continue;
        };
        let stage_id = d.stage_id.unwrap_or(first_open);
        let kind = kinds.get(&stage_id).copied().unwrap_or("open");
        if !held.insert((contact_id, deal_key(d.need.as_str(), stage_id, kind))) {
            report.duplicate_deals += 1;
            continue;
        }
        report.new_deals += 1;
        let Some(_) = author else { continue };
        let created = match d.created {
            Some(Moment::Exact(at)) => Some(at),
            Some(Moment::Local(at)) => tz.from_local_datetime(&at).earliest().map(|t| t.with_timezone(&Utc)),
            None => None,
        }
        .filter(|t| *t <= now)
        .unwrap_or(now);
        let made = deal::ActiveModel {
            contact_id: Set(contact_id),
            need: Set(d.need.as_str().into()),
            budget_min: Set(d.budget_min),
            budget_max: Set(d.budget_max),
            currency: Set(d.currency.clone()),
            areas: Set(d.areas.clone()),
            bedrooms: Set(d.bedrooms),
            property_ref: Set(d.property_ref.clone()),
            owner_id: Set(d.owner_id),
            stage_id: Set(stage_id),
            source: Set(d.source.clone().unwrap_or_else(|| "import".into())),
            created_at: Set(created),
            updated_at: Set(now),
            closed_at: Set((kind != "open").then_some(created)),
            version: Set(1),
            stage_entered_at: Set(Some(created)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if let Some(notes) = &row.notes {
            note_row(contact_id, Some(made.id), notes, created).insert(db).await?;
        }
    }
    Ok(())
}

fn deal_key(need: &str, stage_id: i64, kind: &str) -> String {
    if kind == "open" { format!("{need} open") } else { format!("{need} {stage_id}") }
}

async fn deal_keys(db: &impl ConnectionTrait, contact_id: i64, kinds: &HashMap<i64, &str>) -> Result<Vec<String>, AppError> {
    Ok(deal::Entity::find()
        .filter(deal::Column::ContactId.eq(contact_id))
        .all(db)
        .await?
        .into_iter()
        .map(|d| deal_key(&d.need, d.stage_id, kinds.get(&d.stage_id).copied().unwrap_or("open")))
        .collect())
}

fn note_row(contact_id: i64, deal_id: Option<i64>, notes: &str, at: chrono::DateTime<Utc>) -> activity::ActiveModel {
    activity::ActiveModel {
        deal_id: Set(deal_id),
        contact_id: Set(contact_id),
        kind: Set(crate::deals::ActivityKind::Note),
        direction: Set(crate::deals::Direction::Internal),
        author_id: Set(None),
        body: Set(format!("{NOTE}{notes}")),
        occurred_at: Set(at),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
}
