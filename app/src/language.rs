//! The languages Doorstep speaks, through Project Fluent (fluent-templates): each language is
//! one file, `app/locales/<code>/doorstep.ftl`, found when the server is built, so adding a
//! language is adding its file (README: "Adding a language"). Plurals and the forms of
//! numbers come from Fluent and CLDR, never from joining strings here.
//!
//! Which language a page is in: a capture form's own, or the prospect's browser's when the
//! form is "automatic" ([`Language::negotiate`] on Accept-Language).

#[cfg(not(feature = "hydrate"))]
use std::borrow::Cow;
#[cfg(not(feature = "hydrate"))]
use std::collections::HashMap;

use fluent_templates::fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use fluent_templates::LanguageIdentifier;
#[cfg(not(feature = "hydrate"))]
use fluent_templates::Loader;

// The server holds every language, read when it is built. The browser holds one: the page's,
// sent beside the front end ([`Language::messages_address`], [`load`]).
#[cfg(not(feature = "hydrate"))]
fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around values: the texts go into HTML, PDF and e-mail,
        // where the marks would show as stray characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// One of the languages there is a file for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Language(LanguageIdentifier);

impl Language {
    /// The language everything falls back to.
    pub fn english() -> Language {
        Language("en".parse().expect("a language tag"))
    }

    /// Every language there is a file for, English first. (On the server: the browser knows
    /// only the page's.)
    #[cfg(not(feature = "hydrate"))]
    pub fn all() -> Vec<Language> {
        let mut all: Vec<Language> = LOCALES.locales().cloned().map(Language).collect();
        all.sort_by_key(|l| (l.code() != "en", l.code()));
        all
    }

    /// The pseudo-language "en-XA": English with the letters of every message accented
    /// ("Ŧǿḓȧẏ"), and the values put in as they are. Nobody chooses it from a list; it is
    /// stored for a person by the page walk (and by a developer looking for text that does
    /// not come from the messages), since any plain letters left on a page then are such text.
    pub fn pseudo() -> Language {
        Language(PSEUDO.parse().expect("a language tag"))
    }

    fn is_pseudo(&self) -> bool {
        self.0.region.is_some_and(|r| r.as_str() == "XA")
    }

    /// A stored language code (a person's, the agency's, a page's `<html lang>`): one that
    /// [`Language::parse`] takes, or the pseudo-language.
    pub fn stored(code: &str) -> Option<Language> {
        if code.trim().eq_ignore_ascii_case(PSEUDO) { Some(Language::pseudo()) } else { Language::parse(code) }
    }

    /// The language with this code ("es", "ES", "es-MX" for Spanish), if there is a file for it.
    pub fn parse(code: &str) -> Option<Language> {
        let wanted: LanguageIdentifier = code.trim().parse().ok()?;
        // In the browser, the language is the one the server wrote in the page.
        #[cfg(feature = "hydrate")]
        return Some(Language(LanguageIdentifier::from_parts(wanted.language, None, None, &[])));
        #[cfg(not(feature = "hydrate"))]
        Language::all().into_iter().find(|l| l.0.language == wanted.language)
    }

    /// The best language for a browser's Accept-Language ("es-ES,es;q=0.9,en;q=0.8"): the
    /// first, by weight, that there is a file for.
    pub fn negotiate(accept_language: &str) -> Option<Language> {
        let mut wanted: Vec<(f32, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(order, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let weight = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .next()
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (weight > 0.0 && !tag.is_empty() && tag != "*").then_some((weight, order, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.into_iter().find_map(|(_, _, tag)| Language::parse(tag))
    }

    /// Its code, as stored on forms and contacts ("es").
    pub fn code(&self) -> String {
        if self.is_pseudo() {
            return PSEUDO.to_owned();
        }
        self.0.language.as_str().to_owned()
    }

    /// Its name in itself ("Español"), for choosing it.
    pub fn name(&self) -> String {
        self.t("language-name")
    }

    /// The message `key` in this language (in English when this language lacks it).
    pub fn t(&self, key: &str) -> String {
        if self.is_pseudo() {
            return self.t_with(key, &[]);
        }
        #[cfg(feature = "hydrate")]
        return page_message(key, None);
        #[cfg(not(feature = "hydrate"))]
        LOCALES.lookup(&self.0, key)
    }

    /// The message `key` with its values filled in.
    pub fn t_with(&self, key: &str, args: &[(&'static str, Value)]) -> String {
        if self.is_pseudo() {
            return pseudo_message(key, args);
        }
        #[cfg(feature = "hydrate")]
        return page_message(key, Some(&args.iter().map(|(name, value)| (*name, value.fluent())).collect()));
        #[cfg(not(feature = "hydrate"))]
        {
            let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args.iter().map(|(name, value)| (Cow::Borrowed(*name), value.fluent())).collect();
            LOCALES.lookup_with_args(&self.0, key, &args)
        }
    }

    /// Where the browser gets this language's messages: `/messages/es.<hash>.ftl`, named by
    /// their text so that it keeps them until they change. The pseudo-language's are English's.
    #[cfg(feature = "ssr")]
    pub fn messages_address(&self) -> String {
        let code = if self.is_pseudo() { "en".to_owned() } else { self.code() };
        let hash = served(&code).map_or("", |(hash, _)| hash);
        format!("/messages/{code}.{hash}.ftl")
    }
}

// `SERVED`: each language's messages as one Fluent file, written by app/build.rs.
#[cfg(feature = "ssr")]
include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// The messages the browser is sent for the language `code`: the hash that names them, and
/// their text.
#[cfg(feature = "ssr")]
pub fn served(code: &str) -> Option<(&'static str, &'static str)> {
    SERVED.iter().find(|(c, _, _)| *c == code).map(|(_, hash, text)| (*hash, *text))
}

/// The words of the messages Doorstep was built with: every message key and every value
/// name, each a `&'static str` into the messages' own text. A key or value name that comes
/// from outside (another instance, through PostgreSQL) is taken only if it is one of these.
#[cfg(feature = "ssr")]
pub fn known_word(word: &str) -> Option<&'static str> {
    static WORDS: std::sync::LazyLock<std::collections::BTreeSet<&'static str>> = std::sync::LazyLock::new(|| {
        let mut words = std::collections::BTreeSet::new();
        for (_, _, text) in SERVED {
            for line in text.lines().filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic())) {
                if let Some((key, _)) = line.split_once('=') {
                    words.insert(key.trim_end());
                }
            }
            for (at, _) in text.match_indices('$') {
                let rest = &text[at + 1..];
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(rest.len());
                if end > 0 {
                    words.insert(&rest[..end]);
                }
            }
        }
        words
    });
    WORDS.get(word).copied()
}

/// One language's messages read from the file the server sends (see [`served`]): what the
/// browser writes every message with, the same way the server does.
pub struct Messages(FluentBundle<FluentResource>);

impl Messages {
    /// Reads the messages of the page's language, or says what is wrong with the file.
    pub fn read(language: &Language, text: String) -> Result<Messages, String> {
        let resource = FluentResource::try_new(text).map_err(|(_, errors)| format!("the messages do not parse: {errors:?}"))?;
        let language = if language.is_pseudo() { Language::english() } else { language.clone() };
        let mut bundle = FluentBundle::new(vec![language.0]);
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).map_err(|errors| format!("the messages do not load: {errors:?}"))?;
        Ok(Messages(bundle))
    }

    /// The message `key` with `args`; the key itself when there is no such message.
    pub fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.0.get_message(key).and_then(|m| m.value()) else { return key.to_owned() };
        let mut errors = Vec::new();
        self.0.format_pattern(pattern, args, &mut errors).into_owned()
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static PAGE_MESSAGES: std::cell::RefCell<Option<Messages>> = const { std::cell::RefCell::new(None) };
}

/// Takes the page's messages, as the page's loader fetched them, before the page hydrates.
#[cfg(feature = "hydrate")]
pub fn load(text: String) -> Result<(), String> {
    let messages = Messages::read(&current(), text)?;
    PAGE_MESSAGES.with(|m| *m.borrow_mut() = Some(messages));
    Ok(())
}

#[cfg(feature = "hydrate")]
fn page_message(key: &str, args: Option<&FluentArgs>) -> String {
    PAGE_MESSAGES.with(|m| m.borrow().as_ref().map_or_else(|| key.to_owned(), |messages| messages.format(key, args)))
}

/// How each language writes numbers, amounts, dates and waits: digits and grouping from CLDR
/// through ICU4X (icu_decimal), day and month names from chrono's locales, and where the
/// currency goes and how a wait reads from the language's own file (`formats.ftl`).
impl Language {
    fn decimals(&self) -> Option<icu_decimal::DecimalFormatter> {
        let locale = icu_locale_core::Locale::try_from_str(&self.code()).ok()?;
        icu_decimal::DecimalFormatter::try_new(locale.into(), Default::default()).ok()
    }

    /// `units` × 10^`exponent` with this language's separators: 250000 is "250,000" in
    /// English, "250.000" in Spanish; (12, -1) is "1.2" or "1,2".
    fn decimal(&self, units: i64, exponent: i16) -> String {
        thread_local! {
            /// Each language's formatter, made once per thread: making one reads CLDR's data
            /// for the locale, and a page of deals writes a few hundred amounts.
            static FORMATTERS: std::cell::RefCell<std::collections::HashMap<String, Option<icu_decimal::DecimalFormatter>>> = std::cell::RefCell::default();
        }
        let mut number = icu_decimal::input::Decimal::from(units);
        number.multiply_pow10(exponent);
        FORMATTERS.with(|formatters| {
            let mut formatters = formatters.borrow_mut();
            match formatters.entry(self.code()).or_insert_with(|| self.decimals()) {
                Some(formatter) => formatter.format(&number).to_string(),
                None => number.to_string(),
            }
        })
    }

    /// A whole number: "1,250" in English, "1250" and "12.500" in Spanish.
    pub fn number(&self, n: i64) -> String {
        self.decimal(n, 0)
    }

    /// An amount in minor units with its currency: "€250,000" in English, "250.000 €" in
    /// Spanish, cents only when there are some; a currency without a common symbol by its
    /// code ("CHF 1,200.50").
    pub fn money(&self, minor: i64, currency: &str) -> String {
        let amount = if minor % 100 == 0 { self.decimal(minor / 100, 0) } else { self.decimal(minor, -2) };
        self.with_currency(amount, currency)
    }

    /// An amount in a few characters, for a stage total: "€1.2M", "€850k"; "1,2 M €",
    /// "850 mil €".
    pub fn money_short(&self, minor: i64, currency: &str) -> String {
        let units = minor / 100;
        let amount = match units.abs() {
            n if n >= 1_000_000 => self.t_with("money-millions", &[("amount", self.decimal(units / 100_000, -1).into())]),
            n if n >= 10_000 => self.t_with("money-thousands", &[("amount", self.decimal(units / 1000, 0).into())]),
            _ => self.decimal(units, 0),
        };
        self.with_currency(amount, currency)
    }

    fn with_currency(&self, amount: String, currency: &str) -> String {
        match currency_symbol(currency) {
            Some(symbol) => self.t_with("money-symbol", &[("amount", amount.into()), ("symbol", symbol.into())]),
            None => self.t_with("money-code", &[("amount", amount.into()), ("code", currency.into())]),
        }
    }

    /// A time as this reader reads it, in their time zone: "Wed 25 Nov, 14:02",
    /// "mié 25 nov, 14:02".
    #[cfg(feature = "ssr")]
    pub fn datetime(&self, at: chrono::DateTime<chrono::Utc>, time_zone: &str) -> String {
        if self.is_pseudo() {
            return accented(&Language::english().datetime(at, time_zone));
        }
        let locale = chrono::Locale::try_from(self.t("date-locale").as_str()).unwrap_or(chrono::Locale::POSIX);
        let pattern = self.t("date-time");
        match time_zone.parse::<chrono_tz::Tz>() {
            Ok(tz) => at.with_timezone(&tz).format_localized(&pattern, locale).to_string(),
            Err(_) => at.format_localized(&format!("{pattern} UTC"), locale).to_string(),
        }
    }

    /// A day as this reader writes it, by one of the patterns in `formats.ftl` (`date-day-month`:
    /// "6 Nov", "6 nov"; `date-day-month-year`: "5 Dec 2026", "5 dic 2026").
    #[cfg(feature = "ssr")]
    pub fn date(&self, day: chrono::NaiveDate, pattern: &str) -> String {
        if self.is_pseudo() {
            return accented(&Language::english().date(day, pattern));
        }
        let locale = chrono::Locale::try_from(self.t("date-locale").as_str()).unwrap_or(chrono::Locale::POSIX);
        day.format_localized(&self.t(pattern), locale).to_string()
    }

    /// How long someone has waited: "5 min", "2 h 10 min", "3 days"; "3 días".
    pub fn waited(&self, minutes: i64) -> String {
        match minutes {
            m if m < 1 => self.t("waited-now"),
            m if m < 24 * 60 => self.hours_and_minutes(m),
            m => self.t_with("waited-days", &[("days", (m / (24 * 60)).into())]),
        }
    }

    /// Under a day: "5 min", "2 h", "2 h 10 min".
    fn hours_and_minutes(&self, minutes: i64) -> String {
        match minutes {
            m if m < 60 => self.t_with("waited-minutes", &[("minutes", m.into())]),
            m => match m % 60 {
                0 => self.t_with("waited-hours", &[("hours", (m / 60).into())]),
                rest => self.t_with("waited-hours-minutes", &[("hours", (m / 60).into()), ("minutes", rest.into())]),
            },
        }
    }

    /// A duration in a report's cell: "4 min", "2 h 15 min", "3 d 4 h", "30 d or more";
    /// "30 d o más".
    pub fn duration(&self, minutes: i64) -> String {
        match minutes {
            m if m < 1440 => self.hours_and_minutes(m),
            m if m >= 43_200 => self.t_with("duration-days-or-more", &[("days", 30.into())]),
            m => match (m % 1440) / 60 {
                0 => self.t_with("duration-days", &[("days", (m / 1440).into())]),
                h => self.t_with("duration-days-hours", &[("days", (m / 1440).into()), ("hours", h.into())]),
            },
        }
    }

    /// `part` of `whole` as a percentage with one decimal: "12.5%", "12,5 %"; "–" of nothing.
    pub fn percent(&self, part: u64, whole: u64) -> String {
        if whole == 0 {
            return "–".into();
        }
        let tenths = (part * 1000 + whole / 2) / whole;
        self.t_with("percent", &[("amount", self.decimal(tenths as i64, -1).into())])
    }

    /// A wait as a time in the past: "5 min ago", "hace 5 min"; "just now" as it is.
    pub fn ago(&self, minutes: i64) -> String {
        if minutes < 1 {
            return self.t("waited-now");
        }
        self.t_with("waited-ago", &[("time", self.waited(minutes).into())])
    }
}

/// The symbol people write with an amount, where the currency has a common one.
fn currency_symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "USD" => Some("$"),
        _ => None,
    }
}

const PSEUDO: &str = "en-XA";

/// The English message with its own letters accented and its values left as they are: each
/// value goes in as a marker of digits between private-use characters, which the accenting
/// leaves alone, and is put back after it.
fn pseudo_message(key: &str, args: &[(&'static str, Value)]) -> String {
    let marker = |i: usize| format!("\u{E000}{i}\u{E001}");
    let marked: Vec<(&'static str, Value)> = args.iter().enumerate().map(|(i, (name, _))| (*name, Value::Text(marker(i)))).collect();
    let english = Language::english().t_with(key, &marked);
    let mut text = accented(&english);
    for (i, (_, value)) in args.iter().enumerate() {
        let shown = match value {
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
        };
        text = text.replace(&marker(i), &shown);
    }
    text
}

#[cfg(feature = "ssr")]
fn accented(english: &str) -> String {
    fluent_pseudo::transform(english, false, false).into_owned()
}

#[cfg(not(feature = "ssr"))]
fn accented(english: &str) -> String {
    english.to_owned()
}

impl Default for Language {
    fn default() -> Self {
        Language::english()
    }
}

/// The language of the page being rendered: on the server, the one [`for_request`] chose
/// and the shell provided (for a server function, the caller's); in the browser, the one the server wrote in `<html lang>`, read
/// once (a change of language reloads the page).
pub fn current() -> Language {
    #[cfg(feature = "hydrate")]
    {
        static PAGE: std::sync::OnceLock<Language> = std::sync::OnceLock::new();
        PAGE.get_or_init(|| {
            let lang = leptos::prelude::document().document_element().and_then(|html| html.get_attribute("lang"));
            lang.and_then(|code| Language::stored(&code)).unwrap_or_default()
        })
        .clone()
    }
    // A server function's request carries no page: its answer is in the caller's language.
    // Outside any request (workers, the command line), English.
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        if let Ok(reader) = READER.try_with(Language::clone) {
            return reader;
        }
        use_context::<Language>()
            .or_else(|| use_context::<axum::http::request::Parts>().map(|parts| for_request(&parts)))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    Language::default()
}

#[cfg(feature = "ssr")]
tokio::task_local! {
    /// The reader of what is being written outside any page: a client reading a presentation.
    static READER: Language;
}

/// Runs `work` writing for a reader of `language` (a presentation for its client): every
/// message, amount and date made inside it is in their language.
#[cfg(feature = "ssr")]
pub async fn for_reader<F: std::future::Future>(language: Language, work: F) -> F::Output {
    READER.scope(language, work).await
}

/// As [`for_reader`], for work that does not wait (rendering a PDF on a blocking thread).
#[cfg(feature = "ssr")]
pub fn for_reader_now<R>(language: Language, work: impl FnOnce() -> R) -> R {
    READER.sync_scope(language, work)
}

/// The language a person reads Doorstep in, for what is written to them outside any page
/// (notices, pushes, calendar entries): their own choice, else the agency's.
#[cfg(feature = "ssr")]
pub fn of_person(chosen: Option<&str>, agency: &str) -> Language {
    chosen.and_then(Language::stored).or_else(|| Language::stored(agency)).unwrap_or_default()
}

/// The language the team's shared records are written in (a lead's first timeline line, an
/// entry Doorstep writes itself): the agency's.
#[cfg(feature = "ssr")]
pub async fn of_agency(db: &impl sea_orm::ConnectionTrait) -> Result<Language, crate::error::AppError> {
    Ok(Language::stored(&crate::agency::language(db).await?).unwrap_or_default())
}

/// As [`of_person`], read from the database for one user.
#[cfg(feature = "ssr")]
pub async fn of_user(db: &impl sea_orm::ConnectionTrait, user_id: i64) -> Result<Language, crate::error::AppError> {
    use sea_orm::{EntityTrait, QuerySelect};
    let chosen: Option<Option<String>> = crate::db::entities::user::Entity::find_by_id(user_id)
        .select_only()
        .column(crate::db::entities::user::Column::Language)
        .into_tuple()
        .one(db)
        .await?;
    Ok(of_person(chosen.flatten().as_deref(), &crate::agency::language(db).await?))
}

/// The message `key` in the page's language.
pub fn t(key: &str) -> String {
    current().t(key)
}

/// The message `key` in the page's language, with its values.
pub fn t_with(key: &str, args: &[(&'static str, Value)]) -> String {
    current().t_with(key, args)
}

/// The language a page request is answered in: the logged-in person's (their own choice, else
/// the agency's), else the browser's first that Doorstep speaks, else English.
#[cfg(feature = "ssr")]
pub fn for_request(parts: &axum::http::request::Parts) -> Language {
    if let Some(signed_in) = parts.extensions.get::<crate::state::Authenticated>() {
        return Language::stored(&signed_in.user.language).unwrap_or_default();
    }
    let accept = parts.headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Language::negotiate(accept).unwrap_or_default()
}

/// A value put into a message: text as it is, a number for Fluent's plural rules and the
/// language's digits.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(i64),
}

impl Value {
    fn fluent(&self) -> FluentValue<'_> {
        match self {
            Value::Text(text) => FluentValue::from(text.as_str()),
            Value::Number(n) => FluentValue::from(*n),
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::Number(n.into())
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Number(n.into())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Number(n as i64)
    }
}

/// A message not yet put into a language: what a rule says when it refuses something, before
/// it is known who reads it. Shown in English where no reader's language applies (the API,
/// logs, imports), and in the reader's language on the pages that know it.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub key: &'static str,
    pub args: Vec<(&'static str, Value)>,
}

impl Text {
    pub fn new(key: &'static str) -> Text {
        Text { key, args: Vec::new() }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Text {
        self.args.push((name, value.into()));
        self
    }

    /// The message in `language`.
    pub fn in_language(&self, language: &Language) -> String {
        language.t_with(self.key, &self.args)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_language(&Language::english()))
    }
}

/// Into the language of whoever is being answered ([`current`]): a field error from a
/// server function is in the caller's language.
impl From<Text> for String {
    fn from(text: Text) -> String {
        text.in_language(&current())
    }
}

/// A language to choose: its code and its name in itself.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Choice {
    pub code: String,
    pub name: String,
}

/// The languages Doorstep speaks, for the pickers (forms, people, the agency).
#[leptos::server(endpoint = "languages")]
pub async fn languages() -> Result<Vec<Choice>, crate::error::AppError> {
    use crate::auth::api::guard;
    let result = guard::require(crate::auth::Role::Agent).map(|_| Language::all().into_iter().map(|l| Choice { code: l.code(), name: l.name() }).collect());
    guard::with_status(result)
}

/// The viewer's language settings: their own choice (None: the agency's), the agency's, and
/// the languages there are.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    pub chosen: Option<String>,
    pub agency: String,
    pub choices: Vec<Choice>,
}

#[leptos::server(endpoint = "language")]
pub async fn my_language() -> Result<Settings, crate::error::AppError> {
    use crate::auth::api::guard;
    use sea_orm::EntityTrait;
    let result = async {
        let viewer = guard::require(crate::auth::Role::Agent)?;
        let db = guard::state()?.db;
        let chosen = crate::db::entities::user::Entity::find_by_id(viewer.id).one(&db).await?.and_then(|u| u.language);
        let choices = Language::all().into_iter().map(|l| Choice { code: l.code(), name: l.name() }).collect();
        Ok(Settings { chosen, agency: crate::agency::language(&db).await?, choices })
    };
    guard::with_status(result.await)
}

/// The viewer chooses the language they read Doorstep in ("" follows the agency's).
#[leptos::server(endpoint = "language/set")]
pub async fn set_my_language(language: String) -> Result<(), crate::error::AppError> {
    use crate::auth::api::guard;
    let result = async {
        let viewer = guard::require(crate::auth::Role::Agent)?;
        crate::auth::service::set_language(&guard::state()?.db, viewer.id, Some(&language)).await?;
        tracing::info!(user_id = viewer.id, language, "language chosen");
        Ok(())
    };
    guard::with_status(result.await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast::Entry;
    use fluent_templates::fluent_bundle::FluentResource;
    use std::collections::BTreeSet;

    /// The keys of every file of one language, each key in one file only.
    fn keys(code: &str) -> BTreeSet<String> {
        let dir = format!("{}/locales/{code}", env!("CARGO_MANIFEST_DIR"));
        let mut keys = BTreeSet::new();
        for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "ftl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let resource = FluentResource::try_new(text).unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
            for entry in resource.entries() {
                let key = match entry {
                    Entry::Message(m) => m.id.name.to_owned(),
                    Entry::Term(t) => format!("-{}", t.id.name),
                    _ => continue,
                };
                assert!(keys.insert(key.clone()), "{key} is in {} and in another file of {code}", path.display());
            }
        }
        keys
    }

    /// The browser writes a page's messages from the one file it is sent: every message of
    /// every language must come out of it as the server writes it, values and plurals too.
    #[test]
    fn the_file_a_browser_is_sent_writes_every_message_as_the_server_does() {
        for language in Language::all() {
            let (hash, text) = served(&language.code()).unwrap_or_else(|| panic!("no file is sent for {}", language.code()));
            assert!(language.messages_address().ends_with(&format!("/{}.{hash}.ftl", language.code())), "{}", language.messages_address());
            let browser = Messages::read(&language, text.to_owned()).unwrap();
            // Every value any message takes, as a number: 0, 1 and 5 go through the plurals.
            let names: BTreeSet<&'static str> = text
                .split('$')
                .skip(1)
                .map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).next().unwrap_or_default())
                .filter(|name| !name.is_empty())
                .map(|name| &*Box::leak(name.to_owned().into_boxed_str()))
                .collect();
            assert!(names.contains("count"), "{names:?}");
            for n in [0, 1, 5] {
                let args: Vec<(&'static str, Value)> = names.iter().map(|name| (*name, Value::Number(n))).collect();
                let fluent: FluentArgs = args.iter().map(|(name, value)| (*name, value.fluent())).collect();
                for key in keys(&language.code()).into_iter().filter(|k| !k.starts_with('-')) {
                    assert_eq!(browser.format(&key, Some(&fluent)), language.t_with(&key, &args), "{key} in {}", language.code());
                }
            }
            assert_eq!(browser.format("nav-today", None), language.t("nav-today"));
        }
        let other = served("es").unwrap().0;
        assert_ne!(served("en").unwrap().0, other, "each language's file has its own name");
        assert!(Language::pseudo().messages_address().starts_with("/messages/en."), "the pseudo-language is English's accented");
    }

    #[test]
    fn only_the_messages_own_keys_and_value_names_are_known_words() {
        for key in keys("en").into_iter().filter(|k| !k.starts_with('-')) {
            assert_eq!(known_word(&key), Some(key.as_str()), "{key}");
        }
        assert_eq!(known_word("count"), Some("count"));
        assert_eq!(known_word("name"), Some("name"));
        for stranger in ["", "nav-today = Today", "no-such-message", "$count", "nav"] {
            assert_eq!(known_word(stranger), None, "{stranger:?}");
        }
    }

    #[test]
    fn every_language_has_every_message_and_no_other() {
        let english = keys("en");
        assert!(english.len() > 20, "{english:?}");
        for language in Language::all() {
            let theirs = keys(&language.code());
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, not in English {extra:?}", language.code());
        }
    }

    #[test]
    fn english_and_spanish_are_there() {
        let codes: Vec<String> = Language::all().iter().map(Language::code).collect();
        assert_eq!(codes[0], "en");
        assert!(codes.contains(&"es".to_owned()));
        assert_eq!(Language::parse("es-MX").unwrap().name(), "Español");
        assert_eq!(Language::parse("EN").unwrap().name(), "English");
        assert_eq!(Language::parse("xx"), None);
    }

    #[test]
    fn the_browser_s_first_language_we_have_wins() {
        let code = |accept: &str| Language::negotiate(accept).map(|l| l.code());
        assert_eq!(code("es-ES,es;q=0.9,en;q=0.8").as_deref(), Some("es"));
        assert_eq!(code("de-DE,de;q=0.9,es;q=0.5,en;q=0.7").as_deref(), Some("en"));
        assert_eq!(code("en;q=0.2, es-MX").as_deref(), Some("es"));
        assert_eq!(code("es;q=0,en").as_deref(), Some("en"));
        assert_eq!(code("de, fr").as_deref(), None);
        assert_eq!(code("").as_deref(), None);
    }

    #[test]
    fn amounts_dates_and_waits_are_written_the_language_s_way() {
        let (en, es) = (Language::english(), Language::parse("es").unwrap());
        assert_eq!(en.money(25_000_000, "EUR"), "€250,000");
        assert_eq!(es.money(25_000_000, "EUR"), "250.000\u{a0}€");
        assert_eq!(en.money(120_050, "GBP"), "£1,200.50");
        assert_eq!(es.money(120_050, "GBP"), "1200,50\u{a0}£", "CLDR: Spanish groups from five digits");
        assert_eq!(es.money(-2_500_000, "EUR"), "-25.000\u{a0}€");
        assert_eq!(en.money(100_000, "CHF"), "CHF 1,000");
        assert_eq!(es.money(100_000, "CHF"), "1000\u{a0}CHF");
        assert_eq!((en.money_short(125_000_000, "EUR"), en.money_short(85_000_000, "EUR")), ("€1.2M".into(), "€850k".into()));
        assert_eq!((es.money_short(125_000_000, "EUR"), es.money_short(85_000_000, "EUR")), ("1,2\u{a0}M\u{a0}€".into(), "850\u{a0}mil\u{a0}€".into()));
        assert_eq!((en.number(12_500), es.number(12_500)), ("12,500".into(), "12.500".into()));
        assert_eq!((en.waited(130), es.waited(130)), ("2 h 10 min".into(), "2 h 10 min".into()));
        assert_eq!((en.waited(60 * 24), es.waited(60 * 24 * 3)), ("1 day".into(), "3 días".into()));
        assert_eq!((en.ago(5), es.ago(5), es.ago(0)), ("5 min ago".into(), "hace 5 min".into(), "ahora mismo".into()));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn dates_are_in_the_reader_s_language_and_time_zone() {
        use chrono::TimeZone;
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 25, 13, 2, 0).unwrap();
        assert_eq!(Language::english().datetime(at, "Europe/Madrid"), "Wed 25 Nov, 14:02");
        assert_eq!(Language::parse("es").unwrap().datetime(at, "Europe/Madrid"), "mié 25 nov, 14:02");
        assert_eq!(Language::english().datetime(at, "Nowhere/City"), "Wed 25 Nov, 13:02 UTC");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_pseudo_language_accents_messages_and_not_their_values() {
        let pseudo = Language::stored("en-XA").unwrap();
        assert_eq!(pseudo.code(), "en-XA");
        let text = pseudo.t_with("home-hello", &[("name", "Ana Bell".into())]);
        assert!(text.ends_with(", Ana Bell") && !text.starts_with("Hello"), "{text}");
        assert_eq!(pseudo.t("nav-today"), "Ŧoḓaẏ");
        assert_eq!(Language::parse("en-XA").map(|l| l.code()).as_deref(), Some("en"), "not offered as a language of its own");
        assert!(!Language::all().contains(&pseudo));
    }

    #[test]
    fn values_go_in_with_the_language_s_plurals() {
        let es = Language::parse("es").unwrap();
        let text = Text::new("capture-error-message-length").with("max", 2000usize);
        assert_eq!(text.in_language(&es), "El mensaje debe tener menos de 2000 caracteres.");
        assert_eq!(Text::new("capture-error-name").to_string(), "Tell us your name.");
    }
}
