//! Progress that cannot lose work: every way the saved file used to be lost or to hang the
//! tutor (issue 9.3), checked from what a learner or an admin would see on disk and on screen.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use gradstep::progress::{LessonProgress, Progress};

/// Runs `f` on a thread and fails the test (instead of hanging it) after 10 s.
fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("progress loading or saving hung for 10 s")
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Loads, takes one page turn, saves; returns the load message.
fn load_visit_save(path: &Path) -> String {
    let path = path.to_path_buf();
    within_10s(move || {
        let (mut p, msg) = Progress::load(&path);
        p.visit("slope", 1, 4);
        p.save().expect("the new progress is saved");
        msg.expect("the unusable file is reported")
    })
}

fn saved(path: &Path) -> Progress {
    let (p, msg) = Progress::load(path);
    assert_eq!(msg, None, "the saved file reads back cleanly");
    p
}

#[test]
fn a_file_that_is_not_utf8_is_moved_aside_before_the_next_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    let original = b"[lessons.slope]\npage = 3\n\xff\xfe done = true\n".to_vec();
    std::fs::write(&path, &original).unwrap();
    let msg = load_visit_save(&path);
    let aside = dir.path().join("progress.toml.corrupt");
    assert!(msg.contains("not UTF-8"), "{msg}");
    assert!(msg.contains(&aside.display().to_string()), "{msg}");
    assert_eq!(
        std::fs::read(&aside).unwrap(),
        original,
        "the learner's bytes are kept"
    );
    assert_eq!(saved(&path).get("slope").page, 1);
}

#[test]
fn an_unreadable_file_is_moved_aside_before_the_next_save() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    std::fs::write(&path, "[lessons.taylor]\npage = 2\ndone = true\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        eprintln!("skipped: running with privileges that read a mode-000 file (root)");
        return;
    }
    let msg = load_visit_save(&path);
    let aside = dir.path().join("progress.toml.corrupt");
    assert!(
        msg.contains("could not be read") && msg.contains("Permission denied"),
        "{msg}"
    );
    assert!(msg.contains(&aside.display().to_string()), "{msg}");
    std::fs::set_permissions(&aside, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        std::fs::read_to_string(&aside)
            .unwrap()
            .contains("lessons.taylor"),
        "the unreadable file is kept, not overwritten"
    );
    assert_eq!(saved(&path).get("slope").page, 1);
}

#[test]
fn a_fifo_does_not_hang_the_tutor_and_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(made.success());
    let msg = load_visit_save(&path);
    assert!(msg.contains("not a regular file (it is a FIFO)"), "{msg}");
    assert!(msg.contains("progress.toml.corrupt"), "{msg}");
    assert!(std::fs::metadata(&path).unwrap().is_file());
    assert_eq!(saved(&path).get("slope").page, 1);
}

#[test]
fn a_symlink_to_dev_zero_is_not_read_and_does_not_grow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let msg = load_visit_save(&path);
    assert!(msg.contains("a character device"), "{msg}");
    let meta = std::fs::symlink_metadata(&path).unwrap();
    assert!(meta.is_file() && meta.len() < 1000, "{meta:?}");
    assert_eq!(saved(&path).get("slope").page, 1);
}

#[test]
fn a_huge_file_is_refused_with_the_limit_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    std::fs::write(&path, "# padding\n".repeat(200_000)).unwrap();
    let msg = load_visit_save(&path);
    assert!(msg.contains("larger than 1024 KiB"), "{msg}");
    assert_eq!(
        std::fs::metadata(dir.path().join("progress.toml.corrupt"))
            .unwrap()
            .len(),
        2_000_000
    );
}

#[test]
fn a_directory_in_the_way_fails_the_save_cleanly_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    let (mut p, msg) = Progress::load(&path);
    assert_eq!(msg, None);
    std::fs::create_dir(&path).unwrap();
    p.visit("slope", 2, 4);
    let err = p.save().unwrap_err();
    assert!(
        err.contains("is a directory") && err.contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        names_in(dir.path()),
        ["progress.toml", "progress.toml.lock"]
    );
    assert_eq!(p.get("slope").page, 2, "nothing is lost in memory");
    // Loading with the directory there says so once and then does not try to write.
    let (mut q, msg) = Progress::load(&path);
    assert!(msg.unwrap().contains("is a directory"));
    q.visit("slope", 1, 4);
    assert_eq!(q.save(), Ok(()));
    assert_eq!(
        names_in(dir.path()),
        ["progress.toml", "progress.toml.lock"]
    );
}

#[test]
fn two_sessions_with_one_file_keep_both_lessons_and_the_page_reached() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssh-progress/SHA256_key.toml");
    let (mut a, _) = Progress::load_for_learner(&path);
    let (mut b, _) = Progress::load_for_learner(&path);
    // A reaches the last page of slope; B, which loaded before that, opens another lesson
    // and looks at slope's first page.
    a.visit("slope", 3, 4);
    a.save().unwrap();
    b.visit("taylor", 0, 4);
    b.visit("slope", 0, 4);
    b.save().unwrap();
    let p = saved(&path);
    assert_eq!(
        p.get("slope"),
        LessonProgress {
            page: 3,
            done: true
        }
    );
    assert_eq!(p.get("taylor").page, 0);
    assert_eq!(b.get("slope").page, 3, "B now sees what A reached");
}

#[test]
fn six_concurrent_sessions_all_save_and_leave_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("SHA256_key.toml");
    let workers: Vec<_> = (0..6)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let (mut p, _) = Progress::load_for_learner(&path);
                for page in 0..30 {
                    p.visit(&format!("lesson{i}"), page, 30);
                    p.save().expect("every save succeeds");
                }
            })
        })
        .collect();
    within_10s(move || workers.into_iter().for_each(|w| w.join().unwrap()));
    let p = saved(&path);
    for i in 0..6 {
        assert_eq!(
            p.get(&format!("lesson{i}")),
            LessonProgress {
                page: 29,
                done: true
            }
        );
    }
    assert_eq!(
        names_in(dir.path()),
        ["SHA256_key.toml", "SHA256_key.toml.lock"]
    );
}

/// Not a test on its own: the child process of
/// [`two_processes_with_one_file_keep_both_lessons`], which runs this binary again.
#[test]
fn child_process_saving_progress() {
    let Some(path) = std::env::var_os("GRADSTEP_TEST_PROGRESS_CHILD") else {
        return;
    };
    let lesson = std::env::var("GRADSTEP_TEST_PROGRESS_LESSON").unwrap();
    let (mut p, _) = Progress::load_for_learner(Path::new(&path));
    for page in 0..40 {
        p.visit(&lesson, page, 40);
        p.save().unwrap();
    }
}

#[test]
fn two_processes_with_one_file_keep_both_lessons() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("SHA256_key.toml");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["slope", "taylor"]
        .iter()
        .map(|lesson| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_process_saving_progress", "--quiet"])
                .env("GRADSTEP_TEST_PROGRESS_CHILD", &path)
                .env("GRADSTEP_TEST_PROGRESS_LESSON", lesson)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let p = saved(&path);
    for lesson in ["slope", "taylor"] {
        assert_eq!(
            p.get(lesson),
            LessonProgress {
                page: 39,
                done: true
            }
        );
    }
}

#[test]
fn a_learner_on_a_server_never_sees_a_server_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssh-progress/SHA256_key.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "not = [toml").unwrap();
    let server = dir.path().display().to_string();
    let (mut p, msg) = Progress::load_for_learner(&path);
    let msg = msg.unwrap();
    assert!(
        msg.contains("set aside") && !msg.contains(&server) && !msg.contains("SHA256"),
        "{msg}"
    );
    assert!(path.with_file_name("SHA256_key.toml.corrupt").exists());
    // A save that fails (a directory where the file goes) is reported without the path too.
    std::fs::create_dir(&path).unwrap();
    p.visit("slope", 1, 4);
    let err = p.save().unwrap_err();
    assert!(
        err.contains("could not save your progress") && !err.contains(&server),
        "{err}"
    );
}

/// A file as the version before per-exercise progress wrote it (`Progress::save` on main at
/// commit a7be9f1), kept verbatim: it must load with every page reached and done flag.
const V0_FILE: &str = include_str!("fixtures/progress-0.toml");

fn ids(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_file_from_before_per_exercise_progress_loads_and_keeps_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    std::fs::write(&path, V0_FILE).unwrap();
    let (mut p, msg) = Progress::load(&path);
    assert_eq!(msg, None, "the old file is read, not set aside");
    assert_eq!(
        p.get("slope"),
        LessonProgress {
            page: 4,
            done: true
        }
    );
    assert_eq!(p.get("partial-derivatives").page, 2);
    assert_eq!(p.get("taylor").page, 1);
    // A lesson read to the end without exercises on record is not claimed as solved.
    let t = p.tally("slope", &ids(&["p2.1", "p4.1"]));
    assert_eq!((t.solved, t.total, t.done, t.page), (0, 2, false, 4));
    // Saving in the new format keeps every old entry next to the new records.
    p.answered("slope", "p2.1", true, false);
    p.save().unwrap();
    assert!(!dir.path().join("progress.toml.corrupt").exists());
    let q = saved(&path);
    assert_eq!(q.get("slope").page, 4);
    assert_eq!(q.get("partial-derivatives").page, 2);
    assert_eq!(q.get("taylor").page, 1);
    assert!(q.exercise("slope", "p2.1").solved);
}

#[test]
fn solved_attempts_and_shown_are_counted_per_exercise() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    let (mut p, _) = Progress::load(&path);
    // p1.1: wrong, then right: solved in two attempts.
    p.answered("slope", "p1.1", false, false);
    p.answered("slope", "p1.1", true, false);
    // p3.1: "show me", then typed the answer it showed: shown, not solved.
    p.shown("slope", "p3.1");
    p.answered("slope", "p3.1", true, true);
    p.save().unwrap();
    let q = saved(&path);
    let a = q.exercise("slope", "p1.1");
    assert!(a.solved && !a.shown && a.attempts == 2, "{a:?}");
    let b = q.exercise("slope", "p3.1");
    assert!(!b.solved && b.shown && b.attempts == 1, "{b:?}");
    let t = q.tally("slope", &ids(&["p1.1", "p3.1"]));
    assert_eq!((t.solved, t.total, t.done), (1, 2, false));
    // A lesson without exercises is done once its last page was reached.
    let mut r = Progress::in_memory();
    r.visit("taylor", 3, 4);
    assert!(r.tally("taylor", &[]).done);
    assert!(!r.tally("slope", &[]).done && !r.tally("slope", &[]).started);
}

#[test]
fn two_sessions_solving_different_exercises_both_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ssh-progress/SHA256_key.toml");
    let (mut a, _) = Progress::load_for_learner(&path);
    let (mut b, _) = Progress::load_for_learner(&path);
    a.answered("slope", "p1.1", true, false);
    a.answered("slope", "p3.1", false, false);
    a.save().unwrap();
    b.answered("slope", "p3.1", false, false);
    b.answered("slope", "p3.1", false, false);
    b.answered("slope", "p3.1", true, false);
    b.shown("taylor", "p2.1");
    b.save().unwrap();
    let p = saved(&path);
    assert!(
        p.exercise("slope", "p1.1").solved,
        "A's solve survives B's save"
    );
    let r = p.exercise("slope", "p3.1");
    assert!(r.solved && r.attempts == 3, "{r:?}");
    assert!(p.exercise("taylor", "p2.1").shown);
    assert!(p.tally("slope", &ids(&["p1.1", "p3.1"])).done);
}

#[test]
fn keys_from_a_newer_version_are_kept_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("progress.toml");
    let newer = "streak = 7\n\n[lessons.slope]\npage = 1\ndone = false\nbookmark = 2\n\n\
                 [exercises.slope.\"p1.1\"]\nsolved = true\nattempts = 1\nshown = false\nbest_time = 12.5\n";
    std::fs::write(&path, newer).unwrap();
    let (mut p, msg) = Progress::load(&path);
    assert_eq!(msg, None);
    p.answered("slope", "p2.1", true, false);
    p.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("streak = 7"), "{text}");
    assert!(text.contains("best_time = 12.5"), "{text}");
    assert!(text.contains("bookmark = 2"), "{text}");
    assert!(saved(&path).exercise("slope", "p1.1").solved);
}
