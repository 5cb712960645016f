//! The local terminal adapter: raw mode and the alternate screen on a crossterm terminal,
//! input read from stdin, ticks from the clock while auto-play runs, and the terminal restored
//! on quit, on Ctrl-C and on panic.

use std::io::{self, Stdout, Write};
use std::time::{Duration, Instant};

use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::Action;
use super::app::{App, AppOptions};
use super::open::TutorRequest;
use crate::chart::Glyphs;
use crate::progress::Progress;

/// Time between auto-play steps.
pub const TICK: Duration = Duration::from_millis(250);

/// Whether the terminal can only show ASCII: `TERM=dumb` or the Linux console.
pub fn ascii_terminal(term: Option<&str>) -> bool {
    matches!(term, Some("dumb") | Some("linux"))
}

/// Colours unless `NO_COLOR` is set to anything non-empty (no-color.org).
pub fn color_wanted(no_color: Option<&str>) -> bool {
    no_color.is_none_or(str::is_empty)
}

/// The app a request asks for, with progress loaded from the usual place.
pub fn app_for(req: TutorRequest) -> App {
    let crate::lesson::Loaded { lessons, problems } = req.lessons;
    let (progress, notice) = match Progress::default_path() {
        Some(p) => Progress::load(&p),
        None => (Progress::in_memory(), None),
    };
    let term = std::env::var("TERM").ok();
    let ascii = req.ascii || ascii_terminal(term.as_deref());
    App::new(AppOptions {
        lang: req.lang,
        glyphs: if ascii {
            Glyphs::Ascii
        } else {
            Glyphs::Unicode
        },
        color: color_wanted(std::env::var("NO_COLOR").ok().as_deref()),
        lessons: lessons.into(),
        problems,
        progress,
        notice,
        open: req.open,
    })
}

fn restore(out: &mut impl Write) {
    let _ = disable_raw_mode();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// Runs the tutor in this terminal until the learner quits; returns the exit status.
pub fn launch(req: TutorRequest) -> i32 {
    match run(req) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("gradstep: {e}");
            1
        }
    }
}

fn run(req: TutorRequest) -> io::Result<()> {
    let mut app = app_for(req);
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        restore(&mut stdout);
        return Err(e);
    }
    // A panic must not leave the learner's shell in raw mode on the alternate screen.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(&mut io::stdout());
        previous(info);
    }));
    let result = Terminal::new(CrosstermBackend::new(io::stdout()))
        .and_then(|mut terminal| event_loop(&mut terminal, &mut app));
    restore(&mut stdout);
    let _ = std::panic::take_hook();
    result
}

fn event_loop(terminal: &mut Terminal<CrosstermBackend<Stdout>>, app: &mut App) -> io::Result<()> {
    let mut next_tick = Instant::now() + TICK;
    loop {
        terminal.draw(|f| super::draw_frame(app, f))?;
        let action = if app.playing() {
            let wait = next_tick.saturating_duration_since(Instant::now());
            if event::poll(wait)? {
                Action::from_event(event::read()?)
            } else {
                next_tick = Instant::now() + TICK;
                Some(Action::Tick)
            }
        } else {
            next_tick = Instant::now() + TICK;
            Action::from_event(event::read()?)
        };
        if let Some(a) = action
            && !app.update(a)
        {
            return Ok(());
        }
        // Take whatever else is already waiting before drawing again (a paste, key repeat).
        while event::poll(Duration::ZERO)? {
            if let Some(a) = Action::from_event(event::read()?)
                && !app.update(a)
            {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_terminals_get_ascii_and_no_color_is_honoured() {
        assert!(ascii_terminal(Some("dumb")));
        assert!(ascii_terminal(Some("linux")));
        assert!(!ascii_terminal(Some("xterm-256color")));
        assert!(!ascii_terminal(None));
        assert!(color_wanted(None));
        assert!(color_wanted(Some("")));
        assert!(!color_wanted(Some("1")));
    }
}
