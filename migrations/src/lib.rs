//! Schema migrations, append-only, one module per change; every one runs on SQLite and
//! PostgreSQL. The server applies them at start-up.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_accounts;
mod m20261125_000002_pipeline;
mod m20261125_000003_api_keys;
mod m20261125_000004_deal_workspace;
mod m20261125_000005_reminders;
mod m20261126_000006_follow_up_plans;
mod m20261126_000007_properties;
mod m20261126_000008_presentations;
mod m20261127_000009_reports;
mod m20261127_000010_report_months;
mod m20261127_000011_whatsapp;
mod m20261127_000012_templates_and_imports;
mod m20261127_000013_form_embedding;
mod m20261204_000014_push;
mod m20261204_000015_rate_windows;
mod m20261205_000016_chat_upload_files;
mod m20261205_000017_search;
mod m20261205_000018_form_language;
mod m20261205_000019_user_language;
mod m20261206_000020_search_cover;
mod m20261207_000021_search_recent;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_pipeline::Migration),
            Box::new(m20261125_000003_api_keys::Migration),
            Box::new(m20261125_000004_deal_workspace::Migration),
            Box::new(m20261125_000005_reminders::Migration),
            Box::new(m20261126_000006_follow_up_plans::Migration),
            Box::new(m20261126_000007_properties::Migration),
            Box::new(m20261126_000008_presentations::Migration),
            Box::new(m20261127_000009_reports::Migration),
            Box::new(m20261127_000010_report_months::Migration),
            Box::new(m20261127_000011_whatsapp::Migration),
            Box::new(m20261127_000012_templates_and_imports::Migration),
            Box::new(m20261127_000013_form_embedding::Migration),
            Box::new(m20261204_000014_push::Migration),
            Box::new(m20261204_000015_rate_windows::Migration),
            Box::new(m20261205_000016_chat_upload_files::Migration),
            Box::new(m20261205_000017_search::Migration),
            Box::new(m20261205_000018_form_language::Migration),
            Box::new(m20261205_000019_user_language::Migration),
            Box::new(m20261206_000020_search_cover::Migration),
            Box::new(m20261207_000021_search_recent::Migration),
        ]
    }
}
