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
