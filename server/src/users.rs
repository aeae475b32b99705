//! `doorstep user ...`: account management from the command line, for the first admin on a
//! headless server or a locked-out agency.

use std::io::BufRead;

use anyhow::{Context, bail};
use app::auth::{NewUserInput, service};

use crate::config::Config;

/// Reads the password from standard input (never from argv, where `ps` and shell history
/// would keep it). The first line is the password.
fn read_password() -> anyhow::Result<String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("Password (at least {} characters; input is shown): ", app::auth::MIN_PASSWORD_CHARS);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input; pipe it in, e.g. `printf '%s\\n' \"$PASSWORD\" | doorstep user add ...`");
    }
    Ok(password)
}

pub(crate) fn explain(err: app::error::AppError) -> anyhow::Error {
    match err {
        app::error::AppError::Validation(fields) => {
            let lines: Vec<String> = fields.into_iter().map(|(field, message)| format!("  --{}: {message}", field.replace('_', "-"))).collect();
            anyhow::anyhow!("please correct:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// Adds an account. On an empty installation this is its set-up, as the set-up page is: the
/// first account must be an admin, and the agency is made with it (named `agency`, or
/// "Your agency" for the admin to name on first log-in).
pub async fn add(config: &Config, email: &str, name: &str, role: &str, phone: Option<&str>, time_zone: Option<&str>, agency: Option<&str>) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let first = service::user_count(&db).await.map_err(explain)? == 0;
    if first && role != app::auth::Role::Admin.as_str() {
        bail!("this installation has no accounts yet: the first one must be an admin (--role admin)");
    }
    if !first && agency.is_some() {
        bail!("--agency names a new installation's agency; this one has accounts already (rename it under Admin › Agency)");
    }
    let password = read_password()?;
    let current = app::agency::load(&db).await.map_err(explain)?;
    let input = NewUserInput {
        name: name.into(),
        email: email.into(),
        phone: phone.unwrap_or_default().into(),
        role: role.into(),
        time_zone: time_zone.map(str::to_owned).unwrap_or(current.time_zone),
        password,
    };
    let row = if first {
        let agency_name = agency.unwrap_or(app::agency::UNNAMED);
        let row = service::create_first_admin(&db, agency_name, &input).await.map_err(|e| explain(e).context("setting up the installation"))?;
        println!("Set up \"{agency_name}\" with its first admin.");
        row
    } else {
        service::create_user(&db, &input).await.map_err(explain)?
    };
    println!("Added {} <{}> as {} (id {}).", row.name, row.email, row.role, row.id);
    Ok(())
}

pub async fn list(config: &Config) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let users = service::list_users(&db).await.map_err(explain)?;
    if users.is_empty() {
        println!("No users yet. Open Doorstep in a browser to create the first administrator, or run `doorstep user add`.");
        return Ok(());
    }
    println!("{:<5} {:<28} {:<32} {:<8} STATUS", "ID", "NAME", "E-MAIL", "ROLE");
    for u in users {
        let status = match (u.disabled, u.away) {
            (true, _) => "disabled",
            (false, true) => "away",
            (false, false) => "active",
        };
        println!("{:<5} {:<28} {:<32} {:<8} {}", u.id, u.name, u.email, u.role.as_str(), status);
    }
    Ok(())
}

pub async fn set_disabled(config: &Config, email: &str, disabled: bool) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let row = service::find_by_email(&db, email).await.map_err(explain)?;
    // The command line acts as no particular user, so "cannot disable yourself" is moot.
    service::set_disabled(&db, 0, row.id, disabled).await.map_err(explain)?;
    println!("{} <{}> is now {}.", row.name, row.email, if disabled { "disabled (logged out everywhere)" } else { "enabled" });
    Ok(())
}

pub async fn reset_password(config: &Config, email: &str) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let row = service::find_by_email(&db, email).await.map_err(explain)?;
    let password = read_password()?;
    service::reset_password(&db, row.id, &password).await.map_err(explain)?;
    println!("New password set for {} <{}>; their sessions have ended.", row.name, row.email);
    Ok(())
}
