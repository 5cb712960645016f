//! The shell channel's task, one per learner: input bytes → [`Action`]s → app → frame → outbox.
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
use super::logsafe::Untrusted;
use super::output::{Outbox, Painter, Sink, SshBackend, pump};
use super::remote_app::{Action, AppFactory, Connection, RemoteApp};
use crate::tui::painter::paint_frame;

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
    /// The server is shutting down (a signal).
    Shutdown,
}

impl Outcome {
    fn exit_status(self) -> u32 {
        match self {
            Outcome::Quit
            | Outcome::Idle
            | Outcome::Eof
            | Outcome::ClientGone
            | Outcome::Shutdown => 0,
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
    info: Connection,
    factory: AppFactory,
    limits: Limits,
    size: (u16, u16),
    rx: mpsc::Receiver<Input>,
    sink: S,
) -> Outcome {
    run_until(
        info,
        factory,
        limits,
        size,
        rx,
        sink,
        std::future::pending(),
    )
    .await
}

/// [`run`], and when `shutdown` resolves the session saves, shows the tutor's
/// [`shutdown_notice`](RemoteApp::shutdown_notice) and ends like a quit.
pub async fn run_until<S: Finish + Send>(
    info: Connection,
    factory: AppFactory,
    limits: Limits,
    size: (u16, u16),
    rx: mpsc::Receiver<Input>,
    mut sink: S,
    shutdown: impl Future<Output = ()> + Send,
) -> Outcome {
    let outbox = Outbox::new(limits.output_queue_bytes);
    let outcome = {
        let app = drive(&info, &factory, &limits, size, rx, &outbox, shutdown);
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
fn guarded<R>(what: &str, peer: &Connection, f: impl FnOnce() -> R) -> Result<R, ()> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic".into());
        tracing::error!(peer = %peer.peer, user = %Untrusted(&peer.user), during = what,
            panic = %super::logsafe::escaped_to(&msg, 1000),
            "tutor panicked; ending this session only");
    })
}

/// The input → tutor → frame loop. Queues the goodbye and closes the outbox before returning
/// (except when the client is gone).
async fn drive(
    info: &Connection,
    factory: &AppFactory,
    limits: &Limits,
    (cols, rows): (u16, u16),
    mut rx: mpsc::Receiver<Input>,
    outbox: &Arc<Outbox>,
    shutdown: impl Future<Output = ()> + Send,
) -> Outcome {
    let mut backend = SshBackend::new(outbox.clone(), cols, rows);
    // Writing to the outbox cannot fail: these `Result`s are io's, from a Vec.
    let _ = backend.enter();
    let mut painter = backend.painter();
    // Frames keep the areas of the last frame (the chart over its base, the page text, the
    // panels' borders, unchanged rows): a step draws and compares a few hundred cells of the
    // 1,920 of an 80x24 screen. (An earlier build drew every server frame whole: its p99 over
    // a run was dominated by the first seconds' backlog, which `ssh_load` now shows second by
    // second, not by keeping areas.)
    let Ok(mut terminal) = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, cols, rows)),
        },
    ) else {
        return Outcome::ClientGone;
    };
    let _ = terminal.clear();

    let (outcome, notice) = match guarded("start", info, || factory(info)) {
        Err(()) => (Outcome::Panicked, None),
        Ok(mut tutor) => {
            let screen = (&mut terminal, &mut painter);
            let lp = event_loop(info, limits, &mut *tutor, screen, &mut rx, outbox);
            let outcome = tokio::select! {
                outcome = lp => outcome,
                _ = shutdown => Outcome::Shutdown,
            };
            // After a panic the tutor's state is suspect; it saved at its last page turn.
            if outcome != Outcome::Panicked {
                let _ = guarded("flush", info, || tutor.flush());
            }
            let notice = (outcome == Outcome::Shutdown)
                .then(|| guarded("shutdown_notice", info, || tutor.shutdown_notice()).ok())
                .flatten();
            (outcome, notice)
        }
    };
    if outcome != Outcome::ClientGone {
        let goodbye = notice.or_else(|| outcome.goodbye(limits));
        let _ = terminal.backend_mut().leave(goodbye.as_deref());
    }
    outbox.close();
    outcome
}

async fn event_loop(
    info: &Connection,
    limits: &Limits,
    tutor: &mut dyn RemoteApp,
    (terminal, painter): (&mut Terminal<SshBackend>, &mut Painter),
    rx: &mut mpsc::Receiver<Input>,
    outbox: &Outbox,
) -> Outcome {
    let mut decoder = InputDecoder::new();
    // The tutor learns its size the way it will learn every later one.
    let size = terminal.backend().size_now();
    let mut events: Vec<Action> = vec![Action::Resize(size.width, size.height)];
    let mut decoded = Vec::new();
    let mut last_input = Instant::now();
    let mut esc_deadline: Option<Instant> = None;
    let mut next_tick: Option<Instant> = None;
    let mut eof = false;
    let mut slow_noted = false;
    let waker = match guarded("waker", info, || tutor.waker()) {
        Err(()) => return Outcome::Panicked,
        Ok(w) => w,
    };

    loop {
        if let Err(end) = deliver(&mut events, info, tutor, terminal) {
            return end;
        }
        if eof {
            return Outcome::Eof;
        }
        if render(info, tutor, (terminal, painter), outbox, &mut slow_noted).is_err() {
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
                eof = read_batch(first, rx, limits, &mut decoder, &mut decoded, &mut events);
            }
            _ = sleep_until(esc_deadline.unwrap_or_else(Instant::now)), if esc_deadline.is_some() => {
                decoder.flush_pending(&mut decoded);
                events.extend(decoded.drain(..).filter_map(Action::from_event));
                esc_deadline = None;
            }
            _ = sleep_until(next_tick.unwrap_or_else(Instant::now)), if next_tick.is_some() => {
                next_tick = interval.map(|d| Instant::now() + d);
                if let Err(end) = went_on(guarded("tick", info, || tutor.update(Action::Tick))) {
                    return end;
                }
            }
            // The teacher pushed, broadcast or started following: take it and draw.
            _ = async {
                if let Some(w) = &waker {
                    w.notified().await
                }
            }, if waker.is_some() => {
                if let Err(end) = went_on(guarded("woken", info, || tutor.woken())) {
                    return end;
                }
            }
            _ = sleep_until(idle_deadline) => return Outcome::Idle,
        }
    }
}

/// Hands the batch of events to the tutor, in order, resizing the terminal first for a
/// resize; `Err` with how the session ends if the tutor quit or panicked.
fn deliver(
    events: &mut Vec<Action>,
    info: &Connection,
    tutor: &mut dyn RemoteApp,
    terminal: &mut Terminal<SshBackend>,
) -> Result<(), Outcome> {
    for event in events.drain(..) {
        if let Action::Resize(c, r) = event {
            terminal.backend_mut().set_size(c, r);
            let _ = terminal.resize(Rect::new(0, 0, c, r));
        }
        went_on(guarded("update", info, || tutor.update(event)))?;
    }
    Ok(())
}

/// What a guarded `update` means for the session: it goes on (`Ok`), or ends with the
/// tutor's quit or panic.
fn went_on(update: Result<bool, ()>) -> Result<(), Outcome> {
    match update {
        Err(()) => Err(Outcome::Panicked),
        Ok(false) => Err(Outcome::Quit),
        Ok(true) => Ok(()),
    }
}

/// Decodes `first` and whatever else is already queued, up to `MAX_BATCH` messages, into
/// `events`, so a burst becomes one frame. Returns whether the client sent EOF (nothing after
/// it is read).
fn read_batch(
    first: Input,
    rx: &mut mpsc::Receiver<Input>,
    limits: &Limits,
    decoder: &mut InputDecoder,
    decoded: &mut Vec<Event>,
    events: &mut Vec<Action>,
) -> bool {
    let mut next = Some(first);
    let mut n = 0;
    while let Some(m) = next {
        match m {
            Input::Data(bytes) => {
                decoder.feed(&bytes, decoded);
                events.extend(decoded.drain(..).filter_map(Action::from_event));
            }
            Input::Resize { cols, rows } => {
                // Keys typed before the resize keep their place.
                let (c, r) = clamp_window(cols, rows, limits);
                events.push(Action::Resize(c, r));
            }
            Input::Eof => return true,
        }
        n += 1;
        next = if n < MAX_BATCH {
            rx.try_recv().ok()
        } else {
            None
        };
    }
    false
}

/// Draw one frame; after dropped frames, draw a full one that must get through.
fn render(
    info: &Connection,
    tutor: &mut dyn RemoteApp,
    (terminal, painter): (&mut Terminal<SshBackend>, &mut Painter),
    outbox: &Outbox,
    slow_noted: &mut bool,
) -> Result<(), ()> {
    let mut draw = |terminal: &mut Terminal<SshBackend>| {
        paint_frame(terminal, painter, |f, kept| tutor.draw(f, kept))
    };
    guarded("draw", info, || draw(terminal))?.ok();
    if outbox.take_resync() {
        if !*slow_noted {
            *slow_noted = true;
            tracing::info!(peer = %info.peer, "slow client: dropping frames for full redraws");
        }
        let _ = terminal.backend_mut().begin_resync();
        let _ = terminal.clear();
        let drawn = guarded("draw", info, || draw(terminal));
        terminal.backend_mut().end_resync();
        drawn?.ok();
    }
    Ok(())
}
