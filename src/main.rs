use clap::Parser;

fn main() {
    let cli = backsim::cli::Cli::parse();
    // Ctrl-C / SIGTERM remove pending temporary files before exiting (130 / 143).
    if let Err(e) = backsim::output::atomic::install_signal_cleanup() {
        eprintln!("warning: {e:#}");
    }
    std::process::exit(backsim::app::main(cli));
}
