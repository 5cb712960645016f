//! Questions the learner asks for in the sandbox, on their own formula: "type ∂L/∂x". They
//! are graded exactly like a lesson's derivative exercise, over the window on screen, so
//! practice on any formula the learner can think of gets the same verdicts and hints.

use crate::lesson::derivative::Target;
use crate::lesson::{Answer, Asks, Exercise, Text};
use crate::math::Objective;
use crate::math::symbolic;
use crate::numfmt::pretty_name;
use crate::stage::Stage;

/// The seed of the sandbox quiz's random points.
const SEED: u64 = 6;

/// "Type ∂L/∂(variable `var` mod n)" on the formula on stage, or why it cannot be asked.
pub fn derivative(stage: &Stage, var: usize) -> Result<Exercise, Text> {
    let Objective::Formula(f) = &stage.scene.objective else {
        return Err(Text::new(
            "这里的损失来自模型，没有公式可求导",
            "this loss comes from a model: there is no formula to differentiate",
        ));
    };
    let n = f.vars().len();
    if n == 0 {
        return Err(Text::new("公式里没有变量", "the formula has no variable"));
    }
    let var = var % n;
    let here = &stage.main().current().params;
    let axes = stage.axes();
    let bounds: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let w = stage.window.as_ref();
            let on_screen = match (axes, w) {
                (Some((a, _)), Some(w)) if a == i => Some((w.x0, w.x1)),
                (Some((_, b)), Some(w)) if b == i => Some((w.y0, w.y1)),
                (None, Some(w)) if i == 0 => Some((w.x0, w.x1)),
                _ => None,
            };
            let c = here
                .get(i)
                .copied()
                .filter(|v| v.is_finite())
                .unwrap_or(0.0);
            on_screen
                .filter(|(a, b)| a.is_finite() && b.is_finite() && a < b)
                .unwrap_or((c - 3.0, c + 3.0))
        })
        .collect();
    let target = Target::new(f.clone(), var, &bounds, "L", SEED).map_err(|why| {
        let w = why.words();
        Text::new(
            format!("没法出这道题：{}", w.get(crate::lesson::Lang::Zh)),
            format!(
                "no quiz on this formula: {}",
                w.get(crate::lesson::Lang::En)
            ),
        )
    })?;
    let label = target.label();
    let others = if n > 1 { " (d: next variable)" } else { "" };
    let others_zh = if n > 1 {
        "（d：换下一个变量）"
    } else {
        ""
    };
    // The reveal shows every partial, the way `gradstep diff` prints them.
    let explain = match symbolic::partials(f) {
        Ok(p) => {
            let rows: Vec<String> = p
                .vars
                .iter()
                .zip(&p.partials)
                .map(|(v, d)| {
                    if n == 1 {
                        format!("L′({}) = {d}", pretty_name(v))
                    } else {
                        format!("∂L/∂{} = {d}", pretty_name(v))
                    }
                })
                .collect();
            let all = rows.join("; ");
            Text::new(all.clone(), all)
        }
        Err(e) => Text::new(
            format!("写不出公式形式的导数（{e}），但判分用的是精确导数"),
            format!(
                "the derivative cannot be written as a formula ({e}); grading used the exact one"
            ),
        ),
    };
    Ok(Exercise {
        prompt: Text::new(
            format!("写出 {label}（输入公式）{others_zh}"),
            format!("type {label} as a formula{others}"),
        ),
        answer: Answer::Derivative(Box::new(target)),
        asks: Asks::Nothing,
        also: vec![],
        hint: Some(Text::new(
            "逐项求导；其他变量当常数",
            "differentiate term by term, holding the other variables fixed",
        )),
        explain,
    })
}
