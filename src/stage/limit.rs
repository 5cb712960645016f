//! Where η meets the stability limit 2/λmax of the Hessian at the current point: the ladder of
//! `+`/`-` may land exactly on it (0.09 → 0.1 in the narrow valley, where λmax = 20), and a
//! learner should be told rather than left to wonder why y bounces forever.

use crate::lesson::Lang;
use crate::math::Objective;

/// How η sits against 2/λmax along the steepest curvature direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edge {
    /// η·λmax = 2: that direction is multiplied by −1 each step, neither shrinking nor growing.
    On { limit: f64 },
    /// η·λmax > 2: that direction grows each step.
    Above { limit: f64 },
}

/// The largest eigenvalue of a symmetric 1×1 or 2×2 matrix; `None` for larger ones (the
/// lessons' surfaces have two parameters; a model's Hessian is not computed here).
fn lambda_max(h: &[Vec<f64>]) -> Option<f64> {
    match h.len() {
        1 => Some(h[0][0]),
        2 => {
            let (a, b, d) = (h[0][0], h[0][1], h[1][1]);
            let mean = (a + d) / 2.0;
            let r = (((a - d) / 2.0).powi(2) + b * b).sqrt();
            Some(mean + r)
        }
        _ => None,
    }
}

/// η against 2/λmax at θ, for a formula with a positive λmax; `None` below the limit or when
/// there is nothing to compare (a model, a concave point, a non-finite Hessian).
pub fn edge(objective: &Objective, theta: &[f64], lr: f64) -> Option<Edge> {
    let Objective::Formula(f) = objective else {
        return None;
    };
    let (_, _, h) = f.hessian(theta);
    let lam = lambda_max(&h)?;
    if !(lam.is_finite() && lam > 0.0) {
        return None;
    }
    let limit = 2.0 / lam;
    let ratio = lr / limit;
    if (ratio - 1.0).abs() < 1e-9 {
        Some(Edge::On { limit })
    } else if ratio > 1.0 {
        Some(Edge::Above { limit })
    } else {
        None
    }
}

impl Edge {
    /// A one-line notice for the tutor's status line.
    pub fn worded(self, lang: Lang, lr: f64) -> String {
        let eta = crate::numfmt::short(lr);
        match (self, lang) {
            (Edge::On { .. }, Lang::En) => {
                format!("η = {eta} = 2/λmax here: the steepest direction flips sign forever")
            }
            (Edge::On { .. }, Lang::Zh) => {
                format!("η = {eta} 恰好是 2/λmax：最陡方向每步只变号，永不收敛")
            }
            (Edge::Above { limit }, Lang::En) => format!(
                "η = {eta} > 2/λmax = {} here: the steepest direction grows",
                crate::numfmt::short(limit)
            ),
            (Edge::Above { limit }, Lang::Zh) => format!(
                "η = {eta} 超过 2/λmax = {}：最陡方向越走越远",
                crate::numfmt::short(limit)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Formula;

    fn valley() -> Objective {
        Objective::Formula(Formula::parse("0.1*x^2 + 10*y^2").unwrap())
    }

    #[test]
    fn the_narrow_valley_has_its_edge_at_one_tenth() {
        let o = valley();
        assert_eq!(edge(&o, &[-4.0, 1.0], 0.09), None);
        assert!(
            matches!(edge(&o, &[-4.0, 1.0], 0.1), Some(Edge::On { limit }) if (limit - 0.1).abs() < 1e-12)
        );
        assert!(matches!(
            edge(&o, &[-4.0, 1.0], 0.2),
            Some(Edge::Above { .. })
        ));
    }

    #[test]
    fn an_off_diagonal_hessian_uses_its_eigenvalue() {
        // x² + xy + y²: Hessian [[2,1],[1,2]], eigenvalues 1 and 3, limit 2/3.
        let o = Objective::Formula(Formula::parse("x^2 + x*y + y^2").unwrap());
        assert_eq!(edge(&o, &[3.0, 4.0], 0.6), None);
        assert!(matches!(
            edge(&o, &[3.0, 4.0], 0.7),
            Some(Edge::Above { .. })
        ));
    }
}
