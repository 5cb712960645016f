//! The stage's chart, computed from plain data: the contour map (or the slope curve) with
//! every run's path, the next step's arrow and, in the Taylor view, the dial's probe. The tutor
//! draws this canvas and `gradstep plot` prints it, so both show the very same chart.

use std::cell::RefCell;

use super::Stage;
use crate::chart::{self, ContourBase, ContourCache, ContourSpec, CurveSpec, Levels, Sampler};
use crate::descent::Status;
use crate::lesson::{ChartKind, Lang, Mask};
use crate::math::Objective;

/// The stage's contour cache. A `RefCell` because drawing takes the stage by reference.
pub(super) type Cache = RefCell<ContourCache<BaseKey>>;

/// Everything the contour map's base is drawn from, so the cache rebuilds exactly when one of
/// these changes. The slice's other parameters count (a model with a bias moves its map every
/// step); the two on the axes do not.
pub(super) struct BaseKey {
    objective: Objective,
    /// The sampled point's bits, the axes' entries zeroed (bits so a NaN equals itself).
    at: Vec<u64>,
    axes: (usize, usize),
    window: chart::Window,
    size: (u16, u16),
    glyphs: chart::Glyphs,
    levels: Levels,
    labels: (String, String),
    /// The legend's words are drawn into the base.
    lang: Lang,
}

/// The slice point as the key stores it.
fn key_at(at: &[f64], axes: (usize, usize)) -> impl Iterator<Item = u64> + '_ {
    at.iter().enumerate().map(move |(k, v)| {
        if k == axes.0 || k == axes.1 {
            0
        } else {
            v.to_bits()
        }
    })
}

impl BaseKey {
    fn new(spec: &ContourSpec, slice: &Slice, width: u16, height: u16, lang: Lang) -> BaseKey {
        BaseKey {
            objective: slice.objective.clone(),
            at: key_at(&slice.at, slice.axes).collect(),
            axes: slice.axes,
            window: spec.window,
            size: (width, height),
            glyphs: spec.glyphs,
            levels: spec.levels.clone(),
            labels: (spec.x_label.to_string(), spec.y_label.to_string()),
            lang,
        }
    }

    fn matches(
        &self,
        spec: &ContourSpec,
        slice: &Slice,
        width: u16,
        height: u16,
        lang: Lang,
    ) -> bool {
        self.size == (width, height)
            && self.lang == lang
            && self.axes == slice.axes
            && self.window == spec.window
            && self.glyphs == spec.glyphs
            && self.levels == spec.levels
            && self.labels.0 == spec.x_label
            && self.labels.1 == spec.y_label
            && self.at.iter().copied().eq(key_at(&slice.at, slice.axes))
            && self.objective == *slice.objective
    }
}

/// A point on the chart's two axes.
type Pt = (f64, f64);

/// Markers of the racers' paths (the main run uses digits and `@`): the cost history's series
/// markers after the main run's, so the map, the history and the race table share one legend.
pub const RACE_MARKS: [char; 5] = {
    let m = chart::SERIES_MARKERS;
    [m[1], m[2], m[3], m[4], m[5]]
};

/// The loss over the chart's two axes, the other parameters held at their current values.
struct Slice<'a> {
    objective: &'a Objective,
    at: Vec<f64>,
    axes: (usize, usize),
    /// For a model: the examples the map averages over (all of a small data set, an even
    /// subsample of a large one, so a big CSV cannot freeze the screen).
    examples: Vec<usize>,
}

/// The most examples one contour sample of a model's cost reads.
const MAP_EXAMPLES: usize = 1000;

impl<'a> Slice<'a> {
    fn new(objective: &'a Objective, at: Vec<f64>, axes: (usize, usize)) -> Slice<'a> {
        let examples = match objective {
            Objective::Formula(_) => Vec::new(),
            Objective::Model(m) => {
                let n = m.data.len();
                let k = n.min(MAP_EXAMPLES);
                (0..k).map(|i| i * n / k.max(1)).collect()
            }
        };
        Slice {
            objective,
            at,
            axes,
            examples,
        }
    }
}

impl Sampler for Slice<'_> {
    fn at(&self, x: f64, y: f64) -> f64 {
        let mut p = self.at.clone();
        p[self.axes.0] = x;
        p[self.axes.1] = y;
        match self.objective {
            Objective::Formula(f) => f.value(&p),
            Objective::Model(m) => m.cost_on(&p, &self.examples),
        }
    }

    fn row(&self, xs: &[f64], y: f64, out: &mut Vec<f64>) {
        match self.objective {
            Objective::Formula(f) => *out = f.grid(&self.at, self.axes.0, self.axes.1, xs, &[y]),
            Objective::Model(_) => {
                out.clear();
                out.extend(xs.iter().map(|&x| self.at(x, y)));
            }
        }
    }
}

/// The chart for the stage at the given size: the same canvas `gradstep plot` prints.
pub fn chart(
    stage: &Stage,
    glyphs: chart::Glyphs,
    width: u16,
    height: u16,
    hide: Mask,
    lang: Lang,
) -> chart::Canvas {
    let words = match lang {
        Lang::En => &chart::Words::EN,
        Lang::Zh => &chart::Words::ZH,
    };
    let s = stage.main();
    let cur = s.current();
    let running = s.status() == Status::Running;
    // The arrow's tip is θ next and its length Δθ: an open question about either hides it.
    let hides_step = hide.next || hide.step;
    let names = stage.scene.param_names();
    if names.is_empty() || cur.params.is_empty() {
        // Nothing to draw over (a formula without variables is refused before it gets here).
        return chart::Canvas::new(width, height);
    }
    let Some(axes) = stage.axes() else {
        // One parameter: the slope view.
        let f = |w: f64| s.objective().value(&[w]);
        let points: Vec<f64> = s.history().iter().map(|p| p.params[0]).collect();
        let (x0, x1) = stage.window.map(|w| (w.x0, w.x1)).unwrap_or((-1.0, 1.0));
        let spec = CurveSpec {
            f: &f,
            x0,
            x1,
            points: &points,
            current: Some((cur.params[0], cur.value, cur.grad[0])),
            next: (running && !hides_step).then(|| s.preview().next[0]),
            slope_label: !hide.grad,
            x_label: &names[0],
            y_label: stage.scene.loss_name(),
            glyphs,
        };
        return chart::curve_in(&spec, width, height, words);
    };
    let slice = Slice::new(s.objective(), cur.params.clone(), axes);
    let window = stage
        .window
        .unwrap_or(chart::Window::new(-1.0, 1.0, -1.0, 1.0));
    let racers: Vec<Vec<(f64, f64)>> = (1..stage.runners.len())
        .map(|k| stage.path(k, axes))
        .collect();
    let taylor = stage.scene.view == ChartKind::Taylor;
    let (path, next, extra): (Vec<Pt>, Option<Pt>, Vec<Pt>) = if taylor {
        let p = (cur.params[axes.0], cur.params[axes.1]);
        let (vx, vy) = stage.direction();
        let (gx, gy) = (cur.grad[axes.0], cur.grad[axes.1]);
        let g = (gx * gx + gy * gy).sqrt();
        // The −∇L mark would answer a question asking where v should point.
        let steepest = if g > 0.0 && !hide.angle {
            vec![(p.0 - stage.probe * gx / g, p.1 - stage.probe * gy / g)]
        } else {
            vec![]
        };
        (
            vec![p],
            Some((p.0 + stage.probe * vx, p.1 + stage.probe * vy)),
            steepest,
        )
    } else {
        let next = (running && !hides_step).then(|| {
            let n = s.preview().next;
            (n[axes.0], n[axes.1])
        });
        (stage.path(0, axes), next, vec![])
    };
    let mut others: Vec<(&[(f64, f64)], char)> = racers
        .iter()
        .enumerate()
        .map(|(k, p)| (p.as_slice(), RACE_MARKS[k % RACE_MARKS.len()]))
        .collect();
    if !extra.is_empty() {
        others.push((&extra, '*'));
    }
    let spec = ContourSpec {
        f: &slice,
        window,
        levels: Levels::default(),
        path: &path,
        next,
        others: &others,
        x_label: &names[axes.0],
        y_label: &names[axes.1],
        glyphs,
    };
    let mut cache = stage.chart_cache.borrow_mut();
    let base = cache.get_or_build(
        |key| key.matches(&spec, &slice, width, height, lang),
        || {
            (
                BaseKey::new(&spec, &slice, width, height, lang),
                ContourBase::new(&spec, width, height, words),
            )
        },
    );
    base.finish(&spec)
}
