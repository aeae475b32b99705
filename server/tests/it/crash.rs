//! Crash safety: leads are submitted concurrently to a real `doorstep serve` while it is
//! killed with SIGKILL at random moments and started again. Every lead that got its thank-you
//! answer is in the database afterwards, and the database holds no lead nobody sent: at most
//! the answered ones plus those whose answer the kill cut off.
//!
//! `make test` runs a few rounds; `make crash-test` (DOORSTEP_CRASH_ROUNDS, default 50 there)
//! runs the long version.

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use app::db::entities::{capture_form, contact, deal};
use common::TestApp;
use common::served::{self, Served, client};
use rand::RngExt;
use sea_orm::{EntityTrait, PaginatorTrait};
use tokio::sync::Mutex;

/// Concurrent submitters: more than the server has cores, so kills land mid-write.
const SENDERS: usize = 8;

#[derive(Default)]
struct Tally {
    /// Phone numbers whose submission was answered with the thank-you redirect.
    answered: BTreeSet<String>,
    /// Phone numbers whose answer the kill cut off: in flight, maybe stored.
    unanswered: BTreeSet<String>,
    /// Submissions that found the server down (connection refused): never sent.
    refused: usize,
}

fn rounds() -> usize {
    std::env::var("DOORSTEP_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3)
}

#[tokio::test]
async fn every_answered_lead_survives_the_server_being_killed_at_random_moments() {
    let app = TestApp::new().await;
    app.set_up().await;
    app.capture_form("open-day").await;
    let mut server = Served::start(&app).await;
    let base = server.base.clone();

    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let senders: Vec<_> = (0..SENDERS)
        .map(|_| {
            let (stop, next, tally, base, token) = (stop.clone(), next.clone(), tally.clone(), base.clone(), app.form_token(10));
            tokio::spawn(async move {
                let http = client();
                while !stop.load(Ordering::Relaxed) {
                    let phone = format!("+3461{:07}", next.fetch_add(1, Ordering::Relaxed));
                    let sent = served::submit_lead(&http, &base, &token, "open-day", &[("name", "Crash Test"), ("phone", &phone)]).await;
                    match sent {
                        Ok(reply) if reply.status() == 303 => {
                            tally.lock().await.answered.insert(phone);
                        }
                        Ok(reply) => panic!("a lead was refused with {}: {}", reply.status(), reply.text().await.unwrap_or_default()),
                        Err(err) => {
                            let mut tally = tally.lock().await;
                            if err.is_connect() {
                                tally.refused += 1;
                            } else {
                                tally.unanswered.insert(phone);
                            }
                            drop(tally);
                            // The server is down: try again shortly with the next number.
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            })
        })
        .collect();

    let mut rng = rand::make_rng::<rand::rngs::StdRng>();
    for _ in 0..rounds() {
        // Each life of the server takes some leads first, so every kill lands mid-traffic.
        let answered_before = tally.lock().await.answered.len();
        let started = std::time::Instant::now();
        while tally.lock().await.answered.len() < answered_before + 10 {
            assert!(started.elapsed() < Duration::from_secs(30), "the restarted server answered no leads");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..700))).await;
        server.kill();
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..200))).await;
        server.restart(&app).await;
    }
    // Let the last life of the server take some leads too, then stop sending.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.await.expect("a sender panicked");
    }
    // The last life counted its leads; /metrics answers a connection from this machine.
    let metrics = client().get(format!("{base}/metrics")).bearer_auth(served::METRICS_TOKEN).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.text().await.unwrap().contains(r#"doorstep_leads_captured_total{channel="form",outcome="new_lead"}"#));
    drop(server);

    let tally = tally.lock().await;
    let stored: BTreeSet<String> =
        contact::Entity::find().all(&app.state.db).await.unwrap().into_iter().filter_map(|c| c.phone).collect();
    let lost: Vec<&String> = tally.answered.difference(&stored).collect();
    assert!(lost.is_empty(), "{} answered leads are missing after the kills, among them {:?}", lost.len(), &lost[..lost.len().min(10)]);
    let unsent: Vec<&String> = stored.iter().filter(|p| !tally.answered.contains(*p) && !tally.unanswered.contains(*p)).collect();
    // So the stored leads are the answered ones and some of those the kills cut off.
    assert!(unsent.is_empty(), "leads nobody sent are stored: {unsent:?}");
    // A thank-you also answers spam: none of these may have been taken for it.
    let form = capture_form::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(form.spam_count, 0, "a submission was blocked as spam, so its thank-you proves nothing");
    let deals = deal::Entity::find().count(&app.state.db).await.unwrap() as usize;
    assert_eq!(deals, stored.len(), "one deal per stored lead");
    assert!(tally.answered.len() >= 20, "too few leads answered ({}) for the test to mean anything", tally.answered.len());
    eprintln!(
        "{} rounds: {} leads answered, {} cut off by a kill of which {} were stored, {} found the server down",
        rounds(),
        tally.answered.len(),
        tally.unanswered.len(),
        stored.len() - tally.answered.len(),
        tally.refused
    );
}
