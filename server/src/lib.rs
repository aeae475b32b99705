//! The Doorstep server: configuration, the HTTP stack around the app, and the commands of
//! the `doorstep` binary.

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod fanout;
pub mod http;
pub mod mail;
pub mod push_service;
pub mod serve;
pub mod users;
pub mod volume;

pub use config::Config;
