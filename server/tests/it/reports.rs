//! The manager's figures, each checked against a brute-force computation over every row, on
//! random data: generated deals, then moves, first answers, hand-overs and back-dating through
//! the services and plain SQL, so the summaries the database keeps meet every kind of write.

use std::collections::{BTreeMap, HashMap};

use app::auth::{Role, SessionUser};
use app::db::entities::{deal, deal_change, reminder, stage, user};
use app::deals::service::{self as deals, Actor};
use app::deals::{Money, Outcome};
use app::reports::service as reports;
use app::reports::{Figure, ReportQuery};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::common::TestApp;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn session(u: &user::Model) -> SessionUser {
    SessionUser { id: u.id, name: u.name.clone(), email: u.email.clone(), role: Role::parse(&u.role).unwrap(), time_zone: u.time_zone.clone(), language: "en".into() }
}

/// Everything the figures are computed from, read back whole.
struct World {
    deals: Vec<deal::Model>,
    stages: Vec<stage::Model>,
    changes: Vec<deal_change::Model>,
    stays: Vec<(i64, i64, i64, String, DateTime<Utc>, i64)>,
    reminders: Vec<reminder::Model>,
}

async fn world(app: &TestApp) -> World {
    let db = &app.state.db;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT deal_id, stage_id, owner_id, source, left_at, days FROM deal_stays".to_string(),
        ))
        .await
        .unwrap();
    World {
        deals: deal::Entity::find().all(db).await.unwrap(),
        stages: stage::Entity::find().order_by_asc(stage::Column::Position).all(db).await.unwrap(),
        changes: deal_change::Entity::find().order_by_asc(deal_change::Column::Id).all(db).await.unwrap(),
        stays: rows
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index::<i64>(0).unwrap(),
                    r.try_get_by_index::<i64>(1).unwrap(),
                    r.try_get_by_index::<i64>(2).unwrap(),
                    r.try_get_by_index::<String>(3).unwrap(),
                    r.try_get_by_index::<DateTime<Utc>>(4).unwrap(),
                    r.try_get_by_index::<i64>(5).unwrap(),
                )
            })
            .collect(),
        reminders: reminder::Entity::find().all(db).await.unwrap(),
    }
}

/// Minutes to the first answer as the dashboard keeps them: exact below an hour, quarter hours
/// below a day, hours below 30 days, then 30 days.
fn bucket(d: &deal::Model) -> Option<i64> {
    let s = (d.first_response_at?.timestamp() - d.created_at.timestamp()).max(0);
    let m = s / 60;
    Some(if m < 60 {
        m
    } else if m < 1440 {
        m - m % 15
    } else if m < 43_200 {
        m - m % 60
    } else {
        43_200
    })
}

fn rank(mut values: Vec<i64>, pct: usize) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let r = (pct * values.len()).div_ceil(100).max(1);
    Some(values[r - 1])
}

fn money(pairs: impl Iterator<Item = (String, i64)>) -> Vec<Money> {
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for (c, v) in pairs {
        *by.entry(c).or_default() += v;
    }
    by.into_iter().filter(|(_, v)| *v != 0).map(|(currency, minor)| Money { minor, currency }).collect()
}

/// How far each deal went, read from its audit history alone.
fn reach(w: &World) -> HashMap<i64, i64> {
    let by_name: HashMap<&str, &stage::Model> = w.stages.iter().map(|s| (s.name.as_str(), s)).collect();
    let first = w.stages.iter().find(|s| s.kind == app::deals::StageKind::Open).unwrap().position as i64;
    let mut out: HashMap<i64, i64> = w.deals.iter().map(|d| (d.id, first)).collect();
    for c in w.changes.iter().filter(|c| c.field == "stage") {
        if let Some(s) = c.new_value.as_deref().and_then(|n| by_name.get(n))
            && s.kind != app::deals::StageKind::Lost {
                let e = out.entry(c.deal_id).or_insert(first);
                *e = (*e).max(s.position as i64);
            }
    }
    out
}

async fn check(app: &TestApp, w: &World, q: &ReportQuery, tz: &str, now: DateTime<Utc>) {
    let db = &app.state.db;
    let f = reports::filter(q, tz, now).unwrap();
    let kind: HashMap<i64, &str> = w.stages.iter().map(|s| (s.id, s.kind.as_str())).collect();
    let picked = |d: &&deal::Model| {
        f.agent.is_none_or(|a| d.owner_id.unwrap_or(0) == a) && f.source.as_ref().is_none_or(|s| &d.source == s)
    };
    let cohort: Vec<&deal::Model> = w.deals.iter().filter(picked).filter(|d| d.created_at >= f.start && d.created_at < f.end).collect();
    let context = format!("{q:?} in {tz}");

    // Open deals per stage now.
    let open = reports::open(db, &f, &w.stages).await.unwrap();
    for o in &open {
        let rows: Vec<&deal::Model> = w.deals.iter().filter(picked).filter(|d| d.stage_id == o.stage_id).collect();
        assert_eq!(o.deals, rows.len() as u64, "open in {} {context}", o.name);
        let value = money(rows.iter().map(|d| (d.currency.clone(), d.won_value.or(d.budget_max).or(d.budget_min).unwrap_or(0))));
        assert_eq!(o.value, value, "open value in {} {context}", o.name);
    }

    // The funnel, lost reasons and the sources.
    let reached = reach(w);
    let groups = reports::cohort(db, &f, &w.stages).await.unwrap();
    let funnel = reports::funnel(&groups, &w.stages);
    assert_eq!(funnel.leads, cohort.len() as u64, "leads {context}");
    for step in &funnel.steps {
        let pos = w.stages.iter().find(|s| s.id == step.stage_id).unwrap().position as i64;
        let expected = cohort.iter().filter(|d| reached[&d.id] >= pos).count() as u64;
        assert_eq!(step.reached, expected, "reached {} {context}", step.name);
    }
    let won: Vec<&&deal::Model> = cohort.iter().filter(|d| kind[&d.stage_id] == "won").collect();
    assert_eq!(funnel.won, won.len() as u64, "won {context}");
    assert_eq!(funnel.won_value, money(won.iter().map(|d| (d.currency.clone(), d.won_value.unwrap_or(0)))), "won value {context}");
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for d in cohort.iter().filter(|d| kind[&d.stage_id] == "lost") {
        *reasons.entry(d.lost_reason.clone().unwrap_or_default()).or_default() += 1;
    }
    let got: BTreeMap<String, u64> = funnel.lost_reasons.iter().cloned().collect();
    assert_eq!(got, reasons, "lost reasons {context}");
    let mut sources: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for d in &cohort {
        let e = sources.entry((d.source.clone(), d.utm_campaign.clone().unwrap_or_default())).or_default();
        e.0 += 1;
        e.1 += u64::from(kind[&d.stage_id] == "won");
    }
    let got: BTreeMap<(String, String), (u64, u64)> =
        reports::by_source(&groups).into_iter().map(|r| ((r.source, r.campaign), (r.leads, r.won))).collect();
    assert_eq!(got, sources, "sources {context}");

    // Speed to lead, in total, per agent and per source.
    let names: HashMap<i64, String> = user::Entity::find().all(db).await.unwrap().into_iter().map(|u| (u.id, u.name)).collect();
    let speed = reports::speed(&reports::responses(db, &f).await.unwrap(), &names);
    let expect = |rows: Vec<&&deal::Model>| {
        let answered: Vec<i64> = rows.iter().filter_map(|d| bucket(d)).collect();
        (
            rows.len() as u64,
            answered.len() as u64,
            rank(answered.clone(), 50),
            rank(answered.clone(), 90),
            answered.iter().filter(|m| **m < 5).count() as u64,
            answered.iter().filter(|m| **m < 60).count() as u64,
        )
    };
    let got = |r: &app::reports::SpeedRow| (r.leads, r.answered, r.median_minutes, r.p90_minutes, r.within_5m, r.within_1h);
    assert_eq!(got(&speed.total), expect(cohort.iter().collect()), "speed {context}");
    for row in &speed.by_agent {
        let id: i64 = row.key.parse().unwrap();
        assert_eq!(got(row), expect(cohort.iter().filter(|d| d.owner_id.unwrap_or(0) == id).collect()), "speed of {id} {context}");
    }
    for row in &speed.by_source {
        assert_eq!(got(row), expect(cohort.iter().filter(|d| d.source == row.key).collect()), "speed of {} {context}", row.key);
    }
    assert_eq!(speed.by_agent.iter().map(|r| r.leads).sum::<u64>(), cohort.len() as u64);

    // The team.
    let d = reports::dashboard(db, tz, q).await.unwrap();
    assert_eq!(d.funnel, funnel, "the dashboard's funnel {context}");
    let stale_after: HashMap<i64, i64> =
        w.stages.iter().filter(|s| s.kind == app::deals::StageKind::Open).filter_map(|s| s.stale_after_days.map(|d| (s.id, d as i64))).collect();
    let real_now = Utc::now();
    for row in &d.team {
        let mine = |d: &&deal::Model| d.owner_id.unwrap_or(0) == row.id;
        let all: Vec<&deal::Model> = w.deals.iter().filter(picked).filter(mine).collect();
        assert_eq!(row.open, all.iter().filter(|d| kind[&d.stage_id] == "open").count() as u64, "open of {} {context}", row.name);
        let stale = all
            .iter()
            .filter(|d| stale_after.get(&d.stage_id).is_some_and(|days| d.updated_at < real_now - Duration::days(*days)))
            .count() as u64;
        assert_eq!(row.stale, stale, "stale of {} {context}", row.name);
        let won: Vec<&&deal::Model> =
            all.iter().filter(|d| kind[&d.stage_id] == "won" && d.closed_at.is_some_and(|c| c >= f.start && c < f.end)).collect();
        assert_eq!(row.won, won.len() as u64, "won by {} {context}", row.name);
        assert_eq!(row.won_value, money(won.iter().map(|d| (d.currency.clone(), d.won_value.unwrap_or(0)))));
        let tasks: Vec<&reminder::Model> = w.reminders.iter().filter(|r| r.assignee_id == row.id).collect();
        let done = tasks.iter().filter(|r| r.state == app::reminders::State::Done && r.completed_at.is_some_and(|c| c >= f.start && c < f.end)).count();
        assert_eq!(row.done, done as u64, "done by {} {context}", row.name);
        let overdue = tasks.iter().filter(|r| r.state == app::reminders::State::Pending && r.due_at < real_now).count();
        assert_eq!(row.overdue, overdue as u64, "overdue of {} {context}", row.name);
    }

    // Time in stage, from the stays.
    for t in &d.stage_time {
        let days: Vec<i64> = w
            .stays
            .iter()
            .filter(|s| s.1 == t.stage_id && s.4 >= f.start && s.4 < f.end)
            .filter(|s| f.agent.is_none_or(|a| s.2 == a) && f.source.as_ref().is_none_or(|src| &s.3 == src))
            .map(|s| s.5)
            .collect();
        assert_eq!(t.stays, days.len() as u64, "stays in {} {context}", t.name);
        assert_eq!(t.median_days, rank(days, 50), "median days in {} {context}", t.name);
    }

    // Weeks, Monday to Sunday in the viewer's zone.
    let zone: chrono_tz::Tz = tz.parse().unwrap();
    let local = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
    let week_of = |day: NaiveDate| -> String {
        let monday = day - Duration::days(chrono::Datelike::weekday(&day).num_days_from_monday() as i64);
        monday.max(f.from).format("%Y-%m-%d").to_string()
    };
    let mut weeks: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for d in &cohort {
        weeks.entry(week_of(local(d.created_at))).or_default().0 += 1;
    }
    for d in w.deals.iter().filter(picked).filter(|d| kind[&d.stage_id] == "won") {
        if let Some(c) = d.closed_at.filter(|c| *c >= f.start && *c < f.end) {
            weeks.entry(week_of(local(c))).or_default().1 += 1;
        }
    }
    let got: BTreeMap<String, (u64, u64)> =
        d.weekly.iter().filter(|w| w.new_leads + w.won > 0).map(|w| (w.start.clone(), (w.new_leads, w.won))).collect();
    assert_eq!(got, weeks, "weeks {context}");

    // Each number opens the same number of deals.
    let manager = user::Entity::find().filter(user::Column::Role.eq("manager")).one(db).await.unwrap().unwrap();
    let viewer = SessionUser { time_zone: tz.into(), ..session(&manager) };
    let mut figures = vec![(Figure::Leads, funnel.leads), (Figure::Won, funnel.won), (Figure::Unanswered, speed.total.leads - speed.total.answered)];
    figures.push((Figure::AnsweredWithin { minutes: 5 }, speed.total.within_5m));
    figures.push((Figure::AnsweredWithin { minutes: 60 }, speed.total.within_1h));
    figures.extend(funnel.steps.iter().map(|s| (Figure::Reached { stage: s.stage_id }, s.reached)));
    figures.extend(open.iter().map(|o| (Figure::Open { stage: o.stage_id }, o.deals)));
    figures.extend(funnel.lost_reasons.iter().map(|(r, n)| (Figure::LostReason { reason: r.clone() }, *n)));
    figures.extend(d.team.iter().flat_map(|r| {
        [(Figure::AgentOpen { agent: r.id }, r.open), (Figure::AgentWon { agent: r.id }, r.won), (Figure::Stale { agent: r.id }, r.stale)]
    }));
    figures.extend(d.by_source.iter().map(|r| (Figure::Source { source: r.source.clone(), campaign: r.campaign.clone(), won: false }, r.leads)));
    figures.extend(d.weekly.iter().flat_map(|w| [(Figure::WeekNew { start: w.start.clone() }, w.new_leads), (Figure::WeekWon { start: w.start.clone() }, w.won)]));
    figures.extend(d.stage_time.iter().map(|t| {
        let deals_behind = w
            .stays
            .iter()
            .filter(|s| s.1 == t.stage_id && s.4 >= f.start && s.4 < f.end)
            .filter(|s| f.agent.is_none_or(|a| s.2 == a) && f.source.as_ref().is_none_or(|src| &s.3 == src))
            .map(|s| s.0)
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        (Figure::StageTime { stage: t.stage_id }, deals_behind)
    }));
    for (figure, n) in figures {
        let behind = reports::drill_down(db, &viewer, q, &figure, 1).await.unwrap();
        assert_eq!(behind.total, n, "the deals behind {figure:?} {context}");
    }
}

#[tokio::test]
async fn every_figure_matches_a_count_over_every_row() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let _ = app.admin_cookie().await;
    let manager = app.add_user("Elena Garcia", "elena@costa.test", "manager", "manager passphrase 1").await;
    for (name, email) in [("Ana Lopez", "ana@costa.test"), ("Marco Rossi", "marco@costa.test"), ("Sofia Jansen", "sofia@costa.test")] {
        app.add_user(name, email, "agent", "agent passphrase 12").await;
    }
    doorstep::volume::generate(db, 700, 7, 70, false).await.unwrap();

    // Writes through the services and by hand on top of the generated history.
    let people = user::Entity::find().all(db).await.unwrap();
    let boss = Actor::person(&session(people.iter().find(|u| u.id == manager).unwrap()));
    let agents: Vec<&user::Model> = people.iter().filter(|u| u.role == "agent").collect();
    let stages = stage::Entity::find().order_by_asc(stage::Column::Position).all(db).await.unwrap();
    let reason = app::db::entities::lost_reason::Entity::find().one(db).await.unwrap().unwrap().name;
    let mut rng = Rng(0x9e37_79b9);
    let all = deal::Entity::find().order_by_asc(deal::Column::Id).all(db).await.unwrap();
    for _ in 0..60 {
        let d = &all[rng.below(all.len() as u64) as usize];
        let current = deal::Entity::find_by_id(d.id).one(db).await.unwrap().unwrap();
        let target = &stages[rng.below(stages.len() as u64) as usize];
        let (reason, won) = match target.kind.as_str() {
            "lost" => (Some(reason.clone()), None),
            "won" => (None, Some("275000".to_string())),
            _ => (None, None),
        };
        let to = app::deals::StageMove { stage_id: target.id, lost_reason: reason, won_value: won };
        deals::move_stage(db, &app.state.notifier, &boss, app::deals::DealId(current.id), app::deals::Version(current.version), to).await.unwrap();
    }
    for _ in 0..30 {
        let d = &all[rng.below(all.len() as u64) as usize];
        deals::log_outcome(db, &app.state.notifier, &boss, d.id, Outcome::CalledSpoke, "").await.unwrap();
    }
    let handed: Vec<i64> = (0..40).map(|_| all[rng.below(all.len() as u64) as usize].id).collect();
    let to = agents[rng.below(agents.len() as u64) as usize].id;
    deals::reassign_many(db, &app.state.notifier, &boss, &handed, to).await.unwrap();
    // Back-dating and a changed source move deals between days and sources.
    for _ in 0..20 {
        let d = &all[rng.below(all.len() as u64) as usize];
        deal::Entity::update_many()
            .col_expr(deal::Column::CreatedAt, Expr::value(d.created_at - Duration::hours(rng.below(72) as i64)))
            .col_expr(deal::Column::Source, Expr::value(format!("=HYPERLINK(\"x\",\"{}\")", rng.below(2))))
            .filter(deal::Column::Id.eq(d.id))
            .exec(db)
            .await
            .unwrap();
    }

    // A stage's kind stays while it holds deals (the summaries count deals by it).
    let busy = stages.iter().find(|s| s.kind == app::deals::StageKind::Open).unwrap();
    let refused = deals::save_stage(db, Some(busy.id), &busy.name, "lost", busy.position, busy.stale_after_days).await.unwrap_err();
    assert!(refused.field_message("kind").unwrap().contains("Move them"), "{refused:?}");

    let w = world(&app).await;
    let now = Utc::now();
    // The history and the stays agree.
    let moves = w.changes.iter().filter(|c| c.field == "stage").count();
    assert_eq!(w.stays.len(), moves, "one stay per stage move");

    let today = now.date_naive();
    let day = |n: i64| (today - Duration::days(n)).format("%Y-%m-%d").to_string();
    let mut queries = vec![
        ReportQuery::default(),
        ReportQuery { from: Some(day(80)), to: Some(day(0)), ..Default::default() },
        ReportQuery { from: Some(day(45)), to: Some(day(31)), agent: Some(agents[0].id), ..Default::default() },
        ReportQuery { from: Some(day(60)), to: Some(day(2)), source: Some("api:idealista".into()), ..Default::default() },
        // Nobody's deals (owner 0 in the summaries, NULL in the rows).
        ReportQuery { from: Some(day(50)), to: Some(day(3)), agent: Some(0), ..Default::default() },
        // Long periods read whole months from the monthly summaries.
        ReportQuery { from: Some(day(400)), to: Some(day(0)), ..Default::default() },
        ReportQuery { from: Some(day(75)), to: Some(day(1)), agent: Some(agents[1].id), source: Some("form:contact".into()) },
    ];
    for _ in 0..4 {
        let a = rng.below(75) as i64;
        let b = a - rng.below(a.max(1) as u64) as i64;
        queries.push(ReportQuery {
            from: Some(day(a)),
            to: Some(day(b.max(0))),
            agent: (rng.below(2) == 0).then(|| agents[rng.below(agents.len() as u64) as usize].id),
            source: (rng.below(3) == 0).then(|| "form:contact".to_string()),
        });
    }
    for (i, q) in queries.iter().enumerate() {
        let tz = ["Europe/Madrid", "America/New_York", "Asia/Tokyo", "UTC"][i % 4];
        check(&app, &w, q, tz, now).await;
    }
    // Each monthly summary and the daily flow are their daily rows added up.
    let month = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "(date_trunc('month', (DATE '1970-01-01' + CAST(day AS INTEGER))::timestamp)::date - DATE '1970-01-01')",
        _ => "CAST(unixepoch(day * 86400, 'unixepoch', 'start of month') / 86400 AS INTEGER)",
    };
    let rows = |sql: String| async move {
        let mut out: Vec<String> = db
            .query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .iter()
            .map(|r| format!("{:?}", (0..9).map(|i| r.try_get_by_index::<i64>(i).map(|n| n.to_string()).or_else(|_| r.try_get_by_index::<String>(i)).unwrap_or_default()).collect::<Vec<_>>()))
            .collect();
        out.sort();
        out
    };
    for (table, keys, sums) in [
        ("report_cohort", "owner_id, source, campaign, currency, furthest_position, outcome, lost_reason", "deals, won_value"),
        ("report_response", "owner_id, source, bucket", "deals"),
        ("report_won", "owner_id, source, campaign, currency", "deals, value"),
        ("report_followups", "assignee_id", "done"),
        ("report_stage_time", "owner_id, source, stage_id, days", "stays"),
    ] {
        let summed: Vec<String> = sums.split(", ").map(|s| format!("CAST(SUM({s}) AS BIGINT) AS {s}")).collect();
        let any = sums.split(", ").map(|s| format!("{s} <> 0")).collect::<Vec<_>>().join(" OR ");
        let daily = rows(format!(
            "SELECT * FROM (SELECT CAST({month} AS BIGINT) AS m, {keys}, {} FROM {table} GROUP BY {month}, {keys}) AS d WHERE {any}",
            summed.join(", ")
        ))
        .await;
        let monthly = rows(format!("SELECT day, {keys}, {sums} FROM {table}_month WHERE {any}")).await;
        assert!(!daily.is_empty(), "{table} has rows");
        assert_eq!(monthly, daily, "{table}_month adds up its days");
    }
    let flow = rows("SELECT day, owner_id, source, leads, won FROM report_flow WHERE leads <> 0 OR won <> 0".into()).await;
    let days = rows(
        "SELECT day, owner_id, source, CAST(SUM(leads) AS BIGINT), CAST(SUM(won) AS BIGINT) FROM (SELECT day, owner_id, source, deals AS leads, 0 AS won FROM report_cohort \
         UNION ALL SELECT day, owner_id, source, 0, deals FROM report_won) AS u GROUP BY day, owner_id, source HAVING SUM(leads) <> 0 OR SUM(won) <> 0"
            .into(),
    )
    .await;
    assert_eq!(flow, days, "report_flow adds up new leads and won deals per day");
}

#[tokio::test]
async fn managers_hand_deals_over_in_bulk_and_agents_cannot() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let _ = app.admin_cookie().await;
    app.add_user("Elena Garcia", "elena@costa.test", "manager", "manager passphrase 1").await;
    let ana = app.add_user("Ana Lopez", "ana@costa.test", "agent", "agent passphrase 12").await;
    let marco = app.add_user("Marco Rossi", "marco@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, 60, 3, 20, false).await.unwrap();
    let boss = app.login_cookie("elena@costa.test", "manager passphrase 1").await;
    let agent = app.login_cookie("ana@costa.test", "agent passphrase 12").await;

    let anas = deals::open_deal_ids(db, ana).await.unwrap();
    assert!(anas.len() >= 3, "the generated data gives Ana open deals");
    let body = format!("deal_ids[0]={}&deal_ids[1]={}&owner_id={marco}", anas[0], anas[1]);
    let refused = app.call("/api/reports/reassign", &body, Some(&agent)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let before = deal::Entity::find_by_id(anas[0]).one(db).await.unwrap().unwrap();
    let moved = app.call("/api/reports/reassign", &body, Some(&boss)).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body, "2");
    let after = deal::Entity::find_by_id(anas[0]).one(db).await.unwrap().unwrap();
    assert_eq!((after.owner_id, after.version), (Some(marco), before.version + 1));
    let audit = deal_change::Entity::find()
        .filter(deal_change::Column::DealId.eq(anas[0]))
        .filter(deal_change::Column::Field.eq("owner"))
        .one(db)
        .await
        .unwrap()
        .expect("the hand-over is in the deal's history");
    assert_eq!((audit.old_value.as_deref(), audit.new_value.as_deref(), audit.version), (Some("Ana Lopez"), Some("Marco Rossi"), after.version));
    let notices = app::db::entities::notification::Entity::find()
        .filter(app::db::entities::notification::Column::UserId.eq(marco))
        .all(db)
        .await
        .unwrap();
    assert_eq!(notices.iter().filter(|n| n.title.contains("gave you 2 deals")).count(), 1, "one notice for the batch");

    // Nothing ticked, or nobody chosen: a clear refusal, nothing moves.
    let none = app.call("/api/reports/reassign", &format!("owner_id={marco}"), Some(&boss)).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Tick the deals"), "{}", none.body);

    // Away, then every open deal of Ana's goes to Marco at once.
    let away = app.call("/api/reports/away", &format!("user_id={ana}&away=true"), Some(&boss)).await;
    assert_eq!(away.status, StatusCode::OK, "{}", away.body);
    assert!(user::Entity::find_by_id(ana).one(db).await.unwrap().unwrap().away);
    let rest = deals::open_deal_ids(db, ana).await.unwrap();
    let handed = app.call("/api/reports/hand-over", &format!("from_id={ana}&owner_id={marco}"), Some(&boss)).await;
    assert_eq!(handed.body, rest.len().to_string());
    assert!(deals::open_deal_ids(db, ana).await.unwrap().is_empty());
    let again = app.call("/api/reports/hand-over", &format!("from_id={ana}&owner_id={marco}"), Some(&boss)).await;
    assert!(again.body.contains("no open deals"), "{}", again.body);
}

#[tokio::test]
async fn tables_download_as_csv_and_figures_read_as_json() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    let _ = app.admin_cookie().await;
    app.add_user("Elena Garcia", "elena@costa.test", "manager", "manager passphrase 1").await;
    app.add_user("Ana Lopez", "ana@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, 80, 5, 30, false).await.unwrap();
    deal::Entity::update_many()
        .col_expr(deal::Column::Source, Expr::value("=cmd|' /C calc'!A0"))
        .filter(deal::Column::Id.eq(1))
        .exec(db)
        .await
        .unwrap();
    let boss = app.login_cookie("elena@costa.test", "manager passphrase 1").await;
    let agent = app.login_cookie("ana@costa.test", "agent passphrase 12").await;

    let team = app.get("/reports/export/team.csv", Some(&boss)).await;
    assert_eq!(team.status, StatusCode::OK);
    assert_eq!(team.headers["content-type"], "text/csv; charset=utf-8");
    assert!(team.body.starts_with("agent id,agent,away,open,follow-ups done"), "{}", team.body);
    assert!(team.body.contains("Ana Lopez"));
    // A manager who reads Spanish gets the columns in Spanish.
    let elena = app::auth::service::find_by_email(db, "elena@costa.test").await.unwrap().id;
    app::auth::service::set_language(db, elena, Some("es")).await.unwrap();
    let spanish = app.get("/reports/export/funnel.csv", Some(&boss)).await;
    let lines: Vec<&str> = spanish.body.lines().take(2).collect();
    assert_eq!(lines[0], "etapa,alcanzadas,desde el paso anterior,desde todos los contactos", "{}", spanish.body);
    assert!(lines[1].starts_with("Contactos nuevos,"), "{}", spanish.body);
    app::auth::service::set_language(db, elena, None).await.unwrap();
    for table in ["open", "funnel", "lost-reasons", "speed", "sources", "stage-time", "weekly"] {
        let reply = app.get(&format!("/reports/export/{table}.csv?from=2020-01-01&to=2022-12-31"), Some(&boss)).await;
        assert_eq!(reply.status, StatusCode::OK, "{table}: {}", reply.body);
    }
    let from = (Utc::now() - Duration::days(60)).format("%Y-%m-%d");
    let sources = app.get(&format!("/reports/export/sources.csv?from={from}"), Some(&boss)).await;
    assert!(sources.body.contains("'=cmd|"), "a formula from outside is quoted: {}", sources.body);
    let listed = app.get(&format!("/reports/export/deals.csv?from={from}&figure=leads"), Some(&boss)).await;
    assert_eq!(listed.body.lines().count() as u64 - 1, 80, "every new lead is a row");
    // Money in whole units, as in the Data export: one deal's budget read from both.
    let some_deal: i64 = listed.body.lines().nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
    deal::Entity::update_many()
        .col_expr(deal::Column::BudgetMin, Expr::value(25_000_000i64))
        .col_expr(deal::Column::BudgetMax, Expr::value(35_000_050i64))
        .filter(deal::Column::Id.eq(some_deal))
        .exec(db)
        .await
        .unwrap();
    let budget_of = |csv: &str| -> (String, String) {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |name: &str| header.iter().position(|h| h.trim() == name).unwrap_or_else(|| panic!("no {name} in {csv:.300}"));
        let (low, high) = (at("budget_min"), at("budget_max"));
        let row: Vec<&str> = lines.find(|l| l.starts_with(&format!("{some_deal},"))).expect("the deal's row").split(',').collect();
        (row[low].to_owned(), row[high].to_owned())
    };
    let reports = app.get(&format!("/reports/export/deals.csv?from={from}&figure=leads"), Some(&boss)).await;
    let data = app.get("/data/export/deals.csv", Some(&boss)).await;
    assert_eq!(budget_of(&reports.body), ("250000".to_owned(), "350000.50".to_owned()), "{}", reports.body.lines().next().unwrap());
    assert_eq!(budget_of(&reports.body), budget_of(&data.body), "both exports write the same budget");
    assert_eq!(app.get("/reports/export/team.csv", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    let bad = app.get("/reports/export/team.csv?from=someday", Some(&boss)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("2026-11-01"), "{}", bad.body);
    let no_figure = app.get("/reports/export/deals.csv?figure=everything", Some(&boss)).await;
    assert!(no_figure.body.contains("Name the figure"), "{}", no_figure.body);

    // JSON for tools: an admin key reads what the page shows.
    let key = app::apikeys::service::create(db, "BI", "admin").await.unwrap().key;
    let capture = app::apikeys::service::create(db, "Site", "capture").await.unwrap().key;
    let get = |path: String, key: String| {
        let request = axum::http::Request::get(path).header("authorization", format!("Bearer {key}")).body(axum::body::Body::empty()).unwrap();
        app.send(request)
    };
    let funnel = get(format!("/api/v1/reports/funnel?from={from}"), key.clone()).await;
    assert_eq!(funnel.status, StatusCode::OK, "{}", funnel.body);
    let json: serde_json::Value = serde_json::from_str(&funnel.body).unwrap();
    assert_eq!(json["funnel"]["leads"], 80);
    let time_zone = app::agency::load(db).await.unwrap().time_zone;
    let page = reports::dashboard(db, &time_zone, &ReportQuery { from: Some(from.to_string()), ..Default::default() }).await.unwrap();
    assert_eq!(json["funnel"], serde_json::to_value(&page.funnel).unwrap());
    let behind = get(format!("/api/v1/reports/deals?from={from}&figure=won"), key.clone()).await;
    let behind: serde_json::Value = serde_json::from_str(&behind.body).unwrap();
    assert_eq!(behind["total"], page.funnel.won);
    assert_eq!(get("/api/v1/reports/team".into(), capture).await.status, StatusCode::FORBIDDEN);
    let bad = get("/api/v1/reports/team?to=tomorrow".into(), key.clone()).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("2026-11-01"), "{}", bad.body);
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert!(doc.body.contains("/reports/funnel") && doc.body.contains("/reports/deals"));
    // The hydrated page asks with no filters at all (an empty body) after a client-side move.
    let fresh = app.call("/api/reports/dashboard", "", Some(&boss)).await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
    assert_eq!(app.call("/api/reports/dashboard", "", Some(&agent)).await.status, StatusCode::FORBIDDEN);
    // The dashboard page renders for the manager with its charts, and refuses an agent.
    let page = app.get("/reports", Some(&boss)).await;
    assert!(page.body.contains("<svg") && page.body.contains("class=\"chart-bar\""), "charts are drawn on the server");
    assert!(page.body.contains("Speed to lead"));
    assert_eq!(app.get("/reports", Some(&agent)).await.status, StatusCode::FORBIDDEN);
}

/// A bulk load leaves PostgreSQL's report tables thousands of dead rows long, which every read
/// of them goes through; the hourly tidy-up rewrites them to their live rows, and every figure
/// stays as it was.
#[tokio::test]
async fn the_tidy_up_rewrites_the_report_tables_a_bulk_load_left_long() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    app.add_user("Ana Agent", "ana@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, 3000, 7, 30, false).await.unwrap();
    db.execute_unprepared("VACUUM ANALYZE report_open").await.unwrap();
    let read = |sql: &'static str| async move {
        let row = db.query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, sql)).await.unwrap().unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let pages = || read("SELECT pg_relation_size('report_open') / current_setting('block_size')::bigint");
    let open = || read("SELECT CAST(sum(deals) AS BIGINT) * 1000003 + CAST(sum(value) % 1000003 AS BIGINT) FROM report_open");
    let (before, figures) = (pages().await, open().await);
    assert!(before > 8, "3,000 deals in three transactions left report_open {before} pages long");

    app::db::optimize(db).await.unwrap();
    let after = pages().await;
    assert!(after <= 2, "{before} pages rewritten to {after}");
    assert_eq!(open().await, figures, "the open deals' counts and worth are as they were");
    assert!(!reports::sources(db).await.unwrap().is_empty(), "the sources are still listed");
}
