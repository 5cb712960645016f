//! The two languages every lesson is written in, and how the language is chosen.
//!
//! A learner's locale picks the language unless `--lang` says otherwise; the rule is the
//! POSIX one (LC_ALL wins over LC_MESSAGES, which wins over LANG), reduced to a single
//! question: does the locale start with `zh`?

use std::borrow::Cow;
use std::fmt;
use std::iter::Peekable;
use std::ops::Not;
use std::str::{Chars, FromStr};

/// A language a lesson text exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    Zh,
    #[default]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The short code used on the command line and in lesson files: `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language (the tutor's `L` key toggles between the two).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The language from locale variables, in POSIX precedence: the first one that is set and
    /// not empty decides; `zh*` (zh_CN.UTF-8, zh_TW, zh) means Chinese, anything else English.
    /// A pure function so the rule can be tested without touching the process environment.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|v| !v.is_empty());
        match chosen {
            Some(v) if v.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// The language from this process's `LC_ALL`, `LC_MESSAGES` and `LANG`.
    pub fn from_env() -> Lang {
        let var = |k: &str| std::env::var(k).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// `--lang` if given, else the locale.
    pub fn choose(flag: Option<Lang>) -> Lang {
        flag.unwrap_or_else(Lang::from_env)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" | "中文" => Ok(Lang::Zh),
            "en" | "en-us" | "en_us" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (known: zh, en)")),
        }
    }
}

/// One piece of lesson text in both languages. A validated lesson has both filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`; if that translation is empty (a lesson loaded despite a missing
    /// translation), the other one, so the learner never sees a blank page.
    pub fn get(&self, lang: Lang) -> &str {
        let (want, other) = match lang {
            Lang::Zh => (&self.zh, &self.en),
            Lang::En => (&self.en, &self.zh),
        };
        if want.trim().is_empty() { other } else { want }
    }
}

/// `s` without terminal control sequences: an escape sequence (CSI such as `ESC[2J`, OSC such
/// as `ESC]0;title BEL`, DCS and the like) goes whole, any other control character goes too,
/// except newlines (kept) and tabs (a space). Lesson text passes through here once, when the
/// lesson is built, so every way it reaches a terminal (the tutor, `gradstep lessons`,
/// `lesson --print`, SSH) prints only what the author meant as text.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// After ESC: the rest of one escape sequence.
fn skip_escape(chars: &mut Peekable<Chars>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // A two-character escape (ESC c, ESC 7, …) or a lone ESC at the end.
        _ => {}
    }
}

/// A CSI sequence's parameters and intermediates, up to and including its final byte.
fn skip_csi(chars: &mut Peekable<Chars>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
    }
}

/// An OSC/DCS-style string, up to BEL, ST (ESC \\ or U+009C).
fn skip_string(chars: &mut Peekable<Chars>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

/// Joins a page's lines into paragraphs so they wrap to whatever width the panel has: a blank
/// line ends a paragraph, and an indented line (a formula) stays on a line of its own, never
/// joined to the prose around it. Chinese lines join without a space, other text with one.
pub fn reflow(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let indented = line.starts_with(char::is_whitespace);
        if line.trim().is_empty() {
            out.push(String::new());
            open = false;
        } else if indented || !open {
            out.push(line.trim_end().to_string());
            open = !indented;
        } else if let Some(last) = out.last_mut() {
            let join_tight = last.ends_with(is_cjk) || line.starts_with(is_cjk);
            if !join_tight {
                last.push(' ');
            }
            last.push_str(line.trim());
        }
    }
    out
}

/// A page's text as the rows it is drawn in, each at most `width` terminal cells:
/// [`reflow`], then every paragraph broken by [`wrap`]. A formula line that is too wide
/// continues on the next row under its own indent, two cells further in.
pub fn page_rows(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    for para in reflow(text) {
        let indent = para.len() - para.trim_start().len();
        let mut first = true;
        let pad = " ".repeat(indent);
        let cont = " ".repeat(indent + 2);
        if indent == 0 || cell_width(&para) <= width {
            rows.extend(wrap(&para, width));
            continue;
        }
        // A formula: wrapped with its indent, never joined to anything else.
        let body = para.trim_start();
        let lead = if width > indent + 8 { indent } else { 0 };
        for piece in wrap(body, width.saturating_sub(lead + 2).max(1)) {
            let p = if first {
                &pad[..lead]
            } else {
                &cont[..(lead + 2).min(cont.len())]
            };
            rows.push(format!("{p}{piece}"));
            first = false;
        }
    }
    rows
}

/// `s` in terminal cells (a Chinese character takes two).
pub fn cell_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Wide East Asian text: CJK ideographs, kana, Hangul and full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}' | '\u{f900}'..='\u{faff}' |
        '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ffef}')
}

/// Signs that bind what is on both sides: `η = 0.1` and `x₁ ≈ 3` are never split.
fn binds(c: char) -> bool {
    matches!(c, '=' | '≈' | '≠' | '<' | '>' | '≤' | '≥' | '←' | '→' | '≡')
}

/// One paragraph broken into rows of at most `width` cells at the break opportunities of
/// the Unicode line-breaking algorithm (UAX #14), minus those that would split what a reader
/// takes as one thing: the two sides of `=` (and `≈`, `<`, `←`, …), a number from the
/// Chinese word after it ("10 倍") and a ratio (`dL/dw`, `∂f/∂y`). When such a run is wider than a row it breaks
/// anyway (at a Unicode opportunity, or between characters if it has none), so no character
/// is ever dropped.
pub fn wrap(para: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if cell_width(para) <= width {
        return vec![para.to_string()];
    }
    // Every opportunity, and whether the gluing rules allow it.
    let breaks: Vec<(usize, bool)> = unicode_linebreak::linebreaks(para)
        .filter(|(at, _)| *at < para.len())
        .map(|(at, _)| (at, glued(para, at).not()))
        .collect();
    let mut rows = Vec::new();
    let mut start = 0;
    while start < para.len() {
        let rest = &para[start..];
        if cell_width(rest.trim_end()) <= width {
            rows.push(rest.trim_end().to_string());
            break;
        }
        // A longer row never fits where a shorter one does not, so the rows that fit are a
        // prefix of the opportunities.
        let fitting = || {
            breaks
                .iter()
                .filter(move |(at, _)| *at > start)
                .take_while(|(at, _)| cell_width(para[start..*at].trim_end()) <= width)
        };
        let end = fitting()
            .filter(|(_, ok)| *ok)
            .map(|(at, _)| *at)
            .last()
            .or_else(|| fitting().map(|(at, _)| *at).last())
            .unwrap_or_else(|| hard_split(para, start, width));
        rows.push(para[start..end].trim_end().to_string());
        start = end;
    }
    rows
}

/// Whether breaking `s` before byte `at` would split a glued pair.
fn glued(s: &str, at: usize) -> bool {
    let before = s[..at].trim_end();
    let after = &s[at..];
    let (Some(b), Some(a)) = (before.chars().last(), after.chars().next()) else {
        return false;
    };
    let number_word = b.is_ascii_digit() && is_cjk(a);
    // `dL/dw`, `∂f/∂y`: a break after the slash leaves half a fraction.
    let ratio = b == '/' && !a.is_whitespace();
    binds(b) || binds(a) || number_word || ratio
}

/// The byte index after as many whole characters of `s[start..]` as fit in `width` cells
/// (at least one, so a row always moves forward).
fn hard_split(s: &str, start: usize, width: usize) -> usize {
    let mut used = 0;
    let mut end = start;
    for (i, c) in s[start..].char_indices() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width && end > start {
            break;
        }
        used += w;
        end = start + i + c.len_utf8();
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_join_and_formulas_stay() {
        let text = "The first step\njumps over the bottom.\n  θ ← θ − η∇L\nThen it\nswitches.\n\nNew paragraph.";
        assert_eq!(
            reflow(text),
            vec![
                "The first step jumps over the bottom.",
                "  θ ← θ − η∇L",
                "Then it switches.",
                "",
                "New paragraph."
            ]
        );
        assert_eq!(reflow("第一步\n越过了谷底。"), vec!["第一步越过了谷底。"]);
    }

    /// Every row fits, and joining the rows gives back every character of the text.
    fn check_rows(text: &str, width: usize) -> Vec<String> {
        let rows = wrap(text, width);
        for r in &rows {
            assert!(cell_width(r) <= width, "{r:?} wider than {width}");
        }
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(squeeze(&rows.concat()), squeeze(text), "{rows:?}");
        rows
    }

    #[test]
    fn names_stay_with_their_values() {
        for w in 8..30 {
            for r in check_rows("With learning rate η = 0.1 from x₁ = 3 we step", w) {
                assert!(!r.ends_with('='), "{w}: {r:?}");
                assert!(!r.starts_with('='), "{w}: {r:?}");
            }
        }
        let rows = check_rows(
            "在 x = 5，f′(5) = 10：x 每挪一点点，f 大约变化它的 10 倍。",
            22,
        );
        assert!(rows.iter().all(|r| !r.ends_with("10")), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("10 倍")), "{rows:?}");
        for w in 12..24 {
            let rows = check_rows("斜率 dL/dw = −1.5，∂f/∂y 也是。", w);
            assert!(rows.iter().all(|r| !r.ends_with('/')), "{w}: {rows:?}");
        }
    }

    #[test]
    fn chinese_breaks_by_cells_and_not_before_punctuation() {
        let rows = check_rows("斜率为负，往右才是下坡，所以这一步让 w 变大。", 10);
        assert!(
            rows.iter()
                .all(|r| !r.starts_with('，') && !r.starts_with('。'))
        );
        assert!(rows.len() >= 4);
    }

    #[test]
    fn nothing_is_dropped_even_when_nothing_fits() {
        check_rows("9.9600000000000001e-5", 4);
        check_rows("‖∇L‖ = 2√2 ≈ 2.828", 5);
        check_rows("一二三", 2);
    }

    #[test]
    fn formulas_are_never_glued_to_prose() {
        let rows = page_rows("A new loss:\n  L(w) = (w − 3)²/4 + 1\nStart at w = 0.", 40);
        assert_eq!(
            rows,
            ["A new loss:", "  L(w) = (w − 3)²/4 + 1", "Start at w = 0."]
        );
        let narrow = page_rows("x:\n  L(w) = (w − 3)²/4 + 1", 14);
        assert!(
            narrow.iter().skip(1).all(|r| r.starts_with("  ")),
            "{narrow:?}"
        );
        assert!(narrow.iter().all(|r| cell_width(r) <= 14), "{narrow:?}");
    }

    #[test]
    fn control_sequences_are_stripped_text_is_kept() {
        assert!(matches!(printable("θ₁ grows\nby 2"), Cow::Borrowed(_)));
        assert_eq!(
            printable("a\u{1b}[2J\u{1b}]0;pwned\u{7}b\u{1b}[1;31mc\u{1b}[0m"),
            "abc"
        );
        assert_eq!(
            printable("x\u{1b}]8;;http://e\u{1b}\\link\u{1b}]8;;\u{1b}\\y"),
            "xlinky"
        );
        assert_eq!(printable("tab\there\r\n\u{0}\u{9b}31m!"), "tab here\n!");
        assert_eq!(printable("end\u{1b}"), "end");
    }

    #[test]
    fn locale_rule_follows_posix_precedence() {
        assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(
            Lang::from_locale(Some("C"), None, Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(Some("zh_TW.UTF-8"), None, Some("en_US")),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale(Some(""), Some("zh_CN"), Some("en_US")),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale(None, None, Some("ZH_cn")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("POSIX")), Lang::En);
    }

    #[test]
    fn flag_overrides_the_locale() {
        assert_eq!(Lang::choose(Some(Lang::Zh)), Lang::Zh);
        assert_eq!(Lang::choose(Some(Lang::En)), Lang::En);
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!(" EN ".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn missing_translation_falls_back() {
        let t = Text::new("", "hello");
        assert_eq!(t.get(Lang::Zh), "hello");
        assert_eq!(Text::new("你好", "hello").get(Lang::Zh), "你好");
    }
}
