//! `backsim sensitivity`: tornado or Morris screening of one scenario's levers
//! (`analysis::sensitivity`).

use super::analysis_run;
use crate::cli::{SensitivityArgs, SensitivityMethod};
use anyhow::Result;

/// `backsim sensitivity`.
pub fn sensitivity(
    args: &SensitivityArgs,
) -> Result<crate::analysis::sensitivity::SensitivityOutcome> {
    use crate::analysis::sensitivity::{run, Method, SensitivityOptions};
    run(&SensitivityOptions {
        scenario: args.scenario.clone(),
        metric: args.metric.clone(),
        method: match args.method {
            SensitivityMethod::Tornado => Method::Tornado,
            SensitivityMethod::Morris => Method::Morris,
        },
        trajectories: args.trajectories,
        run: analysis_run(&args.common),
    })
}
