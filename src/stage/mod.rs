//! The live scene a learner steps: the main run, any racers beside it, the chart window and
//! the Taylor dial. Plain state and plain methods, no terminal: the tutor turns keys into these
//! calls and `gradstep plot` prints the same chart.

mod ahead;
mod chart;
mod limit;
pub mod words;

pub use chart::RACE_MARKS;
pub use limit::Edge;

use crate::chart::{self as charts, FitOptions};
use crate::descent::{Run, Status, StopOn, StopRule};
use crate::lesson::{ChartKind, Lang, Scene};
use crate::math::optimizer::{Kind, Optimizer};
use crate::math::{Formula, Objective};

/// The learning rates `+` and `-` move between: round values a student can reason about.
pub const LR_LADDER: [f64; 22] = [
    1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9,
    1.0, 1.1, 1.5, 2.0, 5.0,
];

/// How many steps ahead the chart window looks when it is fitted.
const LOOK_AHEAD: usize = 40;

/// The real step from the main run's point as the Taylor view reads it: Δθ = −η∇L, the
/// first-order prediction ∇L·Δθ and the true change L(θ + Δθ) − L(θ).
#[derive(Debug, Clone, PartialEq)]
pub struct TaylorStep {
    pub delta: Vec<f64>,
    pub predicted: f64,
    pub truth: f64,
}

/// One run on the stage.
#[derive(Debug, Clone)]
pub struct Runner {
    pub label: String,
    /// The lesson's Chinese name for this run, when it has one.
    pub label_zh: Option<String>,
    pub run: Run,
}

impl Runner {
    /// The run's name in the legend, in the learner's language.
    pub fn name(&self, lang: Lang) -> &str {
        match (lang, &self.label_zh) {
            (Lang::Zh, Some(zh)) => zh,
            _ => &self.label,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub scene: Scene,
    /// The main run first, then the racers.
    pub runners: Vec<Runner>,
    /// The chart window; `None` until the first fit.
    pub window: Option<charts::Window>,
    /// True once the learner zoomed or panned: the window then stays where they put it.
    pub manual_window: bool,
    /// Direction of v in the Taylor view, radians counter-clockwise from the first axis.
    pub angle: f64,
    /// The probe step ‖Δθ‖ in the Taylor view.
    pub probe: f64,
    pub playing: bool,
    /// The contour map's sampled base, reused while stepping (see [`charts::ContourCache`]).
    chart_cache: chart::Cache,
    /// Each runner's look-ahead for the window fit, reused from step to step.
    ahead: Vec<ahead::Ahead>,
}

/// The default sandbox: the sources' own example, x² + xy + y² from (3, 4) with η = 0.1,
/// stopping when ‖∇f‖ < 1e-6 as source 003 does.
pub const SANDBOX_FORMULA: &str = "x^2 + x*y + y^2";

/// A scene for a formula typed by the learner.
pub fn formula_scene(formula: Formula, start: Vec<f64>, lr: f64, optimizer: Optimizer) -> Scene {
    let names = formula.vars().to_vec();
    let n = names.len();
    Scene {
        view: if n == 1 {
            ChartKind::Slope
        } else {
            ChartKind::Surface
        },
        objective: Objective::Formula(formula),
        names,
        start,
        lr,
        lr_decay: None,
        optimizer,
        stop: StopRule {
            tol: Some(1e-6),
            on: StopOn::Grad,
            max_steps: None,
        },
        window: Default::default(),
        axes: (n >= 2).then_some((0, 1)),
        race: Vec::new(),
        dial: None,
        naming: Default::default(),
    }
}

/// A formula to step in the sandbox, already checked: what `gradstep play` asks the tutor to
/// open. It lives here, below both the command line and the UI, so neither imports the other.
#[derive(Debug, Clone)]
pub struct SandboxSpec {
    pub formula: Formula,
    pub start: Vec<f64>,
    pub lr: f64,
    pub optimizer: Optimizer,
}

impl Default for SandboxSpec {
    /// The sources' own example: x² + xy + y² from (3, 4) with η = 0.1.
    fn default() -> Self {
        SandboxSpec {
            formula: Formula::parse(SANDBOX_FORMULA).expect("the default formula parses"),
            start: vec![3.0, 4.0],
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
        }
    }
}

impl Stage {
    /// The scene's runs, ready to step; refused, in both languages, for a start point without
    /// one value per parameter (the only thing a run refuses).
    pub fn new(scene: Scene) -> Result<Stage, words::StageError> {
        let n = scene.names.len();
        if scene.start.len() != n {
            return Err(words::wrong_start(None, scene.start.len(), &scene.names));
        }
        if let Some(r) = scene.race.iter().find(|r| r.start.len() != n) {
            return Err(words::wrong_start(
                Some(&r.label),
                r.start.len(),
                &scene.names,
            ));
        }
        // Checked above: what is left of a refusal would be English only.
        let untranslated = |e: String| words::StageError {
            message_zh: e.clone(),
            message: e,
        };
        let mut runners = vec![Runner {
            label: scene.label(),
            label_zh: scene.label_zh(),
            run: scene.run().map_err(untranslated)?,
        }];
        let racers = scene.racer_runs().map_err(untranslated)?;
        for (k, (label, run)) in racers.into_iter().enumerate() {
            let label_zh = scene.race.get(k).and_then(|r| r.label_zh.clone());
            runners.push(Runner {
                label,
                label_zh,
                run,
            });
        }
        let dial = scene.dial.unwrap_or_default();
        Ok(Stage {
            scene,
            runners,
            window: None,
            manual_window: false,
            angle: dial.angle_deg.to_radians(),
            probe: dial.step,
            playing: false,
            chart_cache: chart::Cache::default(),
            ahead: Vec::new(),
        })
    }

    pub fn main(&self) -> &Run {
        &self.runners[0].run
    }

    /// The main run's status; a race is "running" while any runner is.
    pub fn status(&self) -> Status {
        let main = self.main().status();
        if main == Status::Running {
            return main;
        }
        if self
            .runners
            .iter()
            .any(|r| r.run.status() == Status::Running)
        {
            Status::Running
        } else {
            main
        }
    }

    /// One update for every runner that is still running; false when none moved.
    pub fn step(&mut self) -> bool {
        let mut moved = false;
        for r in &mut self.runners {
            if r.run.status() == Status::Running {
                r.run.step();
                moved = true;
            }
        }
        moved
    }

    /// Undo one update of every runner that has one to undo (a race stays in lockstep).
    pub fn undo(&mut self) -> bool {
        let t = self
            .runners
            .iter()
            .map(|r| r.run.current().t)
            .max()
            .unwrap_or(0);
        if t == 0 {
            return false;
        }
        for r in &mut self.runners {
            if r.run.current().t == t {
                r.run.undo();
            }
        }
        true
    }

    /// Back to the page's own settings: every run restarts at the scene's start with the
    /// scene's η and optimizer, so a changed η or a switched optimizer does not outlive `r`.
    pub fn reset(&mut self) {
        if let Ok(main) = self.scene.run() {
            self.runners[0] = Runner {
                label: self.scene.label(),
                label_zh: self.scene.label_zh(),
                run: main,
            };
        }
        if let Ok(racers) = self.scene.racer_runs() {
            for (k, (r, (label, run))) in self.runners[1..].iter_mut().zip(racers).enumerate() {
                let label_zh = self.scene.race.get(k).and_then(|x| x.label_zh.clone());
                *r = Runner {
                    label,
                    label_zh,
                    run,
                };
            }
        }
        self.playing = false;
        // A window zoomed or panned for the old run (or stretched by a divergence) would not
        // fit the fresh one: fit again from the start.
        self.manual_window = false;
        self.window = None;
    }

    /// Where η now stands against 2/λmax at the main run's point, if at or above it.
    pub fn lr_edge(&self) -> Option<Edge> {
        let s = self.main();
        limit::edge(s.objective(), &s.current().params, s.lr())
    }

    /// Moves η of the main run one rung up or down the ladder.
    pub fn nudge_lr(&mut self, up: bool) -> f64 {
        let lr = self.main().lr();
        let next = if up {
            LR_LADDER.iter().copied().find(|&v| v > lr * (1.0 + 1e-9))
        } else {
            LR_LADDER
                .iter()
                .rev()
                .copied()
                .find(|&v| v < lr * (1.0 - 1e-9))
        };
        let next = next.unwrap_or(lr);
        self.runners[0].run.set_lr(next);
        self.relabel();
        next
    }

    /// Switches the main run to the next optimizer (torch defaults), keeping its history.
    pub fn next_optimizer(&mut self) -> Kind {
        let kind = self.main().optimizer().kind.next();
        self.runners[0].run.set_optimizer(Optimizer::new(kind));
        self.relabel();
        kind
    }

    /// Whether the learner may change the stop rule's ε: a run that stops only by it (the
    /// sandbox). A lesson's rule carries a step budget and is the page's, not the learner's.
    pub fn tol_tunable(&self) -> bool {
        let rule = self.main().stop_rule();
        rule.tol.is_some() && rule.max_steps.is_none()
    }

    /// The stop rule's ε times 10 (`up`) or divided by 10, within 1e-12 … 1e3, for the main
    /// run and the scene (so `r` keeps the learner's choice). None where it is not tunable.
    pub fn scale_tol(&mut self, up: bool) -> Option<f64> {
        if !self.tol_tunable() {
            return None;
        }
        let tol = self.main().stop_rule().tol?;
        // Through the decimal exponent, so 1e-6 × 10 is exactly 1e-5, not 1.0000000000000002e-5.
        let exp = tol.log10().round() as i32 + if up { 1 } else { -1 };
        let next = format!("1e{}", exp.clamp(-12, 3)).parse().unwrap_or(tol);
        self.runners[0].run.set_tol(next);
        self.scene.stop.tol = Some(next);
        self.playing = false;
        Some(next)
    }

    /// The Taylor view's probe step: doubled or halved.
    pub fn scale_probe(&mut self, up: bool) -> f64 {
        self.probe = if up {
            self.probe * 2.0
        } else {
            self.probe / 2.0
        }
        .clamp(1e-6, 1e3);
        self.probe
    }

    fn relabel(&mut self) {
        let s = self.main();
        self.runners[0].label =
            format!("{} η={}", s.optimizer().kind, crate::numfmt::short(s.lr()));
        self.runners[0].label_zh = None;
    }

    /// The two parameters the contour map shows, if the scene has two or more.
    pub fn axes(&self) -> Option<(usize, usize)> {
        let n = self.scene.names.len();
        if n < 2 {
            return None;
        }
        Some(self.scene.axes.unwrap_or((0, 1)))
    }

    /// A run's visited points projected onto the chart's axes.
    pub fn path(&self, runner: usize, (i, j): (usize, usize)) -> Vec<(f64, f64)> {
        self.runners
            .get(runner)
            .map(|r| {
                r.run
                    .history()
                    .iter()
                    .map(|p| (p.params[i], p.params[j]))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The plain gradient step of size η from the main run's point, and how well the
    /// first-order Taylor term predicts its effect (the taylor lesson's pages 3 and 4).
    pub fn taylor_step(&self) -> TaylorStep {
        let s = self.main();
        let cur = s.current();
        let delta: Vec<f64> = cur.grad.iter().map(|g| -s.lr() * g).collect();
        let predicted = cur.grad.iter().zip(&delta).map(|(g, d)| g * d).sum();
        let next: Vec<f64> = cur.params.iter().zip(&delta).map(|(p, d)| p + d).collect();
        TaylorStep {
            truth: s.objective().value(&next) - cur.value,
            delta,
            predicted,
        }
    }

    /// ‖∇L‖ of a run at its point over the whole data set: a mini-batch run's own gradient is
    /// its batch's, which would not match the full-data cost printed beside it.
    pub fn full_grad_norm(&self, runner: usize) -> f64 {
        let Some(r) = self.runners.get(runner) else {
            return f64::NAN;
        };
        let cur = r.run.current();
        match r.run.objective() {
            Objective::Model(m) if m.batch_size < m.data.len() => {
                let all: Vec<usize> = (0..m.data.len()).collect();
                crate::math::norm(&m.gradient_on(&cur.params, &all))
            }
            _ => crate::math::norm(&cur.grad),
        }
    }

    /// The Taylor view's unit direction v in the two chart axes.
    pub fn direction(&self) -> (f64, f64) {
        // cos 90° is 6e-17 in floating point; a learner should read 0.
        let snap = |v: f64| if v.abs() < 1e-12 { 0.0 } else { v };
        (snap(self.angle.cos()), snap(self.angle.sin()))
    }

    /// Every point the chart should keep in view: all runs so far, where each is heading (a
    /// short look ahead on a copy, so the window need not move on every step as the path
    /// walks towards the minimum), and the Taylor dial's probe.
    fn points_to_show(&mut self, axes: (usize, usize)) -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        // A model on a large data set costs a pass over the data per step: no look-ahead then.
        let ahead_steps = match self.main().objective() {
            Objective::Model(m) if m.data.len() > 1000 => 0,
            _ => LOOK_AHEAD,
        };
        for k in 0..self.runners.len() {
            pts.extend(self.path(k, axes));
            if ahead_steps == 0 {
                continue;
            }
            self.ahead.resize_with(self.runners.len(), Default::default);
            self.ahead[k].visit(&self.runners[k].run, ahead_steps, |p| {
                pts.push((p.params[axes.0], p.params[axes.1]));
            });
        }
        if self.scene.view == ChartKind::Taylor {
            let cur = &self.main().current().params;
            let (vx, vy) = self.direction();
            pts.push((cur[axes.0] + self.probe * vx, cur[axes.1] + self.probe * vy));
            pts.push((cur[axes.0] - self.probe * vx, cur[axes.1] - self.probe * vy));
        }
        pts.retain(|(x, y)| x.is_finite() && y.is_finite() && x.abs() < 1e9 && y.abs() < 1e9);
        pts
    }

    /// Updates the contour window for a plot of `cols × rows` cells: the lesson's fixed window
    /// where it gives one, else a fit that stays still until the path leaves it.
    pub fn fit_window(&mut self, cols: u16, rows: u16) {
        if self.manual_window {
            return;
        }
        let Some(axes) = self.axes() else {
            self.fit_line();
            return;
        };
        let opts = FitOptions::new(cols.max(1), rows.max(1));
        let pts = self.points_to_show(axes);
        let fitted = match self.window {
            Some(w) => charts::keep_or_refit(w, &pts, &opts),
            None => charts::fit(&pts, &opts),
        };
        let w = &self.scene.window;
        let fixed = |given: Option<(f64, f64)>, lo: f64, hi: f64| given.unwrap_or((lo, hi));
        let (x0, x1) = fixed(w.x, fitted.x0, fitted.x1);
        let (y0, y1) = fixed(w.y, fitted.y0, fitted.y1);
        self.window = Some(charts::Window::new(x0, x1, y0, y1));
    }

    /// The slope view's range of w: the visited points and the next one with a margin, kept
    /// still while they stay inside (the y range follows the curve).
    fn fit_line(&mut self) {
        let mut ws: Vec<f64> = self.path(0, (0, 0)).into_iter().map(|p| p.0).collect();
        if self.main().status() == Status::Running {
            ws.extend(self.main().preview().next.first().copied());
        }
        ws.retain(|w| w.is_finite() && w.abs() < 1e9);
        if let Some((x0, x1)) = self.scene.window.x {
            self.window = Some(charts::Window::new(x0, x1, 0.0, 1.0));
            return;
        }
        let lo = ws.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ws.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return;
        }
        if let Some(w) = self.window
            && lo >= w.x0
            && hi <= w.x1
        {
            return;
        }
        let span = (hi - lo).max(2.0);
        let mid = (hi + lo) / 2.0;
        self.window = Some(charts::Window::new(
            mid - 0.8 * span,
            mid + 0.8 * span,
            0.0,
            1.0,
        ));
    }

    /// The chart of this stage at `width × height` cells.
    /// `hide` is what an open question asks for: the chart leaves it out (the slope label,
    /// the arrow to the next point). `lang` is the language of its legend and labels.
    pub fn chart(
        &self,
        glyphs: charts::Glyphs,
        width: u16,
        height: u16,
        hide: crate::lesson::Mask,
        lang: crate::lesson::Lang,
    ) -> charts::Canvas {
        chart::chart(self, glyphs, width, height, hide, lang)
    }

    /// How many times the contour map was sampled anew: once per window, loss slice, size
    /// and glyph set; a step that changes none of them redraws only the path on top.
    pub fn chart_rebuilds(&self) -> u64 {
        self.chart_cache.borrow().rebuilds()
    }

    /// Zooms around the main run's current point (on the chart's axes), so zooming in looks
    /// closer at where the learner is rather than at the window's middle.
    pub fn zoom(&mut self, factor: f64) {
        if let Some(w) = self.window {
            let p = &self.main().current().params;
            let at = match self.axes() {
                Some((i, j)) => (p[i], p[j]),
                // The slope view's window spans w only; its y range follows the curve.
                None => (p[0], w.center().1),
            };
            self.window = Some(w.zoom_at(factor, at));
            self.manual_window = true;
        }
    }

    pub fn pan(&mut self, fx: f64, fy: f64) {
        if let Some(w) = self.window {
            self.window = Some(w.pan(fx, fy));
            self.manual_window = true;
        }
    }

    /// Hands the window back to automatic fitting.
    pub fn auto_window(&mut self) {
        self.manual_window = false;
        self.window = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> Stage {
        let f = Formula::parse(SANDBOX_FORMULA).unwrap();
        Stage::new(formula_scene(
            f,
            vec![3.0, 4.0],
            0.1,
            Optimizer::new(Kind::Sgd),
        ))
        .unwrap()
    }

    #[test]
    fn steps_undo_and_reset() {
        let mut s = sandbox();
        assert!(s.step());
        assert_eq!(s.main().current().params, vec![2.0, 2.9]);
        assert!(s.undo());
        assert_eq!(s.main().current().params, vec![3.0, 4.0]);
        assert!(!s.undo());
        s.step();
        s.step();
        s.reset();
        assert_eq!(s.main().current().t, 0);
    }

    #[test]
    fn the_taylor_step_is_the_pages_numbers() {
        // taylor p3: L = θ₁² + θ₂² at (1, 1), η = 0.25: predicted −2, true −1.5, gap 0.5;
        // p4 with η = 0.05: −0.4, −0.38, 0.02.
        let f = Formula::parse("theta1^2 + theta2^2").unwrap();
        let mut s = Stage::new(formula_scene(
            f,
            vec![1.0, 1.0],
            0.25,
            Optimizer::new(Kind::Sgd),
        ))
        .unwrap();
        let t = s.taylor_step();
        assert_eq!(t.delta, vec![-0.5, -0.5]);
        assert_eq!((t.predicted, t.truth), (-2.0, -1.5));
        s.runners[0].run.set_lr(0.05);
        let t = s.taylor_step();
        assert!((t.predicted + 0.4).abs() < 1e-12 && (t.truth + 0.38).abs() < 1e-12);
        assert!((t.truth - t.predicted - 0.02).abs() < 1e-12);
    }

    #[test]
    fn zoom_centres_on_the_current_point_and_reset_refits() {
        let mut s = sandbox();
        s.fit_window(60, 20);
        let fitted = s.window.unwrap();
        s.zoom(0.5);
        let w = s.window.unwrap();
        let (cx, cy) = w.center();
        assert!((cx - 3.0).abs() < 1e-9 && (cy - 4.0).abs() < 1e-9, "{w:?}");
        assert!((w.width() - fitted.width() / 2.0).abs() < 1e-9);
        s.reset();
        assert!(!s.manual_window && s.window.is_none());
        s.fit_window(60, 20);
        assert_eq!(s.window.unwrap(), fitted);
    }

    #[test]
    fn the_lr_ladder_moves_one_rung() {
        let mut s = sandbox();
        assert_eq!(s.nudge_lr(true), 0.2);
        assert_eq!(s.nudge_lr(false), 0.1);
        assert_eq!(s.nudge_lr(false), 0.05);
        for _ in 0..40 {
            s.nudge_lr(false);
        }
        assert_eq!(s.main().lr(), 1e-4);
        assert!(s.runners[0].label.contains("η=0.0001"));
    }

    #[test]
    fn the_window_keeps_still_while_the_path_stays_inside() {
        let mut s = sandbox();
        s.fit_window(60, 20);
        let w0 = s.window.unwrap();
        assert!(w0.contains((3.0, 4.0)) && w0.contains((2.0, 2.9)));
        s.step();
        s.fit_window(60, 20);
        assert_eq!(s.window.unwrap(), w0);
        s.zoom(0.5);
        assert!(s.manual_window);
        s.step();
        s.fit_window(60, 20);
        assert_ne!(s.window.unwrap(), w0);
    }
}
