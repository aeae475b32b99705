//! The manager's figures at a million deals: summary tables kept by database triggers, so every
//! write to `deals` (from any code path, in the same transaction) keeps them exact.
//!
//! - `report_open`: deals and value per current stage, owner, source and currency.
//! - `report_cohort`: deals per UTC creation day, owner, source, campaign, currency, furthest
//!   stage reached, outcome and lost reason, with their won value: the funnel and the sources.
//! - `report_response`: deals per UTC creation day, owner, source and speed-to-lead bucket.
//! - `report_won`: won deals and value per UTC day of closing, owner, source and campaign.
//! - `report_followups`: follow-ups done per UTC day and assignee.
//! - `deal_stays`: one row per stay of a deal in a stage, written when the deal leaves it, and
//!   `report_stage_time` counting them per UTC day left, owner, source, stage and whole days.
//!
//! `deals.furthest_position` is the highest position of an open or won stage the deal has been
//! in; a lost deal keeps the one it had. Owner 0 stands for nobody, '' for no campaign or reason.
//! Stays before this migration are not known, so time in stage starts from here.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Deals {
    Table,
    FurthestPosition,
}

#[derive(DeriveIden)]
enum DealStays {
    Table,
    Id,
    DealId,
    StageId,
    OwnerId,
    Source,
    EnteredAt,
    LeftAt,
    Days,
}

/// The speed-to-lead bucket, in minutes: exact minutes for the first hour, quarter hours for the
/// first day, hours up to 30 days, then "30 days or more" (43,200); -1 when never answered.
/// `app::reports` reads the same buckets.
fn bucket(b: DbBackend, row: &str) -> String {
    let s = greatest(b, "0", &format!("{} - {}", epoch(b, &format!("{row}.first_response_at")), epoch(b, &format!("{row}.created_at")))).to_string();
    format!(
        "CASE WHEN {row}.first_response_at IS NULL THEN -1 WHEN {s} < 3600 THEN {s} / 60 \
         WHEN {s} < 86400 THEN ({s} / 900) * 15 WHEN {s} < 2592000 THEN ({s} / 3600) * 60 ELSE 43200 END"
    )
}

/// Whole seconds since 1970 of a stored instant.
fn epoch(b: DbBackend, x: &str) -> String {
    match b {
        DbBackend::Postgres => format!("floor(extract(epoch from {x}))::bigint"),
        _ => format!("unixepoch({x})"),
    }
}

fn greatest(b: DbBackend, x: &str, y: &str) -> String {
    match b {
        DbBackend::Postgres => format!("GREATEST({x}, {y})"),
        _ => format!("max({x}, {y})"),
    }
}

fn day(b: DbBackend, x: &str) -> String {
    format!("({} / 86400)", epoch(b, x))
}

/// The furthest position a deal row has reached, counting the stage it is in now.
fn furthest(b: DbBackend, row: &str) -> String {
    greatest(
        b,
        &format!("COALESCE({row}.furthest_position, -1)"),
        &format!("COALESCE((SELECT position FROM stages WHERE id = {row}.stage_id AND kind <> 'lost'), -1)"),
    )
}

fn kind(row: &str) -> String {
    format!("(SELECT kind FROM stages WHERE id = {row}.stage_id)")
}

/// One row's share of one summary: the row at `keys` gains `values` when `cond` holds.
struct Share {
    table: &'static str,
    keys: Vec<(&'static str, String)>,
    values: Vec<(&'static str, String)>,
    cond: String,
}

impl Share {
    fn new(table: &'static str, keys: Vec<(&'static str, String)>, values: Vec<(&'static str, String)>, cond: &str) -> Self {
        Share { table, keys, values, cond: cond.to_string() }
    }

    fn columns(&self) -> String {
        self.keys.iter().chain(&self.values).map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
    }

    fn key_columns(&self) -> String {
        self.keys.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
    }

    /// `INSERT … SELECT … WHERE cond ON CONFLICT DO UPDATE`, adding to the row at the keys.
    fn upsert(&self) -> String {
        let exprs: Vec<&str> = self.keys.iter().chain(&self.values).map(|(_, e)| e.as_str()).collect();
        let sets: Vec<String> = self.values.iter().map(|(c, _)| format!("{c} = {t}.{c} + excluded.{c}", t = self.table)).collect();
        format!(
            "INSERT INTO {} ({}) SELECT {} WHERE {} ON CONFLICT ({}) DO UPDATE SET {}",
            self.table,
            self.columns(),
            exprs.join(", "),
            self.cond,
            self.key_columns(),
            sets.join(", ")
        )
    }

    /// The same shares summed over every row of `from` at once (the shares' row name is `from`).
    fn fill(&self, from: &str) -> String {
        let keys: Vec<&str> = self.keys.iter().map(|(_, e)| e.as_str()).collect();
        let sums: Vec<String> = self.values.iter().map(|(_, e)| format!("SUM({e})")).collect();
        format!(
            "INSERT INTO {} ({}) SELECT {}, {} FROM {from} WHERE {} GROUP BY {}",
            self.table,
            self.columns(),
            keys.join(", "),
            sums.join(", "),
            self.cond,
            keys.join(", ")
        )
    }
}

/// The statements that add (sign 1) or take away (sign -1) one deal row's share of every
/// summary. `reach` is the row's furthest position.
fn shares(b: DbBackend, row: &str, sign: i64, reach: &str) -> Vec<Share> {
    let owner = format!("COALESCE({row}.owner_id, 0)");
    let campaign = format!("COALESCE({row}.utm_campaign, '')");
    let kind = kind(row);
    vec![
        Share::new(
            "report_open",
            vec![
                ("stage_id", format!("{row}.stage_id")),
                ("owner_id", owner.clone()),
                ("source", format!("{row}.source")),
                ("currency", format!("{row}.currency")),
            ],
            vec![
                ("deals", sign.to_string()),
                ("value", format!("{sign} * COALESCE({row}.won_value, {row}.budget_max, {row}.budget_min, 0)")),
            ],
            "TRUE",
        ),
        Share::new(
            "report_cohort",
            vec![
                ("day", day(b, &format!("{row}.created_at"))),
                ("owner_id", owner.clone()),
                ("source", format!("{row}.source")),
                ("campaign", campaign.clone()),
                ("currency", format!("{row}.currency")),
                ("furthest_position", reach.to_string()),
                ("outcome", format!("COALESCE({kind}, 'open')")),
                ("lost_reason", format!("CASE WHEN {kind} = 'lost' THEN COALESCE({row}.lost_reason, '') ELSE '' END")),
            ],
            vec![
                ("deals", sign.to_string()),
                ("won_value", format!("{sign} * CASE WHEN {kind} = 'won' THEN COALESCE({row}.won_value, 0) ELSE 0 END")),
            ],
            "TRUE",
        ),
        Share::new(
            "report_response",
            vec![
                ("day", day(b, &format!("{row}.created_at"))),
                ("owner_id", owner.clone()),
                ("source", format!("{row}.source")),
                ("bucket", bucket(b, row)),
            ],
            vec![("deals", sign.to_string())],
            "TRUE",
        ),
        Share::new(
            "report_won",
            vec![
                ("day", day(b, &format!("{row}.closed_at"))),
                ("owner_id", owner),
                ("source", format!("{row}.source")),
                ("campaign", campaign),
                ("currency", format!("{row}.currency")),
            ],
            vec![("deals", sign.to_string()), ("value", format!("{sign} * COALESCE({row}.won_value, 0)"))],
            &format!("{kind} = 'won' AND {row}.closed_at IS NOT NULL"),
        ),
    ]
}

/// A done follow-up's share of `report_followups`.
fn done_share(b: DbBackend, row: &str, sign: i64) -> Share {
    Share::new(
        "report_followups",
        vec![("day", day(b, &format!("{row}.completed_at"))), ("assignee_id", format!("{row}.assignee_id"))],
        vec![("done", sign.to_string())],
        &format!("{row}.state = 'done' AND {row}.completed_at IS NOT NULL"),
    )
}

fn stay_shares(b: DbBackend, row: &str, sign: i64) -> String {
    Share::new(
        "report_stage_time",
        vec![
            ("day", day(b, &format!("{row}.left_at"))),
            ("owner_id", format!("{row}.owner_id")),
            ("source", format!("{row}.source")),
            ("stage_id", format!("{row}.stage_id")),
            ("days", format!("{row}.days")),
        ],
        vec![("stays", sign.to_string())],
        "TRUE",
    )
    .upsert()
}

/// The stay a deal row ends when it moves from OLD's stage to NEW's.
fn record_stay(b: DbBackend) -> String {
    let entered = "COALESCE(OLD.stage_entered_at, OLD.created_at)";
    let left = "COALESCE(NEW.stage_entered_at, NEW.updated_at)";
    let days = greatest(b, "0", &format!("{} - {}", epoch(b, left), epoch(b, entered)));
    format!(
        "INSERT INTO deal_stays (deal_id, stage_id, owner_id, source, entered_at, left_at, days) \
         VALUES (OLD.id, OLD.stage_id, COALESCE(OLD.owner_id, 0), OLD.source, {entered}, {left}, {days} / 86400)"
    )
}

/// The columns whose change moves a deal between summary rows.
const WATCHED: &str = "stage_id, owner_id, source, utm_campaign, currency, budget_min, budget_max, won_value, \
                       lost_reason, first_response_at, closed_at, created_at, furthest_position";

fn ups(shares: Vec<Share>) -> Vec<String> {
    shares.iter().map(Share::upsert).collect()
}

fn triggers(b: DbBackend) -> Vec<String> {
    match b {
        DbBackend::Postgres => {
            let body = |stmts: Vec<String>| stmts.into_iter().map(|s| format!("    {s};\n")).collect::<String>();
            vec![
                format!(
                    "CREATE FUNCTION deals_reach() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.furthest_position := {};\n    RETURN NEW;\nEND $$",
                    furthest(b, "NEW")
                ),
                format!("CREATE TRIGGER deals_reach BEFORE INSERT OR UPDATE OF {WATCHED} ON deals FOR EACH ROW EXECUTE FUNCTION deals_reach()"),
                format!(
                    "CREATE FUNCTION deals_report() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP <> 'INSERT' THEN\n{}  END IF;\n  IF TG_OP = 'UPDATE' AND OLD.stage_id <> NEW.stage_id THEN\n    {};\n  END IF;\n  IF TG_OP = 'DELETE' THEN\n    DELETE FROM deal_stays WHERE deal_id = OLD.id;\n    RETURN OLD;\n  END IF;\n{}  RETURN NEW;\nEND $$",
                    body(ups(shares(b, "OLD", -1, "OLD.furthest_position"))),
                    record_stay(b),
                    body(ups(shares(b, "NEW", 1, "NEW.furthest_position"))),
                ),
                format!("CREATE TRIGGER deals_report AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON deals FOR EACH ROW EXECUTE FUNCTION deals_report()"),
                format!(
                    "CREATE FUNCTION deal_stays_report() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n    {};\n    RETURN NEW;\n  END IF;\n  {};\n  RETURN OLD;\nEND $$",
                    stay_shares(b, "NEW", 1),
                    stay_shares(b, "OLD", -1)
                ),
                "CREATE TRIGGER deal_stays_report AFTER INSERT OR DELETE ON deal_stays FOR EACH ROW EXECUTE FUNCTION deal_stays_report()".into(),
                format!(
                    "CREATE FUNCTION reminders_report() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP <> 'INSERT' THEN\n    {};\n  END IF;\n  IF TG_OP = 'DELETE' THEN\n    RETURN OLD;\n  END IF;\n  {};\n  RETURN NEW;\nEND $$",
                    done_share(b, "OLD", -1).upsert(),
                    done_share(b, "NEW", 1).upsert()
                ),
                "CREATE TRIGGER reminders_report AFTER INSERT OR DELETE OR UPDATE OF state, completed_at, assignee_id ON reminders FOR EACH ROW EXECUTE FUNCTION reminders_report()".into(),
            ]
        }
        _ => {
            let body = |stmts: Vec<String>| stmts.into_iter().map(|s| format!("  {s};\n")).collect::<String>();
            // SQLite cannot change NEW, so the trigger writes the reach back with an UPDATE of that
            // column alone (which fires none of these triggers) and uses the same expression.
            let reach = furthest(b, "NEW");
            let write_reach =
                format!("UPDATE deals SET furthest_position = {reach} WHERE id = NEW.id AND furthest_position IS NOT {reach}");
            let watched = WATCHED.trim_end_matches(", furthest_position");
            vec![
                format!(
                    "CREATE TRIGGER deals_report_insert AFTER INSERT ON deals BEGIN\n{}{}END",
                    body(vec![write_reach.clone()]),
                    body(ups(shares(b, "NEW", 1, &reach)))
                ),
                format!(
                    "CREATE TRIGGER deals_report_update AFTER UPDATE OF {watched} ON deals BEGIN\n{}{}{}END",
                    body(ups(shares(b, "OLD", -1, "OLD.furthest_position"))),
                    body(vec![write_reach]),
                    body(ups(shares(b, "NEW", 1, &reach)))
                ),
                format!(
                    "CREATE TRIGGER deals_report_stay AFTER UPDATE OF stage_id ON deals WHEN OLD.stage_id <> NEW.stage_id BEGIN\n{}END",
                    body(vec![record_stay(b)])
                ),
                format!(
                    "CREATE TRIGGER deals_report_delete AFTER DELETE ON deals BEGIN\n{}{}END",
                    body(ups(shares(b, "OLD", -1, "OLD.furthest_position"))),
                    body(vec!["DELETE FROM deal_stays WHERE deal_id = OLD.id".into()])
                ),
                format!("CREATE TRIGGER deal_stays_report_insert AFTER INSERT ON deal_stays BEGIN\n{}END", body(vec![stay_shares(b, "NEW", 1)])),
                format!("CREATE TRIGGER deal_stays_report_delete AFTER DELETE ON deal_stays BEGIN\n{}END", body(vec![stay_shares(b, "OLD", -1)])),
                format!("CREATE TRIGGER reminders_report_insert AFTER INSERT ON reminders BEGIN\n{}END", body(vec![done_share(b, "NEW", 1).upsert()])),
                format!(
                    "CREATE TRIGGER reminders_report_update AFTER UPDATE OF state, completed_at, assignee_id ON reminders BEGIN\n{}{}END",
                    body(vec![done_share(b, "OLD", -1).upsert()]),
                    body(vec![done_share(b, "NEW", 1).upsert()])
                ),
                format!("CREATE TRIGGER reminders_report_delete AFTER DELETE ON reminders BEGIN\n{}END", body(vec![done_share(b, "OLD", -1).upsert()])),
            ]
        }
    }
}

fn summary_tables(b: DbBackend) -> Vec<String> {
    let int = if b == DbBackend::Postgres { "BIGINT" } else { "INTEGER" };
    let table = |name: &str, keys: &[(&str, &str)], values: &[&str]| {
        let mut cols: Vec<String> = keys.iter().map(|(c, t)| format!("{c} {} NOT NULL", if *t == "int" { int } else { "TEXT" })).collect();
        cols.extend(values.iter().map(|c| format!("{c} {int} NOT NULL DEFAULT 0")));
        let key: Vec<&str> = keys.iter().map(|(c, _)| *c).collect();
        format!("CREATE TABLE {name} ({}, PRIMARY KEY ({}))", cols.join(", "), key.join(", "))
    };
    vec![
        table("report_open", &[("stage_id", "int"), ("owner_id", "int"), ("source", "text"), ("currency", "text")], &["deals", "value"]),
        table(
            "report_cohort",
            &[
                ("day", "int"),
                ("owner_id", "int"),
                ("source", "text"),
                ("campaign", "text"),
                ("currency", "text"),
                ("furthest_position", "int"),
                ("outcome", "text"),
                ("lost_reason", "text"),
            ],
            &["deals", "won_value"],
        ),
        table("report_response", &[("day", "int"), ("owner_id", "int"), ("source", "text"), ("bucket", "int")], &["deals"]),
        table("report_followups", &[("day", "int"), ("assignee_id", "int")], &["done"]),
        table(
            "report_won",
            &[("day", "int"), ("owner_id", "int"), ("source", "text"), ("campaign", "text"), ("currency", "text")],
            &["deals", "value"],
        ),
        table(
            "report_stage_time",
            &[("day", "int"), ("owner_id", "int"), ("source", "text"), ("stage_id", "int"), ("days", "int")],
            &["stays"],
        ),
    ]
}

/// Fills the summaries from the deals already there (each summary row is the sum of the shares
/// the triggers would have added one by one).
fn backfill(b: DbBackend) -> Vec<String> {
    let mut out = vec![format!("UPDATE deals SET furthest_position = {}", furthest(b, "deals"))];
    out.extend(shares(b, "deals", 1, "deals.furthest_position").iter().map(|share| share.fill("deals")));
    out.push(done_share(b, "reminders", 1).fill("reminders"));
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Deals::Table).add_column(ColumnDef::new(Deals::FurthestPosition).integer().null()).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(DealStays::Table)
                    .col(ColumnDef::new(DealStays::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(DealStays::DealId).big_integer().not_null())
                    .col(ColumnDef::new(DealStays::StageId).big_integer().not_null())
                    .col(ColumnDef::new(DealStays::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(DealStays::Source).string().not_null())
                    .col(ColumnDef::new(DealStays::EnteredAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(DealStays::LeftAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(DealStays::Days).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let b = manager.get_database_backend();
        for statement in summary_tables(b).into_iter().chain([
            "CREATE INDEX deal_stays_deal ON deal_stays (deal_id)".to_string(),
            "CREATE INDEX deal_stays_left ON deal_stays (left_at)".to_string(),
            // Edges of a period, drill-downs and the per-agent figures read deals by these.
            "CREATE INDEX deals_created ON deals (created_at)".to_string(),
            "CREATE INDEX deals_closed ON deals (closed_at)".to_string(),
            "CREATE INDEX deals_stage_updated_owner ON deals (stage_id, updated_at, owner_id, source)".to_string(),
            "CREATE INDEX reminders_completed ON reminders (completed_at, assignee_id, state)".to_string(),
            "CREATE INDEX reminders_state_due ON reminders (state, due_at, assignee_id)".to_string(),
        ]) {
            db.execute_unprepared(&statement).await?;
        }
        for statement in backfill(b).into_iter().chain(triggers(b)) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let drops: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER reminders_report ON reminders",
                "DROP FUNCTION reminders_report",
                "DROP TRIGGER deals_reach ON deals",
                "DROP TRIGGER deals_report ON deals",
                "DROP TRIGGER deal_stays_report ON deal_stays",
                "DROP FUNCTION deals_reach",
                "DROP FUNCTION deals_report",
                "DROP FUNCTION deal_stays_report",
            ],
            _ => &[
                "DROP TRIGGER deals_report_insert",
                "DROP TRIGGER deals_report_update",
                "DROP TRIGGER deals_report_stay",
                "DROP TRIGGER deals_report_delete",
                "DROP TRIGGER deal_stays_report_insert",
                "DROP TRIGGER deal_stays_report_delete",
                "DROP TRIGGER reminders_report_insert",
                "DROP TRIGGER reminders_report_update",
                "DROP TRIGGER reminders_report_delete",
            ],
        };
        for statement in drops.iter().chain(&[
            "DROP INDEX reminders_state_due",
            "DROP INDEX reminders_completed",
            "DROP INDEX deals_stage_updated_owner",
            "DROP INDEX deals_closed",
            "DROP INDEX deals_created",
            "DROP TABLE report_stage_time",
            "DROP TABLE report_followups",
            "DROP TABLE report_won",
            "DROP TABLE report_response",
            "DROP TABLE report_cohort",
            "DROP TABLE report_open",
        ]) {
            db.execute_unprepared(statement).await?;
        }
        manager.drop_table(Table::drop().table(DealStays::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Deals::Table).drop_column(Deals::FurthestPosition).to_owned()).await
    }
}
