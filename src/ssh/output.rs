//! From ratatui frames to the SSH channel, bounded.
//!
//! Drawing never waits on the network: the session's [`SshBackend`] writes escape codes into a
//! local buffer and each flush hands them to the [`Outbox`]. A separate writer loop
//! ([`pump`]) sends what is in the outbox as fast as the client's SSH window allows. If a slow
//! client lets more than the cap pile up, the pile is thrown away and the session redraws the
//! whole screen instead: ratatui sends diffs, so a dropped diff must be followed by a full
//! frame, which supersedes everything dropped. The server's memory per slow client is thus
//! about one cap plus one frame, never more.
//!
//! Which cells changed is worked out by the session's [`Painter`] rather than by ratatui's
//! `Terminal::flush`, at a fraction of the cost (see [`crate::tui::painter`]).
//!
//! [`SshBackend`] also answers the questions ratatui asks a backend (size, cursor position)
//! from what the server knows, because `CrosstermBackend` would ask the *server's* tty.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tokio::sync::Notify;

use crate::tui::painter::Painted;
pub use crate::tui::painter::Painter;

/// Bytes waiting for the client, shared by the drawing side and [`pump`].
#[derive(Debug)]
pub struct Outbox {
    state: Mutex<State>,
    wake: Notify,
    cap: usize,
}

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    /// Frames were dropped: the drawing side must send a full frame next.
    resync: bool,
    /// No more frames; the pump sends what is left and stops.
    closed: bool,
    /// Set around a full redraw or the goodbye: pushes bypass the drop rule.
    force: bool,
    dropped_bytes: u64,
}

impl Outbox {
    pub fn new(cap: usize) -> Arc<Outbox> {
        Arc::new(Outbox {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
            cap,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing in here can leave the state half-updated, so a poisoned lock is usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queue bytes for the client. A chunk is always taken when nothing is waiting (so one
    /// frame of any size gets through); otherwise, past the cap, everything waiting is dropped
    /// along with this chunk and a resync is requested.
    pub fn push(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut s = self.lock();
        if s.closed {
            return;
        }
        if s.force {
            drop(s);
            return self.push_always(bytes);
        }
        if !s.buf.is_empty() && s.buf.len() + bytes.len() > self.cap {
            s.dropped_bytes += (s.buf.len() + bytes.len()) as u64;
            s.buf = Vec::new();
            s.resync = true;
            return;
        }
        if s.resync {
            // A diff against a screen the client never got: useless until the full redraw.
            s.dropped_bytes += bytes.len() as u64;
            return;
        }
        s.buf.extend_from_slice(bytes);
        drop(s);
        self.wake.notify_one();
    }

    /// Queue bytes that must get through even after a drop (the full redraw, the goodbye).
    pub fn push_always(&self, bytes: &[u8]) {
        let mut s = self.lock();
        if s.closed {
            return;
        }
        s.buf.extend_from_slice(bytes);
        drop(s);
        self.wake.notify_one();
    }

    /// While set, every push goes through (see [`SshBackend::begin_resync`]).
    pub fn set_force(&self, force: bool) {
        self.lock().force = force;
    }

    /// True once after frames were dropped; the caller then sends a full frame with
    /// [`push_always`](Self::push_always) semantics (see [`SshBackend::begin_resync`]).
    pub fn take_resync(&self) -> bool {
        std::mem::take(&mut self.lock().resync)
    }

    /// Bytes dropped so far (for the disconnect log).
    pub fn dropped_bytes(&self) -> u64 {
        self.lock().dropped_bytes
    }

    /// Bytes waiting now.
    pub fn pending(&self) -> usize {
        self.lock().buf.len()
    }

    /// No more frames after what is queued.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_one();
    }

    /// Wait for bytes; `None` when closed and drained.
    pub async fn next(&self) -> Option<Vec<u8>> {
        loop {
            {
                let mut s = self.lock();
                if !s.buf.is_empty() {
                    return Some(std::mem::take(&mut s.buf));
                }
                if s.closed {
                    return None;
                }
            }
            self.wake.notified().await;
        }
    }
}

/// Where the session sends bytes: the SSH channel in the server, a vector in tests.
pub trait Sink {
    fn send(&mut self, bytes: Vec<u8>) -> impl Future<Output = Result<(), ()>> + Send;
}

impl Sink for russh::ChannelWriteHalf<russh::server::Msg> {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ()> {
        // `data_bytes` waits for the client's window: that wait is the back-pressure that
        // makes the outbox fill up and drop frames for a slow client.
        self.data_bytes(bytes).await.map_err(|_| ())
    }
}

/// Send the outbox to the client until it is closed and drained or the client is gone.
pub async fn pump<S: Sink>(outbox: &Outbox, sink: &mut S) -> Result<(), ()> {
    while let Some(bytes) = outbox.next().await {
        sink.send(bytes).await?;
    }
    Ok(())
}

/// The `io::Write` under `CrosstermBackend`: collects one flush worth of bytes.
#[derive(Debug)]
pub struct FrameWriter {
    buf: Vec<u8>,
    outbox: Arc<Outbox>,
}

impl Write for FrameWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.outbox.push(&self.buf);
        self.buf.clear();
        if self.buf.capacity() > 64 * 1024 {
            // A big frame once (a 500×200 redraw) should not pin its buffer forever.
            self.buf.shrink_to(4096);
        }
        Ok(())
    }
}

/// A ratatui backend for one SSH session.
pub struct SshBackend {
    inner: CrosstermBackend<FrameWriter>,
    outbox: Arc<Outbox>,
    size: Size,
    cursor: Position,
    /// With a [`Painter`], the frames' cells are its bytes: `draw` sends those and leaves
    /// ratatui's diff unread.
    painted: Option<Painted>,
}

impl SshBackend {
    pub fn new(outbox: Arc<Outbox>, cols: u16, rows: u16) -> Self {
        SshBackend {
            inner: CrosstermBackend::new(FrameWriter {
                buf: Vec::new(),
                outbox: outbox.clone(),
            }),
            outbox,
            size: Size::new(cols, rows),
            cursor: Position::ORIGIN,
            painted: None,
        }
    }

    /// From now on the frames' cells are sent by the returned [`Painter`], which must be
    /// called with the frame's buffer at the end of every `Terminal::draw` callback; the
    /// terminal keeps the cursor, clears and resizes. The viewport must span the whole
    /// backend size (as the session's does), so that every clear is a clear of the screen.
    pub fn painter(&mut self) -> Painter {
        let painted = Painted::new();
        let painter = painted.painter();
        self.painted = Some(painted);
        painter
    }

    /// The size frames are drawn at.
    pub fn size_now(&self) -> Size {
        self.size
    }

    /// The client's terminal changed size (already clamped).
    pub fn set_size(&mut self, cols: u16, rows: u16) {
        self.size = Size::new(cols, rows);
    }

    /// Take over the client's screen: alternate screen, bracketed paste, no cursor.
    pub fn enter(&mut self) -> io::Result<()> {
        crossterm::queue!(
            self.inner,
            EnterAlternateScreen,
            EnableBracketedPaste,
            crossterm::cursor::Hide
        )?;
        Write::flush(&mut self.inner)
    }

    /// Give the client's screen back: show the cursor, leave the alternate screen, then an
    /// optional line for the main screen (why the session ended).
    pub fn leave(&mut self, message: Option<&str>) -> io::Result<()> {
        self.outbox.set_force(true);
        crossterm::queue!(
            self.inner,
            crossterm::style::ResetColor,
            crossterm::cursor::Show,
            DisableBracketedPaste,
            LeaveAlternateScreen
        )?;
        if let Some(m) = message {
            crossterm::queue!(
                self.inner,
                crossterm::style::Print(m),
                crossterm::style::Print("\r\n")
            )?;
        }
        Write::flush(&mut self.inner)
    }

    /// Start a full redraw that must get through the outbox. Call `Terminal::clear` and
    /// `draw` next, then [`end_resync`](Self::end_resync).
    pub fn begin_resync(&mut self) -> io::Result<()> {
        self.outbox.set_force(true);
        crossterm::queue!(self.inner, crossterm::cursor::Hide)
    }

    pub fn end_resync(&mut self) {
        self.outbox.set_force(false);
    }

    fn note_cleared(&self) {
        if let Some(p) = &self.painted {
            p.note_cleared();
        }
    }
}

impl Backend for SshBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        if let Some(painted) = &self.painted {
            // The painter's bytes go where the cells would have, so the frame stays one
            // chunk, before the cursor.
            painted.write_to(&mut self.inner)?;
            return painted.clear_for(&mut self.inner, content);
        }
        self.inner.draw(content)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    /// Where we last put it: asking the client would need a round trip through its input.
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.cursor = p;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.note_cleared();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.note_cleared();
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::new(0, 0),
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_pushes_accumulate() {
        let o = Outbox::new(100);
        o.push(b"abc");
        o.push(b"def");
        assert_eq!(o.pending(), 6);
        assert!(!o.take_resync());
    }

    #[test]
    fn overflow_drops_everything_and_asks_for_a_resync() {
        let o = Outbox::new(100);
        o.push(&[b'a'; 80]);
        o.push(&[b'b'; 30]);
        assert_eq!(o.pending(), 0, "the pile is dropped");
        o.push(b"diff after drop");
        assert_eq!(
            o.pending(),
            0,
            "diffs against a lost screen are dropped too"
        );
        assert!(o.take_resync());
        assert!(!o.take_resync(), "once");
        o.push_always(&[b'F'; 500]);
        assert_eq!(
            o.pending(),
            500,
            "a full frame goes through whatever its size"
        );
        assert_eq!(o.dropped_bytes(), 80 + 30 + 15);
    }

    #[test]
    fn one_big_frame_is_accepted_when_nothing_waits() {
        let o = Outbox::new(100);
        o.push(&[b'x'; 1000]);
        assert_eq!(o.pending(), 1000);
    }

    struct VecSink(Vec<u8>);
    impl Sink for VecSink {
        async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ()> {
            self.0.extend(bytes);
            Ok(())
        }
    }

    #[tokio::test]
    async fn pump_drains_then_stops_when_closed() {
        let o = Outbox::new(100);
        o.push(b"hello ");
        o.push(b"world");
        o.close();
        o.push(b"ignored after close");
        let mut sink = VecSink(Vec::new());
        pump(&o, &mut sink).await.unwrap();
        assert_eq!(sink.0, b"hello world");
    }

    /// Draws `frames` (each a list of lines) at `w`×`h` through a session backend, with the
    /// painter (as the server does, by `paint_frame`) or with ratatui's own diff; returns the
    /// bytes the client got, per frame. A frame `None` clears the screen first, the way a
    /// resync does, and repeats the previous frame.
    fn send_frames(painted: bool, w: u16, h: u16, frames: &[Option<&[&str]>]) -> Vec<Vec<u8>> {
        use ratatui::style::{Color, Stylize};
        use ratatui::text::Line;
        use ratatui::widgets::Paragraph;
        let o = Outbox::new(1 << 20);
        let mut b = SshBackend::new(o.clone(), w, h);
        let mut painter = painted.then(|| b.painter());
        let mut t = ratatui::Terminal::with_options(
            b,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
            },
        )
        .unwrap();
        t.clear().unwrap();
        let mut last: &[&str] = &[];
        let mut out = Vec::new();
        for frame in frames {
            let lines = match frame {
                Some(lines) => *lines,
                None => {
                    t.clear().unwrap();
                    last
                }
            };
            last = lines;
            let render = |f: &mut ratatui::Frame| {
                let text: Vec<Line> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Line::from(*l).fg(Color::Indexed(i as u8 % 7 + 1)))
                    .collect();
                f.render_widget(Paragraph::new(text), f.area());
            };
            match painter.as_mut() {
                Some(p) => crate::tui::painter::paint_frame(&mut t, p, |f, _| {
                    render(f);
                    crate::tui::painter::Painting::default()
                })
                .unwrap(),
                None => {
                    t.draw(render).unwrap();
                }
            }
            let mut s = o.lock();
            out.push(std::mem::take(&mut s.buf));
        }
        out
    }

    fn screen_after(w: u16, h: u16, frames: &[Vec<u8>]) -> Vec<String> {
        let mut vt = vt100::Parser::new(
            std::num::NonZero::new(h).unwrap(),
            std::num::NonZero::new(w).unwrap(),
            0,
        );
        frames
            .iter()
            .map(|bytes| {
                vt.process(bytes);
                vt.screen().contents()
            })
            .collect()
    }

    #[test]
    fn the_painter_sends_what_ratatui_would_for_plain_text() {
        let frames: &[Option<&[&str]>] = &[
            Some(&["t = 0", "x = (3, 4)", "Sandbox"]),
            Some(&["t = 1", "x = (2.5, 3)", "Sandbox"]),
            Some(&["t = 1", "x = (2.5, 3)", "Sandbox"]),
            None,
            Some(&["t = 2", "", "Sandbox: a longer line than before"]),
        ];
        let painted = send_frames(true, 40, 5, frames);
        let plain = send_frames(false, 40, 5, frames);
        for k in [0, 1, 3, 4] {
            assert_eq!(
                painted[k], plain[k],
                "frame {k}: same escape codes, byte for byte"
            );
        }
        // ratatui resets colours even when no cell changed; only the cursor's state is left.
        assert_eq!(
            painted[2], b"\x1b[?25l",
            "an unchanged frame sends no cells"
        );
        assert!(
            painted[1].len() < 100 && !painted[1].windows(7).any(|w| w == b"Sandbox"),
            "a step sends the changed cells only: {:?}",
            String::from_utf8_lossy(&painted[1])
        );
    }

    #[test]
    fn the_painter_keeps_wide_characters_whole() {
        let frames: &[Option<&[&str]>] = &[
            Some(&["步数 t = 0", "学习率 η = 0.1", "ab"]),
            Some(&["步数 t = 1", "a学b习c", "梯度"]),
            Some(&["xy t = 1", "a b c d", "梯度下降"]),
            Some(&["步骤 t = 2", "学习率 η = 0.1", "z"]),
            None,
            Some(&["步骤 t = 3", "学x习", "降"]),
        ];
        let (w, h) = (20, 3);
        let painted = screen_after(w, h, &send_frames(true, w, h, frames));
        let plain = screen_after(w, h, &send_frames(false, w, h, frames));
        assert_eq!(painted, plain);
        assert!(painted[3].contains("学习率 η = 0.1"), "{}", painted[3]);
        assert!(painted[5].contains("学x习"), "{}", painted[5]);
    }

    #[test]
    fn backend_never_asks_the_servers_tty() {
        let o = Outbox::new(1 << 20);
        let mut b = SshBackend::new(o.clone(), 120, 40);
        assert_eq!(b.size().unwrap(), Size::new(120, 40));
        b.set_cursor_position((3, 4)).unwrap();
        assert_eq!(b.get_cursor_position().unwrap(), Position::new(3, 4));
        let mut t = ratatui::Terminal::with_options(
            b,
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
            },
        )
        .unwrap();
        t.clear().unwrap();
        t.resize(ratatui::layout::Rect::new(0, 0, 60, 20)).unwrap();
        t.draw(|f| f.render_widget("hi", f.area())).unwrap();
        assert!(o.pending() > 0);
    }
}
