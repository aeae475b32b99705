//! `doorstep bench capture`: form posts per second and latency through the real HTTP stack
//! and a real SQLite file, on this machine. The server and the clients share the machine,
//! so the figure is a floor for a server that has it to itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::auth::NewUserInput;
use sea_orm::{EntityTrait, PaginatorTrait};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::config::Config;

/// The targets from the product brief.
const TARGET_POSTS_PER_SECOND: f64 = 2000.0;
const TARGET_P99_MS: f64 = 50.0;

pub struct CaptureBench {
    pub seconds: u64,
    pub connections: usize,
    /// Percent of posts from a returning prospect.
    pub returning: u8,
}

pub async fn capture(options: CaptureBench) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let mut config = Config::for_data_dir(dir.path(), None);
    // One client address sends everything here; the limit has its own tests.
    config.capture_rate_limit = u32::MAX;
    let state = config.app_state().await?;
    for i in 0..5 {
        let agent = NewUserInput {
            name: format!("Agent {i}"),
            email: format!("agent{i}@bench.test"),
            phone: String::new(),
            role: "agent".into(),
            time_zone: "Europe/Madrid".into(),
            password: "bench passphrase".into(),
        };
        app::auth::service::create_user(&state.db, &agent).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let settings = app::capture::FormSettings::with_defaults("bench", "Benchmark form");
    app::capture::service::save_form(&state.db, None, &settings).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let served = chrono::Utc::now().timestamp_millis() - 10_000;
    let token = app::auth::session::sign(&state.cookie_secret, &served.to_string());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = crate::http::router(state.clone(), config.edge());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });

    println!(
        "bench capture: {} connections for {} s, {}% returning prospects, against {addr} (SQLite in {})",
        options.connections,
        options.seconds,
        options.returning,
        dir.path().display()
    );
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for client in 0..options.connections {
        let (measuring, stop, counter, token) = (measuring.clone(), stop.clone(), counter.clone(), token.clone());
        let returning = options.returning;
        clients.push(tokio::spawn(async move { run_client(addr, client, returning, token, counter, measuring, stop).await }));
    }
    // A second of warm-up, then the measured window.
    tokio::time::sleep(Duration::from_secs(1)).await;
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(options.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();

    let mut latencies = Vec::new();
    let mut failures = 0u64;
    for client in clients {
        let (mut samples, failed) = client.await??;
        latencies.append(&mut samples);
        failures += failed;
    }
    if latencies.is_empty() {
        bail!("no request completed");
    }
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1000.0;
    let rate = latencies.len() as f64 / elapsed;
    let (p50, p90, p99, max) = (pct(0.50), pct(0.90), pct(0.99), pct(1.0));
    // Every accepted post is one inquiry on a deal's timeline.
    let stored = app::db::entities::activity::Entity::find().count(&state.db).await?;
    let sent = counter.load(Ordering::Relaxed);

    println!("posts measured   {}", latencies.len());
    println!("throughput       {rate:.0} posts/s   (target >= {TARGET_POSTS_PER_SECOND:.0}: {:.2}x)", rate / TARGET_POSTS_PER_SECOND);
    println!("latency p50      {p50:.2} ms");
    println!("latency p90      {p90:.2} ms");
    println!("latency p99      {p99:.2} ms   (target < {TARGET_P99_MS:.0} ms: {:.2} of the limit)", p99 / TARGET_P99_MS);
    println!("latency max      {max:.2} ms");
    println!("failed requests  {failures}");
    println!("leads stored     {stored} of {sent} accepted (warm-up included)");
    if stored != sent {
        bail!("{} accepted leads are missing from the database", sent - stored);
    }
    Ok(())
}

/// One keep-alive connection posting leads as fast as the server answers: from new
/// prospects, and `returning` percent of the time from one of its earlier prospects again.
async fn run_client(
    addr: SocketAddr,
    client: usize,
    returning: u8,
    token: String,
    counter: Arc<AtomicU64>,
    measuring: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<(Vec<Duration>, u64)> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut stream = BufReader::new(stream);
    let mut samples = Vec::new();
    let mut failures = 0;
    let mut n = 0u64;
    let mut people = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // A fixed stride through 0..100 spreads the returning posts evenly.
        let comes_back = !people.is_empty() && (n * 37 % 100) < u64::from(returning);
        let person = if comes_back { people[n as usize % people.len()] } else { n };
        let phone = format!("%2B346{:02}{:06}", client % 100, person % 1_000_000);
        let body = format!("name=Bench+Prospect+{client}-{person}&phone={phone}&need=buy&message=Looking+for+a+flat+{n}&t={token}");
        let request = format!(
            "POST /f/bench HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let started = Instant::now();
        stream.get_mut().write_all(request.as_bytes()).await?;
        let status = read_response(&mut stream).await?;
        let took = started.elapsed();
        if status == 303 {
            counter.fetch_add(1, Ordering::Relaxed);
            if !comes_back {
                people.push(person);
            }
            if measuring.load(Ordering::Relaxed) {
                samples.push(took);
            }
        } else {
            failures += 1;
        }
    }
    Ok((samples, failures))
}

/// Reads one HTTP/1.1 response and returns its status.
async fn read_response(stream: &mut BufReader<TcpStream>) -> anyhow::Result<u16> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line.split_whitespace().nth(1).context("a status line")?.parse()?;
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

/// The pipeline page with this many deals on it (all visible: fewer than a page per stage).
const PIPELINE_DEALS: usize = 200;
const TIMELINE_ENTRIES: usize = 500;
/// Where the paging has to stay fast.
const LARGE_PIPELINE: usize = 10_000;
const TARGET_RENDER_MS: f64 = 20.0;
/// Where the search has to stay fast, and how fast.
const SEARCHED_PIPELINE: usize = 100_000;
const TARGET_SEARCH_P50_MS: f64 = 5.0;
const TARGET_SEARCH_P99_MS: f64 = 15.0;

pub struct PagesBench {
    pub requests: usize,
    /// An empty PostgreSQL database to fill, else a fresh SQLite file.
    pub database_url: Option<String>,
}

/// `doorstep bench pages`: server-side render time of the pipeline and deal pages, through
/// the real router (session check, queries, rendering), in-process so no network is counted.
pub async fn pages(options: PagesBench) -> anyhow::Result<()> {
    use app::auth::Role;
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let config = Config::for_data_dir(dir.path(), options.database_url.clone());
    let state = config.app_state().await?;
    let manager = NewUserInput {
        name: "Mia Manager".into(),
        email: "mia@bench.test".into(),
        phone: String::new(),
        role: Role::Manager.as_str().into(),
        time_zone: "Europe/Madrid".into(),
        password: "bench passphrase".into(),
    };
    let mia = app::auth::service::create_user(&state.db, &manager).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    state.mark_set_up();
    let router = crate::http::router(state.clone(), config.edge());

    let login = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header(header::ACCEPT, "text/html")
        .body(Body::from("email=mia%40bench.test&password=bench+passphrase"))?;
    let response = router.clone().oneshot(login).await?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(app::auth::session::COOKIE_NAME))
        .and_then(|v| v.split(';').next())
        .context("a session cookie from logging in")?
        .to_owned();

    let render = |path: String| {
        let (router, cookie) = (router.clone(), cookie.clone());
        async move {
            let request = Request::get(&path).header(header::COOKIE, &cookie).header(header::ACCEPT, "text/html").body(Body::empty())?;
            let started = Instant::now();
            let response = router.oneshot(request).await?;
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            let took = started.elapsed();
            if !status.is_success() {
                bail!("{path} answered {status}");
            }
            anyhow::Ok((took, body.len()))
        }
    };
    let sample = |path: String| {
        let render = &render;
        async move {
            for _ in 0..5 {
                render(path.clone()).await?;
            }
            let mut samples = Vec::with_capacity(options.requests);
            let mut size = 0;
            for _ in 0..options.requests {
                let (took, bytes) = render(path.clone()).await?;
                samples.push(took);
                size = bytes;
            }
            samples.sort_unstable();
            let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0;
            anyhow::Ok((pct(0.5), pct(0.99), size / 1024))
        }
    };
    let measure = |label: &'static str, path: String| {
        let sample = &sample;
        async move {
            let (p50, p99, kb) = sample(path).await?;
            println!("{label:<38} p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   ({kb} KB of HTML; target < {TARGET_RENDER_MS:.0} ms: {:.2} of it at p50)", p50 / TARGET_RENDER_MS);
            anyhow::Ok(())
        }
    };
    let search = |query: String| {
        let sample = &sample;
        async move {
            let (p50, p99, kb) = sample(format!("/pipeline?everyone=1&{}", serde_urlencoded::to_string([("q", &query)])?)).await?;
            let met = if p50 < TARGET_SEARCH_P50_MS && p99 < TARGET_SEARCH_P99_MS { "met" } else { "NOT MET" };
            let label = format!("search \"{query}\"");
            println!("{label:<38} p50 {p50:>6.2} ms   p99 {p99:>6.2} ms   ({kb} KB of HTML; target p50 < {TARGET_SEARCH_P50_MS:.0} ms, p99 < {TARGET_SEARCH_P99_MS:.0} ms: {met})");
            anyhow::Ok(())
        }
    };

    let backend = if options.database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("bench pages: {} renders each, after 5 warm-up renders, {backend}", options.requests);
    let first = seed_deals(&state.db, mia.id, PIPELINE_DEALS, 0).await?;
    measure("pipeline, 200 deals on the board", "/pipeline?everyone=1".into()).await?;
    seed_timeline(&state.db, first, mia.id, TIMELINE_ENTRIES).await?;
    measure("deal with a 500-entry timeline", format!("/deals/{first}")).await?;
    seed_deals(&state.db, mia.id, LARGE_PIPELINE - PIPELINE_DEALS, PIPELINE_DEALS).await?;
    settle(&state.db).await?;
    let new_stage = app::deals::service::stages(&state.db).await.map_err(|e| anyhow::anyhow!("{e:?}"))?[0].id;
    measure("pipeline, 10,000 deals, first page", "/pipeline?everyone=1".into()).await?;
    measure("pipeline, 10,000 deals, page 40", format!("/pipeline?everyone=1&stage={new_stage}&page=40")).await?;
    seed_deals(&state.db, mia.id, SEARCHED_PIPELINE - LARGE_PIPELINE, LARGE_PIPELINE).await?;
    settle(&state.db).await?;
    println!("the pipeline searched at {SEARCHED_PIPELINE} deals (names, e-mails and phones as agencies have them):");
    // A surname shared by about one contact in sixty, a whole name, an accented name typed
    // without its accents, a phone number as it is written, part of a number, an e-mail.
    let sought = contact_of(77_777);
    for query in ["lopez", &sought.0, &sought.1, &sought.2, "612 345", &sought.3, "nobody like this"] {
        search(query.to_owned()).await?;
    }
    measure("pipeline, 100,000 deals, first page", "/pipeline?everyone=1".into()).await?;
    Ok(())
}

/// First names and surnames as the agencies' clients have them, accents and all.
const FIRST_NAMES: [&str; 24] = [
    "María", "José", "Lucía", "Javier", "Carmen", "Álvaro", "Inés", "Jürgen", "Søren", "Zoë", "Łukasz", "François", "Ana", "Pablo", "Elena",
    "Tomás", "Chloé", "Björn", "Noémie", "Raúl", "Begoña", "Iñaki", "Małgorzata", "Oliver",
];
const SURNAMES: [&str; 60] = [
    "García", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Fernández", "Rodríguez", "Díaz", "Álvarez", "Muñoz", "Romero", "Jiménez",
    "Ruiz", "Hernández", "Moreno", "Navarro", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Blanco", "Suárez", "Molina", "Castro",
    "Ortiz", "Rubio", "Marín", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano",
    "Prieto", "Méndez", "Müller", "Schröder", "Weiß", "Jørgensen", "Lefèvre", "Dubois", "Wójcik", "Kowalczyk", "Nowak", "Smith", "O'Brien",
    "Peña", "Calderón", "Ibáñez", "Cruz", "Vega", "León", "Herrera", "Márquez",
];

/// The `i`th seeded contact: name, the name as typed without accents, phone as written,
/// e-mail.
fn contact_of(i: usize) -> (String, String, String, String) {
    let first = FIRST_NAMES[i % FIRST_NAMES.len()];
    let last = SURNAMES[(i / FIRST_NAMES.len()) % SURNAMES.len()];
    let second = SURNAMES[(i * 7 + 3) % SURNAMES.len()];
    let name = format!("{first} {last} {second}");
    let digits = (600_000_000 + (i * 7_919) % 100_000_000).to_string();
    let phone = format!("+34 {} {} {} {}", &digits[0..3], &digits[3..5], &digits[5..7], &digits[7..9]);
    let email = format!("{}.{}{i}@example.com", app::search::fold(first), app::search::fold(last).replace(['\'', ' '], ""));
    (name, app::search::fold(&format!("{first} {last}")), phone, email)
}

/// What the server's hourly housekeeping does to a database that grew (`app::db::optimize`),
/// and on PostgreSQL what autovacuum does by itself within a minute or two of a bulk load:
/// statistics for the planner, and the trigram indexes' pending entries merged (GIN's
/// fast-update list, which every search reads through until then). Each bulk load is measured
/// as a database in use finds itself, not in the minutes after the load.
async fn settle(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    app::db::optimize(db).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("VACUUM ANALYZE contacts, deals, properties").await?;
    }
    Ok(())
}

/// `count` deals spread over the five stages before Lost, each with its contact and inquiry.
async fn seed_deals(db: &sea_orm::DatabaseConnection, owner: i64, count: usize, offset: usize) -> anyhow::Result<i64> {
    use app::db::entities::{activity, contact, deal};
    use sea_orm::{EntityTrait, Set};
    let stages = app::deals::service::stages(db).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let now = chrono::Utc::now();
    let mut first = None;
    for chunk in (offset..offset + count).collect::<Vec<_>>().chunks(500) {
        let contacts = chunk.iter().map(|&i| {
            let (name, _, phone, email) = contact_of(i);
            let phone: String = phone.chars().filter(|c| *c == '+' || c.is_ascii_digit()).collect();
            contact::ActiveModel {
            name: Set(name),
            phone: Set(Some(phone.clone())),
            email: Set(Some(email)),
            whatsapp: Set(Some(phone)),
            marketing_consent: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
            }
            .searchable()
        });
        let contacts = contact::Entity::insert_many(contacts).exec_with_returning(db).await?;
        let deals = contacts.iter().enumerate().map(|(n, c)| {
            let at = now - chrono::Duration::minutes((chunk[n] * 7) as i64);
            deal::ActiveModel {
                contact_id: Set(c.id),
                need: Set("buy".into()),
                budget_min: Set(Some(20_000_000)),
                budget_max: Set(Some(35_000_000)),
                currency: Set("EUR".into()),
                owner_id: Set(Some(owner)),
                stage_id: Set(stages[chunk[n] % 5].id),
                source: Set("form:contact".into()),
                created_at: Set(at),
                updated_at: Set(at),
                stage_entered_at: Set(Some(at)),
                version: Set(1),
                ..Default::default()
            }
        });
        let deals = deal::Entity::insert_many(deals).exec_with_returning(db).await?;
        first = first.or(deals.iter().map(|d| d.id).min());
        let inquiries = deals.iter().map(|d| activity::ActiveModel {
            deal_id: Set(Some(d.id)),
            contact_id: Set(d.contact_id),
            kind: Set(app::deals::ActivityKind::Inquiry),
            direction: Set(app::deals::Direction::In),
            body: Set("Inquiry via \"Contact\": wants to buy.\nLooking for a flat near the beach.".into()),
            occurred_at: Set(d.created_at),
            created_at: Set(d.created_at),
            ..Default::default()
        });
        activity::Entity::insert_many(inquiries).exec_without_returning(db).await?;
    }
    first.context("deals were seeded")
}

async fn seed_timeline(db: &sea_orm::DatabaseConnection, deal_id: i64, author: i64, entries: usize) -> anyhow::Result<()> {
    use app::db::entities::{activity, deal};
    use sea_orm::{EntityTrait, Set};
    let deal = deal::Entity::find_by_id(deal_id).one(db).await?.context("the deal")?;
    use app::deals::{ActivityKind, Direction};
    let kinds = [ActivityKind::Call, ActivityKind::Whatsapp, ActivityKind::Note, ActivityKind::Email, ActivityKind::Viewing, ActivityKind::Question];
    let now = chrono::Utc::now();
    let rows = (0..entries).map(|i| activity::ActiveModel {
        deal_id: Set(Some(deal_id)),
        contact_id: Set(deal.contact_id),
        kind: Set(kinds[i % kinds.len()]),
        direction: Set(Direction::Out),
        author_id: Set(Some(author)),
        body: Set(format!("Entry {i}: talked about the viewing, the price and the community fees.")),
        occurred_at: Set(now - chrono::Duration::minutes(i as i64)),
        created_at: Set(now),
        ..Default::default()
    });
    for chunk in rows.collect::<Vec<_>>().chunks(250) {
        activity::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

const TARGET_DELIVERY_SECONDS: f64 = 10.0;

pub struct RemindersBench {
    pub count: usize,
    pub workers: usize,
    /// An empty PostgreSQL database to fill, else a fresh SQLite file.
    pub database_url: Option<String>,
}

/// `doorstep bench reminders`: `count` reminders due in the same minute, delivered by
/// `workers` schedulers at once; how long until all are delivered, and proof that none was
/// delivered twice.
pub async fn reminders(options: RemindersBench) -> anyhow::Result<()> {
    use app::db::entities::{notification, reminder};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let config = Config::for_data_dir(dir.path(), options.database_url.clone());
    let state = config.app_state().await?;
    let db = state.db.clone();
    if reminder::Entity::find().count(&db).await? > 0 {
        bail!("the database already has reminders; give the benchmark an empty one");
    }
    let agent = NewUserInput {
        name: "Agent".into(),
        email: "agent@bench.test".into(),
        phone: String::new(),
        role: "agent".into(),
        time_zone: "Europe/Madrid".into(),
        password: "bench passphrase".into(),
    };
    let agent = app::auth::service::create_user(&db, &agent).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let first = seed_deals(&db, agent.id, 1, 0).await?;
    let due = chrono::Utc::now() - chrono::Duration::seconds(30);
    let started = Instant::now();
    let rows: Vec<reminder::ActiveModel> = (0..options.count)
        .map(|i| reminder::ActiveModel {
            deal_id: Set(first),
            assignee_id: Set(agent.id),
            title: Set(format!("Call back #{i}")),
            kind: Set(app::reminders::Kind::Call),
            due_at: Set(due),
            state: Set(app::reminders::State::Pending),
            late: Set(false),
            created_at: Set(due),
            updated_at: Set(due),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(1000) {
        reminder::Entity::insert_many(chunk.to_vec()).exec_without_returning(&db).await?;
    }
    let backend = if options.database_url.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("bench reminders: {} due in the same minute, {} schedulers, {backend} (seeded in {:.1} s)", options.count, options.workers, started.elapsed().as_secs_f64());

    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..options.workers {
        let (db, notifier) = (db.clone(), state.notifier.clone());
        tasks.push(tokio::spawn(async move {
            let worker = format!("bench-{w}");
            let mut delivered = 0usize;
            loop {
                let n = app::reminders::scheduler::deliver_due(&db, &notifier, &worker, chrono::Utc::now())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                if n == 0 {
                    break;
                }
                delivered += n;
            }
            anyhow::Ok(delivered)
        }));
    }
    let mut per_worker = Vec::new();
    for task in tasks {
        per_worker.push(task.await??);
    }
    let took = started.elapsed().as_secs_f64();
    let notifications = notification::Entity::find().filter(notification::Column::Kind.eq(app::notifications::NoticeKind::Reminder)).count(&db).await?;
    let undelivered = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_null()).count(&db).await?;
    println!("all delivered in  {took:.2} s   (target within {TARGET_DELIVERY_SECONDS:.0} s: {:.2} of it)", took / TARGET_DELIVERY_SECONDS);
    println!("per scheduler     {per_worker:?}");
    println!("notifications     {notifications} for {} reminders; undelivered {undelivered}", options.count);
    if notifications != options.count as u64 || undelivered != 0 {
        bail!("{notifications} notifications for {} reminders: not exactly once", options.count);
    }
    println!("exactly once      yes (one notification per reminder; the unique index would refuse a second)");
    Ok(())
}

/// The targets from the brief: one listing with ten photos, and a five-listing shortlist.
const TARGET_ONE_MS: f64 = 150.0;
const TARGET_SHORTLIST_MS: f64 = 500.0;

pub struct PdfBench {
    pub runs: usize,
    /// Also time headless Chromium printing the same share page (when it is installed).
    pub chromium: Option<std::path::PathBuf>,
}

/// A phone-like photo: light, shade and fine texture (noise), so the JPEG weighs what a real
/// one does (a flat drawing would compress to almost nothing and flatter the figure).
fn bench_photo(seed: u32) -> Vec<u8> {
    let (w, h) = (2400u32, 1600u32);
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 24) as u8;
        let sky = y < h / 2;
        let base = if sky { [90 + (y * 80 / h) as u8, 150, 220] } else { [120, 110 + (x * 40 / w) as u8, 80] };
        image::Rgb([base[0].saturating_add(noise), base[1].saturating_add(noise / 2), base[2].saturating_sub(noise / 3)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).expect("encoding a bench photo");
    out.into_inner()
}

/// Times making the PDF of a presentation the way `GET /p/{token}/presentation.pdf` does:
/// open the link, read the photos from storage, lay out and write the PDF.
pub async fn pdf(options: PdfBench) -> anyhow::Result<()> {
    use app::presentations::{service, NewPresentation};

    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let config = Config::for_data_dir(dir.path(), None);
    let state = config.app_state().await?;
    app::agency::save(&state.db, "Costa Blanca Homes", "Europe/Madrid").await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let agent = NewUserInput {
        name: "Ελένη Núñez".into(),
        email: "elena@bench.test".into(),
        phone: "+34612345678".into(),
        role: "agent".into(),
        time_zone: "Europe/Madrid".into(),
        password: "bench passphrase".into(),
    };
    let agent = app::auth::service::create_user(&state.db, &agent).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let actor = app::deals::service::Actor { user_id: Some(agent.id), name: agent.name.clone(), manager: true, time_zone: "Europe/Madrid".into() };
    println!("preparing 5 listings with 10 photos each (2400×1600 phone-like JPEGs, resized on upload)…");
    let mut ids = Vec::new();
    for i in 0..5 {
        let input = app::properties::PropertyInput {
            reference: format!("ALT-{i:03}"),
            title: format!("Sea-view flat {} with a terrace in Łódź street", i + 1),
            operation: "sale".into(),
            property_type: "flat".into(),
            price: format!("{}", 300_000 + i * 25_000),
            city: "Altea".into(),
            area: "Casco Antiguo".into(),
            bedrooms: "3".into(),
            bathrooms: "2".into(),
            built_m2: "112".into(),
            energy_rating: "B".into(),
            description: "Bright rooms over the bay, a terrace for the evenings, five minutes from the beach and the old town. ".repeat(12),
            features: "Terrace\nSea views\nLift\nParking\nCommunal pool".into(),
            ..Default::default()
        };
        let id = app::properties::service::save(&state.db, &actor, None, &input).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        for k in 0..10 {
            app::properties::photos::add(&state.db, state.media.as_ref(), &actor, id, bench_photo(i * 10 + k)).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        ids.push(id);
    }
    let base = "https://doorstep.example";
    let mut rows = Vec::new();
    for (label, property_ids, target) in [("one listing, 10 photos", vec![ids[0]], TARGET_ONE_MS), ("shortlist of 5, 50 photos", ids.clone(), TARGET_SHORTLIST_MS)] {
        let input = NewPresentation { property_ids, paper: "a4".into(), ..Default::default() };
        let made = service::create(&state.db, &state.notifier, &actor, &input).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut times = Vec::with_capacity(options.runs);
        let mut size = 0;
        for run in 0..options.runs + 3 {
            let started = Instant::now();
            let share = service::open(&state.db, &made.token).await.map_err(|e| anyhow::anyhow!("{e:?}"))?.map_err(|c| anyhow::anyhow!("{c:?}"))?;
            let brochure = service::brochure(state.media.as_ref(), &share, base).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let bytes = app::presentations::pdf::render(&brochure);
            let took = started.elapsed().as_secs_f64() * 1000.0;
            size = bytes.len();
            // The first three warm the font parse and the file cache.
            if run >= 3 {
                times.push(took);
            }
        }
        times.sort_by(f64::total_cmp);
        let p50 = times[times.len() / 2];
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!(
            "{label}: p50 {p50:.1} ms, p95 {p95:.1} ms, max {:.1} ms over {} runs; {:.1} MB; target < {target:.0} ms: {}",
            times[times.len() - 1],
            times.len(),
            size as f64 / 1_048_576.0,
            if p95 < target { "met" } else { "NOT met" }
        );
        rows.push((label, made.token.clone(), p50));
    }

    let Some(chromium) = options.chromium.filter(|c| c.exists()) else {
        println!("headless Chromium not found: pass --chromium /usr/bin/chromium to compare");
        return Ok(());
    };
    // The same share pages, served for real, printed by Chromium (each print a new browser
    // process, as a server would run it per request).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = crate::http::router(state.clone(), config.edge()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    for (label, token, ours) in rows {
        let out = dir.path().join("chromium.pdf");
        let mut times = Vec::new();
        for _ in 0..5 {
            let profile = tempfile::tempdir()?;
            let started = Instant::now();
            let mut command = std::process::Command::new(&chromium);
            command
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--no-pdf-header-footer"])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("--print-to-pdf={}", out.display()))
                .arg(format!("http://{addr}/p/{token}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            let status = tokio::task::spawn_blocking(move || command.status()).await??;
            if !status.success() || !out.exists() {
                bail!("Chromium did not print the share page");
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let p50 = times[times.len() / 2];
        println!("{label}: headless Chromium printing the share page p50 {p50:.0} ms over 5 runs: {:.0}× the time Doorstep takes", p50 / ours);
    }
    Ok(())
}

/// Times each query of the manager's dashboard on an existing database (see `BenchWhat::Reports`).
pub async fn reports(config: &Config, runs: usize) -> anyhow::Result<()> {
    use app::db::entities::user;
    use app::reports::service as r;
    use app::reports::ReportQuery;
    use chrono::Utc;
    use sea_orm::ConnectionTrait;

    let db = config.open_database().await?;
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) FROM {table}")))
                .await?
                .context("no answer")?;
            anyhow::Ok(row.try_get_by_index::<i64>(0)?)
        }
    };
    println!(
        "{:?}: {} deals, {} stage changes, {} stays, {} timeline entries, {} follow-ups",
        db.get_database_backend(),
        count("deals").await?,
        count("deal_changes").await?,
        count("deal_stays").await?,
        count("activities").await?,
        count("reminders").await?
    );
    let manager = user::Entity::find().all(&db).await?.into_iter().find(|u| u.role == "manager" || u.role == "admin").context("no manager")?;
    let agent = user::Entity::find().all(&db).await?.into_iter().find(|u| u.role == "agent").context("no agent")?;
    let viewer = app::auth::SessionUser {
        id: manager.id,
        name: manager.name.clone(),
        email: manager.email.clone(),
        role: app::auth::Role::Manager,
        time_zone: "Europe/Madrid".into(),
        language: "es".into(),
    };
    let stages = app::deals::service::stages(&db).await?;
    let kinds = r::stage_kinds(&stages);
    let today = Utc::now().with_timezone(&chrono_tz::Europe::Madrid).date_naive();
    let day = |n: i64| Some((today - chrono::Duration::days(n)).format("%Y-%m-%d").to_string());
    let scopes: Vec<(&str, ReportQuery)> = vec![
        ("last 30 days", ReportQuery { from: day(29), to: day(0), ..Default::default() }),
        ("last 90 days", ReportQuery { from: day(89), to: day(0), ..Default::default() }),
        ("last 365 days", ReportQuery { from: day(364), to: day(0), ..Default::default() }),
        ("365 days, one agent", ReportQuery { from: day(364), to: day(0), agent: Some(agent.id), ..Default::default() }),
        ("365 days, one source", ReportQuery { from: day(364), to: day(0), source: Some("api:idealista".into()), ..Default::default() }),
    ];
    println!("{:<22} {:<24} {:>9} {:>9}", "period", "query", "p50 ms", "p95 ms");
    let mut worst: f64 = 0.0;
    for (label, q) in &scopes {
        let f = r::filter(q, "Europe/Madrid", Utc::now()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let weeks: Vec<_> = r::weeks(&f).iter().map(|(_, s, e)| (*s, *e)).collect();
        let people = user::Entity::find().all(&db).await?;
        macro_rules! time {
            ($name:expr, $body:expr) => {{
                let mut times = Vec::with_capacity(runs);
                for i in 0..runs + 2 {
                    let t = Instant::now();
                    let _ = $body.await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    if i >= 2 {
                        times.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                times.sort_by(|a, b| a.total_cmp(b));
                let p50 = times[times.len() / 2];
                let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
                if $name != "whole dashboard" {
                    worst = worst.max(p95);
                }
                println!("{:<22} {:<24} {:>9.1} {:>9.1}", label, $name, p50, p95);
            }};
        }
        time!("open deals per stage", r::open(&db, &f, &stages));
        time!("funnel and sources", r::cohort(&db, &f, &stages));
        time!("speed to lead", r::responses(&db, &f));
        time!("won per agent, source", r::won(&db, &f, &kinds));
        time!("team", async {
            let won = r::won(&db, &f, &kinds).await?;
            r::team(&db, &f, &stages, &people, &won, Utc::now()).await
        });
        time!("time in stage", r::stays(&db, &f));
        time!("leads and won per week", r::flow_by_range(&db, &f, &weeks, &kinds));
        time!("deals behind a number", r::drill_down(&db, &viewer, q, &app::reports::Figure::Leads, 1));
        time!("whole dashboard", r::dashboard(&db, "Europe/Madrid", q));
    }
    println!("slowest single query (p95): {worst:.1} ms; target: under 50 ms");
    Ok(())
}

/// The push target from the issue: a form post to the push service's acceptance.
const TARGET_PUSH_P99_MS: f64 = 500.0;

pub struct PushBench {
    pub leads: usize,
    /// How long the local push service takes to answer each push.
    pub answer_ms: u64,
    /// Leads posted per second (one after another at this pace).
    pub per_second: u32,
}

/// The served site of the push and soak benches: a fresh SQLite data directory without a
/// capture rate limit, one agent (Ana), the form `bench`, and the router on a free port.
struct BenchSite {
    dir: tempfile::TempDir,
    state: app::state::AppState,
    agent: app::db::entities::user::Model,
    addr: SocketAddr,
}

async fn bench_site() -> anyhow::Result<BenchSite> {
    let dir = tempfile::tempdir().context("a temporary data directory")?;
    let mut config = Config::for_data_dir(dir.path(), None);
    config.capture_rate_limit = u32::MAX;
    let state = config.app_state().await?;
    let agent = NewUserInput {
        name: "Agent Ana".into(),
        email: "ana@bench.test".into(),
        phone: String::new(),
        role: "agent".into(),
        time_zone: "Europe/Madrid".into(),
        password: "bench passphrase".into(),
    };
    let agent = app::auth::service::create_user(&state.db, &agent).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let settings = app::capture::FormSettings::with_defaults("bench", "Benchmark form");
    app::capture::service::save_form(&state.db, None, &settings).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = crate::http::router(state.clone(), config.edge());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    // As `doorstep serve` does.
    tokio::spawn(crate::serve::return_freed_memory());
    Ok(BenchSite { dir, state, agent, addr })
}

/// `doorstep bench push`: leads posted to a form over HTTP on a fresh SQLite database, each
/// pushed to the assigned agent's phone through a local push service that verifies the VAPID
/// signature and decrypts the payload: the time from the post to the push service's
/// acceptance, p50 and p99.
pub async fn push(options: PushBench) -> anyhow::Result<()> {
    use app::db::entities::push_device;
    use crate::push_service::{Behaviour, LocalPushService};
    use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, Set};

    let BenchSite { dir, state, agent, addr } = bench_site().await?;

    // The agent's phone, opted in from a session of theirs.
    let service = LocalPushService::start(&state.push.public_key, Duration::from_millis(options.answer_ms)).await?;
    let phone = service.subscribe(Behaviour::Accept);
    let token = app::auth::service::start_session(&state.db, state.sessions, agent.id, None, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let session = app::db::entities::session::Entity::find()
        .filter(app::db::entities::session::Column::TokenHash.eq(app::auth::session::token_hash(&token)))
        .one(&state.db)
        .await?
        .context("the bench session")?;
    push_device::ActiveModel {
        user_id: Set(agent.id),
        session_id: Set(session.id),
        endpoint: Set(phone.endpoint.clone()),
        p256dh: Set(phone.p256dh.clone()),
        auth: Set(phone.auth.clone()),
        name: Set("Chrome on Android".into()),
        kinds: Set(app::push::kinds_text(&app::push::Kind::ALL)),
        created_at: Set(chrono::Utc::now()),
        last_pushed_at: Set(None),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;

    let client = app::push::worker::client()?;
    tokio::spawn(app::push::worker::run(state.db.clone(), state.notifier.clone(), state.push.clone(), client, state.notifier.stopping()));

    println!(
        "bench push: {} leads at {}/s to {addr}, each pushed to the agent's phone; the push service answers in {} ms (SQLite in {})",
        options.leads,
        options.per_second,
        options.answer_ms,
        dir.path().display()
    );
    let served = chrono::Utc::now().timestamp_millis() - 10_000;
    let form_token = app::auth::session::sign(&state.cookie_secret, &served.to_string());
    let http = app::common::http_client().redirect(reqwest::redirect::Policy::none()).build()?;
    let pace = Duration::from_secs_f64(1.0 / f64::from(options.per_second.max(1)));
    let mut posted = Vec::with_capacity(options.leads);
    let started = Instant::now();
    for i in 0..options.leads {
        let due = started + pace * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let body = format!("name=Bench+Lead+{i}&phone=%2B346{i:08}&need=buy&t={form_token}");
        let at = Instant::now();
        let reply = http
            .post(format!("http://{addr}/f/bench"))
            .header(reqwest::header::ACCEPT, "text/html")
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        if reply.status() != 303 {
            bail!("lead {i} was not taken: {}", reply.status());
        }
        posted.push((format!("New lead: Bench Lead {i}"), at));
    }
    let all = service.wait_for(Duration::from_secs(60), |got| got.len() >= options.leads).await;
    let received = service.received();
    if !all {
        bail!("only {} of {} pushes arrived within a minute", received.len(), options.leads);
    }
    if !service.refused().is_empty() {
        bail!("the push service refused pushes: {:?}", service.refused());
    }
    let mut lags: Vec<f64> = posted
        .iter()
        .filter_map(|(title, at)| {
            let got = received.iter().find(|r| r.payload["title"] == title.as_str())?;
            Some(got.at.duration_since(*at).as_secs_f64() * 1000.0)
        })
        .collect();
    if lags.len() != options.leads {
        bail!("{} of {} leads were pushed", lags.len(), options.leads);
    }
    lags.sort_by(f64::total_cmp);
    let pct = |q: f64| lags[((lags.len() - 1) as f64 * q).round() as usize];
    let (p50, p99, max) = (pct(0.50), pct(0.99), pct(1.0));
    println!("pushes           {} of {} leads, each once", received.len(), options.leads);
    println!("post to push     p50 {p50:.1} ms   p99 {p99:.1} ms   max {max:.1} ms");
    println!(
        "target           p99 < {TARGET_PUSH_P99_MS:.0} ms with the push service answering in {} ms: {}",
        options.answer_ms,
        if p99 < TARGET_PUSH_P99_MS { "met" } else { "NOT met" }
    );
    Ok(())
}

pub struct SoakBench {
    pub minutes: u64,
    pub per_second: u32,
}

/// `doorstep bench soak`: lead posts at a fixed arrival rate (an open model: a post is sent
/// on time whether or not earlier ones were answered) for many minutes, with an agent's
/// pages loading every second and a hundred follow-ups falling due each minute; each minute
/// prints the posts' p50 and p99, errors, pages, reminders delivered and the process's RSS.
/// The server runs in this process (its RSS includes the small load generator).
pub async fn soak(options: SoakBench) -> anyhow::Result<()> {
    use std::sync::Mutex;

    use app::db::entities::{deal, reminder, user};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

    let BenchSite { dir, state, agent, addr } = bench_site().await?;
    let session = app::auth::service::start_session(&state.db, state.sessions, agent.id, None, None).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let cookie = format!("{}={}", app::auth::session::COOKIE_NAME, app::auth::session::sign(&state.cookie_secret, &session));

    tokio::spawn(app::reminders::scheduler::run(state.db.clone(), state.notifier.clone(), app::reminders::scheduler::worker_id(), state.notifier.stopping()));

    println!(
        "bench soak: {} leads/s for {} min (open model) to {addr}, an agent's pipeline and the newest deal every second, 100 follow-ups due each minute on the newest deals (SQLite in {})",
        options.per_second,
        options.minutes,
        dir.path().display()
    );
    println!("minute   posts   p50 ms   p99 ms   errors   pages   page p99 ms   reminders   RSS MB   heap MB   free MB   SQLite MB");
    let served = chrono::Utc::now().timestamp_millis() - 10_000;
    let form_token = app::auth::session::sign(&state.cookie_secret, &served.to_string());
    let http = app::common::http_client().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(512).build()?;
    let posts: Arc<Mutex<Vec<f64>>> = Arc::default();
    let pages: Arc<Mutex<Vec<f64>>> = Arc::default();
    let errors = Arc::new(AtomicU64::new(0));
    let accepted = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    // The arrivals: one post every 1/rate seconds, each on its own task.
    let arrivals = {
        let (http, posts, errors, accepted, stop, form_token) = (http.clone(), posts.clone(), errors.clone(), accepted.clone(), stop.clone(), form_token.clone());
        let pace = Duration::from_secs_f64(1.0 / f64::from(options.per_second.max(1)));
        tokio::spawn(async move {
            let started = Instant::now();
            let mut i: u64 = 0;
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep_until((started + pace * i as u32).into()).await;
                let (http, posts, errors, accepted, form_token) = (http.clone(), posts.clone(), errors.clone(), accepted.clone(), form_token.clone());
                tokio::spawn(async move {
                    let body = format!("name=Soak+Lead+{i}&phone=%2B34{:09}&need=buy&t={form_token}", 600_000_000 + i);
                    let at = Instant::now();
                    let reply = http
                        .post(format!("http://{addr}/f/bench"))
                        .header(reqwest::header::ACCEPT, "text/html")
                        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(body)
                        .send()
                        .await;
                    match reply {
                        Ok(r) if r.status() == 303 => {
                            accepted.fetch_add(1, Ordering::Relaxed);
                            posts.lock().unwrap().push(at.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
                i += 1;
            }
        })
    };
    // An agent at work: the pipeline and a deal, every second.
    let reader = {
        let (http, pages, errors, stop, cookie) = (http.clone(), pages.clone(), errors.clone(), stop.clone(), cookie.clone());
        let db = state.db.clone();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(1)).await;
                // The newest lead, as an agent opens the deal they were just told of.
                let deal = deal::Entity::find().order_by_desc(deal::Column::Id).one(&db).await.ok().flatten().map(|d| d.id);
                let mut paths = vec!["/pipeline".to_owned()];
                paths.extend(deal.map(|id| format!("/deals/{id}")));
                for path in paths {
                    let at = Instant::now();
                    match http.get(format!("http://{addr}{path}")).header(reqwest::header::COOKIE, &cookie).send().await {
                        Ok(r) if r.status() == 200 => {
                            let _ = r.bytes().await;
                            pages.lock().unwrap().push(at.elapsed().as_secs_f64() * 1000.0);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        })
    };

    let pct = |samples: &mut Vec<f64>, p: f64| {
        if samples.is_empty() {
            return 0.0;
        }
        samples.sort_by(f64::total_cmp);
        samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)]
    };
    let mut all_posts = Vec::new();
    let mut rss_at_five = None;
    let mut rss = 0;
    for minute in 1..=options.minutes {
        // A hundred follow-ups falling due over the coming minute, one on each of the newest
        // hundred deals (on one deal they would pile up past anything a real deal carries, and
        // slow its page with them).
        let newest = deal::Entity::find().order_by_desc(deal::Column::Id).limit(100).all(&state.db).await?;
        if let Some(owner) = user::Entity::find().one(&state.db).await? {
            let now = chrono::Utc::now();
            let rows: Vec<reminder::ActiveModel> = (0..)
                .zip(&newest)
                .map(|(n, deal)| {
                    use sea_orm::Set;
                    reminder::ActiveModel {
                        deal_id: Set(deal.id),
                        assignee_id: Set(owner.id),
                        title: Set(format!("Soak call {minute}-{n}")),
                        kind: Set(app::reminders::Kind::Call),
                        due_at: Set(now + chrono::Duration::milliseconds(600 * n)),
                        state: Set(app::reminders::State::Pending),
                        late: Set(false),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                })
                .collect();
            reminder::Entity::insert_many(rows).exec_without_returning(&state.db).await?;
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
        let mut window = std::mem::take(&mut *posts.lock().unwrap());
        let mut page_window = std::mem::take(&mut *pages.lock().unwrap());
        let delivered = reminder::Entity::find().filter(reminder::Column::DeliveredAt.is_not_null()).count(&state.db).await?;
        rss = resident_mb();
        if minute == 5 {
            rss_at_five = Some(rss);
        }
        let memory = Memory::now();
        println!(
            "{minute:>6}   {:>5}   {:>6.2}   {:>6.2}   {:>6}   {:>5}   {:>11.2}   {delivered:>9}   {rss:>6}   {:>7}   {:>7}   {:>9}",
            window.len(),
            pct(&mut window, 0.5),
            pct(&mut window, 0.99),
            errors.load(Ordering::Relaxed),
            page_window.len(),
            pct(&mut page_window, 0.99),
            memory.heap_mb,
            memory.free_mb,
            memory.sqlite_mb,
        );
        all_posts.append(&mut window);
    }
    stop.store(true, Ordering::Relaxed);
    arrivals.await?;
    reader.await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stored = app::db::entities::capture_submission::Entity::find().count(&state.db).await?;
    let p99 = pct(&mut all_posts, 0.99);
    let growth = rss_at_five.map(|five| (rss as f64 - five as f64) / five as f64 * 100.0);
    println!("posts p99        {p99:.2} ms   (target < 100 ms)");
    println!("errors           {}   (target 0)", errors.load(Ordering::Relaxed));
    match growth {
        Some(g) => println!("RSS growth       {g:+.1}% from minute 5 to the end   (target < 10%)"),
        None => println!("RSS growth       (a run of at least 5 minutes measures it)"),
    }
    println!("leads stored     {stored} of {} accepted", accepted.load(Ordering::Relaxed));
    Ok(())
}

/// Where this process's memory is, in MB: the heap in use, the freed heap the allocator keeps
/// rather than returning (glibc's mallinfo2, over every arena; 0 elsewhere), and what SQLite
/// holds of it (page caches, prepared statements).
struct Memory {
    heap_mb: u64,
    free_mb: u64,
    sqlite_mb: u64,
}

impl Memory {
    fn now() -> Memory {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallinfo2 only reads the allocator's counters.
        let (heap, free) = {
            let info = unsafe { libc::mallinfo2() };
            (info.uordblks + info.hblkhd, info.fordblks)
        };
        #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
        let (heap, free) = (0, 0);
        // SAFETY: a read of SQLite's own counter, safe from any thread.
        let sqlite = unsafe { libsqlite3_sys::sqlite3_memory_used() };
        const MB: u64 = 1 << 20;
        Memory { heap_mb: heap as u64 / MB, free_mb: free as u64 / MB, sqlite_mb: sqlite.max(0) as u64 / MB }
    }
}

/// This process's resident memory, in MB (Linux; 0 elsewhere).
fn resident_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map_or(0, |kb| kb / 1024)
}
