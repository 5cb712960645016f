//! The Taylor view at 80×24: its numbers panel (real step, prediction, truth, gap, the dial)
//! leaves the page text at least five rows on every page, in both languages, and none of its
//! own rows is cut at the border.

mod tutor;
use crossterm::event::KeyCode;
use gradstep::lesson::{self, Lang};
use gradstep::tui::Open;
use tutor::{code, screen};

/// Rows inside the page panel: from under its top border to its bottom border.
fn page_rows(s: &str) -> usize {
    let rows: Vec<&str> = s.lines().collect();
    rows.iter()
        .skip(2)
        .position(|r| r.starts_with('+'))
        .unwrap_or(0)
}

#[test]
fn the_taylor_pages_keep_five_rows_of_text() {
    let taylor = lesson::load_embedded()
        .lessons
        .into_iter()
        .find(|l| l.id == "taylor")
        .expect("the taylor lesson");
    for lang in [Lang::En, Lang::Zh] {
        let mut a = tutor::app(Open::Lesson("taylor".into()), lang);
        for n in 0..taylor.pages.len() {
            let s = screen(&mut a, 80, 24);
            assert!(
                page_rows(&s) >= 5,
                "taylor p{} {lang}: {} rows\n{s}",
                n + 1,
                page_rows(&s)
            );
            // The numbers panel's hint ends with the key it names, not cut at the border.
            if s.contains("marks −∇L") || s.contains("是 −∇L") {
                assert!(
                    s.contains("g turns v to it") || s.contains("g 让 v 指向它"),
                    "{s}"
                );
            }
            code(&mut a, KeyCode::PageDown);
        }
    }
}
