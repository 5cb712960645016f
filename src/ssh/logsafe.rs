//! Peer-controlled text on its way into a log line.
//!
//! Anyone who can reach the port chooses their user name (anonymous login takes any), terminal
//! type, env names and protocol errors. Written raw, a newline forges a log line and ESC/OSC
//! sequences drive the admin's terminal (retitle it, hide text). [`Untrusted`] shows every
//! control or invisible character escaped (`\n`, `\u{1b}`, `\0`), backslashes doubled so an
//! escape cannot be faked, and cuts the text to a length that fits a line.

use std::fmt;

/// Longest peer text shown, in characters; the rest is counted, not shown.
pub const MAX_CHARS: usize = 64;

/// Display `text` escaped and cut to [`MAX_CHARS`].
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, MAX_CHARS)
    }
}

fn write_escaped(f: &mut impl fmt::Write, text: &str, max: usize) -> fmt::Result {
    let mut chars = text.chars();
    for c in chars.by_ref().take(max) {
        match c {
            // Quotes are harmless in a log line; escape_debug would add backslashes.
            '"' | '\'' => f.write_char(c)?,
            '\0' => f.write_str("\\0")?,
            c => write!(f, "{}", c.escape_debug())?,
        }
    }
    let rest = chars.count();
    if rest > 0 {
        write!(f, "…(+{rest} chars)")?;
    }
    Ok(())
}

/// [`Untrusted`] as an owned string, for `format!` and `%` fields alike.
pub fn escaped(text: &str) -> String {
    escaped_to(text, MAX_CHARS)
}

/// Escaped and cut to `max` characters, for longer text such as a panic message.
pub fn escaped_to(text: &str, max: usize) -> String {
    let mut s = String::new();
    let _ = write_escaped(&mut s, text, max);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_log_line_stays_on_one_line_and_escapes_show() {
        let user = "evil\n2026-01-01T00:00:00Z  INFO gradstep::ssh: forged line\x1b[31m";
        let e = escaped(user);
        assert!(!e.contains('\n') && !e.contains('\x1b'), "{e}");
        assert!(e.starts_with("evil\\n2026-01-01T00:00:00Z"), "{e}");
        assert!(e.contains("\\u{1b}[31m"), "{e}");
    }

    #[test]
    fn nul_osc_c1_bidi_and_backslashes_are_escaped() {
        let e = escaped("a\0b\x1b]0;owned\x07c\u{9b}d\u{202e}e\\n");
        assert!(e.chars().all(|c| !c.is_control()), "{e:?}");
        assert_eq!(
            e, "a\\0b\\u{1b}]0;owned\\u{7}c\\u{9b}d\\u{202e}e\\\\n",
            "a literal backslash-n cannot pass for an escaped newline"
        );
    }

    #[test]
    fn long_text_is_cut_and_counted() {
        let e = escaped(&"x".repeat(10_000));
        assert!(e.starts_with(&"x".repeat(MAX_CHARS)));
        assert!(e.ends_with("…(+9936 chars)"), "{e}");
        assert_eq!(escaped("plain-user"), "plain-user");
        assert_eq!(escaped("Zoë \"quoted\""), "Zoë \"quoted\"");
    }
}
