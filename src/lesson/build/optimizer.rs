//! The optimizer, η and the stop rule of a scene (and of each racer), from their TOML keys.
//! Range errors come from the math core as facts ([`OutOfRange`]) and are placed on the key
//! the author wrote.

use super::context::{Ctx, count, finite};
use crate::descent::{MAX_HISTORY, StopOn, StopRule};
use crate::lesson::schema::{RawScene, RawStop, S};
use crate::math::optimizer::{Hyper, Kind, Optimizer, check_lr};

/// The five hyper-parameter keys of a scene or racer, in [`Hyper::ALL`] order.
pub(super) type HyperKeys<'a> = [&'a Option<S<f64>>; 5];

pub(super) fn scene_hyper(s: &RawScene) -> HyperKeys<'_> {
    [&s.momentum, &s.alpha, &s.beta1, &s.beta2, &s.eps]
}

/// A hyper-parameter written next to an optimizer that ignores it is a mistake worth naming.
pub(super) fn check_table_hyper(ctx: &mut Ctx, s: &RawScene) {
    hyper_fits(ctx, &s.optimizer, scene_hyper(s));
    if let Some(race) = &s.race {
        for r in race.get_ref() {
            let r = r.get_ref();
            hyper_fits(
                ctx,
                &r.optimizer,
                [&r.momentum, &r.alpha, &r.beta1, &r.beta2, &r.eps],
            );
        }
    }
}

fn hyper_fits(ctx: &mut Ctx, opt: &Option<S<String>>, hyper: HyperKeys) {
    let Some(opt) = opt else { return };
    let Ok(kind) = opt.get_ref().parse::<Kind>() else {
        return;
    };
    for (h, v) in Hyper::ALL.into_iter().zip(hyper) {
        if let Some(v) = v
            && !h.used_by(kind)
        {
            ctx.at(
                v.span(),
                format!("{} has no effect on the {kind} optimizer", h.name()),
            );
        }
    }
}

/// The optimizer named by `kind` (else `base`, else sgd) with the hyper-parameters set here.
pub(super) fn build_optimizer(
    ctx: &mut Ctx,
    base: Option<Optimizer>,
    kind: &Option<S<String>>,
    hyper: HyperKeys,
) -> Option<Optimizer> {
    let mut opt = match (kind, base) {
        (Some(k), _) => match k.get_ref().parse::<Kind>() {
            Ok(kind) => Optimizer::new(kind),
            Err(e) => {
                ctx.at(k.span(), e);
                return None;
            }
        },
        (None, Some(b)) => b,
        (None, None) => Optimizer::new(Kind::Sgd),
    };
    for (h, v) in Hyper::ALL.into_iter().zip(hyper) {
        if let Some(v) = v {
            opt.set(h, *v.get_ref());
        }
    }
    match opt.check_ranges() {
        Ok(()) => Some(opt),
        Err(e) => {
            // The key that is out of range; when it is inherited from the base scene, the
            // optimizer key written here is the nearest place.
            let span = Hyper::ALL
                .into_iter()
                .zip(hyper)
                .find(|(h, _)| h.name() == e.param)
                .and_then(|(_, v)| v.as_ref().map(|v| v.span()))
                .or_else(|| kind.as_ref().map(|k| k.span()))
                .unwrap_or(0..0);
            ctx.at(span, e.to_string());
            None
        }
    }
}

pub(super) fn positive_lr(ctx: &mut Ctx, lr: &S<f64>) -> Option<f64> {
    let v = finite(ctx, lr, "lr")?;
    match check_lr(v) {
        Ok(v) => Some(v),
        Err(e) => {
            ctx.at(lr.span(), e.worded("lr (η)"));
            None
        }
    }
}

pub(super) fn stop_rule(ctx: &mut Ctx, s: &Option<S<RawStop>>) -> Option<StopRule> {
    let Some(s) = s else {
        return Some(StopRule::default());
    };
    let r = s.get_ref();
    let mut rule = StopRule::default();
    let mut ok = true;
    if let Some(t) = &r.tol {
        match finite(ctx, t, "stop.tol") {
            Some(v) if v > 0.0 => rule.tol = Some(v),
            Some(v) => {
                ctx.at(
                    t.span(),
                    format!("stop.tol must be greater than 0, got {v}"),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    if let Some(on) = &r.on {
        match on.get_ref().as_str() {
            "step" => rule.on = StopOn::Step,
            "grad" => rule.on = StopOn::Grad,
            other => {
                ctx.at(
                    on.span(),
                    format!("stop.on must be \"step\" (‖Δθ‖ < tol) or \"grad\" (‖∇L‖ < tol), got '{other}'"),
                );
                ok = false;
            }
        }
    }
    if let Some(m) = &r.max_steps {
        match count(ctx, m, "stop.max_steps", 0) {
            Some(n) if n < MAX_HISTORY => rule.max_steps = Some(n),
            Some(_) => {
                ctx.at(
                    m.span(),
                    format!("stop.max_steps must be below {MAX_HISTORY}"),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    ok.then_some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<T>(at: usize, v: T) -> Option<S<T>> {
        Some(S::new(at..at + 1, v))
    }

    #[test]
    fn the_out_of_range_key_is_named_at_its_place() {
        let src = "optimizer = \"adam\"\nbeta1 = 0.9\nbeta2 = 1.5\n";
        let mut ctx = Ctx::new("f.toml", src);
        let kind = key(12, "adam".to_string());
        let (b1, b2) = (key(27, 0.9), key(39, 1.5));
        let none = None;
        let opt = build_optimizer(&mut ctx, None, &kind, [&none, &none, &b1, &b2, &none]);
        assert_eq!(opt, None);
        assert_eq!(
            ctx.problems[0].to_string(),
            "f.toml:3:9: beta2 must be in [0, 1), got 1.5"
        );
    }

    #[test]
    fn a_hyper_parameter_the_optimizer_ignores_is_named() {
        let mut ctx = Ctx::new("f.toml", "momentum = 0.5\n");
        let scene = RawScene {
            optimizer: key(0, "adam".to_string()),
            momentum: key(11, 0.5),
            ..RawScene::default()
        };
        check_table_hyper(&mut ctx, &scene);
        assert_eq!(
            ctx.problems[0].message,
            "momentum has no effect on the adam optimizer"
        );
    }

    #[test]
    fn lr_and_stop_rule_ranges() {
        let mut ctx = Ctx::new("f.toml", "lr = -1\n");
        assert_eq!(positive_lr(&mut ctx, &S::new(5..7, -1.0)), None);
        assert_eq!(
            ctx.problems[0].message,
            "lr (η) must be greater than 0, got -1"
        );
        let stop = S::new(
            0..1,
            RawStop {
                max_steps: key(0, MAX_HISTORY as i64),
                ..RawStop::default()
            },
        );
        assert_eq!(stop_rule(&mut ctx, &Some(stop)), None);
        assert!(
            ctx.problems[1]
                .message
                .contains("stop.max_steps must be below")
        );
    }
}
