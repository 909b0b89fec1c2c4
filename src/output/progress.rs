//! The progress bar of long work (`run`, `sweep`, `sensitivity`), and the size check that
//! asks for `--allow-large` before work of many millions of replications.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;

/// A bar of `total` replications on stderr when stdout is a terminal and not `quiet`,
/// else a hidden one. The rate is shown rounded (`2 345 runs/s`), with the time left.
pub fn bar(total: u64, quiet: bool, message: String) -> ProgressBar {
    if quiet || !std::io::stdout().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_draw_target(ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:40}] {pos}/{len} runs ({rate}, {eta} left)",
        )
        .expect("valid template")
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", crate::format::runs_per_second(s.per_sec()));
        })
        .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// Work above this many replications (variants × runs) asks for `--allow-large`.
pub const LARGE_REPLICATIONS: u64 = 5_000_000;

/// CPU seconds per simulated sprint of one replication, measured on the default presets
/// (`backsim run aligned --runs 20000 --no-charts`: 7.4 s of CPU for 520 000 sprints).
/// Only for the estimate shown before large work; the real speed varies with the scenario.
pub const SECONDS_PER_SPRINT: f64 = 14e-6;

/// The rough wall time of `replications` of `sprints` sprints on `threads` threads, in words.
pub fn estimate(replications: u64, sprints: u64, threads: usize) -> String {
    let secs = replications as f64 * sprints as f64 * SECONDS_PER_SPRINT / threads.max(1) as f64;
    let cores = crate::words::count(threads as u64, "core");
    if secs < 90.0 {
        format!(
            "about {} on {cores}",
            crate::words::count(secs.ceil() as u64, "second")
        )
    } else if secs < 5400.0 {
        format!(
            "about {} on {cores}",
            crate::words::count((secs / 60.0).round() as u64, "minute")
        )
    } else {
        format!("about {:.1} hours on {cores}", secs / 3600.0)
    }
}

/// Refuse work of more than [`LARGE_REPLICATIONS`] replications unless `allow_large`, saying
/// how long it would take; when allowed, print that estimate before starting (unless quiet).
pub fn check_large(
    what: &str,
    replications: u64,
    sprints: u64,
    allow_large: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    if replications <= LARGE_REPLICATIONS {
        return Ok(());
    }
    let eta = estimate(replications, sprints, rayon::current_num_threads());
    if !allow_large {
        return Err(crate::error::input_error(format!(
            "{what} = {replications} replications, {eta}: above {LARGE_REPLICATIONS}, so backsim asks first; pass --allow-large to run it, or use fewer --runs or points"
        )));
    }
    if !quiet {
        eprintln!("{what} = {replications} replications: {eta}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_estimates_read_as_words() {
        assert_eq!(crate::format::runs_per_second(2345.678), "2346 runs/s");
        assert_eq!(crate::format::runs_per_second(0.44), "0.4 runs/s");
        assert_eq!(estimate(1, 1, 1), "about 1 second on 1 core");
        // 10 M replications of 26 sprints on 2 cores: 1820 s.
        assert_eq!(estimate(10_000_000, 26, 2), "about 30 minutes on 2 cores");
        assert_eq!(estimate(100_000_000, 26, 2), "about 5.1 hours on 2 cores");
    }

    #[test]
    fn large_work_needs_allow_large() {
        assert!(check_large("x", LARGE_REPLICATIONS, 26, false, true).is_ok());
        let err = check_large("sweep: 60 points × 100000 runs", 6_000_000, 26, false, true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--allow-large") && err.contains("6000000 replications"),
            "{err}"
        );
        assert!(check_large("x", 6_000_000, 26, true, true).is_ok());
    }
}
