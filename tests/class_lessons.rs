//! A teacher's own lessons: `--lessons DIR` for `serve`, the local tutor, `lesson`, `lessons`
//! and `check`. The server refuses to start on any lesson `gradstep check` would fail, naming
//! file:line:col; a missing or empty directory gets a message, never a tutor with no lessons.

#[path = "support/server.rs"]
mod server;

use std::path::Path;

use assert_cmd::Command;
use server::Server;

fn gradstep() -> Command {
    Command::cargo_bin("gradstep").expect("the binary builds")
}

fn lesson_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lessons")
        .join(name);
    std::fs::read_to_string(path).expect("a built-in lesson")
}

/// A teacher's directory with one good lesson (the built-in stopping lesson under another id).
fn good_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text =
        lesson_text("stopping.toml").replacen("id = \"stopping\"", "id = \"class-stopping\"", 1);
    std::fs::write(dir.path().join("class-stopping.toml"), text).unwrap();
    dir
}

/// The line and column (1-based) where `needle` starts in `text`.
fn place_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The good lesson plus one that parses but asserts a wrong step count (41 is right).
fn dir_with_a_false_claim() -> (tempfile::TempDir, String) {
    let dir = good_dir();
    let text = lesson_text("stopping.toml")
        .replacen("id = \"stopping\"", "id = \"wrong\"", 1)
        .replacen("stopped_at = 41", "stopped_at = 42", 1);
    std::fs::write(dir.path().join("wrong.toml"), &text).unwrap();
    (dir, text)
}

#[test]
fn serve_refuses_a_lessons_dir_with_a_false_claim_naming_file_line_col() {
    let (dir, text) = dir_with_a_false_claim();
    let data = tempfile::tempdir().unwrap();
    let out = gradstep()
        .args(["serve", "--listen", "127.0.0.1:0", "--lessons"])
        .arg(dir.path())
        .env("XDG_DATA_HOME", data.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stdout.contains("listening"),
        "it must not listen:\n{stdout}"
    );
    let file = dir.path().join("wrong.toml").display().to_string();
    let (line, _) = place_of(&text, "stopped_at = 42");
    let prefix = format!("{file}:{line}:");
    assert!(
        stderr.lines().any(|l| l.starts_with(&prefix)),
        "expected a line starting {prefix} in:\n{stderr}"
    );
    assert!(
        stderr.contains("gradstep serve: not starting: 1 problem"),
        "{stderr}"
    );
    // The good lesson is not blamed.
    assert!(!stderr.contains("class-stopping.toml"), "{stderr}");
    // `gradstep check DIR` says the same about the same place: the server ran those checks.
    let check = gradstep().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&check.stderr).contains(&prefix));
}

#[test]
fn serve_refuses_a_lesson_file_that_does_not_parse() {
    let dir = good_dir();
    let text = "id = \"broken\"\norder = 1\ntitle = { zh = \"a\", en = \"b\" \n";
    std::fs::write(dir.path().join("broken.toml"), text).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = gradstep()
        .args(["serve", "--listen", "127.0.0.1:0", "--lessons"])
        .arg(dir.path())
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = dir.path().join("broken.toml").display().to_string();
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&format!("{file}:")))
        .unwrap_or_else(|| panic!("no line naming {file} in:\n{stderr}"));
    // file:LINE:COL: message, both numbers present.
    let rest = &line[file.len() + 1..];
    let mut parts = rest.splitn(3, ':');
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{line}");
    assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{line}");
}

#[test]
fn serve_with_a_good_dir_says_what_it_serves_and_listens() {
    let dir = good_dir();
    let arg = dir.path().display().to_string();
    let server = Server::binary(&["--lessons", &arg]);
    assert!(
        server
            .banner
            .contains(&format!("lessons: 1 from {arg}, every check passed")),
        "{}",
        server.banner
    );
}

#[test]
fn a_missing_or_empty_dir_is_a_clear_error_for_every_command() {
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("no-such-dir");
    let data = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &Path, &str); 6] = [
        (
            &["serve", "--listen", "127.0.0.1:0"],
            &missing,
            "does not exist",
        ),
        (
            &["serve", "--listen", "127.0.0.1:0"],
            empty.path(),
            "no lesson files (*.toml) in",
        ),
        (&[], &missing, "does not exist"),
        (&[], empty.path(), "no lesson files (*.toml) in"),
        (&["lesson", "slope"], &missing, "does not exist"),
        (&["lessons"], empty.path(), "no lesson files (*.toml) in"),
    ];
    for (args, dir, says) in cases {
        let out = gradstep()
            .args(args)
            .arg("--lessons")
            .arg(dir)
            .env("XDG_DATA_HOME", data.path())
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {dir:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?} {dir:?}: {stderr}");
        assert!(
            stderr.contains(&dir.display().to_string()),
            "the message names the directory: {stderr}"
        );
    }
    // A file where a directory belongs.
    let file = empty.path().join("a.toml");
    std::fs::write(&file, "").unwrap();
    let out = gradstep().arg("--lessons").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
}

#[test]
fn lesson_and_lessons_read_the_teachers_dir() {
    let dir = good_dir();
    let list = gradstep()
        .args(["lessons", "--lang", "en", "--lessons"])
        .arg(dir.path())
        .assert()
        .success();
    let list = String::from_utf8_lossy(&list.get_output().stdout).into_owned();
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.starts_with("class-stopping "), "{list}");

    let print = gradstep()
        .args([
            "lesson",
            "class-stopping",
            "--print",
            "--lang",
            "en",
            "--lessons",
        ])
        .arg(dir.path())
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&print.get_output().stdout).contains("# When to stop"));

    // The tutor's path (no --print) checks the id against the teacher's lessons before it
    // takes the terminal: a built-in id is not there.
    let out = gradstep()
        .args(["lesson", "slope", "--lessons"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no lesson 'slope' (lessons: class-stopping)"),
        "{stderr}"
    );
}
