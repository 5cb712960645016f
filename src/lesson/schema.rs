//! The lesson file format, exactly as written in TOML. Every value that validation may complain
//! about is `Spanned`, so a message can point at the line and column where the author typed it.
//! Unknown keys are rejected (a typo like `fromula` should fail loudly, not be ignored).
//!
//! These raw types are checked and turned into the plain types of [`super::model`] by
//! [`super::build`]; nothing outside the lesson module needs them.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

pub type S<T> = Spanned<T>;

/// A whole lesson file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLesson {
    pub id: S<String>,
    pub order: S<i64>,
    pub title: S<RawText>,
    pub summary: S<RawText>,
    pub scene: S<RawScene>,
    #[serde(default, rename = "page")]
    pub pages: Vec<S<RawPage>>,
    #[serde(default, rename = "check")]
    pub checks: Vec<S<RawClaim>>,
}

/// `{ zh = "...", en = "..." }`. Both are optional here so that a missing one is reported as
/// "the English text is missing" with a place, instead of serde's generic message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawText {
    pub zh: Option<S<String>>,
    pub en: Option<S<String>>,
}

/// The scene: what is on screen and how it steps. In `[scene]` it is the base; in a page's
/// `set` every key is optional and overrides the base from that page on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScene {
    pub view: Option<S<String>>,
    pub formula: Option<S<String>>,
    pub vars: Option<S<Vec<S<String>>>>,
    pub model: Option<S<String>>,
    /// Inline data: one row per example, features then the label (as in a CSV file).
    pub rows: Option<S<Vec<S<Vec<f64>>>>>,
    /// A CSV file, relative to the lesson file.
    pub csv: Option<S<String>>,
    pub batch_size: Option<S<i64>>,
    /// A seed: shuffle the examples of each epoch in an order fixed by it.
    pub shuffle: Option<S<i64>>,
    pub start: Option<S<Vec<f64>>>,
    pub lr: Option<S<f64>>,
    /// `lr_decay = d`: the main run's η falls as η_k = η/(1 + k·d) (SLP §5.6's η_k).
    pub lr_decay: Option<S<f64>>,
    pub optimizer: Option<S<String>>,
    pub momentum: Option<S<f64>>,
    pub alpha: Option<S<f64>>,
    pub beta1: Option<S<f64>>,
    pub beta2: Option<S<f64>>,
    pub eps: Option<S<f64>>,
    pub window: Option<S<RawWindow>>,
    pub axes: Option<S<Vec<S<String>>>>,
    pub stop: Option<S<RawStop>>,
    pub race: Option<S<Vec<S<RawRacer>>>>,
    pub dial: Option<S<RawDial>>,
    /// The parameters as the page's text writes them (`["θ₁", "θ₀"]`), in parameter order.
    pub param_names: Option<S<Vec<String>>>,
    /// The loss as the page's text writes it (`"J"`); default L.
    pub loss_name: Option<S<String>>,
    /// The main run's legend (`"batch GD"`, or `{ zh = "批量 GD", en = "batch GD" }`);
    /// default its optimizer and η.
    pub label: Option<S<RawLabel>>,
}

/// A run's legend: one text for both languages, or one per language. The English one names
/// the run in `[[check]] racer = ...`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawLabel {
    Both(String),
    Each { zh: String, en: String },
}

impl RawLabel {
    /// The English text (the run's name in claims) and the Chinese one when it differs.
    pub fn texts(&self) -> (&str, Option<&str>) {
        match self {
            RawLabel::Both(s) => (s, None),
            RawLabel::Each { zh, en } => (en, Some(zh)),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    pub x: Option<S<Vec<f64>>>,
    pub y: Option<S<Vec<f64>>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStop {
    pub tol: Option<S<f64>>,
    pub on: Option<S<String>>,
    pub max_steps: Option<S<i64>>,
}

/// The Taylor view's direction dial: where v starts and how long the probe step is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDial {
    pub angle: Option<S<f64>>,
    pub step: Option<S<f64>>,
}

/// A second run on the same surface; every key defaults to the scene's own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRacer {
    pub label: Option<S<RawLabel>>,
    pub optimizer: Option<S<String>>,
    pub lr: Option<S<f64>>,
    pub start: Option<S<Vec<f64>>>,
    pub batch_size: Option<S<i64>>,
    pub momentum: Option<S<f64>>,
    pub alpha: Option<S<f64>>,
    pub beta1: Option<S<f64>>,
    pub beta2: Option<S<f64>>,
    pub eps: Option<S<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    pub zh: Option<S<String>>,
    pub en: Option<S<String>>,
    pub set: Option<S<RawScene>>,
    /// `continue = true`: the page keeps the run the learner has from the page before instead
    /// of opening with its own state. Without it every page opens fresh.
    #[serde(rename = "continue")]
    pub continues: Option<S<bool>>,
    /// `hide = ["grad", "next"]`: quantities this page's panel shows as `?` whatever its own
    /// question's state, because a later page asks for them at the same point (linear
    /// regression's first page would otherwise show the next two pages' answers).
    pub hide: Option<S<RawAsks>>,
    pub exercise: Option<S<RawExercise>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExercise {
    /// `"number"` (the default: a number or a sign in `answer`), `"predict"` (θ next of the
    /// page's run, computed, so no `answer`), `"derivative"` (a formula for ∂f/∂`of`) or
    /// `"direction"` (aim v at −∇L in the Taylor view).
    pub kind: Option<S<String>>,
    /// A derivative exercise's variable (`of = "x"` asks for ∂f/∂x), or with `vary` and a
    /// numeric answer the parameter whose component is asked (`of = "y"`).
    pub of: Option<S<String>>,
    /// A direction exercise's tolerance in degrees (default 3).
    pub tol_deg: Option<S<f64>>,
    pub prompt: S<RawText>,
    pub answer: Option<S<RawAnswer>>,
    pub tol: Option<S<f64>>,
    /// Which number of the run the answer is (`"grad"`, `"loss"`, `"step"`, `"next"`,
    /// `"stop"`, `"dot"`), hidden on screen while the question is open; a list
    /// (`["loss", "grad"]`) hides the others too, the first being what the answer is.
    pub asks: Option<S<RawAsks>>,
    pub hint: Option<S<RawText>>,
    pub explain: S<RawText>,
    /// A name for the learner's progress file (default `pN.1`, page N's exercise), so moving
    /// the exercise to another page keeps who solved it.
    pub id: Option<S<String>>,
    /// Fresh variants: `vary = { start = [[2], [-3]] }`; the answer is computed per start.
    pub vary: Option<S<RawVary>>,
}

/// `vary = { start = [[2], [-3]] }`: other starts the question is asked at.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVary {
    pub start: S<Vec<S<Vec<f64>>>>,
}

/// `asks = "grad"` or `asks = ["grad", "next"]`: one name or a list of them.
#[derive(Debug, Clone, PartialEq)]
pub struct RawAsks(pub Vec<String>);

impl RawAsks {
    /// The first name: what a question's answer is a number of.
    pub fn first(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }
}

impl<'de> Deserialize<'de> for RawAsks {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAsks;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name (\"grad\") or a list of names ([\"grad\", \"next\"])")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAsks, E> {
                Ok(RawAsks(vec![v.to_string()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawAsks, A::Error> {
                let mut names = Vec::new();
                while let Some(n) = seq.next_element::<String>()? {
                    names.push(n);
                }
                Ok(RawAsks(names))
            }
        }
        d.deserialize_any(V)
    }
}

/// `answer = 10` or `answer = "-"`.
#[derive(Debug, Clone, PartialEq)]
pub enum RawAnswer {
    Number(f64),
    Sign(String),
}

impl<'de> Deserialize<'de> for RawAnswer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawAnswer;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number (answer = 10) or a sign (answer = \"+\" or \"-\")")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawAnswer, E> {
                Ok(RawAnswer::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawAnswer, E> {
                Ok(RawAnswer::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawAnswer, E> {
                Ok(RawAnswer::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAnswer, E> {
                Ok(RawAnswer::Sign(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Something the lesson asserts about its own numbers, verified by `gradstep check`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClaim {
    /// The page whose scene is run (1-based, as an author counts pages); default the base.
    pub page: Option<S<i64>>,
    /// A racer's label; default the main run.
    pub racer: Option<S<String>>,
    /// Step t at which `value`, `grad` and `params` hold.
    pub at: Option<S<i64>>,
    pub value: Option<S<f64>>,
    pub grad: Option<S<Vec<f64>>>,
    pub params: Option<S<Vec<f64>>>,
    pub tol: Option<S<f64>>,
    /// Run this many steps (stopping early if the stop rule says so), then compare `status`.
    pub after: Option<S<i64>>,
    pub status: Option<S<String>>,
    /// With `after`: the step at which the run stopped.
    pub stopped_at: Option<S<i64>>,
}
