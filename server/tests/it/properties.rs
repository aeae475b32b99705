//! Listings through the JSON API: checked input, and matching with open deals both ways.

use crate::common;

use app::db::entities::{deal, property};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Reply, TestApp};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

async fn api(app: &TestApp, method: &str, path: &str, key: &str, body: &str) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {key}"));
    app.send(request.body(Body::from(body.to_owned())).unwrap()).await
}

fn listing(reference: &str, operation: &str, price: &str, bedrooms: &str, city: &str) -> String {
    serde_json::json!({
        "reference": reference, "title": format!("Listing {reference}"), "operation": operation, "property_type": "flat",
        "price": price, "city": city, "area": "", "bedrooms": bedrooms,
        "description": "Bright, near the beach.", "features": "- Terrace\n- Sea views\n\nPool"
    })
    .to_string()
}

#[tokio::test]
async fn listings_are_checked_and_match_open_deals_both_ways() {
    let app = TestApp::new().await;
    app.add_user("Agent Ana", "ana@costa.test", "agent", "a long enough passphrase").await;
    app.capture_form("portal").await;
    let key = app::apikeys::service::create(&app.state.db, "Listings feed", "admin").await.unwrap().key;
    let capture = app::apikeys::service::create(&app.state.db, "Website", "capture").await.unwrap().key;

    // Every problem at once, and nothing stored.
    let bad = serde_json::json!({"reference": "", "title": "x", "operation": "lease", "property_type": "castle", "price": "cheap", "city": "", "bedrooms": "-1", "energy_rating": "Z"}).to_string();
    let refused = api(&app, "POST", "/api/v1/properties", &key, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["reference", "operation", "property_type", "price", "city", "bedrooms", "energy_rating"] {
        assert!(refused.body.contains(&format!("\"{field}\"")), "{field}: {}", refused.body);
    }
    assert_eq!(property::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(api(&app, "POST", "/api/v1/properties", &capture, &listing("A1", "sale", "1", "1", "Altea")).await.status, StatusCode::FORBIDDEN);

    let made = api(&app, "POST", "/api/v1/properties", &key, &listing("ALT-1", "sale", "320k", "2", "Altea")).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let altea: Value = serde_json::from_str(&made.body).unwrap();
    assert_eq!((altea["price"].as_i64(), altea["price_text"].as_str()), (Some(320_000_00), Some("€320,000")));
    assert_eq!(altea["features"], serde_json::json!(["Terrace", "Sea views", "Pool"]));
    assert_eq!(api(&app, "POST", "/api/v1/properties", &key, &listing("ALT-1", "sale", "1", "1", "Altea")).await.status, StatusCode::UNPROCESSABLE_ENTITY, "references are unique");
    for (reference, operation, price, bedrooms, city) in [
        ("ALT-2", "sale", "500000", "4", "Altea"),   // over budget
        ("BEN-1", "sale", "300000", "3", "Benidorm"), // another place
        ("ALT-R", "rent", "1200", "2", "Altea"),     // a rental
    ] {
        assert_eq!(api(&app, "POST", "/api/v1/properties", &key, &listing(reference, operation, price, bedrooms, city)).await.status, StatusCode::CREATED);
    }

    // A buyer for a 2-bedroom flat in Altea up to 350k.
    let lead = r#"{"form":"portal","name":"Lucía Fernández","phone":"+34612345001","need":"buy","budget_max":350000}"#;
    assert_eq!(api(&app, "POST", "/api/v1/leads", &capture, lead).await.status, StatusCode::CREATED);
    let buyer = deal::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    deal::Entity::update_many()
        .col_expr(deal::Column::Bedrooms, Expr::value(2))
        .col_expr(deal::Column::Areas, Expr::value("Altea, Calpe"))
        .filter(deal::Column::Id.eq(buyer.id))
        .exec(&app.state.db)
        .await
        .unwrap();

    let for_deal = api(&app, "GET", &format!("/api/v1/deals/{}/matches", buyer.id), &key, "").await;
    assert_eq!(for_deal.status, StatusCode::OK, "{}", for_deal.body);
    let found: Value = serde_json::from_str(&for_deal.body).unwrap();
    let references: Vec<&str> = found.as_array().unwrap().iter().map(|m| m["property"]["reference"].as_str().unwrap()).collect();
    assert_eq!(references, ["ALT-1"], "only the one that fits: {}", for_deal.body);
    assert_eq!(found[0]["fit"]["reasons"], serde_json::json!(["in budget", "2 bedrooms (wants 2+)", "in Altea"]));

    let for_listing = api(&app, "GET", &format!("/api/v1/properties/{}/matches", altea["id"]), &key, "").await;
    let who: Value = serde_json::from_str(&for_listing.body).unwrap();
    assert_eq!(who.as_array().unwrap().len(), 1, "{}", for_listing.body);
    assert_eq!((who[0]["deal_id"].as_i64(), who[0]["contact_name"].as_str()), (Some(buyer.id), Some("Lucía Fernández")));

    // Sold, it matches nobody; the list filters by status.
    let mut sold: Value = serde_json::from_str(&listing("ALT-1", "sale", "320000", "2", "Altea")).unwrap();
    sold["status"] = "sold".into();
    let changed = api(&app, "PUT", &format!("/api/v1/properties/{}", altea["id"]), &key, &sold.to_string()).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let none = api(&app, "GET", &format!("/api/v1/deals/{}/matches", buyer.id), &key, "").await;
    assert_eq!(none.body, "[]");
    let available = api(&app, "GET", "/api/v1/properties?status=available&operation=sale", &key, "").await;
    let page: Value = serde_json::from_str(&available.body).unwrap();
    assert_eq!(page["total"], 2, "{}", available.body);
    assert_eq!(api(&app, "GET", "/api/v1/properties?status=gone", &key, "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api(&app, "GET", "/api/v1/properties/999999", &key, "").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_add_their_listings_from_the_page_and_change_only_their_own() {
    let app = TestApp::new().await;
    app.set_up().await;
    let ana_id = app.add_user("Ana Agent", "ana@costa.test", "agent", "a long enough passphrase").await;
    app.add_user("Ben Agent", "ben@costa.test", "agent", "a long enough passphrase").await;
    let ana = app.login_cookie("ana@costa.test", "a long enough passphrase").await;
    let ben = app.login_cookie("ben@costa.test", "a long enough passphrase").await;
    let admin = app.login_cookie(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let form = |reference: &str, price: &str| {
        common::form_body(&[
            ("input[reference]", reference),
            ("input[title]", "Flat with a garden"),
            ("input[operation]", "sale"),
            ("input[property_type]", "flat"),
            ("input[status]", "available"),
            ("input[price]", price),
            ("input[city]", "Altea"),
            ("input[bedrooms]", "2"),
            ("input[features]", "Garden\nParking"),
        ])
    };
    let refused = app.call("/api/properties/save", &form("ALT-9", "lots"), Some(&ana)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("price"));
    let saved = app.call("/api/properties/save", &form("ALT-9", "299k"), Some(&ana)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let row = property::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((row.price, row.listing_agent_id, row.features.as_str()), (299_000_00, Some(ana_id), "Garden\nParking"));

    let change = format!("id={}&{}", row.id, form("ALT-9", "279k"));
    assert_eq!(app.call("/api/properties/save", &change, Some(&ben)).await.status, StatusCode::FORBIDDEN, "Ben may not change Ana's listing");
    assert_eq!(app.call("/api/properties/save", &change, Some(&admin)).await.status, StatusCode::OK);
    assert_eq!(property::Entity::find_by_id(row.id).one(&app.state.db).await.unwrap().unwrap().price, 279_000_00);
    let page = app.call("/api/properties/get", &format!("id={}", row.id), Some(&ben)).await;
    assert!(page.body.contains("\"editable\":false"), "{}", page.body);
    assert_eq!(app.call("/api/properties/list", "search=garden&status=available", None).await.status, StatusCode::UNAUTHORIZED);
    let list = app.call("/api/properties/list", "search=garden&status=available", Some(&ben)).await;
    assert!(list.body.contains("ALT-9"), "{}", list.body);
}
