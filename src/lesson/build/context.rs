//! Where a problem is: the file being read, byte offsets turned into line and character
//! column, and the small checks of single values (finite, a count, a list of numbers) that
//! every part of a lesson uses.

use std::ops::Range;

use crate::lesson::schema::S;
use crate::lesson::{Place, Problem};

/// The file being validated and the problems found so far.
pub struct Ctx<'a> {
    pub file: &'a str,
    pub src: &'a str,
    pub problems: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str, src: &'a str) -> Self {
        Ctx {
            file,
            src,
            problems: Vec::new(),
        }
    }

    /// Line and character column of a byte offset (clamped to the text, and to a char
    /// boundary, so a bad span can never panic).
    pub fn place(&self, offset: usize) -> Place {
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Place { line, column }
    }

    pub fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let p = Problem {
            file: self.file.to_string(),
            place: Some(self.place(span.start)),
            message: message.into(),
        };
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    /// Where the text of a string value starts (after its opening quote or quotes).
    pub(super) fn string_content_start(&self, span: &Range<usize>) -> usize {
        let raw = self.src.get(span.clone()).unwrap_or("");
        if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            let mut s = span.start + 3;
            // A newline right after the opening delimiter is not part of the string.
            if self.src[s..].starts_with('\n') {
                s += 1;
            } else if self.src[s..].starts_with("\r\n") {
                s += 2;
            }
            s
        } else {
            span.start + 1
        }
    }
}

/// toml's message, on one line and without its own copy of the source (we give the place).
pub(super) fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim().replace('\n', " ");
    if m.is_empty() {
        "invalid TOML".to_string()
    } else {
        m
    }
}

pub(super) fn finite(ctx: &mut Ctx, v: &S<f64>, what: &str) -> Option<f64> {
    let x = *v.get_ref();
    if x.is_finite() {
        Some(x)
    } else {
        ctx.at(v.span(), format!("{what} must be a finite number, got {x}"));
        None
    }
}

pub(super) fn count(ctx: &mut Ctx, v: &S<i64>, what: &str, min: i64) -> Option<usize> {
    let x = *v.get_ref();
    if x < min {
        ctx.at(v.span(), format!("{what} must be at least {min}, got {x}"));
        None
    } else {
        usize::try_from(x).ok()
    }
}

pub(super) fn numbers(ctx: &mut Ctx, v: &S<Vec<f64>>, what: &str) -> Option<Vec<f64>> {
    if v.get_ref().iter().all(|x| x.is_finite()) {
        Some(v.get_ref().clone())
    } else {
        ctx.at(v.span(), format!("{what} must hold finite numbers"));
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_count_characters_not_bytes() {
        let ctx = Ctx::new("f.toml", "a = 1\nzh = \"θ₁\" x");
        let off = "a = 1\nzh = \"θ₁\" ".len();
        assert_eq!(
            ctx.place(off),
            Place {
                line: 2,
                column: 11
            }
        );
        // Out of range and mid-character offsets are clamped, never a panic.
        assert_eq!(ctx.place(10_000).line, 2);
        let _ = ctx.place("a = 1\nzh = \"θ".len() - 1);
    }

    #[test]
    fn the_same_problem_is_reported_once() {
        let mut ctx = Ctx::new("f.toml", "lr = 0\n");
        ctx.at(5..6, "lr must be greater than 0");
        ctx.at(5..6, "lr must be greater than 0");
        assert_eq!(ctx.problems.len(), 1);
        assert_eq!(
            ctx.problems[0].to_string(),
            "f.toml:1:6: lr must be greater than 0"
        );
    }

    #[test]
    fn string_content_starts_after_the_quotes() {
        let src = "a = \"\"\"\nxy\"\"\"\nb = \"z\"";
        let ctx = Ctx::new("f.toml", src);
        assert_eq!(ctx.string_content_start(&(4..13)), 8);
        assert_eq!(ctx.string_content_start(&(18..21)), 19);
    }

    #[test]
    fn single_values_are_checked_with_their_place() {
        let src = "v = nan\nn = -2\n";
        let mut ctx = Ctx::new("f.toml", src);
        assert_eq!(finite(&mut ctx, &S::new(4..7, f64::NAN), "value"), None);
        assert_eq!(count(&mut ctx, &S::new(12..14, -2), "at", 0), None);
        assert_eq!(count(&mut ctx, &S::new(12..14, 3), "at", 0), Some(3));
        let msgs: Vec<String> = ctx.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "f.toml:1:5: value must be a finite number, got NaN",
                "f.toml:2:5: at must be at least 0, got -2"
            ]
        );
    }
}
