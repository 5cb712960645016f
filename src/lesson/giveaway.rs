//! Finding an exercise's answer in the text around it. A question whose page says the answer
//! tests reading, not understanding, so `gradstep check` refuses it. The scan reads numbers
//! the way a page writes them (`10`, `10.0`, `−1.5`, `-3/2`) and leaves alone digits that are
//! part of something else (`x2`, `2x`, `2^10`, `1e-4`, `100`).

/// A number written in a text: where it is (byte range) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub start: usize,
    pub end: usize,
    pub value: f64,
}

impl Written {
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        &s[self.start..self.end]
    }
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−' | '–')
}

/// Part of a word, a power or a longer number: a digit next to it is not a number of its own.
fn glued(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '^' | '.' | '₀'..='₉' | '⁰'..='⁹')
}

/// Every stand-alone number in `s`, with a sign when a minus sits right before it and does not
/// follow an operand (`= −1.5` is negative; `x−1` subtracts 1).
pub fn numbers(s: &str) -> Vec<Written> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        if !c.is_ascii_digit() || (i > 0 && glued(chars[i - 1].1)) {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut negative = false;
        if i > 0 && is_minus(chars[i - 1].1) {
            let before = if i >= 2 { at(i - 2) } else { None };
            if !before.is_some_and(|b| b.is_alphanumeric() || b == ')' || b == ']') {
                start = i - 1;
                negative = true;
            }
        }
        let mut j = i;
        let digits = |j: &mut usize| {
            while at(*j).is_some_and(|c| c.is_ascii_digit()) {
                *j += 1;
            }
        };
        digits(&mut j);
        if at(j) == Some('.') && at(j + 1).is_some_and(|c| c.is_ascii_digit()) {
            j += 1;
            digits(&mut j);
        }
        let mut denominator = None;
        if at(j) == Some('/') && at(j + 1).is_some_and(|c| c.is_ascii_digit()) {
            let d0 = j + 1;
            j += 1;
            digits(&mut j);
            denominator = Some((d0, j));
        }
        // `2x`, `1e-4`, `10.5.3`, `3²`: the digits belong to something else.
        if at(j).is_some_and(|c| glued(c) && c != '.')
            || (at(j) == Some('.') && at(j + 1).is_some_and(|c| c.is_ascii_digit()))
        {
            // Skip the whole token, exponent sign included (`1e-4` is not a 4).
            i = j;
            while at(i).is_some_and(|c| glued(c) || matches!(c, '-' | '+')) {
                i += 1;
            }
            continue;
        }
        let byte = |k: usize| chars.get(k).map_or(s.len(), |&(b, _)| b);
        let num_end = denominator.map_or(j, |(d0, _)| d0 - 1);
        let mut value: f64 = s[byte(i)..byte(num_end)].parse().unwrap_or(f64::NAN);
        if let Some((d0, d1)) = denominator {
            let d: f64 = s[byte(d0)..byte(d1)].parse().unwrap_or(f64::NAN);
            value /= d;
        }
        if negative {
            value = -value;
        }
        if value.is_finite() {
            out.push(Written {
                start: byte(start),
                end: byte(j),
                value,
            });
        }
        i = j;
    }
    out
}

/// The first number in `s` that states `answer` (within the answer's own tolerance, so a
/// rounded `0.693` gives away ln 2 asked to three decimals).
pub fn states(s: &str, answer: f64, tol: f64) -> Option<Written> {
    let slack = tol + 1e-9 * answer.abs().max(1.0);
    numbers(s)
        .into_iter()
        .find(|w| (w.value - answer).abs() <= slack)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(s: &str) -> Vec<(String, f64)> {
        numbers(s)
            .into_iter()
            .map(|w| (w.text(s).to_string(), w.value))
            .collect()
    }

    #[test]
    fn reads_numbers_as_pages_write_them() {
        assert_eq!(
            values("f′(5) = 10, Δx = −0.1·10 = −1; ∇L = [−1.5, -1.0]"),
            [
                ("5".into(), 5.0),
                ("10".into(), 10.0),
                ("−0.1".into(), -0.1),
                ("10".into(), 10.0),
                ("−1".into(), -1.0),
                ("−1.5".into(), -1.5),
                ("-1.0".into(), -1.0)
            ]
        );
        assert_eq!(
            values("below 2/20 = 0.1."),
            [("2/20".into(), 0.1), ("0.1".into(), 0.1)]
        );
    }

    #[test]
    fn digits_inside_words_powers_and_longer_numbers_are_not_numbers() {
        assert!(
            values("x2 2x w₁ 2^10 1e-4 x² θ10").is_empty(),
            "{:?}",
            values("x2 2x 2^10 1e-4")
        );
        assert_eq!(values("x−1"), [("1".into(), 1.0)]);
        assert_eq!(values("(x − 3)−1"), [("3".into(), 3.0), ("1".into(), 1.0)]);
    }

    #[test]
    fn an_answer_is_found_in_any_printed_form_and_nothing_else_is() {
        for s in ["so f′(5) = 10.", "f′(5)=10.0", "it is 20/2"] {
            assert!(states(s, 10.0, 1e-6).is_some(), "{s}");
        }
        for s in ["100 steps", "10.5", "0.10", "2^10", "x10", "−10", "1e1"] {
            assert!(states(s, 10.0, 1e-6).is_none(), "{s}");
        }
        let w = states("ŷ − y = −0.5, so −1.5 it is", -1.5, 0.001).unwrap();
        assert_eq!((w.start, w.end), (22, 28));
        assert!(states("−3/2", -1.5, 0.0).is_some());
        assert!(states("1.5 and - 1.5", -1.5, 0.0).is_none());
        assert!(states("L ≈ 0.693", std::f64::consts::LN_2, 0.001).is_some());
    }
}
