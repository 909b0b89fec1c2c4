use clap::Parser;

fn main() {
    let cli = backsim::cli::Cli::parse();
    std::process::exit(backsim::app::main(cli));
}
