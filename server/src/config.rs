//! Typed configuration from flags and the environment, and what it takes to open the
//! installation's data (database, cookie secret, site files).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use app::state::AppState;
use clap::{Args, ValueEnum};
use leptos::config::LeptosOptions;
use rand::TryRng;
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Database URL: a SQLite file (default: <data-dir>/doorstep.db) or postgres://user:pass@host/db.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address the web server listens on.
    #[arg(long, env = "DOORSTEP_ADDR", default_value = "127.0.0.1:3000", global = true)]
    pub addr: SocketAddr,

    /// Directory for the SQLite database, the cookie secret and uploads.
    #[arg(long, env = "DOORSTEP_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// The URL people use to reach Doorstep, e.g. https://crm.agency.com (sets Secure cookies
    /// when https, and is used in links sent out).
    #[arg(long, env = "DOORSTEP_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// The reverse proxies in front of Doorstep (addresses or CIDR ranges, comma-separated,
    /// e.g. 127.0.0.1,10.0.0.0/8). Their X-Forwarded-For / Forwarded headers name the client;
    /// anyone else's are ignored. None by default: the connection's address is the client.
    #[arg(long, env = "DOORSTEP_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: crate::http::proxies::TrustedProxies,

    /// Secret that signs session cookies (at least 32 characters). Generated and kept in
    /// <data-dir>/cookie_secret when not given.
    #[arg(long, env = "DOORSTEP_COOKIE_SECRET", global = true, hide_env_values = true)]
    pub cookie_secret: Option<String>,

    /// Log format: text for people, json for log collectors.
    #[arg(long, env = "DOORSTEP_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// Submissions one address may make to one capture form per 10 minutes (more get 429).
    #[arg(long, env = "DOORSTEP_CAPTURE_RATE_LIMIT", default_value_t = 10, global = true)]
    pub capture_rate_limit: u32,

    /// SMTP server for e-mails to agents, e.g. smtp://user:pass@mail.example.com:587?tls=required.
    /// Without it, notifications stay in the app.
    #[arg(long, env = "DOORSTEP_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of those e-mails.
    #[arg(long, env = "DOORSTEP_SMTP_FROM", default_value = "Doorstep <doorstep@localhost>", global = true)]
    pub smtp_from: String,

    /// Keep photos and logos in this S3 bucket instead of the data directory, so several
    /// servers share them. Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "DOORSTEP_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,

    /// An S3-compatible server instead of AWS, e.g. http://127.0.0.1:9000 (MinIO).
    #[arg(long, env = "DOORSTEP_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    #[arg(long, env = "AWS_REGION", default_value = "us-east-1", global = true)]
    pub s3_region: String,

    /// Directory with the built front end (pkg/doorstep.*.js, .wasm, .css). Found next to the
    /// binary or under target/site when not given.
    #[arg(long, env = "DOORSTEP_SITE_ROOT", global = true)]
    pub site_root: Option<PathBuf>,

    /// The verify token set for the webhook in Meta's app dashboard (the GET handshake).
    #[arg(long, env = "DOORSTEP_WHATSAPP_VERIFY_TOKEN", global = true, hide_env_values = true)]
    pub whatsapp_verify_token: Option<String>,

    /// The Meta app's secret: every webhook POST must carry its HMAC (X-Hub-Signature-256).
    #[arg(long, env = "DOORSTEP_WHATSAPP_APP_SECRET", global = true, hide_env_values = true)]
    pub whatsapp_app_secret: Option<String>,

    /// A Cloud API access token (a system user's): with the phone number id, agents reply to
    /// clients from the deal page through the agency's WhatsApp Business number.
    #[arg(long, env = "DOORSTEP_WHATSAPP_TOKEN", global = true, hide_env_values = true)]
    pub whatsapp_token: Option<String>,

    /// The Cloud API id of the agency's WhatsApp Business phone number.
    #[arg(long, env = "DOORSTEP_WHATSAPP_PHONE_NUMBER_ID", global = true)]
    pub whatsapp_phone_number_id: Option<String>,

    /// The Graph API's address, with its version.
    #[arg(long, env = "DOORSTEP_WHATSAPP_GRAPH_URL", default_value = app::whatsapp::reply::GRAPH_URL, global = true)]
    pub whatsapp_graph_url: String,

    /// The bearer token Prometheus sends to read /metrics. Without it, /metrics answers only
    /// to connections from this machine.
    #[arg(long, env = "DOORSTEP_METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// The VAPID private key that signs Web Push (32 bytes, base64url). Give the same one to
    /// every instance; generated and kept in <data-dir>/vapid_private_key when not given.
    #[arg(long, env = "DOORSTEP_VAPID_PRIVATE_KEY", global = true, hide_env_values = true)]
    pub vapid_private_key: Option<String>,

    /// Hours without a request after which a session ends (its user logs in again).
    #[arg(long, env = "DOORSTEP_SESSION_IDLE_HOURS", default_value_t = 168, global = true)]
    pub session_idle_hours: u32,

    /// Hours after its log-in at which a session ends, however busy it is.
    #[arg(long, env = "DOORSTEP_SESSION_LIFETIME_HOURS", default_value_t = 720, global = true)]
    pub session_lifetime_hours: u32,

    /// Who push services can contact about this installation's pushes (mailto: or https:).
    /// Default: the public URL, else mailto: the sender of e-mails.
    #[arg(long, env = "DOORSTEP_VAPID_SUBJECT", global = true)]
    pub vapid_subject: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Settings for tests and tools: everything default except the database and data dir.
    pub fn for_data_dir(data_dir: &Path, database_url: Option<String>) -> Config {
        Config {
            database_url,
            addr: "127.0.0.1:0".parse().expect("a valid literal address"),
            data_dir: data_dir.to_owned(),
            public_url: None,
            trusted_proxies: Default::default(),
            cookie_secret: None,
            log_format: LogFormat::Text,
            capture_rate_limit: 10,
            smtp_url: None,
            smtp_from: "Doorstep <doorstep@localhost>".into(),
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            site_root: None,
            whatsapp_verify_token: None,
            whatsapp_app_secret: None,
            whatsapp_token: None,
            whatsapp_phone_number_id: None,
            whatsapp_graph_url: app::whatsapp::reply::GRAPH_URL.into(),
            metrics_token: None,
            vapid_private_key: None,
            vapid_subject: None,
            session_idle_hours: 168,
            session_lifetime_hours: 720,
        }
    }

    /// Where photos and logos go: the S3 bucket when one is named, else `media/` in the
    /// data directory.
    pub fn media(&self) -> anyhow::Result<Arc<dyn app::media::Storage>> {
        let Some(bucket) = &self.s3_bucket else {
            return Ok(Arc::new(app::media::LocalStorage::new(self.data_dir.join("media"))));
        };
        let key = |name: &str| std::env::var(name).map_err(|_| anyhow::anyhow!("--s3-bucket needs {name} in the environment"));
        let settings = app::media::S3Settings {
            bucket: bucket.clone(),
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            access_key_id: key("AWS_ACCESS_KEY_ID")?,
            secret_access_key: key("AWS_SECRET_ACCESS_KEY")?,
        };
        Ok(Arc::new(app::media::S3Storage::new(&settings).map_err(|e| anyhow::anyhow!(e))?))
    }

    pub fn capture_limit(&self) -> crate::http::capture::CaptureLimit {
        crate::http::capture::CaptureLimit { max: self.capture_rate_limit, window: std::time::Duration::from_secs(600) }
    }

    /// What the HTTP layer needs to know about where it runs.
    pub fn edge(&self) -> crate::http::Edge {
        crate::http::Edge {
            capture_limit: self.capture_limit(),
            trusted_proxies: self.trusted_proxies.clone(),
            public_origin: self.public_origin(),
            data_dir: self.data_dir.clone(),
        }
    }

    /// The scheme, host and port of the public URL (`https://crm.agency.com`).
    pub fn public_origin(&self) -> Option<String> {
        let url = self.public_url.as_deref()?.trim();
        let (scheme, rest) = url.split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next().filter(|a| !a.is_empty())?;
        Some(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
    }

    pub fn smtp(&self) -> Option<crate::mail::Smtp> {
        self.smtp_url.clone().map(|url| crate::mail::Smtp { url, from: self.smtp_from.clone() })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("doorstep.db").display()))
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }

    /// The given secret, or the one kept in the data directory (created on first start with
    /// 256 random bits, readable only by the owner).
    pub fn cookie_secret(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(secret) = &self.cookie_secret {
            if secret.len() < 32 {
                bail!("the cookie secret must be at least 32 characters long");
            }
            return Ok(secret.as_bytes().to_vec());
        }
        let path = self.data_dir.join("cookie_secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if existing.len() >= 32 {
                return Ok(existing.as_bytes().to_vec());
            }
        }
        let mut bytes = [0u8; 32];
        rand::rngs::SysRng.try_fill_bytes(&mut bytes).expect("the system's random numbers");
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
        Ok(secret.into_bytes())
    }

    /// The Web Push signing identity: the given private key, or the one kept in the data
    /// directory (made on first start, readable only by the owner).
    pub fn vapid(&self) -> anyhow::Result<app::push::worker::Vapid> {
        use app::push::worker::Vapid;
        let subject = self.vapid_subject.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| match &self.public_url {
            Some(url) if url.starts_with("https://") => url.trim_end_matches('/').to_owned(),
            _ => {
                let from = self.smtp_from.rsplit('<').next().unwrap_or(&self.smtp_from).trim_end_matches('>').trim();
                format!("mailto:{from}")
            }
        });
        if let Some(key) = &self.vapid_private_key {
            return Vapid::from_private_key(key, &subject).map_err(|e| anyhow::anyhow!("--vapid-private-key: {e}"));
        }
        let path = self.data_dir.join("vapid_private_key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            return Vapid::from_private_key(&existing, &subject).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
        }
        let key = Vapid::generate();
        std::fs::create_dir_all(&self.data_dir).with_context(|| format!("creating {}", self.data_dir.display()))?;
        write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
        Vapid::from_private_key(&key, &subject).map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Where the built front end is: the flag, else next to the binary (a release build in
    /// target/release finds target/site), else target/site under the working directory.
    pub fn site_root(&self) -> PathBuf {
        if let Some(root) = &self.site_root {
            return root.clone();
        }
        let beside_binary = exe_dir().into_iter().flat_map(|dir| [dir.join("site"), dir.join("../site")]);
        beside_binary
            .chain([PathBuf::from("target/site")])
            .find(|dir| crate::http::assets::FrontEnd::built_in(dir))
            .unwrap_or_else(|| PathBuf::from("target/site"))
    }

    /// The file of the front end's content hashes that cargo-leptos writes beside the binary
    /// (its names carry them, so browsers may keep them for good); the site root is also
    /// looked in, for a front end moved apart from the binary with `--site-root`.
    pub fn hash_file(&self) -> Option<PathBuf> {
        exe_dir().map(|dir| dir.join("hash.txt")).into_iter().chain([self.site_root().join("hash.txt")]).find(|f| f.is_file())
    }

    pub fn leptos_options(&self) -> LeptosOptions {
        let hash_file = self.hash_file();
        LeptosOptions::builder()
            .output_name("doorstep")
            .site_root(self.site_root().to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(self.addr)
            .hash_files(hash_file.is_some())
            // Leptos joins this to the binary's directory: an absolute path stands as it is.
            .hash_file(hash_file.map(|f| std::path::absolute(&f).unwrap_or(f).to_string_lossy().to_string()).unwrap_or_else(|| "hash.txt".into()).into())
            .build()
    }

    /// Opens (creating the data directory and SQLite file if needed) and migrates the database.
    pub async fn open_database(&self) -> anyhow::Result<DatabaseConnection> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating the data directory {}", self.data_dir.display()))?;
        let url = self.database_url();
        let db = app::db::connect(&url).await.with_context(|| format!("opening the database {}", redact(&url)))?;
        migrations::Migrator::up(&db, None).await.context("migrating the database")?;
        Ok(db)
    }

    /// Everything the web app needs, with the database open and migrated.
    pub async fn app_state(&self) -> anyhow::Result<AppState> {
        let db = self.open_database().await?;
        let set_up = app::auth::service::user_count(&db).await.map_err(|e| anyhow::anyhow!("{e}"))? > 0;
        if set_up {
            app::agency::ensure(&db, "UTC").await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let notifier = app::notifications::service::Notifier::default();
        Ok(AppState {
            intake: app::capture::intake::Intake::new(db.clone(), notifier.clone()),
            media: self.media()?,
            mailer: match self.smtp() {
                Some(smtp) => Some(Arc::new(crate::mail::SmtpMailer::new(&smtp)?)),
                None => None,
            },
            db,
            cookie_secret: Arc::from(self.cookie_secret()?),
            secure_cookies: self.secure_cookies(),
            public_url: self.public_url.as_ref().map(|u| u.trim_end_matches('/').to_owned()),
            notifier,
            leptos_options: self.leptos_options(),
            set_up: Arc::new(AtomicBool::new(set_up)),
            metrics_token: self.metrics_token.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(Arc::from),
            push: self.vapid()?,
            sessions: app::auth::session::Lifetime::from_hours(self.session_idle_hours, self.session_lifetime_hours)
                .map_err(|e| anyhow::anyhow!("--session-idle-hours / --session-lifetime-hours: {e}"))?,
            whatsapp: app::whatsapp::service::Channel {
                verify_token: self.whatsapp_verify_token.clone().filter(|t| !t.is_empty()),
                app_secret: self.whatsapp_app_secret.clone().filter(|t| !t.is_empty()),
                sender: match (&self.whatsapp_token, &self.whatsapp_phone_number_id) {
                    (Some(token), Some(number)) if !token.is_empty() && !number.is_empty() => Some(app::whatsapp::reply::Sender::new(
                        &self.whatsapp_graph_url,
                        token,
                        number,
                    )?),
                    _ => None,
                },
            },
        })
    }
}

/// A database URL fit for logs: the password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The directory of the running binary.
fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(redact("postgres://doorstep:hunter2@db:5432/crm"), "postgres://doorstep:***@db:5432/crm");
        assert_eq!(redact("sqlite://data/doorstep.db?mode=rwc"), "sqlite://data/doorstep.db?mode=rwc");
    }

    #[test]
    fn the_cookie_secret_is_generated_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::for_data_dir(dir.path(), None);
        let first = config.cookie_secret().unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(config.cookie_secret().unwrap(), first);
    }

    #[test]
    fn the_vapid_key_is_generated_once_and_kept_or_given_for_every_instance() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::for_data_dir(dir.path(), None);
        let first = config.vapid().unwrap();
        assert_eq!(first.public_key.len(), 87, "65 bytes in base64url");
        assert_eq!(config.vapid().unwrap().public_key, first.public_key, "the same key after a restart");
        assert_eq!(first.subject, "mailto:doorstep@localhost");
        let kept = std::fs::read_to_string(dir.path().join("vapid_private_key")).unwrap();
        let other = tempfile::tempdir().unwrap();
        let given = Config {
            vapid_private_key: Some(kept),
            public_url: Some("https://crm.costa.test/".into()),
            ..Config::for_data_dir(other.path(), None)
        };
        let shared = given.vapid().unwrap();
        assert_eq!(shared.public_key, first.public_key, "another instance given the key signs as the same installation");
        assert_eq!(shared.subject, "https://crm.costa.test");
        let bad = Config { vapid_private_key: Some("not a key".into()), ..Config::for_data_dir(other.path(), None) };
        assert!(bad.vapid().unwrap_err().to_string().contains("--vapid-private-key"));
    }

    #[test]
    fn a_short_cookie_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config { cookie_secret: Some("short".into()), ..Config::for_data_dir(dir.path(), None) };
        assert!(config.cookie_secret().is_err());
    }

    #[test]
    fn https_public_url_means_secure_cookies() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_data_dir(dir.path(), None);
        assert!(!config.secure_cookies());
        config.public_url = Some("https://crm.agency.com".into());
        assert!(config.secure_cookies());
    }
}
