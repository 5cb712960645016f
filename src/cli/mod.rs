//! The command line: parsing (clap) and the headless commands. No terminal UI here.

pub mod lessons;
pub mod run;

use std::fmt;
use std::io::Write;

use clap::{Parser, Subcommand};

use crate::lesson::Lang;

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
    /// Language of the lesson texts: zh or en (default: from LC_ALL / LANG).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run gradient descent headless and print every step (table, CSV or JSON).
    // Boxed: its many flags would make every other variant as large.
    Run(Box<run::RunArgs>),
    /// List the lessons: id and title, in order.
    Lessons(lessons::LessonsArgs),
    /// Validate lesson files and run the checks they assert (exit 2 on any problem).
    Check(lessons::CheckArgs),
    /// Print one lesson's pages as text.
    Lesson(lessons::LessonArgs),
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
    let lang = Lang::choose(cli.lang);
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
        Some(Command::Lessons(args)) => {
            report("lessons", |out, err| lessons::list(&args, lang, out, err))
        }
        Some(Command::Lesson(args)) => {
            report("lesson", |out, err| lessons::show(&args, lang, out, err))
        }
        Some(Command::Check(args)) => {
            let stdout = std::io::stdout();
            let stderr = std::io::stderr();
            match lessons::check(&args, &mut stdout.lock(), &mut stderr.lock()) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("gradstep check: {e}");
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
            println!("  gradstep lessons");
            println!("  gradstep check lessons");
            println!("  gradstep --help");
            0
        }
    }
}

/// Runs a command writing to stdout and stderr; a usage error goes to stderr with exit 2.
fn report(
    name: &str,
    f: impl FnOnce(&mut dyn Write, &mut dyn Write) -> Result<(), UsageError>,
) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let result = f(&mut out, &mut stderr.lock());
    let _ = out.flush();
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("gradstep {name}: {e}");
            2
        }
    }
}
