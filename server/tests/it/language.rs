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

/// What a person reads on a page: its text (not scripts, styles or the data Leptos carries
/// for hydration), the title, and the attributes read out or shown (placeholder, aria-label,
/// title, alt, a button's value).
fn readable_text(html: &str) -> Vec<String> {
    let page = scraper::Html::parse_document(html);
    let mut texts = Vec::new();
    for node in page.root_element().descendants() {
        if let Some(text) = node.value().as_text() {
            let hidden = node.ancestors().filter_map(|a| a.value().as_element()).any(|e| matches!(e.name(), "script" | "style" | "template"));
            if !hidden && !text.trim().is_empty() {
                texts.push(text.trim().to_owned());
            }
        } else if let Some(element) = node.value().as_element() {
            for name in ["placeholder", "aria-label", "title", "alt"] {
                texts.extend(element.attr(name).map(str::to_owned));
            }
            if element.name() == "input" && matches!(element.attr("type"), Some("submit" | "button")) {
                texts.extend(element.attr("value").map(str::to_owned));
            }
        }
    }
    texts
}

/// The words of plain ASCII letters in `texts`: in the pseudo-language every message has
/// accented letters, so such a word is text that did not come from the messages — unless it
/// is data (names, e-mails, references) or a name that is the same in every language.
fn plain_words(texts: &[String], data: &[&str]) -> Vec<String> {
    const SAME_IN_EVERY_LANGUAGE: &[&str] = &["Doorstep", "WhatsApp", "PDF", "CSV", "API", "ICS", "UTC", "EUR", "GBP", "USD", "JPEG", "PNG", "WebP", "POST", "Excel", "Unicode"];
    let names: Vec<String> = app::language::Language::all().iter().map(|l| l.name()).collect();
    let allowed = |word: &str| {
        SAME_IN_EVERY_LANGUAGE.contains(&word)
            || names.iter().any(|n| n == word)
            || data.iter().any(|d| d.split(|c: char| !c.is_alphanumeric()).any(|w| w == word))
    };
    // Addresses, e-mails, placeholders ({first_name}), codes (form:open-day) and markup an
    // admin copies are the same in every language.
    let code = |token: &str| ["://", "@", "{", "}", "/", "<", ">", "=", ":"].iter().any(|mark| token.trim_end_matches([':', '.', ',']).contains(mark));
    let mut found = Vec::new();
    for text in texts {
        for token in text.split_whitespace().filter(|t| !code(t)) {
            for word in token.split(|c: char| !c.is_alphabetic()) {
                if word.chars().count() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic()) && !allowed(word) {
                    found.push(format!("{word:?} in {text:?}"));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every page, rendered for a person reading the pseudo-language, shows no text that does not
/// come from the messages: a page with a literal left in English fails here, naming it.
#[tokio::test]
async fn every_page_speaks_the_reader_s_language() {
    use app::db::entities::user;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    // The agency's language too: what is written once for the whole team (a lead's first
    // timeline line, its notice) is written in it.
    app::db::entities::agency::Entity::update_many().col_expr(app::db::entities::agency::Column::Language, Expr::value("en-XA")).exec(&app.state.db).await.unwrap();
    app.capture_form("open-day").await;
    let lead = app.submit_lead("open-day", &[("name", "Zoë Ñúñez"), ("phone", "+34 612 34 56 78"), ("email", "zoe@correo.es"), ("budget_min", "250000")]).await;
    assert_eq!(lead.status, StatusCode::SEE_OTHER, "{}", lead.body);
    let listing = common::form_body(&[
        ("input[reference]", "CB-1042"),
        ("input[title]", "Ático con vistas"),
        ("input[operation]", "sale"),
        ("input[property_type]", "flat"),
        ("input[status]", "available"),
        ("input[price]", "350000"),
        ("input[city]", "Jávea"),
    ]);
    assert_eq!(app.call("/api/properties/save", &listing, Some(&admin)).await.status, StatusCode::OK);
    user::Entity::update_many().col_expr(user::Column::Language, Expr::value("en-XA")).filter(user::Column::Email.eq(common::ADMIN_EMAIL)).exec(&app.state.db).await.unwrap();

    // What the pages show that people typed or the agency named: these words stay as they are.
    let stages: Vec<String> = app::deals::service::stages(&app.state.db).await.unwrap().into_iter().map(|s| s.name).collect();
    let reasons: Vec<String> = app::db::entities::lost_reason::Entity::find().all(&app.state.db).await.unwrap().into_iter().map(|r| r.name).collect();
    let users: Vec<String> = user::Entity::find().all(&app.state.db).await.unwrap().into_iter().flat_map(|u| [u.name, u.email, u.time_zone]).collect();
    let agency = app::agency::load(&app.state.db).await.unwrap().name;
    let mut data: Vec<&str> = vec![&agency, "Open day", "open-day", "Zoë Ñúñez", "zoe@correo.es", "CB-1042", "Ático con vistas", "Jávea", "Europe/Madrid"];
    data.extend(stages.iter().map(String::as_str));
    // The reasons for losing a deal the installation starts with, and the address a session
    // came from (none in a test: "unknown").
    data.extend(reasons.iter().map(String::as_str));
    data.push("unknown");
    // A form's texts are what its admin wrote: here in Spanish, whose words cannot hide
    // English left on a page.
    use app::db::entities::capture_form;
    capture_form::Entity::update_many()
        .col_expr(capture_form::Column::Intro, Expr::value("Cuéntanos qué buscas"))
        .col_expr(capture_form::Column::ConsentText, Expr::value("Acepto recibir novedades"))
        .col_expr(capture_form::Column::ThankYouText, Expr::value("¡Gracias!"))
        .exec(&app.state.db)
        .await
        .unwrap();
    data.extend(["Cuéntanos qué buscas", "Acepto recibir novedades", "¡Gracias!"]);
    data.extend(users.iter().map(String::as_str));

    let deal = app::db::entities::deal::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let property = app::db::entities::property::Entity::find().one(&app.state.db).await.unwrap().unwrap().id;
    let pages = [
        "/".to_owned(),
        "/notifications".into(),
        "/pipeline".into(),
        format!("/deals/{deal}"),
        "/properties".into(),
        "/properties/new".into(),
        format!("/properties/{property}"),
        "/reports".into(),
        "/reports/deals?figure=leads".into(),
        "/data".into(),
        "/admin/stages".into(),
        "/admin/plans".into(),
        "/admin/templates".into(),
        "/admin/users".into(),
        "/admin/forms".into(),
        "/admin/api-keys".into(),
        "/admin/agency".into(),
        "/no-such-page".into(),
    ];
    let mut untranslated = Vec::new();
    for path in &pages {
        let page = app.get(path, Some(&admin)).await;
        assert!(page.status == StatusCode::OK || path == "/no-such-page", "{path}: {}", page.status);
        assert!(page.body.contains("<html lang=\"en-XA\""), "{path} is not in the reader's language");
        untranslated.extend(plain_words(&readable_text(&page.body), &data).into_iter().map(|w| format!("{path}: {w}")));
    }
    assert!(untranslated.is_empty(), "text not from the messages ({}):\n{}", untranslated.len(), untranslated.join("\n"));
}

/// An agency that turns Spanish finds the stages and lost reasons it started with in Spanish,
/// except those its admin renamed; turning back to English turns them back.
#[tokio::test]
async fn the_starting_stages_and_lost_reasons_follow_the_agency_s_language() {
    use app::db::entities::{lost_reason, stage};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let db = &app.state.db;
    let names = || async {
        let stages: Vec<String> = stage::Entity::find().order_by_asc(stage::Column::Position).all(db).await.unwrap().into_iter().map(|s| s.name).collect();
        let reasons: Vec<String> = lost_reason::Entity::find().order_by_asc(lost_reason::Column::Position).all(db).await.unwrap().into_iter().map(|r| r.name).collect();
        (stages, reasons)
    };
    assert_eq!(names().await.0, ["New", "Contacted", "Viewing", "Offer", "Won", "Lost"]);
    // The admin calls the offer stage their own way first.
    stage::Entity::update_many()
        .col_expr(stage::Column::Name, sea_orm::sea_query::Expr::value("Reserva"))
        .filter(stage::Column::Name.eq("Offer"))
        .exec(db)
        .await
        .unwrap();
    let to = |language: &str| format!("name=Costa+Homes&time_zone=Europe%2FMadrid&default_region=ES&language={language}");
    assert_eq!(app.call("/api/agency/update", &to("es"), Some(&admin)).await.status, StatusCode::OK);
    let (stages, reasons) = names().await;
    assert_eq!(stages, ["Nuevo", "Contactado", "Visita", "Reserva", "Ganado", "Perdido"]);
    assert_eq!(reasons[..2], ["Compró o alquiló en otro sitio".to_owned(), "El presupuesto no encaja".to_owned()]);
    assert_eq!(app.call("/api/agency/update", &to("en"), Some(&admin)).await.status, StatusCode::OK);
    let (stages, reasons) = names().await;
    assert_eq!(stages, ["New", "Contacted", "Viewing", "Reserva", "Won", "Lost"]);
    assert_eq!(reasons[0], "Bought or rented elsewhere");
}
