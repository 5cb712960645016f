//! The tutor's state and its `update`: the adapters feed [`Action`]s, a key becomes a named
//! [`Msg`] through the screen's table in [`super::keys`], and the message changes the state;
//! the view draws the state. Nothing here touches a terminal, reads the clock, draws
//! randomness or calls view code, so the local terminal, the SSH server and the tests all
//! drive the same core.

use super::action::Action;
use super::editor::{self, Edit, Editor};
use super::keys::{Context, Keymap, LineMsg, Msg};
use super::strings::tr;
use crate::chart::{self, Glyphs};
use std::sync::Arc;

use crate::descent::Status;
use crate::lesson::direction::Aim;
use crate::lesson::predict::Step;
use crate::lesson::{
    Answer, Attempts, ChartKind, Exercise, Feedback, Lang, Lesson, Mask, Problem, Verdict, round,
};
use crate::math::formula::Draft;
use crate::math::objective::MAX_VARS;
use crate::math::{DescentError, Formula, FormulaError, Objective, check_descent};
use crate::progress::Progress;
use crate::stage::{self, SandboxSpec, Stage};

pub use super::open::Open;
use super::quiz;

pub struct AppOptions {
    pub lang: Lang,
    pub glyphs: Glyphs,
    /// Colour themes (off with NO_COLOR).
    pub color: bool,
    /// The lessons, shared between apps; `problems` are the files that did not load.
    pub lessons: Arc<[Lesson]>,
    pub problems: Vec<Problem>,
    pub progress: Progress,
    /// A message to show once at start (e.g. the progress file was corrupt).
    pub notice: Option<String>,
    pub open: Open,
}

/// What the line being typed is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Formula,
    Start,
    Answer,
}

/// The line the learner is typing: a formula, a start point or an answer.
#[derive(Debug, Clone)]
pub struct LineEntry {
    pub kind: LineKind,
    pub editor: Editor,
    /// The live verdict on what is typed so far.
    pub error: Option<FormulaError>,
    /// A formula line's parse, made as the learner types and taken as is on Enter, so the
    /// text is lexed once per change and never again.
    draft: Draft,
}

impl LineEntry {
    fn new(kind: LineKind, text: &str, history: Vec<String>) -> LineEntry {
        LineEntry {
            kind,
            editor: Editor::new(text, history),
            error: None,
            draft: Draft::default(),
        }
    }
}

/// A lesson or the sandbox, being stepped.
pub struct Tutor {
    /// Index into the app's lessons; None in the sandbox.
    pub lesson: Option<usize>,
    pub page: usize,
    pub stage: Stage,
    pub line: Option<LineEntry>,
    pub attempts: Attempts,
    pub feedback: Option<Feedback>,
    /// The learner replaced the page's formula with their own.
    pub custom: bool,
    /// Rows of page text scrolled past.
    pub scroll: u16,
    /// How far the page text could scroll in the last frame (see `Action::PageOverflow`).
    overflow: u16,
    /// The question on stage when it is not the page's own: a variant drawn with "again",
    /// the sandbox's predict round, or a
    /// question the learner asked for in the sandbox (`d`: type ∂L/∂x on their formula).
    pub exercise: Option<Exercise>,
    /// Which variant of the page's question is on stage (0: the page's own start).
    pub variant: usize,
    /// The sandbox's predict round is open: its question is about the learner's own run.
    pub round: bool,
}

impl Tutor {
    fn new(lesson: Option<usize>, page: usize, stage: Stage) -> Tutor {
        Tutor {
            lesson,
            page,
            stage,
            line: None,
            attempts: Attempts::default(),
            feedback: None,
            custom: lesson.is_none(),
            scroll: 0,
            overflow: 0,
            exercise: None,
            variant: 0,
            round: false,
        }
    }
}

pub enum Screen {
    Start,
    Tutor(Box<Tutor>),
}

/// The chart's size in cells as the last frame drew it, and for which view: another view lays
/// the screen out differently, so its size is unknown until the next frame reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ChartArea {
    view: ChartKind,
    cols: u16,
    rows: u16,
}

pub struct App {
    pub lang: Lang,
    pub glyphs: Glyphs,
    pub color: bool,
    pub lessons: Arc<[Lesson]>,
    pub problems: Vec<Problem>,
    pub progress: Progress,
    pub screen: Screen,
    /// The highlighted row of the start screen (lessons, then the sandbox).
    pub selected: usize,
    pub help: bool,
    /// The first row of the help overlay on screen, when it is taller than the screen.
    pub help_scroll: u16,
    /// A one-line message for the learner, cleared by the next key.
    pub notice: Option<String>,
    pub quit: bool,
    chart: Option<ChartArea>,
    formula_history: Vec<String>,
    start_history: Vec<String>,
    /// How many variants "again" has drawn: picks the next one without a clock or a random
    /// source, so every adapter and test sees the same sequence.
    draws: u64,
    /// What the learner had on screen when the teacher pushed a scene or page: Back returns
    /// to it (a second push keeps the first place, not the first push).
    stash: Option<Screen>,
    /// This session's counts for the teacher's roster: steps taken, graded answers.
    steps: u64,
    solved: u32,
    tried: u32,
    /// The footer last drawn, kept by the view: it changes with the screen and its size, not
    /// with a step.
    pub(crate) footer: crate::tui::view::FooterMemo,
    /// The page text last drawn, likewise.
    pub(crate) page_rows: crate::tui::view::RowsMemo,
    /// The page text wrapped for the last frame (see `view::tutor`).
    pub(crate) page_text: crate::tui::view::TextMemo,
}

impl App {
    pub fn new(opts: AppOptions) -> App {
        let mut app = App {
            lang: opts.lang,
            glyphs: opts.glyphs,
            color: opts.color,
            lessons: opts.lessons,
            problems: opts.problems,
            progress: opts.progress,
            screen: Screen::Start,
            selected: 0,
            help: false,
            help_scroll: 0,
            notice: opts.notice,
            quit: false,
            chart: None,
            formula_history: Vec::new(),
            start_history: Vec::new(),
            draws: 0,
            stash: None,
            steps: 0,
            solved: 0,
            tried: 0,
            footer: Default::default(),
            page_rows: Default::default(),
            page_text: Default::default(),
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
        app
    }

    /// Feeds one action; returns false once the learner has quit.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::Key(key) => {
                if let Some(msg) = self.keymap().message_in(&key, self.key_context()) {
                    self.notice = None;
                    self.handle(msg);
                }
            }
            Action::Paste(text) => {
                if self.line().is_some() {
                    self.edit_line(&LineMsg::Insert(text));
                }
            }
            // The chart's old size is stale; the next frame reports the new one.
            Action::Resize(..) => self.chart = None,
            Action::ChartArea { cols, rows } => {
                if let Screen::Tutor(t) = &self.screen {
                    let view = t.stage.scene.view;
                    self.chart = Some(ChartArea { view, cols, rows });
                }
            }
            Action::Tick => self.tick(),
            Action::PageOverflow(rows) => {
                if let Screen::Tutor(t) = &mut self.screen {
                    t.overflow = rows;
                    t.scroll = t.scroll.min(rows);
                }
            }
            Action::Scroll(rows) => {
                if !self.help {
                    self.scroll(rows);
                }
            }
        }
        self.refit();
        !self.quit
    }

    /// How far the page text could scroll down in the last frame drawn.
    pub fn page_overflow(&self) -> u16 {
        match &self.screen {
            Screen::Tutor(t) => t.overflow,
            Screen::Start => 0,
        }
    }

    /// Scrolls the page text by `rows` (down when positive), within the text.
    fn scroll(&mut self, rows: i16) {
        if let Screen::Tutor(t) = &mut self.screen {
            t.scroll = t.scroll.saturating_add_signed(rows).min(t.overflow);
        }
    }

    /// Whether the page asks a question not yet answered right. One whose explanation is
    /// shown stays open: its verdict still offers Enter to try again.
    fn open_question(&self) -> bool {
        let Screen::Tutor(t) = &self.screen else {
            return false;
        };
        self.exercise().is_some() && !t.attempts.solved
    }

    /// Whether auto-play wants ticks.
    pub fn playing(&self) -> bool {
        matches!(&self.screen, Screen::Tutor(t) if t.stage.playing)
    }

    /// The key table in force now: the help overlay's while it is open.
    pub fn keymap(&self) -> Keymap {
        if self.help {
            Keymap::Help
        } else {
            self.screen_keymap()
        }
    }

    /// The key table of the screen itself, under the help overlay if that is open: what the
    /// footer and the help list.
    pub fn screen_keymap(&self) -> Keymap {
        match &self.screen {
            Screen::Start => Keymap::Start,
            Screen::Tutor(t) if t.line.is_some() => Keymap::Line,
            Screen::Tutor(t) if t.stage.scene.view == ChartKind::Taylor => Keymap::Taylor,
            Screen::Tutor(_) => Keymap::Tutor,
        }
    }

    /// What the footer needs to know to pick its hints.
    pub fn key_context(&self) -> Context {
        match &self.screen {
            Screen::Start => Context::default(),
            Screen::Tutor(t) => Context {
                in_lesson: t.lesson.is_some(),
                formula: matches!(t.stage.scene.objective, Objective::Formula(_)),
                page: self.lesson().map(|l| (t.page + 1, l.pages.len())),
                scrolls: t.overflow > 0,
                question: self.open_question(),
                varies: !t.custom
                    && self
                        .lesson()
                        .and_then(|l| l.page(t.page))
                        .and_then(|p| p.vary.as_ref())
                        .is_some_and(|v| v.starts.len() > 1),
                tolerance: t.stage.tol_tunable(),
            },
        }
    }

    /// The chart's size in cells that the window is fitted to, if the last frame reported one
    /// for the view on stage. An adapter whose frame drew another size sends
    /// [`Action::ChartArea`] and draws again.
    pub fn chart_area(&self) -> Option<(u16, u16)> {
        match (&self.screen, self.chart) {
            (Screen::Tutor(t), Some(c)) if c.view == t.stage.scene.view => Some((c.cols, c.rows)),
            _ => None,
        }
    }

    /// The line being typed, if any.
    pub fn line(&self) -> Option<&LineEntry> {
        match &self.screen {
            Screen::Tutor(t) => t.line.as_ref(),
            Screen::Start => None,
        }
    }

    /// The lesson on stage, if any.
    pub fn lesson(&self) -> Option<&Lesson> {
        match &self.screen {
            Screen::Tutor(t) => t.lesson.and_then(|i| self.lessons.get(i)),
            Screen::Start => None,
        }
    }

    /// The question on stage: the variant drawn with "again" or the sandbox's predict round
    /// if there is one, else the page's own.
    pub fn exercise(&self) -> Option<&Exercise> {
        let Screen::Tutor(t) = &self.screen else {
            return None;
        };
        match &t.exercise {
            Some(e) => Some(e),
            None => self.lesson()?.page(t.page)?.exercise.as_ref(),
        }
    }

    /// The question while it waits for an answer about the run on stage: the lesson's own run
    /// (a formula the learner typed is not what a page's question is about), or in the
    /// sandbox's predict round the learner's run.
    pub fn open_exercise(&self) -> Option<&Exercise> {
        let Screen::Tutor(t) = &self.screen else {
            return None;
        };
        if (t.custom && t.lesson.is_some()) || !t.attempts.open() {
            return None;
        }
        self.exercise()
    }

    /// What the screen hides now: the quantity the open question asks for, what the page
    /// hides (`hide = [...]`), and what another page asks at this page's state until that
    /// question is solved or shown (paging back or on must not read its answer). The last only
    /// while the run is where the page opened: after a step the panel shows other numbers.
    pub fn mask(&self) -> Mask {
        let own = self.open_exercise().map_or(Mask::default(), Exercise::mask);
        let Screen::Tutor(t) = &self.screen else {
            return own;
        };
        let Some((lesson, page)) = self
            .lesson()
            .filter(|_| !t.custom)
            .and_then(|l| Some((l, l.page(t.page)?)))
        else {
            return own;
        };
        let main = t.stage.main();
        let at_opening = main.history().len() == 1 && main.current().params == page.scene.start;
        let others = page
            .later
            .iter()
            .filter(|_| at_opening)
            .filter(|l| {
                let p = self.progress.exercise(&lesson.id, &l.exercise_id);
                !p.solved && !p.shown
            })
            .fold(Mask::default(), |m, l| m.union(l.asks.mask()));
        // Once this page's own question is answered, what it asked is the learner's: another
        // page's open question (∇L, which would also hide θ next) must not take it back.
        let others = match (&page.exercise, self.open_exercise()) {
            (Some(e), None) => others.minus(e.asks.earned()),
            _ => others,
        };
        own.union(page.hide).union(others)
    }

    /// The "show me" key: the answer and why, counted as shown, not solved.
    fn show_answer(&mut self) {
        if self.exercise().is_none() {
            self.notice = Some(tr(self.lang, "this page has no question", "本页没有问题").into());
            return;
        }
        if let Screen::Tutor(t) = &mut self.screen {
            let found = t.attempts.solved;
            t.feedback = Some(t.attempts.show());
            t.line = None;
            if !found && let Some((lesson, id)) = self.exercise_key() {
                self.progress.shown(&lesson, &id);
            }
            self.record_progress();
        }
    }

    /// The sandbox's "type ∂L/∂x" on the learner's own formula, graded like a lesson's
    /// derivative exercise over the window on screen; pressed again while it is open, it
    /// asks for the next variable.
    fn ask_derivative(&mut self) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        if t.lesson.is_some() {
            self.notice = Some(
                tr(
                    lang,
                    "the ∂L/∂x quiz is in the sandbox (q, then the last row)",
                    "求导小测在沙盒里（按 q，再选最后一行）",
                )
                .into(),
            );
            return;
        }
        let var = match &t.exercise {
            Some(Exercise {
                answer: Answer::Derivative(d),
                ..
            }) if t.attempts.open() => d.var + 1,
            _ => 0,
        };
        match quiz::derivative(&t.stage, var) {
            Ok(ex) => {
                t.exercise = Some(ex);
                t.round = false;
                t.attempts = Attempts::default();
                t.feedback = None;
                t.line = None;
            }
            Err(why) => self.notice = Some(why.get(lang).to_string()),
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Quit => {
                self.leave_lesson();
                self.quit = true;
            }
            Msg::Back => {
                self.leave_lesson();
                self.screen = self.stash.take().unwrap_or(Screen::Start);
            }
            Msg::Help => {
                self.help = true;
                self.help_scroll = 0;
            }
            Msg::CloseHelp => self.help = false,
            Msg::HelpUp => self.help_scroll = self.help_scroll.saturating_sub(1),
            Msg::HelpDown => {
                // The view shows what fits; the last row may come to the top, no further.
                let rows = crate::tui::view::panels::help_rows(self).len() as u16;
                self.help_scroll = (self.help_scroll + 1).min(rows);
            }
            Msg::SwitchLang => self.lang = self.lang.other(),
            Msg::SwitchGlyphs => {
                self.glyphs = match self.glyphs {
                    Glyphs::Ascii => Glyphs::Unicode,
                    Glyphs::Unicode => Glyphs::Ascii,
                }
            }
            Msg::SelectPrev | Msg::SelectNext | Msg::SelectFirst | Msg::SelectLast => {
                self.select(&msg)
            }
            Msg::OpenSelected => {
                if self.selected < self.lessons.len() {
                    self.open_lesson(self.selected);
                } else {
                    self.open_sandbox(SandboxSpec::default());
                }
            }
            Msg::NextPage => self.turn_page(true),
            Msg::ScrollUp => self.scroll(-1),
            Msg::ScrollDown => self.scroll(1),
            Msg::NextLesson => self.next_lesson(),
            Msg::PrevPage => self.turn_page(false),
            Msg::TypeFormula => self.type_formula(),
            Msg::TypeStart => self.open_line(LineKind::Start),
            Msg::Answer => self.open_line(LineKind::Answer),
            Msg::ShowAnswer => self.show_answer(),
            Msg::Again => self.again(),
            Msg::PredictRound => self.predict_round(),
            Msg::AskDerivative => self.ask_derivative(),
            // A question about the coming step is answered before the step shows it.
            Msg::Step | Msg::Play if self.open_exercise().is_some_and(|e| e.blocks_stepping()) => {
                self.notice = Some(
                    tr(
                        self.lang,
                        "answer the question first (Enter), or w to see the answer",
                        "先回答问题（Enter），或按 w 看答案",
                    )
                    .into(),
                );
            }
            // Aiming for the learner would answer a "point the direction" question.
            Msg::AimDownhill
                if self
                    .open_exercise()
                    .is_some_and(|e| matches!(e.answer, Answer::Direction { .. })) =>
            {
                self.notice = Some(
                    tr(
                        self.lang,
                        "g is off while the question asks where v should point: turn v yourself",
                        "这道题问的就是 v 该指向哪里，g 暂时不能用：自己转动 v",
                    )
                    .into(),
                );
            }
            Msg::Accept => self.accept_line(),
            Msg::Cancel => {
                if let Screen::Tutor(t) = &mut self.screen {
                    t.line = None;
                }
            }
            Msg::Line(edit) => self.edit_line(&edit),
            _ => {
                if msg == Msg::Step {
                    self.steps += 1;
                }
                self.stage_msg(&msg)
            }
        }
    }

    fn select(&mut self, msg: &Msg) {
        let rows = self.lessons.len() + 1;
        self.selected = match msg {
            Msg::SelectPrev => (self.selected + rows - 1) % rows,
            Msg::SelectNext => (self.selected + 1) % rows,
            Msg::SelectFirst => 0,
            Msg::SelectLast => rows - 1,
            _ => self.selected,
        };
    }

    /// The messages that act on the stage alone: steps, η, the window, the Taylor dial.
    fn stage_msg(&mut self, msg: &Msg) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let stage = &mut t.stage;
        match msg {
            // The step runs in the arm, not in a guard: a guard with side effects would run
            // them while merely deciding which arm applies.
            Msg::Step => {
                if t.round && !t.attempts.open() {
                    end_round(t);
                }
                let stage = &mut t.stage;
                let stepped = stage.step();
                if !stepped {
                    self.notice = Some(stage::words::notice(lang, stage.main().stop()));
                }
            }
            Msg::Undo => {
                let undone = stage.undo();
                if !undone {
                    self.notice = Some(tr(lang, "already at the start", "已经在起点").into());
                }
            }
            Msg::Reset => stage.reset(),
            Msg::Play => stage.playing = !stage.playing && stage.status() == Status::Running,
            Msg::RaiseLr | Msg::LowerLr => {
                let lr = stage.nudge_lr(*msg == Msg::RaiseLr);
                self.notice = stage.lr_edge().map(|e| e.worded(lang, lr));
            }
            Msg::TighterTol | Msg::LooserTol => {
                if let Some(eps) = stage.scale_tol(*msg == Msg::LooserTol) {
                    self.notice = Some(format!(
                        "{} ε = {}",
                        tr(lang, "stop rule:", "停止条件："),
                        crate::numfmt::short(eps)
                    ));
                }
            }
            Msg::WidenProbe | Msg::NarrowProbe => {
                stage.scale_probe(*msg == Msg::WidenProbe);
            }
            Msg::NextOptimizer => {
                stage.next_optimizer();
            }
            Msg::ZoomIn => stage.zoom(0.5),
            Msg::ZoomOut => stage.zoom(2.0),
            Msg::FitWindow => stage.auto_window(),
            Msg::PanLeft => stage.pan(-0.25, 0.0),
            Msg::PanRight => stage.pan(0.25, 0.0),
            Msg::PanUp => stage.pan(0.0, 0.25),
            Msg::PanDown => stage.pan(0.0, -0.25),
            Msg::Turn(degrees) => stage.angle += f64::from(*degrees).to_radians(),
            Msg::AimDownhill => {
                let g = &stage.main().current().grad;
                if let Some((i, j)) = stage.axes()
                    && (g[i] != 0.0 || g[j] != 0.0)
                {
                    stage.angle = (-g[j]).atan2(-g[i]);
                }
            }
            _ => {}
        }
        // An open predict round asks about the run as it stands: a new η, optimizer or point
        // gives a new question (same tries), so its prompt never shows stale numbers.
        if t.round && t.attempts.open() {
            t.exercise = Some(round::predict_round(
                &Step::of(t.stage.main()).with_loss(t.stage.scene.loss_name()),
            ));
        }
    }

    fn tick(&mut self) {
        if let Screen::Tutor(t) = &mut self.screen
            && t.stage.playing
            && (!t.stage.step() || t.stage.status() != Status::Running)
        {
            t.stage.playing = false;
        }
    }

    /// Keeps the chart window fitted to the path, at the size the last frame drew the chart.
    fn refit(&mut self) {
        let Some((cols, rows)) = self.chart_area() else {
            return;
        };
        if let Screen::Tutor(t) = &mut self.screen {
            let (w, h) = chart::contour_plot_size(cols, rows);
            if w > 0 && h > 0 {
                t.stage.fit_window(w, h);
            }
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
                self.screen = Screen::Tutor(Box::new(Tutor::new(Some(i), page, stage)));
                self.record_progress();
            }
            Err(e) => self.notice = Some(format!("{}: {}", lesson.file, e.get(self.lang))),
        }
    }

    /// Where the learner is and what they did this session, for the teacher's roster.
    pub fn class_status(&self) -> crate::class::Status {
        let (lesson, page, pages, sandbox) = match &self.screen {
            Screen::Start => (None, 0, 0, false),
            Screen::Tutor(t) => match self.lesson() {
                Some(l) => (Some(l.id.as_str()), t.page, l.pages.len(), false),
                None => (None, 0, 0, true),
            },
        };
        crate::class::Status {
            lesson: lesson.map(String::from),
            page,
            pages,
            sandbox,
            steps: self.steps,
            solved: self.solved,
            tried: self.tried,
        }
    }

    /// Opens what the teacher pushed, with a one-line notice saying so. The learner's own
    /// screen is kept: Back (q / Esc) returns to it.
    pub fn apply_push(&mut self, push: &crate::class::Push) {
        let before = std::mem::replace(&mut self.screen, Screen::Start);
        self.help = false;
        let opened = match push {
            crate::class::Push::Scene(spec) => {
                self.open_sandbox(spec.clone());
                matches!(self.screen, Screen::Tutor(_))
            }
            crate::class::Push::Page { lesson, page } => {
                match self.lessons.iter().position(|l| &l.id == lesson) {
                    Some(i) => self.open_page(i, *page),
                    None => false,
                }
            }
        };
        if !opened {
            self.screen = before;
            return;
        }
        if self.stash.is_none() {
            // A line half typed is the learner's too; it comes back with the screen.
            self.stash = Some(before);
        }
        let zh = self.lang == Lang::Zh;
        self.notice = Some(match push {
            crate::class::Push::Scene(spec) => {
                let f = spec.formula.source();
                if zh {
                    format!("老师发来的公式：{f}（q / Esc 回到你自己的内容）")
                } else {
                    format!("from the teacher: {f} (q / Esc: back to your work)")
                }
            }
            crate::class::Push::Page { page, .. } => {
                let title = self
                    .lesson()
                    .map(|l| l.title.get(self.lang).to_string())
                    .unwrap_or_default();
                let n = page + 1;
                if zh {
                    format!("老师发来的页面：{title} 第 {n} 页（q / Esc 回到你自己的内容）")
                } else {
                    format!("from the teacher: {title}, page {n} (q / Esc: back to your work)")
                }
            }
        });
    }

    /// Opens lesson `i` at `page` (not where the learner's progress left it).
    fn open_page(&mut self, i: usize, page: usize) -> bool {
        let Some(lesson) = self.lessons.get(i) else {
            return false;
        };
        let Some(scene) = lesson.scene(page) else {
            return false;
        };
        match Stage::new(scene.clone()) {
            Ok(stage) => {
                self.screen = Screen::Tutor(Box::new(Tutor::new(Some(i), page, stage)));
                self.record_progress();
                true
            }
            Err(e) => {
                self.notice = Some(format!("{}: {e}", lesson.file));
                false
            }
        }
    }

    fn open_sandbox(&mut self, spec: SandboxSpec) {
        let scene = stage::formula_scene(spec.formula, spec.start, spec.lr, spec.optimizer);
        match Stage::new(scene) {
            Ok(stage) => self.screen = Screen::Tutor(Box::new(Tutor::new(None, 0, stage))),
            Err(e) => self.notice = Some(e.get(self.lang).to_string()),
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

    fn turn_page(&mut self, forward: bool) {
        let lang = self.lang;
        let open_question = self.open_question();
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
            let (en, zh) = if open_question {
                (
                    "last page — answer the question (Enter), or q for the list",
                    "这是最后一页：按 Enter 回答问题，或按 q 返回课程列表",
                )
            } else {
                (
                    "last page — Enter opens the next lesson, q goes back to the list",
                    "这是最后一页：按 Enter 打开下一课，按 q 返回课程列表",
                )
            };
            self.notice = Some(tr(lang, en, zh).into());
            return;
        };
        // A page opens with its own state unless it says it continues the run on stage.
        if !p.continues || t.custom || p.scene != t.stage.scene {
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
        t.scroll = 0;
        t.attempts = Attempts::default();
        t.feedback = None;
        t.line = None;
        t.exercise = None;
        t.variant = 0;
        self.record_progress();
    }

    /// Leaves a finished lesson for the next one in the list; after the last lesson, the
    /// start screen says there is no next one.
    fn next_lesson(&mut self) {
        let Screen::Tutor(t) = &self.screen else {
            return;
        };
        let Some(i) = t.lesson else {
            return;
        };
        self.leave_lesson();
        if i + 1 < self.lessons.len() {
            self.selected = i + 1;
            self.open_lesson(i + 1);
        } else {
            self.screen = Screen::Start;
            self.selected = i;
            self.notice = Some(
                tr(
                    self.lang,
                    "that was the last lesson — well done! The sandbox is below the list.",
                    "这是最后一课，学完了！列表下面还有沙盒。",
                )
                .into(),
            );
        }
    }

    fn type_formula(&mut self) {
        let formula = match &self.screen {
            Screen::Tutor(t) => matches!(t.stage.scene.objective, Objective::Formula(_)),
            Screen::Start => return,
        };
        if formula {
            self.open_line(LineKind::Formula);
        } else {
            self.notice = Some(
                tr(
                    self.lang,
                    "this page's loss comes from a model; open the sandbox to type a formula",
                    "本页的损失来自模型；在沙盒中可以输入公式",
                )
                .into(),
            );
        }
    }

    /// Opens the line, filled with what is there now (the formula, the start point).
    fn open_line(&mut self, kind: LineKind) {
        let has_exercise = self.exercise().is_some();
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let line = match kind {
            LineKind::Formula => {
                let text = match &t.stage.scene.objective {
                    Objective::Formula(f) => f.source(),
                    Objective::Model(_) => "",
                };
                LineEntry::new(kind, text, self.formula_history.clone())
            }
            LineKind::Start => {
                let text = t
                    .stage
                    .main()
                    .current()
                    .params
                    .iter()
                    .map(|v| crate::numfmt::short(*v))
                    .collect::<Vec<_>>()
                    .join(", ");
                LineEntry::new(kind, &text, self.start_history.clone())
            }
            LineKind::Answer => {
                if !has_exercise || t.attempts.solved {
                    return;
                }
                if let Some(ex) = question_in(&self.lessons, t.lesson, t.page, &t.exercise)
                    .filter(|e| matches!(e.answer, Answer::Direction { .. }))
                {
                    // The question is about the lesson's surface, not a formula typed over it.
                    if t.custom {
                        self.notice = Some(
                            tr(
                                self.lang,
                                "this question is about the lesson's formula: turn a page and back",
                                "这道题问的是课程的公式：翻到别页再翻回来",
                            )
                            .into(),
                        );
                        return;
                    }
                    // Nothing to type: Enter confirms where v points now.
                    if let Some(aim) = aim_of(&t.stage) {
                        let feedback = t.attempts.submit_aim(ex, &aim);
                        let graded = graded(&feedback.verdict);
                        let shown = t.attempts.shown;
                        t.feedback = Some(feedback);
                        self.record_progress();
                        if let Some(right) = graded {
                            self.record_answer(right, shown);
                        }
                    }
                    return;
                }
                LineEntry::new(kind, "", Vec::new())
            }
        };
        t.line = Some(line);
    }

    fn edit_line(&mut self, edit: &LineMsg) {
        if let Screen::Tutor(t) = &mut self.screen
            && let Some(line) = &mut t.line
            && line.editor.apply(edit) == Edit::Changed
        {
            live_check(line);
        }
    }

    fn accept_line(&mut self) {
        let Some(line) = self.line() else {
            return;
        };
        let text = line.editor.text();
        match line.kind {
            LineKind::Formula => self.accept_formula(&text),
            LineKind::Start => self.accept_start(&text),
            LineKind::Answer => self.accept_answer(&text),
        }
    }

    fn accept_formula(&mut self, text: &str) {
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let parsed = match &mut t.line {
            Some(line) => line.draft.take(text),
            None => Formula::parse(text),
        };
        let formula = parsed.and_then(|f| match check_descent(&f) {
            Ok(()) => Ok(f),
            Err(e) => Err(descent_error(e)),
        });
        let f = match formula {
            Ok(f) => f,
            Err(e) => {
                if let Some(line) = &mut t.line {
                    line.error = Some(e);
                }
                return;
            }
        };
        editor::remember(&mut self.formula_history, text);
        let cur = t.stage.main();
        let old_names = &t.stage.scene.names;
        // A variable the old formula had keeps its start (not where the old run got to: after
        // a divergence that would be 1e6); a new one starts at 1.
        let old_params = &t.stage.scene.start;
        let start: Vec<f64> = f
            .vars()
            .iter()
            .map(|v| {
                old_names
                    .iter()
                    .position(|n| n == v)
                    .map_or(1.0, |i| old_params[i])
            })
            .collect();
        let scene = stage::formula_scene(f, start, cur.lr(), *cur.optimizer());
        match Stage::new(scene) {
            Ok(stage) => {
                t.stage = stage;
                t.custom = true;
                t.line = None;
                end_round(t);
                // A question on the old formula has nothing to do with the new one.
                if t.lesson.is_none() && t.exercise.take().is_some() {
                    t.attempts = Attempts::default();
                    t.feedback = None;
                }
            }
            Err(e) => self.notice = Some(e.get(self.lang).to_string()),
        }
    }

    fn accept_start(&mut self, text: &str) {
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let Some(line) = &mut t.line else {
            return;
        };
        let start = match parse_start(text, t.stage.scene.names.len()) {
            Ok(start) => start,
            Err(e) => {
                line.error = Some(e);
                return;
            }
        };
        editor::remember(&mut self.start_history, text);
        let mut scene = t.stage.scene.clone();
        scene.start = start;
        for r in &mut scene.race {
            r.start = scene.start.clone();
        }
        let lr = t.stage.main().lr();
        let opt = *t.stage.main().optimizer();
        match Stage::new(scene) {
            Ok(mut stage) => {
                stage.runners[0].run.set_lr(lr);
                stage.runners[0].run.set_optimizer(opt);
                t.stage = stage;
                t.line = None;
                end_round(t);
            }
            Err(e) => {
                line.error = Some(FormulaError {
                    column: None,
                    message: e.message,
                    message_zh: e.message_zh,
                })
            }
        }
    }

    fn accept_answer(&mut self, text: &str) {
        let Some(ex) = self.exercise().cloned() else {
            return;
        };
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        // A prediction is graded against the run on stage as it stands now: the lesson's own,
        // or in the predict round the learner's.
        let run = (!t.custom || t.round).then(|| {
            Step::of(t.stage.main())
                .named(t.stage.scene.param_names())
                .with_loss(t.stage.scene.loss_name())
        });
        let feedback = t.attempts.submit_on(&ex, text, run.as_ref());
        let graded = graded(&feedback.verdict);
        let shown = t.attempts.shown;
        t.feedback = Some(feedback);
        t.line = None;
        if let Some(right) = graded {
            self.record_answer(right, shown);
        }
    }

    /// Counts a graded answer to the page's question in the progress file (not practice on a
    /// formula the learner typed, nor the sandbox's questions: see [`Self::exercise_key`]).
    fn record_answer(&mut self, right: bool, shown: bool) {
        self.tried = self.tried.saturating_add(1);
        if right && !shown {
            self.solved = self.solved.saturating_add(1);
        }
        if let Some((lesson, id)) = self.exercise_key() {
            self.progress.answered(&lesson, &id, right, shown);
            if let Err(e) = self.progress.save() {
                self.notice = Some(e);
            }
        }
    }

    /// The lesson and progress id of the page's question, while it is about the lesson's own
    /// run (a question on a formula the learner typed, or the sandbox's round, is practice
    /// that the progress file does not count).
    fn exercise_key(&self) -> Option<(String, String)> {
        let Screen::Tutor(t) = &self.screen else {
            return None;
        };
        if t.custom {
            return None;
        }
        let lesson = self.lesson()?;
        let id = lesson.page(t.page)?.exercise_id.clone()?;
        Some((lesson.id.clone(), id))
    }

    /// The "again" key: the page's question at another of its starts, with a fresh stage and
    /// no tries yet.
    fn again(&mut self) {
        let lang = self.lang;
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        let page = t
            .lesson
            .and_then(|i| self.lessons.get(i))
            .and_then(|l| l.page(t.page));
        let Some((vary, base, scene)) = page.and_then(|p| {
            p.vary
                .as_ref()
                .filter(|v| v.starts.len() > 1)
                .zip(p.exercise.as_ref())
                .map(|(v, e)| (v, e, &p.scene))
        }) else {
            self.notice = Some(
                tr(
                    lang,
                    "this page's question has no other variants",
                    "本页的问题没有别的变体",
                )
                .into(),
            );
            return;
        };
        let k = vary.next_index(t.variant, self.draws);
        self.draws += 1;
        let made = vary.instance(base, scene, k).and_then(|inst| {
            let stage = Stage::new(inst.scene).map_err(|e| e.get(lang).to_string())?;
            Ok((stage, inst.exercise))
        });
        match made {
            Ok((stage, exercise)) => {
                t.stage = stage;
                t.exercise = Some(exercise);
                t.variant = k;
                t.custom = false;
                t.attempts = Attempts::default();
                t.feedback = None;
                t.line = None;
            }
            Err(e) => self.notice = Some(e),
        }
    }

    /// The sandbox's `P`: a predict-the-step question on the learner's own formula at the
    /// point they are at, graded like a lesson's.
    fn predict_round(&mut self) {
        let Screen::Tutor(t) = &mut self.screen else {
            return;
        };
        if t.lesson.is_some() {
            return;
        }
        let step = Step::of(t.stage.main()).with_loss(t.stage.scene.loss_name());
        if t.stage.status() != Status::Running || step.next.iter().any(|v| !v.is_finite()) {
            self.notice = Some(
                tr(
                    self.lang,
                    "this run has stopped: s picks a new start, r starts again",
                    "这次运行已经停了：按 s 换个起点，或按 r 重来",
                )
                .into(),
            );
            return;
        }
        t.stage.playing = false;
        t.exercise = Some(round::predict_round(&step));
        t.round = true;
        t.attempts = Attempts::default();
        t.feedback = None;
        t.line = Some(LineEntry::new(LineKind::Answer, "", Vec::new()));
    }
}

/// Closes the sandbox's predict round, if one is on: the run it asked about has moved on.
fn end_round(t: &mut Tutor) {
    if t.round {
        t.round = false;
        t.exercise = None;
        t.attempts = Attempts::default();
        t.feedback = None;
    }
}

/// The question on stage from the tutor's fields (the one drawn or asked for, else the
/// page's), so the attempts can be borrowed beside it.
fn question_in<'a>(
    lessons: &'a [Lesson],
    lesson: Option<usize>,
    page: usize,
    quiz: &'a Option<Exercise>,
) -> Option<&'a Exercise> {
    match (quiz, lesson) {
        (Some(e), _) => Some(e),
        (None, Some(i)) => lessons.get(i)?.page(page)?.exercise.as_ref(),
        (None, None) => None,
    }
}

/// Whether a verdict was a graded try: right, wrong, or neither (unreadable input, shown).
fn graded(verdict: &Verdict) -> Option<bool> {
    match verdict {
        Verdict::Correct => Some(true),
        Verdict::Wrong => Some(false),
        Verdict::Unreadable(_) | Verdict::Shown => None,
    }
}

/// Where v points and the gradient along the chart's axes: what a direction answer is.
fn aim_of(stage: &Stage) -> Option<Aim> {
    let (i, j) = stage.axes()?;
    let g = &stage.main().current().grad;
    Some(Aim {
        angle: stage.angle,
        grad: (*g.get(i)?, *g.get(j)?),
    })
}

/// The shared descent check ([`check_descent`]) worded for the learner, in both languages
/// like every other formula error (the view picks the learner's).
fn descent_error(e: DescentError) -> FormulaError {
    let (message, message_zh) = match e {
        DescentError::NoVariables => (
            "the formula has no variable to descend on".to_string(),
            "公式里没有可以下降的变量".to_string(),
        ),
        DescentError::TooManyVariables { count } => (
            format!("{count} variables is more than the tutor steps ({MAX_VARS} at most)"),
            format!("变量有 {count} 个，超过了上限（最多 {MAX_VARS} 个）"),
        ),
    };
    FormulaError {
        column: None,
        message,
        message_zh,
    }
}

/// A formula checked exactly as the sandbox checks one typed into it (parse, then the shared
/// descent check), with the same bilingual errors: the teacher's console uses this, so a
/// formula the sandbox would refuse never reaches a student.
pub fn sandbox_formula(text: &str) -> Result<Formula, FormulaError> {
    let f = Formula::parse(text)?;
    check_descent(&f).map_err(descent_error)?;
    Ok(f)
}

/// The check while typing: the formula's first problem and its column, or nothing.
fn live_check(line: &mut LineEntry) {
    line.error = match line.kind {
        LineKind::Formula => line.draft.update(&line.editor.text()).cloned(),
        LineKind::Start | LineKind::Answer => None,
    };
}

/// Reads `1, 2` or `(1, 2)` as a start point with `n` coordinates.
pub fn parse_start(text: &str, n: usize) -> Result<Vec<f64>, FormulaError> {
    let inner = text.trim().trim_start_matches('(').trim_end_matches(')');
    let mut out = Vec::new();
    for (k, part) in inner.split(',').enumerate() {
        match part.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => out.push(v),
            _ => {
                return Err(FormulaError {
                    column: None,
                    message: format!("value {}: '{}' is not a number", k + 1, part.trim()),
                    message_zh: format!("第 {} 个值 '{}' 不是数", k + 1, part.trim()),
                });
            }
        }
    }
    if out.len() != n {
        return Err(FormulaError {
            column: None,
            message: format!("give {n} number(s) separated by commas, got {}", out.len()),
            message_zh: format!("请给出 {n} 个用逗号分开的数，这里有 {} 个", out.len()),
        });
    }
    Ok(out)
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
