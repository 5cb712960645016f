//! The chart's own words (legend titles, notes, the tangent's label) in each language the
//! tutor speaks. The chart knows no `Lang` (it sits below the lessons), so the caller hands in
//! the table it wants; [`Words::EN`] is what `gradstep plot` prints by default.

/// Every word a chart writes, in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    /// Title of the legend of evenly or geometrically spaced isolines.
    pub levels: &'static str,
    /// Title of the legend when the levels are spaced by powers (a wide-range loss).
    pub log_levels: &'static str,
    /// Written before the tangent's slope in the slope view.
    pub slope: &'static str,
    /// Before the one value of a function with no visible change.
    pub flat: &'static str,
    /// A window where the function has no finite value.
    pub no_values: &'static str,
    /// A history chart before its first finite cost.
    pub no_values_yet: &'static str,
    /// Legend names: the current point, the start, the numbered steps, the next point, a
    /// point off the chart, an isoline.
    pub now: &'static str,
    pub start: &'static str,
    pub steps: &'static str,
    pub next: &'static str,
    pub off_chart: &'static str,
    pub isoline: &'static str,
}

impl Words {
    pub const EN: Words = Words {
        levels: "levels",
        log_levels: "log levels",
        slope: "slope",
        flat: "flat",
        no_values: "no finite values here",
        no_values_yet: "no finite values yet",
        now: "now",
        start: "start",
        steps: "steps",
        next: "next",
        off_chart: "off chart",
        isoline: "level",
    };
    pub const ZH: Words = Words {
        levels: "等高线",
        log_levels: "等高线(对数)",
        slope: "斜率",
        flat: "常数",
        no_values: "这里没有有限值",
        no_values_yet: "还没有有限值",
        now: "当前",
        start: "起点",
        steps: "步",
        next: "下一点",
        off_chart: "在图外",
        isoline: "等高线",
    };
}

/// Terminal cells `s` takes (a Chinese character takes two).
pub fn text_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}
