//! Write a synthetic results folder and plot it: `cargo run --example plot_fixture -- DIR [SCENARIOS] [RUNS]`.

use std::path::PathBuf;
use std::time::Instant;

use backsim::output::{fixture, plot_dir, ImageFormat};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "fixture-output".into()));
    let scenarios = args.next().map(|s| s.parse()).transpose()?.unwrap_or(4);
    let runs = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    fixture::write(&dir, scenarios, runs)?;
    let t = Instant::now();
    let summary = plot_dir(&dir, ImageFormat::Both)?;
    eprintln!("{} files in {:.2?}", summary.files.len(), t.elapsed());
    for f in summary.files {
        println!("{}", f.display());
    }
    Ok(())
}
