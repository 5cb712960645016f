//! Exercises: a page asks the learner to type a number, a sign, θ next or a derivative, or to
//! aim v downhill, and this module decides whether the answer is right. Pure functions of the typed text, so the tutor and the tests
//! agree on every verdict.

use super::derivative::Target;
use super::direction::{self, Aim};
use super::predict::{self, Graded, Step};
use super::text::Text;

/// The sign of a quantity, for questions like "which way does the next step go?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Positive,
    Negative,
    Zero,
}

impl Sign {
    /// Reads a sign the way a learner might type it, in either language: `+`, `-`, `−`,
    /// `positive`, `neg`, `正`, `负`, `零`, `0`, ... Case and surrounding spaces do not matter.
    pub fn parse(s: &str) -> Option<Sign> {
        let s = s.trim().to_lowercase();
        match s.as_str() {
            "+" | "positive" | "pos" | "plus" | "正" | "正数" | "正的" | "正号" | "右"
            | "right" => Some(Sign::Positive),
            "-" | "−" | "–" | "negative" | "neg" | "minus" | "负" | "负数" | "负的" | "负号"
            | "左" | "left" => Some(Sign::Negative),
            "0" | "zero" | "零" | "0.0" => Some(Sign::Zero),
            _ => None,
        }
    }

    pub fn of(x: f64) -> Sign {
        if x > 0.0 {
            Sign::Positive
        } else if x < 0.0 {
            Sign::Negative
        } else {
            Sign::Zero
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Positive => "+",
            Sign::Negative => "−",
            Sign::Zero => "0",
        }
    }
}

/// What the learner is expected to type.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A number, right when within `tol` of this value.
    Number { value: f64, tol: f64 },
    /// A sign; a typed number counts by its sign (−3 answers "negative").
    Sign(Sign),
    /// θ next, one number per parameter, each right within `tol`. The value is the run's own
    /// next point ([`Step`]), never written in the lesson.
    Predict { tol: f64 },
    /// A formula equal to this exact partial derivative (checked at sample points).
    Derivative(Box<Target>),
    /// Not typed: v turned to within `tol_deg` of −∇L in the Taylor view, confirmed with Enter.
    Direction { tol_deg: f64 },
}

/// Which number of the run a question asks for, so the screen can hide it while the question
/// is open: a panel that shows `∇L(θ) = 10` under "what is f′(5)?" tests reading, not
/// understanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Asks {
    /// Nothing the panel shows (a limit on η, a property of the Hessian, ...).
    #[default]
    Nothing,
    /// The gradient or one of its components. Everything computed from it is hidden too:
    /// ‖∇L‖, the step and the next point.
    Gradient,
    /// The loss at the current point.
    Loss,
    /// The step Δθ about to be taken (hides the next point as well, since θ next − θ = Δθ).
    Step,
    /// Where the next step lands (hides Δθ as well, for the same reason).
    Next,
    /// The step at which the run stops; the learner finds it by stepping, so nothing is
    /// hidden, but the page text must not say it.
    Stop,
    /// The Taylor view's directional derivative ∇L·v (and ε∇L·v, which gives it): turning v
    /// to the angle a question names would read it off the panel. φ stays shown, since the
    /// question states it.
    Dot,
}

impl Asks {
    /// The names a lesson uses: `asks = "grad"`.
    pub const NAMES: [(&'static str, Asks); 7] = [
        ("nothing", Asks::Nothing),
        ("grad", Asks::Gradient),
        ("loss", Asks::Loss),
        ("step", Asks::Step),
        ("next", Asks::Next),
        ("stop", Asks::Stop),
        ("dot", Asks::Dot),
    ];

    pub fn parse(s: &str) -> Option<Asks> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == s.trim())
            .map(|(_, a)| *a)
    }

    /// What the screen must hide while a question asking this is open.
    pub fn mask(self) -> Mask {
        let mut m = Mask::default();
        match self {
            Asks::Nothing | Asks::Stop => {}
            Asks::Gradient => {
                m.grad = true;
                m.step = true;
                m.next = true;
            }
            Asks::Loss => m.loss = true,
            Asks::Dot => m.dot = true,
            Asks::Step | Asks::Next => {
                m.step = true;
                m.next = true;
            }
        }
        m
    }

    /// What a learner who answered this question has earned: the quantity itself, not what
    /// [`Self::mask`] hides along with it (∇L's question hides θ next too, but answering it
    /// says nothing about θ next, which another page may ask).
    pub fn earned(self) -> Mask {
        match self {
            Asks::Gradient => Mask {
                grad: true,
                ..Mask::default()
            },
            other => other.mask(),
        }
    }

    /// Taking a step would show the answer of a question about the step itself.
    pub fn blocks_stepping(self) -> bool {
        matches!(self, Asks::Step | Asks::Next)
    }
}

impl Mask {
    /// Everything either mask hides.
    /// What this hides and `o` does not.
    pub fn minus(self, o: Mask) -> Mask {
        Mask {
            grad: self.grad && !o.grad,
            loss: self.loss && !o.loss,
            step: self.step && !o.step,
            next: self.next && !o.next,
            angle: self.angle && !o.angle,
            dot: self.dot && !o.dot,
        }
    }

    pub fn union(self, o: Mask) -> Mask {
        Mask {
            grad: self.grad || o.grad,
            loss: self.loss || o.loss,
            step: self.step || o.step,
            next: self.next || o.next,
            angle: self.angle || o.angle,
            dot: self.dot || o.dot,
        }
    }
}

/// The quantities the screen shows as `?` (all false: nothing hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mask {
    /// ∇L and ‖∇L‖.
    pub grad: bool,
    /// L.
    pub loss: bool,
    /// Δθ.
    pub step: bool,
    /// θ next.
    pub next: bool,
    /// The angle between v and ∇L and everything that gives it (∇L·v), in the Taylor view.
    pub angle: bool,
    /// ∇L·v and ε∇L·v in the Taylor view, the angle left shown.
    pub dot: bool,
}

/// A question on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    pub prompt: Text,
    pub answer: Answer,
    /// What the answer is a number of, for masking.
    pub asks: Asks,
    /// Other quantities hidden while the question is open (`asks = ["loss", "grad"]`'s later
    /// names): a number the panel shows can give the answer away without being it.
    pub also: Vec<Asks>,
    /// Shown after the first wrong try.
    pub hint: Option<Text>,
    /// Shown after the second wrong try, and after a right answer: why the answer is what
    /// it is.
    pub explain: Text,
}

impl Exercise {
    /// What the screen hides while this question is open: what `asks` names, and the angle
    /// to ∇L while the question is where v should point.
    pub fn mask(&self) -> Mask {
        let mut m = self
            .also
            .iter()
            .fold(self.asks.mask(), |m, a| m.union(a.mask()));
        m.angle = matches!(self.answer, Answer::Direction { .. });
        m
    }

    /// Taking a step would show an answer: the question (or one of its `asks`) is about the
    /// step itself.
    pub fn blocks_stepping(&self) -> bool {
        self.asks.blocks_stepping() || self.also.iter().any(|a| a.blocks_stepping())
    }
}

/// The verdict on one typed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Correct,
    Wrong,
    /// The text was not an answer of the expected kind; says what to type instead. Does not
    /// count as a try.
    Unreadable(Text),
    /// The learner asked to see the answer: counts as shown, not solved.
    Shown,
}

/// Reads a number as a learner types it: `10`, `-1.5`, `−1.5` (Unicode minus), `1e-6`,
/// `.5`, `3/4`, `0,5` (a decimal comma). Returns None for anything else.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s
        .trim()
        .replace(['−', '–'], "-")
        .replace('＋', "+")
        .replace(' ', "");
    if s.is_empty() {
        return None;
    }
    if let Some((a, b)) = s.split_once('/') {
        let (a, b) = (plain_number(a)?, plain_number(b)?);
        return (b != 0.0).then(|| a / b).filter(|v| v.is_finite());
    }
    plain_number(&s).or_else(|| {
        // One comma and no dot: a decimal comma, as many locales write 0,5.
        if s.matches(',').count() == 1 && !s.contains('.') {
            plain_number(&s.replace(',', "."))
        } else {
            None
        }
    })
}

fn plain_number(s: &str) -> Option<f64> {
    // Rust's parser also takes "inf" and "nan"; a learner's answer never means those.
    if s.chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Answer {
    /// Judges one typed answer; a prediction is judged against `run`, the step about to be
    /// taken (without it there is nothing to compare with).
    pub fn check(&self, input: &str) -> Verdict {
        self.judge(input, None, 0).0
    }

    /// Like [`Answer::check`], with the run a prediction is about and the wrong tries before
    /// this one (a prediction's hint says more on a later try); also returns the hint a wrong
    /// prediction earns.
    pub fn judge(
        &self,
        input: &str,
        run: Option<&Step>,
        earlier_wrong: u32,
    ) -> (Verdict, Option<Text>) {
        let verdict = match *self {
            Answer::Derivative(ref target) => {
                return match target.grade(input) {
                    Graded::Correct => (Verdict::Correct, None),
                    Graded::Wrong(hint) => (Verdict::Wrong, Some(hint)),
                    Graded::Unreadable(why) => (Verdict::Unreadable(why), None),
                };
            }
            Answer::Direction { .. } => Verdict::Unreadable(Text::new(
                "这道题不用打字：用 ←/→（或 , 和 . 微调）转动 v，再按 Enter",
                "nothing to type here: turn v with ←/→ (or , and . by 1°), then press Enter",
            )),
            Answer::Predict { tol } => {
                return match run.map(|r| predict::grade(r, input, tol, earlier_wrong)) {
                    Some(Graded::Correct) => (Verdict::Correct, None),
                    Some(Graded::Wrong(hint)) => (Verdict::Wrong, Some(hint)),
                    Some(Graded::Unreadable(why)) => (Verdict::Unreadable(why), None),
                    None => (
                        Verdict::Unreadable(Text::new(
                            "这个问题问的是课程自己的运行，不是你的公式：翻到别页再翻回来",
                            "this question is about the lesson's own run, not your formula: turn a page and back",
                        )),
                        None,
                    ),
                };
            }
            Answer::Number { value, tol } => match parse_number(input) {
                // A hair of slack so an answer exactly at the tolerance is not lost to rounding
                // (−1.49 against −1.5 ± 0.01).
                Some(x) if (x - value).abs() <= tol + 1e-12 * value.abs().max(1.0) => {
                    Verdict::Correct
                }
                Some(_) => Verdict::Wrong,
                None => Verdict::Unreadable(Text::new(
                    format!(
                        "请输入一个数，例如 2.5 或 -1/2（收到的是「{}」）",
                        input.trim()
                    ),
                    format!("type a number, e.g. 2.5 or -1/2 (got '{}')", input.trim()),
                )),
            },
            Answer::Sign(want) => {
                let got = Sign::parse(input).or_else(|| parse_number(input).map(Sign::of));
                match got {
                    Some(s) if s == want => Verdict::Correct,
                    Some(_) => Verdict::Wrong,
                    None => Verdict::Unreadable(Text::new(
                        format!(
                            "请输入 + 或 -（也可以写「正」或「负」；收到的是「{}」）",
                            input.trim()
                        ),
                        format!(
                            "type + or - (or 'positive' / 'negative'; got '{}')",
                            input.trim()
                        ),
                    )),
                }
            }
        };
        (verdict, None)
    }

    /// The right answer written for people: `10`, `−`, `(0.15, 0.1, 0.05)`. A prediction's
    /// answer is the run's next point, so it needs `run`.
    pub fn display(&self, run: Option<&Step>) -> String {
        match self {
            Answer::Number { value, .. } => crate::numfmt::short(*value),
            Answer::Sign(s) => s.symbol().to_string(),
            Answer::Predict { .. } => run.map_or_else(|| "θ next".to_string(), Step::display),
            Answer::Derivative(t) => t.reveal(),
            // The Taylor view's axes are the first two parameters unless the scene says
            // otherwise; the step knows the whole gradient.
            Answer::Direction { .. } => match run.map(|r| r.grad.as_slice()) {
                Some([gx, gy, ..]) => {
                    let aim = Aim {
                        angle: 0.0,
                        grad: (*gx, *gy),
                    };
                    format!("v ∠{}° (−∇L)", crate::numfmt::sig(aim.downhill_deg(), 4))
                }
                _ => "v = −∇L/‖∇L‖".to_string(),
            },
        }
    }
}

/// What the tutor should show after a submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub verdict: Verdict,
    /// A hint built from the learner's own answer (a wrong prediction's): shown in place of
    /// the lesson's fixed hint, from the first wrong try.
    pub note: Option<Text>,
    pub show_hint: bool,
    pub show_explanation: bool,
}

/// The learner's tries at one exercise. The policy lives here, not in the UI: the first wrong
/// try earns the hint, the second the explanation (with the answer); a right answer shows the
/// explanation too, because knowing why matters more than being right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    pub wrong: u32,
    pub solved: bool,
    /// The answer has been on screen without the learner finding it: asked for with the
    /// "show me" key, or given in the explanation after two wrong tries.
    pub shown: bool,
}

impl Attempts {
    /// The question still waits for an answer, so its quantity stays hidden.
    pub fn open(&self) -> bool {
        !self.solved && !self.shown
    }

    /// The "show me" key: the answer and the explanation, counted as shown.
    pub fn show(&mut self) -> Feedback {
        if !self.solved {
            self.shown = true;
        }
        Feedback {
            verdict: Verdict::Shown,
            note: None,
            show_hint: false,
            show_explanation: true,
        }
    }

    /// Confirms where v points, for a direction question (any other kind ignores `aim` and
    /// says what to type).
    pub fn submit_aim(&mut self, exercise: &Exercise, aim: &Aim) -> Feedback {
        let Answer::Direction { tol_deg } = exercise.answer else {
            return self.submit(exercise, "");
        };
        let (graded, note) = direction::grade(aim, tol_deg);
        let verdict = match graded {
            Graded::Correct => Verdict::Correct,
            Graded::Wrong(_) => Verdict::Wrong,
            Graded::Unreadable(why) => Verdict::Unreadable(why),
        };
        self.record(exercise, verdict, note)
    }

    pub fn submit(&mut self, exercise: &Exercise, input: &str) -> Feedback {
        self.submit_on(exercise, input, None)
    }

    /// [`Attempts::submit`] for a question about `run`, the step about to be taken.
    pub fn submit_on(&mut self, exercise: &Exercise, input: &str, run: Option<&Step>) -> Feedback {
        let (verdict, note) = exercise.answer.judge(input, run, self.wrong);
        self.record(exercise, verdict, note)
    }

    /// Counts a verdict and decides what it earns.
    fn record(&mut self, exercise: &Exercise, verdict: Verdict, note: Option<Text>) -> Feedback {
        match verdict {
            Verdict::Correct => self.solved = true,
            Verdict::Wrong => self.wrong += 1,
            Verdict::Unreadable(_) | Verdict::Shown => {}
        }
        // The explanation after two wrong tries gives the answer away.
        if !self.solved && self.wrong >= 2 {
            self.shown = true;
        }
        Feedback {
            show_hint: (exercise.hint.is_some() || note.is_some())
                && self.wrong >= 1
                && !self.solved,
            note,
            show_explanation: self.solved || self.wrong >= 2,
            verdict,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(value: f64, tol: f64) -> Exercise {
        Exercise {
            prompt: Text::new("f′(5) = ?", "f′(5) = ?"),
            answer: Answer::Number { value, tol },
            asks: Asks::Gradient,
            also: vec![],
            hint: Some(Text::new("f′(x) = 2x", "f′(x) = 2x")),
            explain: Text::new("2·5 = 10", "2·5 = 10"),
        }
    }

    #[test]
    fn numbers_within_tolerance_are_right() {
        let a = Answer::Number {
            value: 10.0,
            tol: 1e-6,
        };
        assert_eq!(a.check("10"), Verdict::Correct);
        assert_eq!(a.check(" 10.0000001 "), Verdict::Correct);
        assert_eq!(a.check("1e1"), Verdict::Correct);
        assert_eq!(a.check("10.1"), Verdict::Wrong);
        let b = Answer::Number {
            value: -1.5,
            tol: 0.01,
        };
        assert_eq!(b.check("−1.5"), Verdict::Correct);
        assert_eq!(b.check("-3/2"), Verdict::Correct);
        assert_eq!(b.check("-1,5"), Verdict::Correct);
        assert_eq!(b.check("-1.49"), Verdict::Correct);
        assert_eq!(b.check("1.5"), Verdict::Wrong);
    }

    #[test]
    fn non_numbers_are_unreadable_not_wrong() {
        let a = Answer::Number {
            value: 10.0,
            tol: 0.0,
        };
        for s in ["", "ten", "nan", "inf", "1/0", "1,000,000", "2x"] {
            assert!(matches!(a.check(s), Verdict::Unreadable(_)), "{s}");
        }
    }

    #[test]
    fn signs_in_both_languages_and_as_numbers() {
        let neg = Answer::Sign(Sign::Negative);
        for s in ["-", "−", "negative", "NEG", "负", "负数", "-0.3"] {
            assert_eq!(neg.check(s), Verdict::Correct, "{s}");
        }
        for s in ["+", "positive", "正", "2", "0", "zero"] {
            assert_eq!(neg.check(s), Verdict::Wrong, "{s}");
        }
        assert!(matches!(neg.check("down"), Verdict::Unreadable(_)));
        assert_eq!(Answer::Sign(Sign::Positive).check("正"), Verdict::Correct);
        assert_eq!(Answer::Sign(Sign::Zero).check("零"), Verdict::Correct);
    }

    #[test]
    fn hint_after_one_wrong_try_explanation_after_two() {
        let ex = num(10.0, 1e-9);
        let mut a = Attempts::default();
        let f = a.submit(&ex, "what");
        assert!(!f.show_hint && !f.show_explanation);
        let f = a.submit(&ex, "5");
        assert_eq!(f.verdict, Verdict::Wrong);
        assert!(f.show_hint && !f.show_explanation);
        let f = a.submit(&ex, "25");
        assert!(f.show_explanation);
        let f = a.submit(&ex, "10");
        assert_eq!(f.verdict, Verdict::Correct);
        assert!(f.show_explanation && !f.show_hint && a.solved);
    }

    #[test]
    fn show_me_reveals_without_solving_and_two_wrong_tries_count_as_shown() {
        let ex = num(10.0, 1e-9);
        let mut a = Attempts::default();
        assert!(a.open());
        let f = a.show();
        assert_eq!(f.verdict, Verdict::Shown);
        assert!(f.show_explanation && !a.solved && !a.open());
        let mut b = Attempts::default();
        b.submit(&ex, "5");
        assert!(b.open());
        b.submit(&ex, "6");
        assert!(!b.open() && b.shown && !b.solved);
        let mut c = Attempts::default();
        c.submit(&ex, "10");
        c.show();
        assert!(
            c.solved && !c.shown,
            "showing a solved question does not unsolve it"
        );
    }

    #[test]
    fn a_gradient_question_hides_everything_computed_from_the_gradient() {
        let m = Asks::Gradient.mask();
        assert!(m.grad && m.step && m.next && !m.loss);
        assert_eq!(Asks::Next.mask(), Asks::Step.mask());
        assert_eq!(Asks::Stop.mask(), Mask::default());
        assert!(Asks::Next.blocks_stepping() && !Asks::Gradient.blocks_stepping());
        assert_eq!(Asks::parse(" grad "), Some(Asks::Gradient));
        assert_eq!(Asks::parse("gradient"), None);
    }

    #[test]
    fn a_prediction_without_the_lessons_run_is_unreadable_not_wrong() {
        let ex = Exercise {
            answer: Answer::Predict { tol: 1e-3 },
            asks: Asks::Next,
            ..num(0.0, 0.0)
        };
        let mut a = Attempts::default();
        let f = a.submit(&ex, "1, 2");
        assert!(matches!(f.verdict, Verdict::Unreadable(_)) && a.wrong == 0);
        assert_eq!(ex.answer.display(None), "θ next");
    }

    #[test]
    fn right_first_time_shows_the_explanation() {
        let mut a = Attempts::default();
        let f = a.submit(&num(10.0, 0.0), "10");
        assert!(f.show_explanation && !f.show_hint);
    }
}
