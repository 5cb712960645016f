//! A run's visited points, kept in chunks of fixed size so that a point never moves as the
//! history grows.
//!
//! A `Vec` that outgrows its storage moves every point into new storage twice the size. On a
//! server whose class steps in lockstep, every session outgrows it at the same step (64, 128,
//! …) in the same quarter second, and the copies and the fresh memory behind them came to all
//! sessions at once: at 2,000 sessions the step-64 frame took about twice its neighbours'
//! time. Here a full chunk stays where it is and the next point starts a new one.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Index;

use super::Point;

/// Points per chunk: 64 points of about 120 bytes, one small allocation, and few chunks for
/// the longest run (`MAX_HISTORY`).
const CHUNK: usize = 64;

/// The points θ_0 … θ_t of a run, oldest first; never empty.
pub struct History {
    /// Each holds up to `CHUNK` points, and has room for them from the start; all but the
    /// first and last are full.
    chunks: VecDeque<Vec<Point>>,
    /// Slots at the front of the first chunk whose points were forgotten
    /// ([`History::forget_before`]): the first chunk holds at most `CHUNK - head` points.
    head: usize,
    len: usize,
}

impl History {
    pub fn new(first: Point) -> History {
        let mut chunk = Vec::with_capacity(CHUNK);
        chunk.push(first);
        History {
            chunks: VecDeque::from([chunk]),
            head: 0,
            len: 1,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a history holds at least its start point.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&Point> {
        if i >= self.len {
            return None;
        }
        let (chunk, slot) = self.place(i);
        self.chunks[chunk].get(slot)
    }

    /// The newest point.
    pub fn last(&self) -> &Point {
        self.chunks
            .back()
            .and_then(|c| c.last())
            .expect("a history always holds its start point")
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Point> + Clone {
        self.chunks.iter().flatten()
    }

    pub fn to_vec(&self) -> Vec<Point> {
        self.iter().cloned().collect()
    }

    pub fn push(&mut self, point: Point) {
        let room = if self.chunks.len() == 1 {
            CHUNK - self.head
        } else {
            CHUNK
        };
        match self.chunks.back_mut() {
            Some(last) if last.len() < room => last.push(point),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(point);
                self.chunks.push_back(chunk);
            }
        }
        self.len += 1;
    }

    /// Removes the newest point unless it is the only one.
    pub fn pop(&mut self) -> Option<Point> {
        if self.len <= 1 {
            return None;
        }
        let last = self.chunks.back_mut()?;
        let point = last.pop();
        if last.is_empty() {
            self.chunks.pop_back();
        }
        self.len -= 1;
        point
    }

    /// Keeps the oldest `n` points (at least one).
    pub fn truncate(&mut self, n: usize) {
        while self.len > n.max(1) {
            self.pop();
        }
    }

    /// Drops the oldest `k` points, all but the newest at most. Whole chunks go; the points left
    /// in a chunk partly forgotten move to its front (at most `CHUNK - 1`, and no allocation).
    pub fn forget_before(&mut self, k: usize) {
        let mut k = k.min(self.len - 1);
        while k > 0 {
            let first = &mut self.chunks[0];
            if k >= first.len() {
                k -= first.len();
                self.len -= first.len();
                self.chunks.pop_front();
                self.head = 0;
            } else {
                first.drain(..k);
                self.head += k;
                self.len -= k;
                k = 0;
            }
        }
    }

    /// The chunk and the slot in it that hold point `i`.
    fn place(&self, i: usize) -> (usize, usize) {
        let first = CHUNK - self.head;
        if i < first {
            (0, i)
        } else {
            let rest = i - first;
            (1 + rest / CHUNK, rest % CHUNK)
        }
    }
}

impl Index<usize> for History {
    type Output = Point;

    fn index(&self, i: usize) -> &Point {
        self.get(i).unwrap_or_else(|| {
            panic!(
                "point {i} of a history of {} points was asked for",
                self.len
            )
        })
    }
}

impl<'a> IntoIterator for &'a History {
    type Item = &'a Point;
    type IntoIter = std::iter::Flatten<std::collections::vec_deque::Iter<'a, Vec<Point>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

/// Each chunk of the copy has room for a whole chunk too (a derived clone would fit each to
/// its points, and the first step after the clone would move them again).
impl Clone for History {
    fn clone(&self) -> History {
        let chunks = self
            .chunks
            .iter()
            .map(|c| {
                let mut copy = Vec::with_capacity(CHUNK);
                copy.extend_from_slice(c);
                copy
            })
            .collect();
        History {
            chunks,
            head: self.head,
            len: self.len,
        }
    }
}

/// Two histories are equal when they hold the same points, however they are chunked.
impl PartialEq for History {
    fn eq(&self, other: &History) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::optimizer::State;
    use proptest::prelude::*;

    fn point(t: usize) -> Point {
        Point {
            t,
            params: vec![t as f64],
            value: t as f64,
            grad: vec![-(t as f64)],
            opt: State::None,
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push,
        Pop,
        Truncate(usize),
        Forget(usize),
        Clone,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => Just(Op::Push),
            2 => Just(Op::Pop),
            1 => (0..200usize).prop_map(Op::Truncate),
            1 => (0..200usize).prop_map(Op::Forget),
            1 => Just(Op::Clone),
        ]
    }

    proptest! {
        /// Whatever a run and its look-ahead do to a history, it reads as the plain list of
        /// points would: in order, by index, newest last.
        #[test]
        fn reads_as_a_plain_list(ops in prop::collection::vec(op(), 0..600)) {
            let mut h = History::new(point(0));
            let mut model = vec![point(0)];
            let mut t = 0;
            for op in ops {
                match op {
                    Op::Push => {
                        t += 1;
                        h.push(point(t));
                        model.push(point(t));
                    }
                    Op::Pop => {
                        let expect = (model.len() > 1).then(|| model.pop().unwrap());
                        prop_assert_eq!(h.pop(), expect);
                    }
                    Op::Truncate(n) => {
                        h.truncate(n);
                        model.truncate(n.max(1));
                    }
                    Op::Forget(k) => {
                        h.forget_before(k);
                        model.drain(..k.min(model.len() - 1));
                    }
                    Op::Clone => h = h.clone(),
                }
                prop_assert_eq!(h.len(), model.len());
                prop_assert_eq!(h.last(), model.last().unwrap());
                prop_assert_eq!(h.to_vec(), model.clone());
                prop_assert!(h.iter().rev().eq(model.iter().rev()));
                for (i, p) in model.iter().enumerate() {
                    prop_assert_eq!(&h[i], p);
                }
                prop_assert!(h.get(model.len()).is_none());
            }
        }
    }

    #[test]
    fn a_kept_point_never_moves_as_the_history_grows() {
        let mut h = History::new(point(0));
        let first: *const Point = &h[0];
        let mut kept = vec![first];
        for t in 1..1000 {
            h.push(point(t));
            kept.push(&h[t]);
        }
        // Forgetting whole chunks leaves the rest where they are.
        h.forget_before(2 * CHUNK);
        for (i, p) in kept[2 * CHUNK..].iter().enumerate() {
            assert!(std::ptr::eq(&h[i], *p), "point {} moved", i + 2 * CHUNK);
        }
        let mut copy = h.clone();
        let before: *const Point = copy.last();
        copy.push(point(1000));
        assert!(std::ptr::eq(&copy[copy.len() - 2], before));
    }
}
