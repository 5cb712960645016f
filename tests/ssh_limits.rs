//! Memory bounds of `gradstep serve`, measured on the server in this process (the demo app
//! under tests/support floods on purpose). A test binary of its own, and one test at a time, so
//! no other test's allocations show in the figures.

#[path = "support/client.rs"]
mod client;
#[path = "support/demo.rs"]
mod demo;
#[path = "support/server.rs"]
mod server;

use std::sync::Mutex;
use std::time::Duration;

use server::Server;

const WAIT: Duration = Duration::from_secs(15);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

mod screen {
    pub use super::demo::{KEY_FILL, KEY_QUIT, KEY_STEP, TITLE, counter_line, size_line};
}

fn demo_server() -> Server {
    Server::in_process(demo::factory(), |_| {})
}

#[test]
fn huge_window_request_is_clamped_not_allocated() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut server = demo_server();
    // The server runs in this process, beside whatever the other test left in the allocator:
    // measure the growth, not the total.
    let baseline = rss_kb();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut term = client::open(server.port, 65535, 65535).await.unwrap();
        term.wait_for(&screen::size_line(500, 200), WAIT)
            .await
            .unwrap();
        term.channel
            .window_change(u32::MAX, u32::MAX, 0, 0)
            .await
            .unwrap();
        term.send(screen::KEY_STEP.to_string().as_bytes())
            .await
            .unwrap();
        term.wait_for(&screen::counter_line(1), WAIT).await.unwrap();
        term.send(screen::KEY_QUIT.to_string().as_bytes())
            .await
            .unwrap();
        assert_eq!(term.wait_closed(WAIT).await.unwrap(), Some(0));
    });
    assert!(server.alive());
    // Cells for a 65535×65535 window would take gigabytes; the 500×200 clamp takes little.
    let grown = rss_kb().saturating_sub(baseline);
    assert!(
        grown < 150_000,
        "server RSS grew by {grown} kB after a huge window request"
    );
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn a_client_that_stops_reading_cannot_grow_the_server() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut server = demo_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = rt.block_on(async {
        let mut term = client::open(server.port, 500, 200).await.unwrap();
        term.wait_for(screen::TITLE, WAIT).await.unwrap();
        let before = rss_kb();
        // In fill mode every step redraws all 100 000 cells (~100 kB of output); 1000 steps
        // would be ~100 MB if the server queued frames for a client that reads nothing.
        term.send(&[screen::KEY_FILL as u8]).await.unwrap();
        for _ in 0..1000 {
            term.send(&[screen::KEY_STEP as u8]).await.unwrap();
        }
        // Give the server time to render them all.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kb();
        assert!(
            after < before + 30_000,
            "server grew from {before} kB to {after} kB for one slow client"
        );
        // Reading again: the screen converges on the last state.
        term.wait_for(&screen::counter_line(1000), WAIT)
            .await
            .unwrap();
        // Quit and wait for the close: the session ends cleanly after the backlog, and the
        // server thread stops rendering before the next test measures this process.
        term.send(screen::KEY_QUIT.to_string().as_bytes())
            .await
            .unwrap();
        assert_eq!(term.wait_closed(WAIT).await.unwrap(), Some(0));
        before
    });
    assert!(server.alive());
    assert!(before > 0);
    // Whether the server had to drop queued frames ("slow client" in its log) or simply
    // rendered fewer frames while its outbox was busy depends on timing; both keep memory
    // bounded, which is what this test asserts. The drop path itself is tested
    // deterministically in ssh::output (overflow_drops_everything_and_asks_for_a_resync).
}
