//! `gradstep class report` over a server's progress folder, as a teacher runs it after class:
//! one student by key, one by user name, one file from before the report existed, and one
//! corrupt file that must not hide the others. The files are written by the same code the
//! server uses (`Progress`), so the report reads what a class really leaves behind.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use gradstep::progress::{IDLE_CAP, Progress};

/// A student who read pages 0..=2 of `slope`, answered one exercise wrong then right, and
/// spent 95 s (one 5-minute pause counted as [`IDLE_CAP`]).
fn student(path: &Path, name: &str, fingerprint: Option<&str>) {
    let (mut p, msg) = Progress::load_for_learner(path);
    assert_eq!(msg, None);
    p.set_learner(name, fingerprint);
    let t0 = Instant::now();
    p.input(t0, Some("slope"));
    for page in 0..3 {
        p.visit("slope", page, 99);
    }
    p.visit("slope", 1, 99); // back a page: still 3 distinct pages
    p.input(t0 + Duration::from_secs(60), Some("slope"));
    p.input(t0 + Duration::from_secs(60 + 300), Some("slope"));
    p.answered("slope", "p1.1", false, false);
    p.answered("slope", "p1.1", true, false);
    p.save().unwrap();
}

/// The folder `serve` leaves: a key's file at the top, a name's in `names/`, a corrupt one,
/// and the lock and temporary files a save leaves around, which are not students.
fn class_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    student(
        &dir.path().join("SHA256_abc.toml"),
        "bob",
        Some("SHA256:abc"),
    );
    student(&dir.path().join("names/alice.toml"), "alice", None);
    std::fs::write(dir.path().join("broken.toml"), "lessons = [[[ not toml").unwrap();
    std::fs::write(dir.path().join(".SHA256_abc.toml.x1y2.tmp"), "half a fi").unwrap();
    std::fs::write(dir.path().join("old.toml.corrupt"), "whatever").unwrap();
    dir
}

fn report(dir: &Path, format: &str) -> std::process::Output {
    Command::cargo_bin("gradstep")
        .unwrap()
        .args([
            "--lang", "en", "class", "report", "--format", format, "--dir",
        ])
        .arg(dir)
        .env_remove("GRADSTEP_LESSONS")
        .output()
        .unwrap()
}

fn slope_pages() -> usize {
    let loaded = gradstep::lesson::load_embedded();
    loaded.get("slope").unwrap().pages.len()
}

fn slope_exercises() -> usize {
    let loaded = gradstep::lesson::load_embedded();
    loaded.get("slope").unwrap().exercise_ids().len()
}

#[test]
fn csv_has_a_header_and_one_row_per_student_per_lesson_and_parses_back() {
    let dir = class_dir();
    let out = report(dir.path(), "csv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // The corrupt file is named with its reason; the others are still reported.
    assert!(
        stderr.contains("broken.toml") && stderr.contains("not valid progress TOML"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("x1y2.tmp") && !stderr.contains("old.toml.corrupt"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let mut r = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "name",
            "fingerprint",
            "lesson",
            "pages_seen",
            "pages",
            "solved",
            "exercises",
            "attempts",
            "seconds"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let lessons = gradstep::lesson::load_embedded().lessons.len();
    assert_eq!(rows.len(), 2 * lessons, "two students, every lesson");
    let find = |name: &str, lesson: &str| {
        rows.iter()
            .find(|r| &r[0] == name && &r[2] == lesson)
            .unwrap_or_else(|| panic!("no row for {name} in {lesson}"))
            .clone()
    };
    let pages = slope_pages().to_string();
    let alice = find("alice", "slope");
    assert_eq!(
        alice.iter().collect::<Vec<_>>(),
        [
            "alice",
            "-",
            "slope",
            "3",
            &pages,
            "1",
            &slope_exercises().to_string(),
            "2",
            &(60 + IDLE_CAP.as_secs()).to_string()
        ]
    );
    let bob = find("bob", "slope");
    assert_eq!(&bob[1], "SHA256:abc");
    // A lesson never opened is a row of zeros, so the sheet is a full grid.
    let untouched = find("bob", "taylor");
    assert_eq!(
        [&untouched[3], &untouched[5], &untouched[7], &untouched[8]],
        ["0", "0", "0", "0"]
    );
    // alice (by name) sorts before bob.
    assert_eq!(&rows[0][0], "alice");
}

#[test]
fn json_parses_back_with_null_for_a_student_without_a_key() {
    let dir = class_dir();
    let out = report(dir.path(), "json");
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let slope: Vec<&serde_json::Value> = rows.iter().filter(|r| r["lesson"] == "slope").collect();
    assert_eq!(slope.len(), 2);
    assert_eq!(slope[0]["name"], "alice");
    assert!(slope[0]["fingerprint"].is_null());
    assert_eq!(slope[1]["fingerprint"], "SHA256:abc");
    assert_eq!(slope[1]["pages_seen"], 3);
    assert_eq!(slope[1]["pages"], slope_pages());
    assert_eq!(slope[1]["attempts"], 2);
    assert_eq!(slope[1]["seconds"], 60 + IDLE_CAP.as_secs());
}

#[test]
fn the_table_is_aligned_and_reads_as_fractions_and_minutes() {
    let dir = class_dir();
    let out = report(dir.path(), "table");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("name"), "{text}");
    let line = text
        .lines()
        .find(|l| l.starts_with("bob") && l.contains(" slope "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("3/{}", slope_pages())), "{line}");
    assert!(line.ends_with("3m 00s"), "{line}");
    // Every row's lesson column starts where the header's does.
    let col = header.find("lesson").unwrap();
    for l in text.lines().skip(1) {
        let lesson_start = l.char_indices().nth(col).map(|(i, _)| i).unwrap();
        assert_ne!(&l[lesson_start..lesson_start + 1], " ", "{text}");
        assert_eq!(&l[lesson_start - 2..lesson_start], "  ", "{text}");
    }
}

#[test]
fn a_file_from_before_the_report_still_loads_and_counts_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    // Written by an earlier gradstep: no name, no seen pages, no time.
    std::fs::write(
        dir.path().join("SHA256_old.toml"),
        "[lessons.slope]\npage = 2\ndone = false\n\n[exercises.slope.\"p1.1\"]\nsolved = true\nattempts = 1\nshown = false\n",
    )
    .unwrap();
    let out = report(dir.path(), "json");
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let slope = rows.iter().find(|r| r["lesson"] == "slope").unwrap();
    // The file's name stands in for the name nobody saved; pages up to the furthest were seen.
    assert_eq!(slope["name"], "SHA256_old");
    assert!(slope["fingerprint"].is_null());
    assert_eq!(slope["pages_seen"], 3);
    assert_eq!(slope["solved"], 1);
    assert_eq!(slope["seconds"], 0);

    // And the tutor loads it, keeps what it had and adds the new fields on the next save.
    let path = dir.path().join("SHA256_old.toml");
    let (mut p, msg) = Progress::load(&path);
    assert_eq!(msg, None);
    assert_eq!(p.get("slope").page, 2);
    p.set_learner("carol", Some("SHA256:old"));
    p.visit("slope", 3, 99);
    p.save().unwrap();
    let q = Progress::read_only(&path).unwrap();
    assert_eq!((q.name(), q.pages_seen("slope")), (Some("carol"), 4));
    assert_eq!(q.exercise_totals("slope"), (1, 1));
}

#[test]
fn nothing_readable_exits_1_and_a_missing_folder_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), [0xff, 0xfe]).unwrap();
    let out = report(dir.path(), "csv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("a.toml is not UTF-8 text"), "{stderr}");
    // The header is still printed, so a script reading the CSV sees an empty class.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);

    let missing = dir.path().join("nope");
    let out = report(&missing, "table");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("nope") && stderr.contains("--dir"),
        "{stderr}"
    );

    // An empty folder is a class that has not started: said on stderr, not an error.
    let empty = tempfile::tempdir().unwrap();
    let out = report(empty.path(), "csv");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no progress files"));
}

#[test]
fn the_report_never_changes_a_students_file() {
    let dir = class_dir();
    let before = std::fs::read(dir.path().join("broken.toml")).unwrap();
    report(dir.path(), "csv");
    assert_eq!(
        std::fs::read(dir.path().join("broken.toml")).unwrap(),
        before
    );
    assert!(!dir.path().join("broken.toml.corrupt").exists());
}

#[test]
fn the_table_header_follows_the_language() {
    let dir = class_dir();
    let out = Command::cargo_bin("gradstep")
        .unwrap()
        .args(["--lang", "zh", "class", "report", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("学生"), "{text}");
}
