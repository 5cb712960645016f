//! Keeps a contour chart's [`ContourBase`] between frames. Sampling the loss at every cell
//! corner is most of a chart's cost, yet between two steps nothing it depends on moves; only
//! the path, the point and the arrow do. The cache rebuilds the base exactly when the caller's
//! key (window, loss, size, glyphs, levels, …) changes, and counts the rebuilds so tests can
//! check that a step reuses it and every real change does not.

use std::fmt;

use super::ContourBase;

/// One cached [`ContourBase`] under a key `K` that names everything the base depends on.
pub struct ContourCache<K> {
    entry: Option<(K, ContourBase)>,
    rebuilds: u64,
}

impl<K> ContourCache<K> {
    pub fn new() -> ContourCache<K> {
        ContourCache {
            entry: None,
            rebuilds: 0,
        }
    }

    /// The cached base when `fresh` accepts its key, otherwise the one `build` makes (which
    /// then replaces it). `fresh` compares against the caller's borrowed inputs so that a
    /// frame that reuses the base copies nothing to make a key.
    pub fn get_or_build(
        &mut self,
        fresh: impl FnOnce(&K) -> bool,
        build: impl FnOnce() -> (K, ContourBase),
    ) -> &ContourBase {
        let stale = !matches!(&self.entry, Some((k, _)) if fresh(k));
        if stale {
            self.rebuilds += 1;
            self.entry = Some(build());
        }
        match &self.entry {
            Some((_, base)) => base,
            None => unreachable!("the entry was just built"),
        }
    }

    /// How many bases were built so far (the first one included).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds
    }
}

impl<K> Default for ContourCache<K> {
    fn default() -> Self {
        ContourCache::new()
    }
}

/// A copy starts empty: the cache holds no state of its own, only work it can redo, and a
/// copied base (up to a few hundred kB at a big terminal) is rarely drawn again.
impl<K> Clone for ContourCache<K> {
    fn clone(&self) -> Self {
        ContourCache::new()
    }
}

impl<K> fmt::Debug for ContourCache<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContourCache")
            .field("filled", &self.entry.is_some())
            .field("rebuilds", &self.rebuilds)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ContourSpec, Glyphs, Levels, Window};

    fn base(f: &dyn Fn(f64, f64) -> f64) -> ContourBase {
        let spec = ContourSpec {
            f: &f,
            window: Window::new(-1.0, 1.0, -1.0, 1.0),
            levels: Levels::default(),
            path: &[],
            next: None,
            others: &[],
            x_label: "x",
            y_label: "y",
            glyphs: Glyphs::Ascii,
        };
        ContourBase::new(&spec, 30, 12, &crate::chart::Words::EN)
    }

    #[test]
    fn rebuilds_only_when_the_key_changes() {
        let mut cache: ContourCache<u32> = ContourCache::new();
        let bowl = |x: f64, y: f64| x * x + y * y;
        let mut builds = 0;
        for key in [1, 1, 1, 2, 2, 1] {
            cache.get_or_build(
                |k| *k == key,
                || {
                    builds += 1;
                    (key, base(&bowl))
                },
            );
        }
        assert_eq!(builds, 3);
        assert_eq!(cache.rebuilds(), 3);
        // A copy is empty and rebuilds on first use.
        let mut copy = cache.clone();
        copy.get_or_build(|_| true, || (1, base(&bowl)));
        assert_eq!(copy.rebuilds(), 1);
    }
}
