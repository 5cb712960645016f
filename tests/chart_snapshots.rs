//! Plain-text snapshots of the charts as a learner sees them (`cargo insta review` to update).

use gradstep::chart::{
    ContourSpec, CurveSpec, FitOptions, Glyphs, HistorySpec, Levels, Window, contour,
    contour_plot_size, curve, fit, history,
};

fn bowl(x: f64, y: f64) -> f64 {
    x * x + x * y + y * y
}

/// Gradient descent on x² + xy + y² from (3, 4) with η = 0.1: (3, 4), (2, 2.9), …
fn descent(steps: usize) -> Vec<(f64, f64)> {
    let mut p = vec![(3.0, 4.0)];
    for _ in 0..steps {
        let (x, y) = p[p.len() - 1];
        p.push((x - 0.1 * (2.0 * x + y), y - 0.1 * (x + 2.0 * y)));
    }
    p
}

fn bowl_chart(window: Window, w: u16, h: u16, glyphs: Glyphs) -> String {
    let p = descent(5);
    let spec = ContourSpec {
        f: &bowl,
        window,
        levels: Levels::Auto(7),
        path: &p[..5],
        next: Some(p[5]),
        others: &[],
        x_label: "x",
        y_label: "y",
        glyphs,
    };
    contour(&spec, w, h).to_text()
}

const SQUARE: Window = Window::new(-5.0, 5.0, -5.0, 5.0);

#[test]
fn bowl_ascii_60x20() {
    let p1 = descent(1)[1];
    assert!((p1.0 - 2.0).abs() < 1e-12 && (p1.1 - 2.9).abs() < 1e-12);
    insta::assert_snapshot!(bowl_chart(SQUARE, 60, 20, Glyphs::Ascii));
}

#[test]
fn bowl_ascii_100x30() {
    insta::assert_snapshot!(bowl_chart(SQUARE, 100, 30, Glyphs::Ascii));
}

#[test]
fn bowl_unicode_60x20() {
    insta::assert_snapshot!(bowl_chart(SQUARE, 60, 20, Glyphs::Unicode));
}

#[test]
fn bowl_unicode_100x30() {
    insta::assert_snapshot!(bowl_chart(SQUARE, 100, 30, Glyphs::Unicode));
}

/// The window the TUI would pick: fitted to the path and the minimum, equal scale on screen.
#[test]
fn bowl_fitted_ascii_70x22() {
    let (pw, ph) = contour_plot_size(70, 22);
    let mut pts = descent(5);
    pts.push((0.0, 0.0));
    let win = fit(&pts, &FitOptions::new(pw, ph));
    insta::assert_snapshot!(bowl_chart(win, 70, 22, Glyphs::Ascii));
}

#[test]
fn saddle_ascii_60x20() {
    let f = |x: f64, y: f64| x * x - y * y;
    let spec = ContourSpec {
        f: &f,
        window: Window::new(-3.0, 3.0, -3.0, 3.0),
        levels: Levels::Auto(7),
        path: &[(2.0, 0.1), (1.6, 0.12)],
        next: Some((1.28, 0.144)),
        others: &[],
        x_label: "θ₁",
        y_label: "θ₂",
        glyphs: Glyphs::Ascii,
    };
    insta::assert_snapshot!(contour(&spec, 60, 20).to_text());
}

#[test]
fn nan_everywhere() {
    let f = |_: f64, _: f64| f64::NAN;
    let spec = ContourSpec {
        f: &f,
        window: SQUARE,
        levels: Levels::Auto(7),
        path: &[(1.0, 1.0)],
        next: Some((f64::NAN, 0.0)),
        others: &[],
        x_label: "x",
        y_label: "y",
        glyphs: Glyphs::Ascii,
    };
    insta::assert_snapshot!(contour(&spec, 30, 8).to_text());
}

fn parabola(glyphs: Glyphs) -> String {
    let f = |w: f64| w * w;
    // η = 0.1 from w = 4: 4, 3.2, then the current point 3 (slope 6) steps to 2.4.
    let spec = CurveSpec {
        f: &f,
        x0: -4.0,
        x1: 4.0,
        points: &[4.0, 3.2],
        current: Some((3.0, 9.0, 6.0)),
        next: Some(2.4),
        x_label: "w",
        y_label: "L",
        glyphs,
        slope_label: true,
    };
    curve(&spec, 60, 18).to_text()
}

#[test]
fn curve_ascii_tangent_at_3() {
    insta::assert_snapshot!(parabola(Glyphs::Ascii));
}

#[test]
fn curve_unicode_tangent_at_3() {
    insta::assert_snapshot!(parabola(Glyphs::Unicode));
}

#[test]
fn history_two_series() {
    let batch: Vec<f64> = (0..20).map(|t| 10.0 * 0.8f64.powi(t)).collect();
    let sgd: Vec<f64> = (0..60)
        .map(|t| 10.0 * 0.93f64.powi(t) * if t % 3 == 0 { 1.3 } else { 0.9 })
        .collect();
    let series = [("batch", &batch[..]), ("sgd", &sgd[..])];
    let mut out = String::new();
    for log_y in [false, true] {
        let spec = HistorySpec {
            series: &series,
            log_y,
            x_label: "t",
            y_label: "J",
            glyphs: Glyphs::Ascii,
        };
        out.push_str(&history(&spec, 50, 12).to_text());
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn tiny_sizes_draw_what_fits() {
    let mut out = String::new();
    for (w, h) in [(1, 1), (5, 3), (20, 8)] {
        for glyphs in [Glyphs::Ascii, Glyphs::Unicode] {
            out.push_str(&format!("{w}x{h} {glyphs:?}\n"));
            out.push_str(&bowl_chart(SQUARE, w, h, glyphs));
        }
        let f = |w: f64| w * w;
        let spec = CurveSpec {
            f: &f,
            x0: -4.0,
            x1: 4.0,
            points: &[3.0],
            current: Some((3.0, 9.0, 6.0)),
            next: Some(2.4),
            x_label: "w",
            y_label: "L",
            glyphs: Glyphs::Ascii,
            slope_label: true,
        };
        out.push_str(&curve(&spec, w, h).to_text());
        let s: &[f64] = &[3.0, 2.0, 1.0];
        let spec = HistorySpec {
            series: &[("batch", s)],
            log_y: false,
            x_label: "t",
            y_label: "J",
            glyphs: Glyphs::Ascii,
        };
        out.push_str(&history(&spec, w, h).to_text());
    }
    insta::assert_snapshot!(out);
}
