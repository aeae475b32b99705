//! The daily summaries rolled up, so a long period reads a few rows per month instead of one
//! per deal and day:
//!
//! - `<summary>_month` for each daily summary: the same keys and sums per UTC calendar month,
//!   where `day` is the month's first day (days since 1970).
//! - `report_flow`: new leads and won deals per UTC day, owner and source, for the weekly trend.
//!
//! Deals also get the indexes the drill-downs and the hours at a period's ends read by: new
//! leads of one agent or one source, and deals won by closing time.
//!
//! Triggers on the daily summaries keep them, so they change in the same transaction as the
//! deal, follow-up or stay behind them. A daily summary row only ever changes its sums (its keys
//! are its primary key), so an update passes on the difference.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Each daily summary with the keys after its `day` and its sums.
const DAILY: &[(&str, &[&str], &[&str])] = &[
    ("report_cohort", &["owner_id", "source", "campaign", "currency", "furthest_position", "outcome", "lost_reason"], &["deals", "won_value"]),
    ("report_response", &["owner_id", "source", "bucket"], &["deals"]),
    ("report_won", &["owner_id", "source", "campaign", "currency"], &["deals", "value"]),
    ("report_followups", &["assignee_id"], &["done"]),
    ("report_stage_time", &["owner_id", "source", "stage_id", "days"], &["stays"]),
];

/// Text keys; every other key and sum is a whole number.
const TEXT: &[&str] = &["source", "campaign", "currency", "outcome", "lost_reason"];

/// The first day of the UTC month of day `d` (both in days since 1970).
fn month(b: DbBackend, d: &str) -> String {
    match b {
        DbBackend::Postgres => format!("(date_trunc('month', (DATE '1970-01-01' + CAST({d} AS INTEGER))::timestamp)::date - DATE '1970-01-01')"),
        _ => format!("CAST(unixepoch({d} * 86400, 'unixepoch', 'start of month') / 86400 AS INTEGER)"),
    }
}

/// `INSERT … ON CONFLICT DO UPDATE` adding `values` (column, expression) to `table`'s row at
/// `keys` (column, expression).
fn add(table: &str, keys: &[(String, String)], values: &[(String, String)]) -> String {
    let cols: Vec<&str> = keys.iter().chain(values).map(|(c, _)| c.as_str()).collect();
    let exprs: Vec<&str> = keys.iter().chain(values).map(|(_, e)| e.as_str()).collect();
    let key_cols: Vec<&str> = keys.iter().map(|(c, _)| c.as_str()).collect();
    let sets: Vec<String> = values.iter().map(|(c, _)| format!("{c} = {table}.{c} + excluded.{c}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        cols.join(", "),
        exprs.join(", "),
        key_cols.join(", "),
        sets.join(", ")
    )
}

/// What one change of a daily summary row passes on. `delta(column)` is the change of a sum.
fn roll_ups(b: DbBackend, table: &str, keys: &[&str], sums: &[&str], row: &str, delta: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut month_keys = vec![("day".to_string(), month(b, &format!("{row}.day")))];
    month_keys.extend(keys.iter().map(|k| (String::from(*k), format!("{row}.{k}"))));
    let month_sums: Vec<(String, String)> = sums.iter().map(|s| (String::from(*s), delta(s))).collect();
    let mut out = vec![add(&format!("{table}_month"), &month_keys, &month_sums)];
    let flow = match table {
        "report_cohort" => Some("leads"),
        "report_won" => Some("won"),
        _ => None,
    };
    if let Some(column) = flow {
        let keys: Vec<(String, String)> =
            ["day", "owner_id", "source"].iter().map(|k| (String::from(*k), format!("{row}.{k}"))).collect();
        out.push(add("report_flow", &keys, &[(column.to_string(), delta("deals"))]));
    }
    out
}

/// Deals by agent or source and creation (the source-only index is then redundant), and by
/// stage and closing, with the filters, so counts read the index alone.
const INDEXES: &[&str] = &[
    "CREATE INDEX deals_owner_created ON deals (owner_id, created_at)",
    "CREATE INDEX deals_source_created ON deals (source, created_at)",
    "DROP INDEX deals_source",
    "CREATE INDEX deals_stage_closed ON deals (stage_id, closed_at, owner_id, source)",
];

/// A summary table keyed by `day` and `keys`. On SQLite it is stored in key order (WITHOUT
/// ROWID), so a period's rows are read in one pass instead of one lookup per row.
fn create(b: DbBackend, name: &str, keys: &[&str], sums: &[&str]) -> String {
    let int = if b == DbBackend::Postgres { "BIGINT" } else { "INTEGER" };
    let mut cols = vec![format!("day {int} NOT NULL")];
    cols.extend(keys.iter().map(|k| format!("{k} {} NOT NULL", if TEXT.contains(k) { "TEXT" } else { int })));
    cols.extend(sums.iter().map(|s| format!("{s} {int} NOT NULL DEFAULT 0")));
    let clustered = if b == DbBackend::Postgres { "" } else { " WITHOUT ROWID" };
    format!("CREATE TABLE {name} ({}, PRIMARY KEY (day, {})){clustered}", cols.join(", "), keys.join(", "))
}

fn tables(b: DbBackend) -> Vec<String> {
    let mut out: Vec<String> = DAILY.iter().map(|(t, keys, sums)| create(b, &format!("{t}_month"), keys, sums)).collect();
    out.push(create(b, "report_flow", &["owner_id", "source"], &["leads", "won"]));
    out
}

/// On SQLite, the daily summaries of migration 9 are rebuilt in key order too: written by
/// triggers in the order deals change, a day's rows were scattered over the file. The old
/// table goes before the new one takes its name, with the legacy rename, so the triggers on
/// `deals` that write to it by name are left as they are.
fn clustered_days(b: DbBackend) -> Vec<String> {
    if b == DbBackend::Postgres {
        return Vec::new();
    }
    let mut out = vec!["PRAGMA legacy_alter_table = ON".to_string()];
    for (t, keys, sums) in DAILY {
        let cols = format!("day, {}, {}", keys.join(", "), sums.join(", "));
        out.push(create(b, &format!("{t}_clustered"), keys, sums));
        out.push(format!("INSERT INTO {t}_clustered ({cols}) SELECT {cols} FROM {t}"));
        out.push(format!("DROP TABLE {t}"));
        out.push(format!("ALTER TABLE {t}_clustered RENAME TO {t}"));
    }
    out.push("PRAGMA legacy_alter_table = OFF".into());
    // One batch, so the pragma holds on the connection that runs the renames.
    vec![out.join(";\n")]
}

fn backfill(b: DbBackend) -> Vec<String> {
    let mut out: Vec<String> = DAILY
        .iter()
        .map(|(t, keys, sums)| {
            let m = month(b, "day");
            let sum_exprs: Vec<String> = sums.iter().map(|s| format!("SUM({s})")).collect();
            format!(
                "INSERT INTO {t}_month (day, {k}, {s}) SELECT {m}, {k}, {e} FROM {t} GROUP BY {m}, {k}",
                k = keys.join(", "),
                s = sums.join(", "),
                e = sum_exprs.join(", ")
            )
        })
        .collect();
    out.push("INSERT INTO report_flow (day, owner_id, source, leads) SELECT day, owner_id, source, SUM(deals) FROM report_cohort GROUP BY day, owner_id, source".into());
    out.push(
        "INSERT INTO report_flow (day, owner_id, source, won) SELECT day, owner_id, source, SUM(deals) FROM report_won WHERE TRUE \
         GROUP BY day, owner_id, source ON CONFLICT (day, owner_id, source) DO UPDATE SET won = report_flow.won + excluded.won"
            .into(),
    );
    out
}

fn triggers(b: DbBackend) -> Vec<String> {
    let mut out = Vec::new();
    for (t, keys, sums) in DAILY {
        let inserted = roll_ups(b, t, keys, sums, "NEW", &|s| format!("NEW.{s}"));
        let updated = roll_ups(b, t, keys, sums, "NEW", &|s| format!("NEW.{s} - OLD.{s}"));
        let deleted = roll_ups(b, t, keys, sums, "OLD", &|s| format!("-OLD.{s}"));
        match b {
            DbBackend::Postgres => {
                let body = |stmts: Vec<String>| stmts.into_iter().map(|s| format!("    {s};\n")).collect::<String>();
                out.push(format!(
                    "CREATE FUNCTION {t}_roll() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP = 'INSERT' THEN\n{}  ELSIF TG_OP = 'UPDATE' THEN\n{}  ELSE\n{}  END IF;\n  RETURN NULL;\nEND $$",
                    body(inserted),
                    body(updated),
                    body(deleted)
                ));
                out.push(format!("CREATE TRIGGER {t}_roll AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_roll()"));
            }
            _ => {
                let body = |stmts: Vec<String>| stmts.into_iter().map(|s| format!("  {s};\n")).collect::<String>();
                out.push(format!("CREATE TRIGGER {t}_roll_insert AFTER INSERT ON {t} BEGIN\n{}END", body(inserted)));
                out.push(format!("CREATE TRIGGER {t}_roll_update AFTER UPDATE ON {t} BEGIN\n{}END", body(updated)));
                out.push(format!("CREATE TRIGGER {t}_roll_delete AFTER DELETE ON {t} BEGIN\n{}END", body(deleted)));
            }
        }
    }
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let b = manager.get_database_backend();
        for statement in clustered_days(b).into_iter().chain(tables(b)).chain(backfill(b)).chain(triggers(b)).chain(INDEXES.iter().map(|s| String::from(*s))) {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let b = manager.get_database_backend();
        let mut drops = Vec::new();
        for (t, _, _) in DAILY {
            match b {
                DbBackend::Postgres => {
                    drops.push(format!("DROP TRIGGER {t}_roll ON {t}"));
                    drops.push(format!("DROP FUNCTION {t}_roll"));
                }
                _ => drops.extend(["insert", "update", "delete"].map(|op| format!("DROP TRIGGER {t}_roll_{op}"))),
            }
            drops.push(format!("DROP TABLE {t}_month"));
        }
        drops.push("DROP TABLE report_flow".into());
        drops.extend(["DROP INDEX deals_owner_created", "DROP INDEX deals_source_created", "DROP INDEX deals_stage_closed"].map(String::from));
        drops.push("CREATE INDEX deals_source ON deals (source)".into());
        for statement in drops {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_passes_on_the_difference_to_the_month_and_the_flow() {
        let sql = roll_ups(DbBackend::Sqlite, "report_won", &["owner_id", "source", "campaign", "currency"], &["deals", "value"], "NEW", &|s| {
            format!("NEW.{s} - OLD.{s}")
        });
        assert_eq!(sql.len(), 2);
        assert!(sql[0].starts_with("INSERT INTO report_won_month (day, owner_id, source, campaign, currency, deals, value)"), "{}", sql[0]);
        assert!(sql[0].contains("deals = report_won_month.deals + excluded.deals"));
        assert!(sql[1].contains("INSERT INTO report_flow (day, owner_id, source, won) VALUES (NEW.day, NEW.owner_id, NEW.source, NEW.deals - OLD.deals)"), "{}", sql[1]);
    }
}
