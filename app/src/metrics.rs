//! What the app counts for operators, exported by the server at `/metrics` (Prometheus).
//! Without an installed recorder (tests, tools) the counts go nowhere.

pub const LEADS: &str = "doorstep_leads_captured_total";
pub const SPAM: &str = "doorstep_spam_blocked_total";
pub const RATE_LIMITED: &str = "doorstep_capture_rate_limited_total";
pub const REMINDERS: &str = "doorstep_reminders_delivered_total";
pub const REMINDER_LAG: &str = "doorstep_reminder_delivery_lag_seconds";
pub const PUSH_SENT: &str = "doorstep_push_sent_total";
pub const PUSH_FAILED: &str = "doorstep_push_failed_total";
pub const PUSH_REMOVED: &str = "doorstep_push_subscriptions_removed_total";
pub const PUSH_LAG: &str = "doorstep_push_lag_seconds";

pub fn describe() {
    metrics::describe_counter!(
        LEADS,
        "Leads taken, by channel (form, api, whatsapp) and outcome: new_lead, or a duplicate (returning_lead joined an open deal, resubmission changed nothing)."
    );
    metrics::describe_counter!(SPAM, "Capture-form submissions blocked as spam (honeypot, too fast, no form token).");
    metrics::describe_counter!(RATE_LIMITED, "Capture-form submissions refused for coming too often from one address.");
    metrics::describe_counter!(REMINDERS, "Follow-up reminders delivered.");
    metrics::describe_histogram!(REMINDER_LAG, metrics::Unit::Seconds, "How long after its due time each reminder was delivered.");
    metrics::describe_counter!(PUSH_SENT, "Web Push notices a push service accepted.");
    metrics::describe_counter!(PUSH_FAILED, "Web Push sends not accepted (to be retried, or given up).");
    metrics::describe_counter!(PUSH_REMOVED, "Push subscriptions removed because the push service said they are gone (404, 410).");
    metrics::describe_histogram!(PUSH_LAG, metrics::Unit::Seconds, "From a notification being made to its push being accepted by the push service.");
}

/// A lead was stored (or recognised as one already stored). `source` is the capture's source
/// (`form:open-day`, `api`, ...); its channel, before the colon, is the label.
pub fn lead_captured(source: &str, outcome: &str) {
    let channel = source.split(':').next().unwrap_or(source).to_owned();
    metrics::counter!(LEADS, "channel" => channel, "outcome" => outcome.to_owned()).increment(1);
}

pub fn spam_blocked() {
    metrics::counter!(SPAM).increment(1);
}

pub fn rate_limited() {
    metrics::counter!(RATE_LIMITED).increment(1);
}

pub fn reminder_delivered(lag_seconds: f64) {
    metrics::counter!(REMINDERS).increment(1);
    metrics::histogram!(REMINDER_LAG).record(lag_seconds);
}

pub fn push_sent(lag_seconds: f64) {
    metrics::counter!(PUSH_SENT).increment(1);
    metrics::histogram!(PUSH_LAG).record(lag_seconds);
}

pub fn push_failed() {
    metrics::counter!(PUSH_FAILED).increment(1);
}

pub fn push_removed() {
    metrics::counter!(PUSH_REMOVED).increment(1);
}
