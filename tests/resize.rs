//! 200 random window sizes from 1×1 to 500×200 (the SSH clamp), seeded, while the sandbox
//! steps and auto-plays: through the app core into a TestBackend, and through the SSH shell
//! task with the real tutor. No panic, every frame fills exactly the new size, and each
//! frame's work is bounded by counts (cells written, contour maps sampled), not by time.

mod tutor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::ssh::Connection;
use gradstep::ssh::config::Limits;
use gradstep::ssh::output::Sink;
use gradstep::ssh::shell::{Finish, INPUT_QUEUE, Input, Outcome, run};
use gradstep::stage::SandboxSpec;
use gradstep::tui::app::Screen;
use gradstep::tui::{Action, App, Open, draw_frame};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use tokio::sync::mpsc;
use tutor::key;

const FRAMES: usize = 200;

/// The sizes both halves walk: mostly anywhere up to 500×200, with tiny ones mixed in since
/// those are where layouts break.
fn sizes() -> Vec<(u16, u16)> {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    (0..FRAMES)
        .map(|k| {
            if k % 5 == 0 {
                (rng.random_range(1..=20), rng.random_range(1..=8))
            } else {
                (rng.random_range(1..=500), rng.random_range(1..=200))
            }
        })
        .collect()
}

fn rebuilds(a: &App) -> u64 {
    match &a.screen {
        Screen::Tutor(t) => t.stage.chart_rebuilds(),
        Screen::Start => 0,
    }
}

fn t_of(a: &App) -> usize {
    match &a.screen {
        Screen::Tutor(t) => t.stage.main().current().t,
        Screen::Start => 0,
    }
}

#[test]
fn app_core_survives_200_sizes_while_stepping_and_playing() {
    let mut a = tutor::app(Open::Sandbox(SandboxSpec::default()), Lang::En);
    a.glyphs = Glyphs::Unicode;
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    term.draw(|f| draw_frame(&mut a, f)).unwrap();
    let mut last = (80, 24);
    for (k, (w, h)) in sizes().into_iter().enumerate() {
        // Step, play or pause, and let auto-play tick, between resizes.
        match k % 4 {
            0 => key(&mut a, 'n'),
            1 => key(&mut a, 'p'),
            _ => {}
        }
        a.update(Action::Tick);
        a.update(Action::Resize(w, h));
        term.backend_mut().resize(w, h);
        // What the terminal showed before this frame, as ratatui diffs against it.
        let before = if (w, h) == last {
            term.backend().buffer().clone()
        } else {
            Buffer::empty(Rect::new(0, 0, w, h))
        };
        let maps = rebuilds(&a);
        term.draw(|f| draw_frame(&mut a, f)).unwrap();
        let now = term.backend().buffer();
        assert_eq!(now.area, Rect::new(0, 0, w, h), "frame {k}");
        assert_eq!(now.content.len(), w as usize * h as usize, "frame {k}");
        let written = before.diff(now).len();
        assert!(
            written <= w as usize * h as usize,
            "frame {k} at {w}x{h} wrote {written} cells"
        );
        // At most one map per draw pass (a resize draws twice, the second one fitted).
        let sampled = rebuilds(&a) - maps;
        assert!(sampled <= 2, "frame {k} at {w}x{h} sampled {sampled} maps");
        last = (w, h);
    }
    assert!(t_of(&a) > 50, "the run moved on: t = {}", t_of(&a));
    // Back at a readable size, the tutor still answers.
    key(&mut a, 'n');
    let s = tutor::screen(&mut a, 100, 30);
    assert!(s.contains("Sandbox"), "{s}");
}

#[derive(Clone, Default)]
struct Wire {
    bytes: Arc<Mutex<Vec<u8>>>,
    status: Arc<Mutex<Option<u32>>>,
}

impl Sink for Wire {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ()> {
        self.bytes.lock().unwrap().extend(bytes);
        Ok(())
    }
}

impl Finish for Wire {
    async fn finish(&mut self, exit_status: u32) {
        *self.status.lock().unwrap() = Some(exit_status);
    }
}

#[tokio::test]
async fn ssh_session_survives_200_sizes_while_stepping_and_playing() {
    let (tx, rx) = mpsc::channel(INPUT_QUEUE);
    let wire = Wire::default();
    let info = Connection {
        peer: "127.0.0.1:5555".parse().unwrap(),
        user: "t".into(),
        key_fingerprint: None,
        teacher: false,
        terminal: Default::default(),
    };
    let factory =
        gradstep::ssh::app::factory(lesson::load_embedded(), Lang::En, Default::default());
    let h = tokio::spawn(run(
        info,
        factory,
        Limits::default(),
        (80, 24),
        rx,
        wire.clone(),
    ));
    // The start screen's last row is the sandbox.
    tx.send(Input::Data(b"G\r".to_vec())).await.unwrap();
    let mut cells = 80 * 24;
    for (k, (w, h)) in sizes().into_iter().enumerate() {
        tx.send(Input::Resize {
            cols: w as u32,
            rows: h as u32,
        })
        .await
        .unwrap();
        let keys: &[u8] = match k % 4 {
            0 => b"n",
            1 => b"p",
            _ => b"",
        };
        if !keys.is_empty() {
            tx.send(Input::Data(keys.to_vec())).await.unwrap();
        }
        cells += w as usize * h as usize;
        // Let the session draw most sizes, and auto-play tick, rather than take them all
        // as one batch (which it may: it draws once per batch).
        if k % 2 == 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // Back at 120×40 the whole tutor is drawn again: what a client shows after the last
    // clear is the sandbox with its numbers.
    tx.send(Input::Resize {
        cols: 120,
        rows: 40,
    })
    .await
    .unwrap();
    cells += 120 * 40;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let text = loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let raw = wire.bytes.lock().unwrap().clone();
        let mut p = vt100::Parser::new(
            std::num::NonZero::new(40).unwrap(),
            std::num::NonZero::new(120).unwrap(),
            0,
        );
        p.process(&raw);
        let text = p.screen().contents();
        if text.contains("Numbers") || tokio::time::Instant::now() > deadline {
            break text;
        }
    };
    assert!(
        text.contains("Sandbox") && text.contains("Numbers") && text.contains("t = "),
        "{text}"
    );
    // Out of the sandbox, then out of the tutor: it must still be answering.
    tx.send(Input::Data(b"qq".to_vec())).await.unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(120), h)
        .await
        .expect("the session hung")
        .unwrap();
    assert_eq!(outcome, Outcome::Quit, "the tutor did not quit cleanly");
    assert_eq!(*wire.status.lock().unwrap(), Some(0));
    // Every frame is at most a full redraw: bounded by the cells of the sizes it was sent
    // (an escape sequence and a few bytes of text per cell at most), never growing beyond.
    let bytes = wire.bytes.lock().unwrap().len();
    assert!(bytes > 0);
    assert!(
        bytes <= 64 * cells,
        "{bytes} bytes for {cells} cells of frames"
    );
}
