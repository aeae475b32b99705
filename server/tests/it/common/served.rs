//! Real `doorstep serve` processes on a test app's database and data directory, for what only
//! a whole process shows: several instances at once, and a server killed mid-request.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{TestApp, form_body};

/// The token every served process reads its /metrics with.
pub const METRICS_TOKEN: &str = "served-metrics-token";

pub struct Served {
    pub child: Child,
    /// `http://127.0.0.1:<port>`
    pub base: String,
    addr: String,
}

impl Served {
    /// Starts `doorstep serve` on a free port and waits until it answers `/readyz`.
    pub async fn start(app: &TestApp) -> Served {
        Self::started(app, None, &[]).await
    }

    /// Starts it logging JSON lines at level info into `log`.
    pub async fn start_logging(app: &TestApp, log: &Path) -> Served {
        Self::started(app, Some(log), &[]).await
    }

    /// Starts it logging at `level` (an EnvFilter, e.g. "debug") in `format` ("text" or
    /// "json") into `log`, with more settings in its environment.
    pub async fn start_logging_as(app: &TestApp, log: &Path, format: &str, level: &str, env: &[(&str, &str)]) -> Served {
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let mut command = command(app, &addr, env);
        let file = std::fs::File::create(log).expect("a log file");
        command.arg("--log-format").arg(format).env("RUST_LOG", level).stderr(file);
        let mut served = Served { child: command.spawn().expect("starting doorstep serve"), base: format!("http://{addr}"), addr };
        served.wait_ready().await;
        served
    }

    /// Starts it with more settings in its environment (e.g. DOORSTEP_SMTP_URL).
    pub async fn start_with(app: &TestApp, env: &[(&str, &str)]) -> Served {
        Self::started(app, None, env).await
    }

    /// Starts it on `addr` (host:port), for a proxy already pointed there.
    pub async fn start_at(app: &TestApp, addr: &str, env: &[(&str, &str)]) -> Served {
        let mut served = Served { child: spawn(app, addr, None, env), base: format!("http://{addr}"), addr: addr.to_owned() };
        served.wait_ready().await;
        served
    }

    async fn started(app: &TestApp, log: Option<&Path>, env: &[(&str, &str)]) -> Served {
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let mut served = Served { child: spawn(app, &addr, log, env), base: format!("http://{addr}"), addr };
        served.wait_ready().await;
        served
    }

    /// Kills the process with SIGKILL: no shutdown, no flushing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the process again on the same address, after `kill`.
    pub async fn restart(&mut self, app: &TestApp) {
        self.child = spawn(app, &self.addr, None, &[]);
        self.wait_ready().await;
    }

    async fn wait_ready(&mut self) {
        let client = client();
        let started = Instant::now();
        loop {
            if let Ok(reply) = client.get(format!("{}/readyz", self.base)).send().await
                && reply.status().is_success() {
                    return;
                }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("doorstep serve exited with {status} before it was ready");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "doorstep serve was not ready within a minute");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

fn spawn(app: &TestApp, addr: &str, log: Option<&Path>, env: &[(&str, &str)]) -> Child {
    let mut command = command(app, addr, env);
    match log {
        Some(path) => {
            let file = std::fs::File::create(path).expect("a log file");
            command.arg("--log-format").arg("json").env("RUST_LOG", "info").stderr(file)
        }
        None => command.env("RUST_LOG", "warn").stderr(Stdio::null()),
    };
    command.spawn().expect("starting doorstep serve")
}

/// `doorstep serve` on the test app's data directory and database, at `addr`.
fn command(app: &TestApp, addr: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(&app.config.data_dir)
        .arg("--addr")
        .arg(addr)
        .env("DOORSTEP_CAPTURE_RATE_LIMIT", "100000")
        .env("DOORSTEP_METRICS_TOKEN", METRICS_TOKEN)
        .envs(env.iter().copied())
        .stdout(Stdio::null());
    match &app.config.database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    command
}

/// Posts a capture form to a served process as a person's browser does, with the form's
/// `token` (`TestApp::form_token`); a thank-you redirect, 303, when the lead is taken.
pub async fn submit_lead(http: &reqwest::Client, base: &str, token: &str, slug: &str, pairs: &[(&str, &str)]) -> reqwest::Result<reqwest::Response> {
    let mut all = pairs.to_vec();
    all.push(("t", token));
    http.post(format!("{base}/f/{slug}"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&all))
        .send()
        .await
}

/// An HTTP client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    app::common::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client")
}
