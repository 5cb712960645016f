//! The functions and constants a formula may use: meval's built-ins plus the ones a machine
//! learning course needs (`sigmoid`, `relu`, `softplus`, and `log` meaning the natural log as
//! in most ML texts).

/// How many arguments a function takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Exactly(usize),
    AtLeastOne,
}

/// A one-argument function, evaluated by [`super::program`] over any number type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fn1 {
    Sqrt,
    Exp,
    Ln,
    Log2,
    Log10,
    Abs,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Floor,
    Ceil,
    Round,
    Signum,
    Sigmoid,
    Relu,
    Softplus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    One(Fn1),
    Atan2,
    Max,
    Min,
}

#[derive(Debug, Clone, Copy)]
pub struct FnInfo {
    pub name: &'static str,
    pub kind: FnKind,
    pub arity: Arity,
}

const fn one(name: &'static str, f: Fn1) -> FnInfo {
    FnInfo {
        name,
        kind: FnKind::One(f),
        arity: Arity::Exactly(1),
    }
}

/// Every known function, sorted by name (the order error messages list them in).
pub const FUNCTIONS: &[FnInfo] = &[
    one("abs", Fn1::Abs),
    one("acos", Fn1::Acos),
    one("acosh", Fn1::Acosh),
    one("asin", Fn1::Asin),
    one("asinh", Fn1::Asinh),
    one("atan", Fn1::Atan),
    FnInfo {
        name: "atan2",
        kind: FnKind::Atan2,
        arity: Arity::Exactly(2),
    },
    one("atanh", Fn1::Atanh),
    one("ceil", Fn1::Ceil),
    one("cos", Fn1::Cos),
    one("cosh", Fn1::Cosh),
    one("exp", Fn1::Exp),
    one("floor", Fn1::Floor),
    one("ln", Fn1::Ln),
    one("log", Fn1::Ln),
    one("log10", Fn1::Log10),
    one("log2", Fn1::Log2),
    FnInfo {
        name: "max",
        kind: FnKind::Max,
        arity: Arity::AtLeastOne,
    },
    FnInfo {
        name: "min",
        kind: FnKind::Min,
        arity: Arity::AtLeastOne,
    },
    one("relu", Fn1::Relu),
    one("round", Fn1::Round),
    one("sigmoid", Fn1::Sigmoid),
    one("signum", Fn1::Signum),
    one("sin", Fn1::Sin),
    one("sinh", Fn1::Sinh),
    one("softplus", Fn1::Softplus),
    one("sqrt", Fn1::Sqrt),
    one("tan", Fn1::Tan),
    one("tanh", Fn1::Tanh),
];

pub fn lookup(name: &str) -> Option<&'static FnInfo> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The name a one-argument function is listed under (its first spelling: `ln`, not `log`).
pub fn name_of(f: Fn1) -> &'static str {
    FUNCTIONS
        .iter()
        .find(|i| i.kind == FnKind::One(f))
        .map_or("?", |i| i.name)
}

pub fn known_list() -> String {
    FUNCTIONS
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Named constants; they can never be variables.
pub fn constant(name: &str) -> Option<f64> {
    match name {
        "pi" => Some(std::f64::consts::PI),
        "e" => Some(std::f64::consts::E),
        _ => None,
    }
}

pub fn is_constant(name: &str) -> bool {
    constant(name).is_some()
}
