//! The window fit's look-ahead, kept between key presses. Every step the fit wants the next
//! [`LOOK_AHEAD`](super::LOOK_AHEAD) points of each run; stepping a copy that far again on
//! every key was most of a step's own cost. A run's future depends only on its settings and
//! its current point (the stop rule reads the current point alone), so the points stepped for
//! the previous key still hold after a step along them: the cache finds the run's current
//! point on the chain it stepped before, reuses what follows and steps only what is missing.

use crate::descent::{Point, Run, Status};

/// How far along its chain the run may be before the points behind it are dropped (the chain
/// grows by a point per step). The chain is cut, not stepped afresh: starting over cost the
/// key that crossed this mark as many steps as the look-ahead, in every session at once when
/// a class steps together.
const REBASE_AFTER: usize = 64;

/// One run's look-ahead chain.
#[derive(Clone, Debug, Default)]
pub(super) struct Ahead {
    /// A copy of the run stepped along: its history is the chain, the point it was copied at
    /// first. `None` until the first use.
    chain: Option<Run>,
    /// `status[k]`: the run's status at the chain's point `k`.
    status: Vec<Status>,
    /// How many chains were started afresh (tests count these).
    starts: u64,
}

/// True when `a` and `b` step alike from equal points.
fn same_settings(a: &Run, b: &Run) -> bool {
    a.lr().to_bits() == b.lr().to_bits()
        && a.lr_decay().map(f64::to_bits) == b.lr_decay().map(f64::to_bits)
        && a.optimizer() == b.optimizer()
        && a.stop_rule() == b.stop_rule()
        && a.objective() == b.objective()
}

impl Ahead {
    /// Calls `f` with each point a copy of `run` visits in up to `steps` steps, exactly as
    /// stepping a fresh copy would: a step that diverges is left out and ends the look, one
    /// that stops the run is the last; a run that already stands still gives its own point
    /// once (or nothing when it diverged).
    pub(super) fn visit(&mut self, run: &Run, steps: usize, mut f: impl FnMut(&Point)) {
        let at = self.find(run).unwrap_or_else(|| {
            self.starts += 1;
            let copy = run.fork();
            self.status = vec![copy.status()];
            self.chain = Some(copy);
            0
        });
        let Some(chain) = &mut self.chain else {
            return;
        };
        let at = if at >= REBASE_AFTER {
            chain.forget_before(at);
            self.status.drain(..at);
            0
        } else {
            at
        };
        if steps == 0 {
            return;
        }
        match self.status[at] {
            Status::Running => {}
            Status::Diverged => return,
            _ => {
                f(&chain.history()[at]);
                return;
            }
        }
        for k in at + 1..=at + steps {
            if k == chain.history().len() {
                let last = self.status[k - 1];
                if last != Status::Running {
                    return;
                }
                self.status.push(chain.step());
            }
            let status = self.status[k];
            if status == Status::Diverged {
                return;
            }
            f(&chain.history()[k]);
            if status != Status::Running {
                return;
            }
        }
    }

    /// Where `run`'s current point lies on the chain, when the chain is `run`'s own.
    fn find(&self, run: &Run) -> Option<usize> {
        let chain = self.chain.as_ref()?;
        if !same_settings(chain, run) {
            return None;
        }
        // The chain's points are one step apart (t, t + 1, …), so only one can be `cur`: looked
        // up by its t rather than searched for through a hundred points that a loaded server
        // has to fetch from memory on every key.
        let cur = run.current();
        let k = cur.t.checked_sub(chain.history()[0].t)?;
        (chain.history().get(k)? == cur).then_some(k)
    }

    /// How many chains were stepped from scratch so far.
    #[cfg(test)]
    pub(super) fn starts(&self) -> u64 {
        self.starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descent::StopRule;
    use crate::math::optimizer::{Kind, Optimizer};
    use crate::math::{Formula, Objective};

    fn run(src: &str, start: &[f64], lr: f64, stop: StopRule) -> Run {
        let f = Formula::parse(src).expect("formula");
        Run::new(
            Objective::Formula(f),
            Optimizer::new(Kind::Sgd),
            lr,
            start,
            stop,
        )
        .expect("run")
    }

    /// What stepping a fresh copy gives (the code this cache replaces).
    fn fresh(run: &Run, steps: usize) -> Vec<Point> {
        let mut out = Vec::new();
        let mut copy = run.fork();
        for _ in 0..steps {
            if copy.step() == Status::Diverged {
                break;
            }
            out.push(copy.current().clone());
            if copy.status() != Status::Running {
                break;
            }
        }
        out
    }

    fn cached(a: &mut Ahead, run: &Run, steps: usize) -> Vec<Point> {
        let mut out = Vec::new();
        a.visit(run, steps, |p| out.push(p.clone()));
        out
    }

    #[test]
    fn a_step_along_the_chain_reuses_it_and_gives_what_a_fresh_copy_gives() {
        let stops = [
            StopRule::default(),
            StopRule {
                tol: Some(1e-3),
                ..StopRule::default()
            },
            StopRule {
                max_steps: Some(25),
                ..StopRule::default()
            },
        ];
        for (src, lr) in [
            ("x^2 + x*y + y^2", 0.1),
            ("x^2 + 3*y^2", 0.4),
            ("x^4 + y^2", 0.9),
        ] {
            for stop in stops {
                let mut r = run(src, &[3.0, 4.0], lr, stop);
                let mut a = Ahead::default();
                for _ in 0..150 {
                    assert_eq!(
                        cached(&mut a, &r, 40),
                        fresh(&r, 40),
                        "{src} t={}",
                        r.current().t
                    );
                    r.step();
                }
                // One chain for the whole walk, cut as it goes, never stepped afresh.
                assert_eq!(a.starts(), 1, "{src}");
                let kept = a.chain.as_ref().map_or(0, |c| c.history().len());
                assert!(kept <= REBASE_AFTER + 41, "{src}: {kept} points kept");
            }
        }
    }

    #[test]
    fn any_change_to_the_run_starts_a_new_chain() {
        let mut r = run("x^2 + x*y + y^2", &[3.0, 4.0], 0.1, StopRule::default());
        let mut a = Ahead::default();
        cached(&mut a, &r, 40);
        r.step();
        cached(&mut a, &r, 40);
        assert_eq!(a.starts(), 1);
        r.set_lr(0.2);
        assert_eq!(cached(&mut a, &r, 40), fresh(&r, 40));
        assert_eq!(a.starts(), 2);
        r.set_optimizer(Optimizer::new(Kind::Momentum));
        assert_eq!(cached(&mut a, &r, 40), fresh(&r, 40));
        assert_eq!(a.starts(), 3);
        r.undo();
        assert_eq!(cached(&mut a, &r, 40), fresh(&r, 40));
        // Another formula from the same point.
        let other = run("x^2 + y^2", &[3.0, 4.0], 0.2, StopRule::default());
        assert_eq!(cached(&mut a, &other, 40), fresh(&other, 40));
        let starts = a.starts();
        assert_eq!(cached(&mut a, &other, 0), Vec::<Point>::new());
        assert_eq!(a.starts(), starts);
    }
}
