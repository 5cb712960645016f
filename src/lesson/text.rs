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

#[cfg(test)]
mod tests {
    use super::*;

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
