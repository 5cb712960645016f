//! The tutor's state and its `update`: every key press is an [`Action`] that changes the state,
//! and the view draws the state. Nothing here touches a terminal, reads the clock or draws
//! randomness, so the local terminal, the SSH server and the tests all drive the same core.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::editor::{self, Edit, Editor};
use super::strings::tr;
use super::view::layout;
use crate::chart::Glyphs;
use std::sync::Arc;

use crate::lesson::{Attempts, Feedback, Lang, Lesson, Problem, View};
use crate::math::{Formula, FormulaError, Objective};
use crate::progress::Progress;
use crate::session::Status;
use crate::stage::{self, SandboxSpec, Stage};

pub use super::open::Open;

pub struct AppOptions {
    pub lang: Lang,
    pub glyphs: Glyphs,
    /// Colour themes (off with NO_COLOR).
    pub color: bool,
    pub size: (u16, u16),
    /// The lessons, shared between apps; `problems` are the files that did not load.
    pub lessons: Arc<[Lesson]>,
    pub problems: Vec<Problem>,
    pub progress: Progress,
    /// A message to show once at start (e.g. the progress file was corrupt).
    pub notice: Option<String>,
    pub open: Open,
}

/// What the input line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Formula,
    Start,
    Answer,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub kind: InputKind,
    pub editor: Editor,
    /// The live verdict on what is typed so far.
    pub error: Option<FormulaError>,
}

/// A lesson or the sandbox, being stepped.
pub struct Tutor {
    /// Index into the app's lessons; None in the sandbox.
    pub lesson: Option<usize>,
    pub page: usize,
    pub stage: Stage,
    pub input: Option<Input>,
    pub attempts: Attempts,
    pub feedback: Option<Feedback>,
    /// The learner replaced the page's formula with their own.
    pub custom: bool,
}

pub enum Screen {
    Start,
    Tutor(Box<Tutor>),
}

pub struct App {
    pub lang: Lang,
    pub glyphs: Glyphs,
    pub color: bool,
    pub size: (u16, u16),
    pub lessons: Arc<[Lesson]>,
    pub problems: Vec<Problem>,
    pub progress: Progress,
    pub screen: Screen,
    /// The highlighted row of the start screen (lessons, then the sandbox).
    pub selected: usize,
    pub help: bool,
    /// A one-line message for the learner, cleared by the next key.
    pub notice: Option<String>,
    pub quit: bool,
    formula_history: Vec<String>,
    start_history: Vec<String>,
}

impl App {
    pub fn new(opts: AppOptions) -> App {
        let mut app = App {
            lang: opts.lang,
            glyphs: opts.glyphs,
            color: opts.color,
            size: opts.size,
            lessons: opts.lessons,
            problems: opts.problems,
            progress: opts.progress,
            screen: Screen::Start,
            selected: 0,
            help: false,
            notice: opts.notice,
            quit: false,
            formula_history: Vec::new(),
            start_history: Vec::new(),
        };
        match opts.open {
            Open::Start => {}
            Open::Lesson(id) => match app.lessons.iter().position(|l| l.id == id) {
                Some(i) => {
                    app.selected = i;
                    app.open_lesson(i);
                }
                None => app.notice = Some(format!("no lesson '{id}'")),
            },
            Open::Sandbox(spec) => app.open_sandbox(spec),
        }
        app.refit();
        app
    }

    /// Feeds one action; returns false once the learner has quit.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::Resize(w, h) => self.size = (w, h),
            Action::Tick => self.tick(),
            Action::Paste(text) => {
                if let Screen::Tutor(t) = &mut self.screen
                    && let Some(input) = &mut t.input
                {
                    input.editor.insert(&text);
                    validate(input);
                }
            }
            Action::Key(key) => self.key(key),
        }
        self.refit();
        !self.quit
    }

    /// Whether auto-play wants ticks.
    pub fn playing(&self) -> bool {
        matches!(&self.screen, Screen::Tutor(t) if t.stage.playing)
    }

    fn tick(&mut self) {
        if let Screen::Tutor(t) = &mut self.screen
            && t.stage.playing
            && (!t.stage.step() || t.stage.status() != Status::Running)
        {
            t.stage.playing = false;
        }
    }

    /// Keeps the chart window fitted to the path for the current layout.
    fn refit(&mut self) {
        let size = self.size;
        if let Screen::Tutor(t) = &mut self.screen
            && let Some((cols, rows)) = layout::contour_plot_cells(size, t.stage.scene.view)
        {
            t.stage.fit_window(cols, rows);
        }
    }

    fn key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q')) {
            self.leave_lesson();
            self.quit = true;
            return;
        }
        self.notice = None;
        if self.help {
            self.help = false;
            return;
        }
        if let Screen::Tutor(t) = &mut self.screen
            && t.input.is_some()
        {
            self.input_key(key);
            return;
        }
        match key.code {
            KeyCode::Char('?') => self.help = true,
            KeyCode::Char('L') => self.lang = self.lang.other(),
            KeyCode::Char('a') => {
                self.glyphs = match self.glyphs {
                    Glyphs::Ascii => Glyphs::Unicode,
                    Glyphs::Unicode => Glyphs::Ascii,
                }
            }
            _ => match self.screen {
                Screen::Start => self.start_key(key),
                Screen::Tutor(_) => self.tutor_key(key),
            },
        }
    }

    fn start_key(&mut self, key: KeyEvent) {
        let rows = self.lessons.len() + 1;
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = (self.selected + rows - 1) % rows,
            KeyCode::Down | KeyCode::Char('j') => self.selected = (self.selected + 1) % rows,
            KeyCode::Home | KeyCode::Char('g') => self.selected = 0,
            KeyCode::End | KeyCode::Char('G') => self.selected = rows - 1,
            KeyCode::Enter | KeyCode::Right | KeyCode::Char('l') => {
                if self.selected < self.lessons.len() {
                    self.open_lesson(self.selected);
                } else {
                    self.open_sandbox(SandboxSpec::default());
                }
            }
            KeyCode::Char('q') | KeyCode::Esc => self.quit = true,
            _ => {}
        }
    }

    fn open_lesson(&mut self, i: usize) {
        let Some(lesson) = self.lessons.get(i) else {
            return;
        };
        let saved = self.progress.get(&lesson.id);
        let page = saved.page.min(lesson.pages.len().saturating_sub(1));
        let Some(scene) = lesson.scene(page) else {
            self.notice = Some(format!("lesson '{}' has no pages", lesson.id));
            return;
        };
        match Stage::new(scene.clone()) {
            Ok(stage) => {
                self.screen = Screen::Tutor(Box::new(Tutor {
                    lesson: Some(i),
                    page,
                    stage,
                    input: None,
                    attempts: Attempts::default(),
                    feedback: None,
                    custom: false,
                }));
                self.record_progress();
            }
            Err(e) => self.notice = Some(format!("{}: {e}", lesson.file)),
        }
    }

    fn open_sandbox(&mut self, spec: SandboxSpec) {
        let scene = stage::formula_scene(spec.formula, spec.start, spec.lr, spec.optimizer);
        match Stage::new(scene) {
            Ok(stage) => {
                self.screen = Screen::Tutor(Box::new(Tutor {
                    lesson: None,
                    page: 0,
                    stage,
                    input: None,
                    attempts: Attempts::default(),
                    feedback: None,
                    custom: true,
                }))
            }
            Err(e) => self.notice = Some(e),
        }
    }

    fn record_progress(&mut self) {
        if let Screen::Tutor(t) = &self.screen
            && let Some(lesson) = t.lesson.and_then(|i| self.lessons.get(i))
        {
            self.progress.visit(&lesson.id, t.page, lesson.pages.len());
            if let Err(e) = self.progress.save() {
                self.notice = Some(e);
            }
        }
    }

    fn leave_lesson(&mut self) {
        if matches!(self.screen, Screen::Tutor(_)) {
            self.record_progress();
        }
    }

    fn tutor_key(&mut self, key: KeyEvent) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let taylor = t.stage.scene.view == View::Taylor;
        let is_formula = matches!(t.stage.scene.objective, Objective::Formula(_));
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => {
                self.leave_lesson();
                self.screen = Screen::Start;
            }
            KeyCode::Char('n') | KeyCode::Char(' ') if !t.stage.step() => {
                self.notice = Some(stopped_notice(lang, t.stage.status()));
            }
            KeyCode::Char('b') | KeyCode::Backspace if !t.stage.undo() => {
                self.notice = Some(tr(lang, "already at the start", "已经在起点").into());
            }
            KeyCode::Char('r') => t.stage.reset(),
            KeyCode::Char('p') => {
                t.stage.playing = !t.stage.playing && t.stage.status() == Status::Running;
            }
            KeyCode::Char('+') | KeyCode::Char('=') => {
                if taylor {
                    t.stage.scale_probe(true);
                } else {
                    t.stage.nudge_lr(true);
                }
            }
            KeyCode::Char('-') | KeyCode::Char('_') => {
                if taylor {
                    t.stage.scale_probe(false);
                } else {
                    t.stage.nudge_lr(false);
                }
            }
            KeyCode::Char('o') => {
                t.stage.next_optimizer();
            }
            KeyCode::Char('f') if is_formula => {
                let text = match &t.stage.scene.objective {
                    Objective::Formula(f) => f.source().to_string(),
                    Objective::Model(_) => String::new(),
                };
                t.input = Some(Input {
                    kind: InputKind::Formula,
                    editor: Editor::new(&text, self.formula_history.clone()),
                    error: None,
                });
            }
            KeyCode::Char('f') => {
                self.notice = Some(
                    tr(
                        lang,
                        "this page's loss comes from a model; open the sandbox to type a formula",
                        "本页的损失来自模型；在沙盒中可以输入公式",
                    )
                    .into(),
                )
            }
            KeyCode::Char('s') => {
                let cur = t.stage.main().current().params.clone();
                let text = cur
                    .iter()
                    .map(|v| crate::numfmt::short(*v))
                    .collect::<Vec<_>>()
                    .join(", ");
                t.input = Some(Input {
                    kind: InputKind::Start,
                    editor: Editor::new(&text, self.start_history.clone()),
                    error: None,
                });
            }
            KeyCode::Enter => {
                let has_exercise = t
                    .lesson
                    .and_then(|i| self.lessons.get(i))
                    .and_then(|l| l.page(t.page))
                    .is_some_and(|p| p.exercise.is_some());
                if has_exercise && !t.attempts.solved {
                    t.input = Some(Input {
                        kind: InputKind::Answer,
                        editor: Editor::new("", Vec::new()),
                        error: None,
                    });
                }
            }
            KeyCode::Left | KeyCode::Right if taylor => {
                let turn = if key.code == KeyCode::Left {
                    15f64
                } else {
                    -15f64
                };
                t.stage.angle += turn.to_radians();
            }
            KeyCode::Up | KeyCode::Down if taylor => {
                let turn = if key.code == KeyCode::Up { 1f64 } else { -1f64 };
                t.stage.angle += turn.to_radians();
            }
            KeyCode::Char('g') if taylor => {
                let g = &t.stage.main().current().grad;
                if let Some((i, j)) = t.stage.axes() {
                    let (gx, gy) = (g[i], g[j]);
                    if gx != 0.0 || gy != 0.0 {
                        t.stage.angle = (-gy).atan2(-gx);
                    }
                }
            }
            KeyCode::Right | KeyCode::PageDown => self.turn_page(true),
            KeyCode::Left | KeyCode::PageUp => self.turn_page(false),
            KeyCode::Char('z') => t.stage.zoom(0.5),
            KeyCode::Char('Z') => t.stage.zoom(2.0),
            KeyCode::Char('0') => t.stage.auto_window(),
            KeyCode::Char('h') => t.stage.pan(-0.25, 0.0),
            KeyCode::Char('l') => t.stage.pan(0.25, 0.0),
            KeyCode::Char('k') => t.stage.pan(0.0, 0.25),
            KeyCode::Char('j') => t.stage.pan(0.0, -0.25),
            _ => {}
        }
    }

    fn turn_page(&mut self, forward: bool) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let Some(lesson) = t.lesson.and_then(|i| self.lessons.get(i)) else {
            return;
        };
        let page = if forward {
            t.page + 1
        } else {
            match t.page.checked_sub(1) {
                Some(p) => p,
                None => return,
            }
        };
        let Some(p) = lesson.page(page) else {
            self.notice = Some(
                tr(
                    lang,
                    "last page — q goes back to the lessons",
                    "这是最后一页：按 q 返回课程列表",
                )
                .into(),
            );
            return;
        };
        // A page keeps the learner's run unless its scene differs from what is on stage.
        if p.scene_changed || t.custom || p.scene != t.stage.scene {
            match Stage::new(p.scene.clone()) {
                Ok(stage) => t.stage = stage,
                Err(e) => {
                    self.notice = Some(format!("{}: {e}", lesson.file));
                    return;
                }
            }
            t.custom = false;
        }
        t.page = page;
        t.attempts = Attempts::default();
        t.feedback = None;
        t.input = None;
        self.record_progress();
    }

    fn input_key(&mut self, key: KeyEvent) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let Some(input) = &mut t.input else {
            return;
        };
        match input.editor.key(key) {
            Edit::Cancel => t.input = None,
            Edit::Changed => validate(input),
            Edit::Moved | Edit::Ignored => {}
            Edit::Submit => {
                let text = input.editor.text();
                match input.kind {
                    InputKind::Formula => match Formula::parse(&text) {
                        Err(e) => input.error = Some(e),
                        Ok(f) if f.vars().is_empty() => {
                            input.error = Some(no_variables(lang));
                        }
                        Ok(f) => {
                            editor::remember(&mut self.formula_history, &text);
                            let cur = t.stage.main();
                            let old_names = t.stage.scene.names.clone();
                            let old_params = cur.current().params.clone();
                            let start: Vec<f64> = f
                                .vars()
                                .iter()
                                .map(|v| {
                                    old_names
                                        .iter()
                                        .position(|n| n == v)
                                        .map(|i| old_params[i])
                                        .unwrap_or(1.0)
                                })
                                .collect();
                            let scene = stage::formula_scene(f, start, cur.lr(), *cur.optimizer());
                            match Stage::new(scene) {
                                Ok(stage) => {
                                    t.stage = stage;
                                    t.custom = true;
                                    t.input = None;
                                }
                                Err(e) => self.notice = Some(e),
                            }
                        }
                    },
                    InputKind::Start => match parse_start(&text, t.stage.scene.names.len()) {
                        Err(e) => input.error = Some(e),
                        Ok(start) => {
                            editor::remember(&mut self.start_history, &text);
                            let mut scene = t.stage.scene.clone();
                            scene.start = start;
                            for r in &mut scene.race {
                                r.start = scene.start.clone();
                            }
                            let lr = t.stage.main().lr();
                            let opt = *t.stage.main().optimizer();
                            match Stage::new(scene) {
                                Ok(mut stage) => {
                                    stage.runners[0].session.set_lr(lr);
                                    stage.runners[0].session.set_optimizer(opt);
                                    t.stage = stage;
                                    t.input = None;
                                }
                                Err(e) => {
                                    input.error = Some(FormulaError {
                                        column: None,
                                        message: e,
                                    })
                                }
                            }
                        }
                    },
                    InputKind::Answer => {
                        let exercise = t
                            .lesson
                            .and_then(|i| self.lessons.get(i))
                            .and_then(|l| l.page(t.page))
                            .and_then(|p| p.exercise.as_ref());
                        if let Some(ex) = exercise {
                            let fb = t.attempts.submit(ex, &text);
                            t.feedback = Some(fb);
                        }
                        t.input = None;
                    }
                }
            }
        }
    }

    /// The lesson on stage, if any.
    pub fn lesson(&self) -> Option<&Lesson> {
        match &self.screen {
            Screen::Tutor(t) => t.lesson.and_then(|i| self.lessons.get(i)),
            Screen::Start => None,
        }
    }
}

fn no_variables(lang: Lang) -> FormulaError {
    FormulaError {
        column: None,
        message: tr(
            lang,
            "the formula has no variable to descend on",
            "公式里没有可以下降的变量",
        )
        .into(),
    }
}

/// Live validation while typing: the first problem and its column, or nothing.
fn validate(input: &mut Input) {
    let text = input.editor.text();
    input.error = match input.kind {
        InputKind::Formula => Formula::parse(&text).err(),
        InputKind::Start | InputKind::Answer => None,
    };
}

/// Reads `1, 2` or `(1, 2)` as a start point with `n` coordinates.
fn parse_start(text: &str, n: usize) -> Result<Vec<f64>, FormulaError> {
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    let mut out = Vec::new();
    for (k, part) in inner.split(',').enumerate() {
        match part.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => out.push(v),
            _ => {
                return Err(FormulaError {
                    column: None,
                    message: format!("value {}: '{}' is not a number", k + 1, part.trim()),
                });
            }
        }
    }
    if out.len() != n {
        return Err(FormulaError {
            column: None,
            message: format!("give {n} number(s) separated by commas, got {}", out.len()),
        });
    }
    Ok(out)
}

fn stopped_notice(lang: Lang, status: Status) -> String {
    match status {
        Status::Converged => tr(
            lang,
            "converged — b undoes, r starts over",
            "已收敛：b 撤销，r 重来",
        ),
        Status::Diverged => tr(
            lang,
            "diverged — b undoes, - lowers η, r starts over",
            "已发散：b 撤销，- 减小 η，r 重来",
        ),
        Status::MaxSteps => tr(
            lang,
            "step limit reached — b undoes, r starts over",
            "已达步数上限：b 撤销，r 重来",
        ),
        Status::Running => "",
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_points_are_parsed_with_clear_errors() {
        assert_eq!(parse_start("(1, -2.5)", 2).unwrap(), vec![1.0, -2.5]);
        assert!(
            parse_start("1", 2)
                .unwrap_err()
                .message
                .contains("give 2 number")
        );
        assert!(
            parse_start("1, a", 2)
                .unwrap_err()
                .message
                .contains("'a' is not a number")
        );
    }
}
