//! `doorstep serve`: the web server, with graceful shutdown and housekeeping.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use app::state::AppState;

use crate::config::{Config, redact};

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let state = config.app_state().await?;
    let site_root = config.site_root();
    if !crate::http::assets::FrontEnd::built_in(&site_root) {
        tracing::warn!(site_root = %site_root.display(), "front-end files not found: pages will work without interactivity; build with `make build` or pass --site-root");
    }
    tokio::spawn(housekeeping(state.clone()));
    tokio::spawn(return_freed_memory());
    crate::fanout::start(&state.db, &state.notifier);
    let scheduler = app::reminders::scheduler::run(
        state.db.clone(),
        state.notifier.clone(),
        app::reminders::scheduler::worker_id(),
        state.notifier.stopping(),
    );
    let scheduler = tokio::spawn(scheduler);
    let push = start_push(&state)?;
    if let Some(smtp) = config.smtp() {
        crate::mail::start(state.clone(), smtp)?;
        tracing::info!("e-mailing lead notifications over SMTP");
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    tracing::info!(
        url = %format!("http://{}", listener.local_addr()?),
        database = %redact(&config.database_url()),
        site_root = %site_root.display(),
        "Doorstep is ready"
    );
    let notifier = state.notifier.clone();
    let service = crate::http::router(state, config.edge()).into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = async move {
        shutdown_signal().await;
        // Live notification streams never end by themselves; end them so shutdown can finish.
        notifier.shut_down();
    };
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await?;
    // A delivery in progress commits or rolls back as a whole; wait for it.
    let _ = scheduler.await;
    let _ = push.await;
    tracing::info!("stopped: in-flight requests finished");
    Ok(())
}

/// `doorstep worker`: the scheduler alone, for running more of them beside the web servers
/// (on PostgreSQL; SQLite runs the one inside `doorstep serve`).
pub async fn worker(config: &Config) -> anyhow::Result<()> {
    let state = config.app_state().await?;
    tokio::spawn(return_freed_memory());
    // The reminders it delivers reach the pages open on the web servers.
    crate::fanout::start(&state.db, &state.notifier);
    if let Some(smtp) = config.smtp() {
        crate::mail::start(state.clone(), smtp)?;
    }
    let worker = app::reminders::scheduler::worker_id();
    tracing::info!(%worker, database = %redact(&config.database_url()), "Doorstep worker is ready");
    let notifier = state.notifier.clone();
    let scheduler = tokio::spawn(app::reminders::scheduler::run(state.db.clone(), state.notifier.clone(), worker, notifier.stopping()));
    let push = start_push(&state)?;
    shutdown_signal().await;
    notifier.shut_down();
    let _ = scheduler.await;
    let _ = push.await;
    Ok(())
}

/// Starts the Web Push worker: every notification of a kind a device wants is pushed to it.
pub fn start_push(state: &AppState) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let client = app::push::worker::client().context("making the push client")?;
    Ok(tokio::spawn(app::push::worker::run(
        state.db.clone(),
        state.notifier.clone(),
        state.push.clone(),
        client,
        state.notifier.stopping(),
    )))
}

/// Every hour, from the start: removes expired sessions and stale failed log-ins, keeps
/// SQLite's planner statistics current, merges its search indexes and rewrites PostgreSQL's
/// bloated report tables (`app::db::optimize`).
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(err) = app::auth::service::prune(&state.db).await {
            tracing::warn!(error = %err, "housekeeping failed; will retry");
        }
        if let Err(err) = app::db::optimize(&state.db).await {
            tracing::warn!(error = %err, "tidying the database (statistics, search indexes, report tables) failed; will retry");
        }
    }
}

/// glibc keeps the heap that requests have freed, in each thread's arena, rather than handing
/// it back to the system: in the soak run the heap in use stayed flat (about 32 MB) while the
/// freed heap kept grew by 8 MB a minute, and the process's RSS with it (docs/soak.md). Once a
/// minute, what is free is handed back.
pub async fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            // SAFETY: malloc_trim only gives free pages back; any thread may call it.
            let _ = tokio::task::spawn_blocking(|| unsafe { libc::malloc_trim(0) }).await;
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM; the server then stops accepting and lets in-flight
/// requests finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
