//! The commands, one file each: a command's typed arguments turned into options, the work
//! (or a call into the computing modules of `analysis`), what it writes and prints.
//! [`crate::app`] only dispatches a parsed command line to them and turns the result into the
//! exit code.

pub mod attribute;
pub mod calibrate;
pub mod check;
pub mod init;
pub mod plot;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod trace;
pub mod validate;

use crate::cli::Format;

pub fn image_format(format: Format) -> crate::output::ImageFormat {
    match format {
        Format::Png => crate::output::ImageFormat::Png,
        Format::Svg => crate::output::ImageFormat::Svg,
        Format::Both => crate::output::ImageFormat::Both,
    }
}

/// The options sweep and sensitivity share, from their shared arguments.
fn analysis_run(c: &crate::cli::AnalysisArgs) -> crate::analysis::AnalysisRun {
    crate::analysis::AnalysisRun {
        runs: c.runs,
        seed: c.seed,
        precision: c.precision,
        max_runs: c.max_runs,
        out: c.output.out.clone(),
        format: image_format(c.output.format),
        no_charts: c.output.no_charts,
        quiet: c.output.quiet,
        allow_large: c.allow_large,
    }
}

/// A path as one shell word: unchanged when it holds only safe characters, else in single
/// quotes (`my team.toml` becomes `'my team.toml'`); `./` before a leading `-`.
pub fn shell_quote(word: &str) -> String {
    // A path that starts with `-` would be read as a flag: `./-x.toml` is the same file.
    if word.starts_with('-') {
        return shell_quote(&format!("./{word}"));
    }
    let safe = |c: char| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
