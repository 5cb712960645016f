//! From TOML text to a [`Lesson`], with every problem reported as `file:line:column: message`.
//! One module per job: [`context`] (places and single values), [`scene`] (one effective
//! scene), [`optimizer`], [`objective`] (formula or model and its data), [`exercise`] and
//! [`claims`] (the `[[check]]` tables).
//!
//! Reading goes on after the first semantic problem, so an author sees all of them at once;
//! a TOML syntax or type error stops the file there, since nothing after it can be trusted.

mod claims;
mod context;
mod exercise;
mod later_answers;
mod objective;
mod optimizer;
mod scene;
mod variant;

use std::ops::Range;

pub use claims::DEFAULT_CLAIM_TOL;
pub use context::Ctx;
pub use exercise::DEFAULT_ANSWER_TOL;

use super::exercise::Answer;
use super::giveaway;
use super::schema::{RawLesson, RawPage, RawText, S};
use super::text::{Text, printable};
use super::{Claim, Lesson, Mask, Page, Problem};
use crate::math::DataError;
use context::toml_message;
use optimizer::check_table_hyper;
use scene::build_scene;

/// Reads a data file named in a lesson (`csv = "..."`), relative to the lesson file, within
/// the data caps.
pub type ReadData<'a> = &'a dyn Fn(&str) -> Result<String, DataError>;

/// Parses and checks one lesson file. `file` names it in messages; its stem must be the
/// lesson's id. Returns the lesson, or every problem found.
pub fn parse(src: &str, file: &str, read_data: ReadData) -> Result<Lesson, Vec<Problem>> {
    let mut ctx = Ctx::new(file, src);
    let raw: RawLesson = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            ctx.at(span, toml_message(&e));
            return Err(ctx.problems);
        }
    };
    let lesson = build_lesson(&mut ctx, &raw, read_data);
    match lesson {
        Some(l) if ctx.problems.is_empty() => Ok(l),
        _ => Err(ctx.problems),
    }
}

/// The id is typed on the command line and must match the file's name.
fn check_id(ctx: &mut Ctx, raw: &RawLesson) -> String {
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        ctx.at(
            raw.id.span(),
            format!("id '{id}' must be lowercase letters, digits and '-' (it is typed on the command line)"),
        );
    }
    let stem = std::path::Path::new(ctx.file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if !stem.is_empty() && stem != id {
        ctx.at(
            raw.id.span(),
            format!("id '{id}' differs from the file name '{stem}.toml'; rename one so `gradstep lesson {id}` finds it"),
        );
    }
    id
}

fn build_lesson(ctx: &mut Ctx, raw: &RawLesson, read_data: ReadData) -> Option<Lesson> {
    let id = check_id(ctx, raw);
    let title = text(ctx, &raw.title, "title");
    let summary = text(ctx, &raw.summary, "summary");
    let mut pages = pages(ctx, raw, read_data);
    later_answers::link(&mut pages);
    summary_keeps_answers(ctx, raw, &pages);
    let mut spent = 0;
    let claims: Vec<Claim> = raw
        .checks
        .iter()
        .filter_map(|c| claims::claim(ctx, c, &pages, &mut spent))
        .collect();
    if raw.checks.is_empty() {
        ctx.at(
            raw.id.span(),
            "a lesson needs at least one [[check]] that proves one of its numbers",
        );
    }
    if pages.len() != raw.pages.len() {
        return None;
    }
    Some(Lesson {
        id,
        order: *raw.order.get_ref(),
        title,
        summary,
        file: ctx.file.to_string(),
        pages,
        claims,
    })
}

/// The title and summary are on the start screen before any question is asked: a number
/// answer written there is read, not worked out (slp-logistic's summary once listed the
/// gradient its second page asks for).
fn summary_keeps_answers(ctx: &mut Ctx, raw: &RawLesson, pages: &[Page]) {
    for (field, what) in [(&raw.title, "title"), (&raw.summary, "summary")] {
        let span = field.span();
        let src = ctx.src.get(span.clone()).unwrap_or("").to_string();
        let stated = pages.iter().enumerate().find_map(|(i, p)| {
            let Some(Answer::Number { value, tol }) = p.exercise.as_ref().map(|e| &e.answer) else {
                return None;
            };
            giveaway::states(&src, *value, *tol).map(|w| (i, w, *value))
        });
        if let Some((i, w, value)) = stated {
            ctx.at(
                span.start + w.start..span.start + w.end,
                format!(
                    "the lesson's {what} states page {}'s answer ('{}' = {}); the start screen shows it before the question is asked",
                    i + 1,
                    w.text(&src),
                    crate::numfmt::short(value)
                ),
            );
        }
    }
}

/// The base scene, then one effective scene per page (the base with every `set` so far).
fn pages(ctx: &mut Ctx, raw: &RawLesson, read_data: ReadData) -> Vec<Page> {
    let base = raw.scene.get_ref().clone();
    check_table_hyper(ctx, &base);
    let mut current = build_scene(ctx, &base, raw.scene.span(), read_data);
    if raw.pages.is_empty() {
        ctx.at(
            raw.scene.span(),
            "a lesson needs at least one page: add [[page]] with zh = \"...\" and en = \"...\"",
        );
    }
    let mut merged = base;
    let mut pages = Vec::new();
    let mut ids = Vec::new();
    for (i, page) in raw.pages.iter().enumerate() {
        let p = page.get_ref();
        let what = format!("page {}", i + 1);
        let t = text_fields(ctx, page.span(), &p.zh, &p.en, &what);
        let mut changed = i == 0;
        if let Some(set) = &p.set {
            check_table_hyper(ctx, set.get_ref());
            merged = merged.overlay(set.get_ref());
            current = build_scene(ctx, &merged, set.span(), read_data);
            changed = true;
        }
        let continues = continues(ctx, i, p);
        let hide = p.hide.as_ref().map_or(Mask::default(), |h| {
            exercise::asks_list(ctx, h, &what, "hide")
                .iter()
                .fold(Mask::default(), |m, a| m.union(a.mask()))
        });
        let mut exercise = p
            .exercise
            .as_ref()
            .and_then(|e| exercise::exercise(ctx, e, &what, p, current.as_ref()));
        let (exercise_id, vary) = match (&p.exercise, &mut exercise) {
            (Some(e), Some(ex)) => {
                let (id, vary) = variant::attach(ctx, e, i, p, current.as_ref(), ex, &mut ids);
                (Some(id), vary)
            }
            _ => (None, None),
        };
        if let Some(scene) = &current {
            pages.push(Page {
                text: t,
                scene: scene.clone(),
                scene_changed: changed,
                continues,
                exercise,
                hide,
                later: vec![],
                exercise_id,
                vary,
            });
        }
    }
    pages
}

/// Whether a page keeps the previous page's run. Only a page that shows the same scene can:
/// the first page has no run before it, and a page with `set` shows another scene.
fn continues(ctx: &mut Ctx, i: usize, p: &RawPage) -> bool {
    let Some(c) = &p.continues else {
        return false;
    };
    if !*c.get_ref() {
        return false;
    }
    let what = format!("page {}", i + 1);
    if i == 0 {
        ctx.at(
            c.span(),
            format!(
                "{what}: `continue = true` on the first page: there is no run before it to continue"
            ),
        );
        return false;
    }
    if p.set.is_some() {
        ctx.at(
            c.span(),
            format!("{what}: `continue = true` with `set`: a page that changes the scene opens a new run, so drop one of them"),
        );
        return false;
    }
    true
}

pub(super) fn text(ctx: &mut Ctx, t: &S<RawText>, what: &str) -> Text {
    let r = t.get_ref();
    text_fields(ctx, t.span(), &r.zh, &r.en, what)
}

/// Both translations must be there and not blank.
pub(super) fn text_fields(
    ctx: &mut Ctx,
    span: Range<usize>,
    zh: &Option<S<String>>,
    en: &Option<S<String>>,
    what: &str,
) -> Text {
    let mut get = |v: &Option<S<String>>, key: &str, lang: &str| match v {
        None => {
            ctx.at(
                span.clone(),
                format!("{what}: the {lang} text ({key} = \"...\") is missing"),
            );
            String::new()
        }
        Some(s) if s.get_ref().trim().is_empty() => {
            ctx.at(
                s.span(),
                format!("{what}: the {lang} text ({key}) is empty"),
            );
            String::new()
        }
        // Stored without control sequences: every output path prints lesson text as is.
        Some(s) => printable(s.get_ref().trim_end()).into_owned(),
    };
    let zh = get(zh, "zh", "Chinese");
    let en = get(en, "en", "English");
    Text { zh, en }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id = \"x\"\norder = 1\ntitle = { zh = \"甲\", en = \"A\" }\nsummary = { zh = \"乙\", en = \"B\" }\n[scene]\nview = \"slope\"\nformula = \"x^2\"\nstart = [1]\n[[page]]\nzh = \"一\"\nen = \"one\"\n[[page]]\nzh = \"二\"\nen = \"two\"\nset = { lr = 0.5 }\n[[check]]\nat = 1\nparams = [0.8]\n";

    fn no_files(_: &str) -> Result<String, DataError> {
        Err(DataError::Unreadable("none".into()))
    }

    #[test]
    fn continue_is_refused_where_there_is_no_run_to_continue() {
        let first = GOOD.replacen("[[page]]\n", "[[page]]\ncontinue = true\n", 1);
        let e = parse(&first, "x.toml", &no_files).unwrap_err()[0].to_string();
        assert!(
            e.contains("page 1: `continue = true` on the first page"),
            "{e}"
        );
        let with_set = GOOD.replace("set = { lr = 0.5 }", "set = { lr = 0.5 }\ncontinue = true");
        let e = parse(&with_set, "x.toml", &no_files).unwrap_err()[0].to_string();
        assert!(e.contains("page 2: `continue = true` with `set`"), "{e}");
        let fine = GOOD.replace("set = { lr = 0.5 }\n", "continue = true\n");
        let l = parse(&fine, "x.toml", &no_files).unwrap();
        assert!(!l.pages[0].continues && l.pages[1].continues);
    }

    #[test]
    fn a_summary_that_states_an_answer_is_refused_where_it_says_it() {
        let src = GOOD
            .replace("summary = { zh = \"乙\", en = \"B\" }", "summary = { zh = \"乙\", en = \"the slope is 2\" }")
            .replace(
                "zh = \"一\"\nen = \"one\"\n",
                "zh = \"一\"\nen = \"one\"\n[page.exercise]\nprompt = { zh = \"问\", en = \"slope?\" }\nanswer = 2\nexplain = { zh = \"因\", en = \"2x at 1\" }\n",
            );
        let problems = parse(&src, "x.toml", &no_files).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(
            text[0]
                .starts_with("x.toml:4:42: the lesson's summary states page 1's answer ('2' = 2)"),
            "{text:?}"
        );
    }

    #[test]
    fn pages_carry_their_effective_scene() {
        let l = parse(GOOD, "x.toml", &no_files).unwrap();
        assert_eq!((l.pages.len(), l.claims.len()), (2, 1));
        assert_eq!((l.pages[0].scene.lr, l.pages[1].scene.lr), (0.1, 0.5));
        assert!(l.pages[0].scene_changed && l.pages[1].scene_changed);
    }

    #[test]
    fn the_id_must_match_the_file_and_every_problem_is_reported() {
        let src = GOOD
            .replace("en = \"two\"\n", "")
            .replace("at = 1", "at = -1");
        let problems = parse(&src, "y.toml", &no_files).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(text[0].starts_with("y.toml:1:6: id 'x' differs from the file name 'y.toml'"));
        assert!(
            text.iter().any(|t| t.contains("page 2: the English text")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("at must be at least 0")),
            "{text:?}"
        );
    }

    #[test]
    fn a_syntax_error_stops_at_its_place() {
        let problems = parse("id = = 1", "x.toml", &no_files).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().starts_with("x.toml:1:"));
    }
}
