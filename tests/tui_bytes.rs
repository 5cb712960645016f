//! How many bytes one step costs on the wire: after the first frame, the local tutor's
//! painter sends only the cells that changed. Over a slow SSH link this is what makes
//! stepping feel instant.

#[path = "support/wire.rs"]
mod wire;
use wire::Wire;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::stage::SandboxSpec;
use gradstep::tui::painter::{PaintedBackend, paint_frame};
use gradstep::tui::{Action, App, AppOptions, Open, draw_painting};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

fn bytes_for_one_step(glyphs: Glyphs) -> (usize, usize, String) {
    let (w, h) = (120, 40);
    let mut app = App::new(AppOptions {
        lang: Lang::En,
        glyphs,
        color: true,
        lessons: lesson::load_embedded().lessons.into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open: Open::Sandbox(SandboxSpec::default()),
    });
    let wire = Wire::default();
    let (backend, mut painter) = PaintedBackend::new(wire.clone());
    let mut term = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    let mut frame = |app: &mut App| {
        paint_frame(&mut term, &mut painter, |f, kept| {
            draw_painting(app, f, kept)
        })
        .unwrap();
    };
    frame(&mut app);
    let first = wire.take().len();
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('n'),
        KeyModifiers::NONE,
    )));
    frame(&mut app);
    let step = wire.0.lock().unwrap().clone();
    (
        first,
        step.len(),
        String::from_utf8_lossy(&step).into_owned(),
    )
}

#[test]
fn one_step_after_the_first_frame_is_under_4_kib() {
    for glyphs in [Glyphs::Ascii, Glyphs::Unicode] {
        let (first, step, text) = bytes_for_one_step(glyphs);
        eprintln!("{glyphs:?}: first frame {first} bytes, one step {step} bytes");
        assert!(step < 4096, "{glyphs:?}: one step wrote {step} bytes");
        assert!(
            step < first / 2,
            "a step must redraw less than the whole screen"
        );
        // The new point really went out: (2, 2.9) after one step from (3, 4).
        assert!(text.contains("2.9"), "{text}");
    }
}
