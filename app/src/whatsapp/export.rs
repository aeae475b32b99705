//! Reads the text file of a WhatsApp chat export ("Export chat" on a phone), as Android and
//! iOS write it in any locale:
//!
//! - Android: `31/12/2023, 21:41 - Ana: Hola` (`12/31/23, 9:41 PM - …` in the US, `31.12.23,
//!   21:41 - …` in Germany); system lines have no author.
//! - iOS: `[31/12/2023, 21:41:05] Ana: Hola`, often after an invisible left-to-right mark.
//!
//! A line that does not start a message continues the one before (multi-line messages). The
//! date order is read from the whole file: a first part above 12 means day first, a second
//! part above 12 month first; a file that never says is ambiguous and the caller chooses.
//! Times are the phone's wall clock, so they are kept as local times for the caller to place
//! in a time zone.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// Which phone wrote the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Platform {
    Android,
    Ios,
}

/// How the numbers of a date are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateOrder {
    DayFirst,
    MonthFirst,
    YearFirst,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::DayFirst => "dmy",
            DateOrder::MonthFirst => "mdy",
            DateOrder::YearFirst => "ymd",
        }
    }

    pub fn parse(raw: &str) -> Option<DateOrder> {
        [DateOrder::DayFirst, DateOrder::MonthFirst, DateOrder::YearFirst].into_iter().find(|o| o.as_str() == raw)
    }
}

/// One message of the chat, in the phone's local time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The line of the file the message starts on (from 1).
    pub line: usize,
    pub at: NaiveDateTime,
    /// Who wrote it as the phone named them; `None` for WhatsApp's own lines ("Messages are
    /// end-to-end encrypted", "Ana added Marta").
    pub author: Option<String>,
    pub text: String,
    /// The file name of an attachment the export carries (inside the zip).
    pub attachment: Option<String>,
    /// The phone left the media out of the export ("<Media omitted>", "image omitted").
    pub media_omitted: bool,
}

/// A whole export, read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatExport {
    pub platform: Platform,
    pub order: DateOrder,
    /// No date in the file told day-first from month-first; `order` is the caller's guess.
    pub ambiguous_order: bool,
    pub messages: Vec<ChatMessage>,
    /// Authors in order of first appearance.
    pub participants: Vec<String>,
}

/// Why a file is not a chat export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    NoMessages,
    BadDate { line: usize, text: String },
}

/// In the reader's language.
impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            ExportError::NoMessages => crate::language::t("whatsapp-no-messages-in-file"),
            ExportError::BadDate { line, text } => crate::language::t_with("whatsapp-date-does-not-exist", &[("line", (*line).into()), ("text", text.clone().into())]),
        })
    }
}

impl std::error::Error for ExportError {}

/// The invisible marks phones put around names, numbers and attachments.
const MARKS: [char; 6] = ['\u{200e}', '\u{200f}', '\u{202a}', '\u{202c}', '\u{2068}', '\u{2069}'];

fn strip_marks(s: &str) -> String {
    s.chars().filter(|c| !MARKS.contains(c) && *c != '\u{feff}').collect()
}

/// A message's first line, split up but not yet dated.
#[derive(Debug)]
struct Head<'a> {
    platform: Platform,
    date: [u32; 3],
    /// Whether the first part of the date has four digits (a year).
    year_first: bool,
    time: NaiveTime,
    rest: &'a str,
}

/// Reads a number of 1 to 4 digits at the start of `s`.
fn number(s: &str) -> Option<(u32, usize, &str)> {
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 4 {
        return None;
    }
    Some((s[..len].parse().ok()?, len, &s[len..]))
}

/// `31/12/2023`, `12/31/23`, `31.12.23`, `2023-12-31`: three numbers and what follows.
fn date(s: &str) -> Option<([u32; 3], bool, &str)> {
    let (a, a_len, s) = number(s)?;
    let sep = s.chars().next().filter(|c| matches!(c, '/' | '.' | '-'))?;
    let (b, _, s) = number(&s[1..])?;
    let s = s.strip_prefix(sep)?;
    let (c, _, s) = number(s)?;
    // Some locales end the date with a dot ("31.12.23.").
    let s = s.strip_prefix('.').unwrap_or(s);
    Some(([a, b, c], a_len == 4, s))
}

/// `21:41`, `21:41:05`, `9:41 PM`, `9:41 p. m.`, `09:41 a.m.`, with any kind of space.
fn time(s: &str) -> Option<(NaiveTime, &str)> {
    let (h, _, s) = number(s)?;
    let (m, _, mut s) = number(s.strip_prefix(':')?)?;
    let mut sec = 0;
    if let Some(rest) = s.strip_prefix(':') {
        let (v, _, r) = number(rest)?;
        sec = v;
        s = r;
    }
    let trimmed = s.trim_start_matches([' ', '\u{202f}', '\u{a0}']);
    let lower = trimmed.to_lowercase();
    let mut hour = h;
    let mut rest = s;
    for (marker, pm) in [("pm", true), ("p. m.", true), ("p.m.", true), ("am", false), ("a. m.", false), ("a.m.", false)] {
        if lower.starts_with(marker) {
            if !(1..=12).contains(&h) {
                return None;
            }
            hour = match (h, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
            // Lower-casing keeps byte lengths of these ASCII markers.
            rest = &trimmed[marker.len()..];
            break;
        }
    }
    Some((NaiveTime::from_hms_opt(hour, m, sec)?, rest))
}

fn head(line: &str) -> Option<Head<'_>> {
    let line = line.trim_start_matches(MARKS).trim_start_matches('\u{feff}');
    if let Some(inner) = line.strip_prefix('[') {
        // iOS: [date, time] Author: text
        let (date, year_first, s) = date(inner)?;
        let s = s.strip_prefix(',').unwrap_or(s).trim_start_matches([' ', '\u{202f}', '\u{a0}']);
        let (time, s) = time(s)?;
        let rest = s.strip_prefix(']')?.strip_prefix(' ')?;
        return Some(Head { platform: Platform::Ios, date, year_first, time, rest });
    }
    // Android: date, time - Author: text
    let (date, year_first, s) = date(line)?;
    let s = s.strip_prefix(',').unwrap_or(s).trim_start_matches([' ', '\u{202f}', '\u{a0}']);
    let (time, s) = time(s)?;
    let rest = s.trim_start_matches([' ', '\u{202f}', '\u{a0}']).strip_prefix(['-', '–'])?.strip_prefix(' ')?;
    Some(Head { platform: Platform::Android, date, year_first, time, rest })
}

/// Splits `Author: text`; lines without an author (or with an implausible one) are WhatsApp's.
fn author_and_text(rest: &str, platform: Platform) -> (Option<String>, String) {
    if let Some(i) = rest.find(": ") {
        let name = strip_marks(&rest[..i]).trim().to_string();
        // Names are short and single-line; a system line may hold ": " further on.
        if !name.is_empty() && name.chars().count() <= 80 {
            return (Some(name), rest[i + 2..].to_string());
        }
    }
    // iOS writes "Ana: " with nothing after it for some attachments.
    if platform == Platform::Ios
        && let Some(name) = rest.strip_suffix(':') {
            return (Some(strip_marks(name).trim().to_string()), String::new());
        }
    (None, rest.to_string())
}

const OMITTED: &[&str] = &[
    "<media omitted>",
    "<multimedia omitido>",
    "<medien ausgeschlossen>",
    "<médias omis>",
    "<media omessi>",
    "<mídia oculta>",
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "document omitted",
    "gif omitted",
    "imagen omitida",
    "video omitido",
    "audio omitido",
    "bild weggelassen",
];

/// An attachment line: `IMG-20231231-WA0001.jpg (file attached)` on Android (any locale's
/// words in the brackets) or `<attached: 00000012-PHOTO-2023-12-31-21-41-05.jpg>` on iOS.
fn attachment(text: &str) -> Option<String> {
    let t = strip_marks(text);
    let t = t.trim();
    if let Some(inner) = t.strip_prefix('<').and_then(|s| s.strip_suffix('>'))
        && let Some((_, name)) = inner.split_once(": ") {
            return plausible_file(name);
        }
    let (name, note) = t.split_once(" (")?;
    if note.ends_with(')') && !note.contains('(') {
        return plausible_file(name);
    }
    None
}

fn plausible_file(name: &str) -> Option<String> {
    let name = name.trim();
    let (stem, ext) = name.rsplit_once('.')?;
    let ok = !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && !name.contains(['/', '\\'])
        && name.len() <= 200;
    ok.then(|| name.to_string())
}

fn dated(order: DateOrder, [a, b, c]: [u32; 3]) -> Option<NaiveDate> {
    let year = |y: u32| if y < 100 { 2000 + y as i32 } else { y as i32 };
    match order {
        DateOrder::DayFirst => NaiveDate::from_ymd_opt(year(c), b, a),
        DateOrder::MonthFirst => NaiveDate::from_ymd_opt(year(c), a, b),
        DateOrder::YearFirst => NaiveDate::from_ymd_opt(year(a), b, c),
    }
}

/// Reads an export. `order` overrides the date order read from the file; `fallback` is used
/// when the file cannot tell (the agency's country: day first in most of the world).
pub fn parse(text: &str, order: Option<DateOrder>, fallback: DateOrder) -> Result<ChatExport, ExportError> {
    let lines: Vec<&str> = text.lines().collect();
    let heads: Vec<Option<Head>> = lines.iter().map(|l| head(l)).collect();
    let found: Vec<&Head> = heads.iter().flatten().collect();
    let Some(first) = found.first() else { return Err(ExportError::NoMessages) };
    let platform = first.platform;
    let (mut day_first, mut month_first) = (false, false);
    for h in &found {
        if !h.year_first {
            day_first |= h.date[0] > 12;
            month_first |= h.date[1] > 12;
        }
    }
    let year_first = found.iter().all(|h| h.year_first);
    let (read, ambiguous) = match (year_first, day_first, month_first) {
        (true, _, _) => (DateOrder::YearFirst, false),
        (_, true, false) => (DateOrder::DayFirst, false),
        (_, false, true) => (DateOrder::MonthFirst, false),
        _ => (fallback, true),
    };
    let order = order.unwrap_or(read);
    let mut messages: Vec<ChatMessage> = Vec::new();
    let mut participants: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match &heads[i] {
            Some(h) if h.platform == platform => {
                let day = dated(order, h.date).ok_or_else(|| ExportError::BadDate { line: i + 1, text: line.chars().take(40).collect() })?;
                let (author, text) = author_and_text(h.rest, platform);
                if let Some(a) = &author
                    && !participants.contains(a) {
                        participants.push(a.clone());
                    }
                messages.push(ChatMessage { line: i + 1, at: day.and_time(h.time), author, text, attachment: None, media_omitted: false });
            }
            _ => match messages.last_mut() {
                Some(m) => {
                    m.text.push('\n');
                    m.text.push_str(line);
                }
                // Text before the first message (a title some tools add) is not a message.
                None => continue,
            },
        }
    }
    for m in &mut messages {
        let clean = strip_marks(&m.text).trim().to_string();
        let lower = clean.to_lowercase();
        m.media_omitted = OMITTED.contains(&lower.as_str());
        m.attachment = if m.author.is_some() { attachment(&clean) } else { None };
        m.text = clean;
    }
    Ok(ChatExport { platform, order, ambiguous_order: ambiguous, messages, participants })
}

/// What a message looks like it records, offered to the agent to confirm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Suggestion {
    Viewing,
    Payment,
    Complaint,
}

impl Suggestion {
    /// The timeline entry a confirmed suggestion becomes.
    #[cfg(feature = "ssr")]
    pub fn kind(self) -> crate::deals::ActivityKind {
        match self {
            Suggestion::Viewing => crate::deals::ActivityKind::Viewing,
            Suggestion::Payment => crate::deals::ActivityKind::Payment,
            Suggestion::Complaint => crate::deals::ActivityKind::Complaint,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Suggestion::Viewing => "viewing",
            Suggestion::Payment => "payment",
            Suggestion::Complaint => "complaint",
        }
    }

    /// Its name in the reader's language.
    pub fn label(self) -> String {
        crate::language::t(match self {
            Suggestion::Viewing => "whatsapp-label-viewing",
            Suggestion::Payment => "whatsapp-label-payment",
            Suggestion::Complaint => "whatsapp-label-complaint",
        })
    }

    pub fn parse(raw: &str) -> Option<Suggestion> {
        [Suggestion::Viewing, Suggestion::Payment, Suggestion::Complaint].into_iter().find(|s| s.as_str() == raw)
    }
}

/// Words (English, Spanish, German, French, Italian, Portuguese) that mark a message as a
/// viewing, a payment or a complaint. A complaint wins over the others: it needs a manager.
pub fn suggest(text: &str) -> Option<Suggestion> {
    let lower = text.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if any(&[
        "complain", "complaint", "unacceptable", "disappointed", "not happy", "unhappy", "queja", "reclamación", "reclamacion",
        "inaceptable", "decepcionad", "beschwerde", "enttäuscht", "plainte", "déçu", "reclamo", "lamentela",
    ]) {
        return Some(Suggestion::Complaint);
    }
    if any(&[
        "paid", "payment", "transfer", "deposit", "invoice", "receipt", "pagado", "pago", "transferencia", "señal", "fianza",
        "factura", "bezahlt", "überweisung", "anzahlung", "payé", "virement", "acompte", "bonifico", "caparra",
    ]) {
        return Some(Suggestion::Payment);
    }
    if any(&[
        "viewing", "visit", "view the", "appointment", "booked", "book a", "see the flat", "see the house", "visita", "cita",
        "reserva", "besichtigung", "termin", "rendez-vous", "appuntamento",
    ]) {
        return Some(Suggestion::Viewing);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    const ANDROID_ES: &str = "31/12/2023, 21:41 - Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat puede leerlos.\n\
31/12/2023, 21:41 - Marta Ruiz: Hola Ana, ¿sigue disponible el piso de la calle Mayor?\n\
31/12/2023, 21:45 - Ana López: Sí, Marta. ¿Te viene bien una visita el martes?\n\
Puedo a las 10 o a las 17.\n\
\n\
Dime.\n\
01/01/2024, 9:02 - Marta Ruiz: <Multimedia omitido>\n\
01/01/2024, 9:03 - Marta Ruiz: IMG-20240101-WA0001.jpg (archivo adjunto)\n\
01/01/2024, 9:05 - Marta Ruiz: Ya he hecho la transferencia de la señal\n";

    #[test]
    fn android_spanish_day_first_24_hours_with_multi_line_media_and_system_lines() {
        let chat = parse(ANDROID_ES, None, DateOrder::MonthFirst).unwrap();
        assert_eq!((chat.platform, chat.order, chat.ambiguous_order), (Platform::Android, DateOrder::DayFirst, false));
        assert_eq!(chat.participants, vec!["Marta Ruiz", "Ana López"]);
        assert_eq!(chat.messages.len(), 6);
        assert_eq!(chat.messages[0].author, None, "the encryption notice is WhatsApp's own line");
        assert_eq!(chat.messages[2].text, "Sí, Marta. ¿Te viene bien una visita el martes?\nPuedo a las 10 o a las 17.\n\nDime.");
        assert_eq!(chat.messages[2].at, at("2023-12-31 21:45:00"));
        assert!(chat.messages[3].media_omitted);
        assert_eq!(chat.messages[4].attachment.as_deref(), Some("IMG-20240101-WA0001.jpg"));
        assert_eq!(chat.messages[5].at, at("2024-01-01 09:05:00"));
        assert_eq!(suggest(&chat.messages[2].text), Some(Suggestion::Viewing));
        assert_eq!(suggest(&chat.messages[5].text), Some(Suggestion::Payment));
    }

    #[test]
    fn android_us_month_first_12_hours_with_a_narrow_space_before_pm() {
        let text = "12/31/23, 9:41\u{202f}PM - Mark Stone: Is the villa still for sale?\n\
                    12/31/23, 12:05\u{202f}AM - Ana: Yes! Happy new year\n\
                    1/2/24, 12:30\u{202f}PM - Mark Stone: <Media omitted>\n";
        let chat = parse(text, None, DateOrder::DayFirst).unwrap();
        assert_eq!((chat.order, chat.ambiguous_order), (DateOrder::MonthFirst, false));
        assert_eq!(chat.messages[0].at, at("2023-12-31 21:41:00"));
        assert_eq!(chat.messages[1].at, at("2023-12-31 00:05:00"), "12 AM is just after midnight");
        assert_eq!(chat.messages[2].at, at("2024-01-02 12:30:00"), "12 PM is noon");
        assert!(chat.messages[2].media_omitted);
    }

    #[test]
    fn ios_with_seconds_brackets_and_invisible_marks() {
        let text = "\u{feff}[14.03.24, 18:02:11] Klaus Weber: Guten Abend, ist die Wohnung noch frei?\n\
                    \u{200e}[14.03.24, 18:03:40] Ana: \u{200e}<attached: 00000012-PHOTO-2024-03-14-18-03-40.jpg>\n\
                    [14.03.24, 18:04:02] Ana: Ja! Besichtigung am Freitag?\n\
                    \u{200e}[15.03.24, 09:00:00] Klaus Weber: \u{200e}image omitted\n\
                    [15.03.24, 09:01:30] \u{202a}+49 151 2345678\u{202c}: Ich bin sein Bruder\n";
        let chat = parse(text, None, DateOrder::MonthFirst).unwrap();
        assert_eq!(chat.platform, Platform::Ios);
        assert_eq!(chat.order, DateOrder::DayFirst);
        assert_eq!(chat.messages[0].at, at("2024-03-14 18:02:11"));
        assert_eq!(chat.messages[1].attachment.as_deref(), Some("00000012-PHOTO-2024-03-14-18-03-40.jpg"));
        assert!(chat.messages[3].media_omitted);
        assert_eq!(chat.messages[4].author.as_deref(), Some("+49 151 2345678"), "marks around a number are dropped");
        assert_eq!(chat.participants, vec!["Klaus Weber", "Ana", "+49 151 2345678"]);
    }

    #[test]
    fn ios_us_12_hours_and_year_first_android() {
        let ios = parse("[1/5/24, 9:15:02 AM] Ana: Morning!\n[1/5/24, 1:15:02 PM] Joe: Can I book a viewing?\n", None, DateOrder::DayFirst).unwrap();
        assert!(ios.ambiguous_order, "nothing above 12 says which comes first");
        assert_eq!(ios.order, DateOrder::DayFirst, "the caller's fallback");
        assert_eq!(ios.messages[1].at, at("2024-05-01 13:15:02"));
        let chosen = parse("[1/5/24, 9:15:02 AM] Ana: Morning!\n", Some(DateOrder::MonthFirst), DateOrder::DayFirst).unwrap();
        assert_eq!(chosen.messages[0].at, at("2024-01-05 09:15:02"));
        let ymd = parse("2024-02-29 08:00 - Ana: Leap day\n", None, DateOrder::DayFirst).unwrap();
        assert_eq!((ymd.order, ymd.messages[0].at), (DateOrder::YearFirst, at("2024-02-29 08:00:00")));
    }

    #[test]
    fn spanish_12_hour_clock_with_dotted_markers() {
        let chat = parse("25/12/23, 9:41 p. m. - Luis: Feliz Navidad\n26/12/23, 10:00 a. m. - Ana: Igualmente\n", None, DateOrder::DayFirst).unwrap();
        assert_eq!(chat.messages[0].at, at("2023-12-25 21:41:00"));
        assert_eq!(chat.messages[1].at, at("2023-12-26 10:00:00"));
    }

    #[test]
    fn files_that_are_not_exports_and_impossible_dates_are_refused() {
        assert_eq!(parse("name,phone\nAna,+34600000000\n", None, DateOrder::DayFirst), Err(ExportError::NoMessages));
        assert_eq!(parse("", None, DateOrder::DayFirst), Err(ExportError::NoMessages));
        let err = parse("31/12/2023, 21:41 - Ana: Hi\n", Some(DateOrder::MonthFirst), DateOrder::DayFirst).unwrap_err();
        assert!(matches!(err, ExportError::BadDate { line: 1, .. }), "{err:?}");
    }

    #[test]
    fn complaints_win_over_other_suggestions_and_plain_chat_has_none() {
        assert_eq!(suggest("I paid the deposit and nobody called, this is unacceptable"), Some(Suggestion::Complaint));
        assert_eq!(suggest("Thanks, talk soon"), None);
    }
}
