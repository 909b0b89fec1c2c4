//! `backsim calibrate EXPORT.csv` with per-item dates, as a tracker exports them: columns
//! `id,started,done` or `id,created,done` (`id` optional), comma or semicolon separated
//! (detected from the header), dates ISO `YYYY-MM-DD` (a time after it is ignored) or in the
//! strftime-style format given with `--date-format`.
//!
//! Out come the throughput per period (days, Monday-based weeks or sprints of N days, zero
//! periods between the first and the last done date included), which `calibrate` fits as a
//! sprint history; the lead times of the items with both dates; and the items started and
//! not done (work in progress, for the aging table). Messy rows are counted and reported in
//! one warning with example ids; only what cannot be read at all is an error.

use crate::calendar::Date;
use crate::error::input_error;
use anyhow::Result;

/// How done dates are grouped into a throughput history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    /// Monday to Sunday.
    Week,
    /// `days` calendar days from the Monday of the first done date's week.
    Sprint {
        days: u32,
    },
}

impl Period {
    pub fn days(self) -> i32 {
        match self {
            Period::Day => 1,
            Period::Week => 7,
            Period::Sprint { days } => days.max(1) as i32,
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Sprint { .. } => "sprint",
        }
    }
}

/// A date format: ISO, or a strftime-style pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    Iso,
    Pattern(String),
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl DateFormat {
    /// Check a pattern: only %Y %y %m %d %e %b %B %H %M %S %% are known.
    pub fn pattern(p: &str) -> Result<DateFormat> {
        let mut chars = p.chars();
        let mut has = (false, false, false);
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('Y' | 'y') => has.0 = true,
                    Some('m' | 'b' | 'B') => has.1 = true,
                    Some('d' | 'e') => has.2 = true,
                    Some('H' | 'M' | 'S' | '%') => {}
                    other => {
                        return Err(input_error(format!(
                            "--date-format {p:?}: %{} is not supported (use %Y %y %m %d %e %b %B %H %M %S %%)",
                            other.map_or(String::new(), String::from)
                        )))
                    }
                }
            }
        }
        if has != (true, true, true) {
            return Err(input_error(format!(
                "--date-format {p:?}: needs a year (%Y or %y), a month (%m, %b or %B) and a day (%d or %e)"
            )));
        }
        Ok(DateFormat::Pattern(p.to_string()))
    }

    /// Parse a cell; None when it does not match.
    pub fn parse(&self, s: &str) -> Option<Date> {
        match self {
            DateFormat::Iso => {
                let head = s.get(..10)?;
                let rest = &s[10..];
                if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
                    return None;
                }
                Date::parse_iso(head).ok()
            }
            DateFormat::Pattern(p) => parse_pattern(p, s),
        }
    }
}

fn parse_pattern(p: &str, s: &str) -> Option<Date> {
    let (mut y, mut m, mut d) = (None, None, None);
    let mut rest = s;
    let mut pat = p.chars();
    let digits = |rest: &mut &str, max: usize| -> Option<u32> {
        let n = rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if n == 0 {
            return None;
        }
        let v = rest[..n].parse().ok();
        *rest = &rest[n..];
        v
    };
    while let Some(c) = pat.next() {
        if c != '%' {
            rest = rest.strip_prefix(c)?;
            continue;
        }
        match pat.next()? {
            'Y' => y = Some(digits(&mut rest, 4)? as i32),
            // Two-digit years: 69–99 are 19xx, 00–68 are 20xx (as POSIX strptime).
            'y' => {
                let v = digits(&mut rest, 2)? as i32;
                y = Some(if v >= 69 { 1900 + v } else { 2000 + v });
            }
            'm' => m = Some(digits(&mut rest, 2)?),
            'd' => d = Some(digits(&mut rest, 2)?),
            'e' => {
                rest = rest.trim_start_matches(' ');
                d = Some(digits(&mut rest, 2)?);
            }
            'H' | 'M' | 'S' => {
                digits(&mut rest, 2)?;
            }
            '%' => rest = rest.strip_prefix('%')?,
            'b' | 'B' => {
                let lower = rest.to_ascii_lowercase();
                let (i, len) = MONTHS.iter().enumerate().find_map(|(i, name)| {
                    if lower.starts_with(name) {
                        Some((i, name.len()))
                    } else if lower.starts_with(&name[..3]) {
                        Some((i, 3))
                    } else {
                        None
                    }
                })?;
                m = Some(i as u32 + 1);
                rest = &rest[len..];
            }
            _ => return None,
        }
    }
    if !rest.trim().is_empty() {
        return None;
    }
    Date::from_ymd(y?, m?, d?)
}

/// One item of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub start: Option<Date>,
    pub done: Option<Date>,
}

/// What was read, and what was odd about it.
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub items: Vec<Item>,
    /// The start column's name: "started" or "created".
    pub start_column: String,
    pub delimiter: u8,
    /// Rows with neither date.
    pub no_date: Vec<String>,
    /// Done with no start date (throughput, not lead time).
    pub done_without_start: Vec<String>,
    /// Done before they started (throughput, not lead time).
    pub done_before_start: Vec<String>,
}

impl Export {
    /// The warning for messy rows, or None when every row is clean (work in progress is not
    /// messy: it is the aging table).
    pub fn warning(&self) -> Option<String> {
        let mut parts = Vec::new();
        let examples = |ids: &[String]| {
            let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
            format!("e.g. {}", shown.join(", "))
        };
        if !self.no_date.is_empty() {
            let n = self.no_date.len();
            parts.push(format!(
                "{n} {} no date at all and {} skipped ({})",
                if n == 1 { "row has" } else { "rows have" },
                if n == 1 { "is" } else { "are" },
                examples(&self.no_date)
            ));
        }
        if !self.done_without_start.is_empty() {
            let n = self.done_without_start.len();
            parts.push(format!(
                "{n} {} done with no {} date: they count for throughput, not for lead time ({})",
                if n == 1 { "is" } else { "are" },
                self.start_column,
                examples(&self.done_without_start)
            ));
        }
        if !self.done_before_start.is_empty() {
            let n = self.done_before_start.len();
            parts.push(format!(
                "{n} {} done before {} started: they count for throughput, not for lead time ({})",
                if n == 1 { "is" } else { "are" },
                if n == 1 { "it" } else { "they" },
                examples(&self.done_before_start)
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Items started (or created) and not done: work in progress.
    pub fn in_progress(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| i.done.is_none() && i.start.is_some())
    }

    /// Lead times in calendar days, counted inclusively (done − start + 1: an item started
    /// and done on the same day took 1 day), of the items with both dates in order.
    pub fn lead_times(&self) -> Vec<f64> {
        let mut out: Vec<f64> = self
            .items
            .iter()
            .filter_map(|i| match (i.start, i.done) {
                (Some(s), Some(d)) if d >= s => Some((d.0 - s.0 + 1) as f64),
                _ => None,
            })
            .collect();
        out.sort_by(f64::total_cmp);
        out
    }

    /// The latest date in the export: the "today" of the aging table.
    pub fn as_of(&self) -> Option<Date> {
        self.items
            .iter()
            .flat_map(|i| [i.start, i.done])
            .flatten()
            .max()
    }
}

/// Whether a header looks like a per-item export (a `done`, `started` or `created` column),
/// or the file is empty (then the export's reader says so).
pub fn is_item_export(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return true;
    }
    let header = text.lines().next().unwrap_or("");
    let sep = detect_delimiter(header);
    header.split(sep as char).any(|h| {
        let h = h.trim().trim_matches('"');
        ["done", "started", "created"]
            .iter()
            .any(|c| h.eq_ignore_ascii_case(c))
    })
}

fn detect_delimiter(header: &str) -> u8 {
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// Read an export; `origin` names it in errors.
pub fn parse_export(text: &str, origin: &str, format: &DateFormat) -> Result<Export> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(input_error(format!(
            "{origin}: the file is empty; expected a header such as id,started,done and one row per item"
        )));
    }
    let delimiter = detect_delimiter(text.lines().next().unwrap_or(""));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| input_error(format!("{origin}:1: cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(c_done) = col("done") else {
        return Err(input_error(format!(
            "{origin}:1: no done column: the header has {:?}; expected id,started,done or id,created,done",
            headers.iter().collect::<Vec<_>>()
        )));
    };
    let (c_start, start_column) = match (col("started"), col("created")) {
        (Some(c), _) => (Some(c), "started"),
        (None, Some(c)) => (Some(c), "created"),
        (None, None) => (None, "started"),
    };
    let c_id = col("id");
    let mut export = Export {
        start_column: start_column.into(),
        delimiter,
        ..Export::default()
    };
    let shown_format = match format {
        DateFormat::Iso => "YYYY-MM-DD".to_string(),
        DateFormat::Pattern(p) => format!("--date-format {p:?}"),
    };
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| input_error(format!("{origin}:{line}: {e}")))?;
        if rec.iter().all(str::is_empty) {
            continue; // A blank line.
        }
        let id = c_id
            .and_then(|c| rec.get(c))
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("line {line}"), str::to_string);
        let date = |c: Option<usize>, name: &str| -> Result<Option<Date>> {
            let cell = c.and_then(|c| rec.get(c)).unwrap_or("");
            if cell.is_empty() {
                return Ok(None);
            }
            format.parse(cell).map(Some).ok_or_else(|| {
                input_error(format!(
                    "{origin}:{line}: {name} = {cell:?} is not a date in the format {shown_format}; name the format with --date-format (strftime style, e.g. \"%d-%b-%y\" for 02-Nov-04)"
                ))
            })
        };
        let start = date(c_start, start_column)?;
        let done = date(Some(c_done), "done")?;
        match (start, done) {
            (None, None) => export.no_date.push(id.clone()),
            (None, Some(_)) => export.done_without_start.push(id.clone()),
            (Some(s), Some(d)) if d < s => export.done_before_start.push(id.clone()),
            _ => {}
        }
        export.items.push(Item { id, start, done });
    }
    if export.items.iter().all(|i| i.done.is_none()) {
        return Err(input_error(format!(
            "{origin}: no row has a done date ({} rows); nothing to count as throughput",
            export.items.len()
        )));
    }
    Ok(export)
}

/// The throughput per period: `(first day of the period, items done)`, from the period of
/// the first done date to that of the last, empty periods included, after `since` (done
/// dates before it are dropped) and keeping the `last` periods.
pub fn throughput(
    export: &Export,
    period: Period,
    since: Option<Date>,
    last: Option<usize>,
) -> Vec<(Date, u64)> {
    let done: Vec<Date> = export
        .items
        .iter()
        .filter_map(|i| i.done)
        .filter(|d| since.is_none_or(|s| *d >= s))
        .collect();
    let (Some(&lo), Some(&hi)) = (done.iter().min(), done.iter().max()) else {
        return Vec::new();
    };
    let anchor = match period {
        Period::Day => lo,
        // Weeks and sprints start on the Monday of the first done date's week.
        _ => Date(lo.0 - lo.weekday() as i32),
    };
    let len = period.days();
    let n = ((hi.0 - anchor.0) / len + 1) as usize;
    let mut counts = vec![0u64; n];
    for d in done {
        counts[((d.0 - anchor.0) / len) as usize] += 1;
    }
    let mut out: Vec<(Date, u64)> = counts
        .into_iter()
        .enumerate()
        .map(|(k, c)| (Date(anchor.0 + k as i32 * len), c))
        .collect();
    if let Some(l) = last {
        let skip = out.len().saturating_sub(l);
        out.drain(..skip);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn formats() {
        let f = DateFormat::pattern("%d-%b-%y").unwrap();
        assert_eq!(f.parse("02-Nov-04"), Some(d("2004-11-02")));
        assert_eq!(f.parse("31-dec-99"), Some(d("1999-12-31")));
        assert_eq!(f.parse("31-Nov-04"), None);
        let f = DateFormat::pattern("%d.%m.%Y %H:%M").unwrap();
        assert_eq!(f.parse("29.02.2028 17:05"), Some(d("2028-02-29")));
        let f = DateFormat::pattern("%B %e, %Y").unwrap();
        assert_eq!(f.parse("March  7, 2027"), Some(d("2027-03-07")));
        assert!(DateFormat::pattern("%d/%m").is_err());
        assert!(DateFormat::pattern("%Q").is_err());
        assert_eq!(
            DateFormat::Iso.parse("2027-01-04T10:00:00Z"),
            Some(d("2027-01-04"))
        );
        assert_eq!(DateFormat::Iso.parse("2027-01-04x"), None);
    }
}
