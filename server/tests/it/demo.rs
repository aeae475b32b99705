//! `doorstep demo` fills an empty database, and only an empty one; `--deals N` adds more.

use doorstep::Config;
use sea_orm::{EntityTrait, PaginatorTrait};

#[tokio::test]
async fn the_demo_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_data_dir(dir.path(), None);
    doorstep::demo::run(&config, None, 1).await.unwrap();
    let db = config.open_database().await.unwrap();
    let users = app::auth::service::list_users(&db).await.unwrap();
    assert_eq!(users.len(), 5);
    assert!(users.iter().any(|u| u.email == doorstep::demo::DEMO_ADMIN && u.role == app::auth::Role::Admin));
    assert!(app::auth::service::authenticate(&db, doorstep::demo::DEMO_ADMIN, doorstep::demo::DEMO_PASSWORD, "127.0.0.1").await.is_ok());
    // Four fresh leads and three hundred older deals with their timelines, across every stage.
    assert_eq!(app::db::entities::deal::Entity::find().count(&db).await.unwrap(), 304);
    let stages = app::deals::service::pipeline_stages(&db).await.unwrap();
    assert!(stages.iter().all(|s| s.deals > 0), "every stage holds deals: {stages:?}");
    assert!(app::db::entities::activity::Entity::find().count(&db).await.unwrap() > 600, "deals have timelines");
    assert!(doorstep::demo::run(&config, None, 1).await.is_err(), "a second run must refuse a non-empty database");
    // More deals can be added to it, each with a history, a timeline and follow-ups.
    doorstep::demo::run(&config, Some(2_500), 1).await.unwrap();
    assert_eq!(app::db::entities::deal::Entity::find().count(&db).await.unwrap(), 2_804);
    let changes = app::db::entities::deal_change::Entity::find().count(&db).await.unwrap();
    let activities = app::db::entities::activity::Entity::find().count(&db).await.unwrap();
    assert!(changes > 2_500 * 2 && activities > 2_500 * 8, "{changes} stage changes, {activities} timeline entries");
    assert!(app::db::entities::reminder::Entity::find().count(&db).await.unwrap() > 2_500);
}
