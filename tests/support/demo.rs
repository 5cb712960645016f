//! A tiny app for the SSH server's own tests (never in the shipped binary): a counter, the
//! terminal size, an input line, and two fixtures the real tutor must never have: typing
//! `boom` + Enter panics (a panic must end one session only) and fill mode repaints every cell
//! (a slow client must not grow the server). The strings the tests look for are the constants
//! below.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
use gradstep::ssh::{Action, AppFactory, Connection, Painting, RemoteApp, Retained};
use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

/// Shown on the first line of every frame.
pub const TITLE: &str = "gradstep serve demo";
/// Key that adds one to the counter.
pub const KEY_STEP: char = 'n';
/// Key that quits.
pub const KEY_QUIT: char = 'q';
/// Key that toggles auto-play (the counter then grows on every tick).
pub const KEY_AUTO: char = 'a';
/// Key that toggles fill mode: every cell changes with the counter, so each step is a
/// full-screen frame (for the slow-client test and heavy-frame benchmarks).
pub const KEY_FILL: char = 'f';
/// Typing this and pressing Enter panics inside the tutor (tests that a panic ends one session).
pub const PANIC_WORD: &str = "boom";

/// The counter line as drawn.
pub fn counter_line(n: u64) -> String {
    format!("n = {n}")
}
/// The size line as drawn.
pub fn size_line(cols: u16, rows: u16) -> String {
    format!("size {cols}x{rows}")
}
/// What the client told the server about its terminal, as drawn.
pub fn terminal_line(t: &gradstep::ssh::ClientTerminal) -> String {
    let v = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    format!(
        "TERM={} LANG={} LC_ALL={} NO_COLOR={}",
        v(&t.term),
        v(&t.lang),
        v(&t.lc_all),
        v(&t.no_color)
    )
}
/// The input line as drawn.
pub fn input_line(text: &str) -> String {
    format!("> {text}")
}

pub struct DemoApp {
    count: u64,
    size: (u16, u16),
    input: String,
    auto: bool,
    fill: bool,
    who: String,
    terminal: String,
}

impl DemoApp {
    pub fn new(info: &Connection) -> Self {
        let key = info.key_fingerprint.as_deref().unwrap_or("no key");
        DemoApp {
            count: 0,
            size: (0, 0),
            input: String::new(),
            auto: false,
            fill: false,
            who: format!("{} from {} ({key})", info.user, info.peer.ip()),
            terminal: terminal_line(&info.terminal),
        }
    }
}

/// A factory that gives every connection its own [`DemoApp`].
pub fn factory() -> AppFactory {
    std::sync::Arc::new(|info: &Connection| Box::new(DemoApp::new(info)) as Box<dyn RemoteApp>)
}

impl RemoteApp for DemoApp {
    fn update(&mut self, action: Action) -> bool {
        match action {
            Action::Key(k) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => return false,
                KeyCode::Char(KEY_QUIT) | KeyCode::Esc => return false,
                KeyCode::Char(KEY_STEP) => self.count += 1,
                KeyCode::Char(KEY_AUTO) => self.auto = !self.auto,
                KeyCode::Char(KEY_FILL) => self.fill = !self.fill,
                KeyCode::Char(c) => self.input.push(c),
                KeyCode::Backspace => {
                    self.input.pop();
                }
                KeyCode::Enter => {
                    if self.input == PANIC_WORD {
                        panic!("demo tutor asked to panic");
                    }
                    self.input.clear();
                }
                _ => {}
            },
            Action::Paste(text) => self.input.push_str(&text),
            Action::Resize(c, r) => self.size = (c, r),
            Action::Tick => self.count += 1,
            // The demo draws no chart and no page, so the tutor's layout feedback (chart area,
            // page overflow) and scrolling mean nothing to it.
            _ => {}
        }
        true
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.auto.then_some(Duration::from_millis(500))
    }

    fn draw(&mut self, frame: &mut Frame, _kept: &[Retained]) -> Painting {
        let area = frame.area();
        self.size = (area.width, area.height);
        let lines = vec![
            Line::from(TITLE),
            Line::from(counter_line(self.count)),
            Line::from(size_line(area.width, area.height)),
            Line::from(input_line(&self.input)),
            Line::from(self.who.clone()),
            Line::from(self.terminal.clone()),
            Line::from(format!(
                "{KEY_STEP}: count  {KEY_AUTO}: auto-play{}  text: type  Enter: clear  {KEY_QUIT}: quit",
                if self.auto { " (on)" } else { "" }
            )),
        ];
        if self.fill {
            let c = char::from(b'a' + (self.count % 26) as u8).to_string();
            let buf = frame.buffer_mut();
            for pos in area.positions() {
                buf[pos].set_symbol(&c);
            }
        }
        frame.render_widget(Paragraph::new(lines).block(Block::bordered()), area);
        Painting::default()
    }
}
