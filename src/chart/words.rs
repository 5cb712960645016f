//! The chart's own words (legend titles, notes, the tangent's label) in each language the
//! tutor speaks. The chart knows no `Lang` (it sits below the lessons), so the caller hands in
//! the table it wants; [`Words::EN`] is what `gradstep plot` prints by default.

use super::Glyphs;

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
    /// Short names for the legend line under the chart.
    pub now: &'static str,
    pub steps: &'static str,
    pub next: &'static str,
    /// The chart's symbols explained, for the help: one sentence per symbol, in the order of
    /// [`symbols`].
    pub explain: [&'static str; 8],
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
        steps: "steps",
        next: "next",
        explain: [
            "the current point θ",
            "points visited, in order: 0 is the start, + after Z",
            "the dotted path between them",
            "the next step −η∇L; its tip is θ next",
            "on the slope view: where the next step lands",
            "the current point is off the chart, this way",
            "contour lines; their values are at the top right",
            "other runs of a race (names in the table)",
        ],
    };
    pub const ZH: Words = Words {
        levels: "等高线",
        log_levels: "等高线(对数)",
        slope: "斜率",
        flat: "常数",
        no_values: "这里没有有限值",
        no_values_yet: "还没有有限值",
        now: "当前",
        steps: "各步",
        next: "下一步",
        explain: [
            "当前点 θ",
            "走过的点，按顺序：0 是起点，Z 之后是 +",
            "它们之间的虚线路径",
            "下一步 −η∇L，箭头尖端是下一点 θ",
            "斜率图上：下一步落在哪里",
            "当前点在图外，朝这个方向",
            "等高线，数值写在右上角",
            "比赛中的其他运行（名字见表格）",
        ],
    };
}

/// The chart's symbols as drawn with `glyphs`, each with its sentence from `words`: what the
/// help lists under "chart symbols", so no mark on the chart goes unexplained.
pub fn symbols(glyphs: Glyphs, words: &Words) -> Vec<(String, &'static str)> {
    let uni = glyphs == Glyphs::Unicode;
    let marks: String = crate::chart::SERIES_MARKERS[1..].iter().collect();
    let keys = [
        if uni { "●" } else { "@" }.to_string(),
        "0 1 … 9 A … Z +".to_string(),
        if uni { "·" } else { ":" }.to_string(),
        if uni { "──→" } else { "-->" }.to_string(),
        if uni { "○" } else { "o" }.to_string(),
        if uni { "↙ ↑ → …" } else { "v ^ > …" }.to_string(),
        "a b c …".to_string(),
        marks,
    ];
    keys.into_iter().zip(words.explain).collect()
}

/// Terminal cells `s` takes (a Chinese character takes two).
pub fn text_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}
