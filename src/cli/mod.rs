//! The command line: parsing (clap) and the headless commands. No terminal UI here.

pub mod run;

use std::fmt;
use std::io::Write;

use clap::{Parser, Subcommand};

/// A message for the user about the command line or an input file: printed on stderr, exit 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

#[derive(Debug, Parser)]
#[command(
    name = "gradstep",
    version,
    about = "A terminal tutor for gradient descent: every step, every number, undoable.",
    after_help = "Run with no command to open the tutor."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run gradient descent headless and print every step (table, CSV or JSON).
    Run(run::RunArgs),
}

/// Parses the arguments and runs the command; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match cli.command {
        Some(Command::Run(args)) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match run::execute(&args, &mut out) {
                Ok(()) => 0,
                Err(e) => {
                    let _ = out.flush();
                    eprintln!("gradstep run: {e}");
                    2
                }
            }
        }
        None => {
            println!("gradstep: a terminal tutor for gradient descent.\n");
            println!("Commands:");
            println!(
                "  gradstep run --formula \"x^2 + x*y + y^2\" --start 3,4 --lr 0.1 --steps 10"
            );
            println!("  gradstep run --model logistic --x 3,2 --y 1 --lr 0.1 --steps 1");
            println!("  gradstep --help");
            0
        }
    }
}
