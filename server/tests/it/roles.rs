//! The role matrix: every page, every server function and every route that needs a session,
//! tried as nobody, as an agent who does not own the deal, as the agent who does, as a
//! manager and as an admin; and the JSON API without a key. One run lists every mismatch.

use crate::common;

use std::collections::BTreeSet;

use app::db::entities::{deal, follow_up_plan, message_template, presentation, property, property_photo, reminder, stage};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Reply, TestApp, form_body};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use tower::ServiceExt;

const PASS: &str = "a long enough passphrase";

/// A token no upload ever had.
const NO_TOKEN: &str = "made-up-token";

/// An id no row has.
const NO_ID: i64 = 999_999;

/// Every server function's endpoint (under /api/), read from the app's source, so a new
/// server function without a row in the table fails the test.
fn server_functions_in_source() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("the app's source").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a readable source file");
                for rest in text.split("#[server(endpoint = \"").skip(1) {
                    found.insert(rest.split('"').next().unwrap_or_default().to_owned());
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src"), &mut found);
    found
}

/// Every operation of the JSON API, read from the OpenAPI document it serves (a route is in
/// the document as soon as it is served), with ids that need not exist: the key is checked
/// first. `/api/v1/openapi.json` is public and checked apart.
async fn api_v1_operations(app: &TestApp) -> Vec<(String, String)> {
    let document: serde_json::Value = serde_json::from_str(&app.get("/api/v1/openapi.json", None).await.body).expect("the document is JSON");
    let mut operations = Vec::new();
    for (path, methods) in document["paths"].as_object().expect("paths").iter().filter(|(path, _)| !path.ends_with("openapi.json")) {
        let path = format!("/api/v1{}", path.trim_start_matches("/api/v1")).replace("{id}", "1");
        for method in methods.as_object().expect("methods").keys().filter(|m| *m != "parameters") {
            operations.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    operations
}

/// Who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Ben: an agent, but not the owner of the deal (nor the listing agent of the listing).
    OtherAgent,
    /// Ana: the agent who owns the deal and lists the listing.
    Owner,
    Manager,
    Admin,
}

impl Who {
    /// From least to most allowed, Ben before Ana: in every row the callers to be refused go
    /// first, so an allowed caller's change (a photo deleted, a follow-up done) never turns a
    /// later refusal into a 404 or a 409.
    const ALL: [Who; 5] = [Who::Anonymous, Who::OtherAgent, Who::Owner, Who::Manager, Who::Admin];

    fn email(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::OtherAgent => Some("ben@costa.test"),
            Who::Owner => Some("ana@costa.test"),
            Who::Manager => Some("mia@costa.test"),
            Who::Admin => Some(common::ADMIN_EMAIL),
        }
    }

    fn password(self) -> &'static str {
        if self == Who::Admin { common::ADMIN_PASSWORD } else { PASS }
    }
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Who::Anonymous => "anonymous",
            Who::OtherAgent => "agent Ben (not the owner)",
            Who::Owner => "agent Ana (the owner)",
            Who::Manager => "manager Mia",
            Who::Admin => "admin Carmen",
        })
    }
}

/// The least a row needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Need {
    /// Anyone, logged in or not.
    Anyone,
    /// Any logged-in user (every role includes the agent's).
    Agent,
    /// The agent who owns the deal (or lists the listing), a manager or an admin; another
    /// agent is refused.
    OwnerAgent,
    Manager,
    Admin,
}

impl Need {
    fn allows(self, who: Who) -> bool {
        match self {
            Need::Anyone => true,
            Need::Agent => who != Who::Anonymous,
            Need::OwnerAgent => matches!(who, Who::Owner | Who::Manager | Who::Admin),
            Need::Manager => matches!(who, Who::Manager | Who::Admin),
            Need::Admin => who == Who::Admin,
        }
    }
}

/// The agency the matrix runs on, and the ids the rows need.
struct World {
    app: TestApp,
    /// Indexed by `Who as usize`.
    cookies: [Option<String>; 5],
    ana_id: i64,
    /// An agent with no deals, for the admin's and the manager's actions on users.
    spare_id: i64,
    deal_id: i64,
    /// An open stage the deal is not in.
    other_stage_id: i64,
    property_id: i64,
    photo_id: i64,
    presentation_id: i64,
    reminder_id: i64,
    template_id: i64,
    plan_id: i64,
    capture_key: String,
}

impl World {
    fn cookie(&self, who: Who) -> Option<&str> {
        self.cookies[who as usize].as_deref()
    }
}

fn listing_form() -> String {
    form_body(&[
        ("input[reference]", "ALT-9"),
        ("input[title]", "Flat with a garden"),
        ("input[operation]", "sale"),
        ("input[property_type]", "flat"),
        ("input[status]", "available"),
        ("input[price]", "299k"),
        ("input[city]", "Altea"),
        ("input[bedrooms]", "2"),
        ("input[features]", "Garden\nParking"),
    ])
}

fn expect_ok(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::OK, "setting up the matrix, {what}: {}", reply.body);
}

/// An admin, a manager, agents Ana and Ben, a lead whose deal is Ana's, Ana's listing with a
/// photo, a presentation and a follow-up on the deal, a template, a plan and a capture key.
async fn world() -> World {
    // A WhatsApp Business number, so a reply gets past "not set up" to the owner check; the
    // Graph address answers nowhere, and the rows never send (the message is blank).
    let app = TestApp::configured(|c| {
        c.whatsapp_token = Some("role-matrix-token".into());
        c.whatsapp_phone_number_id = Some("106540352242922".into());
        c.whatsapp_graph_url = "http://127.0.0.1:9".into();
    })
    .await;
    let admin = app.admin_cookie().await;
    let ana_id = app.add_user("Ana Agent", "ana@costa.test", "agent", PASS).await;
    app.add_user("Ben Agent", "ben@costa.test", "agent", PASS).await;
    app.add_user("Mia Manager", "mia@costa.test", "manager", PASS).await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001"), ("message", "A flat in Altea")]).await;
    let db = &app.state.db;
    // Round robin gives it to Ana already; made certain, as the whole matrix rests on it.
    deal::Entity::update_many().col_expr(deal::Column::OwnerId, sea_orm::sea_query::Expr::value(ana_id)).exec(db).await.unwrap();
    let the_deal = deal::Entity::find().one(db).await.unwrap().expect("the lead made a deal");
    assert_eq!(the_deal.owner_id, Some(ana_id));
    assert!(the_deal.closed_at.is_none(), "the deal is open");
    let spare_id = app.add_user("Sam Spare", "sam@costa.test", "agent", PASS).await;
    let other_stage_id = stage::Entity::find()
        .filter(stage::Column::Kind.eq("open"))
        .filter(stage::Column::Id.ne(the_deal.stage_id))
        .one(db)
        .await
        .unwrap()
        .expect("a second open stage")
        .id;

    let ana = app.login_cookie("ana@costa.test", PASS).await;
    let ben = app.login_cookie("ben@costa.test", PASS).await;
    let mia = app.login_cookie("mia@costa.test", PASS).await;

    expect_ok(&app.call("/api/properties/save", &listing_form(), Some(&ana)).await, "Ana's listing");
    let listing = property::Entity::find().one(db).await.unwrap().expect("Ana's listing");
    assert_eq!(listing.listing_agent_id, Some(ana_id), "Ana lists her own listing");
    let photo = property_photo::ActiveModel {
        property_id: Set(listing.id),
        position: Set(0),
        display_key: Set("photos/role-matrix.jpg".into()),
        thumb_key: Set("photos/role-matrix-thumb.jpg".into()),
        width: Set(10),
        height: Set(10),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    let body = format!("deal_id={}&property_ids[0]={}&paper=a4", the_deal.id, listing.id);
    expect_ok(&app.call("/api/presentations/create", &body, Some(&ana)).await, "Ana's presentation");
    let shown = presentation::Entity::find().one(db).await.unwrap().expect("Ana's presentation");

    let body = format!("deal_id={}&title=Call&kind=call&preset=in_an_hour", the_deal.id);
    expect_ok(&app.call("/api/reminders/set", &body, Some(&ana)).await, "Ana's follow-up");
    let follow_up = reminder::Entity::find()
        .filter(reminder::Column::DealId.eq(the_deal.id))
        .filter(reminder::Column::CreatedBy.eq(ana_id))
        .one(db)
        .await
        .unwrap()
        .expect("Ana's follow-up");
    assert_eq!(follow_up.assignee_id, ana_id);

    expect_ok(&app.call("/api/templates/save", "name=Role+matrix&body=Hello+from+Costa+Homes.", Some(&admin)).await, "a template");
    let template = message_template::Entity::find()
        .filter(message_template::Column::Name.eq("Role matrix"))
        .one(db)
        .await
        .unwrap()
        .expect("the template");
    expect_ok(&app.call("/api/plans/save", "name=Role+matrix+plan", Some(&admin)).await, "a plan");
    let plan = follow_up_plan::Entity::find()
        .filter(follow_up_plan::Column::Name.eq("Role matrix plan"))
        .one(db)
        .await
        .unwrap()
        .expect("the plan");
    let capture_key = app::apikeys::service::create(db, "Website", "capture").await.unwrap().key;

    World {
        cookies: [None, Some(ben), Some(ana), Some(mia), Some(admin)],
        ana_id,
        spare_id,
        deal_id: the_deal.id,
        other_stage_id,
        property_id: listing.id,
        photo_id: photo.id,
        presentation_id: shown.id,
        reminder_id: follow_up.id,
        template_id: template.id,
        plan_id: plan.id,
        capture_key,
        app,
    }
}

/// Every page and the least it needs. `/login` and `/setup` are checked apart.
fn pages(w: &World) -> Vec<(String, Need)> {
    let (d, p) = (w.deal_id, w.property_id);
    vec![
        ("/".into(), Need::Agent),
        ("/notifications".into(), Need::Agent),
        ("/pipeline".into(), Need::Agent),
        // Every agent may open every deal: colleagues cover for each other.
        (format!("/deals/{d}"), Need::Agent),
        (format!("/deals/{d}/chats/{NO_TOKEN}"), Need::Agent),
        ("/properties".into(), Need::Agent),
        ("/properties/new".into(), Need::Agent),
        (format!("/properties/{p}"), Need::Agent),
        ("/reports".into(), Need::Manager),
        ("/reports/deals".into(), Need::Manager),
        ("/data".into(), Need::Manager),
        (format!("/data/imports/{NO_TOKEN}"), Need::Manager),
        ("/admin/stages".into(), Need::Admin),
        ("/admin/plans".into(), Need::Admin),
        ("/admin/templates".into(), Need::Admin),
        ("/admin/users".into(), Need::Admin),
        ("/admin/forms".into(), Need::Admin),
        ("/admin/api-keys".into(), Need::Admin),
        ("/admin/agency".into(), Need::Admin),
    ]
}

/// Every server function, the least it needs and a body that reaches its role check (and,
/// for owner rows, the owner check). Versioned edits carry version 0, so nothing they would
/// change is changed; destructive rows aim at ids that do not exist or at the spare user.
fn server_functions(w: &World) -> Vec<(&'static str, Need, String)> {
    let (d, ana, spare) = (w.deal_id, w.ana_id, w.spare_id);
    let none = String::new;
    vec![
        // app/src/agency/api.rs
        ("agency/update", Need::Admin, "name=Costa+Homes&time_zone=Europe%2FMadrid&default_region=ES".into()),
        ("agency/alerts", Need::Admin, none()),
        ("agency/alerts/save", Need::Admin, "escalate_after=&digest_hour=7".into()),
        ("agency/brand", Need::Admin, none()),
        ("agency/brand/save", Need::Admin, "brand_color=%231F4E5F".into()),
        // app/src/apikeys/api.rs
        ("apikeys", Need::Admin, none()),
        ("apikeys/create", Need::Admin, "name=Role+matrix&scope=capture".into()),
        ("apikeys/revoke", Need::Admin, format!("id={NO_ID}")),
        // app/src/auth/api.rs
        ("current_user", Need::Anyone, none()),
        ("agency", Need::Anyone, none()),
        // Empty fields: refused before any password is tried, so nobody gets locked out.
        ("login", Need::Anyone, "email=&password=".into()),
        // Sent with a fresh session per role (see the loop): it ends the one it carries.
        ("logout", Need::Anyone, none()),
        (
            "setup",
            Need::Anyone,
            "agency_name=Mallory+Homes&name=Mallory&email=mallory%40evil.test&phone=&time_zone=UTC&password=another+long+one&password_confirm=another+long+one"
                .into(),
        ),
        ("time_zones", Need::Anyone, none()),
        ("users", Need::Admin, none()),
        (
            "users/add",
            Need::Admin,
            "name=Rosa+Role&email=rosa%40costa.test&phone=&role=agent&time_zone=Europe%2FMadrid&password=rosa+role+passphrase".into(),
        ),
        ("users/disable", Need::Admin, format!("user_id={spare}&disabled=false")),
        ("users/password", Need::Admin, format!("user_id={spare}&password=another+long+passphrase")),
        ("users/update", Need::Admin, format!("user_id={spare}&role=agent&time_zone=Europe%2FMadrid")),
        ("team", Need::Agent, none()),
        // app/src/capture/api.rs
        (
            "forms/save",
            Need::Admin,
            "slug=&title=&intro=&consent_text=&default_need=x&currency=&assignment=x&thank_you_text=&redirect_url=".into(),
        ),
        ("forms", Need::Admin, none()),
        ("leads/new", Need::Agent, none()),
        // app/src/deals/api.rs
        ("pipeline", Need::Agent, "query[everyone]=true&query[page]=1".into()),
        ("today", Need::Agent, none()),
        ("deal", Need::Agent, format!("id={d}")),
        // Anyone on the team logs what happened on any deal.
        ("deal/log", Need::Agent, format!("deal_id={d}&outcome=note&body=Role+matrix")),
        ("deal/stage", Need::OwnerAgent, format!("deal_id={d}&version=0&stage_id={}", w.other_stage_id)),
        ("deal/owner", Need::Manager, format!("deal_id={d}&version=0&owner_id={ana}")),
        (
            "deal/contact",
            Need::OwnerAgent,
            format!("deal_id={d}&version=0&{}", form_body(&[("name", "Lucía Fernández"), ("phone", "+34612345001"), ("email", ""), ("whatsapp", "")])),
        ),
        // Anyone may claim the reply (Ben first, then the others get 409) and give it back.
        ("deal/claim", Need::Agent, format!("deal_id={d}")),
        ("deal/release", Need::Agent, format!("deal_id={d}")),
        ("stages", Need::Admin, none()),
        ("stages/save", Need::Admin, "name=Role+matrix&kind=open&position=x&stale_after_days=".into()),
        ("stages/delete", Need::Admin, format!("id={NO_ID}")),
        ("stages/lost-reasons", Need::Admin, "reasons=No+longer+looking".into()),
        // app/src/imports/api.rs
        ("imports/view", Need::Manager, format!("token={NO_TOKEN}")),
        ("imports/run", Need::Manager, format!("token={NO_TOKEN}&step=check&mode=valid")),
        // app/src/notifications/api.rs
        ("notifications/unread", Need::Agent, none()),
        ("notifications/list", Need::Agent, none()),
        // app/src/push/api.rs: each touches only the caller's own devices.
        ("push/key", Need::Agent, none()),
        ("push/subscribe", Need::Agent, "endpoint=https%3A%2F%2Fpush.example.com%2Fx&p256dh=short&auth=short".into()),
        ("push/devices", Need::Agent, none()),
        ("push/kinds", Need::Agent, format!("id={NO_ID}&lead=on")),
        ("push/remove", Need::Agent, format!("id={NO_ID}")),
        // app/src/auth/api.rs, the caller's own sessions
        ("sessions", Need::Agent, none()),
        ("sessions/end", Need::Agent, format!("id={NO_ID}")),
        ("password", Need::Agent, "current=&password=".into()),
        // app/src/plans/api.rs
        ("plans/list", Need::Admin, none()),
        ("plans/save", Need::Admin, "name=".into()),
        ("plans/delete", Need::Admin, format!("id={NO_ID}")),
        ("plans/step", Need::Admin, format!("plan_id={NO_ID}&amount=1&unit=days&at_time=&kind=call&title=x&message=")),
        ("plans/step/delete", Need::Admin, format!("id={NO_ID}")),
        ("plans/starter", Need::Admin, format!("target=form:{NO_ID}&plan_id=")),
        ("plans/start", Need::OwnerAgent, format!("deal_id={d}&plan_id={}", w.plan_id)),
        // app/src/presentations/api.rs
        ("presentations/create", Need::OwnerAgent, format!("deal_id={d}&property_ids[0]={}&paper=a4", w.property_id)),
        ("presentations/for-deal", Need::Agent, format!("deal_id={d}")),
        ("presentations/email", Need::OwnerAgent, format!("id={}", w.presentation_id)),
        ("presentations/sent-whatsapp", Need::OwnerAgent, format!("id={}", w.presentation_id)),
        // Its maker (Ana), the deal's editors and managers.
        ("presentations/revoke", Need::OwnerAgent, format!("id={}", w.presentation_id)),
        // Owner here is the listing agent (Ana).
        ("photos/move", Need::OwnerAgent, format!("id={}&to=cover", w.photo_id)),
        ("photos/delete", Need::OwnerAgent, format!("id={}", w.photo_id)),
        // app/src/properties/api.rs
        ("properties/list", Need::Agent, "search=&status=".into()),
        ("properties/get", Need::Agent, format!("id={}", w.property_id)),
        ("properties/save", Need::OwnerAgent, format!("id={}&{}", w.property_id, listing_form())),
        ("deal/matches", Need::Agent, format!("deal_id={d}")),
        ("properties/agents", Need::Agent, none()),
        // app/src/reminders/api.rs
        ("reminders/deal", Need::Agent, format!("deal_id={d}")),
        ("reminders/today", Need::Agent, none()),
        // Anyone may plan a follow-up on any deal; it goes to the deal's owner.
        ("reminders/set", Need::Agent, format!("deal_id={d}&title=Call&kind=call&preset=in_an_hour")),
        ("reminders/snooze", Need::OwnerAgent, format!("id={}&preset=in_an_hour", w.reminder_id)),
        ("reminders/done", Need::OwnerAgent, format!("id={}", w.reminder_id)),
        ("reminders/cancel", Need::OwnerAgent, format!("id={}", w.reminder_id)),
        ("calendar/status", Need::Agent, none()),
        ("calendar/new", Need::Agent, none()),
        ("calendar/revoke", Need::Agent, none()),
        // app/src/reports/api.rs
        ("reports/dashboard", Need::Manager, none()),
        ("reports/deals", Need::Manager, "page=1".into()),
        // Already Ana's: nothing moves.
        ("reports/reassign", Need::Manager, format!("deal_ids[0]={d}&owner_id={ana}")),
        // The spare agent has no open deals: refused as a field error after the role check.
        ("reports/hand-over", Need::Manager, format!("from_id={spare}&owner_id={ana}")),
        ("reports/away", Need::Manager, format!("user_id={spare}&away=false")),
        // app/src/templates/api.rs
        ("templates/list", Need::Admin, none()),
        ("templates/save", Need::Admin, "name=&body=".into()),
        ("templates/delete", Need::Admin, format!("id={NO_ID}")),
        ("templates/for-deal", Need::Agent, format!("deal_id={d}")),
        ("templates/send", Need::OwnerAgent, format!("deal_id={d}&template_id={}", w.template_id)),
        // app/src/whatsapp/api.rs: an upload is its uploader's alone; with a made-up token
        // every agent gets past the role check to "this upload is gone".
        ("chats/preview", Need::Agent, format!("token={NO_TOKEN}&choice[agent]=&choice[time_zone]=&choice[order]=")),
        ("chats/import", Need::Agent, format!("token={NO_TOKEN}&agent=&time_zone=&order=")),
        // A blank message: refused after the owner check, before anything is sent.
        ("whatsapp/reply", Need::OwnerAgent, format!("deal_id={d}&body=%20")),
    ]
}

/// How a plain route is asked.
enum Ask {
    Get,
    /// A multipart form with one file.
    Upload { field: &'static str, file: &'static str, bytes: &'static [u8] },
    /// Server-sent events: only the status is read (the body never ends).
    Stream,
}

/// The plain axum routes that need a session, and the least each needs.
fn routes(w: &World) -> Vec<(String, Need, Ask)> {
    vec![
        ("/reports/export/team.csv".into(), Need::Manager, Ask::Get),
        (
            "/data/imports".into(),
            Need::Manager,
            Ask::Upload { field: "file", file: "contacts.csv", bytes: b"name,phone\nTom Baker,+34600111222\n" },
        ),
        ("/data/export/contacts.csv".into(), Need::Manager, Ask::Get),
        ("/admin/agency/logo".into(), Need::Admin, Ask::Upload { field: "logo", file: "logo.png", bytes: b"not an image" }),
        // Anyone on the team may bring a chat into any deal's timeline (like logging).
        (format!("/deals/{}/chats", w.deal_id), Need::Agent, Ask::Upload { field: "file", file: "chat.txt", bytes: b"not a chat export" }),
        (format!("/attachments/{NO_ID}"), Need::Agent, Ask::Get),
        // Owner here is the listing agent (Ana).
        (format!("/properties/{}/photos", w.property_id), Need::OwnerAgent, Ask::Upload { field: "photo", file: "photo.jpg", bytes: b"not a photo" }),
        ("/events".into(), Need::Agent, Ask::Stream),
    ]
}

/// The first characters of a body, on one line, for a failure message.
fn snippet(body: &str) -> String {
    body.chars().take(160).collect::<String>().replace('\n', " ")
}

fn leaks_a_hash(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("argon2") || lower.contains("$argon") || lower.contains("password_hash")
}

/// A server function's answer: refused ones with exactly 401 (nobody) or 403, allowed ones
/// with anything else (the body may still fail validation, or name a missing row).
fn server_fn_verdict(need: Need, who: Who, status: StatusCode) -> Result<(), &'static str> {
    if need.allows(who) {
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN { Err("allowed: anything but 401/403") } else { Ok(()) }
    } else if who == Who::Anonymous {
        if status == StatusCode::UNAUTHORIZED { Ok(()) } else { Err("refused: 401") }
    } else if status == StatusCode::FORBIDDEN {
        Ok(())
    } else {
        Err("refused: 403")
    }
}

/// A page: nobody is sent to log in, a role below the page's gets 403, the others the page.
fn page_verdict(need: Need, who: Who, reply: &Reply) -> Result<(), &'static str> {
    if need.allows(who) {
        if reply.status == StatusCode::OK { Ok(()) } else { Err("allowed: 200") }
    } else if who == Who::Anonymous {
        if reply.status == StatusCode::SEE_OTHER && reply.location().starts_with("/login") { Ok(()) } else { Err("refused: 303 to /login") }
    } else if reply.status == StatusCode::FORBIDDEN {
        Ok(())
    } else {
        Err("refused: 403")
    }
}

/// A plain route: nobody gets 401 or is sent to log in, a role below the route's gets 403,
/// the others anything else.
fn route_verdict(need: Need, who: Who, status: StatusCode, location: &str) -> Result<(), &'static str> {
    let to_login = status.is_redirection() && location.starts_with("/login");
    if need.allows(who) {
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN || to_login {
            Err("allowed: anything but 401/403 or a redirect to /login")
        } else {
            Ok(())
        }
    } else if who == Who::Anonymous {
        if status == StatusCode::UNAUTHORIZED || to_login { Ok(()) } else { Err("refused: 401 or a redirect to /login") }
    } else if status == StatusCode::FORBIDDEN {
        Ok(())
    } else {
        Err("refused: 403")
    }
}

async fn upload(app: &TestApp, path: &str, field: &str, file: &str, bytes: &[u8], cookie: Option<&str>) -> Reply {
    let boundary = "doorstep-role-matrix";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::ACCEPT, "text/html")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://127.0.0.1:3000");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

/// The status and redirect of a GET whose body is never read (an event stream).
async fn head_of(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get(path).header(header::ACCEPT, "text/event-stream");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.expect("the router answers");
    let location = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (response.status(), location)
}

async fn api_v1(app: &TestApp, method: &str, path: &str, key: Option<&str>, cookie: Option<&str>) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "127.0.0.1:3000");
    if let Some(key) = key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::from("{}")).unwrap()).await
}

#[tokio::test]
async fn every_role_gets_what_it_may_and_is_refused_the_rest() {
    let w = world().await;
    let mut mismatches: Vec<String> = Vec::new();
    // Allowed calls that failed on the server: not refusals, but a sign a body never reached
    // the function. Printed, not failed on.
    let mut warnings: Vec<String> = Vec::new();

    // The table covers exactly the server functions in the source, once each.
    let table = server_functions(&w);
    let in_source = server_functions_in_source();
    let tested: BTreeSet<String> = table.iter().map(|(endpoint, _, _)| (*endpoint).to_owned()).collect();
    assert!(in_source.len() > 50, "the source scan found only {} server functions", in_source.len());
    assert_eq!(tested.len(), table.len(), "an endpoint has two rows in the table");
    for missing in in_source.difference(&tested) {
        mismatches.push(format!("/api/{missing}: a server function with no row in the table"));
    }
    for extra in tested.difference(&in_source) {
        mismatches.push(format!("/api/{extra}: has a row but no server function has that endpoint"));
    }

    // Pages.
    let page_rows = pages(&w);
    for (path, need) in &page_rows {
        for who in Who::ALL {
            let reply = w.app.get(path, w.cookie(who)).await;
            if let Err(expected) = page_verdict(*need, who, &reply) {
                mismatches.push(format!("{who} on page {path}: got {} (location {:?}), expected {expected}", reply.status, reply.location()));
            }
            if leaks_a_hash(&reply.body) {
                mismatches.push(format!("{who} on page {path}: the page carries a password hash"));
            }
        }
    }
    // The log-in page is for those not logged in; the set-up page is gone once set up.
    for who in Who::ALL {
        let login = w.app.get("/login", w.cookie(who)).await;
        let (ok, expected) = if who == Who::Anonymous {
            (login.status == StatusCode::OK, "200")
        } else {
            (login.status == StatusCode::SEE_OTHER && login.location() == "/", "303 to /")
        };
        if !ok {
            mismatches.push(format!("{who} on page /login: got {} (location {:?}), expected {expected}", login.status, login.location()));
        }
        let setup = w.app.get("/setup", w.cookie(who)).await;
        let target = if who == Who::Anonymous { "/login" } else { "/" };
        if !(setup.status == StatusCode::SEE_OTHER && setup.location() == target) {
            mismatches.push(format!("{who} on page /setup: got {} (location {:?}), expected 303 to {target}", setup.status, setup.location()));
        }
    }

    // Server functions.
    for (endpoint, need, body) in &table {
        let path = format!("/api/{endpoint}");
        for who in Who::ALL {
            // Logging out ends the session it carries: each role sends a fresh one.
            let fresh = match (*endpoint == "logout", who.email()) {
                (true, Some(email)) => Some(w.app.login_cookie(email, who.password()).await),
                _ => None,
            };
            let cookie = fresh.as_deref().or(w.cookie(who));
            let reply = w.app.call(&path, body, cookie).await;
            if let Err(expected) = server_fn_verdict(*need, who, reply.status) {
                mismatches.push(format!("{who} on {path}: got {}, expected {expected}: {}", reply.status, snippet(&reply.body)));
            } else if need.allows(who) && reply.status.is_server_error() {
                warnings.push(format!("{who} on {path}: allowed, but got {}: {}", reply.status, snippet(&reply.body)));
            }
            if leaks_a_hash(&reply.body) {
                mismatches.push(format!("{who} on {path}: the answer carries a password hash: {}", snippet(&reply.body)));
            }
        }
    }

    // Plain routes that need a session.
    let route_rows = routes(&w);
    for (path, need, ask) in &route_rows {
        for who in Who::ALL {
            let cookie = w.cookie(who);
            let (status, location, body) = match ask {
                Ask::Get => {
                    let reply = w.app.get(path, cookie).await;
                    (reply.status, reply.location().to_owned(), reply.body)
                }
                Ask::Upload { field, file, bytes } => {
                    let reply = upload(&w.app, path, field, file, bytes, cookie).await;
                    (reply.status, reply.location().to_owned(), reply.body)
                }
                Ask::Stream => {
                    let (status, location) = head_of(&w.app, path, cookie).await;
                    (status, location, String::new())
                }
            };
            if let Err(expected) = route_verdict(*need, who, status, &location) {
                mismatches.push(format!("{who} on route {path}: got {status} (location {location:?}), expected {expected}: {}", snippet(&body)));
            }
            if leaks_a_hash(&body) {
                mismatches.push(format!("{who} on route {path}: the answer carries a password hash"));
            }
        }
    }

    // The JSON API: nothing without a key, a session cookie counts for nothing, and a
    // capture key only posts leads.
    let admin_cookie = w.cookie(Who::Admin);
    let operations = api_v1_operations(&w.app).await;
    assert!(operations.len() >= 26, "the OpenAPI document lists only {} operations", operations.len());
    for (method, path) in &operations {
        let (method, path) = (method.as_str(), path.as_str());
        let bare = api_v1(&w.app, method, path, None, None).await;
        if bare.status != StatusCode::UNAUTHORIZED {
            mismatches.push(format!("no key on {method} {path}: got {}, expected 401: {}", bare.status, snippet(&bare.body)));
        }
        let with_session = api_v1(&w.app, method, path, None, admin_cookie).await;
        if with_session.status != StatusCode::UNAUTHORIZED {
            mismatches.push(format!("admin's session cookie, no key, on {method} {path}: got {}, expected 401: {}", with_session.status, snippet(&with_session.body)));
        }
        let capture = api_v1(&w.app, method, path, Some(&w.capture_key), None).await;
        let refused = capture.status == StatusCode::UNAUTHORIZED || capture.status == StatusCode::FORBIDDEN;
        if path == "/api/v1/leads" {
            if refused {
                mismatches.push(format!("a capture key on {method} {path}: got {}, expected anything but 401/403: {}", capture.status, snippet(&capture.body)));
            }
        } else if capture.status != StatusCode::FORBIDDEN {
            mismatches.push(format!("a capture key on {method} {path}: got {}, expected 403: {}", capture.status, snippet(&capture.body)));
        }
    }
    let openapi = w.app.get("/api/v1/openapi.json", None).await;
    if openapi.status != StatusCode::OK {
        mismatches.push(format!("anonymous on GET /api/v1/openapi.json: got {}, expected 200 (the description is public)", openapi.status));
    }
    let calendar = w.app.get("/ics/made-up-secret.ics", None).await;
    if calendar.status != StatusCode::NOT_FOUND {
        mismatches.push(format!("anonymous on GET /ics/made-up-secret.ics: got {}, expected 404", calendar.status));
    }

    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    eprintln!(
        "role matrix: {} pages (+ /login, /setup), {} server functions, {} routes, {} API v1 routes, {} roles each",
        page_rows.len(),
        table.len(),
        route_rows.len(),
        operations.len(),
        Who::ALL.len()
    );
    assert!(mismatches.is_empty(), "{} mismatches in the role matrix:\n{}", mismatches.len(), mismatches.join("\n"));
}
