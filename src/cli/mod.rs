//! The command line: parsing (clap) and the headless commands. No terminal UI here.

pub mod class;
pub mod diff;
pub mod docs;
pub mod lessons;
pub mod play;
pub mod run;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::lesson::Lang;
use crate::tui::Open;

/// A message for the user about the command line or an input file: printed on stderr, exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

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
    /// Draw the tutor with ASCII only (automatic when TERM is dumb or linux).
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Use the lessons in DIR (the format of lessons/) instead of the built-in ones. `serve`
    /// runs `gradstep check DIR` first and refuses to start on any problem.
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
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
    /// Open one lesson in the tutor (with --print: its pages as text).
    Lesson(lessons::LessonArgs),
    /// Open the tutor's sandbox on your own formula.
    Play(play::PlayArgs),
    /// Print the tutor's chart of a descent to stdout, without the TUI.
    Plot(play::PlotArgs),
    /// Print each partial derivative of a formula as a simplified formula.
    Diff(diff::DiffArgs),
    /// Serve the tutor over SSH: every learner gets their own session, nothing to install.
    Serve(crate::ssh::ServeArgs),
    /// What a class did on the server: `gradstep class report` (table, CSV or JSON).
    Class(class::ClassArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff) to stdout.
    Man,
}

/// What `main` should do after the command line is read.
pub enum Launch {
    /// A headless command ran; exit with this status.
    Exit(i32),
    Tutor(crate::tui::TutorRequest),
    /// Serve the tutor over SSH, with lessons and language already chosen.
    Serve(crate::ssh::ServeArgs, crate::lesson::Loaded, Lang),
}

/// Reads the command line and runs a headless command, or says which tutor to open.
pub fn dispatch() -> Launch {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return Launch::Exit(e.exit_code());
        }
    };
    let lang = Lang::choose(cli.lang);
    let tutor = |open: Open, lessons: crate::lesson::Loaded, ascii: bool| {
        Launch::Tutor(crate::tui::TutorRequest {
            lang,
            ascii: cli.ascii || ascii,
            lessons,
            open,
        })
    };
    let flag = cli.lessons.as_deref();
    Launch::Exit(match cli.command {
        None => match lessons_for("gradstep", flag) {
            Ok(loaded) => return tutor(Open::Start, loaded, false),
            Err(code) => code,
        },
        Some(Command::Serve(args)) => match lessons_for_serve(flag) {
            Ok(loaded) => return Launch::Serve(args, loaded, lang),
            Err(code) => code,
        },
        Some(Command::Lesson(args)) if !args.print => {
            // Say so on the command line, not inside a full-screen app, if the id is wrong.
            match lessons_for("gradstep lesson", args.dir.as_deref().or(flag)) {
                Ok(loaded) if loaded.get(&args.id).is_some() => {
                    return tutor(Open::Lesson(args.id.clone()), loaded, false);
                }
                Ok(loaded) => no_such_lesson(&args.id, &loaded),
                Err(code) => code,
            }
        }
        Some(Command::Play(args)) => match args.formula.spec() {
            Ok(spec) => match lessons_for("gradstep play", flag) {
                Ok(loaded) => return tutor(Open::Sandbox(spec), loaded, args.ascii),
                Err(code) => code,
            },
            Err(e) => {
                eprintln!("gradstep play: {e}");
                2
            }
        },
        Some(Command::Plot(args)) => print_plot(&args, cli.ascii),
        Some(Command::Run(args)) => run_steps(&args),
        Some(Command::Diff(args)) => report("diff", |out, _| diff::execute(&args, out)),
        Some(Command::Completions(args)) => report("completions", |out, _| {
            docs::completions(args.shell, out).map_err(|e| UsageError(e.to_string()))
        }),
        Some(Command::Man) => report("man", |out, _| {
            docs::man(out).map_err(|e| UsageError(e.to_string()))
        }),
        Some(Command::Lessons(mut args)) => {
            args.dir = args.dir.or(cli.lessons);
            report("lessons", |out, err| lessons::list(&args, lang, out, err))
        }
        Some(Command::Lesson(mut args)) => {
            args.dir = args.dir.or(cli.lessons);
            report("lesson", |out, err| lessons::show(&args, lang, out, err))
        }
        Some(Command::Class(class::ClassArgs {
            command: class::ClassCommand::Report(args),
        })) => class_report(&args, flag, lang),
        Some(Command::Check(mut args)) => {
            args.dir = args.dir.or(cli.lessons);
            check_lessons(&args)
        }
    })
}

/// The lessons for the tutor: from `dir` when one was named (a missing or empty one is an
/// error, exit 2), else as [`crate::lesson::load`] finds them. Problems in single files are
/// left for the tutor's start screen to show.
fn lessons_for(cmd: &str, dir: Option<&Path>) -> Result<crate::lesson::Loaded, i32> {
    match dir {
        Some(d) => lessons::load_named_dir(d).map_err(|e| {
            eprintln!("{cmd}: {e}");
            2
        }),
        None => Ok(crate::lesson::load(None)),
    }
}

/// The lessons a server offers. From a directory (`--lessons`, or `GRADSTEP_LESSONS`) they
/// must pass every check `gradstep check` runs: a class must never meet a broken page, so one
/// problem anywhere keeps the server from starting, each printed as `file:line:col: message`.
fn lessons_for_serve(flag: Option<&Path>) -> Result<crate::lesson::Loaded, i32> {
    let env = std::env::var_os(crate::lesson::load::ENV_DIR).filter(|d| !d.is_empty());
    let Some(dir) = flag.map(Path::to_path_buf).or(env.map(PathBuf::from)) else {
        let loaded = crate::lesson::load_embedded();
        for p in &loaded.problems {
            eprintln!("gradstep serve: {p}");
        }
        return Ok(loaded);
    };
    let loaded = lessons_for("gradstep serve", Some(&dir))?;
    let problems = lessons::problems(&loaded);
    if problems.is_empty() {
        println!(
            "lessons: {} from {}, every check passed",
            loaded.lessons.len(),
            dir.display()
        );
        return Ok(loaded);
    }
    for p in &problems {
        eprintln!("{p}");
    }
    eprintln!(
        "gradstep serve: not starting: {} problem{} in the lessons in {} (fix them, then \
         `gradstep check {}` must pass)",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        dir.display(),
        dir.display()
    );
    Err(2)
}

/// `gradstep lesson ID` with an unknown id: names the lessons there are; exit 2.
fn no_such_lesson(id: &str, loaded: &crate::lesson::Loaded) -> i32 {
    let ids: Vec<&str> = loaded.lessons.iter().map(|l| l.id.as_str()).collect();
    eprintln!(
        "gradstep lesson: no lesson '{}' (lessons: {})",
        id,
        ids.join(", ")
    );
    2
}

/// `gradstep plot`: the chart on stdout, ASCII when either `--ascii` asks for it.
fn print_plot(args: &play::PlotArgs, ascii: bool) -> i32 {
    let glyphs = if args.ascii || ascii {
        crate::chart::Glyphs::Ascii
    } else {
        crate::chart::Glyphs::Unicode
    };
    match play::plot(args, glyphs) {
        Ok(text) => {
            print!("{text}");
            0
        }
        Err(e) => {
            eprintln!("gradstep plot: {e}");
            2
        }
    }
}

/// `gradstep run`: the steps stream to stdout; what was printed before an error is kept.
fn run_steps(args: &run::RunArgs) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run::execute(args, &mut out) {
        Ok(()) => 0,
        Err(e) => {
            let _ = out.flush();
            eprintln!("gradstep run: {e}");
            2
        }
    }
}

/// `gradstep class report`: the lessons give each row its page and exercise counts.
fn class_report(args: &class::ReportArgs, lessons: Option<&Path>, lang: Lang) -> i32 {
    let loaded = match lessons_for("gradstep class report", lessons) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let result = class::report(args, &loaded, lang, &mut out, &mut stderr.lock());
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gradstep class report: {e}");
            2
        }
    }
}

/// `gradstep check`: its own exit code (2 on any problem in the lessons).
fn check_lessons(args: &lessons::CheckArgs) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    match lessons::check(args, &mut stdout.lock(), &mut stderr.lock()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gradstep check: {e}");
            2
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
