//! Chart rendering cost: the contour of x² + xy + y² at 160×48 with a 20-point path, as the
//! TUI draws it every frame (target: well under 1 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use gradstep::chart::{ContourSpec, Glyphs, Levels, Theme, Window, contour};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;

fn descent(n: usize) -> Vec<(f64, f64)> {
    let mut p = vec![(3.0, 4.0)];
    for _ in 1..n {
        let (x, y) = p[p.len() - 1];
        p.push((x - 0.1 * (2.0 * x + y), y - 0.1 * (x + 2.0 * y)));
    }
    p
}

fn bench(c: &mut Criterion) {
    let f = |x: f64, y: f64| x * x + x * y + y * y;
    let path = descent(21);
    for glyphs in [Glyphs::Ascii, Glyphs::Unicode] {
        let spec = ContourSpec {
            f: &f,
            window: Window::new(-5.0, 5.0, -5.0, 5.0),
            levels: Levels::Auto(7),
            path: &path[..20],
            next: Some(path[20]),
            x_label: "x",
            y_label: "y",
            glyphs,
        };
        c.bench_function(&format!("contour 160x48 {glyphs:?}"), |b| {
            b.iter(|| contour(black_box(&spec), 160, 48))
        });
    }
    let spec = ContourSpec {
        f: &f,
        window: Window::new(-5.0, 5.0, -5.0, 5.0),
        levels: Levels::Auto(7),
        path: &path[..20],
        next: Some(path[20]),
        x_label: "x",
        y_label: "y",
        glyphs: Glyphs::Unicode,
    };
    let theme = Theme::color();
    let area = Rect::new(0, 0, 160, 48);
    let mut buf = Buffer::empty(area);
    c.bench_function("contour 160x48 into Buffer", |b| {
        b.iter(|| contour(black_box(&spec), 160, 48).render(area, &mut buf, &theme))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
