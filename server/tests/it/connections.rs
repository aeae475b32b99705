//! The server's connections to PostgreSQL send what they write at once (TCP_NODELAY, as libpq
//! does). Through TLS a query can leave in two writes, and without it the second waited for
//! the server's delayed acknowledgement: about 100 ms, once in a hundred renders of a large
//! page (docs/benchmarks.md). sqlx-core is patched for it (vendor/sqlx-core); this fails if
//! that patch is lost.

use crate::common;

use common::TestApp;
use sea_orm::ConnectionTrait;

/// Whether each TCP socket of this process connected to `port` sends without delay.
fn sockets_to(port: u16) -> Vec<bool> {
    use std::os::fd::FromRawFd;
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").expect("this process's descriptors").flatten() {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        // SAFETY: the descriptor is only read here and never closed (ManuallyDrop); one that
        // is not a connected socket fails `peer_addr` and is skipped.
        let stream = std::mem::ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(fd) });
        match stream.peer_addr() {
            Ok(peer) if peer.port() == port => found.push(stream.nodelay().expect("the socket's TCP_NODELAY")),
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn every_connection_to_postgresql_sends_without_delay() {
    if common::database_kind() != "postgres" {
        return;
    }
    let base = std::env::var("DOORSTEP_TEST_DATABASE_URL").unwrap();
    let port = reqwest::Url::parse(&base).unwrap().port().unwrap_or(5432);
    let app = TestApp::new().await;
    // Several reads at once, so the pool holds more than one connection.
    let db = &app.state.db;
    let read = || db.execute_unprepared("SELECT pg_sleep(0.05)");
    let (a, b, c) = tokio::join!(read(), read(), read());
    for done in [a, b, c] {
        done.expect("a read on PostgreSQL");
    }
    let sockets = sockets_to(port);
    assert!(sockets.len() >= 3, "the pool's connections to port {port}: {sockets:?}");
    assert!(sockets.iter().all(|&nodelay| nodelay), "a connection to PostgreSQL waits for acknowledgements (Nagle): {sockets:?}");
}
