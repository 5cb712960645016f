//! Logistic regression (cross-entropy, SLP §5.6) and linear regression (J = 1/(2m)·Σ(h − y)²)
//! on a data set, with per-example, mini-batch and batch gradients.
//!
//! Parameters are ordered [w1..wn, b]. Which examples step t uses is a pure function of t (and
//! the shuffle seed), so a session can undo and redo any step and get the same batch.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array1, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::data::Dataset;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Logistic,
    Linear,
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "logistic" => Ok(ModelKind::Logistic),
            "linear" => Ok(ModelKind::Linear),
            other => Err(format!("unknown model '{other}' (known: logistic, linear)")),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelKind::Logistic => "logistic",
            ModelKind::Linear => "linear",
        })
    }
}

/// Why a model cannot be built on a data set; the caller names the data and the batch-size
/// setting in its own terms.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("there are no examples")]
    NoExamples,
    /// `line` is where the example came from (file line, or inline example number).
    #[error("the label is {value}, but logistic regression needs 0 or 1")]
    NotBinary { line: u64, value: f64 },
    #[error("the batch size must be at least 1")]
    BatchSizeZero,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub kind: ModelKind,
    pub data: Dataset,
    /// Examples per update: 1 is per-example SGD, m is batch descent.
    pub batch_size: usize,
    /// `Some(seed)` visits the examples of each epoch in a seeded random order.
    pub shuffle: Option<u64>,
}

/// ln(1 + eˣ) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Model {
    pub fn new(
        kind: ModelKind,
        data: Dataset,
        batch_size: Option<usize>,
        shuffle: Option<u64>,
    ) -> Result<Model, ModelError> {
        if data.is_empty() {
            return Err(ModelError::NoExamples);
        }
        if kind == ModelKind::Logistic
            && let Some((i, value)) = data.first_non_binary_label()
        {
            return Err(ModelError::NotBinary {
                line: data.line_of(i),
                value,
            });
        }
        let m = data.len();
        let batch_size = batch_size.unwrap_or(m);
        if batch_size == 0 {
            return Err(ModelError::BatchSizeZero);
        }
        Ok(Model {
            kind,
            data,
            batch_size: batch_size.min(m),
            shuffle,
        })
    }

    pub fn dim(&self) -> usize {
        self.data.n_features() + 1
    }

    /// `w1..wn, b`, or the header's feature names as `w_name` when the file had a header.
    pub fn param_names(&self) -> Vec<String> {
        let n = self.data.n_features();
        let mut names: Vec<String> = (1..=n).map(|i| format!("w{i}")).collect();
        names.push("b".into());
        names
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.data.len().div_ceil(self.batch_size)
    }

    /// The examples update t uses: epoch t / B, batch t mod B of that epoch's order.
    /// The last batch of an epoch may be smaller.
    pub fn batch_for_step(&self, t: usize) -> Vec<usize> {
        let b = self.batches_per_epoch();
        let (epoch, k) = (t / b, t % b);
        let mut order: Vec<usize> = (0..self.data.len()).collect();
        if let Some(seed) = self.shuffle {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(epoch as u64);
            order.shuffle(&mut rng);
        }
        let start = k * self.batch_size;
        let end = (start + self.batch_size).min(order.len());
        order[start..end].to_vec()
    }

    /// z = X·w + b for the chosen examples.
    fn scores(&self, theta: &[f64], idx: &[usize]) -> Array1<f64> {
        let n = self.data.n_features();
        let w = Array1::from(theta[..n].to_vec());
        let b = theta[n];
        let x = self.data.x.select(Axis(0), idx);
        x.dot(&w) + b
    }

    /// The cost averaged over the chosen examples.
    pub fn cost_on(&self, theta: &[f64], idx: &[usize]) -> f64 {
        if theta.len() != self.dim() || idx.is_empty() {
            return f64::NAN;
        }
        let z = self.scores(theta, idx);
        let y = self.data.y.select(Axis(0), idx);
        let m = idx.len() as f64;
        match self.kind {
            // −[y·ln σ(z) + (1 − y)·ln(1 − σ(z))] = y·softplus(−z) + (1 − y)·softplus(z)
            ModelKind::Logistic => {
                z.iter()
                    .zip(y.iter())
                    .map(|(&z, &y)| y * softplus(-z) + (1.0 - y) * softplus(z))
                    .sum::<f64>()
                    / m
            }
            ModelKind::Linear => {
                z.iter()
                    .zip(y.iter())
                    .map(|(&h, &y)| (h - y).powi(2))
                    .sum::<f64>()
                    / (2.0 * m)
            }
        }
    }

    /// The cost over the whole data set.
    pub fn cost(&self, theta: &[f64]) -> f64 {
        let all: Vec<usize> = (0..self.data.len()).collect();
        self.cost_on(theta, &all)
    }

    /// ŷ for the chosen examples: σ(w·x + b) (logistic) or w·x + b (linear), in `idx` order;
    /// empty when θ does not fit the model.
    pub fn predictions_on(&self, theta: &[f64], idx: &[usize]) -> Vec<f64> {
        if theta.len() != self.dim() {
            return vec![];
        }
        let z = self.scores(theta, idx);
        match self.kind {
            ModelKind::Logistic => z.mapv(sigmoid).to_vec(),
            ModelKind::Linear => z.to_vec(),
        }
    }

    /// The gradient averaged over the chosen examples: (1/m)·Σ (ŷ − y)·x_j, and (1/m)·Σ (ŷ − y)
    /// for b, where ŷ = σ(z) (logistic) or z (linear).
    pub fn gradient_on(&self, theta: &[f64], idx: &[usize]) -> Vec<f64> {
        let n = self.data.n_features();
        if theta.len() != self.dim() || idx.is_empty() {
            return vec![f64::NAN; self.dim()];
        }
        let z = self.scores(theta, idx);
        let y = self.data.y.select(Axis(0), idx);
        let yhat = match self.kind {
            ModelKind::Logistic => z.mapv(sigmoid),
            ModelKind::Linear => z,
        };
        let err = yhat - y;
        let m = idx.len() as f64;
        let x = self.data.x.select(Axis(0), idx);
        let gw = x.t().dot(&err) / m;
        let mut g: Vec<f64> = gw.to_vec();
        debug_assert_eq!(g.len(), n);
        g.push(err.sum() / m);
        g
    }
}
