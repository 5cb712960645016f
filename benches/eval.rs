//! Evaluating a formula over a chart grid (160×48): the compiled program (point by point, and
//! row by row as the chart fills its grid) against meval's own `bind2` closure, which looks
//! every name up on every call. Two formulas: the lessons' bowl (cheap arithmetic, where the
//! interpreter's overhead is everything) and one with transcendental functions (where sin/exp
//! themselves take a good part of the time).

use criterion::{Criterion, criterion_group, criterion_main};
use gradstep::math::Formula;
use std::hint::black_box;

const FORMULAS: [(&str, &str); 2] = [
    ("bowl", "x^2 + x*y + y^2"),
    ("trig", "x^2 + x*y + y^2 + sin(x)*exp(-y^2/4)"),
];
const W: usize = 160;
const H: usize = 48;

fn grid(c: &mut Criterion) {
    let xs: Vec<f64> = (0..W)
        .map(|i| -5.0 + 10.0 * i as f64 / (W - 1) as f64)
        .collect();
    let ys: Vec<f64> = (0..H)
        .map(|j| -5.0 + 10.0 * j as f64 / (H - 1) as f64)
        .collect();

    for (name, src) in FORMULAS {
        let f = Formula::parse_with_vars(src, &["x", "y"]).unwrap();
        c.bench_function(&format!("{name}: grid 160x48 compiled, row batches"), |b| {
            b.iter(|| f.grid(&[0.0, 0.0], 0, 1, black_box(&xs), &ys))
        });
        c.bench_function(
            &format!("{name}: grid 160x48 compiled, point by point"),
            |b| {
                b.iter(|| {
                    let mut out = Vec::with_capacity(W * H);
                    for &y in &ys {
                        for &x in &xs {
                            out.push(f.value(&[black_box(x), y]));
                        }
                    }
                    out
                })
            },
        );
        let expr: meval::Expr = src.parse().unwrap();
        let g = expr.bind2("x", "y").unwrap();
        c.bench_function(&format!("{name}: grid 160x48 meval bind2"), |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(W * H);
                for &y in &ys {
                    for &x in &xs {
                        out.push(g(black_box(x), y));
                    }
                }
                out
            })
        });
    }

    // What the tutor pays per key while a formula is typed: one lexer pass straight into
    // meval's tokens, shunting-yard, compile.
    c.bench_function("parse (live validation of one edit)", |b| {
        b.iter(|| Formula::parse(black_box(FORMULAS[1].1)))
    });

    let f = Formula::parse(FORMULAS[1].1).unwrap();
    c.bench_function("gradient (dual numbers)", |b| {
        b.iter(|| f.gradient(black_box(&[1.5, -0.5])))
    });
}

criterion_group!(benches, grid);
criterion_main!(benches);
