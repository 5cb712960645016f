//! The local terminal adapter: raw mode and the alternate screen on a crossterm terminal,
//! input read from stdin, ticks from the clock while auto-play runs, and the terminal restored
//! on quit, on Ctrl-C, on a panic and on SIGTERM, SIGHUP, SIGINT and SIGQUIT.

use std::io::{self, IsTerminal, Stdout, Write};
use std::panic::PanicHookInfo;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;

use super::action::Action;
use super::app::{App, AppOptions};
use super::open::TutorRequest;
use super::painter::{PaintedBackend, Painter, paint_frame};
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
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

/// The signals that end a local tutor; each restores the terminal and saves progress first.
const SIGNALS: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

/// The longest the loop waits for input before looking at the signal flag again. Signals do
/// not interrupt crossterm's poll (it retries on EINTR), so the wait is bounded instead.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// How long a drain waits for input that is in the tty but not yet read. Zero would not do:
/// crossterm's `use-dev-tty` source never reads with a zero timeout (crossterm issue #839).
const DRAIN_WAIT: Duration = Duration::from_millis(1);

/// The most time spent taking queued input before the screen is drawn again, so a flood of
/// keys still shows progress.
const DRAIN_BUDGET: Duration = Duration::from_millis(50);

/// How the tutor ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Quit,
    Signal(i32),
}

/// Runs the tutor in this terminal until the learner quits; returns the exit status
/// (128 + the signal's number when a signal ended it, as a shell reports it).
pub fn launch(req: TutorRequest) -> i32 {
    match run(req) {
        Ok(Exit::Quit) => 0,
        Ok(Exit::Signal(sig)) => 128 + sig,
        Err(e) => {
            eprintln!("gradstep: {e}");
            1
        }
    }
}

/// What a person sees instead of "No such device or address (os error 6)".
fn needs_a_terminal(why: &str) -> io::Error {
    io::Error::other(format!(
        "the tutor needs a terminal ({why}); for headless output use `gradstep run` or \
         `gradstep plot`"
    ))
}

fn run(req: TutorRequest) -> io::Result<Exit> {
    if !io::stdout().is_terminal() {
        return Err(needs_a_terminal("standard output is not one"));
    }
    crossterm::terminal::size().map_err(|e| needs_a_terminal(&e.to_string()))?;
    let mut app = app_for(req);
    let caught = Signals::register()?;
    enable_raw_mode().map_err(|e| needs_a_terminal(&e.to_string()))?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        // The wheel scrolls the page text (Action::Scroll).
        EnableMouseCapture,
        cursor::Hide
    ) {
        restore(&mut stdout);
        return Err(e);
    }
    let hook = PanicRestore::install();
    let (backend, mut painter) = PaintedBackend::new(io::stdout());
    let result = Terminal::new(backend)
        .and_then(|mut terminal| event_loop((&mut terminal, &mut painter), &mut app, &caught));
    restore(&mut stdout);
    drop(hook);
    // Whatever ended the run (a signal, a lost terminal), keep what the learner reached. A
    // quit has saved already with every page turn; saving again only merges the same data.
    let result = match (result, caught.signal()) {
        (_, Some(sig)) => Ok(Exit::Signal(sig)),
        (result, None) => result,
    };
    if !matches!(result, Ok(Exit::Quit))
        && let Err(e) = app.progress.save()
    {
        eprintln!("gradstep: {e}");
    }
    result
}

/// SIGTERM, SIGHUP, SIGINT and SIGQUIT caught as a flag the event loop looks at; a second
/// one while the first is being handled ends the process at once (in case the loop is stuck
/// writing to a terminal that is gone).
struct Signals {
    caught: Arc<AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    fn register() -> io::Result<Signals> {
        let caught = Arc::new(AtomicUsize::new(0));
        let again = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in SIGNALS {
            // The order matters: the shutdown checks the flag before the next line sets it.
            ids.push(signal_hook::flag::register_conditional_shutdown(
                sig,
                128 + sig,
                again.clone(),
            )?);
            ids.push(signal_hook::flag::register(sig, again.clone())?);
            ids.push(signal_hook::flag::register_usize(
                sig,
                caught.clone(),
                sig as usize,
            )?);
        }
        Ok(Signals { caught, ids })
    }

    fn signal(&self) -> Option<i32> {
        match self.caught.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Restores the terminal before the previous panic hook prints, and puts that hook back
/// afterwards (rather than dropping it and leaving the default one).
struct PanicRestore {
    previous: Arc<Hook>,
}

impl PanicRestore {
    fn install() -> PanicRestore {
        let previous: Arc<Hook> = Arc::new(std::panic::take_hook());
        let chained = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            restore(&mut io::stdout());
            chained(info);
        }));
        PanicRestore { previous }
    }
}

impl Drop for PanicRestore {
    fn drop(&mut self) {
        // Hooks cannot be changed while panicking; ours restores again, which is harmless.
        if std::thread::panicking() {
            return;
        }
        let _ = std::panic::take_hook();
        let previous = self.previous.clone();
        std::panic::set_hook(Box::new(move |info| previous(info)));
    }
}

/// What woke the loop.
enum Wake {
    Input(event::Event),
    Tick,
    Signal(i32),
}

/// Waits for input, the next auto-play tick, or a signal, whichever comes first.
fn wait(app: &App, next_tick: Instant, signals: &Signals) -> io::Result<Wake> {
    loop {
        if let Some(sig) = signals.signal() {
            return Ok(Wake::Signal(sig));
        }
        let wait = if app.playing() {
            next_tick
                .saturating_duration_since(Instant::now())
                .min(SIGNAL_CHECK)
        } else {
            SIGNAL_CHECK
        };
        if event::poll(wait)? {
            return Ok(Wake::Input(event::read()?));
        }
        if app.playing() && Instant::now() >= next_tick {
            return Ok(Wake::Tick);
        }
    }
}

fn event_loop(
    (terminal, painter): (&mut Terminal<PaintedBackend<Stdout>>, &mut Painter),
    app: &mut App,
    signals: &Signals,
) -> io::Result<Exit> {
    let mut next_tick = Instant::now() + TICK;
    loop {
        paint_frame(terminal, painter, |f, kept| {
            super::draw_painting(app, f, kept)
        })?;
        let was_playing = app.playing();
        let action = match wait(app, next_tick, signals)? {
            Wake::Signal(sig) => return Ok(Exit::Signal(sig)),
            Wake::Tick => {
                next_tick = Instant::now() + TICK;
                Some(Action::Tick)
            }
            Wake::Input(e) => Action::from_event(e),
        };
        if let Some(a) = action
            && !app.update(a)
        {
            return Ok(Exit::Quit);
        }
        if !was_playing {
            // Play that starts now takes its first step one tick from now.
            next_tick = Instant::now() + TICK;
        }
        // Take everything else already typed or pasted before drawing again: a burst of
        // thousands of keys is consumed to the end, not left in the tty until the next key.
        let drain_until = Instant::now() + DRAIN_BUDGET;
        while Instant::now() < drain_until && event::poll(DRAIN_WAIT)? {
            if let Some(sig) = signals.signal() {
                return Ok(Exit::Signal(sig));
            }
            if let Some(a) = Action::from_event(event::read()?)
                && !app.update(a)
            {
                return Ok(Exit::Quit);
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

    #[test]
    fn the_previous_panic_hook_is_back_after_the_tutor_ends() {
        use std::sync::atomic::AtomicBool;
        static CALLED: AtomicBool = AtomicBool::new(false);
        let original = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| CALLED.store(true, Ordering::SeqCst)));
        drop(PanicRestore::install());
        let _ = std::panic::catch_unwind(|| panic!("after the tutor"));
        // Put the test harness's hook back before asserting, so a failure prints normally.
        let _ = std::panic::take_hook();
        std::panic::set_hook(original);
        assert!(
            CALLED.load(Ordering::SeqCst),
            "a panic after the tutor still reaches the hook that was there before"
        );
    }
}
