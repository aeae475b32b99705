pub mod agency;
pub mod login_failure;
pub mod session;
pub mod user;
