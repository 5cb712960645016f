//! `gradstep lessons`, `gradstep check` and `gradstep lesson ID` (as text until the tutor
//! opens it): the lessons from the command line, without a terminal UI.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::UsageError;
use crate::lesson::ChartKind;
use crate::lesson::{self, Lang, Loaded, claims};
use crate::math::model::ModelKind;

/// Lists the lessons in order: id and title.
#[derive(Debug, Clone, Args, Default)]
pub struct LessonsArgs {
    /// Read lessons from this directory instead of the built-in ones (also: GRADSTEP_LESSONS).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Validates every lesson file and runs the checks each lesson asserts.
#[derive(Debug, Clone, Args, Default)]
#[command(
    after_help = "Problems are printed as file:line:column: message (exit status 2).
Without DIR: ./lessons if it exists, else the lessons built into gradstep."
)]
pub struct CheckArgs {
    /// The lessons directory.
    pub dir: Option<PathBuf>,
}

/// Prints one lesson's pages as text (the tutor will open it here).
#[derive(Debug, Clone, Args, Default)]
pub struct LessonArgs {
    /// The lesson's id, as `gradstep lessons` lists it.
    pub id: String,
    /// Read lessons from this directory instead of the built-in ones (also: GRADSTEP_LESSONS).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print the lesson's pages as text instead of opening the tutor.
    #[arg(long)]
    pub print: bool,
}

fn io(e: std::io::Error) -> UsageError {
    UsageError(format!("cannot write the output: {e}"))
}

/// The lessons the tutor would use, with problems reported on stderr: a broken file is named,
/// never silently dropped.
fn load_reporting(dir: Option<&Path>, err: &mut dyn Write) -> Result<Loaded, UsageError> {
    let loaded = match dir {
        Some(d) => load_named_dir(d)?,
        None => lesson::load(None),
    };
    for p in &loaded.problems {
        let _ = writeln!(err, "{p}");
    }
    Ok(loaded)
}

pub fn list(
    args: &LessonsArgs,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), UsageError> {
    let loaded = load_reporting(args.dir.as_deref(), err)?;
    let width = loaded.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    for l in &loaded.lessons {
        writeln!(out, "{:<width$}  {}", l.id, l.title.get(lang)).map_err(io)?;
    }
    if loaded.lessons.is_empty() {
        return Err(UsageError("no lessons found".into()));
    }
    Ok(())
}

/// Returns the exit status: 0 when every file is valid and every check holds, else 2.
pub fn check(
    args: &CheckArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, UsageError> {
    let default = Path::new("lessons");
    let (loaded, source) = match &args.dir {
        Some(d) => (lesson::load_dir(d), d.display().to_string()),
        None if default.is_dir() => (lesson::load_dir(default), "lessons".to_string()),
        None => (lesson::load_embedded(), "the built-in lessons".to_string()),
    };
    let problems = problems(&loaded);
    for l in &loaded.lessons {
        let n = l.claims.len();
        if !problems.iter().any(|p| p.file == l.file) {
            writeln!(
                out,
                "ok  {}: {} page{}, {n} check{} passed",
                l.id,
                l.pages.len(),
                if l.pages.len() == 1 { "" } else { "s" },
                if n == 1 { "" } else { "s" }
            )
            .map_err(io)?;
        }
    }
    for p in &problems {
        writeln!(err, "{p}").map_err(io)?;
    }
    if problems.is_empty() {
        if loaded.lessons.is_empty() {
            writeln!(err, "no lesson files (*.toml) in {source}").map_err(io)?;
            return Ok(2);
        }
        Ok(0)
    } else {
        let files: std::collections::BTreeSet<&str> =
            problems.iter().map(|p| p.file.as_str()).collect();
        writeln!(
            err,
            "{} problem{} in {} file{} ({source})",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )
        .map_err(io)?;
        Ok(2)
    }
}

/// Everything `gradstep check` would report for these lessons: the files that did not load
/// and every claim that does not hold, in file and line order. `gradstep serve --lessons`
/// refuses to start on any of them, so a class never meets a lesson its author got wrong.
pub fn problems(loaded: &Loaded) -> Vec<lesson::Problem> {
    let mut problems = loaded.problems.clone();
    for l in &loaded.lessons {
        problems.extend(claims::verify_all(l));
    }
    problems.sort_by(|a, b| (&a.file, a.place).cmp(&(&b.file, b.place)));
    problems
}

/// The lessons in a directory named on the command line (`--lessons DIR`), or why they cannot
/// be used at all: the directory is missing, is not a directory, or holds no lesson file.
/// Problems in single files are left in [`Loaded::problems`] for the caller to weigh.
pub fn load_named_dir(dir: &Path) -> Result<Loaded, UsageError> {
    let shown = dir.display();
    if !dir.exists() {
        return Err(UsageError(format!(
            "the lessons directory {shown} does not exist"
        )));
    }
    if !dir.is_dir() {
        return Err(UsageError(format!(
            "{shown} is not a directory; --lessons takes a directory of lesson files (*.toml)"
        )));
    }
    let loaded = lesson::load_dir(dir);
    if loaded.lessons.is_empty() && loaded.problems.is_empty() {
        return Err(UsageError(format!(
            "no lesson files (*.toml) in {shown}; see lessons/ in the gradstep sources for the format"
        )));
    }
    Ok(loaded)
}

pub fn show(
    args: &LessonArgs,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), UsageError> {
    let loaded = load_reporting(args.dir.as_deref(), err)?;
    let Some(l) = loaded.get(&args.id) else {
        let ids: Vec<&str> = loaded.lessons.iter().map(|l| l.id.as_str()).collect();
        return Err(UsageError(format!(
            "no lesson '{}' (lessons: {})",
            args.id,
            ids.join(", ")
        )));
    };
    writeln!(out, "# {}\n{}\n", l.title.get(lang), l.summary.get(lang)).map_err(io)?;
    for (i, p) in l.pages.iter().enumerate() {
        let s = &p.scene;
        let page = match lang {
            Lang::Zh => format!("第 {}/{} 页", i + 1, l.pages.len()),
            Lang::En => format!("page {}/{}", i + 1, l.pages.len()),
        };
        let what = match &s.objective {
            crate::math::Objective::Formula(f) => f.source().to_string(),
            crate::math::Objective::Model(m) => match (lang, m.kind) {
                (Lang::Zh, ModelKind::Logistic) => "逻辑回归".into(),
                (Lang::Zh, ModelKind::Linear) => "线性回归".into(),
                (Lang::En, kind) => format!("{kind} regression"),
            },
        };
        writeln!(
            out,
            "── {page} ── {} · {what} · η = {}",
            view_name(s.view, lang),
            crate::numfmt::short(s.lr),
        )
        .map_err(io)?;
        writeln!(out, "{}", p.text.get(lang)).map_err(io)?;
        if !s.race.is_empty() && p.scene_changed {
            let main = match lang {
                Lang::Zh => s.label_zh().unwrap_or_else(|| s.label()),
                Lang::En => s.label(),
            };
            let labels: Vec<String> = std::iter::once(main)
                .chain(s.race.iter().map(|r| match (lang, &r.label_zh) {
                    (Lang::Zh, Some(zh)) => zh.clone(),
                    _ => r.label.clone(),
                }))
                .collect();
            writeln!(out, "  ⇉ {}", labels.join(" | ")).map_err(io)?;
        }
        if let Some(e) = &p.exercise {
            writeln!(out, "  ? {}", e.prompt.get(lang)).map_err(io)?;
            // A printout is read away from the run: the worked answer goes with its question.
            writeln!(out, "  = {}", e.explain.get(lang)).map_err(io)?;
        }
        writeln!(out).map_err(io)?;
    }
    Ok(())
}

/// The page's view as a reader of the printout calls it (the lesson file's `view` names are
/// English keywords).
fn view_name(view: ChartKind, lang: Lang) -> &'static str {
    match (lang, view) {
        (Lang::En, v) => v.name(),
        (Lang::Zh, ChartKind::Slope) => "斜率",
        (Lang::Zh, ChartKind::Surface) => "曲面",
        (Lang::Zh, ChartKind::Taylor) => "泰勒",
        (Lang::Zh, ChartKind::Model) => "模型",
    }
}
