//! Civil dates and the sprint calendar (foundation: no other module of the crate is used).
//!
//! A [`Date`] is a day of the proleptic Gregorian calendar, held as days since 1970-01-01.
//! The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days` (exact for
//! every year of the i32 range; the tests round-trip every day of a full 400-year cycle and
//! check known weekdays, leap days and year ends).
//!
//! A [`Calendar`] turns sprint numbers into dates: a sprint is `sprint_days` working days
//! (Monday to Friday, holidays skipped), back to back from `start`; a sprint's date is its
//! last working day.

use std::fmt;

/// A civil date: days since 1970-01-01 (negative before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// The date of year `y`, month `m` (1–12), day `d` (1–31), if it exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // days_from_civil (H. Hinnant): eras of 400 years, March-based years.
        let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400; // [0, 399]
        let mp = (m as i64 + 9) % 12; // March = 0
        let doy = (153 * mp + 2) / 5 + d as i64 - 1; // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
        i32::try_from(era * 146_097 + doe - 719_468).ok().map(Date)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        // civil_from_days (H. Hinnant).
        let z = self.0 as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097; // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        let mp = (5 * doy + 2) / 153; // [0, 11]
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + (m <= 2) as i64;
        (y as i32, m, d)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u32 {
        (self.0 as i64 + 3).rem_euclid(7) as u32
    }

    pub fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }

    /// The English name of the weekday, abbreviated ("Mon").
    pub fn weekday_name(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.weekday() as usize]
    }

    pub fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// A strict ISO date `YYYY-MM-DD`, or what is wrong with it.
    pub fn parse_iso(s: &str) -> Result<Date, String> {
        let bad = || format!("{s:?} is not a date: expected YYYY-MM-DD, e.g. \"2027-01-04\"");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let t = &s[r];
            t.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| t.parse().ok())?
        };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad());
        };
        Date::from_ymd(y as i32, m, d).ok_or_else(|| format!("{s:?} is not a day of the calendar"))
    }

    /// Month name in English, abbreviated ("Jan").
    pub fn month_name(m: u32) -> &'static str {
        [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ][(m as usize).clamp(1, 12) - 1]
    }
}

impl fmt::Display for Date {
    /// ISO `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The sprint calendar of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// The first working day on or after the configured start.
    first: Date,
    /// Holidays on working days from `first` on, sorted, without duplicates.
    holidays: Vec<Date>,
    sprint_days: u32,
}

/// The next Monday-to-Friday day on or after `d`.
fn weekday_on_or_after(d: Date) -> Date {
    match d.weekday() {
        5 => d.add_days(2),
        6 => d.add_days(1),
        _ => d,
    }
}

impl Calendar {
    /// Sprints of `sprint_days` (≥ 1) working days from `start`, skipping `holidays`.
    pub fn new(start: Date, holidays: &[Date], sprint_days: u32) -> Calendar {
        let first = weekday_on_or_after(start);
        let mut h: Vec<Date> = holidays
            .iter()
            .copied()
            .filter(|d| *d >= first && !d.is_weekend())
            .collect();
        h.sort();
        h.dedup();
        // A holiday on the start day moves the first working day too.
        let mut first = first;
        while h.first() == Some(&first) {
            h.remove(0);
            first = weekday_on_or_after(first.add_days(1));
        }
        Calendar {
            first,
            holidays: h,
            sprint_days: sprint_days.max(1),
        }
    }

    /// The first working day.
    pub fn first_day(&self) -> Date {
        self.first
    }

    /// The n-th (1-based) Monday-to-Friday day counting `first` as the first.
    fn nth_weekday(&self, n: u64) -> Date {
        let k = n.saturating_sub(1) as i64; // working days after `first`
        let wd = self.first.weekday() as i64; // 0..=4
        let offset = wd + k; // working days after the Monday of first's week
        let weeks = offset / 5;
        let day = offset % 5;
        let monday = self.first.0 as i64 - wd;
        Date((monday + weeks * 7 + day) as i32)
    }

    /// The n-th working day (1-based): holidays skipped.
    pub fn working_day(&self, n: u64) -> Date {
        let mut d = self.nth_weekday(n);
        let mut extra = 0;
        // Each holiday on or before the day found so far pushes it one working day on; the
        // holidays are sorted, so one pass suffices (a holiday the day lands on comes later).
        for h in &self.holidays {
            if *h <= d {
                extra += 1;
                d = self.nth_weekday(n + extra);
            } else {
                break;
            }
        }
        d
    }

    /// The date of sprint `sprint` (1-based): its last working day.
    pub fn sprint_end(&self, sprint: u32) -> Date {
        self.working_day(sprint.max(1) as u64 * self.sprint_days as u64)
    }

    /// The last sprint that ends on or before `date` (0 if none does).
    pub fn sprint_by(&self, date: Date) -> u32 {
        // sprint_end is increasing: binary search over a generous range.
        let (mut lo, mut hi) = (0u32, 1u32);
        while self.sprint_end(hi) <= date {
            lo = hi;
            if hi >= u32::MAX / 2 {
                return hi;
            }
            hi *= 2;
        }
        // sprint_end(lo) <= date (or lo = 0) and sprint_end(hi) > date.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.sprint_end(mid) <= date {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn every_day_of_a_400_year_cycle_round_trips() {
        let mut day = d("1999-12-31");
        let mut expected = (1999, 12, 31);
        for _ in 0..146_097 + 3 {
            assert_eq!(day.ymd(), expected);
            assert_eq!(
                Date::from_ymd(expected.0, expected.1, expected.2),
                Some(day)
            );
            // The next civil date, by the rules, not by the conversion.
            let (y, m, dd) = expected;
            expected = if dd < days_in_month(y, m) {
                (y, m, dd + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
            day = day.add_days(1);
        }
        assert_eq!(d("1970-01-01"), Date(0));
    }

    #[test]
    fn known_weekdays_leap_days_and_bad_dates() {
        assert_eq!(d("1970-01-01").weekday_name(), "Thu");
        assert_eq!(d("2000-02-29").weekday_name(), "Tue");
        assert_eq!(d("2027-01-04").weekday_name(), "Mon");
        assert_eq!(d("2024-02-29").weekday_name(), "Thu");
        assert_eq!(d("1900-03-01").0 - d("1900-02-28").0, 1); // 1900 is not leap
        assert_eq!(d("2000-03-01").0 - d("2000-02-28").0, 2); // 2000 is
        assert!(Date::parse_iso("2027-02-29").is_err());
        assert!(Date::parse_iso("2027-13-01").is_err());
        assert!(Date::parse_iso("27-01-04").is_err());
        assert!(Date::parse_iso("2027-1-4x").is_err());
        assert_eq!(d("2028-02-29").to_string(), "2028-02-29");
    }

    #[test]
    fn the_issue_example() {
        let c = Calendar::new(d("2027-01-04"), &[], 5);
        assert_eq!(c.sprint_end(1), d("2027-01-08"));
        assert_eq!(c.sprint_end(20), d("2027-05-21"));
        assert_eq!(c.sprint_end(20).weekday_name(), "Fri");
        let c = Calendar::new(d("2027-01-04"), &[d("2027-01-06")], 5);
        assert_eq!(c.sprint_end(1), d("2027-01-11"));
        assert_eq!(c.sprint_end(20), d("2027-05-24"));
        assert_eq!(c.sprint_end(20).weekday_name(), "Mon");
    }

    /// The rule, day by day: the reference the closed form is checked against.
    fn slow_sprint_end(start: Date, holidays: &[Date], days: u32, sprint: u32) -> Date {
        let mut day = start.add_days(-1);
        let mut worked = 0;
        while worked < sprint * days {
            day = day.add_days(1);
            if !day.is_weekend() && !holidays.contains(&day) {
                worked += 1;
            }
        }
        day
    }

    #[test]
    fn sprints_follow_the_rule_across_year_ends_leap_days_and_holidays() {
        let holidays = [
            d("2027-12-24"),
            d("2027-12-25"), // a Saturday: no effect
            d("2027-12-31"),
            d("2028-01-03"),
            d("2028-02-29"),
            d("2028-02-29"), // duplicates count once
            d("2026-12-31"), // before the start: no effect
        ];
        for start in [
            "2027-12-20",
            "2027-12-25",
            "2027-12-24",
            "2028-02-28",
            "2026-12-28",
        ] {
            for days in [1, 3, 5, 10] {
                let c = Calendar::new(d(start), &holidays, days);
                for sprint in 1..60 {
                    let want = slow_sprint_end(d(start), &holidays, days, sprint);
                    assert_eq!(c.sprint_end(sprint), want, "{start} {days} {sprint}");
                    assert_eq!(c.sprint_by(want), sprint);
                    assert_eq!(c.sprint_by(want.add_days(-1)), sprint - 1);
                }
            }
        }
        // Leap day as a working day: 2028-02-28 (Mon) + 2 days ends Tue 2028-02-29.
        let c = Calendar::new(d("2028-02-28"), &[], 2);
        assert_eq!(c.sprint_end(1), d("2028-02-29"));
        // Over a year end: 2027-12-27 (Mon), 10-day sprint, holiday Dec 31 -> Mon 2028-01-10.
        let c = Calendar::new(d("2027-12-27"), &[d("2027-12-31")], 10);
        assert_eq!(c.sprint_end(1), d("2028-01-10"));
        assert_eq!(c.sprint_by(d("2027-12-01")), 0);
    }
}
