//! The teacher's console (`gradstep serve --teacher-keys`): the roster of the class, pushing a
//! formula or a lesson page to everyone or one student, a broadcast line, and following one
//! student's screen. Like the tutor it is a state fed [`Action`]s plus a pure view; the hub it
//! talks to is [`crate::class`], and the SSH session that drives it is `ssh::app`.
//!
//! Everything the teacher types is checked here before it goes anywhere: a formula as the
//! sandbox checks one ([`sandbox_formula`]), a start point, η and optimizer as the sandbox
//! reads them, a page against the lessons served.
//!
//! - `view`: the console drawn at any size (the roster, or the followed screen)

pub mod view;

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::KeyEvent;

use super::action::Action;
use super::app::{parse_start, sandbox_formula};
use super::editor::Editor;
use super::keys::{Keymap, LineMsg, Msg};
use crate::class::{Class, Push, Row, Sort, Target};
use crate::lesson::{Lang, Lesson};
use crate::math::Formula;
use crate::math::optimizer::{Kind, Optimizer, check_lr};
use crate::stage::SandboxSpec;

/// What the line being typed asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Formula,
    /// The start point of the formula just accepted.
    Start,
    /// `η [optimizer]`, both optional.
    Rate,
    /// `lesson-id page`.
    Page,
    Broadcast,
}

impl Ask {
    /// The prompt before the line.
    pub fn prompt(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Ask::Formula => ("formula to push: L = ", "要发送的公式：L = "),
            Ask::Start => ("start point: ", "起点："),
            Ask::Rate => ("η [optimizer]: ", "η [优化器]："),
            Ask::Page => ("lesson page (e.g. slope 2): ", "课程 页码（如 slope 2）："),
            Ask::Broadcast => ("broadcast: ", "广播："),
        };
        if lang == Lang::Zh { zh } else { en }
    }
}

/// The line being typed, with the verdict on the last Enter.
pub struct Entry {
    pub ask: Ask,
    pub editor: Editor,
    pub error: Option<String>,
}

pub struct ConsoleOptions {
    pub lang: Lang,
    pub color: bool,
    pub class: Arc<Class>,
    pub lessons: Arc<[Lesson]>,
}

pub struct Console {
    pub lang: Lang,
    pub color: bool,
    class: Arc<Class>,
    lessons: Arc<[Lesson]>,
    pub sort: Sort,
    /// The roster as last read, sorted.
    pub rows: Vec<Row>,
    /// The chosen student's id (it follows the student when the order changes).
    pub selected: Option<u64>,
    /// Sends go to everyone (else to the chosen student).
    pub to_all: bool,
    pub entry: Option<Entry>,
    /// The student whose screen is shown.
    pub following: Option<u64>,
    /// A one-line result (sent to N, an error), cleared by the next key.
    pub notice: Option<String>,
    /// When the roster was last read: the view shows idle times against it, so it never
    /// reads the clock itself.
    pub now: Instant,
    formula: Option<Formula>,
    start: Vec<f64>,
    history: Vec<String>,
    quit: bool,
    /// The key help is open over the console (`?`, or F1 while a line is typed).
    pub help: bool,
    pub help_scroll: u16,
}

impl Console {
    pub fn new(opts: ConsoleOptions) -> Console {
        let mut c = Console {
            lang: opts.lang,
            color: opts.color,
            class: opts.class,
            lessons: opts.lessons,
            sort: Sort::default(),
            rows: Vec::new(),
            selected: None,
            to_all: true,
            entry: None,
            following: None,
            notice: None,
            now: Instant::now(),
            formula: None,
            start: Vec::new(),
            history: Vec::new(),
            quit: false,
            help: false,
            help_scroll: 0,
        };
        c.refresh();
        c
    }

    fn tr(&self, en: impl Into<String>, zh: impl Into<String>) -> String {
        if self.lang == Lang::Zh {
            zh.into()
        } else {
            en.into()
        }
    }

    /// The key table in force: the help's while it is open, the line's while one is typed.
    pub fn keymap(&self) -> Keymap {
        if self.help {
            Keymap::Help
        } else {
            self.under_help()
        }
    }

    /// The table the help explains: the one in force under it.
    fn under_help(&self) -> Keymap {
        if self.entry.is_some() {
            Keymap::Line
        } else {
            Keymap::Console
        }
    }

    /// What the help lists: the keys of the screen under it, then how to close it.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        crate::tui::view::panels::with_closing(self.under_help().help(self.lang), self.lang)
    }

    /// Reads the roster again (on every tick and key), keeping the chosen student.
    pub fn refresh(&mut self) {
        self.now = Instant::now();
        self.rows = self.class.roster();
        self.sort.apply(&mut self.rows);
        if !self.rows.iter().any(|r| Some(r.id) == self.selected) {
            self.selected = self.rows.first().map(|r| r.id);
        }
    }

    /// The followed student's row, if they are still on the roster.
    pub fn followed_row(&self) -> Option<&Row> {
        self.following
            .and_then(|id| self.rows.iter().find(|r| r.id == id))
    }

    /// The screen the followed student published last.
    pub fn followed_screen(&self) -> Option<Arc<crate::class::Screen>> {
        self.following.and_then(|id| self.class.screen(id))
    }

    pub fn broadcast_line(&self) -> Option<String> {
        self.class.broadcast_line()
    }

    /// Feeds one action; false once the teacher has left the console.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::Key(key) => self.key(&key),
            Action::Paste(text) => {
                if let Some(e) = &mut self.entry {
                    e.editor.insert(&text);
                }
            }
            _ => {}
        }
        self.refresh();
        !self.quit
    }

    fn key(&mut self, key: &KeyEvent) {
        let Some(msg) = self.keymap().message(key) else {
            return;
        };
        if self.entry.is_none() {
            self.notice = None;
        }
        match msg {
            Msg::Quit => {
                self.stop_following();
                self.quit = true;
            }
            Msg::Line(edit) => {
                if let Some(e) = &mut self.entry {
                    e.editor.apply(&edit);
                    if !matches!(edit, LineMsg::Older | LineMsg::Newer) {
                        e.error = None;
                    }
                }
            }
            Msg::Help => {
                self.help = true;
                self.help_scroll = 0;
            }
            Msg::CloseHelp => self.help = false,
            Msg::HelpUp => self.help_scroll = self.help_scroll.saturating_sub(1),
            Msg::HelpDown => {
                let rows = self.help_rows().len() as u16;
                self.help_scroll = (self.help_scroll + 1).min(rows);
            }
            Msg::Cancel => self.entry = None,
            Msg::Accept => self.accept(),
            Msg::Back => self.stop_following(),
            Msg::SelectPrev | Msg::SelectNext => self.select(msg == Msg::SelectNext),
            Msg::SwitchLang => self.lang = self.lang.other(),
            Msg::ConsoleSort => self.sort = self.sort.next(),
            Msg::ConsoleClear => self.class.clear_gone(),
            Msg::ConsoleTarget => self.to_all = !self.to_all,
            Msg::ConsolePush => self.ask(Ask::Formula, ""),
            Msg::ConsolePushPage => self.ask(Ask::Page, ""),
            Msg::ConsoleBroadcast => {
                let line = self.class.broadcast_line().unwrap_or_default();
                self.ask(Ask::Broadcast, &line)
            }
            Msg::ConsoleFollow => self.follow(),
            _ => {}
        }
    }

    fn ask(&mut self, ask: Ask, text: &str) {
        self.entry = Some(Entry {
            ask,
            editor: Editor::new(text, self.history.clone()),
            error: None,
        });
    }

    fn select(&mut self, down: bool) {
        if self.following.is_some() || self.rows.is_empty() {
            return;
        }
        let at = self
            .rows
            .iter()
            .position(|r| Some(r.id) == self.selected)
            .unwrap_or(0);
        let n = self.rows.len();
        let next = if down { (at + 1) % n } else { (at + n - 1) % n };
        self.selected = Some(self.rows[next].id);
    }

    fn chosen(&self) -> Option<&Row> {
        self.rows.iter().find(|r| Some(r.id) == self.selected)
    }

    fn follow(&mut self) {
        let Some(row) = self.chosen() else {
            self.notice = Some(self.tr("no student to follow yet", "还没有可以跟随的学生"));
            return;
        };
        let (id, name) = (row.id, row.name.clone());
        if self.class.follow(Some(id)) {
            self.following = Some(id);
        } else {
            self.notice = Some(self.tr(
                format!("{name} has left; only students here can be followed"),
                format!("{name} 已离开，只能跟随在线的学生"),
            ));
        }
    }

    fn stop_following(&mut self) {
        if self.following.take().is_some() {
            self.class.follow(None);
        }
    }

    /// Where a send goes, or why it cannot go.
    fn target(&self) -> Result<Target, String> {
        if self.to_all {
            return Ok(Target::All);
        }
        match self.chosen() {
            Some(r) if r.connected => Ok(Target::One(r.id)),
            Some(r) => Err(self.tr(
                format!(
                    "{} has left; choose another student or send to all (t)",
                    r.name
                ),
                format!("{} 已离开；请选择其他学生，或按 t 发给所有人", r.name),
            )),
            None => Err(self.tr("no student chosen", "没有选中学生")),
        }
    }

    fn accept(&mut self) {
        let Some(entry) = &self.entry else {
            return;
        };
        let ask = entry.ask;
        let text = entry.editor.text();
        let result = match ask {
            Ask::Formula => self.accept_formula(&text),
            Ask::Start => self.accept_start(&text),
            Ask::Rate => self.accept_rate(&text),
            Ask::Page => self.accept_page(&text),
            Ask::Broadcast => {
                let n = self.class.broadcast(Some(&text));
                self.entry = None;
                self.notice = Some(match self.class.broadcast_line() {
                    Some(_) => self.tr(
                        format!("broadcast shown to {n} student(s)"),
                        format!("广播已发给 {n} 名学生"),
                    ),
                    None => self.tr("broadcast cleared", "广播已清除"),
                });
                Ok(())
            }
        };
        if !text.trim().is_empty() {
            super::editor::remember(&mut self.history, &text);
        }
        if let Err(why) = result
            && let Some(e) = &mut self.entry
        {
            e.error = Some(why);
        }
    }

    fn accept_formula(&mut self, text: &str) -> Result<(), String> {
        let f = sandbox_formula(text).map_err(|e| {
            let msg = if self.lang == Lang::Zh {
                e.message_zh
            } else {
                e.message
            };
            match e.column {
                Some(c) => self.tr(format!("column {c}: {msg}"), format!("第 {c} 列：{msg}")),
                None => msg,
            }
        })?;
        let ones = vec!["1"; f.vars().len()].join(", ");
        self.formula = Some(f);
        self.ask(Ask::Start, &ones);
        Ok(())
    }

    fn accept_start(&mut self, text: &str) -> Result<(), String> {
        let n = self.formula.as_ref().map_or(0, |f| f.vars().len());
        self.start = parse_start(text, n).map_err(|e| {
            if self.lang == Lang::Zh {
                e.message_zh
            } else {
                e.message
            }
        })?;
        self.ask(Ask::Rate, "0.1 sgd");
        Ok(())
    }

    fn accept_rate(&mut self, text: &str) -> Result<(), String> {
        let mut words = text.split_whitespace();
        let lr = match words.next() {
            None => 0.1,
            Some(w) => w
                .parse::<f64>()
                .ok()
                .and_then(|v| check_lr(v).ok())
                .ok_or_else(|| {
                    self.tr(
                        format!("η '{w}' must be a number above 0"),
                        format!("η '{w}' 必须是大于 0 的数"),
                    )
                })?,
        };
        let kind = match words.next() {
            None => Kind::Sgd,
            Some(w) => w.parse::<Kind>().map_err(|e| {
                let known = Kind::ALL.map(Kind::name).join(", ");
                self.tr(e, format!("没有优化器 '{w}'（可用：{known}）"))
            })?,
        };
        if let Some(extra) = words.next() {
            return Err(self.tr(
                format!("'{extra}' is one word too many: give η, then an optimizer"),
                format!("'{extra}' 多余：只需 η 和优化器"),
            ));
        }
        let target = self.target()?;
        let Some(formula) = self.formula.clone() else {
            return Err(self.tr("type the formula first (p)", "请先输入公式（p）"));
        };
        let spec = SandboxSpec {
            formula,
            start: self.start.clone(),
            lr,
            optimizer: Optimizer::new(kind),
        };
        let n = self.class.push(target, &Push::Scene(spec));
        self.sent(n);
        Ok(())
    }

    fn accept_page(&mut self, text: &str) -> Result<(), String> {
        let mut words = text.split_whitespace();
        let id = words.next().unwrap_or("");
        let Some(lesson) = self.lessons.iter().find(|l| l.id == id) else {
            let known: Vec<&str> = self.lessons.iter().map(|l| l.id.as_str()).collect();
            let known = known.join(", ");
            return Err(self.tr(
                format!("no lesson '{id}' (served: {known})"),
                format!("没有课程 '{id}'（可用：{known}）"),
            ));
        };
        let pages = lesson.pages.len();
        let page = match words.next() {
            None => 1,
            Some(w) => w.parse::<usize>().unwrap_or(0),
        };
        if page == 0 || page > pages {
            return Err(self.tr(
                format!("'{id}' has pages 1 to {pages}"),
                format!("'{id}' 的页码是 1 到 {pages}"),
            ));
        }
        let target = self.target()?;
        let push = Push::Page {
            lesson: id.to_string(),
            page: page - 1,
        };
        let n = self.class.push(target, &push);
        self.sent(n);
        Ok(())
    }

    fn sent(&mut self, n: usize) {
        self.entry = None;
        self.notice = Some(self.tr(
            format!("sent to {n} student(s)"),
            format!("已发给 {n} 名学生"),
        ));
    }
}

impl Drop for Console {
    /// A teacher who drops the connection while following must not leave a student
    /// publishing frames nobody reads.
    fn drop(&mut self) {
        self.stop_following();
    }
}

#[cfg(test)]
mod tests;
