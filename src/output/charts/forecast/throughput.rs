//! `flow_velocity` of a forecast-only run.

use super::*;

/// `flow_velocity` of a forecast-only run: the throughput per sprint (median and P10–P90),
/// in the run's units; a forecast has no commitment to compare it with.
pub fn draw_throughput<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let entries = fan_entries(r);
    let plot = frame(
        root,
        &format!("Throughput: {work} finished per {noun}"),
        Some(&format!(
            "{}; a run that is done finishes nothing more",
            band_text(r)
        )),
        &entries,
    )?;
    fan_panel(
        &plot,
        r,
        "velocity",
        &format!("{} finished", capitalized(work)),
        None,
        false,
    )?;
    Ok(())
}
