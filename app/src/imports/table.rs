//! A spreadsheet of contacts and deals, read and checked without touching the database:
//! the bytes decoded (UTF-8 with or without its byte-order mark, UTF-16 as Excel's "Unicode
//! text", or the Windows code page a spreadsheet saved as plain "CSV", guessed),
//! the delimiter found (comma, semicolon or tab), quoted fields kept whole across lines,
//! the columns mapped to Doorstep's fields, and every row checked, each problem named with
//! its row number as the spreadsheet shows it (the header is row 1).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::Field;
use crate::auth::{parse_name, Email};
use crate::capture::normalize::{parse_phone, parse_whatsapp};
use crate::common::parse_money;
use crate::capture::Need;

/// The largest file taken, and the most rows and columns in it.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 50_000;
pub const MAX_COLUMNS: usize = 100;

/// The file as a grid of text: its header and its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// The encoding the bytes were read in, as people know it ("UTF-8", "Windows-1252").
    pub encoding: &'static str,
    pub delimiter: u8,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Each row's number as the spreadsheet shows it (blank rows skipped still count).
    pub numbers: Vec<usize>,
}

/// Reads the file's bytes into a table, or says why it cannot be read.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    if bytes.len() > MAX_BYTES {
        return Err(crate::language::t_with("imports-file-is-over-mb", &[("mb", (MAX_BYTES / (1024 * 1024)).into())]));
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err("This is an Excel workbook, not a CSV. Save it as \"CSV UTF-8\" and upload that.".into());
    }
    let (text, encoding) = decode(bytes)?;
    let text = text.as_ref();
    if text.contains('\0') {
        return Err(crate::language::t("imports-file-holds-binary-data"));
    }
    if text.trim().is_empty() {
        return Err(crate::language::t("imports-file-is-empty"));
    }
    let delimiter = delimiter(text);
    if let Some((row, cells)) = too_wide(text, delimiter) {
        return Err(if row == 1 {
            crate::language::t_with("imports-file-has-too-many-columns", &[("cells", cells.into()), ("max", MAX_COLUMNS.into())])
        } else {
            crate::language::t_with("imports-row-has-too-many-columns", &[("row", row.into()), ("cells", cells.into()), ("max", MAX_COLUMNS.into())])
        });
    }
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    // Spreadsheet rows: blank lines are rows there (the csv crate skips them), and a quoted
    // newline is not a new row. `end` is the line the last record ended on.
    let mut lines = Lines { text, at: 0, line: 1 };
    let (header, mut number, mut end) = match records.next() {
        Some(Ok(record)) => {
            let start = lines.of(&record);
            (record.iter().map(|h| h.trim().to_owned()).collect::<Vec<_>>(), start, start + newlines(&record))
        }
        Some(Err(err)) => return Err(crate::language::t_with("imports-header-cannot-be-read", &[("error", err.to_string().into())])),
        None => return Err(crate::language::t("imports-file-is-empty")),
    };
    if header.len() > MAX_COLUMNS {
        return Err(crate::language::t_with("imports-file-has-too-many-columns", &[("cells", header.len().into()), ("max", MAX_COLUMNS.into())]));
    }
    if header.iter().all(String::is_empty) {
        return Err(crate::language::t("imports-first-row-is-empty"));
    }
    let (mut rows, mut numbers) = (Vec::new(), Vec::new());
    for record in records {
        let record = record.map_err(|err| crate::language::t_with("imports-row-cannot-be-read", &[("row", (number + 1).into()), ("error", err.to_string().into())]))?;
        let start = lines.of(&record);
        number += 1 + start.saturating_sub(end + 1);
        end = start + newlines(&record);
        // Blank lines (and rows of empty cells, as spreadsheets write them) are not rows.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(crate::language::t_with("imports-file-has-too-many-rows", &[("max", MAX_ROWS.into())]));
        }
        let mut cells: Vec<String> = record.iter().take(header.len()).map(str::to_owned).collect();
        cells.resize(header.len(), String::new());
        rows.push(cells);
        numbers.push(number);
    }
    if rows.is_empty() {
        return Err(crate::language::t("imports-header-but-no-rows"));
    }
    Ok(Table { encoding, delimiter, header, rows, numbers })
}

/// The first row (by its line, counting from 1) with more than [`MAX_COLUMNS`] cells, and how
/// many, counted on the text before the parser builds any row: one line of ten million commas
/// would otherwise become ten million strings. Quotes are followed, so a delimiter or a line
/// break inside a quoted cell counts as text.
fn too_wide(text: &str, delimiter: u8) -> Option<(usize, usize)> {
    let (mut quoted, mut cells, mut line, mut row_line) = (false, 1usize, 1usize, 1usize);
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' => {
                line += 1;
                if !quoted {
                    if cells > MAX_COLUMNS {
                        return Some((row_line, cells));
                    }
                    cells = 1;
                    row_line = line;
                }
            }
            b if b == delimiter && !quoted => cells += 1,
            _ => {}
        }
    }
    (cells > MAX_COLUMNS).then_some((row_line, cells))
}

/// The file's text and the encoding it was in. A byte-order mark names the encoding (UTF-8,
/// UTF-16 either way round); text that is valid UTF-8 is UTF-8; anything else is a legacy code
/// page, guessed from the letters it would make (Windows-1252 for Western Europe, 1250 for
/// Polish or Czech, …) the way Firefox guesses a page without a charset.
fn decode(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, &'static str), String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if malformed {
            let name = encoding_name(encoding);
            return Err(crate::language::t_with("imports-bytes-not-in-encoding", &[("encoding", name.into())]));
        }
        return Ok((text, encoding_name(encoding)));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.into(), "UTF-8"));
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, false);
    let (text, malformed) = encoding.decode_without_bom_handling(bytes);
    if malformed {
        return Err("The file's characters could not be read in any known encoding. Save it as \"CSV UTF-8\" and upload it again.".into());
    }
    Ok((text, encoding_name(encoding)))
}

/// An encoding as spreadsheet users know it.
fn encoding_name(encoding: &'static encoding_rs::Encoding) -> &'static str {
    match encoding.name() {
        "UTF-8" => "UTF-8",
        "UTF-16LE" => "UTF-16 (little-endian)",
        "UTF-16BE" => "UTF-16 (big-endian)",
        "windows-1252" => "Windows-1252 (Latin-1)",
        "windows-1250" => "Windows-1250 (Central European)",
        "ISO-8859-2" => "ISO-8859-2 (Central European)",
        "ISO-8859-15" => "ISO-8859-15 (Latin-9)",
        other => other,
    }
}

/// The line each record starts on, counted from the text itself (the csv crate's own count
/// leaves out the blank lines it skips).
struct Lines<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl Lines<'_> {
    fn of(&mut self, record: &csv::StringRecord) -> usize {
        let bytes = self.text.as_bytes();
        let mut start = record.position().map_or(self.at, |p| p.byte() as usize).clamp(self.at, bytes.len());
        // The position is where the reader stood, before the blank lines it then skipped.
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        self.line += bytes[self.at..start].iter().filter(|b| **b == b'\n').count();
        self.at = start;
        self.line
    }
}

fn newlines(record: &csv::StringRecord) -> usize {
    record.iter().map(|field| field.matches('\n').count()).sum()
}

/// The delimiter of the first line, outside quotes: a semicolon when there are more of them
/// than commas (as Excel writes in locales with a decimal comma), a tab likewise, else a comma.
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match (counts[1] > counts[0] && counts[1] >= counts[2], counts[2] > counts[0] && counts[2] > counts[1]) {
        (true, _) => b';',
        (_, true) => b'\t',
        _ => b',',
    }
}

/// The field each column most likely holds, from its header; `None` to leave it out.
pub fn guess(header: &[String]) -> Vec<Option<Field>> {
    let mut taken = Vec::new();
    header
        .iter()
        .map(|h| {
            let key: String = h.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect();
            let field = Field::ALL.into_iter().find(|f| f.aliases().contains(&key.as_str()) && !taken.contains(f));
            if let Some(f) = field {
                taken.push(f);
            }
            field
        })
        .collect()
}

/// The agency's stages and people, to read the Stage and Owner columns.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// id, name, kind (open, won, lost).
    pub stages: Vec<(i64, String, String)>,
    /// id, name, e-mail.
    pub people: Vec<(i64, String, String)>,
    /// The agency's country, for numbers written without a country code.
    pub region: String,
    pub currency: String,
}

/// One row that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// As the spreadsheet numbers it.
    pub number: usize,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub whatsapp: Option<String>,
    pub language: Option<String>,
    pub notes: Option<String>,
    pub deal: Option<DealRow>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealRow {
    pub need: Need,
    pub stage_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub budget_min: Option<i64>,
    pub budget_max: Option<i64>,
    pub currency: String,
    pub areas: Option<String>,
    pub bedrooms: Option<i32>,
    pub property_ref: Option<String>,
    pub source: Option<String>,
    /// When the lead came in.
    pub created: Option<Moment>,
}

/// A date as written: on the agency's clock, or an exact instant (RFC 3339, as Doorstep's
/// own exports write it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    Local(NaiveDateTime),
    Exact(DateTime<Utc>),
}

/// A row that failed, and every reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub number: usize,
    pub reasons: Vec<String>,
}

/// Checks every row under the mapping (one field per column, or none). A field mapped
/// twice is refused before any row is read.
pub fn check(table: &Table, mapping: &[Option<Field>], directory: &Directory) -> Result<Vec<Result<Row, Problem>>, String> {
    let mut columns: HashMap<Field, usize> = HashMap::new();
    for (i, field) in mapping.iter().enumerate().take(table.header.len()) {
        if let Some(f) = field
            && let Some(first) = columns.insert(*f, i) {
                return Err(crate::language::t_with(
                    "imports-two-columns-one-field",
                    &[("first", table.header[first].clone().into()), ("second", table.header[i].clone().into()), ("field", f.label().into())],
                ));
            }
    }
    let has_name = columns.contains_key(&Field::Name) || columns.contains_key(&Field::FirstName);
    if !has_name {
        return Err(crate::language::t("imports-map-a-column-to-name"));
    }
    if !columns.contains_key(&Field::Phone) && !columns.contains_key(&Field::Email) && !columns.contains_key(&Field::Whatsapp) {
        return Err(crate::language::t("imports-map-a-column-to-phone-or-email"));
    }
    Ok(table.rows.iter().zip(&table.numbers).map(|(cells, number)| row(*number, cells, &columns, directory)).collect())
}

fn row(number: usize, cells: &[String], columns: &HashMap<Field, usize>, directory: &Directory) -> Result<Row, Problem> {
    let cell = |f: Field| columns.get(&f).and_then(|i| cells.get(*i)).map(|c| c.trim()).unwrap_or("");
    let mut reasons = Vec::new();
    let mut note = |field: Field, message: String| reasons.push(format!("{}: {message}", field.label()));

    let written_name = if columns.contains_key(&Field::Name) {
        cell(Field::Name).to_owned()
    } else {
        format!("{} {}", cell(Field::FirstName), cell(Field::LastName))
    };
    let name = parse_name(&written_name).map_err(|m| note(Field::Name, m)).ok();
    let phone = parse_phone(cell(Field::Phone), &directory.region).map_err(|m| note(Field::Phone, format!("\"{}\": {m}", cell(Field::Phone)))).ok().flatten();
    let whatsapp = parse_whatsapp(cell(Field::Whatsapp), &directory.region).map_err(|m| note(Field::Whatsapp, format!("\"{}\": {m}", cell(Field::Whatsapp)))).ok().flatten();
    let email = match cell(Field::Email) {
        "" => None,
        raw => Email::parse(raw).map_err(|m| note(Field::Email, format!("\"{raw}\": {m}"))).ok().map(|e| e.as_str().to_owned()),
    };
    if cell(Field::Phone).is_empty() && cell(Field::Email).is_empty() && cell(Field::Whatsapp).is_empty() {
        note(Field::Phone, "the row has neither a phone number nor an e-mail address.".into());
    }
    let language = text(cell(Field::Language), 35).map_err(|m| note(Field::Language, m)).ok().flatten();
    let notes = text(cell(Field::Notes), 4000).map_err(|m| note(Field::Notes, m)).ok().flatten();

    // A date alone is not a deal: a contacts export has its own "created" column.
    let deal_fields = [Field::Need, Field::Stage, Field::Owner, Field::BudgetMin, Field::BudgetMax, Field::Areas, Field::Bedrooms, Field::PropertyRef];
    let wants_deal = deal_fields.iter().any(|f| !cell(*f).is_empty());
    let deal = if wants_deal {
        let need = match cell(Field::Need) {
            "" => {
                note(Field::Need, "the row has deal details but no need: write buy, rent, sell or let.".into());
                None
            }
            raw => need_of(raw).ok_or_else(|| note(Field::Need, format!("\"{raw}\" is not one of buy, rent, sell or let."))).ok(),
        };
        let stage_id = match cell(Field::Stage) {
            "" => None,
            raw => {
                let found = directory.stages.iter().find(|(_, name, _)| name.eq_ignore_ascii_case(raw)).map(|s| s.0);
                if found.is_none() {
                    let names: Vec<&str> = directory.stages.iter().map(|s| s.1.as_str()).collect();
                    note(Field::Stage, format!("there is no stage \"{raw}\"; the stages are {}.", names.join(", ")));
                }
                found
            }
        };
        let owner_id = match cell(Field::Owner) {
            "" => None,
            raw => {
                let found = directory.people.iter().find(|(_, name, email)| email.eq_ignore_ascii_case(raw) || name.eq_ignore_ascii_case(raw)).map(|p| p.0);
                if found.is_none() {
                    note(Field::Owner, format!("nobody in the team is called \"{raw}\" or has that e-mail address."));
                }
                found
            }
        };
        let budget_min = parse_money(cell(Field::BudgetMin)).map_err(|m| note(Field::BudgetMin, format!("\"{}\": {m}", cell(Field::BudgetMin)))).ok().flatten();
        let budget_max = parse_money(cell(Field::BudgetMax)).map_err(|m| note(Field::BudgetMax, format!("\"{}\": {m}", cell(Field::BudgetMax)))).ok().flatten();
        if let (Some(low), Some(high)) = (budget_min, budget_max)
            && low > high {
                note(Field::BudgetMin, "the lowest budget is above the highest.".into());
            }
        let currency = match cell(Field::Currency) {
            "" => directory.currency.clone(),
            raw if raw.len() == 3 && raw.chars().all(|c| c.is_ascii_alphabetic()) => raw.to_ascii_uppercase(),
            raw => {
                note(Field::Currency, format!("\"{raw}\" is not a currency code such as EUR or GBP."));
                directory.currency.clone()
            }
        };
        let bedrooms = match cell(Field::Bedrooms) {
            "" => None,
            raw => raw.parse::<i32>().ok().filter(|n| (0..=50).contains(n)).ok_or_else(|| note(Field::Bedrooms, format!("\"{raw}\" is not a number of bedrooms."))).ok(),
        };
        let created = match cell(Field::Created) {
            "" => None,
            raw => moment(raw).ok_or_else(|| note(Field::Created, format!("\"{raw}\" is not a date; write it like 2026-03-01 or 01/03/2026."))).ok(),
        };
        let areas = text(cell(Field::Areas), 200).map_err(|m| note(Field::Areas, m)).ok().flatten();
        let property_ref = text(cell(Field::PropertyRef), 60).map_err(|m| note(Field::PropertyRef, m)).ok().flatten();
        let source = text(cell(Field::Source), 60).map_err(|m| note(Field::Source, m)).ok().flatten();
        need.map(|need| DealRow { need, stage_id, owner_id, budget_min, budget_max, currency, areas, bedrooms, property_ref, source, created })
    } else {
        None
    };
    if !reasons.is_empty() {
        return Err(Problem { number, reasons });
    }
    Ok(Row { number, name: name.unwrap_or_default(), phone: phone.map(String::from), email, whatsapp: whatsapp.map(String::from), language, notes, deal })
}

fn text(raw: &str, max: usize) -> Result<Option<String>, String> {
    match raw.chars().count() {
        0 => Ok(None),
        n if n <= max => Ok(Some(raw.to_owned())),
        _ => Err(format!("keep it under {max} characters.")),
    }
}

/// The need as agencies write it, in English or Spanish.
fn need_of(raw: &str) -> Option<Need> {
    match raw.trim().to_lowercase().as_str() {
        "buy" | "buyer" | "purchase" | "compra" | "comprar" => Some(Need::Buy),
        "rent" | "renter" | "tenant" | "alquiler" | "alquilar" => Some(Need::Rent),
        "sell" | "seller" | "vendor" | "venta" | "vender" => Some(Need::Sell),
        "let" | "landlord" | "letting" => Some(Need::Let),
        _ => None,
    }
}

/// A date as spreadsheets write it: RFC 3339, ISO (with or without a time), or day first
/// with slashes, dots or dashes.
fn moment(raw: &str) -> Option<Moment> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(Moment::Exact(at.with_timezone(&Utc)));
    }
    local(raw).map(Moment::Local)
}

fn local(raw: &str) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(raw, format) {
            return Some(at);
        }
    }
    ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
        .and_then(|d| d.and_hms_opt(9, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        Directory {
            stages: vec![(1, "New".into(), "open".into()), (2, "Viewing".into(), "open".into()), (5, "Won".into(), "won".into())],
            people: vec![(7, "Ana Lopez".into(), "ana@costa.test".into())],
            region: "ES".into(),
            currency: "EUR".into(),
        }
    }

    #[test]
    fn a_row_too_wide_is_refused_before_it_is_parsed_and_quoted_delimiters_are_text() {
        let wide = format!("name,phone\nAna,612345678\n\"Luis\nVidal\",{}\n", ",".repeat(150));
        assert_eq!(read(wide.as_bytes()).unwrap_err(), "Row 3 has 152 columns; Doorstep reads up to 100. Check its delimiters.");
        assert!(read(",".repeat(5_000_000).as_bytes()).unwrap_err().starts_with("The file has 5000001 columns"));
        let quoted = format!("name,notes\nAna,\"{}\"\n", ",".repeat(150));
        assert_eq!(read(quoted.as_bytes()).unwrap().rows[0][1], ",".repeat(150));
    }

    #[test]
    fn excel_files_with_a_bom_semicolons_and_quoted_newlines_are_read() {
        let file = "\u{feff}Nombre;Teléfono;Email;Notas\r\nJosé Núñez;612 345 678;jose@example.es;\"Wants a terrace;\r\nnear the sea\"\r\n;;;\r\nZoë Ελένη;+44 7911 123456;;\r\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.delimiter, b';');
        assert_eq!(table.header, vec!["Nombre", "Teléfono", "Email", "Notas"]);
        assert_eq!(table.rows.len(), 2, "the blank row is skipped");
        assert_eq!(table.rows[0][3], "Wants a terrace;\r\nnear the sea");
        let mapping = guess(&table.header);
        assert_eq!(mapping, vec![Some(Field::Name), Some(Field::Phone), Some(Field::Email), Some(Field::Notes)]);
        let rows = check(&table, &mapping, &directory()).unwrap();
        let first = rows[0].as_ref().unwrap();
        assert_eq!((first.phone.as_deref(), first.email.as_deref()), (Some("+34612345678"), Some("jose@example.es")));
        let second = rows[1].as_ref().unwrap();
        assert_eq!((second.number, second.phone.as_deref()), (4, Some("+447911123456")), "the blank row still counts");
    }

    #[test]
    fn every_problem_is_named_with_its_row_number() {
        let file = "Name,Phone,Email,Need,Stage,Owner,Budget max,Created\n\
            Marta Ruiz,+34612345002,marta@example.es,buy,Viewing,ana@costa.test,\"350,000\",2026-03-01\n\
            ,12,not-an-email,swap,Signed,Bob,lots,yesterday\n\
            \"Line\nbreak\",+34612345003,,rent,,,,01/02/2026\n";
        let table = read(file.as_bytes()).unwrap();
        let rows = check(&table, &guess(&table.header), &directory()).unwrap();
        let deal = rows[0].as_ref().unwrap().deal.clone().unwrap();
        assert_eq!((deal.need, deal.stage_id, deal.owner_id, deal.budget_max), (Need::Buy, Some(2), Some(7), Some(35_000_000)));
        let problem = rows[1].as_ref().unwrap_err();
        assert_eq!(problem.number, 3);
        let all = problem.reasons.join(" | ");
        for expected in ["Name:", "Phone: \"12\"", "E-mail: \"not-an-email\"", "Need: \"swap\"", "no stage \"Signed\"", "called \"Bob\"", "Budget up to: \"lots\"", "\"yesterday\" is not a date"] {
            assert!(all.contains(expected), "{expected} missing from {all}");
        }
        let third = rows[2].as_ref().unwrap();
        assert_eq!(third.number, 4, "a quoted newline does not shift the numbering");
        assert_eq!(third.deal.as_ref().unwrap().created, NaiveDate::from_ymd_opt(2026, 2, 1).unwrap().and_hms_opt(9, 0, 0).map(Moment::Local));
    }

    #[test]
    fn blank_lines_count_as_rows_and_quoted_newlines_do_not() {
        let file = "\n\nName,Phone,Notes\n\nAna,612345678,\"two\nlines\"\n\n\nBen,12,\n";
        let table = read(file.as_bytes()).unwrap();
        assert_eq!(table.header, vec!["Name", "Phone", "Notes"]);
        assert_eq!(table.numbers, vec![5, 8], "header on row 3, a blank row 4, Ana (two lines) on row 5, blank rows 6 and 7");
    }

    #[test]
    fn doorstep_exports_read_back() {
        let contacts = "contact_id,name,phone,email,whatsapp,language,marketing_consent,created_at\n7,Marta Ruiz,+34612345002,,,,false,2026-03-01T08:00:00+00:00\n";
        let table = read(contacts.as_bytes()).unwrap();
        let rows = check(&table, &guess(&table.header), &directory()).unwrap();
        assert_eq!(rows[0].as_ref().unwrap().deal, None, "a contact with a date is not a deal");
        let deals = "deal_id,created_at,contact_id,name,phone,email,need,stage,owner,source\n9,2026-03-01T08:00:00+00:00,7,Marta Ruiz,+34612345002,,buy,Viewing,Ana Lopez,portal\n";
        let table = read(deals.as_bytes()).unwrap();
        let rows = check(&table, &guess(&table.header), &directory()).unwrap();
        let deal = rows[0].as_ref().unwrap().deal.clone().unwrap();
        assert_eq!(deal.created, Some(Moment::Exact("2026-03-01T08:00:00Z".parse().unwrap())));
        assert_eq!((deal.stage_id, deal.owner_id, deal.source.as_deref()), (Some(2), Some(7), Some("portal")));
    }

    #[test]
    fn files_in_the_encodings_spreadsheets_save_are_read_as_written() {
        let text = "Nombre;Teléfono\nJosé Núñez;612345678\nFrançoise Lefèvre;612345679\nJürgen Groß;612345680\n";
        let utf16le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let utf16be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!lossy);
        let bom: Vec<u8> = b"\xEF\xBB\xBF".iter().chain(text.as_bytes()).copied().collect();
        let expected = read(text.as_bytes()).unwrap();
        for (bytes, name) in [(bom, "UTF-8"), (utf16le, "UTF-16 (little-endian)"), (utf16be, "UTF-16 (big-endian)"), (cp1252.into_owned(), "Windows-1252 (Latin-1)")] {
            let table = read(&bytes).unwrap();
            assert_eq!(table.encoding, name);
            assert_eq!((&table.header, &table.rows), (&expected.header, &expected.rows), "{name}");
        }
        assert!(read(b"\xff\xfeN\x00\x00\xd8").unwrap_err().contains("UTF-16"), "a broken UTF-16 file is named");
        // Polish and Czech names as a Central European Windows saves them.
        let text = "Imię;Telefon\nZażółć Gęślą;612345678\nŁukasz Wąsik;612345679\nMałgorzata Świątek;612345680\nJiří Dvořák;612345681\n";
        let (cp1250, _, lossy) = encoding_rs::WINDOWS_1250.encode(text);
        assert!(!lossy);
        let table = read(&cp1250).unwrap();
        assert_eq!(table.encoding, "Windows-1250 (Central European)");
        assert_eq!(table.rows, read(text.as_bytes()).unwrap().rows);
    }

    #[test]
    fn files_that_are_not_csv_are_refused_saying_what_to_do() {        assert!(read(b"PK\x03\x04rest").unwrap_err().contains("Excel workbook"));
        assert!(read(b"Name,Phone\n").unwrap_err().contains("no rows"));
        assert!(read(b"").unwrap_err().contains("empty"));
    }

    #[test]
    fn mappings_must_name_a_contact_and_a_way_to_reach_them() {
        let table = read(b"Name,Phone,Mobile\nA,612345678,612345679\n").unwrap();
        let twice = check(&table, &[Some(Field::Name), Some(Field::Phone), Some(Field::Phone)], &directory()).unwrap_err();
        assert!(twice.contains("\"Phone\" and \"Mobile\""), "{twice}");
        assert!(check(&table, &[None, Some(Field::Phone), None], &directory()).unwrap_err().contains("Name"));
        assert!(check(&table, &[Some(Field::Name), None, None], &directory()).unwrap_err().contains("Phone or E-mail"));
    }
}
