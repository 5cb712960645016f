//! The key tables: for each screen, which key sends which [`Msg`], and what the footer and the
//! help overlay say about it. `App::update` looks keys up here and acts on the message only, and
//! the footer and `?` help are drawn from these same rows, so what the learner reads and what a
//! key does cannot drift apart. A key that is in no row of the screen's table does nothing.

use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::strings::tr;
use crate::lesson::Lang;

/// What the learner asked for, named. `App` acts on these and never looks at a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Save progress and leave the program (Ctrl-C, Ctrl-Q anywhere; q on the start screen).
    Quit,
    /// Leave the lesson for the start screen.
    Back,
    Help,
    CloseHelp,
    /// Scroll the help overlay, when it is taller than the screen.
    HelpUp,
    HelpDown,
    SwitchLang,
    SwitchGlyphs,
    SelectPrev,
    SelectNext,
    SelectFirst,
    SelectLast,
    OpenSelected,
    Step,
    Undo,
    Reset,
    Play,
    RaiseLr,
    LowerLr,
    NextOptimizer,
    TypeFormula,
    TypeStart,
    Answer,
    /// Reveal the page's answer (counts as shown, not solved).
    ShowAnswer,
    /// Ask the page's question again at a fresh start (a new variant).
    Again,
    /// In the sandbox: ask the learner to predict θ next for their own formula.
    PredictRound,
    /// In the sandbox: ask "type ∂L/∂x" on the learner's formula; again: the next variable.
    AskDerivative,
    NextPage,
    PrevPage,
    /// Scroll the page text up or down a row.
    ScrollUp,
    ScrollDown,
    /// From the last page of a lesson: open the next lesson.
    NextLesson,
    ZoomIn,
    ZoomOut,
    FitWindow,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    /// Turn the Taylor view's direction v by this many degrees, counter-clockwise.
    Turn(i16),
    /// Point v down the gradient.
    AimDownhill,
    WidenProbe,
    NarrowProbe,
    /// The stop rule's ε divided by 10 (stop later) or times 10 (stop sooner).
    TighterTol,
    LooserTol,
    /// Use what is typed in the line.
    Accept,
    /// Close the line, keeping what was there before.
    Cancel,
    Line(LineMsg),
    /// The teacher's console: sort the roster by the next column.
    ConsoleSort,
    /// Forget the rows of students who left.
    ConsoleClear,
    /// Send to everyone, or to the selected student only.
    ConsoleTarget,
    /// Type a formula (then start, η, optimizer) to push.
    ConsolePush,
    /// Type a lesson and page to push.
    ConsolePushPage,
    /// Type the line every student's footer shows.
    ConsoleBroadcast,
    /// Watch the selected student's screen.
    ConsoleFollow,
}

/// An edit of the line being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineMsg {
    /// Typed or pasted text, inserted at the cursor.
    Insert(String),
    Left,
    Right,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    DeleteToStart,
    DeleteToEnd,
    DeleteWord,
    /// Walk the history back (Up) or forward (Down).
    Older,
    Newer,
}

/// A key as the tables name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key pressed without Ctrl. Shift and Alt do not matter (`L` arrives with Shift on
    /// most terminals); Ctrl does for characters only, since Ctrl-U is not `u`.
    Code(KeyCode),
    /// Ctrl with a lower-case letter.
    Ctrl(char),
    /// Any character without Ctrl: typing into the line.
    Typed,
    /// Any key at all.
    Any,
}

impl Key {
    fn matches(self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Code(KeyCode::Char(c)) => !ctrl && key.code == KeyCode::Char(c),
            Key::Code(code) => key.code == code,
            Key::Ctrl(c) => ctrl && key.code == KeyCode::Char(c),
            Key::Typed => !ctrl && matches!(key.code, KeyCode::Char(_)),
            Key::Any => true,
        }
    }

    /// The key's name as the footer and help print it.
    pub fn name(self, lang: Lang) -> String {
        match self {
            Key::Code(code) => match code {
                KeyCode::Char(' ') => "Space".into(),
                KeyCode::Char(c) => c.to_string(),
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Backspace => "Backspace".into(),
                KeyCode::Delete => "Del".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::F(n) => format!("F{n}"),
                other => format!("{other:?}"),
            },
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Typed => tr(lang, "other keys", "其他键").into(),
            Key::Any => tr(lang, "any key", "任意键").into(),
        }
    }

    fn is_arrow(self) -> bool {
        matches!(
            self,
            Key::Code(KeyCode::Left | KeyCode::Right | KeyCode::Up | KeyCode::Down)
        )
    }
}

/// When a row's hint is in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Only in the help.
    HelpOnly,
    /// In the footer when there is room, in table order: the earlier rows matter more.
    IfRoom,
    /// In the footer whatever the width (help, back, page keys).
    Always,
}

/// Which state a row's hint needs, beyond its screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Anytime,
    /// A lesson is open (the sandbox has no pages).
    InLesson,
    /// The loss is a formula the learner may replace (not a model's), in a lesson.
    LessonFormula,
    /// The page text is longer than its panel.
    Scrolls,
    /// The last page of a lesson, with no question left open on it.
    Done,
    /// The page asks a question that is not answered yet.
    Question,
    /// The page's question has other variants to draw.
    Varies,
    /// The sandbox (no lesson open) with a formula on stage.
    Sandbox,
    /// The learner may change the stop rule's ε (the sandbox).
    Tolerance,
}

/// What the tutor is showing, as far as the footer cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    pub in_lesson: bool,
    pub formula: bool,
    /// The page on show and how many the lesson has, 1-based: the page hint says `2/4`.
    pub page: Option<(usize, usize)>,
    pub scrolls: bool,
    pub question: bool,
    /// The page's question can be asked again at another start.
    pub varies: bool,
    /// The stop rule's ε is the learner's to change.
    pub tolerance: bool,
}

impl Context {
    fn done(self) -> bool {
        matches!(self.page, Some((p, n)) if p == n) && !self.question
    }
}

/// One line of the help: the keys, the messages they send, and what it is called.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub keys: &'static [(Key, Msg)],
    /// The help's words, English and Chinese.
    pub help: [&'static str; 2],
    /// The footer's shorter words; empty for a `HelpOnly` row.
    pub hint: [&'static str; 2],
    pub show: Show,
    pub when: When,
}

impl Row {
    /// What the footer adds after the words: where the learner is, on the page keys, and
    /// "lesson done" once the last page has no question left open (not while it still asks).
    fn extra(&self, ctx: Context, lang: Lang) -> String {
        let pages = self.keys.iter().any(|(_, m)| *m == Msg::NextPage);
        match ctx.page {
            Some((p, n)) if pages && ctx.done() => {
                format!(" {p}/{n} {}", tr(lang, "· lesson done", "· 本课完成"))
            }
            Some((p, n)) if pages => format!(" {p}/{n}"),
            _ => String::new(),
        }
    }

    fn applies(&self, ctx: Context) -> bool {
        match self.when {
            When::Anytime => true,
            When::InLesson => ctx.in_lesson,
            When::LessonFormula => ctx.in_lesson && ctx.formula,
            When::Scrolls => ctx.scrolls,
            When::Done => ctx.done(),
            When::Question => ctx.question,
            When::Varies => ctx.varies,
            When::Sandbox => !ctx.in_lesson && ctx.formula,
            When::Tolerance => ctx.tolerance,
        }
    }

    /// The keys grouped by message, in table order: `[["n", "Space"]]`, `[["z"], ["Z"], ["0"]]`.
    fn groups(&self) -> Vec<Vec<Key>> {
        let mut groups: Vec<(&Msg, Vec<Key>)> = Vec::new();
        for (key, msg) in self.keys {
            match groups.iter_mut().find(|(m, _)| *m == msg) {
                Some((_, keys)) => keys.push(*key),
                None => groups.push((msg, vec![*key])),
            }
        }
        groups.into_iter().map(|(_, keys)| keys).collect()
    }

    /// Every key, as the help lists them: `n, Space`, `+, = / -, _`.
    pub fn help_keys(&self, lang: Lang) -> String {
        self.groups()
            .iter()
            .map(|g| {
                g.iter()
                    .map(|k| k.name(lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The first key of each message, as the footer shows them: `n`, `+/-`, `→←`.
    pub fn hint_keys(&self, lang: Lang) -> String {
        let firsts: Vec<Key> = self.groups().iter().map(|g| g[0]).collect();
        let sep = if firsts.iter().all(|k| k.is_arrow()) {
            ""
        } else {
            "/"
        };
        firsts
            .iter()
            .map(|k| k.name(lang))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// The screens, each with its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keymap {
    Start,
    Tutor,
    /// The Taylor view: the arrows turn v, `+`/`-` change the probe step, PgDn/PgUp turn pages.
    Taylor,
    /// The line being typed (formula, start point, answer).
    Line,
    /// The help overlay.
    Help,
    /// The teacher's console (`gradstep serve --teacher-keys`): not a tutor screen, so not
    /// in [`Keymap::ALL`], which lists the tutor's.
    Console,
}

impl Keymap {
    pub const ALL: [Keymap; 5] = [
        Keymap::Start,
        Keymap::Tutor,
        Keymap::Taylor,
        Keymap::Line,
        Keymap::Help,
    ];

    pub fn rows(self) -> &'static [Row] {
        match self {
            Keymap::Start => START,
            Keymap::Tutor => &TUTOR,
            Keymap::Taylor => &TAYLOR,
            Keymap::Line => LINE,
            Keymap::Help => HELP,
            Keymap::Console => CONSOLE,
        }
    }

    /// The message a key sends on this screen in some state; None for a key the table does
    /// not have (and for key releases, which only some terminals report).
    pub fn message(self, key: &KeyEvent) -> Option<Msg> {
        self.lookup(key, |_| true)
    }

    /// The message a key sends in this state: the first row that has the key and applies
    /// (Enter opens the next lesson on a finished last page, and answers a question).
    pub fn message_in(self, key: &KeyEvent, ctx: Context) -> Option<Msg> {
        self.lookup(key, |r| r.applies(ctx))
    }

    fn lookup(self, key: &KeyEvent, applies: impl Fn(&Row) -> bool) -> Option<Msg> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let (k, msg) = self
            .rows()
            .iter()
            .filter(|r| applies(r))
            .flat_map(|r| r.keys)
            .find(|(k, _)| k.matches(key))?;
        Some(match (k, key.code) {
            (Key::Typed, KeyCode::Char(c)) => Msg::Line(LineMsg::Insert(c.to_string())),
            _ => msg.clone(),
        })
    }

    /// The footer: the rows that apply, those marked `Always` whatever the width, the others
    /// in table order while they fit in `width` columns.
    pub fn footer(self, ctx: Context, lang: Lang, width: usize) -> Vec<Hint> {
        let hints: Vec<(Show, Hint)> = self
            .rows()
            .iter()
            .filter(|r| r.show != Show::HelpOnly && r.applies(ctx))
            .map(|r| {
                let hint = Hint {
                    keys: r.hint_keys(lang),
                    label: tr(lang, r.hint[0], r.hint[1]),
                    extra: r.extra(ctx, lang),
                };
                (r.show, hint)
            })
            .collect();
        let kept: usize = hints
            .iter()
            .filter(|(s, _)| *s == Show::Always)
            .map(|(_, h)| h.width())
            .sum();
        let mut room = width.saturating_sub(1 + kept);
        let mut full = false;
        hints
            .into_iter()
            .filter(|(show, hint)| {
                if *show == Show::Always {
                    return true;
                }
                if full || hint.width() > room {
                    full = true;
                    return false;
                }
                room -= hint.width();
                true
            })
            .map(|(_, h)| h)
            .collect()
    }

    /// The help: every row, keys and words, once (the sandbox's `f` and the lessons' are one
    /// key in two places of the footer's order).
    pub fn help(self, lang: Lang) -> Vec<(String, &'static str)> {
        let rows = self.rows();
        rows.iter()
            .enumerate()
            .filter(|(i, r)| {
                !rows[..*i]
                    .iter()
                    .any(|e| e.help == r.help && e.keys == r.keys)
            })
            .map(|(_, r)| (r.help_keys(lang), tr(lang, r.help[0], r.help[1])))
            .collect()
    }
}

/// One footer entry: `n step`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: &'static str,
    /// Said after the label: ` 2/4` on the page keys.
    pub extra: String,
}

impl Hint {
    /// Columns taken, with the ` · ` that separates entries.
    pub fn width(&self) -> usize {
        let w = |s: &str| ratatui::text::Span::raw(s).width();
        w(&self.keys) + 1 + w(self.label) + w(&self.extra) + 3
    }
}

const fn row(
    keys: &'static [(Key, Msg)],
    help: [&'static str; 2],
    hint: [&'static str; 2],
    show: Show,
) -> Row {
    Row {
        keys,
        help,
        hint,
        show,
        when: When::Anytime,
    }
}

const fn help_only(keys: &'static [(Key, Msg)], help: [&'static str; 2]) -> Row {
    row(keys, help, ["", ""], Show::HelpOnly)
}

const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}

const QUIT: Row = help_only(
    &[(Key::Ctrl('c'), Msg::Quit), (Key::Ctrl('q'), Msg::Quit)],
    ["quit (progress is saved)", "退出（进度已保存）"],
);
const HELP_KEY: Row = row(
    &[(ch('?'), Msg::Help), (Key::Code(KeyCode::F(1)), Msg::Help)],
    ["this help", "本帮助"],
    ["help", "帮助"],
    Show::Always,
);
const GLYPHS: Row = help_only(
    &[(ch('a'), Msg::SwitchGlyphs)],
    ["ASCII / Unicode chart", "ASCII / Unicode 图"],
);
const LANG: Row = help_only(
    &[(ch('L'), Msg::SwitchLang)],
    ["中文 / English", "中文 / English"],
);

static START: &[Row] = &[
    row(
        &[
            (Key::Code(KeyCode::Up), Msg::SelectPrev),
            (ch('k'), Msg::SelectPrev),
            (Key::Code(KeyCode::Down), Msg::SelectNext),
            (ch('j'), Msg::SelectNext),
        ],
        ["choose a lesson", "选择课程"],
        ["choose", "选择"],
        Show::IfRoom,
    ),
    help_only(
        &[
            (Key::Code(KeyCode::Home), Msg::SelectFirst),
            (ch('g'), Msg::SelectFirst),
            (Key::Code(KeyCode::End), Msg::SelectLast),
            (ch('G'), Msg::SelectLast),
        ],
        ["first / last row", "第一行 / 最后一行"],
    ),
    row(
        &[
            (Key::Code(KeyCode::Enter), Msg::OpenSelected),
            (Key::Code(KeyCode::Right), Msg::OpenSelected),
            (ch('l'), Msg::OpenSelected),
        ],
        ["open it", "打开"],
        ["open", "打开"],
        Show::IfRoom,
    ),
    // The start screen names the other language in its footer: it is how a newcomer finds it.
    Row {
        hint: ["中文", "English"],
        show: Show::IfRoom,
        ..LANG
    },
    GLYPHS,
    HELP_KEY,
    row(
        &[(ch('q'), Msg::Quit), (Key::Code(KeyCode::Esc), Msg::Quit)],
        ["quit", "退出"],
        ["quit", "退出"],
        Show::Always,
    ),
    QUIT,
];

const STEP: Row = row(
    &[(ch('n'), Msg::Step), (ch(' '), Msg::Step)],
    ["one update", "走一步"],
    ["step", "走一步"],
    Show::IfRoom,
);
const UNDO: Row = row(
    &[
        (ch('b'), Msg::Undo),
        (Key::Code(KeyCode::Backspace), Msg::Undo),
    ],
    [
        "undo one update (the same numbers come back)",
        "撤销一步（数值完全复原）",
    ],
    ["undo", "撤销"],
    Show::IfRoom,
);
const RESET: Row = row(
    &[(ch('r'), Msg::Reset)],
    ["reset to the start point", "回到起点"],
    ["reset", "重来"],
    Show::IfRoom,
);
const PLAY: Row = row(
    &[(ch('p'), Msg::Play)],
    ["play / pause", "自动播放 / 暂停"],
    ["play", "播放"],
    Show::IfRoom,
);
const OPTIMIZER: Row = row(
    &[(ch('o'), Msg::NextOptimizer)],
    ["next optimizer", "切换优化器"],
    ["optimizer", "优化器"],
    Show::IfRoom,
);
/// In a lesson, a setting among the others; the sandbox has its own row for it (see
/// [`SANDBOX_FORMULA`]), the same words.
const FORMULA: Row = Row {
    when: When::LessonFormula,
    ..row(
        &[(ch('f'), Msg::TypeFormula)],
        ["type a formula", "输入公式"],
        ["formula", "公式"],
        Show::IfRoom,
    )
};
const TOLERANCE: Row = Row {
    when: When::Tolerance,
    ..row(
        &[(ch('['), Msg::TighterTol), (ch(']'), Msg::LooserTol)],
        [
            "stop rule's ε ÷10 / ×10 (stop later / sooner)",
            "停止条件的 ε ÷10 / ×10（晚停 / 早停）",
        ],
        ["ε", "ε"],
        Show::IfRoom,
    )
};
const START_POINT: Row = row(
    &[(ch('s'), Msg::TypeStart)],
    ["type a start point", "输入起点"],
    ["start", "起点"],
    Show::IfRoom,
);
const ANSWER: Row = Row {
    when: When::Question,
    ..help_only(
        &[(Key::Code(KeyCode::Enter), Msg::Answer)],
        ["answer the page's question", "回答本页的问题"],
    )
};
/// First in its tables: when it applies, it is what the learner came to the last page for.
const NEXT_LESSON: Row = Row {
    when: When::Done,
    ..row(
        &[(Key::Code(KeyCode::Enter), Msg::NextLesson)],
        [
            "on the last page: open the next lesson",
            "在最后一页：打开下一课",
        ],
        ["next lesson", "下一课"],
        Show::IfRoom,
    )
};
/// Right after the keys of a question on offer: text the learner cannot see yet matters more
/// than any other key.
const SCROLL: Row = Row {
    when: When::Scrolls,
    ..row(
        &[
            (Key::Code(KeyCode::Up), Msg::ScrollUp),
            (Key::Code(KeyCode::Down), Msg::ScrollDown),
        ],
        [
            "scroll the page text (the mouse wheel too)",
            "滚动本页文字（也可用鼠标滚轮）",
        ],
        ["more text", "滚动"],
        Show::IfRoom,
    )
};
const ASK_DERIVATIVE: Row = Row {
    when: When::Sandbox,
    ..row(
        &[(ch('d'), Msg::AskDerivative)],
        [
            "quiz: type ∂L/∂x of your formula",
            "小测：写出你的公式的 ∂L/∂x",
        ],
        ["∂L/∂x quiz", "求导小测"],
        Show::IfRoom,
    )
};
const SHOW_ANSWER: Row = Row {
    when: When::Question,
    ..help_only(
        &[(ch('w'), Msg::ShowAnswer)],
        [
            "show me the answer (counts as shown)",
            "显示答案（算作看过，不算答对）",
        ],
    )
};
const AGAIN: Row = Row {
    when: When::Varies,
    ..row(
        &[(ch('A'), Msg::Again)],
        [
            "again: the same question at a fresh start",
            "再来一题：同样的问题，换一个起点",
        ],
        ["again", "再来"],
        Show::IfRoom,
    )
};
const PREDICT_ROUND: Row = Row {
    when: When::Sandbox,
    ..row(
        &[(ch('P'), Msg::PredictRound)],
        [
            "predict θ next for your formula, then check it",
            "预测你的公式下一步的 θ，再核对",
        ],
        ["predict", "预测"],
        Show::IfRoom,
    )
};
const ZOOM: Row = help_only(
    &[
        (ch('z'), Msg::ZoomIn),
        (ch('Z'), Msg::ZoomOut),
        (ch('0'), Msg::FitWindow),
    ],
    ["zoom in / out, fit again", "放大 / 缩小，重新适配"],
);
const PAN: Row = help_only(
    &[
        (ch('h'), Msg::PanLeft),
        (ch('j'), Msg::PanDown),
        (ch('k'), Msg::PanUp),
        (ch('l'), Msg::PanRight),
    ],
    ["pan the chart", "平移图"],
);
const BACK: Row = row(
    &[(ch('q'), Msg::Back), (Key::Code(KeyCode::Esc), Msg::Back)],
    ["back to the lessons", "返回课程列表"],
    ["back", "返回"],
    Show::Always,
);

const LEARNING_RATE: Row = row(
    &[
        (ch('+'), Msg::RaiseLr),
        (ch('='), Msg::RaiseLr),
        (ch('-'), Msg::LowerLr),
        (ch('_'), Msg::LowerLr),
    ],
    ["raise / lower the learning rate η", "增大 / 减小学习率 η"],
    ["η", "η"],
    Show::IfRoom,
);

/// The page keys' words; each screen gives the keys (the Taylor view's arrows turn v).
const fn pages(keys: &'static [(Key, Msg)]) -> Row {
    Row {
        when: When::InLesson,
        ..row(
            keys,
            ["next / previous page", "下一页 / 上一页"],
            ["page", "翻页"],
            Show::Always,
        )
    }
}
const PAGES: Row = pages(&[
    (Key::Code(KeyCode::Right), Msg::NextPage),
    (Key::Code(KeyCode::PageDown), Msg::NextPage),
    (Key::Code(KeyCode::Left), Msg::PrevPage),
    (Key::Code(KeyCode::PageUp), Msg::PrevPage),
]);
const TAYLOR_PAGES: Row = pages(&[
    (Key::Code(KeyCode::PageDown), Msg::NextPage),
    (Key::Code(KeyCode::PageUp), Msg::PrevPage),
]);

const TURN: Row = row(
    &[
        (Key::Code(KeyCode::Left), Msg::Turn(15)),
        (Key::Code(KeyCode::Right), Msg::Turn(-15)),
    ],
    ["turn v by 15°", "转动 v（15°）"],
    ["turn v", "转动 v"],
    Show::IfRoom,
);
const PROBE: Row = row(
    &[
        (ch('+'), Msg::WidenProbe),
        (ch('='), Msg::WidenProbe),
        (ch('-'), Msg::NarrowProbe),
        (ch('_'), Msg::NarrowProbe),
    ],
    [
        "lengthen / shorten the probe step ε",
        "增大 / 减小探测步长 ε",
    ],
    ["ε", "ε"],
    Show::IfRoom,
);
// ↑↓ scroll the page text on every screen, so the fine turn has keys of its own.
const FINE_TURN: Row = help_only(
    &[
        (ch(','), Msg::Turn(1)),
        (ch('<'), Msg::Turn(1)),
        (ch('.'), Msg::Turn(-1)),
        (ch('>'), Msg::Turn(-1)),
    ],
    ["turn v by 1°", "微调 v（1°）"],
);
const AIM: Row = help_only(
    &[(ch('g'), Msg::AimDownhill)],
    ["point v at −∇L", "v 指向 −∇L"],
);

/// Text not seen yet, then one step: what every screen with a stage leads with after the
/// next lesson and the question's keys.
const LEAD: [Row; 2] = [SCROLL, STEP];
/// The page's question: answer it, see the answer, draw another variant. These keys come
/// right after the next lesson: they apply only now and then, and when they do they are what
/// the learner can do next, so the footer must have room for them at 80 columns (after every
/// setting they never fitted). The footer drops everything after the first hint that does not
/// fit, so they come before the scroll hint too: on a finished last page that scrolls, "Enter
/// next lesson" and "A again" fill what room there is.
const QUESTION: [Row; 3] = [ANSWER, SHOW_ANSWER, AGAIN];
/// The sandbox is for the learner's own formula: `f` leads its keys, before its quizzes.
const SANDBOX_FORMULA: Row = Row {
    when: When::Sandbox,
    ..FORMULA
};
const SANDBOX: [Row; 3] = [SANDBOX_FORMULA, PREDICT_ROUND, ASK_DERIVATIVE];
const MOVES: [Row; 3] = [UNDO, RESET, PLAY];
const SETTINGS: [Row; 4] = [OPTIMIZER, FORMULA, START_POINT, TOLERANCE];
const CHART_AND_LEAVE: [Row; 7] = [ZOOM, PAN, GLYPHS, LANG, HELP_KEY, BACK, QUIT];

static TUTOR: LazyLock<Vec<Row>> = LazyLock::new(|| {
    [
        &[NEXT_LESSON][..],
        &QUESTION,
        &LEAD,
        // The sandbox has no page hint, so its formula and quizzes fit after the step at 80
        // columns.
        &SANDBOX,
        &MOVES,
        &[LEARNING_RATE],
        &SETTINGS,
        &[PAGES],
        &CHART_AND_LEAVE,
    ]
    .concat()
});

/// The tutor's table where the Taylor view differs: turning v is what it is for, so its keys
/// come right after the step; `+`/`-` change the probe step, not η; the arrows turn v,
/// so only PgDn/PgUp turn pages.
static TAYLOR: LazyLock<Vec<Row>> = LazyLock::new(|| {
    [
        &[NEXT_LESSON][..],
        &QUESTION,
        &LEAD,
        &[TURN, PROBE],
        &MOVES,
        &[FINE_TURN, AIM],
        &SETTINGS,
        &[TAYLOR_PAGES],
        &CHART_AND_LEAVE,
    ]
    .concat()
});

/// Any character types itself; the empty text stands for the character typed.
const TYPED: &[(Key, Msg)] = &[(Key::Typed, Msg::Line(LineMsg::Insert(String::new())))];

static LINE: &[Row] = &[
    QUIT,
    row(
        &[(Key::Code(KeyCode::Enter), Msg::Accept)],
        ["use what is typed", "使用输入的内容"],
        ["accept", "确认"],
        Show::Always,
    ),
    row(
        &[(Key::Code(KeyCode::Esc), Msg::Cancel)],
        ["cancel, keep what was there", "取消，保留原来的内容"],
        ["cancel", "取消"],
        Show::Always,
    ),
    row(
        &[
            (Key::Code(KeyCode::Up), Msg::Line(LineMsg::Older)),
            (Key::Code(KeyCode::Down), Msg::Line(LineMsg::Newer)),
        ],
        ["earlier / later lines typed", "上一条 / 下一条历史"],
        ["history", "历史"],
        Show::IfRoom,
    ),
    row(
        &[(Key::Code(KeyCode::F(1)), Msg::Help)],
        ["these keys", "按键说明"],
        ["keys", "按键"],
        Show::Always,
    ),
    help_only(
        &[
            (Key::Code(KeyCode::Left), Msg::Line(LineMsg::Left)),
            (Key::Code(KeyCode::Right), Msg::Line(LineMsg::Right)),
        ],
        ["move the cursor", "移动光标"],
    ),
    help_only(
        &[
            (Key::Code(KeyCode::Home), Msg::Line(LineMsg::Home)),
            (Key::Ctrl('a'), Msg::Line(LineMsg::Home)),
            (Key::Code(KeyCode::End), Msg::Line(LineMsg::End)),
            (Key::Ctrl('e'), Msg::Line(LineMsg::End)),
        ],
        ["start / end of the line", "行首 / 行尾"],
    ),
    help_only(
        &[
            (
                Key::Code(KeyCode::Backspace),
                Msg::Line(LineMsg::DeleteBack),
            ),
            (
                Key::Code(KeyCode::Delete),
                Msg::Line(LineMsg::DeleteForward),
            ),
        ],
        ["delete before / at the cursor", "删除光标前 / 处的字符"],
    ),
    help_only(
        &[
            (Key::Ctrl('u'), Msg::Line(LineMsg::DeleteToStart)),
            (Key::Ctrl('k'), Msg::Line(LineMsg::DeleteToEnd)),
            (Key::Ctrl('w'), Msg::Line(LineMsg::DeleteWord)),
        ],
        [
            "delete to the start / to the end / a word",
            "删到行首 / 行尾 / 删一个词",
        ],
    ),
    help_only(TYPED, ["type into the line", "输入到行中"]),
];

static HELP: &[Row] = &[
    QUIT,
    help_only(
        &[
            (Key::Code(KeyCode::Up), Msg::HelpUp),
            (Key::Code(KeyCode::Down), Msg::HelpDown),
        ],
        ["scroll this help", "滚动本帮助"],
    ),
    help_only(
        &[(Key::Any, Msg::CloseHelp)],
        ["closes this help", "关闭本帮助"],
    ),
];

static CONSOLE: &[Row] = &[
    HELP_KEY,
    row(
        &[(ch('q'), Msg::Quit), (Key::Ctrl('c'), Msg::Quit)],
        [
            "leave the console (students go on)",
            "离开控制台（学生不受影响）",
        ],
        ["quit", "退出"],
        Show::Always,
    ),
    row(
        &[
            (Key::Code(KeyCode::Up), Msg::SelectPrev),
            (ch('k'), Msg::SelectPrev),
            (Key::Code(KeyCode::Down), Msg::SelectNext),
            (ch('j'), Msg::SelectNext),
        ],
        ["choose a student", "选择学生"],
        ["choose", "选择"],
        Show::IfRoom,
    ),
    row(
        &[(ch('p'), Msg::ConsolePush)],
        [
            "push a formula (then start, η, optimizer)",
            "发送公式（再输入起点、η、优化器）",
        ],
        ["push formula", "发公式"],
        Show::IfRoom,
    ),
    row(
        &[(ch('b'), Msg::ConsoleBroadcast)],
        [
            "broadcast a line to every footer (empty: clear)",
            "向所有学生的底栏广播一行（留空：清除）",
        ],
        ["broadcast", "广播"],
        Show::IfRoom,
    ),
    row(
        &[(ch('g'), Msg::ConsolePushPage)],
        ["push a lesson page", "发送课程页面"],
        ["push page", "发页面"],
        Show::IfRoom,
    ),
    row(
        &[
            (ch('f'), Msg::ConsoleFollow),
            (Key::Code(KeyCode::Enter), Msg::ConsoleFollow),
        ],
        ["follow the chosen student's screen", "查看所选学生的屏幕"],
        ["follow", "跟随"],
        Show::Always,
    ),
    row(
        &[(Key::Code(KeyCode::Esc), Msg::Back)],
        ["stop following", "停止跟随"],
        ["", ""],
        Show::HelpOnly,
    ),
    row(
        &[(ch('t'), Msg::ConsoleTarget)],
        [
            "send to everyone / to the chosen student",
            "发给所有人 / 只发给所选学生",
        ],
        ["to", "发给"],
        Show::IfRoom,
    ),
    row(
        &[(ch('s'), Msg::ConsoleSort)],
        [
            "sort by name / lesson / idle / solved",
            "按姓名 / 课程 / 空闲 / 答对数排序",
        ],
        ["sort", "排序"],
        Show::IfRoom,
    ),
    row(
        &[(ch('c'), Msg::ConsoleClear)],
        ["clear students who left", "清除已离开的学生"],
        ["clear", "清除"],
        Show::IfRoom,
    ),
    LANG,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_c_quits_on_every_screen_and_never_types() {
        for map in Keymap::ALL {
            for c in ['c', 'q'] {
                let k = press(KeyCode::Char(c), KeyModifiers::CONTROL);
                assert_eq!(map.message(&k), Some(Msg::Quit), "{map:?} Ctrl-{c}");
            }
        }
    }

    #[test]
    fn shift_does_not_matter_ctrl_does() {
        let big_l = press(KeyCode::Char('L'), KeyModifiers::SHIFT);
        assert_eq!(Keymap::Tutor.message(&big_l), Some(Msg::SwitchLang));
        let ctrl_n = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(Keymap::Tutor.message(&ctrl_n), None);
        let typed = press(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(
            Keymap::Line.message(&typed),
            Some(Msg::Line(LineMsg::Insert("n".into())))
        );
        let mut release = typed;
        release.kind = KeyEventKind::Release;
        assert_eq!(Keymap::Tutor.message(&release), None);
    }

    #[test]
    fn key_names_read_as_the_help_prints_them() {
        let rows = Keymap::Tutor.rows();
        let lr = rows.iter().find(|r| r.hint[0] == "η").unwrap();
        assert_eq!(lr.help_keys(Lang::En), "+, = / -, _");
        assert_eq!(lr.hint_keys(Lang::En), "+/-");
        let pages = rows.iter().find(|r| r.hint[0] == "page").unwrap();
        assert_eq!(pages.hint_keys(Lang::En), "→←");
        assert_eq!(pages.help_keys(Lang::En), "→, PgDn / ←, PgUp");
    }

    #[test]
    fn a_narrow_footer_keeps_pages_help_and_back() {
        let ctx = Context {
            in_lesson: true,
            formula: true,
            ..Context::default()
        };
        for map in [Keymap::Tutor, Keymap::Taylor] {
            let narrow = map.footer(ctx, Lang::En, 30);
            let labels: Vec<&str> = narrow.iter().map(|h| h.label).collect();
            assert_eq!(labels, ["page", "help", "back"], "{map:?}");
            let wide = map.footer(ctx, Lang::En, 300);
            assert!(wide.len() > 8, "{map:?}: {wide:?}");
            let sandbox = map.footer(Context::default(), Lang::En, 300);
            assert!(
                sandbox
                    .iter()
                    .all(|h| h.label != "page" && h.label != "formula")
            );
        }
    }

    #[test]
    fn enter_answers_an_open_question_and_leaves_a_finished_lesson() {
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        let last = Context {
            in_lesson: true,
            page: Some((4, 4)),
            ..Context::default()
        };
        let asking = Context {
            question: true,
            ..last
        };
        let middle = Context {
            page: Some((2, 4)),
            ..last
        };
        for map in [Keymap::Tutor, Keymap::Taylor] {
            assert_eq!(map.message_in(&enter, last), Some(Msg::NextLesson));
            assert_eq!(map.message_in(&enter, asking), Some(Msg::Answer));
            assert_eq!(map.message_in(&enter, middle), None);
            let footer = map.footer(last, Lang::En, 200);
            assert_eq!(footer[0].keys, "Enter", "{footer:?}");
            let page = footer.iter().find(|h| h.label == "page").unwrap();
            assert_eq!(page.extra, " 4/4 · lesson done");
            // Not while the last page's question is still open.
            for lang in [Lang::En, Lang::Zh] {
                let open = map.footer(asking, lang, 200);
                let page = open.iter().find(|h| h.label == tr(lang, "page", "翻页"));
                assert_eq!(page.map(|h| h.extra.as_str()), Some(" 4/4"), "{open:?}");
            }
            let page = map.footer(middle, Lang::Zh, 200);
            assert!(page.iter().any(|h| h.extra == " 2/4"), "{page:?}");
        }
    }

    #[test]
    fn scroll_keys_show_only_when_the_text_overflows() {
        let ctx = Context {
            in_lesson: true,
            page: Some((1, 4)),
            ..Context::default()
        };
        let scrolls = Context {
            scrolls: true,
            ..ctx
        };
        for map in [Keymap::Tutor, Keymap::Taylor] {
            let up = press(KeyCode::Up, KeyModifiers::NONE);
            assert_eq!(map.message_in(&up, scrolls), Some(Msg::ScrollUp));
            let labels = |c| -> Vec<&str> {
                map.footer(c, Lang::En, 80)
                    .iter()
                    .map(|h| h.label)
                    .collect()
            };
            assert_eq!(labels(scrolls)[0], "more text");
            assert!(!labels(ctx).contains(&"more text"));
        }
    }

    /// The Taylor view is the tutor with v to turn: every other key says the same there.
    #[test]
    fn taylor_says_what_the_tutor_says_except_where_it_differs() {
        // The sandbox's rows are the tutor's alone: the Taylor view is a lesson's.
        let differs = |r: &Row| {
            r.when == When::Sandbox
                || r.keys.iter().any(|(_, m)| {
                    matches!(
                        m,
                        Msg::RaiseLr
                            | Msg::NextPage
                            | Msg::PredictRound
                            | Msg::AskDerivative
                            | Msg::Turn(_)
                            | Msg::WidenProbe
                            | Msg::AimDownhill
                    )
                })
        };
        let same = |rows: &[Row]| -> Vec<String> {
            rows.iter()
                .filter(|r| !differs(r))
                .map(|r| format!("{:?} {:?} {:?}", r.keys, r.help, r.hint))
                .collect()
        };
        assert_eq!(same(Keymap::Tutor.rows()), same(Keymap::Taylor.rows()));
        let pages = |map: Keymap| {
            let r = map.rows().iter().find(|r| r.hint[0] == "page").unwrap();
            (r.help, r.show, r.when)
        };
        assert_eq!(pages(Keymap::Tutor), pages(Keymap::Taylor));
    }

    /// `A`, `P` and `d` are in the footer whenever they apply, at 80 columns, in both
    /// languages, and the footer still fits.
    #[test]
    fn again_predict_and_the_derivative_quiz_are_in_the_footer_when_they_apply() {
        let footer_has = |map: Keymap, ctx: Context, lang: Lang, keys: &[&str]| {
            let f = map.footer(ctx, lang, 80);
            let width: usize = f.iter().map(Hint::width).sum();
            assert!(
                width < 80,
                "{map:?} {lang:?} {ctx:?}: {width} columns {f:?}"
            );
            for k in keys {
                assert!(
                    f.iter().any(|h| h.keys == *k),
                    "{map:?} {lang:?} {ctx:?}: no {k} in {f:?}"
                );
            }
        };
        for lang in [Lang::En, Lang::Zh] {
            for map in [Keymap::Tutor, Keymap::Taylor] {
                for (page, question, scrolls) in [
                    ((2, 5), true, false),
                    ((2, 5), true, true),
                    ((2, 5), false, true),
                    ((10, 10), true, true),
                    ((10, 10), false, false),
                ] {
                    let ctx = Context {
                        in_lesson: true,
                        formula: true,
                        page: Some(page),
                        scrolls,
                        question,
                        varies: true,
                        tolerance: false,
                    };
                    // The Taylor view's finished last page has "Enter next lesson" and its
                    // long "PgDn/PgUp page n/n · lesson done": no room is left for A there.
                    if !(map == Keymap::Taylor && ctx.done()) {
                        footer_has(map, ctx, lang, &["A"]);
                    }
                    let plain = Context {
                        varies: false,
                        ..ctx
                    };
                    assert!(map.footer(plain, lang, 80).iter().all(|h| h.keys != "A"));
                }
            }
            let sandbox = Context {
                formula: true,
                tolerance: true,
                ..Context::default()
            };
            footer_has(Keymap::Tutor, sandbox, lang, &["P", "d"]);
            let lesson = Context {
                in_lesson: true,
                page: Some((1, 4)),
                ..sandbox
            };
            let f = Keymap::Tutor.footer(lesson, lang, 200);
            assert!(f.iter().all(|h| h.keys != "P" && h.keys != "d"), "{f:?}");
        }
    }
}
