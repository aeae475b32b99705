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

/// Prospects as they would arrive through the agency's website form.
const LEADS: &[(&str, &str, &str, &str)] = &[
    ("Lucía Fernández", "612 345 001", "buy", "Looking for a 3-bedroom flat near the beach in Altea, up to 350k."),
    ("Tom Baker", "+44 7911 123456", "rent", "Long-term rental from March, two bedrooms, pets allowed?"),
    ("Ingrid Larsen", "+47 412 34 567", "buy", "Villa with a pool and sea views, budget around 700k."),
    ("Javier Ortega", "622 111 222", "sell", "I want to sell my townhouse in Benidorm; can someone value it?"),
];

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let message = crate::users::explain;
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

    let form = app::capture::FormSettings::with_defaults("contact", "Find your home on the Costa Blanca");
    let form = app::capture::service::save_form(&db, None, &form).await.map_err(message)?;
    let intake = app::capture::intake::Intake::new(db.clone(), Default::default());
    for (name, phone, need, text) in LEADS {
        let lead = app::capture::LeadInput {
            name: (*name).into(),
            phone: (*phone).into(),
            need: (*need).into(),
            message: (*text).into(),
            ..Default::default()
        };
        intake.submit(&form, &lead, "ES", "form:contact").await.map_err(message)?;
    }

    println!("Sample agency \"Costa Blanca Homes\" created, with {} leads from its form at /f/contact.", LEADS.len());
    println!("Log in as the admin:  {DEMO_ADMIN}  /  {DEMO_PASSWORD}");
    println!("Other accounts (same password):");
    for (name, email, role, _) in STAFF {
        println!("  {role:<8} {name:<14} {email}");
    }
    Ok(())
}
