use clap::Parser;
use doorstep::cli::{ApikeyAction, BenchWhat, Cli, Command, MigrateAction, UserAction};
use doorstep::config::{Config, LogFormat};
use sea_orm_migration::MigratorTrait;

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    init_logging(&cli.config);
    if let Err(err) = run(cli).await {
        eprintln!("doorstep: {err:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => doorstep::serve::run(&config).await,
        Command::Migrate { action: MigrateAction::Up } => {
            config.open_database().await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::Migrate { action: MigrateAction::Status } => migrate_status(&config).await,
        Command::User { action } => match action {
            UserAction::Add { email, name, role, phone, time_zone, agency } => {
                doorstep::users::add(&config, &email, &name, &role, phone.as_deref(), time_zone.as_deref(), agency.as_deref()).await
            }
            UserAction::List => doorstep::users::list(&config).await,
            UserAction::Disable { email } => doorstep::users::set_disabled(&config, &email, true).await,
            UserAction::Enable { email } => doorstep::users::set_disabled(&config, &email, false).await,
            UserAction::ResetPassword { email } => doorstep::users::reset_password(&config, &email).await,
        },
        Command::Apikey { action } => apikey(&config, action).await,
        Command::Demo { deals, seed } => doorstep::demo::run(&config, deals, seed).await,
        Command::Worker => doorstep::serve::worker(&config).await,
        Command::Backup { file } => doorstep::backup::backup(&config, &file).await,
        Command::Restore { file } => doorstep::backup::restore(&config, &file).await,
        Command::Bench { what: BenchWhat::Capture { seconds, connections, returning } } => {
            doorstep::bench::capture(doorstep::bench::CaptureBench { seconds, connections, returning }).await
        }
        Command::Bench { what: BenchWhat::Pdf { runs, chromium } } => doorstep::bench::pdf(doorstep::bench::PdfBench { runs, chromium }).await,
        Command::Bench { what: BenchWhat::Push { leads, answer_ms, per_second } } => {
            doorstep::bench::push(doorstep::bench::PushBench { leads, answer_ms, per_second }).await
        }
        Command::Bench { what: BenchWhat::Soak { minutes, per_second } } => doorstep::bench::soak(doorstep::bench::SoakBench { minutes, per_second }).await,
        Command::Bench { what: BenchWhat::Reports { runs } } => doorstep::bench::reports(&config, runs).await,
        Command::Bench { what: BenchWhat::Pages { requests } } => {
            let database_url = std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres"));
            doorstep::bench::pages(doorstep::bench::PagesBench { requests, database_url }).await
        }
        Command::Bench { what: BenchWhat::Reminders { count, workers } } => {
            let database_url = std::env::var("DATABASE_URL").ok().filter(|u| u.starts_with("postgres"));
            doorstep::bench::reminders(doorstep::bench::RemindersBench { count, workers, database_url }).await
        }
    }
}

async fn apikey(config: &Config, action: ApikeyAction) -> anyhow::Result<()> {
    use app::apikeys::service;
    let db = config.open_database().await?;
    let explain = |e: app::error::AppError| match e {
        app::error::AppError::Validation(fields) => anyhow::anyhow!("{}", fields.into_values().collect::<Vec<_>>().join(" ")),
        other => anyhow::anyhow!("{other}"),
    };
    match action {
        ApikeyAction::Create { name, scope } => {
            let created = service::create(&db, &name, &scope).await.map_err(explain)?;
            println!("{}", created.key);
            eprintln!("Key {} \"{}\" ({}) created. Keep it now: it is not shown again.", created.summary.id, created.summary.name, created.summary.scope.as_str());
        }
        ApikeyAction::List => {
            println!("{:<5} {:<28} {:<8} {:<12} STATUS", "ID", "NAME", "SCOPE", "PREFIX");
            for k in service::list(&db).await.map_err(explain)? {
                let status = if k.revoked { "revoked".to_string() } else { k.last_used_at.map(|t| format!("last used {t}")).unwrap_or_else(|| "never used".into()) };
                println!("{:<5} {:<28} {:<8} {:<12} {status}", k.id, k.name, k.scope.as_str(), k.prefix);
            }
        }
        ApikeyAction::Revoke { id } => {
            service::revoke(&db, id).await.map_err(explain)?;
            println!("Key {id} is revoked.");
        }
    }
    Ok(())
}

/// Lists migrations without applying any.
async fn migrate_status(config: &Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)?;
    let db = app::db::connect(&config.database_url()).await?;
    for migration in migrations::Migrator::get_migration_with_status(&db).await? {
        println!("{:<10} {}", migration.status().to_string(), migration.name());
    }
    Ok(())
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    // Colours only for a person at a terminal, not in a file or the journal.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
