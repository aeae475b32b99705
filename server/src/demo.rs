//! `doorstep demo`: a sample agency to explore Doorstep with. Later capabilities add their
//! own sample data here.

use anyhow::bail;
use app::auth::{NewUserInput, service};

use crate::config::Config;
use sea_orm::EntityTrait;

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

pub async fn run(config: &Config, deals: Option<u64>, seed: u64) -> anyhow::Result<()> {
    let db = config.open_database().await?;
    let message = crate::users::explain;
    let filled = service::user_count(&db).await.map_err(message)? > 0;
    if filled && deals.is_none() {
        bail!("the database already has users; `doorstep demo` only fills an empty one (use another --data-dir or DATABASE_URL)");
    }
    if !filled {
        agency(config, &db).await?;
    }
    if let Some(count) = deals {
        println!("Adding {count} generated deals…");
        let s = crate::volume::generate(&db, count, seed, crate::volume::SPAN_DAYS, true).await?;
        println!(
            "Added {} deals, {} stage changes, {} timeline entries and {} follow-ups in {:.1} s.",
            s.deals, s.stage_changes, s.activities, s.reminders, s.seconds
        );
    }
    Ok(())
}

/// The sample agency: staff, a form, listings and 300 deals made through the services.
async fn agency(config: &Config, db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    let db = db.clone();
    let message = crate::users::explain;
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
    // The fresh leads start the form's plan; the older deals below came before plans existed.
    let (with_plan, after_viewing) = follow_up_plans(&db, form.id).await?;
    for (name, phone, need, text) in LEADS {
        let lead = app::capture::LeadInput {
            name: (*name).into(),
            phone: (*phone).into(),
            need: (*need).into(),
            message: (*text).into(),
            ..Default::default()
        };
        intake.submit(&with_plan, &lead, "ES", "form:contact").await.map_err(message)?;
    }
    let history = pipeline_history(&db, &intake, &form).await?;
    let media = config.media()?;
    let listings = listings(&db, media.as_ref()).await?;
    let stages = app::deals::service::stages(&db).await.map_err(message)?;
    if let Some(viewing) = stages.iter().find(|s| s.name == "Viewing") {
        app::plans::service::set_trigger(&db, app::plans::service::Trigger::Stage(viewing.id), Some(after_viewing)).await.map_err(message)?;
    }

    println!(
        "Sample agency \"Costa Blanca Homes\" created: {} fresh leads from its form at /f/contact, {history} older deals across the pipeline and {listings} listings.",
        LEADS.len()
    );
    println!("Log in as the admin:  {DEMO_ADMIN}  /  {DEMO_PASSWORD}");
    println!("Other accounts (same password):");
    for (name, email, role, _) in STAFF {
        println!("  {role:<8} {name:<14} {email}");
    }
    Ok(())
}

/// Two follow-up plans: one the contact form starts on every new lead, one for after a
/// viewing. Returns the form as it now is, and the second plan.
async fn follow_up_plans(db: &sea_orm::DatabaseConnection, form_id: i64) -> anyhow::Result<(app::db::entities::capture_form::Model, i64)> {
    use app::plans::service::{self as plans, NewStep, Trigger};
    let message = crate::users::explain;
    let plan = |name| plans::save_plan(db, None, name, true);
    let new_lead = plan("New buyer lead").await.map_err(message)?;
    let steps: &[(i64, &str, &str, &str, &str, &str, &str)] = &[
        (new_lead, "5", "minutes", "", "call", "Call to introduce yourself", ""),
        (new_lead, "1", "days", "09:30", "whatsapp", "Send three listings that fit", "Hola {first_name}, soy {agent} de {agency}. Te envío tres casas que encajan con lo que buscas."),
        (new_lead, "3", "days", "10:00", "call", "Call to book a viewing", ""),
        (new_lead, "7", "days", "", "email", "Weekly new listings", "Hello {first_name}, here are this week's new listings from {agency}."),
    ];
    let after_viewing = plan("After a viewing").await.map_err(message)?;
    let more: &[(i64, &str, &str, &str, &str, &str, &str)] = &[
        (after_viewing, "2", "hours", "", "whatsapp", "Ask how the viewing felt", "Hi {first_name}, what did you think of the house? Happy to answer any question."),
        (after_viewing, "2", "days", "10:00", "call", "Call about an offer", ""),
    ];
    for (plan_id, amount, unit, at_time, kind, title, text) in steps.iter().chain(more) {
        let step = NewStep { amount, unit, at_time, kind, title, message: text };
        plans::add_step(db, *plan_id, step).await.map_err(message)?;
    }
    plans::set_trigger(db, Trigger::Form(form_id), Some(new_lead)).await.map_err(message)?;
    let form = app::db::entities::capture_form::Entity::find_by_id(form_id).one(db).await?;
    Ok((form.ok_or_else(|| anyhow::anyhow!("the demo form vanished"))?, after_viewing))
}

/// Listings along the coast, for matching: (reference, title, operation, type, price, town,
/// area, bedrooms, built m², features).
const LISTINGS: &[(&str, &str, &str, &str, &str, &str, &str, i32, i32, &str)] = &[
    ("ALT-104", "Sea-view flat with a large terrace", "sale", "flat", "325000", "Altea", "Altea Hills", 3, 112, "Terrace\nSea views\nCommunal pool\nGarage"),
    ("ALT-117", "Old-town house with a roof garden", "sale", "townhouse", "289000", "Altea", "Casco Antiguo", 2, 95, "Roof garden\nRenovated 2021"),
    ("CAL-022", "Beachfront apartment by the Peñón", "sale", "flat", "410000", "Calpe", "Arenal-Bol", 2, 88, "Front line\nLift\nAir conditioning"),
    ("BEN-310", "Villa with a pool and mountain views", "sale", "villa", "695000", "Benidorm", "Sierra Cortina", 4, 260, "Private pool\nGated community\nSolar panels"),
    ("ALT-R05", "Two-bedroom rental near the promenade", "rent", "flat", "1150", "Altea", "Centro", 2, 78, "Furnished\nPets welcome"),
    ("CAL-R11", "Penthouse to rent with solarium", "rent", "penthouse", "1650", "Calpe", "Puerto", 3, 120, "Solarium\nSea views\nParking"),
];

async fn listings(db: &sea_orm::DatabaseConnection, media: &dyn app::media::Storage) -> anyhow::Result<usize> {
    let message = crate::users::explain;
    let ana = service::find_by_email(db, "ana@costablanca-homes.test").await.map_err(message)?;
    let marco = service::find_by_email(db, "marco@costablanca-homes.test").await.map_err(message)?;
    for (i, (reference, title, operation, kind, price, city, area, bedrooms, built, features)) in LISTINGS.iter().enumerate() {
        let agent = if i % 2 == 0 { &ana } else { &marco };
        let actor = app::deals::service::Actor { user_id: Some(agent.id), name: agent.name.clone(), manager: false, time_zone: agent.time_zone.clone() };
        let input = app::properties::PropertyInput {
            reference: (*reference).into(),
            title: (*title).into(),
            operation: (*operation).into(),
            property_type: (*kind).into(),
            price: (*price).into(),
            city: (*city).into(),
            area: (*area).into(),
            bedrooms: bedrooms.to_string(),
            bathrooms: (bedrooms - 1).max(1).to_string(),
            built_m2: built.to_string(),
            energy_rating: "C".into(),
            description: format!("{title} in {area}, {city}. Bright rooms, a few minutes from the beach and the shops; ask your agent for a viewing."),
            features: (*features).into(),
            ..Default::default()
        };
        let id = app::properties::service::save(db, &actor, None, &input).await.map_err(message)?;
        for scene in 0..4 {
            let photo = demo_photo(i as u32, scene);
            app::properties::photos::add(db, media, &actor, id, photo).await.map_err(message)?;
        }
    }
    Ok(LISTINGS.len())
}

/// A made-up photo of listing `seed`: the façade under the sky (scene 0), or a room with a
/// window on the sea. Drawn here, so the demo downloads nothing.
fn demo_photo(seed: u32, scene: u32) -> Vec<u8> {
    use image::{Rgb, RgbImage};
    let (w, h) = (1600u32, 1067u32);
    let walls = [[238, 226, 204], [214, 120, 84], [240, 206, 120], [250, 250, 245], [160, 196, 214], [236, 214, 190]];
    let wall = walls[(seed as usize + scene as usize) % walls.len()];
    let roofs = [[178, 74, 44], [96, 84, 80], [150, 60, 40], [120, 56, 36], [70, 90, 110], [160, 90, 50]];
    let roof = roofs[seed as usize % roofs.len()];
    let mut img = RgbImage::new(w, h);
    let horizon = h * 11 / 20;
    for y in 0..h {
        for x in 0..w {
            let t = y as f32 / h as f32;
            let px = if scene == 0 {
                if y < horizon {
                    // Sky: deep blue above, pale at the horizon.
                    [(70.0 + 120.0 * t) as u8, (140.0 + 90.0 * t) as u8, (215.0 + 30.0 * t) as u8]
                } else {
                    // Garden and street.
                    let g = ((x / 40 + y / 40 + seed) % 3) as u8 * 6;
                    [96 + g, 132 + g, 82 + g]
                }
            } else {
                // A room: wall above a wooden floor.
                if y < h * 7 / 10 {
                    [wall[0], wall[1], wall[2]]
                } else {
                    let grain = ((x / 120 + seed) % 2) as u8 * 14;
                    [150 + grain, 108 + grain, 70 + grain]
                }
            };
            img.put_pixel(x, y, Rgb(px));
        }
    }
    let mut fill = |x0: u32, y0: u32, x1: u32, y1: u32, c: [u8; 3]| {
        for y in y0.min(h)..y1.min(h) {
            for x in x0.min(w)..x1.min(w) {
                img.put_pixel(x, y, Rgb(c));
            }
        }
    };
    if scene == 0 {
        // The house: walls, a terracotta roof, windows and a door.
        let (left, right, top) = (360 + seed * 30, 1240 - seed * 20, 360);
        fill(left, top, right, horizon + 180, wall);
        for step in 0..120 {
            fill(left - 40 + step * 2, top - step, right + 40 - step * 2, top - step + 1, roof);
        }
        for col in 0..4 {
            let x = left + 60 + col * (right - left - 120) / 4;
            fill(x, top + 70, x + 110, top + 190, [74, 110, 140]);
            fill(x, top + 250, x + 110, top + 370, [74, 110, 140]);
        }
        let door = (left + right) / 2;
        fill(door - 55, horizon + 30, door + 55, horizon + 180, [110, 72, 44]);
    } else {
        // A window onto the sea, and a sofa or a bed.
        let (x0, x1) = (300 + scene * 120, 900 + scene * 120);
        fill(x0, 180, x1, 560, [120, 180, 225]);
        fill(x0, 400, x1, 560, [40, 110, 170]);
        fill(x0 - 12, 168, x1 + 12, 180, [255, 255, 255]);
        fill(x0 - 12, 560, x1 + 12, 574, [255, 255, 255]);
        let shades = [[92, 112, 128], [180, 80, 60], [70, 120, 90]];
        let shade = shades[((seed + scene) % 3) as usize];
        fill(260, 640, 1340, 820, shade);
        fill(260, 560, 1340, 650, [shade[0].saturating_add(30), shade[1].saturating_add(30), shade[2].saturating_add(30)]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).expect("encoding a demo photo");
    out.into_inner()
}

const FIRST_NAMES: &[&str] = &[
    "Laura", "Pablo", "Marta", "Hugo", "Sara", "Daniel", "Nora", "Erik", "Claire", "James", "Olga", "Pieter", "Ines", "Mateo",
    "Anna", "Lars", "Chloé", "Rui", "Sanne", "Oliver",
];
const LAST_NAMES: &[&str] = &[
    "Martín", "Navarro", "Smith", "Jensen", "Dubois", "Novak", "Santos", "de Vries", "Moreno", "Keller", "Romero", "Walsh",
    "Lindqvist", "Costa", "Ibáñez",
];
const QUESTIONS: &[&str] = &[
    "Is the flat in Calpe still available?",
    "We are looking for something with a terrace, close to schools.",
    "Could we visit this weekend?",
    "What are the community fees?",
    "Interested in the listing with the sea view.",
    "Need a place from September for a year.",
];

/// A small deterministic generator: the same demo every time, no dependency on luck.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Three hundred older deals, spread over two months and every stage, each with the
/// timeline its agent would have logged on the way: the pipeline as a busy agency has it.
async fn pipeline_history(
    db: &sea_orm::DatabaseConnection,
    intake: &app::capture::intake::Intake,
    form: &app::db::entities::capture_form::Model,
) -> anyhow::Result<usize> {
    use app::db::entities::{activity, deal, deal_change, user};
    use app::deals::{service as deals, Outcome};
    use chrono::{Duration, Utc};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let message = crate::users::explain;
    let notifier = app::notifications::service::Notifier::default();
    let stages = deals::stages(db).await.map_err(message)?;
    let people: Vec<app::auth::SessionUser> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| app::auth::SessionUser {
            id: u.id,
            name: u.name,
            email: u.email,
            role: app::auth::Role::parse(&u.role).unwrap_or(app::auth::Role::Agent),
            time_zone: u.time_zone,
            language: u.language.unwrap_or_else(|| "en".into()),
        })
        .collect();
    let mut dice = Dice(2026);
    let count = 300;
    for i in 0..count {
        let name = format!("{} {}", FIRST_NAMES[dice.roll(FIRST_NAMES.len())], LAST_NAMES[dice.roll(LAST_NAMES.len())]);
        let need = ["buy", "buy", "rent", "sell", "let"][dice.roll(5)];
        let budget = 150_000 + 25_000 * dice.roll(30);
        let lead = app::capture::LeadInput {
            name,
            phone: format!("+34 655 {:03} {:03}", i / 1000, i % 1000),
            need: need.into(),
            message: QUESTIONS[dice.roll(QUESTIONS.len())].into(),
            budget_min: (budget - 50_000).to_string(),
            budget_max: budget.to_string(),
            ..Default::default()
        };
        let source = ["form:contact", "api:idealista", "api:fotocasa", "form:contact"][dice.roll(4)];
        let accepted = intake.submit(form, &lead, "ES", source).await.map_err(message)?;
        let owner = &deals::Actor::person(people.iter().find(|p| Some(p.id) == accepted.owner_id).unwrap_or(&people[0]));
        // How far along: most deals are early, some closed.
        let target = [0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 5][dice.roll(13)].min(stages.len() - 1);
        if target > 0 {
            let first = [Outcome::CalledSpoke, Outcome::WhatsappSent, Outcome::CalledNoAnswer][dice.roll(3)];
            deals::log_outcome(db, &notifier, owner, accepted.deal_id, first, "").await.map_err(message)?;
        }
        let mut version = app::deals::Version(1);
        for (step, stage) in stages.iter().enumerate().take(target + 1).skip(1) {
            let (kind, reason, won) = match stage.kind.as_str() {
                "lost" => ("lost", Some("Bought or rented elsewhere".to_owned()), None),
                "won" => ("won", None, Some(budget.to_string())),
                _ => ("open", None, None),
            };
            // Won and Lost are alternatives: a deal ends in one of them.
            if kind == "won" && target == stages.len() - 1 {
                continue;
            }
            if step == 2 {
                deals::log_outcome(db, &notifier, owner, accepted.deal_id, Outcome::ViewingBooked, "Saturday 11:00 at the flat").await.map_err(message)?;
            }
            let to = app::deals::StageMove { stage_id: stage.id, lost_reason: reason, won_value: won };
            version = deals::move_stage(db, &notifier, owner, app::deals::DealId(accepted.deal_id), version, to).await.map_err(message)?;
        }
        // Back-date the whole story so ages, staleness and speed to lead look lived-in.
        // Leads nobody has answered yet are recent: a busy agency still answers within days.
        let age = if target == 0 { Duration::minutes(20 + dice.roll(36 * 60) as i64) } else { Duration::hours(2 + dice.roll(60 * 24) as i64) };
        let created = Utc::now() - age;
        let answered = created + Duration::minutes(5 + dice.roll(240) as i64);
        let touched = created + (age / 3);
        deal::Entity::update_many()
            .col_expr(deal::Column::CreatedAt, Expr::value(created))
            .col_expr(deal::Column::UpdatedAt, Expr::value(touched))
            .col_expr(deal::Column::StageEnteredAt, Expr::value(touched))
            .filter(deal::Column::Id.eq(accepted.deal_id))
            .exec(db)
            .await?;
        deal::Entity::update_many()
            .col_expr(deal::Column::FirstResponseAt, Expr::value(answered))
            .filter(deal::Column::Id.eq(accepted.deal_id))
            .filter(deal::Column::FirstResponseAt.is_not_null())
            .exec(db)
            .await?;
        activity::Entity::update_many()
            .col_expr(activity::Column::OccurredAt, Expr::value(created))
            .filter(activity::Column::DealId.eq(accepted.deal_id))
            .filter(activity::Column::Kind.eq(app::deals::ActivityKind::Inquiry))
            .exec(db)
            .await?;
        activity::Entity::update_many()
            .col_expr(activity::Column::OccurredAt, Expr::value(answered))
            .filter(activity::Column::DealId.eq(accepted.deal_id))
            .filter(activity::Column::Kind.ne(app::deals::ActivityKind::Inquiry))
            .exec(db)
            .await?;
        deal_change::Entity::update_many()
            .col_expr(deal_change::Column::ChangedAt, Expr::value(touched))
            .filter(deal_change::Column::DealId.eq(accepted.deal_id))
            .exec(db)
            .await?;
    }
    Ok(count)
}
