//! Small pieces every screen shares: the key footer, the language tag, the help overlay.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Look;
use crate::lesson::Lang;
use crate::tui::app::App;
use crate::tui::strings::tr;

/// The key hints, as many as fit; the last two (help and back) always stay.
pub fn footer(look: &Look, frame: &mut Frame, area: Rect, keys: &[(&str, &str)]) {
    let width = |(k, what): &(&str, &str)| k.chars().count() + 1 + Span::raw(*what).width() + 3;
    let keep = keys.len().saturating_sub(2);
    let tail: usize = keys[keep..].iter().map(width).sum();
    let mut room = (area.width as usize).saturating_sub(1 + tail);
    let mut shown: Vec<&(&str, &str)> = Vec::new();
    for k in &keys[..keep] {
        let w = width(k);
        if w > room {
            break;
        }
        room -= w;
        shown.push(k);
    }
    shown.extend(&keys[keep..]);
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in shown.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", look.dim()));
        }
        spans.push(Span::styled(k.to_string(), look.key()));
        spans.push(Span::raw(format!(" {what}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `EN | 中文` at the right of a title row, the current one bold.
pub fn language_tag(app: &App, frame: &mut Frame, row: Rect) {
    let look = Look::of(app);
    let (en, zh) = match app.lang {
        Lang::En => (look.title(), look.dim()),
        Lang::Zh => (look.dim(), look.title()),
    };
    let line = Line::from(vec![
        Span::styled("EN", en),
        Span::raw(" | "),
        Span::styled("中文", zh),
        Span::raw(" "),
    ])
    .alignment(Alignment::Right);
    frame.render_widget(Paragraph::new(line), row);
}

/// The key table, over whatever is on screen; any key closes it.
pub fn help(app: &App, frame: &mut Frame, area: Rect) {
    let look = Look::of(app);
    let lang = app.lang;
    Look::clear(frame, area);
    let block = look.block(Span::styled(tr(lang, " Keys ", " 按键 "), look.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows: [(&str, &str, &str); 20] = [
        ("n, Space", "one update", "走一步"),
        ("b, Backspace", "undo one update", "撤销一步"),
        ("r", "reset to the start point", "回到起点"),
        ("p", "play / pause", "自动播放 / 暂停"),
        (
            "+ / -",
            "change η (Taylor: the probe step)",
            "调整 η（泰勒页：探测步长）",
        ),
        ("o", "next optimizer", "切换优化器"),
        ("f", "type a formula", "输入公式"),
        ("s", "type a start point", "输入起点"),
        ("Enter", "answer the page's question", "回答本页的问题"),
        ("→ ←, PgDn PgUp", "next / previous page", "下一页 / 上一页"),
        (
            "← → ↑ ↓, g",
            "Taylor: turn v; g points it at −∇L",
            "泰勒页：转动 v；g 指向 −∇L",
        ),
        (
            "z / Z, 0",
            "zoom in / out, fit again",
            "放大 / 缩小，重新适配",
        ),
        ("h j k l", "pan the chart", "平移图"),
        ("a", "ASCII / Unicode chart", "ASCII / Unicode 图"),
        ("L", "中文 / English", "中文 / English"),
        ("?", "this help", "本帮助"),
        (
            "q, Esc",
            "back (quit on the start screen)",
            "返回（首页时退出）",
        ),
        ("Ctrl-C", "quit", "退出"),
        ("", "", ""),
        ("", "any key closes this help", "按任意键关闭"),
    ];
    let lines: Vec<Line> = rows
        .iter()
        .map(|(k, en, zh)| {
            Line::from(vec![
                Span::styled(format!(" {k:<16}"), look.key()),
                Span::raw(tr(lang, en, zh)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
