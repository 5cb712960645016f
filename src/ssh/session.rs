//! One learner's session: input bytes → events → tutor → frame → outbox, in one task.
//!
//! The connection handler forwards what the client sends as [`Input`] over a bounded queue
//! (back-pressure reaches the client through TCP), and this task owns everything else: the
//! tutor, the decoder, the terminal. It renders once per batch of input, not once per key, and
//! never waits on the network while drawing (see [`super::output`]). Every call into the tutor
//! is behind `catch_unwind`: a panic ends this session with a message, and nobody else's.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::Event;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::config::{Limits, clamp_window};
use super::input::InputDecoder;
use super::output::{Outbox, Sink, SshBackend, pump};
use super::tutor::{SessionInfo, Tutor, TutorFactory};

/// What the connection handler forwards to the session.
#[derive(Debug)]
pub enum Input {
    /// Bytes typed or pasted.
    Data(Vec<u8>),
    /// The client's window changed (raw values; clamped here).
    Resize { cols: u32, rows: u32 },
    /// The client closed its input.
    Eof,
}

/// Size of the queue from the connection handler; beyond it the handler waits, and so does
/// the client's TCP stream.
pub const INPUT_QUEUE: usize = 64;

/// Most queued inputs handled before a frame is drawn, so a flood still shows progress.
const MAX_BATCH: usize = 64;

/// Shortest tick a tutor may ask for; a zero interval must not spin the server.
const MIN_TICK: Duration = Duration::from_millis(20);

/// How long the goodbye (restore screen, exit status) may take before the channel is dropped.
const GOODBYE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The tutor said so (`q`).
    Quit,
    /// No input for the idle timeout.
    Idle,
    /// The client sent EOF.
    Eof,
    /// The tutor panicked.
    Panicked,
    /// The connection went away first.
    ClientGone,
}

impl Outcome {
    fn exit_status(self) -> u32 {
        match self {
            Outcome::Quit | Outcome::Idle | Outcome::Eof | Outcome::ClientGone => 0,
            Outcome::Panicked => 70, // EX_SOFTWARE
        }
    }

    fn goodbye(self, limits: &Limits) -> Option<String> {
        match self {
            Outcome::Idle => Some(format!(
                "gradstep: session closed after {} without input.",
                human(limits.idle_timeout)
            )),
            Outcome::Panicked => Some(
                "gradstep: internal error, this session had to end (others are unaffected). \
                 Please report it."
                    .into(),
            ),
            _ => None,
        }
    }
}

/// `15m`, `1h`, `90s`: durations as the flags spell them.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 && s.is_multiple_of(3600) {
        format!("{}h", s / 3600)
    } else if s >= 60 && s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// The end of a session's output: restore, then exit status, EOF and close, so `ssh` exits with
/// that status instead of 255.
pub trait Finish: Sink {
    fn finish(&mut self, exit_status: u32) -> impl Future<Output = ()> + Send;
}

impl Finish for russh::ChannelWriteHalf<russh::server::Msg> {
    async fn finish(&mut self, exit_status: u32) {
        let _ = self.exit_status(exit_status).await;
        let _ = self.eof().await;
        let _ = self.close().await;
    }
}

/// Run one session to its end. `size` is the clamped size from the pty request.
pub async fn run<S: Finish + Send>(
    info: SessionInfo,
    factory: TutorFactory,
    limits: Limits,
    size: (u16, u16),
    rx: mpsc::Receiver<Input>,
    mut sink: S,
) -> Outcome {
    let outbox = Outbox::new(limits.output_queue_bytes);
    let outcome = {
        let app = drive(&info, &factory, &limits, size, rx, &outbox);
        let pump = pump(&outbox, &mut sink);
        tokio::pin!(pump);
        let outcome = tokio::select! {
            outcome = app => outcome,
            _ = &mut pump => Outcome::ClientGone,
        };
        if outcome != Outcome::ClientGone {
            // The goodbye is queued and the outbox closed; let it drain, within reason.
            if tokio::time::timeout(GOODBYE_TIMEOUT, &mut pump)
                .await
                .is_err()
            {
                tracing::debug!(peer = %info.peer, "client too slow to take the goodbye");
            }
        }
        outcome
    };
    if outcome != Outcome::ClientGone {
        let _ = tokio::time::timeout(GOODBYE_TIMEOUT, sink.finish(outcome.exit_status())).await;
    }
    let dropped = outbox.dropped_bytes();
    if dropped > 0 {
        tracing::info!(peer = %info.peer, dropped_bytes = dropped, "slow client: frames dropped");
    }
    outcome
}

/// Call into the tutor; a panic becomes `Err` (the default hook has already printed it).
fn guarded<R>(what: &str, peer: &SessionInfo, f: impl FnOnce() -> R) -> Result<R, ()> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".into());
        tracing::error!(peer = %peer.peer, user = %peer.user, during = what, panic = %msg,
            "tutor panicked; ending this session only");
    })
}

/// The input → tutor → frame loop. Queues the goodbye and closes the outbox before returning
/// (except when the client is gone).
async fn drive(
    info: &SessionInfo,
    factory: &TutorFactory,
    limits: &Limits,
    (cols, rows): (u16, u16),
    mut rx: mpsc::Receiver<Input>,
    outbox: &Arc<Outbox>,
) -> Outcome {
    let mut backend = SshBackend::new(outbox.clone(), cols, rows);
    // Writing to the outbox cannot fail: these `Result`s are io's, from a Vec.
    let _ = backend.enter();
    let Ok(mut terminal) = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, cols, rows)),
        },
    ) else {
        return Outcome::ClientGone;
    };
    let _ = terminal.clear();

    let outcome = match guarded("start", info, || factory(info)) {
        Err(()) => Outcome::Panicked,
        Ok(mut tutor) => {
            event_loop(info, limits, &mut *tutor, &mut terminal, &mut rx, outbox).await
        }
    };
    if outcome != Outcome::ClientGone {
        let _ = terminal
            .backend_mut()
            .leave(outcome.goodbye(limits).as_deref());
    }
    outbox.close();
    outcome
}

async fn event_loop(
    info: &SessionInfo,
    limits: &Limits,
    tutor: &mut dyn Tutor,
    terminal: &mut Terminal<SshBackend>,
    rx: &mut mpsc::Receiver<Input>,
    outbox: &Outbox,
) -> Outcome {
    let mut decoder = InputDecoder::new();
    // The tutor learns its size the way it will learn every later one.
    let size = terminal.backend().size_now();
    let mut events: Vec<Event> = vec![Event::Resize(size.width, size.height)];
    let mut last_input = Instant::now();
    let mut esc_deadline: Option<Instant> = None;
    let mut next_tick: Option<Instant> = None;
    let mut eof = false;
    let mut slow_noted = false;

    loop {
        // Hand the batch to the tutor, in order.
        for event in events.drain(..) {
            if let Event::Resize(c, r) = event {
                terminal.backend_mut().set_size(c, r);
                let _ = terminal.resize(Rect::new(0, 0, c, r));
            }
            match guarded("handle", info, || tutor.handle(event)) {
                Err(()) => return Outcome::Panicked,
                Ok(false) => return Outcome::Quit,
                Ok(true) => {}
            }
        }
        if eof {
            return Outcome::Eof;
        }
        if render(info, tutor, terminal, outbox, &mut slow_noted).is_err() {
            return Outcome::Panicked;
        }
        let interval = match guarded("tick_interval", info, || tutor.tick_interval()) {
            Err(()) => return Outcome::Panicked,
            Ok(i) => i.map(|d| d.max(MIN_TICK)),
        };
        next_tick = match (interval, next_tick) {
            (None, _) => None,
            (Some(_), Some(t)) => Some(t),
            (Some(d), None) => Some(Instant::now() + d),
        };
        if decoder.has_pending() {
            esc_deadline.get_or_insert(Instant::now() + limits.esc_timeout);
        } else {
            esc_deadline = None;
        }

        let idle_deadline = last_input + limits.idle_timeout;
        tokio::select! {
            msg = rx.recv() => {
                let Some(first) = msg else { return Outcome::ClientGone };
                last_input = Instant::now();
                let mut next = Some(first);
                let mut n = 0;
                while let Some(m) = next {
                    match m {
                        Input::Data(bytes) => decoder.feed(&bytes, &mut events),
                        Input::Resize { cols, rows } => {
                            // Keys typed before the resize keep their place.
                            let (c, r) = clamp_window(cols, rows, limits);
                            events.push(Event::Resize(c, r));
                        }
                        Input::Eof => {
                            eof = true;
                            break;
                        }
                    }
                    n += 1;
                    next = if n < MAX_BATCH { rx.try_recv().ok() } else { None };
                }
            }
            _ = sleep_until(esc_deadline.unwrap_or_else(Instant::now)), if esc_deadline.is_some() => {
                decoder.flush_pending(&mut events);
                esc_deadline = None;
            }
            _ = sleep_until(next_tick.unwrap_or_else(Instant::now)), if next_tick.is_some() => {
                next_tick = interval.map(|d| Instant::now() + d);
                match guarded("tick", info, || tutor.tick()) {
                    Err(()) => return Outcome::Panicked,
                    Ok(false) => return Outcome::Quit,
                    Ok(true) => {}
                }
            }
            _ = sleep_until(idle_deadline) => return Outcome::Idle,
        }
    }
}

/// Draw one frame; after dropped frames, draw a full one that must get through.
fn render(
    info: &SessionInfo,
    tutor: &mut dyn Tutor,
    terminal: &mut Terminal<SshBackend>,
    outbox: &Outbox,
    slow_noted: &mut bool,
) -> Result<(), ()> {
    guarded("draw", info, || {
        terminal.draw(|f| tutor.draw(f)).map(|_| ())
    })?
    .ok();
    if outbox.take_resync() {
        if !*slow_noted {
            *slow_noted = true;
            tracing::info!(peer = %info.peer, "slow client: dropping frames for full redraws");
        }
        let _ = terminal.backend_mut().begin_resync();
        let _ = terminal.clear();
        let drawn = guarded("draw", info, || {
            terminal.draw(|f| tutor.draw(f)).map(|_| ())
        });
        terminal.backend_mut().end_resync();
        drawn?.ok();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssh::demo;
    use std::sync::Mutex;

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

    fn info() -> SessionInfo {
        SessionInfo {
            peer: "127.0.0.1:5555".parse().unwrap(),
            user: "t".into(),
            key_fingerprint: None,
            log_formulas: false,
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
}
