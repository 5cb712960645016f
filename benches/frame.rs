//! One full frame of the tutor (sandbox, contour chart, numbers) at 160×48: the cost of every
//! key press, without the terminal's own time.
//!
//! Budgets (issue 12): a step frame at 160×48 ≤ 0.1 ms, any full frame at 500×200 (the SSH
//! clamp) ≤ 8 ms. "step frame" is a step key and the frame after it as the local tutor makes
//! it: drawn into the buffer kept from the last frame, diffed by the painter and turned into
//! escape codes (sent to a sink here). "step frame … ssh" is the server's path: the same into
//! the SSH backend and its outbox; "80x24 ssh, 1000 sessions in turn" steps one of a thousand
//! sessions per frame, so each starts with that session's screens out of the CPU's caches, as
//! on a busy server. "step view" is the step and
//! a whole frame drawn through ratatui's `Terminal` alone; "ratatui diff" and "painter diff"
//! are the two ways of finding changed cells, on an unchanged screen.
//! "full frame 500x200" zooms in or out before each frame, so the contour map is sampled anew
//! every time.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::stage::SandboxSpec;
use gradstep::tui::painter::{PaintedBackend, Painter, paint_frame};
use gradstep::tui::{Action, App, AppOptions, Open, draw_frame, draw_painting};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::hint::black_box;
use std::io;

fn press(a: &mut App, c: char) {
    a.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )));
}

/// One step; every 30 steps the run starts over first (the sandbox converges after ~130),
/// so each frame shows a real step and the path stays a typical length.
fn step(a: &mut App, k: &mut u32) {
    *k += 1;
    if k.is_multiple_of(30) {
        press(a, 'r');
    }
    press(a, 'n');
}

/// The local tutor's terminal, minus the tty: the painter's bytes go to a sink.
fn local_terminal(cols: u16, rows: u16) -> (Terminal<PaintedBackend<io::Sink>>, Painter) {
    let (backend, painter) = PaintedBackend::new(io::sink());
    let area = Rect::new(0, 0, cols, rows);
    let options = TerminalOptions {
        viewport: Viewport::Fixed(area),
    };
    (Terminal::with_options(backend, options).unwrap(), painter)
}

fn budgets(c: &mut Criterion) {
    for (name, glyphs) in [("ascii", Glyphs::Ascii), ("unicode", Glyphs::Unicode)] {
        let mut a = app(glyphs, Open::Sandbox(SandboxSpec::default()));
        let (mut local, mut painter) = local_terminal(160, 48);
        let mut k = 0;
        // What the local tutor does per key: the step, the frame, and the painter's diff in
        // place of ratatui's.
        c.bench_function(&format!("step frame 160x48 {name}"), |b| {
            b.iter(|| {
                step(&mut a, &mut k);
                paint_frame(&mut local, &mut painter, |f, kept| {
                    draw_painting(&mut a, f, kept)
                })
                .unwrap();
            })
        });
        let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        term.draw(|f| draw_frame(&mut a, f)).unwrap();
        // What `gradstep serve` does per key: the same draw into the SSH backend, whose
        // painter compares cells before measuring widths and sends only the changed ones
        // (ratatui's own diff is left unread). The outbox is emptied as the pump would.
        let outbox = gradstep::ssh::output::Outbox::new(1 << 16);
        let mut backend = gradstep::ssh::output::SshBackend::new(outbox.clone(), 160, 48);
        let mut painter = backend.painter();
        let mut ssh = Terminal::new(backend).unwrap();
        c.bench_function(&format!("step frame 160x48 ssh {name}"), |b| {
            b.iter(|| {
                step(&mut a, &mut k);
                paint_frame(&mut ssh, &mut painter, |f, kept| {
                    draw_painting(&mut a, f, kept)
                })
                .unwrap();
                outbox.take_resync();
            })
        });
        c.bench_function(&format!("step view 160x48 {name}"), |b| {
            b.iter(|| {
                step(&mut a, &mut k);
                term.current_buffer_mut().reset();
                draw_frame(&mut a, &mut term.get_frame());
            })
        });
    }
    server_sessions(c);
    let mut a = app(Glyphs::Unicode, Open::Sandbox(SandboxSpec::default()));
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| draw_frame(&mut a, f)).unwrap();
    let screen = term.backend().buffer().clone();
    let same = screen.clone();
    c.bench_function("ratatui diff 160x48 unchanged", |b| {
        b.iter(|| black_box(screen.diff(black_box(&same)).len()))
    });
    let (_, mut painter) = PaintedBackend::new(io::sink());
    painter.paint(&screen).unwrap();
    c.bench_function("painter diff 160x48 unchanged", |b| {
        b.iter(|| painter.paint(black_box(&same)).unwrap())
    });
    for (name, glyphs) in [("ascii", Glyphs::Ascii), ("unicode", Glyphs::Unicode)] {
        let mut a = app(glyphs, Open::Sandbox(SandboxSpec::default()));
        for _ in 0..5 {
            press(&mut a, 'n');
        }
        let mut term = Terminal::new(TestBackend::new(500, 200)).unwrap();
        term.draw(|f| draw_frame(&mut a, f)).unwrap();
        let mut zoomed = false;
        c.bench_function(&format!("full frame 500x200 {name}"), |b| {
            b.iter(|| {
                press(&mut a, if zoomed { 'Z' } else { 'z' });
                zoomed = !zoomed;
                term.draw(|f| draw_frame(&mut a, f)).unwrap();
            })
        });
    }
}

/// One SSH session's drawing side, as `gradstep serve` holds it.
struct Session {
    app: App,
    terminal: Terminal<gradstep::ssh::output::SshBackend>,
    painter: Painter,
    outbox: std::sync::Arc<gradstep::ssh::output::Outbox>,
    k: u32,
}

/// What a server with many learners pays per key: a step frame at 80×24 for one of 1,000
/// sessions in turn, so each frame starts with that session's screens out of the CPU's
/// caches, as they are when its learner presses the next key a quarter second later.
fn server_sessions(c: &mut Criterion) {
    let mut one = session(lesson::load_embedded().lessons.into());
    c.bench_function("step frame 80x24 ssh, one session", |b| {
        b.iter(|| {
            step(&mut one.app, &mut one.k);
            let Session {
                app,
                terminal,
                painter,
                ..
            } = &mut one;
            paint_frame(terminal, painter, |f, kept| draw_painting(app, f, kept)).unwrap();
            one.outbox.take_resync();
        })
    });
    const N: usize = 1000;
    // Made on first use, so other benches do not wait for a thousand apps.
    let mut sessions: Vec<Session> = Vec::new();
    let mut next = 0;
    c.bench_function("step frame 80x24 ssh, 1000 sessions in turn", |b| {
        if sessions.is_empty() {
            // One copy of the lessons for all, as the server shares them.
            let lessons: std::sync::Arc<[lesson::Lesson]> = lesson::load_embedded().lessons.into();
            sessions = (0..N).map(|_| session(lessons.clone())).collect();
        }
        b.iter(|| {
            let s = &mut sessions[next];
            next = (next + 1) % N;
            step(&mut s.app, &mut s.k);
            let Session {
                app,
                terminal,
                painter,
                ..
            } = s;
            paint_frame(terminal, painter, |f, kept| draw_painting(app, f, kept)).unwrap();
            s.outbox.take_resync();
        })
    });
}

fn session(lessons: std::sync::Arc<[lesson::Lesson]>) -> Session {
    let outbox = gradstep::ssh::output::Outbox::new(1 << 16);
    let mut backend = gradstep::ssh::output::SshBackend::new(outbox.clone(), 80, 24);
    let painter = backend.painter();
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let app = App::new(AppOptions {
        lang: Lang::En,
        glyphs: Glyphs::Unicode,
        color: true,
        lessons,
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open: Open::Sandbox(SandboxSpec::default()),
    });
    Session {
        app,
        terminal: Terminal::with_options(backend, options).unwrap(),
        painter,
        outbox,
        k: 0,
    }
}

fn app(glyphs: Glyphs, open: Open) -> App {
    App::new(AppOptions {
        lang: Lang::En,
        glyphs,
        color: true,
        lessons: lesson::load_embedded().lessons.into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open,
    })
}

fn frame(c: &mut Criterion) {
    for (name, glyphs) in [("ascii", Glyphs::Ascii), ("unicode", Glyphs::Unicode)] {
        let mut a = app(glyphs, Open::Sandbox(SandboxSpec::default()));
        for _ in 0..5 {
            a.update(Action::Key(KeyEvent::new(
                KeyCode::Char('n'),
                KeyModifiers::NONE,
            )));
        }
        let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
        c.bench_function(&format!("sandbox frame 160x48 {name}"), |b| {
            b.iter(|| {
                term.draw(|f| draw_frame(&mut a, f)).unwrap();
            })
        });
    }
    // A key press end to end: update (step + window fit with look-ahead) and the frame.
    let mut a = app(Glyphs::Unicode, Open::Sandbox(SandboxSpec::default()));
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("sandbox step+undo and frame 160x48", |b| {
        b.iter(|| {
            a.update(Action::Key(KeyEvent::new(
                KeyCode::Char('n'),
                KeyModifiers::NONE,
            )));
            a.update(Action::Key(KeyEvent::new(
                KeyCode::Char('b'),
                KeyModifiers::NONE,
            )));
            term.draw(|f| draw_frame(&mut a, f)).unwrap();
        })
    });
    let mut a = app(Glyphs::Unicode, Open::Lesson("optimizers".into()));
    a.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::NONE,
    )));
    c.bench_function("optimizer race frame 160x48", |b| {
        b.iter(|| {
            term.draw(|f| draw_frame(&mut a, f)).unwrap();
        })
    });
}

criterion_group!(benches, budgets, frame);
criterion_main!(benches);
