//! A small russh client for tests and the load benchmark: log in anonymously, open the tutor
//! with any window size, type, and read the screen through a vt100 emulator.
#![allow(dead_code)]

use std::num::NonZero;
use std::sync::Arc;
use std::time::Duration;

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::{Channel, ChannelMsg};

pub struct TrustAll;

impl client::Handler for TrustAll {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// An open tutor session.
pub struct Term {
    pub handle: client::Handle<TrustAll>,
    pub channel: Channel<client::Msg>,
    pub screen: vt100::Parser,
    /// Set by [`Term::light`]: a cheap grid replaces the emulator (for the load example).
    pub light: Option<Grid>,
    pub exit_status: Option<u32>,
    pub closed: bool,
}

pub async fn connect(port: u16) -> anyhow::Result<client::Handle<TrustAll>> {
    connect_as(port, "learner").await
}

/// Log in anonymously as `user` (any bytes a client may send).
pub async fn connect_as(port: u16, user: &str) -> anyhow::Result<client::Handle<TrustAll>> {
    connect_with(port, user, None).await
}

/// Log in anonymously as `user`, offering only `cipher` (an SSH name such as
/// `aes256-gcm@openssh.com`) when given: in SSH the client's order picks the cipher, so this
/// is how the load example compares them.
pub async fn connect_with(
    port: u16,
    user: &str,
    cipher: Option<&str>,
) -> anyhow::Result<client::Handle<TrustAll>> {
    let mut preferred = russh::Preferred::default();
    if let Some(name) = cipher {
        let name = russh::cipher::Name::try_from(name)
            .map_err(|_| anyhow::anyhow!("unknown cipher {name:?}"))?;
        preferred.cipher = std::borrow::Cow::Owned(vec![name]);
    }
    let config = Arc::new(client::Config {
        inactivity_timeout: None,
        nodelay: true,
        preferred,
        ..Default::default()
    });
    let mut handle = client::connect(config, ("127.0.0.1", port), TrustAll).await?;
    let auth = handle.authenticate_none(user).await?;
    anyhow::ensure!(auth.success(), "anonymous login refused");
    Ok(handle)
}

/// Like [`open`], with a terminal type and env requests sent before the shell; also returns
/// whether the server accepted each env request.
pub async fn open_with_env(
    port: u16,
    term: &str,
    env: &[(&str, &str)],
) -> anyhow::Result<(Term, Vec<bool>)> {
    let handle = connect(port).await?;
    let mut channel = handle.channel_open_session().await?;
    channel.request_pty(false, term, 80, 24, 0, 0, &[]).await?;
    let mut accepted = Vec::new();
    for (name, value) in env {
        channel.set_env(true, *name, *value).await?;
        loop {
            match channel.wait().await {
                Some(ChannelMsg::Success) => break accepted.push(true),
                Some(ChannelMsg::Failure) => break accepted.push(false),
                Some(_) => {}
                None => anyhow::bail!("channel closed during env requests"),
            }
        }
    }
    channel.request_shell(false).await?;
    let term = Term {
        handle,
        channel,
        screen: vt100::Parser::new(NonZero::new(24).unwrap(), NonZero::new(80).unwrap(), 0),
        light: None,
        exit_status: None,
        closed: false,
    };
    Ok((term, accepted))
}

/// Log in and start the tutor with a pty of `cols`×`rows` (as claimed; the emulator is at
/// most 500×200, which is what the server should clamp to anyway).
pub async fn open(port: u16, cols: u32, rows: u32) -> anyhow::Result<Term> {
    open_with(port, cols, rows, None).await
}

/// [`open`] with the cipher chosen (see [`connect_with`]).
pub async fn open_with(
    port: u16,
    cols: u32,
    rows: u32,
    cipher: Option<&str>,
) -> anyhow::Result<Term> {
    let handle = connect_with(port, "learner", cipher).await?;
    let channel = handle.channel_open_session().await?;
    channel
        .request_pty(true, "xterm-256color", cols, rows, 0, 0, &[])
        .await?;
    channel.request_shell(true).await?;
    let em_rows = rows.clamp(1, 200) as u16;
    let em_cols = cols.clamp(1, 500) as u16;
    Ok(Term {
        handle,
        channel,
        screen: vt100::Parser::new(
            NonZero::new(em_rows).unwrap(),
            NonZero::new(em_cols).unwrap(),
            0,
        ),
        light: None,
        exit_status: None,
        closed: false,
    })
}

impl Term {
    pub async fn send(&self, bytes: &[u8]) -> anyhow::Result<()> {
        self.channel.data(bytes).await?;
        Ok(())
    }

    /// Read the screen with a [`Grid`] instead of the vt100 emulator from now on: the load
    /// example's client shares the CPU with the server it measures, and building vt100's text
    /// after every packet was most of the client's work.
    pub fn light(mut self) -> Self {
        let (rows, cols) = self.screen.screen().size();
        self.light = Some(Grid::new(rows.get(), cols.get()));
        self
    }

    pub fn contents(&self) -> String {
        match &self.light {
            Some(grid) => grid.contents(),
            None => self.screen.screen().contents(),
        }
    }

    fn shows(&self, needle: &str) -> bool {
        match &self.light {
            Some(grid) => grid.contains(needle),
            None => self.contents().contains(needle),
        }
    }

    /// Read until the screen contains `needle`, or the deadline passes.
    pub async fn wait_for(&mut self, needle: &str, within: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        while !self.shows(needle) {
            let msg = tokio::time::timeout_at(deadline, self.channel.wait())
                .await
                .map_err(|_| {
                    anyhow::anyhow!("{needle:?} not on screen in time:\n{}", self.contents())
                })?;
            self.absorb(msg)?;
        }
        Ok(())
    }

    /// Read until the channel closes; returns the exit status.
    pub async fn wait_closed(&mut self, within: Duration) -> anyhow::Result<Option<u32>> {
        let deadline = tokio::time::Instant::now() + within;
        while !self.closed {
            let msg = tokio::time::timeout_at(deadline, self.channel.wait())
                .await
                .map_err(|_| anyhow::anyhow!("channel not closed in time"))?;
            self.absorb(msg)?;
        }
        Ok(self.exit_status)
    }

    fn absorb(&mut self, msg: Option<ChannelMsg>) -> anyhow::Result<()> {
        match msg {
            Some(ChannelMsg::Data { data }) => match &mut self.light {
                Some(grid) => grid.process(&data),
                None => self.screen.process(&data),
            },
            Some(ChannelMsg::ExitStatus { exit_status }) => self.exit_status = Some(exit_status),
            Some(ChannelMsg::Close) | None => {
                self.closed = true;
                if msg.is_none() {
                    anyhow::ensure!(
                        self.exit_status.is_some(),
                        "channel gone without exit status"
                    );
                }
            }
            Some(_) => {}
        }
        Ok(())
    }
}

/// The least of a terminal that can read what ratatui draws: printable characters, cursor
/// moves (`CSI row;col H`), clears (`CSI 2J`, `CSI K`), CR and LF. Colours, modes and other
/// sequences are skipped. Every character takes one column: ratatui moves the cursor
/// explicitly after a wide one, so positions stay right; wide text is simply not searchable.
pub struct Grid {
    cols: usize,
    cells: Vec<char>,
    row: usize,
    col: usize,
    state: Parse,
    params: Vec<u8>,
    utf8: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parse {
    Text,
    Esc,
    Csi,
    /// An OSC or DCS string, up to BEL or ST.
    Str,
    StrEsc,
}

impl Grid {
    pub fn new(rows: u16, cols: u16) -> Grid {
        let (rows, cols) = (usize::from(rows.max(1)), usize::from(cols.max(1)));
        Grid {
            cols,
            cells: vec![' '; rows * cols],
            row: 0,
            col: 0,
            state: Parse::Text,
            params: Vec::new(),
            utf8: Vec::new(),
        }
    }

    fn rows(&self) -> usize {
        self.cells.len() / self.cols
    }

    pub fn process(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match self.state {
                Parse::Text => match b {
                    0x1b => self.state = Parse::Esc,
                    b'\r' => self.col = 0,
                    b'\n' => self.row = (self.row + 1).min(self.rows() - 1),
                    0x08 => self.col = self.col.saturating_sub(1),
                    0x00..=0x1f | 0x7f => {}
                    0x20..=0x7e => self.put(b as char),
                    _ => {
                        self.utf8.push(b);
                        match std::str::from_utf8(&self.utf8) {
                            Ok(s) => {
                                let c = s.chars().next().unwrap_or(' ');
                                self.utf8.clear();
                                self.put(c);
                            }
                            Err(e) if e.error_len().is_some() || self.utf8.len() >= 4 => {
                                self.utf8.clear();
                                self.put('\u{fffd}');
                            }
                            Err(_) => {}
                        }
                    }
                },
                Parse::Esc => {
                    self.state = match b {
                        b'[' => {
                            self.params.clear();
                            Parse::Csi
                        }
                        b']' | b'P' => Parse::Str,
                        _ => Parse::Text,
                    }
                }
                Parse::Csi => {
                    if (0x40..=0x7e).contains(&b) {
                        self.csi(b);
                        self.state = Parse::Text;
                    } else if self.params.len() < 32 {
                        self.params.push(b);
                    }
                }
                Parse::Str => match b {
                    0x07 => self.state = Parse::Text,
                    0x1b => self.state = Parse::StrEsc,
                    _ => {}
                },
                Parse::StrEsc => self.state = if b == b'\\' { Parse::Text } else { Parse::Str },
            }
        }
    }

    fn put(&mut self, c: char) {
        if self.col < self.cols {
            self.cells[self.row * self.cols + self.col] = c;
        }
        self.col = (self.col + 1).min(self.cols);
    }

    fn csi(&mut self, final_byte: u8) {
        let text = std::str::from_utf8(&self.params).unwrap_or("");
        if text.starts_with(['?', '>', '<', '=']) {
            return; // private modes: alternate screen, cursor, paste
        }
        let mut nums = text.split(';').map(|p| p.parse::<usize>().unwrap_or(0));
        let (a, b) = (nums.next().unwrap_or(0), nums.next().unwrap_or(0));
        match final_byte {
            b'H' | b'f' => {
                self.row = a.max(1).min(self.rows()) - 1;
                self.col = b.max(1).min(self.cols) - 1;
            }
            b'J' if a == 2 || a == 3 => self.cells.fill(' '),
            b'J' => {
                let at = self.row * self.cols + self.col.min(self.cols - 1);
                self.cells[at..].fill(' ');
            }
            b'K' => {
                let start = self.row * self.cols;
                let from = if a == 0 { self.col.min(self.cols) } else { 0 };
                self.cells[start + from..start + self.cols].fill(' ');
            }
            _ => {}
        }
    }

    /// Whether one row holds `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        let mut chars = needle.chars();
        let Some(first) = chars.next() else {
            return true;
        };
        let rest = chars.as_str();
        self.cells.chunks(self.cols).any(|row| {
            row.iter().enumerate().any(|(i, &c)| {
                c == first && {
                    let mut at = row[i + 1..].iter();
                    rest.chars().all(|r| at.next() == Some(&r))
                }
            })
        })
    }

    pub fn contents(&self) -> String {
        let mut out = String::with_capacity(self.cells.len() + self.rows());
        for row in self.cells.chunks(self.cols) {
            out.extend(row.iter());
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        }
        out
    }
}

/// A learner in the sandbox at `period` presses a second until `end`: press `n`, time until
/// the new `t = k` is on screen. The sandbox converges after ~128 steps, so every 100 it
/// starts over with `r`, untimed. Both load examples drive their students with this.
/// Each press comes back as (when it was sent, how long its frame took). `at` is the step the
/// run is at already.
pub async fn step_until(
    t: &mut Term,
    at: u64,
    offset: Duration,
    period: Duration,
    end: std::time::Instant,
) -> anyhow::Result<Vec<(std::time::Instant, Duration)>> {
    tokio::time::sleep(offset).await;
    let mut lat = Vec::new();
    let mut k = at;
    let mut next = tokio::time::Instant::now();
    while std::time::Instant::now() < end {
        k += 1;
        if k > 100 {
            t.send(b"r").await?;
            t.wait_for("t = 0 ", Duration::from_secs(10)).await?;
            k = 1;
        }
        let t0 = std::time::Instant::now();
        t.send(b"n").await?;
        t.wait_for(&format!("t = {k} "), Duration::from_secs(10))
            .await?;
        lat.push((t0, t0.elapsed()));
        next += period;
        tokio::time::sleep_until(next).await;
    }
    Ok(lat)
}
