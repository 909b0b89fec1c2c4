//! The dispatch: a parsed command line handed to its command (`crate::commands`), and the
//! result turned into the exit code. `main.rs` only parses the command line and calls
//! [`main`].

use crate::cli::{Cli, Command, RunArgs};
use crate::commands::{
    attribute, calibrate, check, init, plot, run, sensitivity, sweep, trace, validate,
};
use crate::error::exit_code;

/// Run a parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    crate::output::atomic::set_force(match &cli.command {
        Some(Command::Run(a)) => a.force,
        Some(Command::Sweep(a)) => a.common.output.force,
        Some(Command::Sensitivity(a)) => a.common.output.force,
        Some(Command::Attribute(a)) => a.output.force,
        Some(Command::Trace(a)) => a.force,
        Some(Command::Calibrate(a)) => a.force,
        Some(Command::Validate(a)) => a.output.force,
        Some(Command::Plot { force, .. }) => *force,
        Some(Command::Workshop { force, .. }) => *force,
        _ => false,
    });
    crate::output::charts::set_projector(cli.theme == crate::cli::Theme::Projector);
    let result = match cli.command {
        None => run::run(&RunArgs::default()).map(|_| ()),
        Some(Command::Run(args)) => run::run(&args).map(|_| ()),
        Some(Command::Check { files, allow_large }) => check::check(&files, allow_large),
        Some(Command::Scenarios) => check::list_scenarios(),
        Some(Command::Init { name, extends }) => init::init(&name, &extends),
        Some(Command::Plot { dir, format, .. }) => plot::plot(&dir, format),
        Some(Command::Sweep(args)) => sweep::sweep(&args).map(|_| ()),
        Some(Command::Sensitivity(args)) => sensitivity::sensitivity(&args).map(|_| ()),
        Some(Command::Attribute(args)) => attribute::attribute(&args).map(|_| ()),
        Some(Command::Calibrate(args)) => calibrate::command(&args).map(|_| ()),
        Some(Command::Trace(args)) => trace::command(&args).map(|_| ()),
        Some(Command::Validate(args)) => validate::validate(&args).map(|_| ()),
        Some(Command::Serve {
            scenarios,
            port,
            host,
        }) => crate::serve::run(&crate::serve::ServeOptions {
            scenarios,
            host,
            port,
        }),
        Some(Command::Workshop { out, quiet, force }) => {
            let opts = crate::workshop::WorkshopOptions { out, quiet, force };
            crate::workshop::run(&opts, &|args| run::run(args).map(|o| o.files)).map(|_| ())
        }
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "backsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            // A folder this command created and left empty goes.
            crate::output::atomic::remove_new_empty_dirs();
            // A closed pipe (`backsim check x | head`) is not an error worth a message.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return 0;
            }
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}
