//! Whatever the window, size, path or function, the charts draw something and never panic.

use gradstep::chart::{
    ContourSpec, CurveSpec, FitOptions, Glyphs, HistorySpec, Levels, Theme, Window, contour, curve,
    fit, history, keep_or_refit,
};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..10.0f64,
        1 => proptest::num::f64::ANY,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => -1e300..1e300f64,
    ]
}

fn point() -> impl Strategy<Value = (f64, f64)> {
    (any_f64(), any_f64())
}

/// A few kinds of loss: bowl, saddle, constant, NaN, discontinuous, huge.
fn loss(kind: u8) -> impl Fn(f64, f64) -> f64 {
    move |x: f64, y: f64| match kind % 6 {
        0 => x * x + x * y + y * y,
        1 => x * x - y * y,
        2 => 3.0,
        3 => f64::NAN,
        4 => (x * 3.0).floor() + if y > 0.0 { 1.0 / y } else { f64::NEG_INFINITY },
        _ => (x * 50.0).exp() * 1e300,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn contour_never_panics(
        w in 0u16..200, h in 0u16..80,
        win in (any_f64(), any_f64(), any_f64(), any_f64()),
        path in proptest::collection::vec(point(), 0..40),
        next in proptest::option::of(point()),
        kind in 0u8..6, n in 0usize..40, unicode in any::<bool>(),
    ) {
        let f = loss(kind);
        let spec = ContourSpec {
            f: &f,
            window: Window::new(win.0, win.1, win.2, win.3),
            levels: if n % 5 == 4 { Levels::Explicit(vec![win.0, 1.0, 2.0]) } else { Levels::Auto(n) },
            path: &path,
            next,
            others: &[(&path, '*')],
            x_label: "w1",
            y_label: "θ₂",
            glyphs: if unicode { Glyphs::Unicode } else { Glyphs::Ascii },
        };
        let c = contour(&spec, w, h);
        prop_assert_eq!(c.to_lines().len(), h as usize);
        let mut buf = Buffer::empty(Rect::new(0, 0, 40, 20));
        c.render(Rect::new(3, 2, w, h), &mut buf, &Theme::color());
    }

    #[test]
    fn curve_and_history_never_panic(
        w in 0u16..200, h in 0u16..80,
        x0 in any_f64(), x1 in any_f64(),
        pts in proptest::collection::vec(any_f64(), 0..30),
        cur in proptest::option::of((any_f64(), any_f64(), any_f64())),
        next in proptest::option::of(any_f64()),
        kind in 0u8..6, log_y in any::<bool>(), unicode in any::<bool>(),
    ) {
        let g = loss(kind);
        let f = |x: f64| g(x, 0.5);
        let glyphs = if unicode { Glyphs::Unicode } else { Glyphs::Ascii };
        let spec = CurveSpec {
            f: &f, x0, x1, points: &pts, current: cur, next,
            x_label: "w", y_label: "L", glyphs,
 slope_label: true,
        };
        prop_assert_eq!(curve(&spec, w, h).to_lines().len(), h as usize);
        let series = [("batch", &pts[..]), ("sgd", &pts[pts.len() / 2..])];
        let spec = HistorySpec { series: &series, log_y, x_label: "t", y_label: "J", glyphs };
        prop_assert_eq!(history(&spec, w, h).to_lines().len(), h as usize);
    }

    #[test]
    fn fitted_windows_are_drawable_and_keep_points(
        pts in proptest::collection::vec(point(), 0..20),
        cols in 0u16..500, rows in 0u16..200,
        win in (any_f64(), any_f64(), any_f64(), any_f64()),
    ) {
        let opt = FitOptions::new(cols, rows);
        for w in [fit(&pts, &opt), keep_or_refit(Window::new(win.0, win.1, win.2, win.3), &pts, &opt)] {
            prop_assert!(w.x0.is_finite() && w.x1.is_finite() && w.y0.is_finite() && w.y1.is_finite());
            prop_assert!(w.x1 > w.x0 && w.y1 > w.y0);
            for &p in &pts {
                if p.0.is_finite() && p.1.is_finite() && p.0.abs() < 1e100 && p.1.abs() < 1e100 {
                    prop_assert!(w.contains(p), "{:?} not in {:?}", p, w);
                }
            }
        }
    }
}

/// A log-levelled map (Rosenbrock seen from its rim) in charts too narrow for even one level
/// and its "log levels" title: the legend gives up its levels and the chart is still drawn
/// (the level-thinning loop once spun forever here, because one level never fit).
#[test]
fn a_log_legend_that_cannot_fit_still_draws() {
    let f = |x: f64, y: f64| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
    for w in 8..40u16 {
        let spec = ContourSpec {
            f: &f,
            window: Window::new(-1.9, -0.3, 0.35, 1.35),
            levels: Levels::Auto(7),
            path: &[],
            next: None,
            others: &[],
            x_label: "x",
            y_label: "y",
            glyphs: Glyphs::Ascii,
        };
        let c = contour(&spec, w, 12);
        assert_eq!(c.to_lines().len(), 12, "width {w}");
    }
}
