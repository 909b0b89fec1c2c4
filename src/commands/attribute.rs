//! `backsim attribute`: a scenario's difference from a baseline shared among the mechanisms
//! (`analysis::attribute`).

use super::image_format;
use anyhow::Result;

/// `backsim attribute`.
pub fn attribute(
    args: &crate::cli::AttributeArgs,
) -> Result<crate::analysis::attribute::AttributeOutcome> {
    use crate::analysis::attribute::{run, AttributeOptions};
    run(&AttributeOptions {
        scenario: args.scenario.clone(),
        baseline: args.baseline.clone(),
        metrics: args.metrics.clone(),
        merge: args.merge.clone(),
        by: match args.by {
            crate::cli::AttributeBy::Mechanism => crate::analysis::attribute::By::Mechanism,
            crate::cli::AttributeBy::Structure => crate::analysis::attribute::By::Structure,
        },
        run: crate::analysis::AnalysisRun {
            runs: Some(args.runs),
            seed: args.seed,
            precision: None,
            max_runs: args.runs,
            out: args.output.out.clone(),
            format: image_format(args.output.format),
            no_charts: args.output.no_charts,
            quiet: args.output.quiet,
            allow_large: args.allow_large,
        },
    })
}
