//! Search as people expect it: case and accents do not matter ("lopez" finds "López",
//! "alvarez" finds "ÁLVAREZ"), and a phone number is found by its digits, with any spacing,
//! with or without its country code ("612345678" finds "+34 612 34 56 78").
//!
//! Each searchable row keeps a folded `search` text, written with the row by its entity's
//! `before_save` (contacts and listings). The databases index that text by trigrams
//! (SQLite's FTS5 trigram tokenizer in `contact_search` and `property_search`, kept in step
//! by triggers; PostgreSQL's pg_trgm), so finding a part of a name reads an index instead of
//! every contact. Migration `m20261205_000017_search` made the indexes and filled the text of
//! rows from before; it folds with the same crate, in the same way.

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, SimpleExpr};

/// Lower-case ASCII with accents and other marks taken off by transliteration (deunicode:
/// "Łukasz Muñoz-Çelik" is "lukasz munoz-celik"), with single spaces. Control characters
/// (a NUL typed into a search box, a tab pasted into a name) count as spaces: neither
/// database takes a NUL in a pattern.
pub fn fold(text: &str) -> String {
    let folded = deunicode::deunicode(text).to_lowercase();
    folded.split(|c: char| c.is_whitespace() || c.is_control()).filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ")
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The text a contact is found by: name and e-mail folded, and the phone's digits (E.164
/// without its "+", so the number is found with or without the country code).
pub fn contact_text(name: &str, email: Option<&str>, phone: Option<&str>) -> String {
    [fold(name), fold(email.unwrap_or_default()), digits(phone.unwrap_or_default())].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The text a listing is found by: its reference, title, town and area, folded.
pub fn property_text(reference: &str, title: &str, city: &str, area: &str) -> String {
    [reference, title, city, area].into_iter().map(fold).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}

/// What a search box's words look for in the folded texts. A phone number as people type
/// it ("+34 612 34 56 78", "(0)7400 123456", "0034 612…") is its digits without the leading
/// zeros of a trunk or international prefix; anything else is folded like the texts.
pub fn needle(query: &str) -> Option<String> {
    let query = query.trim();
    let phone_like = query.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let needle = if phone_like && query.chars().filter(char::is_ascii_digit).count() >= 3 {
        digits(query).trim_start_matches('0').to_owned()
    } else {
        fold(query)
    };
    (!needle.is_empty()).then_some(needle)
}

/// Where the rows of one kind are found: the table, the folded text in it, and the SQLite
/// FTS5 table over that text.
#[derive(Clone, Copy, Debug)]
pub enum Index {
    /// Contacts by name, e-mail and phone.
    Contacts,
    /// Listings by reference, title, town and area.
    Properties,
    /// Deals by the reference of the property they are about.
    DealProperties,
}

impl Index {
    fn table(self) -> &'static str {
        match self {
            Index::Contacts => "contacts",
            Index::Properties => "properties",
            Index::DealProperties => "deals",
        }
    }

    /// The folded text, as SQL (PostgreSQL's trigram index is on this very expression).
    fn text(self) -> &'static str {
        match self {
            Index::Contacts | Index::Properties => "search",
            Index::DealProperties => "lower(property_ref)",
        }
    }

    /// Whether PostgreSQL's trigram index on the text also holds each row's block of
    /// [`ID_BLOCK`] ids, for reading the newest matches first ([`newest_rows`]).
    fn by_block(self) -> bool {
        matches!(self, Index::Contacts)
    }

    fn trigrams(self) -> &'static str {
        match self {
            Index::Contacts => "contact_search",
            Index::Properties => "property_search",
            Index::DealProperties => "deal_refs",
        }
    }
}

/// The ids of the rows whose folded text contains `needle` (from [`needle`]), as a subquery
/// for `… IN (…)`, with its one value. On SQLite needles of three or more characters read
/// the FTS5 trigram table; shorter ones, which no trigram can find, read the column.
/// PostgreSQL's planner takes pg_trgm's index for the LIKE by itself.
pub fn ids(backend: DbBackend, index: Index, needle: &str) -> (String, sea_orm::Value) {
    // The query builder takes each database's own placeholder in custom SQL.
    (rows_at(backend, index, needle, if backend == DbBackend::Postgres { "$1" } else { "?" }), value(backend, needle))
}

/// Whether SQLite finds `needle` in the FTS5 trigram table: from three characters, which a
/// trigram can find.
fn reads_trigrams(backend: DbBackend, needle: &str) -> bool {
    backend == DbBackend::Sqlite && needle.chars().count() >= 3
}

/// The SQL of [`ids`], with the needle's value at this placeholder.
fn rows_at(backend: DbBackend, index: Index, needle: &str, value: &str) -> String {
    let (table, text, trigrams) = (index.table(), index.text(), index.trigrams());
    if reads_trigrams(backend, needle) {
        format!("SELECT rowid AS id FROM {trigrams} WHERE {trigrams} MATCH {value}")
    } else {
        format!("SELECT id FROM {table} WHERE {text} LIKE {value} ESCAPE '!'")
    }
}

/// The value [`ids`] and [`newest_rows`] look for: on the trigram table one FTS5 phrase, a
/// substring match of the whole needle with its quotes doubled; elsewhere a LIKE pattern.
pub fn value(backend: DbBackend, needle: &str) -> sea_orm::Value {
    if reads_trigrams(backend, needle) {
        format!("\"{}\"", needle.replace('"', "\"\"")).into()
    } else {
        like_pattern(needle).into()
    }
}

/// `column IN (rows the needle finds)`. On PostgreSQL, `column = ANY(ARRAY(rows))`: the rows
/// are then found once, before the table is read, so two such conditions joined by OR (a
/// deal found by its client or by its property) read the table through its indexes
/// (a BitmapOr) where `IN` made the planner test every deal against both lists: 14 ms for a
/// search that finds nothing at 100,000 deals, 0.25 ms so (`docs/benchmarks.md`).
pub fn condition(backend: DbBackend, column: &str, index: Index, needle: &str) -> SimpleExpr {
    let (rows, value) = ids(backend, index, needle);
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(format!("{column} = ANY(ARRAY({rows}))"), [value]),
        _ => Expr::cust_with_values(format!("{column} IN ({rows})"), [value]),
    }
}

/// On SQLite, the ids of the newest rows (the highest ids) whose folded text contains
/// `needle`, newest first, at most `limit`: what a search counts when a needle matches
/// thousands of rows. FTS5 reads its index newest first and stops at the limit (a long needle
/// is first read oldest first, below, as that is quicker when all its matches fit). On
/// PostgreSQL the pipeline reads them within its one statement ([`newest_rows`]).
#[cfg(feature = "ssr")]
pub async fn newest(db: &impl sea_orm::ConnectionTrait, index: Index, needle: &str, limit: usize) -> Result<Vec<i64>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let (rows, value) = ids(backend, index, needle);
    // The ids come back as one list, not a row each: sqlx hands every row across
    // from its connection's thread (a channel, a wake-up, an allocation), which for the 501
    // ids of a common surname cost more than finding them (docs/benchmarks.md).
    let read = |order: &str, n: usize| {
        let sql = format!("SELECT group_concat(id) FROM ({rows} ORDER BY 1 {order} LIMIT {n})");
        let statement = sea_orm::Statement::from_sql_and_values(backend, sql, [value.clone()]);
        async move {
            let list = crate::db::concatenated(db, statement).await?;
            let mut ids = list.split(',').filter(|id| !id.is_empty()).map(str::parse).collect::<Result<Vec<i64>, _>>().map_err(|e| sea_orm::DbErr::Custom(format!("a search id: {e}")))?;
            ids.sort_unstable_by(|a, b| b.cmp(a));
            Ok::<_, sea_orm::DbErr>(ids)
        }
    };
    // FTS5 reads a phrase forwards about twice as fast as backwards, and a needle this long
    // (a whole name, an e-mail, a phone number) seldom matches more rows than the limit: its
    // matches are read oldest first, all of them when they fit, and backwards only when more
    // match ("bjorn garcia martinez" at 100,000 contacts: 1.67 against 2.76 ms).
    if needle.chars().count() >= LONG_NEEDLE {
        let all = read("ASC", limit + 1).await?;
        if all.len() <= limit {
            return Ok(all);
        }
    }
    read("DESC", limit).await
}

/// The newest matches that [`newest`] reads on SQLite, for PostgreSQL: a query to put in a
/// larger statement whose value `$at` is the needle's ([`value`]), newest first. Told to stop at a limit, the planner would
/// walk the primary key backwards testing each row's text instead of reading the trigram
/// index; `OFFSET 0` keeps the matches a query of their own, planned to be read whole, and
/// sorts them as they come.
///
/// Reading every match costs a row read each: the 3,277 contacts of "lopez" at 100,000 took
/// 3.0 ms. So a contact search first reads the matches in the newest [`RECENT_BLOCKS`] blocks
/// of [`ID_BLOCK`] ids, which the contacts' trigram index holds too (migration
/// `m20261207_000021_search_recent`): 0.5 ms for those 561 (docs/benchmarks.md). When they are
/// `limit`, they are the newest of all; when fewer, every match is read as before. A long
/// needle ([`LONG_NEEDLE`]) seldom fills the limit and goes there at once.
pub fn newest_rows(index: Index, needle: &str, limit: usize, at: usize) -> String {
    let rows = rows_at(DbBackend::Postgres, index, needle, &format!("${at}"));
    let newest = |rows: &str| format!("SELECT id FROM ({rows} OFFSET 0) AS found ORDER BY id DESC LIMIT {limit}");
    if !index.by_block() || needle.chars().count() >= LONG_NEEDLE {
        return newest(&rows);
    }
    let table = index.table();
    // The index's own expression, `id / 1024`, or the planner cannot use it.
    let recent = newest(&format!("{rows} AND id / {ID_BLOCK} >= (SELECT max(id) FROM {table}) / {ID_BLOCK} - {}", RECENT_BLOCKS - 1));
    let older = newest(&format!("{rows} AND (SELECT count(*) FROM recent) < {limit}"));
    format!(
        "WITH recent AS MATERIALIZED ({recent}) \
         SELECT id FROM (SELECT id FROM recent WHERE (SELECT count(*) FROM recent) = {limit} UNION ALL ({older})) AS newest \
         ORDER BY id DESC"
    )
}

/// The ids in a block of the contacts' trigram index on PostgreSQL: `id / 1024` in migration
/// `m20261207_000021_search_recent`, which must change with it.
pub const ID_BLOCK: i64 = 1024;
/// The newest blocks a contact search reads first ([`newest_rows`]): 16,384 contacts, which a
/// name one client in 32 has fills with the limit of 500.
pub const RECENT_BLOCKS: i64 = 16;

/// The length from which a needle is taken to match few rows (a whole name, an e-mail, a
/// phone number): its matches are read whole at once ([`newest_rows`]), and on SQLite oldest
/// first ([`newest`]).
const LONG_NEEDLE: usize = 8;

/// The FTS5 trigram tables of the search, on SQLite.
#[cfg(feature = "ssr")]
const TRIGRAM_TABLES: [&str; 3] = ["contact_search", "property_search", "deal_refs"];
/// Leaf pages merged per step: a step holds the write lock for a few milliseconds.
#[cfg(feature = "ssr")]
const MERGE_PAGES: i64 = 64;
/// Steps one tidy-up takes at most, per table (the rest waits for the next hour).
#[cfg(feature = "ssr")]
const MERGE_STEPS: usize = 500;

/// Merges each SQLite trigram index towards one segment, a few pages at a time. FTS5 adds a
/// segment for every batch of writes and merges them only partly as it goes, and a search
/// looks each trigram of its needle up in every segment: at 100,000 contacts, an e-mail's 27
/// trigrams took 1.84 ms to find against 0.63 ms once merged (docs/benchmarks.md). SQLite's
/// one-shot `optimize` holds the write lock for the whole merge (0.5 s there), so this runs
/// the incremental form instead: `merge` with a negative page count starts an optimize,
/// positive ones carry it on, each step its own short write turn between the leads being
/// stored; a step that changes next to nothing means the index is one segment again.
/// PostgreSQL's GIN indexes merge their pending entries by themselves (autovacuum).
#[cfg(feature = "ssr")]
pub async fn merge(db: &sea_orm::DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    async fn total_changes(txn: &sea_orm::DatabaseTransaction) -> Result<i64, sea_orm::DbErr> {
        let row = txn.query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT total_changes()")).await?;
        Ok(row.and_then(|r| r.try_get_by_index::<i64>(0).ok()).unwrap_or_default())
    }
    for table in TRIGRAM_TABLES {
        let step = format!("INSERT INTO {table}({table}, rank) VALUES('merge', ?)");
        let mut pages = -MERGE_PAGES;
        for _ in 0..MERGE_STEPS {
            let write = crate::db::begin_write(db).await?;
            let before = total_changes(&write.txn).await?;
            write.txn.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, step.as_str(), [pages.into()])).await?;
            let changed = total_changes(&write.txn).await? - before;
            write.txn.commit().await?;
            pages = MERGE_PAGES;
            // FTS5's own advice: fewer than two changes and there is nothing left to merge.
            if changed < 2 {
                break;
            }
        }
    }
    Ok(())
}

/// `%needle%` with LIKE's own characters escaped by "!" (not a backslash, which the query
/// builder reads as escaping the closing quote of `ESCAPE '\'`).
fn like_pattern(needle: &str) -> String {
    let escaped = needle.replace('!', "!!").replace('%', "!%").replace('_', "!_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_to_unaccented_lower_case() {
        assert_eq!(fold("  María   LÓPEZ "), "maria lopez");
        assert_eq!(fold("ÁLVAREZ"), "alvarez");
        assert_eq!(fold("Łukasz Wójcik"), "lukasz wojcik");
        assert_eq!(fold("Jürgen Groß"), "jurgen gross");
        assert_eq!(fold("François Çelik"), "francois celik");
        assert_eq!(fold("Peña Nuñez"), "pena nunez");
        assert_eq!(fold("%r%\0.mpÈø\u{2}"), "%r% .mpeo", "control characters are spaces");
        assert_eq!(needle("\0\u{7f}\t"), None);
    }

    #[test]
    fn a_contact_is_found_by_name_email_and_the_phone_digits() {
        let text = contact_text("María López", Some("Maria.Lopez@Example.com"), Some("+34612345678"));
        assert_eq!(text, "maria lopez maria.lopez@example.com 34612345678");
        for query in ["lopez", "LÓPEZ", "maría", "maria.lopez@", "612345678", "612 34 56 78", "+34 612 34 56 78", "0034 612 345 678", "(612) 345-678"] {
            let needle = needle(query).unwrap();
            assert!(text.contains(&needle), "{query:?} as {needle:?} is in {text:?}");
        }
        assert_eq!(contact_text("Ana", None, None), "ana");
    }

    #[test]
    fn a_trunk_zero_does_not_hide_a_number() {
        // A British number typed the national way is found in its E.164 digits.
        let text = contact_text("Tom", None, Some("+447400123456"));
        assert!(text.contains(&needle("07400 123456").unwrap()));
    }

    #[test]
    fn short_or_empty_queries() {
        assert_eq!(needle("   "), None);
        assert_eq!(needle("12"), Some("12".into()), "two digits are text, not a phone");
        assert_eq!(needle("Jo"), Some("jo".into()));
        assert_eq!(needle("000"), None, "nothing but a prefix");
    }

    #[test]
    fn queries_reach_the_database_as_values() {
        let (sql, value) = ids(DbBackend::Sqlite, Index::Contacts, "o\"brien");
        assert_eq!(sql, "SELECT rowid AS id FROM contact_search WHERE contact_search MATCH ?");
        assert_eq!(value, sea_orm::Value::from("\"o\"\"brien\""));
        let (sql, value) = ids(DbBackend::Postgres, Index::Properties, "50%_off!");
        assert_eq!(sql, "SELECT id FROM properties WHERE search LIKE $1 ESCAPE '!'");
        assert_eq!(value, sea_orm::Value::from("%50!%!_off!!%"));
        let (sql, _) = ids(DbBackend::Sqlite, Index::Contacts, "jo");
        assert!(sql.contains("LIKE"), "two letters cannot use trigrams: {sql}");
    }

    #[test]
    fn postgresql_reads_every_match_before_taking_the_newest() {
        assert_eq!(
            newest_rows(Index::Contacts, "bjorn garcia", 501, 3),
            "SELECT id FROM (SELECT id FROM contacts WHERE search LIKE $3 ESCAPE '!' OFFSET 0) AS found ORDER BY id DESC LIMIT 501"
        );
        assert!(newest_rows(Index::DealProperties, "cb", 7, 1).contains("FROM deals WHERE lower(property_ref) LIKE $1 ESCAPE '!' OFFSET 0"));
    }

    #[test]
    fn a_short_needle_reads_the_newest_contacts_first() {
        let sql = newest_rows(Index::Contacts, "lopez", 501, 2);
        let recent = "SELECT id FROM (SELECT id FROM contacts WHERE search LIKE $2 ESCAPE '!' AND id / 1024 >= (SELECT max(id) FROM contacts) / 1024 - 15 OFFSET 0) AS found ORDER BY id DESC LIMIT 501";
        assert!(sql.starts_with(&format!("WITH recent AS MATERIALIZED ({recent}) ")), "{sql}");
        assert!(sql.contains("SELECT id FROM recent WHERE (SELECT count(*) FROM recent) = 501 UNION ALL"), "the newest blocks when they fill the limit: {sql}");
        assert!(sql.contains("WHERE search LIKE $2 ESCAPE '!' AND (SELECT count(*) FROM recent) < 501 OFFSET 0"), "every match when they do not: {sql}");
        assert!(sql.ends_with("ORDER BY id DESC"), "{sql}");
        // Listings have no such index.
        assert!(!newest_rows(Index::Properties, "lopez", 501, 2).contains("recent"));
    }

    #[test]
    fn postgresql_finds_the_rows_before_reading_the_table() {
        use sea_orm::sea_query::{Alias, PostgresQueryBuilder, Query, SqliteQueryBuilder};
        let query = |backend| {
            let mut select = Query::select();
            select.column(Alias::new("id")).from(Alias::new("deals")).and_where(condition(backend, "contact_id", Index::Contacts, "lopez"));
            select
        };
        let (pg, _) = query(DbBackend::Postgres).build(PostgresQueryBuilder);
        assert!(pg.ends_with("WHERE contact_id = ANY(ARRAY(SELECT id FROM contacts WHERE search LIKE $1 ESCAPE '!'))"), "{pg}");
        let (lite, _) = query(DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert!(lite.ends_with("WHERE contact_id IN (SELECT rowid AS id FROM contact_search WHERE contact_search MATCH ?)"), "{lite}");
    }

    #[test]
    fn a_listing_is_found_by_reference_title_town_and_area() {
        assert_eq!(property_text("CB-1042", "Ático con vistas", "Alicante", "Playa de San Juan"), "cb-1042 atico con vistas alicante playa de san juan");
    }
}
