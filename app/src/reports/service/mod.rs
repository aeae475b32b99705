//! The figures, a file per kind: the SQL every figure shares (`sql`), the funnel, open deals
//! and wins (`funnel`), speed to lead (`speed`), flow between stages and time in each
//! (`flow`), the team table (`team`) and the deals behind a number (`drill`). Each reads a
//! summary table for the whole UTC days of the period and the deals themselves for the hours
//! at its ends, and adds the two; see migration 9 for the tables. Here: the period a report
//! covers, and the dashboard that puts the figures together.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};

use super::{Dashboard, Person, ReportQuery, Scope, Week};
use crate::db::entities::user;
use crate::error::{AppError, Validator};

mod sql;
mod funnel;
mod speed;
mod flow;
mod team;
mod drill;

use sql::*;
pub use funnel::*;
pub use speed::*;
pub use flow::*;
pub use team::*;
pub use drill::*;

/// The longest period a report covers.
pub const MAX_DAYS: i64 = 3 * 366;

/// A report's period and filters, resolved.
#[derive(Clone, Debug)]
pub struct Filter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period as instants: from the first day's local midnight to the one after the last.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub agent: Option<i64>,
    pub source: Option<String>,
    pub tz: chrono_tz::Tz,
}

fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// The first instant of a local day (the day's first existing minute when DST skips midnight).
pub fn midnight(tz: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut at = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..180 {
        if let Some(t) = tz.from_local_datetime(&at).earliest() {
            return t.with_timezone(&Utc);
        }
        at += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&at)
}

/// Reads the filters: by default the last 30 days to today.
pub fn filter(query: &ReportQuery, time_zone: &str, now: DateTime<Utc>) -> Result<Filter, AppError> {
    let tz = zone(time_zone);
    let today = now.with_timezone(&tz).date_naive();
    let mut v = Validator::default();
    let mut date = |field: &'static str, raw: &Option<String>| -> Option<NaiveDate> {
        let raw = raw.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        v.check(
            field,
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .filter(|d| (1970..=2200).contains(&d.year()))
                .ok_or_else(|| crate::language::t("reports-enter-a-date")),
        )
    };
    let to = date("to", &query.to).unwrap_or(today);
    let from = date("from", &query.from).unwrap_or(to - Duration::days(29));
    if from > to {
        v.add("from", crate::language::t("reports-period-must-start-before-it-ends"));
    } else if (to - from).num_days() >= MAX_DAYS {
        v.add("from", crate::language::t_with("reports-period-of-at-most", &[("max", MAX_DAYS.into())]));
    }
    v.finish()?;
    let source = query.source.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Filter {
        from,
        to,
        start: midnight(tz, from),
        end: midnight(tz, to + Duration::days(1)),
        agent: query.agent,
        source,
        tz,
    })
}

/// Everything the dashboard shows, for a manager or an admin.
pub async fn dashboard(db: &DatabaseConnection, time_zone: &str, query: &ReportQuery) -> Result<Dashboard, AppError> {
    let now = Utc::now();
    let f = filter(query, time_zone, now)?;
    let stages = crate::deals::service::stages(db).await?;
    let kinds = stage_kinds(&stages);
    let people = user::Entity::find().order_by_asc(user::Column::Name).all(db).await?;
    let names: HashMap<i64, String> = people.iter().map(|u| (u.id, u.name.clone())).collect();
    let groups = cohort(db, &f, &stages).await?;
    let week_list = weeks(&f);
    let ranges: Vec<_> = week_list.iter().map(|(_, s, e)| (*s, *e)).collect();
    let flow = flow_by_range(db, &f, &ranges, &kinds).await?;
    let weekly = week_list
        .iter()
        .zip(flow)
        .map(|((day, _, _), (new_leads, won))| Week { start: day.format("%Y-%m-%d").to_string(), new_leads, won })
        .collect();
    let period_won = won(db, &f, &kinds).await?;
    Ok(Dashboard {
        scope: scope(&f, &names),
        agents: people
            .iter()
            .filter(|u| u.disabled_at.is_none() && u.role != "admin")
            .map(|u| Person { id: u.id, name: u.name.clone() })
            .collect(),
        sources: sources(db).await?,
        open: open(db, &f, &stages).await?,
        funnel: funnel(&groups, &stages),
        speed: speed(&responses(db, &f).await?, &names),
        team: team(db, &f, &stages, &people, &period_won, now).await?,
        by_source: by_source(&groups),
        stage_time: stage_time(&stays(db, &f).await?, &stages),
        weekly,
    })
}

/// The sources deals have come from, for the filter.
pub async fn sources(db: &impl ConnectionTrait) -> Result<Vec<String>, AppError> {
    let rows = db.query_all_raw(Args::default().statement(db, "SELECT DISTINCT source FROM report_open WHERE deals <> 0 ORDER BY source")).await?;
    Ok(rows.iter().map(|r| text(r, 0)).collect())
}

/// A summary table's file counts as bloated above this many bytes per row it holds (its rows
/// take 50 to 150), and from [`BLOATED_PAGES`] pages on.
const BLOATED_BYTES_PER_ROW: i64 = 1024;
/// Below this many pages a summary table is read at once whatever it holds.
const BLOATED_PAGES: i64 = 8;

/// On PostgreSQL, rewrites the summary tables that bulk writes left far longer than their rows
/// need. Triggers add each deal's share to a few rows of these tables, and a transaction that
/// writes a thousand deals (an import, `doorstep volume generate`) leaves a thousand dead
/// versions of each row. VACUUM frees them but cannot shorten the file while the live rows sit
/// at its end, and every read of the table goes on reading all of it: after 100,000 deals
/// were loaded, the five rows of `report_open` filled 817 pages, and the pipeline's list of
/// sources took 2.6 ms on every page instead of 0.05 (docs/benchmarks.md). `VACUUM FULL`
/// copies the live rows into a new file; it holds the table's lock for the copy, a few
/// milliseconds for these tables. SQLite reuses the pages it frees.
pub async fn compact(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let bloated = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT relname::text FROM pg_stat_user_tables WHERE relname LIKE 'report!_%' ESCAPE '!' \
                 AND pg_relation_size(relid) > {BLOATED_PAGES} * current_setting('block_size')::bigint \
                 AND pg_relation_size(relid) > {BLOATED_BYTES_PER_ROW} * (n_live_tup + 1) ORDER BY relname"
            ),
        ))
        .await?;
    for row in bloated {
        let table: String = row.try_get_by_index(0)?;
        tracing::info!(table, "rewriting a report table that bulk writes left bloated");
        db.execute_unprepared(&format!("VACUUM FULL \"{table}\"")).await?;
    }
    Ok(())
}

pub fn scope(f: &Filter, names: &HashMap<i64, String>) -> Scope {
    let same_year = f.from.year() == f.to.year();
    let language = crate::language::current();
    let from = language.date(f.from, if same_year { "date-day-month" } else { "date-day-month-year" });
    let mut label = format!("{from} – {}", language.date(f.to, "date-day-month-year"));
    if let Some(agent) = f.agent {
        label.push_str(&format!(" · {}", agent_name(names, agent)));
    }
    if let Some(source) = &f.source {
        label.push_str(&format!(" · {source}"));
    }
    Scope {
        from: f.from.format("%Y-%m-%d").to_string(),
        to: f.to.format("%Y-%m-%d").to_string(),
        agent: f.agent,
        source: f.source.clone(),
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_period_is_whole_utc_days_and_the_hours_at_its_ends() {
        // Madrid in November is UTC+1: 1 Nov local midnight is 31 Oct 23:00 UTC.
        let p = pieces(&[(at("2026-10-31T23:00:00Z"), at("2026-11-03T23:00:00Z"))]);
        let day = |s: &str| at(s).timestamp() / DAY;
        assert_eq!(p.days, vec![(day("2026-11-01T00:00:00Z"), 0), (day("2026-11-02T00:00:00Z"), 0)]);
        assert_eq!(
            p.edges,
            vec![
                (at("2026-10-31T23:00:00Z"), at("2026-11-01T00:00:00Z"), 0),
                (at("2026-11-03T00:00:00Z"), at("2026-11-03T23:00:00Z"), 0)
            ]
        );
        // UTC periods need no edges; a stretch inside one day is all edge.
        let utc = pieces(&[(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z"))]);
        assert_eq!(utc.edges, vec![]);
        assert_eq!(utc.days.len(), 2);
        let short = pieces(&[(at("2026-11-01T05:00:00Z"), at("2026-11-01T09:00:00Z"))]);
        assert_eq!(short.days, vec![]);
        assert_eq!(short.edges.len(), 1);
    }

    #[test]
    fn whole_months_are_read_from_the_monthly_summary_and_the_days_around_them_from_the_daily() {
        let day = |s: &str| at(&format!("{s}T00:00:00Z")).timestamp() / DAY;
        let (nov15, dec1, oct1, oct31) = (day("2025-11-15"), day("2025-12-01"), day("2026-10-01"), day("2026-10-31"));
        assert_eq!(whole_months(nov15, oct31), Some((dec1, oct1)));
        assert_eq!(
            stretches("report_won", (nov15, oct31), false),
            vec![("report_won".into(), nov15, dec1), ("report_won_month".into(), dec1, oct1), ("report_won".into(), oct1, oct31)]
        );
        // A period of whole months has no days around them.
        assert_eq!(stretches("report_won", (dec1, oct1), false), vec![("report_won_month".into(), dec1, oct1)]);
        // Less than a whole month, or a query by day, reads days only.
        assert_eq!(whole_months(day("2026-01-02"), day("2026-02-28")), None);
        assert_eq!(stretches("report_flow", (nov15, oct31), true), vec![("report_flow".into(), nov15, oct31)]);
    }

    #[test]
    fn buckets_keep_minutes_then_quarter_hours_then_hours() {
        let t = at("2026-11-01T10:00:00Z");
        assert_eq!(bucket(t, None), -1);
        assert_eq!(bucket(t, Some(t + Duration::seconds(299))), 4);
        assert_eq!(bucket(t, Some(t + Duration::seconds(300))), 5);
        assert_eq!(bucket(t, Some(t + Duration::minutes(100))), 90);
        assert_eq!(bucket(t, Some(t + Duration::hours(30) + Duration::minutes(59))), 1800);
        assert_eq!(bucket(t, Some(t + Duration::days(40))), 43_200);
        assert_eq!(bucket(t, Some(t - Duration::minutes(3))), 0);
    }

    #[tokio::test]
    async fn the_database_buckets_waits_as_the_code_does() {
        use sea_orm::{ConnectionTrait, DbBackend, Statement};
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        let t = at("2026-11-01T10:00:00Z");
        let sql = format!("SELECT {} AS bucket FROM (SELECT ? AS created_at, ? AS first_response_at)", speed::bucket_sql(DbBackend::Sqlite));
        for wait in [0, 59, 60, 299, 300, 3_599, 3_600, 5_400, 86_399, 86_400, 111_600, 2_591_999, 2_592_000, 4_000_000, -180] {
            let answered = t + Duration::seconds(wait);
            let values = [t.to_rfc3339().into(), answered.to_rfc3339().into()];
            let row = db.query_one_raw(Statement::from_sql_and_values(DbBackend::Sqlite, &sql, values)).await.unwrap().unwrap();
            assert_eq!(row.try_get::<i64>("", "bucket").unwrap(), bucket(t, Some(answered)), "a wait of {wait} s");
        }
    }

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[(3, 1)], 90), Some(3));
        // 1, 2, 2, 9: the median is the 2nd value, the 90th percentile the 4th.
        let values = [(1, 1), (2, 2), (9, 1)];
        assert_eq!(nearest_rank(&values, 50), Some(2));
        assert_eq!(nearest_rank(&values, 90), Some(9));
    }

    #[test]
    fn weeks_run_monday_to_sunday_cut_to_the_period() {
        let f = filter(
            &ReportQuery { from: Some("2026-11-04".into()), to: Some("2026-11-17".into()), ..Default::default() },
            "Europe/Madrid",
            at("2026-11-20T10:00:00Z"),
        )
        .unwrap();
        let starts: Vec<String> = weeks(&f).iter().map(|(d, _, _)| d.to_string()).collect();
        assert_eq!(starts, ["2026-11-04", "2026-11-09", "2026-11-16"]);
        assert_eq!(weeks(&f).last().unwrap().2, at("2026-11-17T23:00:00Z"));
    }

    #[test]
    fn bad_periods_are_refused_with_what_to_fix() {
        let now = at("2026-11-20T10:00:00Z");
        let bad = |from: &str, to: &str| {
            let err = filter(&ReportQuery { from: Some(from.into()), to: Some(to.into()), ..Default::default() }, "UTC", now).unwrap_err();
            err.field_message("from").or_else(|| err.field_message("to")).unwrap_or_default()
        };
        assert!(bad("yesterday", "2026-11-01").contains("2026-11-01"));
        assert!(bad("2026-11-10", "2026-11-01").contains("start before"));
        assert!(bad("2020-01-01", "2026-11-01").contains("at most"));
        assert!(bad("2026-11-01", "+262142-12-31").contains("2026-11-01"), "no date arithmetic past chrono's range");
        assert!(bad("2026-11-01", "9999-12-31").contains("2026-11-01"));
        let f = filter(&ReportQuery::default(), "UTC", now).unwrap();
        assert_eq!((f.from.to_string(), f.to.to_string()), ("2026-10-22".into(), "2026-11-20".into()));
    }
}
