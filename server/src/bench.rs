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
    let router = crate::http::router(state.clone(), config.capture_limit());
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
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}
