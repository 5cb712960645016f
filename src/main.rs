//! gradstep: a terminal tutor for gradient descent.
//!
//! Temporary wiring: only `gradstep serve` (with the demo tutor) exists yet; the full CLI
//! replaces this file.
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "gradstep",
    version,
    about = "A terminal tutor for gradient descent"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the tutor over SSH (for now: the demo tutor).
    Serve(gradstep::ssh::ServeArgs),
}

fn main() {
    match Cli::parse().command {
        Some(Command::Serve(args)) => std::process::exit(gradstep::ssh::run_serve(
            args,
            gradstep::ssh::demo::factory(),
        )),
        None => println!("gradstep: work in progress (try `gradstep serve --help`)"),
    }
}
