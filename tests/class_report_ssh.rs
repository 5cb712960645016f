//! An anonymous class kept by user name, end to end: the real `gradstep serve
//! --progress-by-name`, two students logging in by name with a russh client, reading pages, and
//! `gradstep class report` listing both afterwards. A name that cannot be a file keeps nothing.

#[path = "support/client.rs"]
mod client;
#[path = "support/server.rs"]
mod server;

use std::num::NonZero;
use std::path::Path;
use std::time::Duration;

use server::Server;

const WAIT: Duration = Duration::from_secs(20);

/// Log in as `user` and start the tutor at 100×30.
async fn open_as(port: u16, user: &str) -> client::Term {
    let handle = client::connect_as(port, user).await.unwrap();
    let channel = handle.channel_open_session().await.unwrap();
    channel
        .request_pty(true, "xterm-256color", 100, 30, 0, 0, &[])
        .await
        .unwrap();
    channel.set_env(true, "LANG", "en_US.UTF-8").await.unwrap();
    channel.request_shell(true).await.unwrap();
    client::Term {
        handle,
        channel,
        screen: vt100::Parser::new(NonZero::new(30).unwrap(), NonZero::new(100).unwrap(), 0),
        light: None,
        exit_status: None,
        closed: false,
    }
}

/// Open the first lesson, turn `turns` pages, leave it and quit.
async fn read_pages(port: u16, user: &str, turns: usize) {
    let mut t = open_as(port, user).await;
    t.wait_for("gradstep", WAIT).await.unwrap();
    t.send(b"\r").await.unwrap();
    t.wait_for("page 1/", WAIT).await.unwrap();
    for n in 0..turns {
        t.send(b"\x1b[C").await.unwrap();
        t.wait_for(&format!("page {}/", n + 2), WAIT).await.unwrap();
    }
    t.send(b"q").await.unwrap();
    t.send(b"q").await.unwrap();
    assert_eq!(t.wait_closed(WAIT).await.unwrap(), Some(0));
}

fn report_csv(dir: &Path) -> Vec<csv::StringRecord> {
    let out = assert_cmd::Command::cargo_bin("gradstep")
        .unwrap()
        .args(["class", "report", "--format", "csv", "--dir"])
        .arg(dir)
        .env_remove("GRADSTEP_LESSONS")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    csv::Reader::from_reader(&out.stdout[..])
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn students_by_name_are_kept_and_reported() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::binary_in(data.path(), &["--progress-by-name"]);
    assert!(
        server.banner.contains("per SSH user name") && server.banner.contains("NOT authenticated"),
        "{}",
        server.banner
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        read_pages(server.port, "alice", 2).await;
        read_pages(server.port, "李雷", 1).await;
        // Not a file name: the session works, nothing is kept.
        read_pages(server.port, "bad\u{1b}name", 1).await;
    });
    drop(server);

    let dir = data.path().join("gradstep/ssh-progress");
    let mut files: Vec<String> = std::fs::read_dir(dir.join("names"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    files.sort();
    assert_eq!(files, ["%E6%9D%8E%E9%9B%B7.toml", "alice.toml"]);

    let first = gradstep::lesson::load_embedded().lessons[0].id.clone();
    let rows = report_csv(&dir);
    let row = |name: &str| {
        rows.iter()
            .find(|r| &r[0] == name && r[2] == *first)
            .unwrap_or_else(|| panic!("no row for {name} in {first}: {rows:?}"))
    };
    let alice = row("alice");
    assert_eq!((&alice[1], &alice[3]), ("-", "3"));
    assert_eq!(&row("李雷")[3], "2");
    assert!(rows.iter().all(|r| &r[0] == "alice" || &r[0] == "李雷"));
}
