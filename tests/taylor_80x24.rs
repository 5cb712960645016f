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

/// The race table's numbers are never cut: on every race page at 80×24, after a few steps,
/// each run's ‖∇L‖ appears whole on its row; a name too long gives way with a visible `…`.
#[test]
fn race_rows_keep_their_numbers_whole() {
    use gradstep::tui::app::Screen;
    let mut checked = 0;
    for l in lesson::load_embedded().lessons {
        for lang in [Lang::En, Lang::Zh] {
            let mut a = tutor::app(Open::Lesson(l.id.clone()), lang);
            for n in 0..l.pages.len() {
                for _ in 0..4 {
                    tutor::key(&mut a, 'n');
                }
                let s = screen(&mut a, 80, 24);
                let Screen::Tutor(t) = &a.screen else {
                    panic!("not in the tutor")
                };
                if t.stage.runners.len() > 1 {
                    for (k, r) in t.stage.runners.iter().enumerate().skip(1) {
                        let g = gradstep::numfmt::sig(t.stage.full_grad_norm(k), 4);
                        let mark = gradstep::stage::RACE_MARKS[(k - 1) % 5];
                        // A panel too short for the table shows only its first rows.
                        let Some(row) = s.lines().find(|row| row.starts_with(&format!("|{mark} ")))
                        else {
                            continue;
                        };
                        checked += 1;
                        assert!(
                            row.contains(&format!(" {g}")),
                            "{} p{} {lang}: {} shows ‖∇L‖ {g} cut\n{s}",
                            l.id,
                            n + 1,
                            r.label
                        );
                    }
                }
                code(&mut a, KeyCode::PageDown);
            }
        }
    }
    assert!(checked >= 10, "only {checked} race rows on screen");
}

/// batch p4 at 80×24 after a few steps: the numbers panel is too short for every row and the
/// race table; the table keeps all its rows and numbers (the main run's J and ‖∇J‖ are its
/// first row), and θ, ∇J and θ next are still there.
#[test]
fn the_batch_race_table_fits_at_80x24() {
    use gradstep::tui::app::Screen;
    for lang in [Lang::En, Lang::Zh] {
        let mut a = tutor::app(Open::Lesson("batch-minibatch".into()), lang);
        for _ in 0..3 {
            code(&mut a, KeyCode::PageDown);
        }
        tutor::key(&mut a, 'w');
        for _ in 0..5 {
            tutor::key(&mut a, 'n');
        }
        let s = screen(&mut a, 80, 24);
        let Screen::Tutor(t) = &a.screen else {
            panic!("not in the tutor")
        };
        assert_eq!(t.stage.runners.len(), 3);
        for (k, r) in t.stage.runners.iter().enumerate() {
            let mark = if k == 0 {
                '@'
            } else {
                gradstep::stage::RACE_MARKS[k - 1]
            };
            let c = r.run.current();
            let j = gradstep::numfmt::sig(c.value, 4);
            let g = gradstep::numfmt::sig(t.stage.full_grad_norm(k), 4);
            let row = s
                .lines()
                .find(|row| row.starts_with(&format!("|{mark} ")))
                .unwrap_or_else(|| panic!("{lang}: no row for {}\n{s}", r.label));
            assert!(
                row.contains(&format!(" {j} ")) && row.contains(&format!(" {g}")),
                "{lang}: {} shows J {j}, ‖∇J‖ {g} cut\n{s}",
                r.label
            );
        }
        let next = match lang {
            Lang::En => "|θ next ",
            Lang::Zh => "|下一点 θ",
        };
        for row in ["|θ  ", "|∇J(θ) (", "|Δθ = −η∇J", next] {
            assert!(
                s.lines().any(|l| l.starts_with(row)),
                "{lang}: no {row}\n{s}"
            );
        }
    }
}
