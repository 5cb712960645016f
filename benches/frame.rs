//! One full frame of the tutor (sandbox, contour chart, numbers) at 160×48 into a TestBackend:
//! the cost of every key press, without the terminal's own time.

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::stage::SandboxSpec;
use gradstep::tui::{Action, App, AppOptions, Open, draw_frame};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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

criterion_group!(benches, frame);
criterion_main!(benches);
