//! What a scene descends: a formula (with the column of a mistake placed inside the TOML
//! string), or a model on inline rows or a CSV file next to the lesson.

use std::ops::Range;

use super::ReadData;
use super::context::{Ctx, count};
use crate::lesson::schema::{RawScene, S};
use crate::math::data::{DataError, Dataset, Limits};
use crate::math::model::{Model, ModelError, ModelKind};
use crate::math::objective::check_var_count;
use crate::math::{Formula, Objective, check_descent};

/// A lesson's inline rows, as the schema holds them.
type Rows = S<Vec<S<Vec<f64>>>>;

pub(super) fn objective(
    ctx: &mut Ctx,
    s: &RawScene,
    span: Range<usize>,
    read_data: ReadData,
) -> Option<Objective> {
    match (&s.formula, &s.model) {
        (Some(_), Some(m)) => {
            ctx.at(m.span(), "give either formula or model, not both");
            None
        }
        (None, None) => {
            ctx.at(
                span,
                "the scene needs formula = \"...\" (e.g. \"x^2 + y^2\") or model = \"logistic\" | \"linear\"",
            );
            None
        }
        (Some(f), None) => formula_objective(ctx, s, f).map(Objective::Formula),
        (None, Some(m)) => model_objective(ctx, s, m, read_data).map(Objective::Model),
    }
}

fn formula_objective(ctx: &mut Ctx, s: &RawScene, f: &S<String>) -> Option<Formula> {
    for (key, sp) in [
        ("rows", s.rows.as_ref().map(|v| v.span())),
        ("csv", s.csv.as_ref().map(|v| v.span())),
        ("batch_size", s.batch_size.as_ref().map(|v| v.span())),
        ("shuffle", s.shuffle.as_ref().map(|v| v.span())),
    ] {
        if let Some(sp) = sp {
            ctx.at(sp, format!("{key} goes with model, not formula"));
        }
    }
    let src = f.get_ref();
    let parsed = match &s.vars {
        Some(vars) => {
            if let Err(e) = check_var_count(vars.get_ref().len()) {
                ctx.at(vars.span(), format!("vars: {e}"));
                return None;
            }
            let names: Vec<&str> = vars
                .get_ref()
                .iter()
                .map(|v| v.get_ref().as_str())
                .collect();
            Formula::parse_with_vars(src, &names)
        }
        None => Formula::parse(src),
    };
    match parsed {
        Ok(formula) => match check_descent(&formula) {
            Ok(()) => Some(formula),
            Err(e) => {
                ctx.at(f.span(), e.to_string());
                None
            }
        },
        Err(e) => {
            let offset = formula_offset(ctx, f, e.column);
            let at = match (&s.vars, e.column) {
                (Some(v), None) if e.message.contains("variable") => v.span().start,
                _ => offset,
            };
            ctx.at(at..at, format!("formula: {}", e.message));
            None
        }
    }
}

fn model_objective(
    ctx: &mut Ctx,
    s: &RawScene,
    m: &S<String>,
    read_data: ReadData,
) -> Option<Model> {
    let kind: ModelKind = match m.get_ref().parse() {
        Ok(k) => k,
        Err(e) => {
            ctx.at(m.span(), e);
            return None;
        }
    };
    if let Some(v) = &s.vars {
        ctx.at(
            v.span(),
            "vars goes with formula; a model's parameters are w1..wn, b",
        );
    }
    let data = model_data(ctx, s, m, read_data)?;
    let batch = match &s.batch_size {
        Some(b) => Some(count(ctx, b, "batch_size", 1)?),
        None => None,
    };
    let shuffle = match &s.shuffle {
        Some(v) => Some(count(ctx, v, "shuffle (a seed)", 0)? as u64),
        None => None,
    };
    let data_span = s
        .rows
        .as_ref()
        .map(|r| r.span())
        .or_else(|| s.csv.as_ref().map(|c| c.span()))
        .unwrap_or(m.span());
    let source = data.source.clone();
    let e = match Model::new(kind, data, batch, shuffle) {
        Ok(model) => return Some(model),
        Err(e) => e,
    };
    let (span, msg) = match (e, &s.rows) {
        (ModelError::BatchSizeZero, _) => (
            s.batch_size.as_ref().map_or(data_span, |b| b.span()),
            "batch_size must be at least 1".to_string(),
        ),
        (ModelError::NotBinary { line, .. }, Some(rows)) => (
            row_span(rows, line).unwrap_or(data_span),
            format!("row {line}: {e}"),
        ),
        (ModelError::NotBinary { line, .. }, None) => (data_span, format!("{source}:{line}: {e}")),
        (ModelError::NoExamples, _) => (data_span, e.to_string()),
    };
    ctx.at(span, msg);
    None
}

/// The model's data: inline `rows` or a `csv` file read (with the data caps) by `read_data`.
fn model_data(ctx: &mut Ctx, s: &RawScene, m: &S<String>, read_data: ReadData) -> Option<Dataset> {
    match (&s.rows, &s.csv) {
        (Some(r), Some(_)) => {
            ctx.at(r.span(), "give rows or csv, not both");
            None
        }
        (None, None) => {
            ctx.at(
                m.span(),
                "a model needs data: rows = [[3, 2, 1]] (features, then the label) or csv = \"file.csv\"",
            );
            None
        }
        (Some(r), None) => rows_dataset(ctx, r),
        (None, Some(c)) => {
            let name = c.get_ref();
            let read = read_data(name)
                .and_then(|text| Dataset::from_csv_str(&text, name, Limits::default()));
            match read {
                Ok(d) => Some(d),
                Err(e) => {
                    ctx.at(c.span(), e.in_file(name));
                    None
                }
            }
        }
    }
}

/// The byte offset of a formula error's column inside the TOML string. Exact when the string
/// has no escapes (the usual case); otherwise the start of the string.
fn formula_offset(ctx: &Ctx, f: &S<String>, column: Option<usize>) -> usize {
    let span = f.span();
    let content = ctx.string_content_start(&span);
    let Some(col) = column else { return span.start };
    let text = f.get_ref();
    let raw_matches = ctx
        .src
        .get(content..content + text.len())
        .is_some_and(|raw| raw == text);
    if !raw_matches {
        return span.start;
    }
    let within = text
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    content + within
}

/// The span of a lesson's `rows` entry number `line` (1-based).
fn row_span(rows: &Rows, line: u64) -> Option<Range<usize>> {
    let i = usize::try_from(line).ok()?.checked_sub(1)?;
    rows.get_ref().get(i).map(|r| r.span())
}

fn rows_dataset(ctx: &mut Ctx, rows: &Rows) -> Option<Dataset> {
    let list: Vec<Vec<f64>> = rows.get_ref().iter().map(|r| r.get_ref().clone()).collect();
    match Dataset::from_rows(&list, Limits::default()) {
        Ok(d) => Some(d),
        Err(e) => {
            let span = e
                .line()
                .and_then(|l| row_span(rows, l))
                .unwrap_or(rows.span());
            let msg = match e {
                DataError::NoRows => "rows is empty: give at least one example".to_string(),
                DataError::TooFewColumns { .. } => {
                    "a row needs at least one feature and the label, e.g. [3, 2, 1]".to_string()
                }
                DataError::Ragged { got, want, .. } => {
                    format!("this row has {got} numbers but the first has {want}")
                }
                DataError::NotANumber { .. } => "rows must hold finite numbers".to_string(),
                other => format!("rows: {other}"),
            };
            ctx.at(span, msg);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(name: &str) -> Result<String, DataError> {
        Err(DataError::Unreadable(format!("no file {name}")))
    }

    fn scene_with(src: &str) -> (Ctx<'_>, RawScene) {
        let scene: RawScene = toml::from_str(src).unwrap();
        (Ctx::new("f.toml", src), scene)
    }

    #[test]
    fn a_formula_without_variables_is_refused_at_the_formula() {
        let src = "formula = \"2 + 3\"\n";
        let (mut ctx, s) = scene_with(src);
        assert_eq!(objective(&mut ctx, &s, 0..0, &no_files), None);
        assert_eq!(
            ctx.problems[0].to_string(),
            "f.toml:1:11: the formula has no variables to descend on (e.g. x^2 + y^2)"
        );
    }

    #[test]
    fn a_formula_mistake_points_inside_the_string() {
        let src = "formula = \"x + 2y\"\n";
        let (mut ctx, s) = scene_with(src);
        assert_eq!(objective(&mut ctx, &s, 0..0, &no_files), None);
        let p = ctx.problems[0].place.unwrap();
        assert_eq!((p.line, p.column), (1, 17));
    }

    #[test]
    fn a_bad_label_points_at_its_row() {
        let src = "model = \"logistic\"\nrows = [\n  [1, 0],\n  [2, 5],\n]\n";
        let (mut ctx, s) = scene_with(src);
        assert_eq!(objective(&mut ctx, &s, 0..0, &no_files), None);
        assert_eq!(
            ctx.problems[0].to_string(),
            "f.toml:4:3: row 2: the label is 5, but logistic regression needs 0 or 1"
        );
    }

    #[test]
    fn csv_problems_name_the_data_file_and_line() {
        let src = "model = \"linear\"\ncsv = \"d.csv\"\n";
        let (mut ctx, s) = scene_with(src);
        let read = |_: &str| Ok("1,2\n3,x\n".to_string());
        assert_eq!(objective(&mut ctx, &s, 0..0, &read), None);
        assert_eq!(
            ctx.problems[0].to_string(),
            "f.toml:2:7: d.csv:2: column 2: 'x' is not a finite number"
        );
        let (mut ctx, s) = scene_with(src);
        assert_eq!(objective(&mut ctx, &s, 0..0, &no_files), None);
        assert!(ctx.problems[0].message.starts_with("cannot read d.csv"));
    }
}
