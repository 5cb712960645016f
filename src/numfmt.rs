//! How numbers are written: short for people (tables, the tutor's panels), exact for machines
//! (CSV, JSON). A non-finite number is never written as if it were one.

/// What a table or panel shows in place of NaN or ±∞ (the status line says why).
pub const NOT_A_NUMBER: &str = "—";

/// Up to six significant digits, trailing zeros trimmed: 0.15000000000000002 → "0.15",
/// 37 → "37", 1.23456789e-7 → "1.23457e-7". −0 is written as 0.
pub fn short(x: f64) -> String {
    sig(x, 6)
}

/// Like [`short`] with `digits` significant digits. This is the one formatter for numbers shown
/// to people, in panels, tables and charts alike, with one rule: plain digits from 0.0001 up to
/// `max(digits, 5)` integer digits (so 12345 stays 12345 even at 3 digits, a learner reads it
/// faster than 1.23e4), scientific beyond (1.23e5, 1.2e-5); NaN and ±∞ as [`NOT_A_NUMBER`].
pub fn sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return NOT_A_NUMBER.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let digits = digits.clamp(1, 17);
    let mag = x.abs().log10().floor() as i32;
    if mag >= -4 && mag < (digits as i32).clamp(5, 15) {
        let decimals = (digits as i32 - 1 - mag).max(0) as usize;
        let mut s = format!("{x:.decimals$}");
        let kept = trimmed(&s).len();
        s.truncate(kept);
        // Rounding can turn a tiny negative into "-0".
        if s == "-0" { "0".to_string() } else { s }
    } else {
        let s = format!("{:.*e}", digits - 1, x);
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trimmed(m)),
            None => s,
        }
    }
}

/// `s` without the trailing zeros of its decimals (and without a point left bare).
fn trimmed(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The shortest text that reads back as exactly the same f64 ("37", "0.15000000000000002",
/// "1e-7"); non-finite numbers give `None` (JSON null, an empty CSV field).
pub fn exact(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return Some(format!("{}", x as i64));
    }
    Some(format!("{x:?}"))
}

/// A vector written for people: `[2, 2.9]`.
pub fn vector(v: &[f64]) -> String {
    let mut out = String::from("[");
    for (k, &x) in v.iter().enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        out.push_str(&short(x));
    }
    out.push(']');
    out
}

/// Serialises an f64 as JSON the way [`exact`] writes it: integers without ".0", non-finite
/// as null.
pub fn serialize_f64<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if !x.is_finite() {
        s.serialize_none()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}

/// [`serialize_f64`] for each element of a vector.
pub fn serialize_vec<S: serde::Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&Json(*x))?;
    }
    seq.end()
}

/// An f64 that serialises through [`serialize_f64`].
#[derive(Debug, Clone, Copy)]
pub struct Json(pub f64);

impl serde::Serialize for Json {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_f64(&self.0, s)
    }
}

/// The Greek letters a formula may use and the ASCII names meval knows them by. A letter with
/// two shapes (ε ϵ, θ ϑ, φ ϕ) is listed twice; the first shape is the one printed. π is here
/// too: typed, it reads as the constant `pi`.
pub const GREEK: [(char, &str); 26] = [
    ('α', "alpha"),
    ('β', "beta"),
    ('γ', "gamma"),
    ('δ', "delta"),
    ('ε', "epsilon"),
    ('ϵ', "epsilon"),
    ('ζ', "zeta"),
    ('η', "eta"),
    ('θ', "theta"),
    ('ϑ', "theta"),
    ('ι', "iota"),
    ('κ', "kappa"),
    ('λ', "lambda"),
    ('μ', "mu"),
    ('ν', "nu"),
    ('ξ', "xi"),
    ('π', "pi"),
    ('ρ', "rho"),
    ('σ', "sigma"),
    ('τ', "tau"),
    ('υ', "upsilon"),
    ('φ', "phi"),
    ('ϕ', "phi"),
    ('χ', "chi"),
    ('ψ', "psi"),
    ('ω', "omega"),
];

/// `θ` → `theta`: the name a formula's lexer reads a Greek letter as.
pub fn greek_name(c: char) -> Option<&'static str> {
    GREEK.iter().find(|(g, _)| *g == c).map(|(_, n)| *n)
}

/// `theta` → `θ`: the letter printed for a name.
pub fn greek_letter(name: &str) -> Option<char> {
    GREEK.iter().find(|(_, n)| *n == name).map(|(g, _)| *g)
}

/// `theta1` → `θ₁`, `eta` → `η`, `w1` → `w₁`: the names as a textbook prints them.
pub fn pretty_name(name: &str) -> String {
    let split = name
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(name.len());
    let (stem, digits) = name.split_at(split);
    if stem.is_empty()
        || !stem.chars().all(|c| c.is_ascii_alphabetic())
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return name.to_string();
    }
    let stem = greek_letter(stem)
        .map(String::from)
        .unwrap_or_else(|| stem.to_string());
    let sub: String = digits
        .chars()
        .map(|c| char::from_u32('₀' as u32 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
        .collect();
    stem + &sub
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_read_as_a_learner_expects() {
        assert_eq!(short(0.15000000000000002), "0.15");
        assert_eq!(short(37.0), "37");
        assert_eq!(short(-1.5), "-1.5");
        assert_eq!(short(2.9000000000000004), "2.9");
        assert_eq!(short(-0.0), "0");
        assert_eq!(short(-1e-12), "-1e-12");
        assert_eq!(short(1.23456789e-7), "1.23457e-7");
        assert_eq!(short(123456.7), "123457");
        assert_eq!(short(1234567.0), "1.23457e6");
        assert_eq!(short(f64::NAN), NOT_A_NUMBER);
        assert_eq!(short(f64::INFINITY), NOT_A_NUMBER);
    }

    /// The switch points of the one rule, as the chart's slope and level labels use it.
    #[test]
    fn few_digits_switch_to_scientific_past_five_integer_digits() {
        assert_eq!(sig(-2.5, 3), "-2.5");
        assert_eq!(sig(6.0, 3), "6");
        assert_eq!(sig(1.0 / 3.0, 3), "0.333");
        assert_eq!(sig(12345.0, 3), "12345");
        assert_eq!(sig(123456.0, 3), "1.23e5");
        assert_eq!(sig(123456.0, 6), "123456");
        assert_eq!(sig(0.0001234, 2), "0.00012");
        assert_eq!(sig(-0.0000123, 2), "-1.2e-5");
        assert_eq!(sig(999999.0, 3), "1e6");
        assert_eq!(sig(f64::NEG_INFINITY, 3), NOT_A_NUMBER);
        assert_eq!(sig(1e20, 17), "1e20");
    }

    #[test]
    fn names_read_like_the_textbook() {
        assert_eq!(pretty_name("theta1"), "θ₁");
        assert_eq!(pretty_name("w12"), "w₁₂");
        assert_eq!(pretty_name("eta"), "η");
        assert_eq!(pretty_name("x"), "x");
        assert_eq!(pretty_name("x1y"), "x1y");
        assert_eq!(pretty_name("beta_2"), "beta_2");
        assert_eq!(pretty_name("epsilon"), "ε");
        assert_eq!(pretty_name("phi2"), "φ₂");
    }

    #[test]
    fn every_greek_name_prints_as_a_letter_that_reads_back_as_it() {
        for (_, name) in GREEK {
            let letter = greek_letter(name).unwrap();
            assert_eq!(greek_name(letter), Some(name));
        }
        assert_eq!(greek_name('ϑ'), Some("theta"));
        assert_eq!(greek_name('x'), None);
    }

    #[test]
    fn exact_numbers_round_trip() {
        for x in [0.15000000000000002, 37.0, -2.5, 1e-7, 1e300, 0.1 + 0.2] {
            let s = exact(x).unwrap();
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
        }
        assert_eq!(exact(37.0).unwrap(), "37");
        assert_eq!(exact(f64::NAN), None);
    }
}
