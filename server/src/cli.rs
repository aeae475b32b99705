//! The `doorstep` command line.

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser, Debug)]
#[command(name = "doorstep", version, about = "Doorstep: the lead pipeline for real-estate agencies", propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (the default when no command is given).
    Serve,
    /// Apply or inspect database migrations (the server also applies them at start).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage API keys for website and portal integrations.
    Apikey {
        #[command(subcommand)]
        action: ApikeyAction,
    },
    /// Fill an empty database with a sample agency: an admin, a manager and agents.
    Demo {
        /// Then add this many generated deals with stage histories, timelines and follow-ups,
        /// spread over three years (also to a database that already has an agency).
        #[arg(long)]
        deals: Option<u64>,
        /// Seed of the generated deals, for a reproducible database.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Deliver due reminders without serving pages: more schedulers beside the web servers
    /// (PostgreSQL). Each due reminder is delivered once, whichever instance takes it.
    Worker,
    /// Copy the SQLite database into FILE as one consistent snapshot, while the server
    /// serves (for PostgreSQL it prints the pg_dump command to use).
    Backup {
        file: std::path::PathBuf,
    },
    /// Put a backup made by `doorstep backup` in place of the SQLite database (stop the server
    /// first); the database it replaces is kept beside it.
    Restore {
        file: std::path::PathBuf,
    },
    /// Measure Doorstep on this machine and print the figures against the targets.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Public form posts per second and their latency, on a fresh SQLite database.
    Capture {
        /// How long to measure, after one second of warm-up.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent keep-alive client connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Percent of posts that come back from an earlier prospect with a new message (a
        /// returning lead, which joins the open deal) instead of from a new one.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
        returning: u8,
    },
    /// Server-side render time of the pipeline (200 deals, then 10,000), of a deal with a
    /// 500-entry timeline, and of the pipeline's search at 100,000 deals. Uses DATABASE_URL
    /// (an empty PostgreSQL database) when given, else a fresh SQLite file.
    Pages {
        /// Renders measured per page, after five warm-up renders.
        #[arg(long, default_value_t = 100)]
        requests: usize,
    },
    /// Reminders due in the same minute, delivered by several schedulers: time to deliver all,
    /// and a count proving none went twice. Uses DATABASE_URL (an empty PostgreSQL database)
    /// when given, else a fresh SQLite file.
    Reminders {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        #[arg(long, default_value_t = 2)]
        workers: usize,
    },
    /// Presentation PDFs: one listing with 10 photos and a 5-listing shortlist, from the link
    /// to the last byte; and, given a Chromium, the same share page printed by it.
    Pdf {
        #[arg(long, default_value_t = 30)]
        runs: usize,
        #[arg(long)]
        chromium: Option<std::path::PathBuf>,
    },
    /// Every query of the manager's dashboard on the database of --data-dir (or DATABASE_URL),
    /// filled first with `doorstep demo --deals 1000000`: p50 and p95 per query and period.
    Reports {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// A long run under steady load: leads at a fixed arrival rate, pages and reminders
    /// alongside, with p50/p99, errors and RSS printed each minute (`make soak`).
    Soak {
        #[arg(long, default_value_t = 30)]
        minutes: u64,
        /// Leads posted per second (an open model: arrivals do not wait for answers).
        #[arg(long, default_value_t = 200)]
        per_second: u32,
    },
    /// Leads posted to a form, each pushed (Web Push) to the agent's phone through a local
    /// push service: time from the post to the push service's acceptance, p50 and p99.
    Push {
        #[arg(long, default_value_t = 1000)]
        leads: usize,
        /// How long the push service takes to answer, in milliseconds.
        #[arg(long, default_value_t = 50)]
        answer_ms: u64,
        /// Leads posted per second.
        #[arg(long, default_value_t = 50)]
        per_second: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApikeyAction {
    /// Create a key and print it (once: only its hash is kept).
    Create {
        #[arg(long)]
        name: String,
        /// capture (post leads only) or admin (all of /api/v1).
        #[arg(long, default_value = "capture")]
        scope: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key at once.
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand, Debug)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager or agent.
        #[arg(long)]
        role: String,
        /// Mobile number with country code, e.g. +34612345678.
        #[arg(long)]
        phone: Option<String>,
        /// IANA time zone, e.g. Europe/Madrid (default: the agency's).
        #[arg(long)]
        time_zone: Option<String>,
        /// On an empty installation, the agency's name (else the first admin is asked for it
        /// on logging in).
        #[arg(long)]
        agency: Option<String>,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Set a new password (read from standard input) and end the account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}
