//! The "point the direction" exercise of the Taylor view: the learner turns the probe
//! direction v with the arrow keys and confirms with Enter; it is right within a few degrees of
//! −∇L, the direction of steepest descent. The feedback gives cos φ with φ the angle between v
//! and ∇L, the same φ the Taylor page defines and the Numbers panel shows (∇L·v = ‖∇L‖cos φ):
//! steepest descent is cos φ = −1. One φ on screen, not a second one measured from −∇L under
//! the same letter, so the panel's 180° and the feedback's −1 say the same thing.

use super::predict::Graded;
use super::text::Text;

/// Default tolerance of a direction answer, in degrees: the fine turn is 1°, so 3° asks for
/// care without asking for luck.
pub const DEFAULT_TOL_DEG: f64 = 3.0;

/// Where v points and the gradient it is judged against, in the chart's two axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aim {
    /// v's direction, radians counter-clockwise from the first axis.
    pub angle: f64,
    /// ∇L's components along the two axes.
    pub grad: (f64, f64),
}

impl Aim {
    /// cos φ, φ the angle between v and ∇L (−1 straight downhill); None when ∇L is zero (no
    /// direction is downhill).
    pub fn cos_phi(&self) -> Option<f64> {
        let (gx, gy) = self.grad;
        let norm = gx.hypot(gy);
        (norm > 0.0 && norm.is_finite())
            .then(|| ((gx * self.angle.cos() + gy * self.angle.sin()) / norm).clamp(-1.0, 1.0))
    }

    /// −∇L's direction in degrees, 0 ≤ a < 360: the answer, for the reveal only.
    pub fn downhill_deg(&self) -> f64 {
        (-self.grad.1)
            .atan2(-self.grad.0)
            .to_degrees()
            .rem_euclid(360.0)
    }

    /// How far v must turn to reach −∇L, degrees in (−180, 180]; positive is
    /// counter-clockwise.
    fn turn_deg(&self) -> f64 {
        let d = (self.downhill_deg() - self.angle.to_degrees()).rem_euclid(360.0);
        if d > 180.0 { d - 360.0 } else { d }
    }
}

/// Grades v against −∇L within `tol_deg`. Right or wrong, the note gives the cos φ reached;
/// a wrong one also says which way to turn.
pub fn grade(aim: &Aim, tol_deg: f64) -> (Graded, Option<Text>) {
    let Some(cos) = aim.cos_phi() else {
        return (
            Graded::Unreadable(Text::new(
                "这里梯度为零：没有哪个方向是下坡",
                "the gradient is zero here: no direction is downhill",
            )),
            None,
        );
    };
    let reached = format!("cos φ = {}", crate::numfmt::sig(cos, 4).replace('-', "−"));
    let turn = aim.turn_deg();
    if turn.abs() <= tol_deg + 1e-9 {
        let note = Text::new(
            format!("{reached}：v 几乎正对 −∇L"),
            format!("{reached}: v points down −∇L"),
        );
        return (Graded::Correct, Some(note.clone()));
    }
    let (zh, en) = if turn > 0.0 {
        ("逆时针转（← 或 ,）", "turn counter-clockwise (← or ,)")
    } else {
        ("顺时针转（→ 或 .）", "turn clockwise (→ or .)")
    };
    let note = Text::new(
        format!("{reached}，还不是 −1：{zh}"),
        format!("{reached}, not yet −1: {en}"),
    );
    (Graded::Wrong(note.clone()), Some(note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Lang;

    fn aim(deg: f64) -> Aim {
        // ∇L = (1, 1): −∇L points at 225°.
        Aim {
            angle: deg.to_radians(),
            grad: (1.0, 1.0),
        }
    }

    #[test]
    fn within_the_tolerance_is_right_and_shows_cos_phi() {
        let (g, note) = grade(&aim(227.0), DEFAULT_TOL_DEG);
        assert_eq!(g, Graded::Correct);
        assert_eq!(
            note.unwrap().get(Lang::En),
            "cos φ = −0.9994: v points down −∇L"
        );
        assert_eq!(aim(0.0).downhill_deg(), 225.0);
    }

    #[test]
    fn a_wrong_aim_says_which_way_to_turn() {
        let (g, _) = grade(&aim(180.0), DEFAULT_TOL_DEG);
        let Graded::Wrong(h) = g else { panic!() };
        assert_eq!(
            h.get(Lang::En),
            "cos φ = −0.7071, not yet −1: turn counter-clockwise (← or ,)"
        );
        let (g, _) = grade(&aim(300.0), DEFAULT_TOL_DEG);
        let Graded::Wrong(h) = g else { panic!() };
        assert!(h.get(Lang::En).ends_with("turn clockwise (→ or .)"));
        assert!(h.get(Lang::Zh).contains("顺时针"));
        // Across 0°: from 10° the short way to 225° is clockwise.
        let (g, _) = grade(&aim(10.0), DEFAULT_TOL_DEG);
        let Graded::Wrong(h) = g else { panic!() };
        assert!(
            h.get(Lang::En).contains("cos φ = 0.8192"),
            "{}",
            h.get(Lang::En)
        );
        assert!(h.get(Lang::En).ends_with("clockwise (→ or .)"));
    }

    #[test]
    fn a_flat_point_cannot_be_graded() {
        let a = Aim {
            angle: 0.0,
            grad: (0.0, 0.0),
        };
        assert!(matches!(grade(&a, 3.0).0, Graded::Unreadable(_)));
    }
}
