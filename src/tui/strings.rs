//! The tutor's own words, in both languages. Lesson text lives in the lesson files.

use crate::lesson::Lang;

/// Picks the English or Chinese form.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        _ => en,
    }
}

/// `theta1` → `θ₁`, `eta` → `η`, `w1` → `w₁`: the names as a textbook prints them.
pub fn pretty_name(name: &str) -> String {
    const GREEK: [(&str, &str); 23] = [
        ("alpha", "α"),
        ("beta", "β"),
        ("gamma", "γ"),
        ("delta", "δ"),
        ("epsilon", "ε"),
        ("zeta", "ζ"),
        ("eta", "η"),
        ("theta", "θ"),
        ("iota", "ι"),
        ("kappa", "κ"),
        ("lambda", "λ"),
        ("mu", "μ"),
        ("nu", "ν"),
        ("xi", "ξ"),
        ("rho", "ρ"),
        ("sigma", "σ"),
        ("tau", "τ"),
        ("upsilon", "υ"),
        ("phi", "φ"),
        ("chi", "χ"),
        ("psi", "ψ"),
        ("omega", "ω"),
        ("pi", "π"),
    ];
    let split = name.find(|c: char| c.is_ascii_digit()).unwrap_or(name.len());
    let (stem, digits) = name.split_at(split);
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return name.to_string();
    }
    let stem = GREEK
        .iter()
        .find(|(n, _)| *n == stem)
        .map(|(_, g)| g.to_string())
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
    fn names_read_like_the_textbook() {
        assert_eq!(pretty_name("theta1"), "θ₁");
        assert_eq!(pretty_name("w12"), "w₁₂");
        assert_eq!(pretty_name("eta"), "η");
        assert_eq!(pretty_name("x"), "x");
        assert_eq!(pretty_name("x1y"), "x1y");
        assert_eq!(pretty_name("beta_2"), "beta_2");
    }
}
