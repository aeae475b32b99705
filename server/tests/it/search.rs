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
    let mut names: Vec<String> =
        pipeline["matches"]["deals"].as_array().unwrap().iter().map(|d| d["contact_name"].as_str().unwrap().to_owned()).collect();
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
/// The deals named "Quorrà" (every other client) after `generate` made `deals` deals, half
/// of them moved to the first stage and some priced in pounds; returns them newest first,
/// and the first stage's id.
async fn quorras(app: &TestApp, deals: u64, every: i64) -> (Vec<app::db::entities::deal::Model>, i64) {
    use app::db::entities::{contact, deal, stage};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let db = &app.state.db;
    app.add_user("Ana Agent", "ana@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, deals, 7, 30, false).await.unwrap();
    let mut quorra = Vec::new();
    for c in contact::Entity::find().all(db).await.unwrap().into_iter().filter(|c| c.id % every == 0) {
        let name = format!("Ana Quorrà {}", c.id);
        contact::Entity::update_many()
            .col_expr(contact::Column::Name, Expr::value(name.clone()))
            .col_expr(contact::Column::Search, Expr::value(app::search::contact_text(&name, None, None)))
            .filter(contact::Column::Id.eq(c.id))
            .exec(db)
            .await
            .unwrap();
        quorra.push(c.id);
    }
    let first = stage::Entity::find().order_by_asc(stage::Column::Position).one(db).await.unwrap().unwrap().id;
    deal::Entity::update_many()
        .col_expr(deal::Column::StageId, Expr::value(first))
        .filter(deal::Column::ContactId.is_in(quorra.iter().copied().filter(|id| id % 4 == 0)))
        .exec(db)
        .await
        .unwrap();
    // Some priced in pounds: a stage's worth is a sum per currency.
    deal::Entity::update_many()
        .col_expr(deal::Column::Currency, Expr::value("GBP"))
        .filter(deal::Column::ContactId.is_in(quorra.iter().copied().filter(|id| id % 12 == 0)))
        .exec(db)
        .await
        .unwrap();
    let matches = deal::Entity::find()
        .filter(deal::Column::ContactId.is_in(quorra))
        .order_by_desc(deal::Column::UpdatedAt)
        .order_by_desc(deal::Column::Id)
        .all(db)
        .await
        .unwrap();
    (matches, first)
}

/// Each stage's count and worth of `matches` (the won value, else the budget's top, else its
/// bottom, summed per currency), as the pipeline's columns must show them.
fn assert_stage_totals(pipeline: &serde_json::Value, matches: &[app::db::entities::deal::Model]) {
    for column in pipeline["columns"].as_array().unwrap() {
        let stage_id = column["stage"]["id"].as_i64().unwrap();
        let of_stage: Vec<&app::db::entities::deal::Model> = matches.iter().filter(|d| d.stage_id == stage_id).collect();
        assert_eq!(column["stage"]["deals"].as_u64(), Some(of_stage.len() as u64), "stage {stage_id}'s count");
        let mut worth: Vec<(String, i64)> = Vec::new();
        for d in &of_stage {
            let minor = d.won_value.or(d.budget_max).or(d.budget_min).unwrap_or_default();
            match worth.iter_mut().find(|(c, _)| *c == d.currency) {
                Some((_, sum)) => *sum += minor,
                None => worth.push((d.currency.clone(), minor)),
            }
        }
        worth.retain(|(_, sum)| *sum != 0);
        worth.sort();
        let shown: Vec<(String, i64)> = column["stage"]["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["currency"].as_str().unwrap().to_owned(), m["minor"].as_i64().unwrap()))
            .collect();
        assert_eq!(shown, worth, "stage {stage_id}'s worth");
        assert!(column["deals"].as_array().unwrap().is_empty(), "a search shows a list, not the board");
    }
}

/// The ids a search lists on one page.
fn listed(pipeline: &serde_json::Value) -> Vec<i64> {
    pipeline["matches"]["deals"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

/// A search lists its matches newest first, a page at a time, in every stage or in the one
/// chosen, and each stage shows how many matches it holds and their worth.
#[tokio::test]
async fn a_search_lists_its_matches_newest_first_with_each_stage_s_count() {
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let (matches, first) = quorras(&app, 600, 2).await;
    let in_first = matches.iter().filter(|d| d.stage_id == first).count();
    assert!(in_first > 25, "the first stage needs a second page: {in_first}");
    assert!(matches.len() < app::deals::SEARCH_LIMIT, "{}", matches.len());
    let page = app::deals::SEARCH_PAGE_SIZE as usize;

    for (stage, number) in [(None, 1), (None, 2), (Some(first), 2)] {
        let mut body = format!("query[everyone]=true&query[search]=QUORRA&query[page]={number}");
        if let Some(stage) = stage {
            body.push_str(&format!("&query[stage]={stage}"));
        }
        let reply = app.call("/api/pipeline", &body, Some(&admin)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let of: Vec<i64> = matches.iter().filter(|d| stage.is_none_or(|s| d.stage_id == s)).map(|d| d.id).collect();
        let expected: Vec<i64> = of.iter().copied().skip((number - 1) * page).take(page).collect();
        assert_eq!(listed(&pipeline), expected, "stage {stage:?}, page {number}");
        assert_eq!(pipeline["matches"]["total"].as_u64(), Some(of.len() as u64));
        assert_eq!(pipeline["matches"]["capped"], false);
        assert_eq!(pipeline["selected"].as_i64(), Some(stage.unwrap_or(0)));
        assert_stage_totals(&pipeline, &matches);
    }

    // The page: the list with each deal's stage, and the stages to narrow it by.
    let reply = app.get("/pipeline?everyone=1&q=quorra", Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains(r#"data-testid="search-matches""#), "{}", reply.body);
    assert_eq!(reply.body.matches(r#"data-testid="deal-stage""#).count(), page);
    assert!(!reply.body.contains(r#"data-testid="search-capped""#));
    assert!(!reply.body.contains(r#"data-testid="stage-column""#), "no board under a search");
}

/// A name that more clients share than a search counts is counted over the deals of its
/// newest clients, and the page says so and asks for more of the name.
#[tokio::test]
async fn a_name_too_many_clients_share_is_counted_over_the_newest() {
    use app::db::entities::contact;
    use sea_orm::{QueryOrder, QuerySelect};
    let limit = app::deals::SEARCH_LIMIT;
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let (matches, _) = quorras(&app, limit as u64 + 200, 1).await;
    let newest: Vec<i64> = contact::Entity::find()
        .select_only()
        .column(contact::Column::Id)
        .order_by_desc(contact::Column::Id)
        .limit(limit as u64)
        .into_tuple()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(newest.len() == limit && matches.len() > limit, "{} clients, {} deals", newest.len(), matches.len());
    let counted: Vec<app::db::entities::deal::Model> =
        matches.iter().filter(|d| newest.contains(&d.contact_id)).take(limit).cloned().collect();

    let reply = app.call("/api/pipeline", "query[everyone]=true&query[search]=quorra&query[page]=1", Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(pipeline["matches"]["capped"], true);
    assert_eq!(pipeline["matches"]["total"].as_u64(), Some(counted.len() as u64));
    let page = app::deals::SEARCH_PAGE_SIZE as usize;
    assert_eq!(listed(&pipeline), counted.iter().take(page).map(|d| d.id).collect::<Vec<_>>());
    assert_stage_totals(&pipeline, &counted);

    let reply = app.get("/pipeline?everyone=1&q=quorra", Some(&admin)).await;
    assert!(reply.body.contains(r#"data-testid="search-capped""#), "{}", reply.body);
    assert!(reply.body.contains(&format!("{}+", counted.len())), "the count says there are more");

    // A needle of eight characters or more is read oldest first while its matches fit under
    // the limit (`search::newest`); these do not, so the newest are read again: the same count.
    let reply = app.call("/api/pipeline", "query[everyone]=true&query[search]=ana+quorra&query[page]=1", Some(&admin)).await;
    let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(pipeline["matches"]["capped"], true);
    assert_eq!(pipeline["matches"]["total"].as_u64(), Some(counted.len() as u64));
    assert_eq!(listed(&pipeline), counted.iter().take(page).map(|d| d.id).collect::<Vec<_>>());
    assert_stage_totals(&pipeline, &counted);

    // The whole name of one client is not capped.
    let one = matches[0].contact_id;
    let body = format!("query[everyone]=true&query[search]={}&query[page]=1", crate::common::enc(&format!("Ana Quorrà {one}")));
    let pipeline: serde_json::Value = serde_json::from_str(&app.call("/api/pipeline", &body, Some(&admin)).await.body).unwrap();
    assert_eq!(pipeline["matches"]["capped"], false);
    assert!(listed(&pipeline).contains(&matches[0].id));
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

/// Names the contacts from `first` on "Ana Quorrà {id}", folded for the search too.
async fn name_quorras(db: &sea_orm::DatabaseConnection, first: i64) {
    use app::db::entities::contact;
    use sea_orm::{ColumnTrait, QueryFilter};
    for c in contact::Entity::find().filter(contact::Column::Id.gte(first)).all(db).await.unwrap() {
        let name = format!("Ana Quorrà {}", c.id);
        let search = app::search::contact_text(&name, None, None);
        let mut c: contact::ActiveModel = c.into();
        c.name = sea_orm::Set(name);
        c.search = sea_orm::Set(search);
        sea_orm::ActiveModelTrait::update(c, db).await.unwrap();
    }
}

/// The newest clients of a name are counted however far apart their ids lie. On PostgreSQL a
/// short needle reads the matches among the newest ids first (`search::newest_rows`) and reads
/// every match when those are fewer than the limit; the newest clients here come after a gap
/// of 100,000 ids, few at first, then more than the limit.
#[tokio::test]
async fn the_newest_clients_of_a_name_are_counted_across_a_gap_in_ids() {
    use app::db::entities::{contact, deal};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};
    let limit = app::deals::SEARCH_LIMIT;
    let app = TestApp::new().await;
    let admin = app.admin_cookie().await;
    let db = &app.state.db;
    app.add_user("Ana Agent", "ana@costa.test", "agent", "agent passphrase 12").await;
    doorstep::volume::generate(db, 600, 7, 30, false).await.unwrap();
    name_quorras(db, 0).await;
    let gap = "INSERT INTO contacts (id, name, marketing_consent, search, created_at, updated_at) \
               VALUES ((SELECT max(id) FROM contacts) + 100000, 'Gap Marker', false, 'gap marker', '2026-12-01 10:00:00+00', '2026-12-01 10:00:00+00')";
    db.execute_raw(Statement::from_string(db.get_database_backend(), gap)).await.unwrap();
    let max = |db| async move {
        contact::Entity::find().select_only().column_as(contact::Column::Id.max(), "max").into_tuple::<i64>().one(db).await.unwrap().unwrap()
    };

    let expect = |db| async move {
        let newest: Vec<i64> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::Name.starts_with("Ana Quorr"))
            .order_by_desc(contact::Column::Id)
            .limit(limit as u64)
            .into_tuple()
            .all(db)
            .await
            .unwrap();
        let counted: Vec<deal::Model> = deal::Entity::find()
            .filter(deal::Column::ContactId.is_in(newest.clone()))
            .order_by_desc(deal::Column::UpdatedAt)
            .order_by_desc(deal::Column::Id)
            .all(db)
            .await
            .unwrap();
        (newest, counted.into_iter().take(limit).collect::<Vec<_>>())
    };
    for (added, recent) in [(30, 30), (520, 550)] {
        let first = max(db).await + 1;
        doorstep::volume::generate(db, added, 11, 30, false).await.unwrap();
        name_quorras(db, first).await;
        let (newest, counted) = expect(db).await;
        let beyond_gap = newest.iter().filter(|id| **id > 100_000).count();
        assert_eq!(beyond_gap, recent.min(limit), "{added} added: the newest clients are those after the gap");

        let reply = app.call("/api/pipeline", "query[everyone]=true&query[search]=quorra&query[page]=1", Some(&admin)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let pipeline: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(pipeline["matches"]["capped"], true, "{added} added");
        assert_eq!(pipeline["matches"]["total"].as_u64(), Some(counted.len() as u64), "{added} added");
        let page = app::deals::SEARCH_PAGE_SIZE as usize;
        assert_eq!(listed(&pipeline), counted.iter().take(page).map(|d| d.id).collect::<Vec<_>>(), "{added} added");
        assert_stage_totals(&pipeline, &counted);
    }
}

/// On PostgreSQL the newest contacts of a surname are read from the contacts' trigram index,
/// which holds each contact's block of ids: the query's expression is the index's.
#[tokio::test]
async fn postgresql_reads_the_newest_contacts_of_a_surname_from_the_index() {
    use sea_orm::TransactionTrait;
    let app = TestApp::new().await;
    let db = &app.state.db;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let txn = db.begin().await.unwrap();
    // A test's few contacts would otherwise be read whole.
    txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
    let sql = format!("EXPLAIN {}", app::search::newest_rows(app::search::Index::Contacts, "lopez", 501, 1));
    let rows = txn.query_all_raw(Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, ["%lopez%".into()])).await.unwrap();
    let plan: Vec<String> = rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect();
    let recent = plan.iter().position(|line| line.contains("Index Scan on contacts_search_recent")).unwrap_or_else(|| panic!("{}", plan.join("\n")));
    assert!(plan[recent + 1].contains("(id / 1024) >="), "the newest blocks from the index: {}", plan.join("\n"));
}
