//! A session told the server is shutting down, without the network: the tutor is asked to save
//! before anything else happens, its notice is the last line the client sees after the screen
//! is restored, and the channel still gets its exit status. Quitting saves too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gradstep::ssh::config::Limits;
use gradstep::ssh::output::Sink;
use gradstep::ssh::shell::{Finish, INPUT_QUEUE, Input, Outcome, run_until};
use gradstep::ssh::{Action, AppFactory, Connection, Painting, RemoteApp, Retained};
use tokio::sync::{mpsc, oneshot};

#[derive(Clone, Default)]
struct Client {
    bytes: Arc<Mutex<Vec<u8>>>,
    status: Arc<Mutex<Option<u32>>>,
}

impl Sink for Client {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ()> {
        self.bytes.lock().unwrap().extend(bytes);
        Ok(())
    }
}

impl Finish for Client {
    async fn finish(&mut self, exit_status: u32) {
        *self.status.lock().unwrap() = Some(exit_status);
    }
}

/// A tutor that counts its saves and quits on `q`.
struct Saver {
    flushes: Arc<AtomicUsize>,
}

impl RemoteApp for Saver {
    fn update(&mut self, action: Action) -> bool {
        !matches!(action, Action::Key(k) if k.code == crossterm::event::KeyCode::Char('q'))
    }
    fn draw(&mut self, frame: &mut ratatui::Frame, _kept: &[Retained]) -> Painting {
        frame.render_widget("saver-at-work", frame.area());
        Painting::default()
    }
    fn flush(&mut self) {
        self.flushes.fetch_add(1, Ordering::SeqCst);
    }
    fn shutdown_notice(&self) -> String {
        "bye from the saver".into()
    }
}

fn factory(flushes: Arc<AtomicUsize>) -> AppFactory {
    Arc::new(move |_: &Connection| {
        Box::new(Saver {
            flushes: flushes.clone(),
        }) as Box<dyn RemoteApp>
    })
}

fn info() -> Connection {
    Connection {
        peer: "127.0.0.1:5555".parse().unwrap(),
        user: "t".into(),
        key_fingerprint: None,
        teacher: false,
        terminal: Default::default(),
    }
}

async fn drawn(client: &Client) {
    for _ in 0..500 {
        if String::from_utf8_lossy(&client.bytes.lock().unwrap()).contains("saver-at-work") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the tutor never drew");
}

#[tokio::test]
async fn shutdown_saves_restores_and_leaves_the_notice_last() {
    let flushes = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<Input>(INPUT_QUEUE);
    let (stop, stopped) = oneshot::channel::<()>();
    let client = Client::default();
    let session = tokio::spawn(run_until(
        info(),
        factory(flushes.clone()),
        Limits::default(),
        (80, 24),
        rx,
        client.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    drawn(&client).await;
    assert_eq!(flushes.load(Ordering::SeqCst), 0, "no save before the end");
    stop.send(()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), session)
        .await
        .expect("the session ends when told")
        .unwrap();
    assert_eq!(outcome, Outcome::Shutdown);
    assert_eq!(flushes.load(Ordering::SeqCst), 1, "saved once");
    assert_eq!(*client.status.lock().unwrap(), Some(0));
    let raw = String::from_utf8_lossy(&client.bytes.lock().unwrap()).into_owned();
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("leaves the alternate screen");
    let shown = raw.rfind("\x1b[?25h").expect("shows the cursor");
    let notice = raw.rfind("bye from the saver").expect("the notice");
    assert!(
        shown < notice && left < notice,
        "notice after the restore: {raw:?}"
    );
    assert!(raw.ends_with("bye from the saver\r\n"), "{raw:?}");
    drop(tx);
}

#[tokio::test]
async fn a_quit_saves_too_and_shows_no_shutdown_notice() {
    let flushes = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel::<Input>(INPUT_QUEUE);
    let client = Client::default();
    let session = tokio::spawn(run_until(
        info(),
        factory(flushes.clone()),
        Limits::default(),
        (80, 24),
        rx,
        client.clone(),
        std::future::pending(),
    ));
    drawn(&client).await;
    tx.send(Input::Data(b"q".to_vec())).await.unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), session)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(outcome, Outcome::Quit);
    assert_eq!(flushes.load(Ordering::SeqCst), 1);
    let raw = String::from_utf8_lossy(&client.bytes.lock().unwrap()).into_owned();
    assert!(!raw.contains("bye from the saver"));
}
