//! `doorstep demo`: a sample agency to explore Doorstep with. Later capabilities add their
//! own sample data here.

use anyhow::bail;
use app::auth::{NewUserInput, service};

use crate::config::Config;

/// Known on purpose, and printed: this is sample data for trying Doorstep out.
pub const DEMO_PASSWORD: &str = "doorstep-demo";
pub const DEMO_ADMIN: &str = "admin@costablanca-homes.test";

const STAFF: &[(&str, &str, &str, &str)] = &[
    ("Elena García", "elena@costablanca-homes.test", "manager", "+34611200300"),
    ("Ana López", "ana@costablanca-homes.test", "agent", "+34611200301"),
    ("Marco Rossi", "marco@costablanca-homes.test", "agent", "+34611200302"),
    ("Sofia Jansen", "sofia@costablanca-homes.test", "agent", "+34611200303"),
];

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let message = |e: app::error::AppError| anyhow::anyhow!("{e:?}");
    if service::user_count(&db).await.map_err(message)? > 0 {
        bail!("the database already has users; `doorstep demo` only fills an empty one (use another --data-dir or DATABASE_URL)");
    }
    let admin = NewUserInput {
        name: "Carmen Ruiz".into(),
        email: DEMO_ADMIN.into(),
        phone: "+34611200299".into(),
        role: "admin".into(),
        time_zone: "Europe/Madrid".into(),
        password: DEMO_PASSWORD.into(),
    };
    service::create_first_admin(&db, "Costa Blanca Homes", &admin).await.map_err(message)?;
    for (name, email, role, phone) in STAFF {
        let input = NewUserInput {
            name: (*name).into(),
            email: (*email).into(),
            phone: (*phone).into(),
            role: (*role).into(),
            time_zone: "Europe/Madrid".into(),
            password: DEMO_PASSWORD.into(),
        };
        service::create_user(&db, &input).await.map_err(message)?;
    }
    let sofia = service::find_by_email(&db, "sofia@costablanca-homes.test").await.map_err(message)?;
    service::update_user(&db, sofia.id, "agent", "Europe/Madrid", true).await.map_err(message)?;

    println!("Sample agency \"Costa Blanca Homes\" created.");
    println!("Log in as the admin:  {DEMO_ADMIN}  /  {DEMO_PASSWORD}");
    println!("Other accounts (same password):");
    for (name, email, role, _) in STAFF {
        println!("  {role:<8} {name:<14} {email}");
    }
    Ok(())
}
