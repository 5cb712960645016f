//! The load example's cheap screen ([`client::Grid`]) must read ratatui's output the way a
//! real terminal emulator (vt100) does, or its latencies would time the wrong thing.

#[path = "support/client.rs"]
mod client;

use std::num::NonZero;

use gradstep::ssh::output::{Outbox, SshBackend};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};
use ratatui::{Terminal, TerminalOptions, Viewport};

/// What the server sends for a few frames: the server's own backend, drained from its outbox.
fn frames() -> Vec<u8> {
    let outbox = Outbox::new(1 << 20);
    let mut backend = SshBackend::new(outbox.clone(), 40, 10);
    backend.enter().unwrap();
    let mut t = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 40, 10)),
        },
    )
    .unwrap();
    t.clear().unwrap();
    for k in [0u32, 1, 9, 10, 11, 99, 100, 7] {
        t.draw(|f| {
            let lines = vec![
                Line::from(format!("t = {k} ")).bold(),
                Line::from("f(x, y) = x² + xy + y²").fg(Color::Cyan),
                Line::from("·".repeat(k as usize % 30)).style(Style::new().on_blue()),
            ];
            f.render_widget(
                Paragraph::new(lines).block(Block::bordered().title("Sandbox")),
                f.area(),
            );
        })
        .unwrap();
    }
    outbox.close();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut out = Vec::new();
    while let Some(bytes) = rt.block_on(outbox.next()) {
        out.extend(bytes);
    }
    out
}

#[test]
fn the_light_grid_reads_ratatui_frames_like_vt100() {
    let bytes = frames();
    let mut vt = vt100::Parser::new(NonZero::new(10).unwrap(), NonZero::new(40).unwrap(), 0);
    let mut grid = client::Grid::new(10, 40);
    // Fed in odd-sized pieces, as SSH packets split a stream anywhere.
    for piece in bytes.chunks(7) {
        vt.process(piece);
        grid.process(piece);
    }
    assert_eq!(
        grid.contents().trim_end(),
        vt.screen().contents().trim_end()
    );
    assert!(grid.contains("t = 7 "));
    assert!(!grid.contains("t = 100"), "old frames are overwritten");
    assert!(grid.contains("x² + xy"));
}
