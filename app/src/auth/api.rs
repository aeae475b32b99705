//! Server functions for accounts. Each authenticates, checks the role, calls one service
//! function and maps the result. Log-in, log-out and set-up are posted by plain HTML forms,
//! so they work before (or without) the WASM and end in a full page load with the new cookie.

use leptos::prelude::*;

use super::{SessionUser, UserSummary};
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod guard {
    //! What every server function does first.

    use axum::http::request::Parts;
    use leptos::prelude::*;

    use crate::auth::{Role, SessionUser};
    use crate::error::AppError;
    use crate::state::{AppState, Authenticated};

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }

    pub fn authenticated() -> Option<Authenticated> {
        use_context::<Parts>()?.extensions.get::<Authenticated>().cloned()
    }

    /// The caller, if logged in with at least `role`.
    pub fn require(role: Role) -> Result<SessionUser, AppError> {
        let user = authenticated().ok_or(AppError::Unauthorized)?.user;
        if user.role.includes(role) { Ok(user) } else { Err(AppError::Forbidden) }
    }

    /// The address the request came from, as recorded by the server's middleware.
    pub fn client_ip() -> String {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<ClientIp>().map(|ip| ip.0.clone()))
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn user_agent() -> Option<String> {
        let parts = use_context::<Parts>()?;
        parts.headers.get(axum::http::header::USER_AGENT)?.to_str().ok().map(str::to_owned)
    }

    #[derive(Clone, Debug)]
    pub struct ClientIp(pub String);

    /// An id that came in a form field; a bad one means a stale or tampered page.
    pub fn parse_id(raw: &str, field: &'static str) -> Result<i64, AppError> {
        raw.trim().parse().map_err(|_| AppError::field(field, crate::language::t("auth-value-not-valid-reload")))
    }

    /// Gives a fetch() caller the error's own status. A plain form post keeps the redirect
    /// back to its page (where the error is shown), so its status is left alone.
    pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(err) = &result {
            let html_form = use_context::<Parts>()
                .and_then(|p| p.headers.get(axum::http::header::ACCEPT)?.to_str().ok().map(|a| a.contains("text/html")))
                .unwrap_or(false);
            if !html_form
                && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                    let status = axum::http::StatusCode::from_u16(err.status())
                        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
                    response.set_status(status);
                    if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
                        response.insert_header(axum::http::header::RETRY_AFTER, crate::error::RETRY_AFTER_SECONDS.into());
                    }
                }
        }
        result
    }
}

#[cfg(feature = "ssr")]
fn set_cookie(header: String) -> Result<(), AppError> {
    let value = axum::http::HeaderValue::from_str(&header).map_err(|_| AppError::Internal)?;
    expect_context::<leptos_axum::ResponseOptions>().append_header(axum::http::header::SET_COOKIE, value);
    Ok(())
}

/// The logged-in user, or `None` on public pages.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    Ok(guard::authenticated().map(|a| a.user))
}

/// The agency's name and time zone; public, the log-in page shows the name.
#[server(endpoint = "agency")]
pub async fn agency_info() -> Result<crate::agency::Agency, AppError> {
    let state = guard::state()?;
    guard::with_status(crate::agency::load(&state.db).await)
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::{service, session};
    let state = guard::state()?;
    let result = async {
        if email.trim().is_empty() || password.is_empty() {
            return Err(AppError::field("email", crate::language::t("auth-enter-your-email-and-password")));
        }
        let user = service::authenticate(&state.db, &email, &password, &guard::client_ip()).await?;
        let token = service::start_session(&state.db, state.sessions, user.id, guard::user_agent(), Some(guard::client_ip())).await?;
        set_cookie(session::set_cookie_header(&session::sign(&state.cookie_secret, &token), state.secure_cookies, state.sessions))?;
        tracing::info!(user_id = user.id, "logged in");
        let mut target = super::safe_next(next.as_deref().unwrap_or("/"));
        // An installation made from the command line: its admin first names the agency.
        if target == "/" && user.role == super::Role::Admin.as_str() && crate::agency::load(&state.db).await?.needs_naming() {
            target = "/admin/agency?welcome=1";
        }
        leptos_axum::redirect(target);
        Ok(())
    }
    .await;
    let result = result.map_err(|err| match err {
        AppError::Unauthorized => AppError::field("email", crate::language::t("auth-email-and-password-do-not-match")),
        other => other,
    });
    guard::with_status(result)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::{service, session};
    let state = guard::state()?;
    if let Some(auth) = guard::authenticated() {
        service::end_session(&state.db, &auth.token_hash).await?;
    }
    set_cookie(session::clear_cookie_header(state.secure_cookies))?;
    leptos_axum::redirect("/login?m=logged_out");
    Ok(())
}

/// The caller's live sessions, with the one asking marked.
#[server(endpoint = "sessions")]
pub async fn my_sessions() -> Result<Vec<super::SessionSummary>, AppError> {
    let result = async {
        let auth = guard::authenticated().ok_or(AppError::Unauthorized)?;
        let state = guard::state()?;
        super::service::my_sessions(&state.db, state.sessions, &auth.user, &auth.token_hash).await
    };
    guard::with_status(result.await)
}

/// Ends one of the caller's other sessions (a phone left behind), or with `all`, every one but
/// this.
#[server(endpoint = "sessions/end")]
pub async fn end_sessions(id: Option<String>, all: Option<String>) -> Result<(), AppError> {
    let result = async {
        let auth = guard::authenticated().ok_or(AppError::Unauthorized)?;
        let db = guard::state()?.db;
        if all.is_some() {
            let ended = super::service::end_my_other_sessions(&db, &auth.user, &auth.token_hash).await?;
            tracing::info!(user_id = auth.user.id, ended, "other sessions ended");
        } else {
            let id = guard::parse_id(id.as_deref().unwrap_or_default(), "id")?;
            super::service::end_my_session(&db, &auth.user, &auth.token_hash, id).await?;
            tracing::info!(user_id = auth.user.id, session_id = id, "session ended");
        }
        Ok(())
    };
    guard::with_status(result.await)
}

/// The caller changes their own password; every other session of theirs ends.
#[server(endpoint = "password")]
pub async fn change_password(current: String, password: String) -> Result<(), AppError> {
    let result = async {
        let auth = guard::authenticated().ok_or(AppError::Unauthorized)?;
        let db = guard::state()?.db;
        let ended = super::service::change_password(&db, &auth.user, &auth.token_hash, &current, &password, &guard::client_ip()).await?;
        tracing::info!(user_id = auth.user.id, ended, "password changed");
        Ok(())
    };
    guard::with_status(result.await)
}

/// The install step: exists only while there are no users.
#[server(endpoint = "setup")]
pub async fn setup(
    agency_name: String,
    name: String,
    email: String,
    phone: String,
    time_zone: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let state = guard::state()?;
    let result = async {
        if password != password_confirm {
            return Err(AppError::field("password_confirm", crate::language::t("auth-the-two-passwords-differ")));
        }
        let input = super::NewUserInput { name, email, phone, role: "admin".into(), time_zone, password };
        let admin = super::service::create_first_admin(&state.db, &agency_name, &input).await?;
        state.mark_set_up();
        tracing::info!(user_id = admin.id, "first administrator created");
        leptos_axum::redirect("/login?m=setup_done");
        Ok(())
    }
    .await;
    guard::with_status(result)
}

/// Every IANA time-zone name, for the pickers.
#[server(endpoint = "time_zones")]
pub async fn time_zones() -> Result<Vec<String>, AppError> {
    Ok(crate::agency::time_zone_names())
}

#[server(endpoint = "users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let result = async {
        guard::require(super::Role::Admin)?;
        super::service::list_users(&guard::state()?.db).await
    };
    guard::with_status(result.await)
}

#[server(endpoint = "users/add")]
pub async fn add_user(
    name: String,
    email: String,
    phone: String,
    role: String,
    time_zone: String,
    password: String,
) -> Result<UserSummary, AppError> {
    let result = async {
        let admin = guard::require(super::Role::Admin)?;
        let input = super::NewUserInput { name, email, phone, role, time_zone, password };
        let row = super::service::create_user(&guard::state()?.db, &input).await?;
        tracing::info!(admin_id = admin.id, user_id = row.id, "user added");
        Ok(super::service::to_summary(&row))
    };
    guard::with_status(result.await)
}

#[server(endpoint = "users/disable")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    let result = async {
        let admin = guard::require(super::Role::Admin)?;
        super::service::set_disabled(&guard::state()?.db, admin.id, user_id, disabled).await?;
        tracing::info!(admin_id = admin.id, user_id, disabled, "user access changed");
        Ok(())
    };
    guard::with_status(result.await)
}

#[server(endpoint = "users/password")]
pub async fn reset_user_password(user_id: i64, password: String) -> Result<(), AppError> {
    let result = async {
        let admin = guard::require(super::Role::Admin)?;
        super::service::reset_password(&guard::state()?.db, user_id, &password).await?;
        tracing::info!(admin_id = admin.id, user_id, "password reset");
        Ok(())
    };
    guard::with_status(result.await)
}

#[server(endpoint = "users/update")]
pub async fn update_user(user_id: i64, role: String, time_zone: String, away: Option<String>) -> Result<(), AppError> {
    let result = async {
        let admin = guard::require(super::Role::Admin)?;
        super::service::update_user(&guard::state()?.db, user_id, &role, &time_zone, away.is_some()).await?;
        tracing::info!(admin_id = admin.id, user_id, "user updated");
        Ok(())
    };
    guard::with_status(result.await)
}

/// The enabled colleagues, for everyone: who to call, who is away.
#[server(endpoint = "team")]
pub async fn team() -> Result<Vec<super::TeamMember>, AppError> {
    let result = async {
        guard::require(super::Role::Agent)?;
        let users = super::service::list_users(&guard::state()?.db).await?;
        Ok(users
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| super::TeamMember { id: u.id, name: u.name, role: u.role, phone: u.phone, away: u.away })
            .collect())
    };
    guard::with_status(result.await)
}
