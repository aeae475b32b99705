//! The deal workspace through the real router: versions and conflicts, stage rules, claims,
//! permissions per role and the audit history.

use crate::common;

use std::time::Duration;

use app::db::entities::{activity, deal, deal_change, notification, stage};
use axum::http::StatusCode;
use common::{TestApp, enc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const PASS: &str = "a long enough passphrase";

struct Team {
    app: TestApp,
    ana: String,
    ben: String,
    boss: String,
    ana_id: i64,
    deal_id: i64,
}

/// An agency with two agents and a manager, and one lead that went to Ana.
async fn team() -> Team {
    let app = TestApp::new().await;
    app.set_up().await;
    let ana_id = app.add_user("Ana Agent", "ana@costa.test", "agent", PASS).await;
    app.add_user("Ben Agent", "ben@costa.test", "agent", PASS).await;
    app.add_user("Mia Manager", "mia@costa.test", "manager", PASS).await;
    app.capture_form("open-day").await;
    app.submit_lead("open-day", &[("name", "Lucía Fernández"), ("phone", "+34612345001"), ("message", "A flat in Altea")]).await;
    let deal = deal::Entity::find().one(&app.state.db).await.unwrap().expect("a deal");
    assert_eq!(deal.owner_id, Some(ana_id), "round robin starts with the first agent");
    let ana = app.login_cookie("ana@costa.test", PASS).await;
    let ben = app.login_cookie("ben@costa.test", PASS).await;
    let boss = app.login_cookie("mia@costa.test", PASS).await;
    Team { app, ana, ben, boss, ana_id, deal_id: deal.id }
}

async fn stage_id(app: &TestApp, name: &str) -> i64 {
    stage::Entity::find().filter(stage::Column::Name.eq(name)).one(&app.state.db).await.unwrap().expect("a default stage").id
}

async fn the_deal(t: &Team) -> deal::Model {
    deal::Entity::find_by_id(t.deal_id).one(&t.app.state.db).await.unwrap().unwrap()
}

fn move_body(deal_id: i64, version: i64, stage: i64, extra: &str) -> String {
    format!("deal_id={deal_id}&version={version}&stage_id={stage}{extra}")
}

#[tokio::test]
async fn an_edit_based_on_an_old_version_is_refused_with_what_changed() {
    let t = team().await;
    let contacted = stage_id(&t.app, "Contacted").await;
    let viewing = stage_id(&t.app, "Viewing").await;
    let first = t.app.call("/api/deal/stage", &move_body(t.deal_id, 1, contacted, ""), Some(&t.ana)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body.trim(), "2");
    // Mia, the manager, still looks at version 1.
    let stale = t.app.call("/api/deal/stage", &move_body(t.deal_id, 1, viewing, ""), Some(&t.boss)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.body);
    assert!(stale.body.contains("Ana Agent changed stage from New to Contacted"), "{}", stale.body);
    assert_eq!(the_deal(&t).await.stage_id, contacted, "nothing was overwritten");
    // Read in Spanish, she is told in Spanish.
    assert_eq!(t.app.call("/api/language/set", "language=es", Some(&t.boss)).await.status, StatusCode::OK);
    let spanish = t.app.call("/api/deal/stage", &move_body(t.deal_id, 1, viewing, ""), Some(&t.boss)).await;
    assert_eq!(spanish.status, StatusCode::PRECONDITION_FAILED, "{}", spanish.body);
    assert!(spanish.body.contains("Ana Agent cambió etapa de New a Contacted") && spanish.body.contains("Tu cambio no se ha guardado"), "{}", spanish.body);
    assert_eq!(t.app.call("/api/language/set", "language=", Some(&t.boss)).await.status, StatusCode::OK);
    // Applied again on the version she has now seen, it goes through.
    let again = t.app.call("/api/deal/stage", &move_body(t.deal_id, 2, viewing, ""), Some(&t.boss)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let deal = the_deal(&t).await;
    assert_eq!((deal.stage_id, deal.version), (viewing, 3));
    // Every move is on the timeline and in the audit history, with who and when.
    let moves = activity::Entity::find()
        .filter(activity::Column::DealId.eq(t.deal_id))
        .filter(activity::Column::Kind.eq("stage_change"))
        .order_by_asc(activity::Column::Id)
        .all(&t.app.state.db)
        .await
        .unwrap();
    assert_eq!(moves.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), vec!["New → Contacted", "Contacted → Viewing"]);
    let audit = deal_change::Entity::find().filter(deal_change::Column::Field.eq("stage")).all(&t.app.state.db).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!((audit[1].old_value.as_deref(), audit[1].new_value.as_deref(), audit[1].version), (Some("Contacted"), Some("Viewing"), 3));
}

#[tokio::test]
async fn lost_needs_a_reason_and_won_needs_the_final_value() {
    let t = team().await;
    let lost = stage_id(&t.app, "Lost").await;
    let won = stage_id(&t.app, "Won").await;
    let no_reason = t.app.call("/api/deal/stage", &move_body(t.deal_id, 1, lost, "&lost_reason="), Some(&t.ana)).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_reason.body);
    assert!(no_reason.body.contains("lost_reason"));
    let no_value = t.app.call("/api/deal/stage", &move_body(t.deal_id, 1, won, "&won_value=lots"), Some(&t.ana)).await;
    assert_eq!(no_value.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(the_deal(&t).await.version, 1, "refused input changes nothing");

    let body = move_body(t.deal_id, 1, won, &format!("&won_value={}", enc("€ 312.500")));
    assert_eq!(t.app.call("/api/deal/stage", &body, Some(&t.ana)).await.status, StatusCode::OK);
    let deal = the_deal(&t).await;
    assert_eq!((deal.won_value, deal.closed_at.is_some()), (Some(31_250_000), true));

    let body = move_body(t.deal_id, 2, lost, &format!("&lost_reason={}", enc("No longer looking")));
    let reply = t.app.call("/api/deal/stage", &body, Some(&t.ana)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let deal = the_deal(&t).await;
    assert_eq!((deal.lost_reason.as_deref(), deal.won_value), (Some("No longer looking"), None));
}

#[tokio::test]
async fn contacting_the_client_answers_the_lead_and_a_note_does_not() {
    let t = team().await;
    let note = t.app.call("/api/deal/log", &format!("deal_id={}&outcome=note&body={}", t.deal_id, enc("Prefers mornings")), Some(&t.ana)).await;
    assert_eq!(note.status, StatusCode::OK, "{}", note.body);
    assert!(the_deal(&t).await.first_response_at.is_none());
    let empty = t.app.call("/api/deal/log", &format!("deal_id={}&outcome=note&body=", t.deal_id), Some(&t.ana)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bogus = t.app.call("/api/deal/log", &format!("deal_id={}&outcome=hug", t.deal_id), Some(&t.ana)).await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);

    let sent = t.app.call("/api/deal/log", &format!("deal_id={}&outcome=whatsapp_sent&body=", t.deal_id), Some(&t.ana)).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(the_deal(&t).await.first_response_at.is_some());
    let kinds: Vec<(String, String, Option<i64>)> = activity::Entity::find()
        .filter(activity::Column::DealId.eq(t.deal_id))
        .order_by_asc(activity::Column::Id)
        .all(&t.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.kind.as_str().to_owned(), a.direction.as_str().to_owned(), a.author_id))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("inquiry".into(), "in".into(), None),
            ("note".into(), "internal".into(), Some(t.ana_id)),
            ("whatsapp".into(), "out".into(), Some(t.ana_id)),
        ]
    );
}

#[tokio::test]
async fn without_javascript_a_logged_note_returns_to_the_deal_page() {
    let t = team().await;
    let referer_body = format!("deal_id={}&outcome=called_spoke&body={}", t.deal_id, enc("Wants a viewing"));
    let reply = t.app.post_form("/api/deal/log", &referer_body, Some(&t.ana)).await;
    assert!(reply.status.is_redirection(), "{} {}", reply.status, reply.body);
    let page = t.app.get(&format!("/deals/{}", t.deal_id), Some(&t.ana)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Called: spoke: Wants a viewing"), "the timeline shows it");
    assert!(page.body.contains("Lucía Fernández"));
    assert!(page.body.contains("href=\"tel:+34612345001\""));
    assert!(page.body.contains("https://wa.me/34612345001?text=Hello%20Luc%C3%ADa%2C%20this%20is%20Ana%20from%20Costa%20Homes"), "a WhatsApp link with a greeting from the agent");

    // A client who speaks Spanish is greeted in Spanish, whatever the agent reads.
    let deal = deal::Entity::find_by_id(t.deal_id).one(&t.app.state.db).await.unwrap().unwrap();
    app::db::entities::contact::Entity::update_many()
        .col_expr(app::db::entities::contact::Column::Language, sea_orm::sea_query::Expr::value("es"))
        .filter(app::db::entities::contact::Column::Id.eq(deal.contact_id))
        .exec(&t.app.state.db)
        .await
        .unwrap();
    let page = t.app.get(&format!("/deals/{}", t.deal_id), Some(&t.ana)).await;
    assert!(page.body.contains("https://wa.me/34612345001?text=Hola%20Luc%C3%ADa%2C%20soy%20Ana%20de%20Costa%20Homes"), "{}", page.body);
}

#[tokio::test]
async fn only_managers_reassign_and_read_the_history() {
    let t = team().await;
    let ben_id = app_user(&t.app, "ben@costa.test").await;
    let body = format!("deal_id={}&version=1&owner_id={ben_id}", t.deal_id);
    assert_eq!(t.app.call("/api/deal/owner", &body, Some(&t.ana)).await.status, StatusCode::FORBIDDEN);
    let reply = t.app.call("/api/deal/owner", &body, Some(&t.boss)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(the_deal(&t).await.owner_id, Some(ben_id));
    let told = notification::Entity::find().filter(notification::Column::UserId.eq(ben_id)).all(&t.app.state.db).await.unwrap();
    assert!(told.iter().any(|n| n.title == "Mia Manager gave you Lucía Fernández"), "{told:?}");

    let as_agent = t.app.call("/api/deal", &format!("id={}", t.deal_id), Some(&t.ana)).await;
    assert_eq!(as_agent.status, StatusCode::OK);
    assert!(as_agent.body.contains("\"history\":[]"), "agents do not get the audit history");
    let as_manager = t.app.call("/api/deal", &format!("id={}", t.deal_id), Some(&t.boss)).await;
    assert!(as_manager.body.contains("\"field\":\"owner\"") && as_manager.body.contains("\"new_value\":\"Ben Agent\""), "{}", as_manager.body);
    assert_eq!(t.app.call("/api/deal", &format!("id={}", t.deal_id), None).await.status, StatusCode::UNAUTHORIZED);
}

/// The first `deal` event on a viewer's live stream.
async fn first_deal_event(body: axum::body::Body) -> String {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut seen = String::new();
    while !seen.contains("event: deal") {
        let frame = tokio::time::timeout(Duration::from_secs(5), stream.next()).await.expect("an event in time").unwrap().unwrap();
        seen.push_str(&String::from_utf8_lossy(&frame));
    }
    seen
}

#[tokio::test]
async fn everyone_watching_a_deal_reads_what_a_colleague_did_in_their_own_language() {
    let t = team().await;
    let ben_id = app_user(&t.app, "ben@costa.test").await;
    app::auth::service::set_language(&t.app.state.db, ben_id, Some("es")).await.unwrap();
    let open = |cookie: &str| {
        let request = axum::http::Request::get("/events").header(axum::http::header::COOKIE, cookie).body(axum::body::Body::empty()).unwrap();
        tower::ServiceExt::oneshot(t.app.router.clone(), request)
    };
    let (spanish, english) = (open(&t.ben).await.unwrap(), open(&t.boss).await.unwrap());
    let claimed = t.app.call("/api/deal/claim", &format!("deal_id={}", t.deal_id), Some(&t.ana)).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    let (spanish, english) = (first_deal_event(spanish.into_body()).await, first_deal_event(english.into_body()).await);
    assert!(spanish.contains(r#""what":"Ana Agent está respondiendo""#), "{spanish}");
    assert!(english.contains(r#""what":"Ana Agent is replying""#), "{english}");
    assert!(english.contains(&format!(r#""deal_id":{}"#, t.deal_id)), "{english}");
}

async fn app_user(app: &TestApp, email: &str) -> i64 {
    app::auth::service::find_by_email(&app.state.db, email).await.unwrap().id
}

#[tokio::test]
async fn a_claim_holds_off_colleagues_and_everyone_hears_of_it_live() {
    let t = team().await;
    let mut heard = t.app.state.notifier.subscribe_deals();
    let body = format!("deal_id={}", t.deal_id);
    let claimed = t.app.call("/api/deal/claim", &body, Some(&t.ana)).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    let event = tokio::time::timeout(Duration::from_secs(2), heard.recv()).await.expect("an event at once").unwrap();
    assert_eq!((event.deal_id, event.what.to_string()), (t.deal_id, "Ana Agent is replying".to_owned()));

    let refused = t.app.call("/api/deal/claim", &body, Some(&t.ben)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("Ana Agent is already replying"), "{}", refused.body);
    // Ben's list shows who is replying (everyone's deals, as a manager would see them).
    let list = t.app.call("/api/pipeline", "query[everyone]=true&query[page]=1", Some(&t.boss)).await;
    assert!(list.body.contains("\"name\":\"Ana Agent\""), "{}", list.body);

    // Ana's first message to the client ends her claim; then Ben may take it.
    let sent = t.app.call("/api/deal/log", &format!("deal_id={}&outcome=whatsapp_sent", t.deal_id), Some(&t.ana)).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert_eq!(the_deal(&t).await.reply_claimed_by, None);
    assert_eq!(t.app.call("/api/deal/claim", &body, Some(&t.ben)).await.status, StatusCode::OK);
    assert_eq!(t.app.call("/api/deal/release", &body, Some(&t.ana)).await.status, StatusCode::OK, "releasing what is not yours changes nothing");
    assert!(the_deal(&t).await.reply_claimed_by.is_some());
}

#[tokio::test]
async fn agents_see_their_own_deals_and_managers_everyone_s() {
    let t = team().await;
    t.app.submit_lead("open-day", &[("name", "Tom Baker"), ("phone", "+447911123456")]).await;
    let mine = t.app.call("/api/pipeline", "query[everyone]=true&query[page]=1", Some(&t.ana)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains("Lucía Fernández") && !mine.body.contains("Tom Baker"), "an agent asking for everyone still gets their own");
    let all = t.app.call("/api/pipeline", "query[everyone]=true&query[page]=1", Some(&t.boss)).await;
    assert!(all.body.contains("Lucía Fernández") && all.body.contains("Tom Baker"));
    let found = t.app.call("/api/pipeline", "query[everyone]=true&query[search]=baker&query[page]=1", Some(&t.boss)).await;
    assert!(found.body.contains("Tom Baker") && !found.body.contains("Lucía"));
    let by_phone = t.app.call("/api/pipeline", "query[everyone]=true&query[search]=7911&query[page]=1", Some(&t.boss)).await;
    assert!(by_phone.body.contains("Tom Baker") && !by_phone.body.contains("Lucía"));
    assert!(all.body.contains("\"deals\":2"), "the New stage counts both: {}", all.body);
}

#[tokio::test]
async fn a_stage_that_holds_deals_cannot_be_deleted() {
    let t = team().await;
    let admin = t.app.login_cookie(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let new = stage_id(&t.app, "New").await;
    assert_eq!(t.app.call("/api/stages/delete", &format!("id={new}"), Some(&t.boss)).await.status, StatusCode::FORBIDDEN);
    let held = t.app.call("/api/stages/delete", &format!("id={new}"), Some(&admin)).await;
    assert_eq!(held.status, StatusCode::CONFLICT);
    assert!(held.body.contains("holds 1 deals"), "{}", held.body);
    let add = t.app.call("/api/stages/save", "name=Negotiation&kind=open&position=9&stale_after_days=5", Some(&admin)).await;
    assert_eq!(add.status, StatusCode::OK, "{}", add.body);
    let twice = t.app.call("/api/stages/save", "name=negotiation&kind=open&position=9&stale_after_days=", Some(&admin)).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = t.app.call("/api/stages/save", "name=Later&kind=maybe&position=x&stale_after_days=0", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("position"));
    let negotiation = stage_id(&t.app, "Negotiation").await;
    assert_eq!(t.app.call("/api/stages/delete", &format!("id={negotiation}"), Some(&admin)).await.status, StatusCode::OK);
    let reasons = t.app.call("/api/stages/lost-reasons", &format!("reasons={}", enc("Too far\n\nPrice\n")), Some(&admin)).await;
    assert_eq!(reasons.status, StatusCode::OK);
    assert_eq!(app::deals::service::lost_reasons(&t.app.state.db).await.unwrap(), vec!["Too far", "Price"]);
}

#[tokio::test]
async fn contact_edits_follow_capture_rules_and_are_audited() {
    let t = team().await;
    t.app.submit_lead("open-day", &[("name", "Tom Baker"), ("phone", "+447911123456")]).await;
    let edit = |version: i64, phone: &str| {
        format!("deal_id={}&version={version}&name={}&phone={}&email=&whatsapp=", t.deal_id, enc("Lucía Fernández Ruiz"), enc(phone))
    };
    let bad = t.app.call("/api/deal/contact", &edit(1, "12"), Some(&t.ana)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let taken = t.app.call("/api/deal/contact", &edit(1, "+44 7911 123456"), Some(&t.ana)).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("Tom Baker already has this number"), "{}", taken.body);
    let ok = t.app.call("/api/deal/contact", &edit(1, "612 345 999"), Some(&t.ana)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let contact = app::db::entities::contact::Entity::find_by_id(the_deal(&t).await.contact_id).one(&t.app.state.db).await.unwrap().unwrap();
    assert_eq!((contact.name.as_str(), contact.phone.as_deref(), contact.whatsapp.as_deref()), ("Lucía Fernández Ruiz", Some("+34612345999"), Some("+34612345999")));
    let fields: Vec<String> = deal_change::Entity::find().all(&t.app.state.db).await.unwrap().into_iter().map(|c| c.field).collect();
    assert!(fields.contains(&"contact phone".to_owned()) && fields.contains(&"contact name".to_owned()), "{fields:?}");
}

#[tokio::test]
async fn a_stage_kind_other_than_open_won_or_lost_is_an_error_not_an_open_stage() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::new().await;
    let stages = app::deals::service::stages(&app.state.db).await.unwrap();
    assert!(stages.iter().all(|s| matches!(s.kind, app::deals::StageKind::Open | app::deals::StageKind::Won | app::deals::StageKind::Lost)));
    app.state.db.execute_unprepared("UPDATE stages SET kind = 'limbo' WHERE id = (SELECT MIN(id) FROM stages)").await.unwrap();
    assert!(app::deals::service::stages(&app.state.db).await.is_err(), "bad data is reported, not read as an open stage");
}

/// The board's stage counts and values, read from the summary the database keeps, equal what
/// the deals themselves add up to: for a manager's whole pipeline, for an agent's own and
/// unassigned deals, and under a source filter, after deals changed owner and stage.
#[tokio::test]
async fn the_board_counts_each_stage_as_its_deals_add_up() {
    use sea_orm::sea_query::Expr;
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let db = &app.state.db;
    let ana_id = app.add_user("Ana Agent", "ana@costa.test", "agent", PASS).await;
    let ana = app.login_cookie("ana@costa.test", PASS).await;
    doorstep::volume::generate(db, 300, 11, 60, false).await.unwrap();
    // Some deals become Ana's, some nobody's, and some move to the first stage.
    let first = stage::Entity::find().order_by_asc(stage::Column::Position).one(db).await.unwrap().unwrap().id;
    deal::Entity::update_many().col_expr(deal::Column::OwnerId, Expr::value(ana_id)).filter(deal::Column::Id.lt(80)).exec(db).await.unwrap();
    deal::Entity::update_many()
        .col_expr(deal::Column::OwnerId, Expr::value(Option::<i64>::None))
        .filter(deal::Column::Id.between(80, 120))
        .exec(db)
        .await
        .unwrap();
    deal::Entity::update_many().col_expr(deal::Column::StageId, Expr::value(first)).filter(deal::Column::Id.between(60, 100)).exec(db).await.unwrap();
    let deals = deal::Entity::find().all(db).await.unwrap();
    let source = deals[0].source.clone();

    let source_query = format!("query[everyone]=true&query[page]=1&query[source]={}", enc(&source));
    let cases: Vec<(&str, &String, Box<dyn Fn(&deal::Model) -> bool>)> = vec![
        ("query[everyone]=true&query[page]=1", &admin, Box::new(|_: &deal::Model| true)),
        ("query[everyone]=true&query[page]=1", &ana, Box::new(move |d: &deal::Model| d.owner_id.is_none() || d.owner_id == Some(ana_id))),
        (&source_query, &admin, Box::new(move |d: &deal::Model| d.source == source)),
    ];
    for (query, cookie, wanted) in cases {
        let reply = app.call("/api/pipeline", query, Some(cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let mut counted = 0;
        for column in pipeline["columns"].as_array().unwrap() {
            let stage_id = column["stage"]["id"].as_i64().unwrap();
            let of_stage: Vec<&deal::Model> = deals.iter().filter(|d| d.stage_id == stage_id && wanted(d)).collect();
            let worth: i64 = of_stage.iter().map(|d| d.won_value.or(d.budget_max).or(d.budget_min).unwrap_or(0)).sum();
            assert_eq!(column["stage"]["deals"].as_u64(), Some(of_stage.len() as u64), "{query}: stage {stage_id}'s count");
            let shown: i64 = column["stage"]["value"].as_array().unwrap().iter().map(|m| m["minor"].as_i64().unwrap()).sum();
            assert_eq!(shown, worth, "{query}: stage {stage_id}'s value");
            counted += of_stage.len();
        }
        assert!(counted > 30, "{query}: {counted}");
    }
}
