//! The capture form in the prospect's language: the form's own, or their browser's when the
//! form is automatic; what needs fixing said in it; and the contact remembering it.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use sea_orm::EntityTrait;

use crate::common::{self, TestApp};

/// Every English message of the public form (app/locales/en), as a prospect would read it.
fn english_form_texts() -> Vec<String> {
    let en = app::language::Language::english();
    [
        "capture-your-name", "capture-mobile", "capture-need", "capture-move-in", "capture-property-ref", "capture-message",
        "capture-leave-empty", "capture-send", "capture-sending", "capture-error-name", "capture-error-reach", "phone-error-characters",
        "email-error-incomplete", "need-buy", "need-rent", "need-sell", "need-let",
    ]
    .into_iter()
    .map(|key| en.t(key))
    .chain([en.t_with("capture-budget-from", &[("currency", "EUR".into())])])
    .collect()
}

async fn form_page(app: &TestApp, slug: &str, accept_language: &str) -> (StatusCode, String) {
    let request = Request::get(format!("/f/{slug}")).header(header::ACCEPT_LANGUAGE, accept_language).body(Body::empty()).unwrap();
    let reply = app.send(request).await;
    (reply.status, reply.body)
}

async fn post(app: &TestApp, slug: &str, accept_language: &str, pairs: &[(&str, &str)]) -> common::Reply {
    let token = app.form_token(10);
    let mut all = pairs.to_vec();
    all.push(("t", &token));
    let request = Request::post(format!("/f/{slug}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, accept_language)
        .body(Body::from(common::form_body(&all)))
        .unwrap();
    app.send(request).await
}

/// Makes `slug` speak `language` ("auto" for the browser's) with every optional field shown.
async fn form_in(app: &TestApp, slug: &str, language: &str) {
    let mut settings = app::capture::FormSettings::with_defaults(slug, "Jornada de puertas abiertas");
    settings.language = language.into();
    (settings.show_budget, settings.show_move_in, settings.show_property_ref) = (true, true, true);
    app::capture::service::save_form(&app.state.db, None, &settings).await.expect("saving the form");
}

#[tokio::test]
async fn a_spanish_form_speaks_spanish_whatever_the_browser() {
    let app = TestApp::new().await;
    app.set_up().await;
    form_in(&app, "jornada", "es").await;
    let (status, page) = form_page(&app, "jornada", "en-GB,en;q=0.9").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<html lang="es">"#), "{page}");
    for spanish in ["Tu nombre", "Móvil", "Me gustaría", "Comprar una vivienda", "Presupuesto desde (EUR)", "Fecha de entrada", "Enviar", "Dinos tu nombre."] {
        assert!(page.contains(spanish), "{spanish:?} is on the page");
    }
    for english in english_form_texts() {
        assert!(!page.contains(&english), "{english:?} is left in English on the Spanish form");
    }

    // What needs fixing is said in Spanish, and nothing is stored.
    let refused = post(&app, "jornada", "en", &[("name", " "), ("phone", "12ab"), ("budget_min", "mucho")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for spanish in ["Revisa los campos marcados abajo.", "Dinos tu nombre.", "Un número de teléfono solo puede tener cifras", "Escribe un importe como 250000"] {
        assert!(refused.body.contains(spanish), "{spanish:?} in {}", refused.body);
    }
    assert!(app::db::entities::contact::Entity::find().all(&app.state.db).await.unwrap().is_empty());

    // A lead from it is a Spanish-speaking contact.
    let sent = post(&app, "jornada", "en", &[("name", "Lucía Fernández"), ("phone", "+34 612 345 001")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let contact = app::db::entities::contact::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(contact.language.as_deref(), Some("es"));
}

#[tokio::test]
async fn an_automatic_form_follows_the_browser_and_falls_back_to_english() {
    let app = TestApp::new().await;
    app.set_up().await;
    form_in(&app, "visita", "auto").await;
    let (_, spanish) = form_page(&app, "visita", "es-MX,es;q=0.9,en;q=0.5").await;
    assert!(spanish.contains("Tu nombre") && spanish.contains(r#"lang="es""#));
    let (_, english) = form_page(&app, "visita", "de-DE,de;q=0.9,en;q=0.3").await;
    assert!(english.contains("Your name") && english.contains(r#"lang="en""#));
    let (_, unknown) = form_page(&app, "visita", "ja").await;
    assert!(unknown.contains("Your name"), "no language we speak: English");
    // Pages without a form follow the browser too.
    let (status, missing) = form_page(&app, "no-such-form", "es").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("Formulario no encontrado"), "{missing}");

    let sent = post(&app, "visita", "fr-FR, es;q=0.8", &[("name", "Jean Dupont"), ("email", "jean@example.fr")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let contact = app::db::entities::contact::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(contact.language.as_deref(), Some("es"), "the language the form was read in");
}

#[tokio::test]
async fn an_admin_chooses_a_form_s_language_from_those_doorstep_speaks() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let languages = app.call("/api/languages", "", Some(&admin)).await;
    assert_eq!(languages.status, StatusCode::OK, "{}", languages.body);
    assert!(languages.body.contains(r#"{"code":"es","name":"Español"}"#), "{}", languages.body);
    assert_eq!(app.call("/api/languages", "", None).await.status, StatusCode::UNAUTHORIZED);

    let form = |language: &str| common::form_body(&[
        ("slug", "open-day"), ("title", "Open day"), ("intro", ""), ("consent_text", ""), ("default_need", "buy"), ("currency", "EUR"),
        ("assignment", "round_robin"), ("thank_you_text", "Thanks"), ("redirect_url", ""), ("active", "on"), ("language", language),
    ]);
    let refused = app.call("/api/forms/save", &form("xx"), Some(&admin)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("language"), "{}", refused.body);
    let saved = app.call("/api/forms/save", &form("es"), Some(&admin)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (_, page) = form_page(&app, "open-day", "en").await;
    assert!(page.contains("Tu nombre"));
}

/// The `lang` of a page's `<html>` and whether its navigation reads "Today" or "Hoy".
async fn page_language(app: &TestApp, cookie: &str) -> (String, bool) {
    let page = app.get("/", Some(cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let lang = page.body.split("<html lang=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned();
    let spanish = page.body.contains(">Hoy<") && !page.body.contains(">Today<");
    (lang, spanish)
}

#[tokio::test]
async fn people_read_the_agency_s_language_unless_they_chose_their_own() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    app.add_user("Ana", "ana@costa.test", "agent", "ana passphrase 42").await;
    let agent = app.login_cookie("ana@costa.test", "ana passphrase 42").await;
    assert_eq!(page_language(&app, &agent).await, ("en".into(), false));

    // The admin makes the agency Spanish: everyone who chose nothing reads Spanish.
    let refused = app.call("/api/agency/update", "name=Costa+Homes&time_zone=Europe%2FMadrid&default_region=ES&language=xx", Some(&admin)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("language") && refused.body.contains("es (Español)"), "{}", refused.body);
    assert_eq!(page_language(&app, &agent).await, ("en".into(), false), "a refused change changes nothing");
    let saved = app.call("/api/agency/update", "name=Costa+Homes&time_zone=Europe%2FMadrid&default_region=ES&language=es", Some(&admin)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(page_language(&app, &agent).await, ("es".into(), true));
    assert_eq!(page_language(&app, &admin).await, ("es".into(), true));

    // Ana chooses English for herself; the admin stays on the agency's.
    let refused = app.call("/api/language/set", "language=klingon", Some(&agent)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page_language(&app, &agent).await, ("es".into(), true));
    assert_eq!(app.call("/api/language/set", "language=en", Some(&agent)).await.status, StatusCode::OK);
    assert_eq!(page_language(&app, &agent).await, ("en".into(), false));
    assert_eq!(page_language(&app, &admin).await, ("es".into(), true));
    let settings = app.call("/api/language", "", Some(&agent)).await;
    let settings: serde_json::Value = serde_json::from_str(&settings.body).unwrap();
    assert_eq!((settings["chosen"].as_str(), settings["agency"].as_str()), (Some("en"), Some("es")), "{settings}");

    // Back to following the agency.
    assert_eq!(app.call("/api/language/set", "language=", Some(&agent)).await.status, StatusCode::OK);
    assert_eq!(page_language(&app, &agent).await, ("es".into(), true));

    // Signed out, the browser's language is used; choosing one needs a log-in.
    let login = app.send(Request::get("/login").header(header::ACCEPT_LANGUAGE, "es-ES,es;q=0.9").body(Body::empty()).unwrap()).await;
    assert!(login.body.contains("<html lang=\"es\""), "{}", &login.body[..200.min(login.body.len())]);
    assert_eq!(app.call("/api/language/set", "language=en", None).await.status, StatusCode::UNAUTHORIZED);
}
