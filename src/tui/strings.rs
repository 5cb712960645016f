//! The tutor's own words, in both languages. Lesson text lives in the lesson files.

use crate::lesson::Lang;

/// Picks the English or Chinese form.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        _ => en,
    }
}
