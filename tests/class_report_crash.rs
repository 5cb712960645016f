//! A crash never loses a student's finished work: progress is written to a temporary file and
//! renamed over the old one, so whatever instant a server dies at, the file on disk is the
//! last finished save, whole. Checked by killing a saving process (SIGKILL, no clean-up) at
//! the moment it is busiest, again and again, and by the temporary files such a death leaves.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gradstep::progress::Progress;

const CHILD: &str = "GRADSTEP_TEST_CRASH_CHILD";

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Not a test on its own: the process [`a_save_killed_at_any_instant_keeps_every_finished_save`]
/// kills. It saves without pause, one more page and one more solved exercise each time, and
/// appends the number of each finished save to a journal (the page cache outlives a SIGKILL).
#[test]
fn child_saving_until_killed() {
    let Some(path) = std::env::var_os(CHILD) else {
        return;
    };
    let path = PathBuf::from(path);
    let journal = path.with_extension("journal");
    let (mut p, msg) = Progress::load_for_learner(&path);
    assert_eq!(msg, None, "the file a killed save left reads cleanly");
    let start = p.get("crash").page + 1;
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&journal)
        .unwrap();
    for n in start.. {
        p.visit("crash", n, usize::MAX);
        p.answered("crash", &format!("e{n}"), true, false);
        p.save().unwrap();
        // One write call per line: `writeln!` writes the number and the newline apart, and a
        // kill between the two would glue this number to the next round's first.
        log.write_all(format!("{n}\n").as_bytes()).unwrap();
    }
}

/// The last save the journal records as finished (a line cut short by the kill does not count).
fn last_journalled(journal: &Path) -> Option<usize> {
    let text = std::fs::read_to_string(journal).ok()?;
    let whole = &text[..text.rfind('\n')? + 1];
    whole.lines().filter_map(|l| l.parse().ok()).next_back()
}

#[test]
fn a_save_killed_at_any_instant_keeps_every_finished_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SHA256_key.toml");
    let journal = path.with_extension("journal");
    let exe = std::env::current_exe().unwrap();
    let mut before = 0;
    for round in 0..5 {
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "child_saving_until_killed", "--quiet"])
            .env(CHILD, &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it finish a few more saves, then kill it wherever it is (mostly mid-save: that
        // is where it spends its time), with a varying delay so the instant differs.
        let deadline = Instant::now() + Duration::from_secs(20);
        while last_journalled(&journal).unwrap_or(0) < before + 5 {
            assert!(Instant::now() < deadline, "the child made no saves");
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the child stopped by itself ({status}) in round {round}");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_micros(300 * round));
        child.kill().unwrap();
        child.wait().unwrap();

        let finished = last_journalled(&journal).unwrap();
        let p = Progress::read_only(&path).expect("the file is whole after a kill");
        assert!(
            p.get("crash").page >= finished,
            "round {round}: save {finished} was finished, the file has page {}",
            p.get("crash").page
        );
        for n in 1..=finished {
            assert!(
                p.exercise("crash", &format!("e{n}")).solved,
                "round {round}: exercise e{n} solved in a finished save is lost"
            );
        }
        before = finished;
    }
    // The next session starts where the last finished save left off, and its own load clears
    // the temporary files the killed saves left.
    let (p, msg) = Progress::load(&path);
    assert_eq!(msg, None);
    assert!(p.get("crash").page >= before);
    assert_eq!(
        names_in(dir.path()),
        [
            "SHA256_key.journal",
            "SHA256_key.toml",
            "SHA256_key.toml.lock"
        ]
    );
}

#[test]
fn a_leftover_temporary_file_never_replaces_the_finished_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SHA256_key.toml");
    let (mut p, _) = Progress::load(&path);
    p.visit("slope", 2, 9);
    p.save().unwrap();
    let finished = std::fs::read(&path).unwrap();
    // A save that died after writing half its temporary file, and one that wrote all of it
    // but never renamed it: neither is the learner's finished work.
    let half = dir.path().join(".SHA256_key.toml.Ab12Cd.tmp");
    let whole = dir.path().join(".SHA256_key.toml.Zz99Yy.tmp");
    std::fs::write(&half, "[lessons.slope]\npage = ").unwrap();
    std::fs::write(&whole, "[lessons.slope]\npage = 0\ndone = false\n").unwrap();
    // Another file's temporary file (a name that only starts the same) is not ours to remove.
    let other = dir.path().join(".SHA256_key.toml.x.toml.Qq11Ww.tmp");
    std::fs::write(&other, "").unwrap();

    let (mut p, msg) = Progress::load(&path);
    assert_eq!(msg, None);
    assert_eq!(std::fs::read(&path).unwrap(), finished);
    assert_eq!(p.get("slope").page, 2);
    assert!(
        !half.exists() && !whole.exists(),
        "dead saves' files are removed"
    );
    assert!(other.exists());
    p.visit("slope", 3, 9);
    p.save().unwrap();
    assert_eq!(Progress::read_only(&path).unwrap().get("slope").page, 3);
}
