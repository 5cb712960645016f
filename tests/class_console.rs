//! The teacher's console end to end with OpenSSH in tmux (loopback only): a teacher and two
//! students; the roster shows both students' lessons; the teacher pushes a formula and both
//! students see it with its gradient; following shows a student's step; a broadcast reaches
//! both footers; SIGTERM restores every terminal; `class report --format csv` lists both
//! students afterwards. Also: a key not in the teacher file gets the tutor. Tests return early
//! with a note without tmux, ssh or ssh-keygen.

#[path = "support/server.rs"]
mod server;
#[path = "support/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::Command;

use server::Server;
use tmux::{Tmux, have};

fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(st.success());
    key
}

fn public(key: &Path) -> String {
    std::fs::read_to_string(key.with_extension("pub")).unwrap()
}

fn tools() -> bool {
    have("ssh") && have("tmux") && have("ssh-keygen")
}

/// `ssh` as `user` with `key` (or no key at all), 80x24, then whether the terminal is cooked
/// again (`icanon`) once ssh is gone.
fn login(server: &Server, user: &str, key: Option<&Path>) -> Tmux {
    let id = match key {
        Some(k) => format!("-o IdentitiesOnly=yes -i {}", k.display()),
        None => "-o IdentitiesOnly=yes -o PubkeyAuthentication=no".into(),
    };
    let ssh = server.ssh(&format!("{id} -tt -l {user}"));
    Tmux::start(
        &format!(
            "LANG=en_US.UTF-8 {ssh}; ST=$?; stty -a | tr ' ;' '\\n\\n' | \
             grep -x -e icanon -e -icanon; (exit $ST)"
        ),
        80,
        24,
    )
}

#[test]
fn a_teacher_sees_the_roster_pushes_follows_broadcasts_and_sigterm_restores_everyone() {
    if !tools() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let teacher_key = keygen(keys.path(), "teacher");
    let ana_key = keygen(keys.path(), "ana");
    let bo_key = keygen(keys.path(), "bo");
    let students = keys.path().join("students");
    std::fs::write(&students, public(&ana_key) + &public(&bo_key)).unwrap();
    let teachers = keys.path().join("teachers");
    std::fs::write(&teachers, public(&teacher_key)).unwrap();
    let server = Server::binary_in(
        data.path(),
        &[
            "--authorized-keys",
            students.to_str().unwrap(),
            "--teacher-keys",
            teachers.to_str().unwrap(),
        ],
    );
    assert!(
        server.banner.contains("teachers: 1 key(s)"),
        "{}",
        server.banner
    );

    let ana = login(&server, "ana", Some(&ana_key));
    let bo = login(&server, "bo", Some(&bo_key));
    // Students get the tutor: ana opens the first lesson, bo the second.
    ana.wait_for("Sandbox");
    bo.wait_for("Sandbox");
    ana.keys(&["Enter"]);
    bo.keys(&["Down", "Enter"]);
    ana.wait_for("· 1/");
    bo.wait_for("· 1/");

    // The teacher (whose key is not in --authorized-keys) gets the console.
    let teacher = login(&server, "teacher", Some(&teacher_key));
    let s = teacher.wait_for("2 here");
    assert!(s.contains("gradstep › class"), "{s}");
    teacher.wait_for("ana            opening 1/");
    teacher.wait_for("bo             slope 1/");

    // Push x² + 3xy + y² from (1, 1) to everyone: the start line is prefilled with 1, 1 and
    // the rate line with 0.1 sgd.
    teacher.keys(&["p"]);
    teacher.wait_for("formula to push");
    teacher.type_text("x^2 + 3*x*y + y^2");
    teacher.keys(&["Enter"]);
    teacher.wait_for("start point: 1, 1");
    teacher.keys(&["Enter"]);
    teacher.wait_for("η [optimizer]: 0.1 sgd");
    teacher.keys(&["Enter"]);
    teacher.wait_for("sent to 2 student(s)");
    for student in [&ana, &bo] {
        let s = student.wait_for("from the teacher: x^2 + 3*x*y + y^2");
        assert!(s.contains("(5, 5)"), "the gradient at (1, 1):\n{s}");
    }
    teacher.wait_for("sandbox");

    // Follow ana (first by name) and see her step: θ goes from (1, 1) to (0.5, 0.5).
    teacher.keys(&["f"]);
    teacher.wait_for("following ana");
    teacher.wait_for("(5, 5)");
    ana.keys(&["n"]);
    ana.wait_for("(0.5, 0.5)");
    teacher.wait_for("(0.5, 0.5)");
    teacher.keys(&["Escape"]);
    teacher.wait_for("2 here");

    // A broadcast in both footers.
    teacher.keys(&["b"]);
    teacher.wait_for("broadcast:");
    teacher.type_text("eyes on the contour map");
    teacher.keys(&["Enter"]);
    for student in [&ana, &bo] {
        let s = student.wait_for("teacher: eyes on the contour map");
        let footer = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        assert!(
            footer.contains("eyes on the contour map"),
            "in the footer:\n{s}"
        );
    }
    // Back (Esc) returns bo to his own lesson page.
    bo.keys(&["Escape"]);
    bo.wait_for("· 1/");

    let st = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    for t in [&ana, &bo, &teacher] {
        let s = t.wait_for("EXIT=");
        assert!(s.contains("EXIT=0"), "ssh exits 0:\n{s}");
        assert!(
            s.lines().any(|l| l.trim() == "icanon"),
            "cooked mode back:\n{s}"
        );
    }

    // After class: one CSV row per student per lesson, with the pages each one opened.
    let out = Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .args(["class", "report", "--format", "csv"])
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{csv}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        csv.starts_with("name,fingerprint,lesson,pages_seen,"),
        "{csv}"
    );
    let seen = |name: &str, lesson: &str| {
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[0] == name && f[2] == lesson)
            .map(|f| {
                (
                    f[1].starts_with("SHA256:"),
                    f[3].parse::<u32>().unwrap_or(0),
                )
            })
    };
    assert_eq!(seen("ana", "opening"), Some((true, 1)), "{csv}");
    assert_eq!(seen("bo", "slope"), Some((true, 1)), "{csv}");
    assert!(!csv.lines().any(|l| l.starts_with("teacher,")), "{csv}");
}

#[test]
fn only_a_teacher_key_gets_the_console_even_with_anonymous_logins() {
    if !tools() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let teacher_key = keygen(keys.path(), "teacher");
    let student_key = keygen(keys.path(), "student");
    let teachers = keys.path().join("teachers");
    std::fs::write(&teachers, public(&teacher_key)).unwrap();
    // Loopback, no --authorized-keys: anonymous students.
    let server = Server::binary_in(data.path(), &["--teacher-keys", teachers.to_str().unwrap()]);
    assert!(
        server.banner.contains("log in as teacher@HOST"),
        "{}",
        server.banner
    );

    let anonymous = login(&server, "ana", None);
    anonymous.wait_for("Sandbox");
    // A key that is not in the teacher file, even logging in as "teacher", is not let in as
    // a teacher: the name needs a teacher's key.
    let wrong = login(&server, "teacher", Some(&student_key));
    let s = wrong.wait_for("EXIT=");
    assert!(!s.contains("gradstep › class"), "{s}");
    assert!(!s.contains("EXIT=0"), "refused:\n{s}");
    // The student key under another name is an anonymous student: the tutor.
    let student = login(&server, "bo", Some(&student_key));
    student.wait_for("Sandbox");
    let teacher = login(&server, "teacher", Some(&teacher_key));
    teacher.wait_for("gradstep › class");
    teacher.wait_for("2 here");
}
