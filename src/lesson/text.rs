//! The two languages every lesson is written in, and how the language is chosen.
//!
//! A learner's locale picks the language unless `--lang` says otherwise; the rule is the
//! POSIX one (LC_ALL wins over LC_MESSAGES, which wins over LANG), reduced to a single
//! question: does the locale start with `zh`?

use std::borrow::Cow;
use std::fmt;
use std::iter::Peekable;
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
/// joined to the prose around it. Two Chinese lines join without a space (Chinese has none
/// between words), and so does a line next to full-width punctuation; anything else, including
/// Chinese meeting a Latin letter or a digit ("决定了 η", "按 (θ₁, θ₂)"), joins with one space,
/// the spacing the lessons use inside a line.
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
            let line = line.trim();
            if !joins_tight(last, line) {
                last.push(' ');
            }
            last.push_str(line);
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

/// CJK punctuation and full-width forms (，。：；、（）「」…): they carry their own spacing, so
/// nothing is put between them and a neighbour.
fn is_fullwidth_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ffef}')
}

/// A CJK character that is a word, not punctuation: an ideograph, kana or Hangul.
fn is_cjk_word(c: char) -> bool {
    is_cjk(c) && !is_fullwidth_punct(c)
}

/// Whether the reflow joins line `next` to the paragraph so far `last` without a space.
fn joins_tight(last: &str, next: &str) -> bool {
    let (Some(b), Some(a)) = (last.chars().last(), next.chars().next()) else {
        return true;
    };
    // Curly quotes are Chinese quotation marks next to Chinese (“收敛”), English ones elsewhere.
    // So are the ellipsis and dash of Chinese text (……, ——).
    let quote = |c: char| matches!(c, '“' | '”' | '‘' | '’' | '…' | '—');
    let both_cjk = (is_cjk(b) || quote(b)) && (is_cjk(a) || quote(a)) && (is_cjk(b) || is_cjk(a));
    both_cjk || is_fullwidth_punct(b) || is_fullwidth_punct(a)
}

/// Signs that bind what is on both sides: `η = 0.1` and `x₁ ≈ 3` are never split.
fn binds(c: char) -> bool {
    matches!(c, '=' | '≈' | '≠' | '<' | '>' | '≤' | '≥' | '←' | '→' | '≡')
}

/// One paragraph broken into rows of at most `width` cells at the break opportunities of
/// the Unicode line-breaking algorithm (UAX #14: no row starts with ，。：；、）」 or ends with
/// （「), minus those that would split what a reader takes as one thing:
/// - the two sides of `=` (and `≈`, `<`, `←`, …) and a ratio (`dL/dw`, `∂f/∂y`);
/// - a formula right after a binary operator (`−1 −` / `0.25·(−6)`): a row may end before
///   `+`, `−`, `·`, `×`, … but not after one, so a sign also stays with its number;
/// - a number from the Chinese word on either side of it ("第 67 步", "10 倍");
/// - a short bracketed group, a tuple or a vector such as `(0.51, 1.17)` or `[3, 2]`.
///
/// Chinese words are not kept whole: with no dictionary there is no telling 所以 from 所/以,
/// and Chinese print breaks between any two characters anyway.
///
/// A row breaks where nothing is glued if it can; else, if a bracketed group is wider than
/// what is left of the row, inside the group (at a Unicode opportunity); else at any Unicode
/// opportunity; else between characters, so no character is ever dropped.
pub fn wrap(para: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    if cell_width(para) <= width {
        return vec![para.to_string()];
    }
    let groups = short_groups(para);
    // Every opportunity, and how bad breaking there is.
    // UAX #14 as the crate implements it, plus a break before a full-width opening bracket
    // after a number or a letter ("0.05（上一页的 1/5）"), which Unicode 13 allows and the
    // crate's tables do not.
    let mut opportunities: Vec<usize> = unicode_linebreak::linebreaks(para)
        .map(|(at, _)| at)
        .chain(
            para.char_indices()
                .filter(|&(at, c)| at > 0 && matches!(c, '（' | '「' | '『'))
                .map(|(at, _)| at),
        )
        .filter(|at| *at < para.len())
        .collect();
    opportunities.sort_unstable();
    opportunities.dedup();
    let breaks: Vec<(usize, Glue)> = opportunities
        .into_iter()
        .map(|at| (at, glue(para, at, &groups)))
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
        let fitting: Vec<(usize, Glue)> = breaks
            .iter()
            .filter(|(at, _)| *at > start)
            .take_while(|(at, _)| cell_width(para[start..*at].trim_end()) <= width)
            .copied()
            .collect();
        let last = |most: Glue| {
            fitting
                .iter()
                .rev()
                .find(|(_, g)| *g <= most)
                .map(|(at, _)| *at)
        };
        // A prose break beats a break before an operator, unless it leaves the row less than
        // a quarter full ("✗" alone above "θ − η·∇L = 0 − 0.1·(−1.5)").
        let row_cells = |at: usize| cell_width(para[start..at].trim_end());
        let free = last(Glue::Free).filter(|&at| row_cells(at) * 4 >= width);
        let end = free
            .or_else(|| last(Glue::Soft))
            .or_else(|| last(Glue::Group))
            .or_else(|| last(Glue::Tight))
            .unwrap_or_else(|| hard_split(para, start, width));
        rows.push(para[start..end].trim_end().to_string());
        start = end;
    }
    rows
}

/// How much a break at a Unicode opportunity would split, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Glue {
    /// Nothing: a break a reader expects.
    Free,
    /// A formula before one of its operators (`−1` / `+ 1.5`): allowed in print, but a break
    /// in the prose around the formula reads better.
    Soft,
    /// A short bracketed group, which a row too narrow for it has to split.
    Group,
    /// A name from its value, an operator from its operand, a number from its word.
    Tight,
}

/// The widest bracketed group, in cells, kept on one row: a 2-D point with five-digit
/// coordinates, `(−3.92647, −0.2664)`, or a three-vector such as `[−1.5, −1, −0.5]`. Wider
/// groups (a whole list) break like the text around them, as a panel a third of an 80-column
/// screen wide (about 32 cells) would otherwise end rows half empty.
const GROUP_CELLS: usize = 20;

/// The byte ranges of the bracketed groups (`(…)`, `[…]`, `{…}`, `（…）`) and quotations
/// (“收敛”, 「停」) of `s` at most
/// [`GROUP_CELLS`] wide, brackets included. Unmatched brackets (a half-open `[0, 1)`) open
/// no group.
fn short_groups(s: &str) -> Vec<(usize, usize)> {
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut groups = Vec::new();
    for (i, c) in s.char_indices() {
        let opener = match c {
            '(' | '[' | '{' | '（' | '“' | '「' => {
                open.push((i, c));
                continue;
            }
            '”' => '“',
            '」' => '「',
            ')' => '(',
            ']' => '[',
            '}' => '{',
            '）' => '（',
            _ => continue,
        };
        if let Some(pos) = open.iter().rposition(|&(_, o)| o == opener) {
            let from = open[pos].0;
            open.truncate(pos);
            let to = i + c.len_utf8();
            if cell_width(&s[from..to]) <= GROUP_CELLS {
                groups.push((from, to));
            }
        }
    }
    groups
}

/// How bad breaking `s` before byte `at` would be.
fn glue(s: &str, at: usize, groups: &[(usize, usize)]) -> Glue {
    let before = s[..at].trim_end();
    let after = &s[at..];
    let (Some(b), Some(a)) = (before.chars().last(), after.chars().next()) else {
        return Glue::Free;
    };
    // "67 步", "10 倍" and "第 67", "约 10": a number read with its Chinese neighbour.
    let number_word = (b.is_ascii_digit() && is_cjk_word(a)) || (counts(b) && a.is_ascii_digit());
    // `dL/dw`, `∂f/∂y`: a break after the slash leaves half a fraction.
    let ratio = b == '/' && !a.is_whitespace();
    if binds(b) || binds(a) || number_word || ratio || ends_in_operator(before) {
        Glue::Tight
    } else if groups.iter().any(|&(from, to)| from < at && at < to) {
        Glue::Group
    } else if starts_with_operator(after) {
        Glue::Soft
    } else {
        Glue::Free
    }
}

/// A Chinese word that is read with the number after it: the ordinal 第 and the counting
/// words 约, 共, 前, 每 ("第 67 步", "前 5 步"). Other words before a number ("是 0.2") may end
/// a row, as in any Chinese print; gluing them would chain "是 0.2 和 20" into one long run.
fn counts(c: char) -> bool {
    matches!(c, '第' | '约' | '共' | '前' | '每')
}

/// Whether `after` starts with a binary operator followed by a space: `+ 1.5`, `− exp(…)`, not
/// a sign such as `−1`.
fn starts_with_operator(after: &str) -> bool {
    let mut chars = after.chars();
    matches!(
        chars.next(),
        Some('+' | '−' | '-' | '·' | '×' | '÷' | '*' | '±' | '∓')
    ) && chars.next() == Some(' ')
}

/// Whether `before` (trimmed) ends with a binary operator or a sign, after which the formula
/// goes on: `−1 −`, `0.25·`, `+`. A hyphen after a letter (`mini-batch`) is a hyphen, not a
/// minus, and may end a row as UAX #14 allows.
fn ends_in_operator(before: &str) -> bool {
    let mut rev = before.chars().rev();
    match rev.next() {
        Some('+' | '−' | '·' | '⋅' | '×' | '÷' | '*' | '±' | '∓' | '^' | '/') => true,
        Some('-') => !rev.next().is_some_and(char::is_alphabetic),
        _ => false,
    }
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
    fn chinese_punctuation_never_starts_or_ends_a_row_wrongly() {
        let text = "学习率（η）决定步长：太大会发散；太小、太慢。他说「停」，于是停下。";
        for w in 10..40 {
            for r in check_rows(text, w) {
                assert!(
                    !r.starts_with(['，', '。', '：', '；', '、', '）', '」']),
                    "{w}: {r:?}"
                );
                assert!(!r.ends_with(['（', '「']), "{w}: {r:?}");
            }
        }
    }

    /// Whether each of `whole` is on one row of `rows`.
    fn kept_whole(rows: &[String], whole: &[&str]) -> bool {
        whole.iter().all(|g| rows.iter().any(|r| r.contains(g)))
    }

    #[test]
    fn tuples_and_vectors_stay_on_one_row() {
        let groups = ["(2, 2.9)", "(0.51, 1.17)", "[3, 2]", "(−3.92647, −0.2664)"];
        let en = "From θ₁ = (2, 2.9) it stops at (0.51, 1.17), with x = [3, 2]; \
                  step 2 lands on (−3.92647, −0.2664).";
        let zh = "从 θ₁ = (2, 2.9) 出发，停在 (0.51, 1.17)，x = [3, 2]；\
                  第 2 步到 (−3.92647, −0.2664)。";
        for w in 22..60 {
            for text in [en, zh] {
                let rows = check_rows(text, w);
                assert!(kept_whole(&rows, &groups), "{w}: {rows:?}");
            }
        }
        // A Chinese parenthesis may start a row after a number.
        assert_eq!(
            check_rows("现在 η 缩成 0.05（上一页的 1/5），再从 (1, 1) 走一步。", 32),
            [
                "现在 η 缩成 0.05",
                "（上一页的 1/5），再从 (1, 1) 走",
                "一步。"
            ]
        );
        for w in 12..40 {
            let rows = check_rows("停止规则当场宣布“收敛”，而 f ≈ 1。", w);
            assert!(kept_whole(&rows, &["“收敛”"]), "{w}: {rows:?}");
        }
        // Wider than the row: broken like any text, nothing lost.
        let rows = check_rows("at (−3.92647, −0.2664)", 12);
        assert_eq!(rows, ["at", "(−3.92647,", "−0.2664)"]);
        // A long list is not a tuple to keep whole: rows are filled.
        let rows = check_rows("Losses (9, 8, 7, 6, 5, 4, 3, 2, 1, 0) fall.", 24);
        assert_eq!(rows, ["Losses (9, 8, 7, 6, 5,", "4, 3, 2, 1, 0) fall."]);
    }

    #[test]
    fn formulas_do_not_break_after_an_operator_or_a_sign() {
        let en = "−1 − 0.25·(−6) = −1 + 1.5 = 0.5: 1.5 to the right, and x × −0.8 ÷ 2 after.";
        let zh = "−1 − 0.25·(−6) = −1 + 1.5 = 0.5：往右走了 1.5，x × −0.8 ÷ 2 之后。";
        for w in 16..50 {
            for text in [en, zh] {
                for r in check_rows(text, w) {
                    assert!(!r.ends_with(['−', '+', '·', '×', '÷', '-']), "{w}: {r:?}");
                }
            }
        }
        assert_eq!(
            check_rows("−1 − 0.25·(−6) = −1 + 1.5 = 0.5", 20),
            ["−1 − 0.25·(−6) = −1", "+ 1.5 = 0.5"]
        );
        // A formula in prose moves to the next row whole rather than break before `−`.
        assert_eq!(
            check_rows("A plateau: f = 1 − exp(−(x² + y²)). At (3, 3)", 32),
            ["A plateau:", "f = 1 − exp(−(x² + y²)). At", "(3, 3)"]
        );
        let page = "A plateau: f = 1 − exp(−(x² + y²)).\nAt (3, 3), ‖∇f‖ ≈ 1.3e-7 is below 1e-6:\nthe stop rule calls it converged at\nonce, with f ≈ 1. Without the rule,\nplain descent is still at (3, 3) after\n100 steps. Adam (η = 0.1) rescales the\ngradient: (0.35, 0.35), f ≈ 0.21 by 30.";
        assert_eq!(
            page_rows(page, 32)[..2],
            ["A plateau:", "f = 1 − exp(−(x² + y²)). At"]
        );
        // ... but a mark is not left alone on its row for that.
        assert_eq!(
            check_rows("✗ θ − η·∇L = 0 − 0.1·(−1.5) = 0.15 for w₁", 32),
            ["✗ θ − η·∇L = 0", "− 0.1·(−1.5) = 0.15 for w₁"]
        );
        // A hyphen in a word is not a minus.
        assert_eq!(
            check_rows("a mini-batch gradient", 8),
            ["a mini-", "batch", "gradient"]
        );
    }

    #[test]
    fn a_number_stays_with_its_chinese_neighbours() {
        let text = "η = 0.1：每步乘同一个数，第 67 步 ‖∇L‖ < 1e-6，约 10 倍。";
        for w in 12..40 {
            for r in check_rows(text, w) {
                assert!(!r.ends_with(['第', '约', '7']), "{w}: {r:?}");
                assert!(!r.starts_with("67") && !r.starts_with("10"), "{w}: {r:?}");
                assert!(!r.starts_with("步 ‖") && !r.starts_with("倍"), "{w}: {r:?}");
            }
        }
        assert_eq!(
            check_rows("η = 0.1：每步乘同一个数，第 67 步 ‖∇L‖ < 1e-6。", 30),
            ["η = 0.1：每步乘同一个数，", "第 67 步 ‖∇L‖ < 1e-6。"]
        );
    }

    #[test]
    fn joined_lines_space_chinese_from_latin_and_digits() {
        assert_eq!(
            reflow("步长由梯度决定了\nη 的大小，然后按\n(θ₁, θ₂) 两个方向走，共\n67 步。"),
            ["步长由梯度决定了 η 的大小，然后按 (θ₁, θ₂) 两个方向走，共 67 步。"]
        );
        assert_eq!(reflow("停在 (0, 0)\n附近。"), ["停在 (0, 0) 附近。"]);
        // Chinese to Chinese, and next to full-width punctuation: no space.
        assert_eq!(
            reflow("第一步\n越过了谷底，\nη 太大"),
            ["第一步越过了谷底，η 太大"]
        );
        assert_eq!(reflow("η = 0.1\n，所以"), ["η = 0.1，所以"]);
        assert_eq!(reflow("判为\n“收敛”"), ["判为“收敛”"]);
        assert_eq!(reflow("再迈一步……\n这就是"), ["再迈一步……这就是"]);
        // English keeps its spaces, quotes included.
        assert_eq!(reflow("the\n“valley” at\n2"), ["the “valley” at 2"]);
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
