//! `backsim sweep`: many variants of one scenario on the same worlds (`analysis::sweep`).

use super::analysis_run;
use crate::cli::SweepArgs;
use anyhow::Result;

/// `backsim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<crate::analysis::sweep::SweepOutcome> {
    crate::analysis::sweep::run(&crate::analysis::sweep::SweepOptions {
        scenario: args.scenario.clone(),
        params: args.params.clone(),
        samples: args.samples,
        metrics: args.metrics.clone(),
        run: analysis_run(&args.common),
    })
}
