//! `gradstep class report`: what a class did, from the progress files `gradstep serve` keeps
//! (one per key, and per user name with `--progress-by-name`), one row per student per lesson.
//!
//! The report only reads: no lock is taken and nothing is moved aside, so it can run while the
//! server is up. A file it cannot use is named on stderr with the reason and left out; the
//! exit status is 1 only when there were progress files and none could be read (2 for a
//! missing folder or bad flags), so a teacher's script notices an empty result.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::UsageError;
use crate::lesson::{Lang, Loaded};
use crate::progress::Progress;

#[derive(Debug, Args)]
pub struct ClassArgs {
    #[command(subcommand)]
    pub command: ClassCommand,
}

#[derive(Debug, Subcommand)]
pub enum ClassCommand {
    /// One row per student per lesson: name, key fingerprint, pages seen, exercises solved /
    /// attempts, active time. Reads the progress `gradstep serve` kept; changes nothing.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// table: aligned columns to read; csv: a header, then one row each; json: an array.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The server's progress folder. Default: where `gradstep serve` keeps it,
    /// $XDG_DATA_HOME/gradstep/ssh-progress.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// One student in one lesson. Times are active seconds: gaps between inputs, each at most
/// [`crate::progress::IDLE_CAP`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub name: String,
    /// `None` for a student kept by user name.
    pub fingerprint: Option<String>,
    pub lesson: String,
    pub pages_seen: usize,
    /// `None` for a lesson the served lessons no longer have.
    pub pages: Option<usize>,
    pub solved: usize,
    pub exercises: Option<usize>,
    pub attempts: u64,
    pub seconds: u64,
}

/// A progress file that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    pub path: PathBuf,
    pub why: String,
}

/// One student's progress file, as read.
pub type Student = (PathBuf, Progress);

/// What a progress folder held: the files read, and those that could not be.
pub type Folder = (Vec<Student>, Vec<Unread>);

/// Every student's file in `dir`: keys' files at the top, names' in `names/`. Lock files,
/// temporary files and files set aside (`.corrupt`) are not progress and are skipped.
pub fn read_dir(dir: &Path) -> Result<Folder, UsageError> {
    let mut paths = progress_files(dir).map_err(|e| {
        UsageError(format!(
            "cannot read the progress folder {}: {e}{}",
            dir.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                " (no student has saved progress there yet, or --dir names the wrong folder)"
            } else {
                ""
            }
        ))
    })?;
    let names = dir.join(crate::progress::NAMES_DIR);
    let mut names_unread = None;
    if names.is_dir() {
        match progress_files(&names) {
            Ok(more) => paths.extend(more),
            Err(e) => {
                let why = format!("could not be read as a folder ({e})");
                names_unread = Some(Unread { path: names, why });
            }
        }
    }
    let (read, mut unread) = read_all(paths);
    unread.extend(names_unread);
    Ok((read, unread))
}

fn read_all(paths: Vec<PathBuf>) -> Folder {
    let mut read = Vec::new();
    let mut unread = Vec::new();
    for path in paths {
        match Progress::read_only(&path) {
            Ok(p) => read.push((path, p)),
            Err(why) => unread.push(Unread { path, why }),
        }
    }
    (read, unread)
}

/// `*.toml` in `dir`, not hidden (the server's temporary files start with a dot), sorted.
fn progress_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(name) = name else { continue };
        if name.starts_with('.') || !name.ends_with(".toml") || path.is_dir() {
            continue;
        }
        paths.push(path);
    }
    paths.sort();
    Ok(paths)
}

/// The rows for every student: each lesson of the course in course order, then any lesson
/// the file has that the course does not. Students by name, then fingerprint.
pub fn rows(students: &[Student], lessons: &Loaded) -> Vec<Row> {
    let mut out = Vec::new();
    let mut order: Vec<&Student> = students.iter().collect();
    order.sort_by_key(|(path, p)| (who(path, p), p.fingerprint().map(str::to_string)));
    for (path, p) in order {
        let name = who(path, p);
        let fingerprint = p.fingerprint().map(str::to_string);
        let row = |lesson: &str, pages: Option<usize>, exercises: Option<usize>| {
            let (solved, attempts) = p.exercise_totals(lesson);
            Row {
                name: name.clone(),
                fingerprint: fingerprint.clone(),
                lesson: lesson.to_string(),
                pages_seen: p.pages_seen(lesson),
                pages,
                solved,
                exercises,
                attempts,
                seconds: p.active_time(lesson).as_secs(),
            }
        };
        for l in &lessons.lessons {
            out.push(row(
                &l.id,
                Some(l.pages.len()),
                Some(l.exercise_ids().len()),
            ));
        }
        for id in p.lesson_ids() {
            if lessons.get(id).is_none() {
                out.push(row(id, None, None));
            }
        }
    }
    out
}

/// The name saved in the file; for a file from before names were saved, its file name.
fn who(path: &Path, p: &Progress) -> String {
    p.name().map(str::to_string).unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    })
}

/// `gradstep class report`: prints the rows, names each unusable file on `err`; returns the
/// exit status. A reader that stops early (`| head`) is not an error.
pub fn report(
    args: &ReportArgs,
    lessons: &Loaded,
    lang: Lang,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32, UsageError> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => crate::progress::server_dir().ok_or_else(|| {
            UsageError("no data directory to find the server's progress in; pass --dir".into())
        })?,
    };
    let (students, unread) = read_dir(&dir)?;
    let rows = rows(&students, lessons);
    let written = match args.format {
        Format::Table => write_table(&rows, lang, out),
        Format::Csv => write_csv(&rows, out),
        Format::Json => serde_json::to_writer_pretty(&mut *out, &rows)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        Err(e) => return Err(UsageError(format!("could not write the report: {e}"))),
    }
    // Stderr is for the teacher; if it is gone there is no one left to tell.
    for u in &unread {
        let _ = writeln!(
            err,
            "gradstep class report: {} {}; left out of the report",
            u.path.display(),
            u.why
        );
    }
    if students.is_empty() && unread.is_empty() {
        let _ = writeln!(
            err,
            "gradstep class report: no progress files in {} yet",
            dir.display()
        );
    }
    Ok(if students.is_empty() && !unread.is_empty() {
        1
    } else {
        0
    })
}

fn write_csv(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "name",
        "fingerprint",
        "lesson",
        "pages_seen",
        "pages",
        "solved",
        "exercises",
        "attempts",
        "seconds",
    ])?;
    let opt = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    for r in rows {
        w.write_record([
            r.name.clone(),
            r.fingerprint.clone().unwrap_or_else(|| "-".into()),
            r.lesson.clone(),
            r.pages_seen.to_string(),
            opt(r.pages),
            r.solved.to_string(),
            opt(r.exercises),
            r.attempts.to_string(),
            r.seconds.to_string(),
        ])?;
    }
    w.flush()
}

/// `1h 02m`, `6m 05s`, `45s`.
pub fn human_time(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

fn write_table(rows: &[Row], lang: Lang, out: &mut dyn Write) -> std::io::Result<()> {
    let header: [&str; 7] = match lang {
        Lang::Zh => [
            "学生",
            "密钥指纹",
            "课",
            "看过的页",
            "答对的题",
            "作答次数",
            "用时",
        ],
        Lang::En => [
            "name",
            "key fingerprint",
            "lesson",
            "pages seen",
            "solved",
            "attempts",
            "time",
        ],
    };
    let of = |n: usize, total: Option<usize>| match total {
        Some(t) => format!("{n}/{t}"),
        None => format!("{n}/?"),
    };
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                // Names are chosen by whoever logged in: show control characters escaped.
                crate::ssh::logsafe::escaped(&r.name),
                r.fingerprint.clone().unwrap_or_else(|| "-".into()),
                r.lesson.clone(),
                of(r.pages_seen, r.pages),
                of(r.solved, r.exercises),
                r.attempts.to_string(),
                human_time(r.seconds),
            ]
        })
        .collect();
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    let line = |cols: &[&str]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cols.len() {
                s.push_str(&" ".repeat(w.saturating_sub(c.width())));
            }
        }
        s
    };
    writeln!(out, "{}", line(&header))?;
    for row in &cells {
        let cols: Vec<&str> = row.iter().map(String::as_str).collect();
        writeln!(out, "{}", line(&cols))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_hours_minutes_seconds() {
        assert_eq!(human_time(0), "0s");
        assert_eq!(human_time(45), "45s");
        assert_eq!(human_time(365), "6m 05s");
        assert_eq!(human_time(3720), "1h 02m");
    }
}
