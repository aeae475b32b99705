//! Integration tests of the whole server, linked into one test binary (one link, and one
//! binary on disk instead of one per file). Each module runs on SQLite, or on PostgreSQL when
//! DOORSTEP_TEST_DATABASE_URL is set.

mod common;
mod accounts_service;
mod api_v1;
mod backup;
mod capture;
mod chats;
mod connections;
mod crash;
mod deals;
mod faults;
mod imports;
mod install;
mod instances;
mod language;
mod demo;
mod http_accounts;
mod mail;
mod memory;
mod metrics;
mod plans;
mod presentations;
mod properties;
mod proxy;
mod push;
mod reminders;
mod reports;
mod roles;
mod s3;
mod search;
mod secrets;
mod security;
mod templates;
mod webapp;
mod whatsapp;
mod worker_crash;
