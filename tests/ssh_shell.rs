//! The shell task of `gradstep serve` without the network: bytes in, a screen out, driven
//! with the demo app under tests/support (it panics on purpose).

#[path = "support/demo.rs"]
mod demo;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gradstep::ssh::Connection;
use gradstep::ssh::config::Limits;
use gradstep::ssh::output::Sink;
use gradstep::ssh::shell::{Finish, INPUT_QUEUE, Input, Outcome, run};
use tokio::sync::mpsc;
use tokio::time::Instant;

#[derive(Clone, Default)]
struct Screen {
    bytes: Arc<Mutex<Vec<u8>>>,
    status: Arc<Mutex<Option<u32>>>,
}
impl Screen {
    /// Raw bytes as text, for checking escape codes.
    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.bytes.lock().unwrap()).into_owned()
    }
    /// What a terminal shows after these bytes (ratatui sends diffs, not lines).
    fn text(&self) -> String {
        let mut p = vt100::Parser::new(
            std::num::NonZero::new(200).unwrap(),
            std::num::NonZero::new(500).unwrap(),
            0,
        );
        p.process(&self.bytes.lock().unwrap());
        p.screen().contents()
    }
}
impl Sink for Screen {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ()> {
        self.bytes.lock().unwrap().extend(bytes);
        Ok(())
    }
}
impl Finish for Screen {
    async fn finish(&mut self, exit_status: u32) {
        *self.status.lock().unwrap() = Some(exit_status);
    }
}

fn info() -> Connection {
    Connection {
        peer: "127.0.0.1:5555".parse().unwrap(),
        user: "t".into(),
        key_fingerprint: None,
        teacher: false,
        terminal: Default::default(),
    }
}

fn start(
    limits: Limits,
) -> (
    mpsc::Sender<Input>,
    Screen,
    tokio::task::JoinHandle<Outcome>,
) {
    let (tx, rx) = mpsc::channel(INPUT_QUEUE);
    let screen = Screen::default();
    let s2 = screen.clone();
    let h = tokio::spawn(run(info(), demo::factory(), limits, (80, 24), rx, s2));
    (tx, screen, h)
}

async fn done(h: tokio::task::JoinHandle<Outcome>) -> Outcome {
    tokio::time::timeout(Duration::from_secs(120), h)
        .await
        .expect("session did not end")
        .unwrap()
}

async fn wait_for(screen: &Screen, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !screen.text().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "{needle:?} never drawn: {:?}",
            screen.text()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn keys_draw_and_q_restores_the_screen_with_status_0() {
    let (tx, screen, h) = start(Limits::default());
    wait_for(&screen, demo::TITLE).await;
    assert!(
        screen.raw().starts_with("\x1b[?1049h"),
        "alternate screen first"
    );
    tx.send(Input::Data(b"nnn".to_vec())).await.unwrap();
    wait_for(&screen, &demo::counter_line(3)).await;
    tx.send(Input::Resize {
        cols: 100,
        rows: 30,
    })
    .await
    .unwrap();
    wait_for(&screen, &demo::size_line(100, 30)).await;
    tx.send(Input::Data(b"q".to_vec())).await.unwrap();
    assert_eq!(done(h).await, Outcome::Quit);
    let text = screen.raw();
    assert!(
        text.ends_with("\x1b[?1049l"),
        "leaves the alternate screen last: {text:?}"
    );
    assert!(text.contains("\x1b[?25h"), "shows the cursor");
    assert_eq!(*screen.status.lock().unwrap(), Some(0));
}

#[tokio::test]
async fn huge_window_is_clamped() {
    let (tx, screen, h) = start(Limits::default());
    tx.send(Input::Resize {
        cols: 65535,
        rows: 65535,
    })
    .await
    .unwrap();
    wait_for(&screen, &demo::size_line(500, 200)).await;
    drop(tx);
    assert_eq!(done(h).await, Outcome::ClientGone);
}

#[tokio::test]
async fn lone_escape_quits_after_the_timeout_but_arrows_do_not() {
    let (tx, screen, h) = start(Limits::default());
    // An arrow split in two packets is not an Esc.
    tx.send(Input::Data(b"\x1b".to_vec())).await.unwrap();
    tx.send(Input::Data(b"[An".to_vec())).await.unwrap();
    wait_for(&screen, &demo::counter_line(1)).await;
    assert!(!h.is_finished());
    tx.send(Input::Data(b"\x1b".to_vec())).await.unwrap();
    assert_eq!(done(h).await, Outcome::Quit);
}

#[tokio::test]
async fn panic_ends_the_session_with_a_message() {
    let (tx, screen, h) = start(Limits::default());
    let mut word = demo::PANIC_WORD.as_bytes().to_vec();
    word.push(b'\r');
    tx.send(Input::Data(word)).await.unwrap();
    assert_eq!(done(h).await, Outcome::Panicked);
    assert!(screen.raw().contains("internal error"));
    assert_eq!(*screen.status.lock().unwrap(), Some(70));
}

#[tokio::test(start_paused = true)]
async fn idle_sessions_end() {
    let limits = Limits {
        idle_timeout: Duration::from_secs(60),
        ..Limits::default()
    };
    let (_tx, screen, h) = start(limits);
    assert_eq!(done(h).await, Outcome::Idle);
    assert!(screen.raw().contains("after 1m without input"));
}

#[tokio::test]
async fn paste_reaches_the_tutor() {
    let (tx, screen, h) = start(Limits::default());
    tx.send(Input::Data(b"\x1b[200~x^2 + y^2\x1b[201~".to_vec()))
        .await
        .unwrap();
    wait_for(&screen, &demo::input_line("x^2 + y^2")).await;
    tx.send(Input::Eof).await.unwrap();
    assert_eq!(done(h).await, Outcome::Eof);
}
