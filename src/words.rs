//! Words for people: counts with the right noun form, and "did you mean" suggestions.
//!
//! Foundation floor: pure text helpers, used by every layer that talks to a person.

/// `n` and the noun, singular for exactly one: `count(1, "sprint")` is "1 sprint",
/// `count(3, "sprint")` "3 sprints". Nouns whose plural is not `noun + "s"` use
/// [`count_irregular`].
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// [`count`] with the plural given: `count_irregular(2, "query", "queries")`.
pub fn count_irregular(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The noun alone, singular for exactly one (for "runs per point" style phrases).
pub fn noun(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        format!("{noun}s")
    }
}

/// The candidate nearest to `word` if it is near enough to be a likely typo: within a
/// Damerau–Levenshtein distance of a third of the longer word (at least 1, at most 3),
/// or one is a prefix of the other. Ties go to the earlier candidate.
pub fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let w = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let lc = c.to_lowercase();
        if lc == w {
            return Some(c);
        }
        let d = strsim::damerau_levenshtein(&w, &lc);
        let longer = w.chars().count().max(lc.chars().count());
        let limit = (longer / 3).clamp(1, 3);
        let prefix = w.len() >= 3 && (lc.starts_with(&w) || w.starts_with(&lc));
        if (d <= limit || prefix) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// "; did you mean `x`?" for the nearest candidate, or "" when none is near.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(word, candidates).map_or_else(String::new, |c| format!("; did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "sprint"), "1 sprint");
        assert_eq!(count(0, "sprint"), "0 sprints");
        assert_eq!(count(2, "scenario"), "2 scenarios");
        assert_eq!(count_irregular(1, "query", "queries"), "1 query");
        assert_eq!(count_irregular(5, "query", "queries"), "5 queries");
        assert_eq!(noun(1, "run"), "run");
        assert_eq!(noun(7, "run"), "runs");
    }

    #[test]
    fn suggests_the_nearest_only_when_near() {
        let presets = [
            "aligned",
            "siloed-pm",
            "overloaded-po",
            "blurred-roles",
            "forecast",
        ];
        assert_eq!(nearest("siloed", presets), Some("siloed-pm"));
        assert_eq!(nearest("aligend", presets), Some("aligned"));
        assert_eq!(nearest("overloaded", presets), Some("overloaded-po"));
        assert_eq!(nearest("forcast", presets), Some("forecast"));
        assert_eq!(nearest("xyz", presets), None);
        assert_eq!(nearest("my-team", presets), None);
        let keys = ["capacity", "lanes", "commitment_factor", "velocity_window"];
        assert_eq!(nearest("lanez", keys), Some("lanes"));
        assert_eq!(nearest("capacty", keys), Some("capacity"));
        assert_eq!(nearest("velocity", keys), Some("velocity_window"));
        assert_eq!(did_you_mean("lane", keys), "; did you mean `lanes`?");
        assert_eq!(did_you_mean("qqqq", keys), "");
    }
}
