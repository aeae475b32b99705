//! The manager's view: open deals per stage, the funnel of a cohort, speed to lead, the team,
//! sources and campaigns, time in stage and the weekly trend, each filtered by period, agent
//! and source, and each number a way into the deals behind it.
//!
//! The figures read summary tables the database keeps in the same transaction as every change
//! to a deal (see migration 9), per UTC day; the few hours at each end of a period that fall
//! inside a UTC day are counted from the deals themselves, so a period is whole days in the
//! viewer's own time zone.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

use crate::common::urlencode;
use crate::deals::{DealCard, Money};

/// The filters every view takes. Dates are days in the viewer's time zone, both included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub agent: Option<i64>,
    pub source: Option<String>,
}

impl ReportQuery {
    /// The query string of these filters, for links and exports.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(from) = self.from.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("from={}", urlencode(from)));
        }
        if let Some(to) = self.to.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("to={}", urlencode(to)));
        }
        if let Some(agent) = self.agent {
            parts.push(format!("agent={agent}"));
        }
        if let Some(source) = self.source.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("source={}", urlencode(source)));
        }
        parts.join("&")
    }
}

/// The period and filters a report was computed for, as chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub from: String,
    pub to: String,
    pub agent: Option<i64>,
    pub source: Option<String>,
    /// "1 Nov – 30 Nov 2026 · Ana Ruiz · portal"
    pub label: String,
}

impl Scope {
    pub fn query(&self) -> ReportQuery {
        ReportQuery { from: Some(self.from.clone()), to: Some(self.to.clone()), agent: self.agent, source: self.source.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenStage {
    pub stage_id: i64,
    pub name: String,
    pub deals: u64,
    /// Budgets of the deals in the stage, per currency.
    pub value: Vec<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStep {
    pub stage_id: i64,
    pub name: String,
    /// Deals of the cohort that were in this stage or a later one (won counts as later).
    pub reached: u64,
}

/// Deals created in the period, and how far they went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub leads: u64,
    pub steps: Vec<FunnelStep>,
    pub won: u64,
    pub won_value: Vec<Money>,
    pub lost: u64,
    pub lost_reasons: Vec<(String, u64)>,
}

/// Speed to lead for a group of deals created in the period: from creation to the first answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeedRow {
    /// The agent's id (0 for nobody) or the source.
    pub key: String,
    pub label: String,
    pub leads: u64,
    pub answered: u64,
    /// Minutes, exact below an hour, to the quarter hour below a day, then to the hour.
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
    pub within_5m: u64,
    pub within_1h: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speed {
    pub total: SpeedRow,
    pub by_agent: Vec<SpeedRow>,
    pub by_source: Vec<SpeedRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRow {
    /// 0 for the deals nobody owns.
    pub id: i64,
    pub name: String,
    pub away: bool,
    /// Open deals now.
    pub open: u64,
    /// Follow-ups done in the period.
    pub done: u64,
    /// Follow-ups overdue now.
    pub overdue: u64,
    /// Open deals gone stale now.
    pub stale: u64,
    /// Deals won in the period, and their value.
    pub won: u64,
    pub won_value: Vec<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub source: String,
    pub campaign: String,
    /// Deals created in the period, and how many of those were won, for how much.
    pub leads: u64,
    pub won: u64,
    pub won_value: Vec<Money>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTime {
    pub stage_id: i64,
    pub name: String,
    /// Stays in the stage that ended in the period.
    pub stays: u64,
    pub median_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Week {
    /// The Monday the week starts (or the period's first day), YYYY-MM-DD.
    pub start: String,
    pub new_leads: u64,
    pub won: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub scope: Scope,
    pub agents: Vec<Person>,
    pub sources: Vec<String>,
    pub open: Vec<OpenStage>,
    pub funnel: Funnel,
    pub speed: Speed,
    pub team: Vec<AgentRow>,
    pub by_source: Vec<SourceRow>,
    pub stage_time: Vec<StageTime>,
    pub weekly: Vec<Week>,
}

/// Which number's deals to list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Figure {
    /// Open deals in a stage now.
    Open { stage: i64 },
    /// Deals created in the period.
    Leads,
    Reached { stage: i64 },
    Won,
    Lost,
    LostReason { reason: String },
    /// Answered within so many minutes of arriving.
    AnsweredWithin { minutes: i64 },
    Unanswered,
    /// An agent's open deals now (0: nobody's).
    AgentOpen { agent: i64 },
    AgentWon { agent: i64 },
    Stale { agent: i64 },
    Overdue { agent: i64 },
    Source { source: String, campaign: String, won: bool },
    StageTime { stage: i64 },
    WeekNew { start: String },
    WeekWon { start: String },
}

impl Figure {
    /// The figure as query parameters (`figure=reached&stage=3`).
    pub fn to_query_string(&self) -> String {
        let enc = urlencode;
        match self {
            Figure::Open { stage } => format!("figure=open&stage={stage}"),
            Figure::Leads => "figure=leads".into(),
            Figure::Reached { stage } => format!("figure=reached&stage={stage}"),
            Figure::Won => "figure=won".into(),
            Figure::Lost => "figure=lost".into(),
            Figure::LostReason { reason } => format!("figure=lost_reason&key={}", enc(reason)),
            Figure::AnsweredWithin { minutes } => format!("figure=answered_within&minutes={minutes}"),
            Figure::Unanswered => "figure=unanswered".into(),
            Figure::AgentOpen { agent } => format!("figure=agent_open&owner={agent}"),
            Figure::AgentWon { agent } => format!("figure=agent_won&owner={agent}"),
            Figure::Stale { agent } => format!("figure=stale&owner={agent}"),
            Figure::Overdue { agent } => format!("figure=overdue&owner={agent}"),
            Figure::Source { source, campaign, won } => {
                format!("figure={}&key={}&campaign={}", if *won { "source_won" } else { "source" }, enc(source), enc(campaign))
            }
            Figure::StageTime { stage } => format!("figure=stage_time&stage={stage}"),
            Figure::WeekNew { start } => format!("figure=week_new&key={start}"),
            Figure::WeekWon { start } => format!("figure=week_won&key={start}"),
        }
    }

    /// Every figure's name, as `figure=` takes it.
    pub const NAMES: [&'static str; 17] = [
        "open", "leads", "reached", "won", "lost", "lost_reason", "answered_within", "unanswered", "agent_open", "agent_won", "stale", "overdue",
        "source", "source_won", "stage_time", "week_new", "week_won",
    ];

    /// Reads the figure back from its query parameters.
    pub fn parse(p: &FigureParams) -> Option<Figure> {
        let key = || p.key.clone().unwrap_or_default();
        Some(match p.figure.as_deref()? {
            "open" => Figure::Open { stage: p.stage? },
            "leads" => Figure::Leads,
            "reached" => Figure::Reached { stage: p.stage? },
            "won" => Figure::Won,
            "lost" => Figure::Lost,
            "lost_reason" => Figure::LostReason { reason: key() },
            "answered_within" => Figure::AnsweredWithin { minutes: p.minutes.filter(|m| (1..=525_600).contains(m))? },
            "unanswered" => Figure::Unanswered,
            "agent_open" => Figure::AgentOpen { agent: p.owner? },
            "agent_won" => Figure::AgentWon { agent: p.owner? },
            "stale" => Figure::Stale { agent: p.owner? },
            "overdue" => Figure::Overdue { agent: p.owner? },
            "source" => Figure::Source { source: key(), campaign: p.campaign.clone().unwrap_or_default(), won: false },
            "source_won" => Figure::Source { source: key(), campaign: p.campaign.clone().unwrap_or_default(), won: true },
            "stage_time" => Figure::StageTime { stage: p.stage? },
            "week_new" => Figure::WeekNew { start: key() },
            "week_won" => Figure::WeekWon { start: key() },
            _ => return None,
        })
    }
}

/// A figure's query parameters as they arrive.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureParams {
    pub figure: Option<String>,
    pub stage: Option<i64>,
    pub owner: Option<i64>,
    pub minutes: Option<i64>,
    pub key: Option<String>,
    pub campaign: Option<String>,
}

/// The deals behind one number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillDown {
    pub scope: Scope,
    /// "Reached Viewing", "Answered within 5 minutes"…
    pub title: String,
    pub total: u64,
    pub page: u64,
    pub deals: Vec<DealCard>,
    pub agents: Vec<Person>,
}

/// Deals per page of a drill-down.
pub const DRILL_PAGE: u64 = 50;

/// `part` of `whole` as a percentage with one decimal ("12.5%", "12,5 %"), or "–" of nothing.
pub fn percent(part: u64, whole: u64) -> String {
    crate::language::current().percent(part, whole)
}

/// Minutes as people say them: "4 min", "2 h 15 min", "3 d 4 h", in the reader's language.
pub fn duration(minutes: i64) -> String {
    crate::language::current().duration(minutes)
}

/// Amounts per currency, joined: "€1.2M + £300k".
pub fn money_list(values: &[Money]) -> String {
    let shown: Vec<String> =
        values.iter().filter(|m| m.minor != 0).map(|m| crate::deals::money_short(m.minor, &m.currency)).collect();
    if shown.is_empty() { "–".into() } else { shown.join(" + ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_durations_read_as_people_say_them() {
        assert_eq!(percent(1, 8), "12.5%");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(0, 0), "–");
        assert_eq!(duration(4), "4 min");
        assert_eq!(duration(135), "2 h 15 min");
        assert_eq!(duration(120), "2 h");
        assert_eq!(duration(1440 + 240), "1 d 4 h");
        assert_eq!(duration(43_200), "30 d or more");
        let es = crate::language::Language::stored("es").unwrap();
        assert_eq!(es.percent(1, 8), "12,5\u{a0}%");
        assert_eq!(es.duration(1440 + 240), "1 d 4 h");
        assert_eq!(es.duration(43_200), "30 d o más");
    }

    fn decode(raw: &str) -> String {
        let bytes = raw.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' => {
                    out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
                    i += 3;
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_figure_survives_its_query_string() {
        let figures = [
            Figure::Open { stage: 3 },
            Figure::Reached { stage: 2 },
            Figure::LostReason { reason: "Price & timing".into() },
            Figure::AnsweredWithin { minutes: 5 },
            Figure::Source { source: "portal".into(), campaign: "spring sale".into(), won: true },
            Figure::WeekWon { start: "2026-11-23".into() },
        ];
        for figure in figures {
            let mut p = FigureParams::default();
            for pair in figure.to_query_string().split('&') {
                let (k, v) = pair.split_once('=').unwrap();
                let v = decode(v);
                match k {
                    "figure" => p.figure = Some(v),
                    "stage" => p.stage = v.parse().ok(),
                    "owner" => p.owner = v.parse().ok(),
                    "minutes" => p.minutes = v.parse().ok(),
                    "key" => p.key = Some(v),
                    "campaign" => p.campaign = Some(v),
                    _ => unreachable!(),
                }
            }
            assert_eq!(Figure::parse(&p), Some(figure));
        }
    }
}
