//! The languages Doorstep speaks, through Project Fluent (fluent-templates): each language is
//! one file, `app/locales/<code>/doorstep.ftl`, found when the server is built, so adding a
//! language is adding its file (README: "Adding a language"). Plurals and the forms of
//! numbers come from Fluent and CLDR, never from joining strings here.
//!
//! Which language a page is in: a capture form's own, or the prospect's browser's when the
//! form is "automatic" ([`Language::negotiate`] on Accept-Language).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

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

    /// Every language there is a file for, English first.
    pub fn all() -> Vec<Language> {
        let mut all: Vec<Language> = LOCALES.locales().cloned().map(Language).collect();
        all.sort_by_key(|l| (l.code() != "en", l.code()));
        all
    }

    /// The language with this code ("es", "ES", "es-MX" for Spanish), if there is a file for it.
    pub fn parse(code: &str) -> Option<Language> {
        let wanted: LanguageIdentifier = code.trim().parse().ok()?;
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
        self.0.language.as_str().to_owned()
    }

    /// Its name in itself ("Español"), for choosing it.
    pub fn name(&self) -> String {
        self.t("language-name")
    }

    /// The message `key` in this language (in English when this language lacks it).
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.0, key)
    }

    /// The message `key` with its values filled in.
    pub fn t_with(&self, key: &str, args: &[(&'static str, Value)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args.iter().map(|(name, value)| (Cow::Borrowed(*name), value.fluent())).collect();
        LOCALES.lookup_with_args(&self.0, key, &args)
    }
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
            lang.and_then(|code| Language::parse(&code)).unwrap_or_default()
        })
        .clone()
    }
    // A server function's request carries no page: its answer is in the caller's language.
    // Outside any request (workers, the command line), English.
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        use_context::<Language>()
            .or_else(|| use_context::<axum::http::request::Parts>().map(|parts| for_request(&parts)))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "hydrate", feature = "ssr")))]
    Language::default()
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
        return Language::parse(&signed_in.user.language).unwrap_or_default();
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
    fn values_go_in_with_the_language_s_plurals() {
        let es = Language::parse("es").unwrap();
        let text = Text::new("capture-error-message-length").with("max", 2000usize);
        assert_eq!(text.in_language(&es), "El mensaje debe tener menos de 2000 caracteres.");
        assert_eq!(Text::new("capture-error-name").to_string(), "Tell us your name.");
    }
}
