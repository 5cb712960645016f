//! Every mark on the chart is explained: the `?` help of the tutor lists each chart symbol as
//! drawn (ASCII or Unicode) with what it means, in English and in Chinese.

mod tutor;
use crossterm::event::KeyCode;
use gradstep::chart::{Glyphs, Words, symbols};
use gradstep::lesson::Lang;
use gradstep::stage::SandboxSpec;
use gradstep::tui::Open;
use tutor::{code, key, screen};

/// Everything the help shows while scrolling it to its end.
fn whole_help(lang: Lang, unicode: bool) -> String {
    let mut a = tutor::app(Open::Sandbox(SandboxSpec::default()), lang);
    if unicode {
        key(&mut a, 'a');
    }
    key(&mut a, '?');
    let mut seen = screen(&mut a, 100, 30);
    for _ in 0..40 {
        code(&mut a, KeyCode::Down);
        seen.push_str(&screen(&mut a, 100, 30));
    }
    seen
}

#[test]
fn the_help_explains_every_chart_symbol_in_both_languages() {
    for (lang, words) in [(Lang::En, &Words::EN), (Lang::Zh, &Words::ZH)] {
        for (unicode, glyphs) in [(false, Glyphs::Ascii), (true, Glyphs::Unicode)] {
            let help = whole_help(lang, unicode);
            let list = symbols(glyphs, words);
            assert_eq!(list.len(), 8);
            for (mark, what) in list {
                assert!(
                    help.lines().any(|l| l.contains(&mark) && l.contains(what)),
                    "{lang} {glyphs:?}: {mark} {what} missing\n{help}"
                );
            }
        }
    }
}

#[test]
fn the_symbol_list_names_what_the_chart_draws() {
    let en = symbols(Glyphs::Ascii, &Words::EN);
    let marks: Vec<&str> = en.iter().map(|(m, _)| m.as_str()).collect();
    // The current point, the step markers, the race marks as the chart draws them.
    assert_eq!(marks[0], "@");
    assert!(marks[1].starts_with('0') && marks[1].ends_with('+'));
    assert_eq!(marks[7], "o#%&$");
    let zh = symbols(Glyphs::Unicode, &Words::ZH);
    assert_eq!(zh[0].0, "●");
    assert!(zh.iter().all(|(_, w)| !w.is_ascii()), "{zh:?}");
}

mod marks {
    use gradstep::chart::{ContourSpec, Glyphs, Levels, Tag, Window, contour};

    fn bowl(x: f64, y: f64) -> f64 {
        x * x + 3.0 * y * y
    }

    /// Cells holding a step marker, as (column, row).
    fn markers(c: &gradstep::chart::Canvas) -> Vec<(i32, i32, char)> {
        let mut out = Vec::new();
        for y in 0..c.height() as i32 {
            for x in 0..c.width() as i32 {
                if let Some(cell) = c.get(x, y)
                    && cell.tag == Tag::Marker
                {
                    out.push((x, y, cell.ch));
                }
            }
        }
        out
    }

    #[test]
    fn step_labels_never_touch_on_a_row() {
        // Thirty small steps along a row: their cells are neighbours, so unthinned markers
        // would read as one long number.
        let path: Vec<(f64, f64)> = (0..30).map(|k| (-4.0 + 0.12 * k as f64, 0.5)).collect();
        let spec = ContourSpec {
            f: &bowl,
            window: Window::new(-5.0, 5.0, -5.0, 5.0),
            levels: Levels::Auto(5),
            path: &path,
            next: None,
            others: &[],
            x_label: "x",
            y_label: "y",
            glyphs: Glyphs::Ascii,
        };
        let c = contour(&spec, 60, 20);
        let m = markers(&c);
        assert!(
            m.iter().any(|&(_, _, ch)| ch == '0'),
            "the start keeps its 0"
        );
        assert!(m.len() >= 5, "{m:?}\n{}", c.to_text());
        for a in &m {
            for b in &m {
                if a != b && a.1 == b.1 {
                    assert!(
                        (a.0 - b.0).abs() > 1,
                        "{a:?} touches {b:?}\n{}",
                        c.to_text()
                    );
                }
            }
        }
    }

    #[test]
    fn a_racer_off_the_window_keeps_its_mark_on_the_border() {
        let main = [(1.0, 1.0), (0.5, 0.5)];
        // η = 0.9 on a steep bowl: the racer jumps far past the right edge.
        let racer = [(1.0, 1.0), (-2.0, 0.5), (40.0, 0.2)];
        let others: [(&[(f64, f64)], char); 1] = [(&racer, '#')];
        let spec = ContourSpec {
            f: &bowl,
            window: Window::new(-3.0, 3.0, -3.0, 3.0),
            levels: Levels::Auto(5),
            path: &main,
            next: None,
            others: &others,
            x_label: "x",
            y_label: "y",
            glyphs: Glyphs::Ascii,
        };
        let c = contour(&spec, 60, 20);
        let right: Vec<char> = (0..c.height() as i32)
            .filter_map(|y| c.get(c.width() as i32 - 1, y))
            .filter(|cell| matches!(cell.tag, Tag::Series(0)))
            .map(|cell| cell.ch)
            .collect();
        assert_eq!(right, vec!['#'], "\n{}", c.to_text());
    }

    #[test]
    fn a_later_racers_trail_never_hides_an_earlier_racers_point() {
        // learning-rate p6: η = 0.9 lands on (−0.8, −0.8) and η = 1.1's trail from (1, 1) to
        // (−1.2, −1.2) runs through that very cell; the 'o' must stay on the chart.
        let main = [(1.0, 1.0), (0.8, 0.8)];
        let slow = [(1.0, 1.0), (-0.8, -0.8)];
        let wild = [(1.0, 1.0), (-1.2, -1.2)];
        let others: [(&[(f64, f64)], char); 2] = [(&slow, 'o'), (&wild, '#')];
        let spec = ContourSpec {
            f: &bowl,
            window: Window::new(-1.5, 1.5, -1.5, 1.5),
            levels: Levels::Auto(5),
            path: &main,
            next: None,
            others: &others,
            x_label: "x",
            y_label: "y",
            glyphs: Glyphs::Ascii,
        };
        let c = contour(&spec, 44, 20);
        let marks = |k: u8, ch: char| {
            (0..c.height() as i32)
                .flat_map(|y| (0..c.width() as i32).map(move |x| (x, y)))
                .filter(|&(x, y)| {
                    c.get(x, y)
                        .is_some_and(|cell| cell.tag == Tag::Series(k) && cell.ch == ch)
                })
                .count()
        };
        // Both racers' start (1, 1) is under the main run's mark; each one's step shows.
        assert_eq!(marks(0, 'o'), 1, "\n{}", c.to_text());
        assert_eq!(marks(1, '#'), 1, "\n{}", c.to_text());
    }
}
