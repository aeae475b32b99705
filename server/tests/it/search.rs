//! Search as people type it: without accents or capitals, phone numbers with any spacing and
//! with or without the country code, on the pipeline, the listings and the API, on both
//! databases; and the rows from before the search index are found too.

use axum::http::StatusCode;
use sea_orm::{ConnectionTrait, Database, EntityTrait, Statement};
use sea_orm_migration::MigratorTrait;

use crate::common::{self, TestApp};

/// The names of the deals the pipeline search finds for `query`, as a manager sees them.
async fn pipeline_names(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let body = format!("query[everyone]=true&query[search]={}&query[page]=1", common::enc(query));
    let reply = app.call("/api/pipeline", &body, Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let mut names: Vec<String> = pipeline["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["deals"].as_array().unwrap().iter().map(|d| d["contact_name"].as_str().unwrap().to_owned()))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn lopez_finds_lopez_and_a_number_finds_its_owner() {
    let app = TestApp::new().await;
    app.capture_form("open-day").await;
    let admin = app.admin_cookie().await;
    for (name, phone, email, property) in [
        ("María López", "+34 612 34 56 78", "maria@example.es", "CB-1042"),
        ("JOSÉ ÁLVAREZ", "+34 699 000 111", "", ""),
        ("Łukasz Wójcik", "+48 512 345 678", "Lukasz.Wojcik@Example.PL", ""),
        ("Tom Baker", "+44 (0)7400 123456", "", "alt-9"),
    ] {
        let reply = app.submit_lead("open-day", &[("name", name), ("phone", phone), ("email", email), ("property_ref", property)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}: {}", reply.body);
    }

    let cases: [(&str, &[&str]); 12] = [
        ("lopez", &["María López"]),
        ("LÓPEZ", &["María López"]),
        ("maria lopez", &["María López"]),
        ("alvarez", &["JOSÉ ÁLVAREZ"]),
        ("José", &["JOSÉ ÁLVAREZ"]),
        ("lukasz", &["Łukasz Wójcik"]),
        ("wojcik@example", &["Łukasz Wójcik"]),
        ("612345678", &["María López"]),
        ("+34 612 34 56 78", &["María López"]),
        ("07400 123456", &["Tom Baker"]),
        ("cb-1042", &["María López"]),
        ("ALT-9", &["Tom Baker"]),
    ];
    for (query, expected) in cases {
        assert_eq!(pipeline_names(&app, &admin, query).await, *expected, "{query:?}");
    }
    // Two letters cannot use the trigram index, and still find what they should.
    assert_eq!(pipeline_names(&app, &admin, "ló").await, ["María López"]);
    assert!(pipeline_names(&app, &admin, "nobody").await.is_empty());
    // A long needle is found only whole.
    assert!(pipeline_names(&app, &admin, "lopez alvarez").await.is_empty(), "two people's names together find neither");
    assert_eq!(pipeline_names(&app, &admin, "Maria Lo").await, ["María López"]);
    assert!(pipeline_names(&app, &admin, "100% \"sure\"_").await.is_empty(), "LIKE's and FTS5's own characters are text");
    // Neither database takes a NUL in a pattern: control characters are spaces.
    assert!(pipeline_names(&app, &admin, "%r%\0.mp\u{2}").await.is_empty());

    // An edited name is found by its new spelling at once, and no longer by the old one.
    let deal = app::db::entities::deal::Entity::find().all(&app.state.db).await.unwrap().into_iter().min_by_key(|d| d.id).unwrap();
    let body = common::form_body(&[
        ("deal_id", &deal.id.to_string()),
        ("version", &deal.version.to_string()),
        ("name", "María Núñez"),
        ("phone", "+34612345678"),
        ("email", "maria@example.es"),
        ("whatsapp", "+34612345678"),
    ]);
    let edited = app.call("/api/deal/contact", &body, Some(&admin)).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(pipeline_names(&app, &admin, "nunez").await, ["María Núñez"]);
    assert!(pipeline_names(&app, &admin, "lopez").await.is_empty());

    // The API's q is the same search.
    let key = app::apikeys::service::create(&app.state.db, "search test", "admin").await.unwrap().key;
    let found = app.api_json("GET", "/api/v1/deals?q=alvarez", &key, "").await;
    let found: serde_json::Value = serde_json::from_str(&found.body).unwrap();
    assert_eq!((found["total"].as_u64(), found["deals"][0]["contact"]["name"].as_str()), (Some(1), Some("JOSÉ ÁLVAREZ")), "{found}");
    for path in ["/api/v1/deals?q=%25r%25%00.mp%C3%88%C2%92%02", "/api/v1/properties?q=%25r%25%00.mp%C3%88%C2%92%02&status=available&page=56"] {
        let reply = app.api_json("GET", path, &key, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
}

#[tokio::test]
async fn listings_are_found_by_reference_title_and_town_without_accents() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    for (reference, title, city) in [("CB-1042", "Ático con vistas al mar", "Alicante"), ("ALT-9", "Flat with a garden", "Altea"), ("VAL-3", "Casa de pueblo", "Jávea")] {
        let body = common::form_body(&[
            ("input[reference]", reference),
            ("input[title]", title),
            ("input[operation]", "sale"),
            ("input[property_type]", "flat"),
            ("input[status]", "available"),
            ("input[price]", "250000"),
            ("input[city]", city),
        ]);
        let saved = app.call("/api/properties/save", &body, Some(&admin)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }
    for (query, expected) in [("atico", "CB-1042"), ("cb-10", "CB-1042"), ("javea", "VAL-3"), ("JÁVEA", "VAL-3"), ("GARDEN", "ALT-9")] {
        let list = app.call("/api/properties/list", &format!("search={}&status=", common::enc(query)), Some(&admin)).await;
        assert_eq!(list.status, StatusCode::OK, "{query:?}: {}", list.body);
        let page: serde_json::Value = serde_json::from_str(&list.body).unwrap();
        let refs: Vec<&str> = page[0].as_array().unwrap().iter().map(|p| p["reference"].as_str().unwrap()).collect();
        assert_eq!(refs, [expected], "{query:?}: {}", list.body);
    }
}

/// A database from before the search index: its contacts and listings are found once it is
/// migrated, and rows written afterwards are kept in step by the triggers and indexes.
#[tokio::test]
async fn the_migration_fills_the_search_text_of_existing_rows() {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("DOORSTEP_TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => common::fresh_postgres(&base).await,
        _ => format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display()),
    };
    let db = Database::connect(&url).await.unwrap();
    // Every migration before the one that made the search text.
    let before = migrations::Migrator::migrations().iter().position(|m| m.name().contains("_search")).expect("the search migration") as u32;
    migrations::Migrator::up(&db, Some(before)).await.unwrap();
    let backend = db.get_database_backend();
    let now = "2026-12-01 10:00:00+00";
    for sql in [
        format!("INSERT INTO contacts (name, phone, email, marketing_consent, created_at, updated_at) VALUES ('Inés Ruíz', '+34611222333', 'INES@example.es', false, '{now}', '{now}')"),
        format!(
            "INSERT INTO properties (reference, title, operation, property_type, status, price, currency, address, city, area, description, features, created_at, updated_at) \
             VALUES ('PUE-7', 'Dúplex en el puerto', 'sale', 'flat', 'available', 30000000, 'EUR', '', 'Dénia', '', '', '', '{now}', '{now}')"
        ),
    ] {
        db.execute_raw(Statement::from_string(backend, sql)).await.unwrap();
    }
    migrations::Migrator::up(&db, None).await.unwrap();

    use app::search::{Index, ids, needle};
    let found = |index: Index, query: &'static str| {
        let db = db.clone();
        async move {
            let (rows, value) = ids(backend, index, &needle(query).unwrap());
            db.query_all_raw(Statement::from_sql_and_values(backend, rows, [value])).await.unwrap().len()
        }
    };
    assert_eq!(found(Index::Contacts, "ines ruiz").await, 1);
    assert_eq!(found(Index::Contacts, "611 222 333").await, 1);
    assert_eq!(found(Index::Contacts, "ines@EXAMPLE").await, 1);
    assert_eq!(found(Index::Properties, "duplex").await, 1);
    assert_eq!(found(Index::Properties, "denia").await, 1);
    assert_eq!(found(Index::Contacts, "lopez").await, 0);

    // Deleting a row takes it out of the index too.
    db.execute_raw(Statement::from_string(backend, "DELETE FROM contacts")).await.unwrap();
    assert_eq!(found(Index::Contacts, "ines ruiz").await, 0);
}

/// A search's matches are counted, summed and listed by the database a stage and currency at
/// a time: each stage must still show its own page of matches, newest first, as the board
/// does without a search, with its exact count and worth, also where two currencies meet.
#[tokio::test]
async fn a_search_shows_each_stage_s_page_of_matches_newest_first() {
    use app::db::entities::{contact, deal, stage};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let db = &app.state.db;
    app.add_user("Ana Agent", "ana@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, 600, 7, 30, false).await.unwrap();
    // Every other contact is a Quorrà (a name the generator never gives), and half of their
    // deals sit in the first stage, so that stage has a second page of matches.
    let mut lopez = Vec::new();
    for c in contact::Entity::find().all(db).await.unwrap().into_iter().filter(|c| c.id % 2 == 0) {
        let name = format!("Ana Quorrà {}", c.id);
        contact::Entity::update_many()
            .col_expr(contact::Column::Name, Expr::value(name.clone()))
            .col_expr(contact::Column::Search, Expr::value(app::search::contact_text(&name, None, None)))
            .filter(contact::Column::Id.eq(c.id))
            .exec(db)
            .await
            .unwrap();
        lopez.push(c.id);
    }
    let first = stage::Entity::find().order_by_asc(stage::Column::Position).one(db).await.unwrap().unwrap().id;
    deal::Entity::update_many()
        .col_expr(deal::Column::StageId, Expr::value(first))
        .filter(deal::Column::ContactId.is_in(lopez.iter().copied().filter(|id| id % 4 == 0)))
        .exec(db)
        .await
        .unwrap();
    // Some of them priced in pounds: that stage's matches come back as a list per currency,
    // which the page must merge newest first.
    deal::Entity::update_many()
        .col_expr(deal::Column::Currency, Expr::value("GBP"))
        .filter(deal::Column::ContactId.is_in(lopez.iter().copied().filter(|id| id % 12 == 0)))
        .exec(db)
        .await
        .unwrap();
    let matches = deal::Entity::find()
        .filter(deal::Column::ContactId.is_in(lopez.clone()))
        .order_by_desc(deal::Column::UpdatedAt)
        .order_by_desc(deal::Column::Id)
        .all(db)
        .await
        .unwrap();
    let in_first = matches.iter().filter(|d| d.stage_id == first).count();
    assert!(in_first > 60, "the first stage needs a second page: {in_first}");
    let pounds = matches.iter().filter(|d| d.stage_id == first && d.currency == "GBP").count();
    assert!(pounds > 0 && pounds < in_first, "the first stage has deals in two currencies: {pounds} of {in_first}");

    let body = format!("query[everyone]=true&query[search]=QUORRA&query[stage]={first}&query[page]=2");
    let reply = app.call("/api/pipeline", &body, Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let mut shown = 0;
    for column in pipeline["columns"].as_array().unwrap() {
        let stage_id = column["stage"]["id"].as_i64().unwrap();
        let ids: Vec<i64> = column["deals"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
        let of_stage: Vec<i64> = matches.iter().filter(|d| d.stage_id == stage_id).map(|d| d.id).collect();
        let page = if stage_id == first { 2 } else { 1 };
        let expected: Vec<i64> = of_stage.iter().copied().skip((page - 1) * 50).take(50).collect();
        assert_eq!(ids, expected, "stage {stage_id}, page {page}");
        assert_eq!(column["stage"]["deals"].as_u64(), Some(of_stage.len() as u64), "stage {stage_id}'s count");
        // Each currency's worth: the won value, else the budget's top, else its bottom.
        let mut worth: Vec<(String, i64)> = Vec::new();
        for d in matches.iter().filter(|d| d.stage_id == stage_id) {
            let minor = d.won_value.or(d.budget_max).or(d.budget_min).unwrap_or_default();
            match worth.iter_mut().find(|(c, _)| *c == d.currency) {
                Some((_, sum)) => *sum += minor,
                None => worth.push((d.currency.clone(), minor)),
            }
        }
        worth.retain(|(_, sum)| *sum != 0);
        worth.sort();
        let shown_worth: Vec<(String, i64)> = column["stage"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["currency"].as_str().unwrap().to_owned(), m["minor"].as_i64().unwrap()))
            .collect();
        assert_eq!(shown_worth, worth, "stage {stage_id}'s worth");
        shown += ids.len();
    }
    assert!(shown > 50, "{shown}");
}

/// The hourly tidy-up merges SQLite's trigram indexes back into one segment, in short write
/// turns, and every contact is still found afterwards (PostgreSQL's indexes need no such care).
#[tokio::test]
async fn the_trigram_index_is_merged_into_one_segment() {
    let app = TestApp::new().await;
    let db = &app.state.db;
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    let now = "2026-12-01 10:00:00+00";
    // Each write on its own adds a segment; FTS5 merges them only partly as it goes.
    for i in 0..200 {
        let name = format!("Iñaki Zubizarreta {i}");
        let search = app::search::contact_text(&name, Some(&format!("inaki{i}@example.es")), None);
        let sql = format!("INSERT INTO contacts (name, email, marketing_consent, search, created_at, updated_at) VALUES ('{name}', 'inaki{i}@example.es', false, '{search}', '{now}', '{now}')");
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    }
    let segments = || async {
        let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), "SELECT count(DISTINCT segid) FROM contact_search_idx")).await.unwrap().unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let before = segments().await;
    assert!(before > 1, "200 separate writes left {before} segment(s)");
    app::db::optimize(db).await.unwrap();
    assert_eq!(segments().await, 1, "merged from {before} segments");
    let (rows, value) = app::search::ids(db.get_database_backend(), app::search::Index::Contacts, "zubizarreta 17");
    let found = db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), rows, [value])).await.unwrap().len();
    assert_eq!(found, 11, "\"zubizarreta 17\" is 17 and 170 to 179");
    // Merging an index that is already one segment is a step that finds nothing to do.
    app::db::optimize(db).await.unwrap();
    assert_eq!(segments().await, 1);
}
