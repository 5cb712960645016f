//! Which values get an isoline.
//!
//! A loss bowl is steep at the rim and flat at the bottom, so evenly spaced levels would crowd
//! the rim and leave the interesting middle empty. When the lowest sampled value lies inside
//! the window (a bowl), levels are spaced *geometrically* above it: `min + d` with `d` running
//! over round numbers (1, 2, 5 × 10^k, or 1, 10, 100 … for huge ranges) from a small quantile
//! of the sampled values up to a large one, so the inner rings show. When the minimum is on the
//! window's edge (a saddle, a slope, a zoomed-in flank) evenly spaced round levels are used,
//! between robust quantiles so a few huge values can't squash everything into one band.
//! Non-finite samples are ignored; a flat function gets no levels.
//!
//! One exception to the edge rule: a loss whose values above the minimum span more than two
//! decades (Rosenbrock's valley seen from its rim: 1 on the floor, 700 on the walls) gets the
//! geometric levels too, or evenly spaced ones (100, 200, …) would leave the floor, where the
//! descent crawls, without a single line. The chart's legend then says "log levels".

/// How the isoline values are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Levels {
    /// About this many levels, chosen from the sampled values (see the module doc).
    Auto(usize),
    /// Exactly these values (non-finite ones dropped, sorted, deduplicated, at most
    /// [`MAX_LEVELS`]).
    Explicit(Vec<f64>),
}

/// Levels are named `a`…`z` in the chart, so there are at most 26.
pub const MAX_LEVELS: usize = 26;

impl Default for Levels {
    fn default() -> Self {
        Levels::Auto(7)
    }
}

/// The sampled grid seen by the level chooser: values, row-major, `cols × rows`.
pub struct Samples<'a> {
    pub values: &'a [f64],
    pub cols: usize,
    pub rows: usize,
}

/// Nearest-rank quantile of finite, unsorted `v` (reorders `v`).
fn quantile(v: &mut [f64], q: f64) -> f64 {
    let k = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    *x
}

/// Chooses the levels for `samples` (see the module doc). Returns sorted, distinct, finite
/// values; empty when nothing finite or nothing varies.
pub fn choose(levels: &Levels, s: &Samples) -> Vec<f64> {
    choose_spaced(levels, s).0
}

/// [`choose`], and whether the levels are log-spaced for a wide range (see the module doc),
/// which the legend must say.
pub fn choose_spaced(levels: &Levels, s: &Samples) -> (Vec<f64>, bool) {
    match levels {
        Levels::Explicit(v) => {
            let mut v: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            v.dedup();
            v.truncate(MAX_LEVELS);
            (v, false)
        }
        Levels::Auto(n) => auto(*n, s),
    }
}

/// How many times wider than the low end the range above the minimum must be (two decades)
/// before the levels go geometric with the minimum on the window's edge.
const WIDE: f64 = 100.0;

fn auto(n: usize, s: &Samples) -> (Vec<f64>, bool) {
    let n = n.clamp(1, MAX_LEVELS);
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut argmin = 0;
    let mut finite: Vec<f64> = Vec::with_capacity(s.values.len());
    for (i, &v) in s.values.iter().enumerate() {
        if v.is_finite() {
            if v < min {
                min = v;
                argmin = i;
            }
            max = max.max(v);
            finite.push(v);
        }
    }
    if finite.is_empty() || !(max - min).is_finite() {
        // Nothing finite, or a range past f64: fall back to quantile-based linear levels.
        if finite.len() < 2 {
            return (Vec::new(), false);
        }
    }
    let scale = min.abs().max(max.abs());
    if max - min <= scale * 1e-12 || max == min {
        return (Vec::new(), false);
    }
    let (col, row) = (argmin % s.cols.max(1), argmin / s.cols.max(1));
    let interior = col > 0 && row > 0 && col + 1 < s.cols && row + 1 < s.rows;
    if interior {
        return (geometric(n, min, &mut finite), false);
    }
    let low = quantile(&mut finite, 0.03) - min;
    let high = quantile(&mut finite, 0.97) - min;
    if low > 0.0 && high > WIDE * low {
        let v = geometric(n, min, &mut finite);
        if !v.is_empty() {
            return (v, true);
        }
    }
    (linear(n, &mut finite), false)
}

/// `min + d` for round `d` between two quantiles of the offsets above the minimum.
fn geometric(n: usize, min: f64, finite: &mut [f64]) -> Vec<f64> {
    let len = finite.len() as f64;
    // The innermost ring should enclose a handful of samples so it is visible at all.
    // The innermost ring should enclose a few dozen cells, or it is an unreadable knot.
    let q_lo = (40.0 / len).clamp(0.004, 0.15);
    let lo = quantile(finite, q_lo) - min;
    // High enough that the rings reach the window's outer parts, where a descent usually starts.
    let hi = quantile(finite, 0.95) - min;
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return linear(n, finite);
    }
    // Densest round series that gives at most n levels in [lo, hi].
    let series: [&[f64]; 3] = [&[1.0, 2.0, 5.0], &[1.0, 3.0], &[1.0]];
    let mut best = Vec::new();
    for mantissas in series {
        let v = round_series(lo, hi, mantissas, 1, n);
        if v.len() <= n {
            best = v;
            break;
        }
    }
    if best.is_empty() {
        // Very many decades: one level every few decades.
        // Capped: a ratio past f64 (1e-300 … 1e300) must not wrap the step below to -1.
        let decades = (hi / lo).log10().ceil().clamp(1.0, 700.0) as usize;
        let every = decades.div_ceil(n).max(1);
        best = round_series(lo, hi, &[1.0], every, n);
    }
    // Round the base down to the finest offset's decade, so a bowl whose lowest sample is
    // 0.02 gets levels 0.5, 1, 2 rather than 0.52, 1.02, 2.02.
    let unit = 10f64.powf(best.first().copied().unwrap_or(lo).log10().floor());
    let base = (min / unit).floor() * unit;
    let base = if base.is_finite() && base <= min {
        base
    } else {
        min
    };
    let mut out: Vec<f64> = best
        .into_iter()
        .map(|d| base + d)
        .filter(|v| v.is_finite())
        .collect();
    out.dedup();
    out
}

/// Values `m × 10^k` (m from `mantissas`, k stepping by `every`) inside `[lo, hi]`; gives up
/// (returns more than `n`) as soon as it has more than `n`.
fn round_series(lo: f64, hi: f64, mantissas: &[f64], every: usize, n: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let k0 = lo.log10().floor() as i32;
    let k1 = hi.log10().ceil() as i32;
    let mut k = k0;
    while k <= k1 {
        for &m in mantissas {
            let v = m * 10f64.powi(k);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(v);
                if out.len() > n {
                    return out;
                }
            }
        }
        k = k.saturating_add(every.clamp(1, 700) as i32);
    }
    out
}

/// Evenly spaced round levels between the 3 % and 97 % quantiles.
fn linear(n: usize, finite: &mut [f64]) -> Vec<f64> {
    if finite.len() < 2 {
        return Vec::new();
    }
    let lo = quantile(finite, 0.03);
    let hi = quantile(finite, 0.97);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        let mn = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let mx = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (mn, mx)
    };
    if hi <= lo || !(hi - lo).is_finite() {
        return Vec::new();
    }
    // Round values strictly inside, so no isoline hugs the window's edge: the finest step of
    // 1, 2, 2.5 or 5 × 10^k that gives at most n of them (2.5 fills the big gap 2 → 5).
    let mag = 10f64.powf(((hi - lo) / n as f64).log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0].map(|m| m * mag) {
        let first = (lo / step).floor() + 1.0;
        let mut out = Vec::new();
        for k in 0..=n + 1 {
            let v = crate::chart::axis::scaled(first + k as f64, step);
            if v >= hi {
                break;
            }
            out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        }
        if out.len() <= n {
            return out;
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(f: impl Fn(f64, f64) -> f64, n: usize, r: f64) -> Vec<f64> {
        let mut v = Vec::new();
        for j in 0..n {
            for i in 0..n {
                let x = -r + 2.0 * r * i as f64 / (n - 1) as f64;
                let y = r - 2.0 * r * j as f64 / (n - 1) as f64;
                v.push(f(x, y));
            }
        }
        v
    }

    fn auto_levels(v: &[f64], n: usize, side: usize) -> Vec<f64> {
        choose(
            &Levels::Auto(n),
            &Samples {
                values: v,
                cols: side,
                rows: side,
            },
        )
    }

    #[test]
    fn bowl_gets_round_geometric_levels() {
        let v = grid(|x, y| x * x + x * y + y * y, 41, 5.0);
        let l = auto_levels(&v, 7, 41);
        assert_eq!(l, vec![1.0, 2.0, 5.0, 10.0, 20.0]);
    }

    #[test]
    fn saddle_gets_symmetric_linear_levels() {
        let v = grid(|x, y| x * x - y * y, 41, 5.0);
        let l = auto_levels(&v, 7, 41);
        assert!(l.contains(&0.0), "{l:?}");
        assert!(l.len() >= 5 && l.len() <= 7, "{l:?}");
        let first = l[0];
        let last = l[l.len() - 1];
        assert!((first + last).abs() < 1e-9, "{l:?}");
    }

    #[test]
    fn huge_range_bowl_spans_decades() {
        let v = grid(
            |x, y| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2),
            61,
            2.0,
        );
        let l = auto_levels(&v, 6, 61);
        assert!(l.len() >= 4 && l.len() <= 6, "{l:?}");
        assert!(l[l.len() - 1] / l[0] > 100.0, "{l:?}");
    }

    #[test]
    fn flat_nan_and_explicit() {
        assert!(auto_levels(&[3.0; 100], 7, 10).is_empty());
        assert!(auto_levels(&[f64::NAN; 100], 7, 10).is_empty());
        let mut v = grid(|x, y| x * x + y * y, 21, 1.0);
        v[5] = f64::INFINITY;
        v[7] = f64::NAN;
        assert!(!auto_levels(&v, 5, 21).is_empty());
        let e = choose(
            &Levels::Explicit(vec![3.0, f64::NAN, 1.0, 3.0]),
            &Samples {
                values: &[],
                cols: 0,
                rows: 0,
            },
        );
        assert_eq!(e, vec![1.0, 3.0]);
        // One huge outlier doesn't collapse the levels.
        let mut v = grid(|x, y| x + y, 21, 1.0);
        v[3] = 1e300;
        let l = auto_levels(&v, 5, 21);
        assert!(l.len() >= 3, "{l:?}");
    }

    #[test]
    fn a_valley_seen_from_its_rim_gets_log_levels_on_its_floor() {
        // Rosenbrock over x in [-1.9, -0.3], y in [0.35, 1.35]: the minimum sample is on the
        // edge and the values run from about 2 to over 700.
        let (cols, rows) = (61, 41);
        let mut v = Vec::new();
        for j in 0..rows {
            for i in 0..cols {
                let x = -1.9 + 1.6 * i as f64 / (cols - 1) as f64;
                let y = 1.35 - 1.0 * j as f64 / (rows - 1) as f64;
                v.push((1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2));
            }
        }
        let s = Samples {
            values: &v,
            cols,
            rows,
        };
        let (l, log) = choose_spaced(&Levels::Auto(7), &s);
        assert!(log, "{l:?}");
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        // A line within the floor's lowest tenth of the range, where evenly spaced levels
        // (100, 200, …) had none.
        assert!(l[0] < min + 10.0, "{l:?} (min {min})");
        assert!(l[l.len() - 1] > 100.0, "{l:?}");
        // A saddle stays linear and unmarked.
        let v = grid(|x, y| x * x - y * y, 41, 5.0);
        let s = Samples {
            values: &v,
            cols: 41,
            rows: 41,
        };
        assert!(!choose_spaced(&Levels::Auto(7), &s).1);
    }
}
