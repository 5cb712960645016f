//! What a lesson may ask of the tutor and of `gradstep check`, counted, not timed.
//!
//! **Interactive budget** (one step of the tutor within about 50 ms). On a model scene the
//! contour map averages the cost over up to 1,000 examples at every sample of the map, and the
//! map is redrawn when the learner steps (the other parameters move). A lesson row with
//! 300,000 features took 1.8 s per step (issue 9), i.e. about 6 µs per example·feature the map
//! reads, so a scene may read at most [`MAP_READS`] = 4,000 example·features per map sample
//! (min(m, 1000) × n, about 24 ms). Each step also reads the data for the cost and the
//! gradient: [`reads_per_step`] at most [`STEP_READS`] = 400,000. Measured: a release build
//! on a shared 2-core machine took 26.7 s for 25,000 updates of 20,000 reads each (5,000
//! examples, one feature), about 53 ns per read, so 400,000 reads are about 21 ms.
//!
//! **Check budget** (`gradstep check` finishes in bounded time). A claim runs up to `t` updates
//! of [`reads_per_step`] each. All the claims of one lesson together may cost at most
//! [`CHECK_READS`] = 10⁸ reads (about 5 s at the rate above): 100,000 inline rows with
//! `after = 99998` (4 × 10¹⁰ reads, over 300 s before) is refused at once.

use crate::math::Objective;

/// Examples × features one sample of the model's contour map may read.
pub const MAP_READS: usize = 4_000;
/// The most examples one map sample reads (the tutor subsamples larger data sets).
pub const MAP_EXAMPLES: usize = 1_000;
/// Numbers one step may read ([`reads_per_step`]: cost over the data, gradient over it).
pub const STEP_READS: usize = 400_000;
/// Numbers read in all by the updates the claims of one lesson run.
pub const CHECK_READS: u128 = 100_000_000;
/// The largest lesson file read, in bytes.
pub const MAX_LESSON_BYTES: u64 = 1024 * 1024;

/// A scene or claim beyond its budget, with the counts that decided it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverBudget {
    #[error(
        "the model's map reads {examples} example(s) × {features} feature(s) = {reads} numbers per sample; \
         the tutor's interactive budget is {MAP_READS} (one step ≤ 50 ms): use fewer features or examples"
    )]
    Map {
        examples: usize,
        features: usize,
        reads: usize,
    },
    #[error(
        "one step reads {examples} example(s) × {features} feature(s) twice = {reads} numbers; \
         the tutor's interactive budget is {STEP_READS} (one step ≤ 50 ms)"
    )]
    Step {
        examples: usize,
        features: usize,
        reads: usize,
    },
    #[error(
        "this check runs {steps} update(s) of {per_step} reads each ({total} in all, \
         {so_far} with the checks before it); the limit for one lesson is {CHECK_READS} \
         so that `gradstep check` finishes: check an earlier step"
    )]
    Claim {
        steps: usize,
        per_step: usize,
        total: u128,
        so_far: u128,
    },
}

/// Numbers one update reads: the data twice (cost and gradient) for a model, the formula's
/// length times its variables (one dual number per variable per operation) for a formula.
pub fn reads_per_step(objective: &Objective) -> usize {
    match objective {
        Objective::Model(m) => m.data.len().saturating_mul(m.data.n_features() + 1) * 2,
        Objective::Formula(f) => f.source().len().max(1).saturating_mul(f.vars().len()),
    }
}

/// Whether the tutor can step this objective at interactive speed.
pub fn check_scene(objective: &Objective) -> Result<(), OverBudget> {
    let Objective::Model(m) = objective else {
        return Ok(());
    };
    let (examples, features) = (m.data.len(), m.data.n_features());
    let map = examples.min(MAP_EXAMPLES).saturating_mul(features);
    if map > MAP_READS {
        return Err(OverBudget::Map {
            examples: examples.min(MAP_EXAMPLES),
            features,
            reads: map,
        });
    }
    let step = reads_per_step(objective);
    if step > STEP_READS {
        return Err(OverBudget::Step {
            examples,
            features,
            reads: step,
        });
    }
    Ok(())
}

/// Whether a claim that runs `steps` updates of `objective` fits the check budget, after
/// claims that cost `before` reads; returns the reads so far, this claim's included.
pub fn check_claim(objective: &Objective, steps: usize, before: u128) -> Result<u128, OverBudget> {
    let per_step = reads_per_step(objective);
    let total = steps as u128 * per_step as u128;
    let so_far = before + total;
    if so_far > CHECK_READS {
        return Err(OverBudget::Claim {
            steps,
            per_step,
            total,
            so_far,
        });
    }
    Ok(so_far)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::data::{Dataset, Limits};
    use crate::math::model::{Model, ModelKind};

    fn model(rows: usize, features: usize) -> Objective {
        let data: Vec<Vec<f64>> = (0..rows).map(|_| vec![0.0; features + 1]).collect();
        let data = Dataset::from_rows(&data, Limits::default()).unwrap();
        Objective::Model(Model::new(ModelKind::Linear, data, None, None).unwrap())
    }

    #[test]
    fn a_wide_row_is_over_the_map_budget() {
        assert_eq!(check_scene(&model(2, 3)), Ok(()));
        assert_eq!(check_scene(&model(1000, 4)), Ok(()));
        let e = check_scene(&model(10, 1_000)).unwrap_err();
        assert!(matches!(e, OverBudget::Map { reads: 10_000, .. }));
        assert!(e.to_string().contains("budget is 4000"));
    }

    #[test]
    fn many_rows_are_over_the_step_budget_even_when_the_map_subsamples() {
        assert!(matches!(
            check_scene(&model(150_000, 1)),
            Err(OverBudget::Step { .. })
        ));
    }

    #[test]
    fn long_claims_on_big_data_are_refused_short_ones_pass() {
        let big = model(100_000, 1);
        assert!(check_claim(&big, 99_998, 0).is_err());
        assert_eq!(check_claim(&big, 100, 0), Ok(40_000_000));
        // The claims of one lesson add up.
        assert!(check_claim(&big, 200, 40_000_000).is_err());
        let f = Objective::Formula(crate::math::Formula::parse("x^2 + y^2").unwrap());
        assert_eq!(check_claim(&f, 99_999, 0), Ok(99_999 * 18));
    }
}
