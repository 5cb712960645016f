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
    pub exit_status: Option<u32>,
    pub closed: bool,
}

pub async fn connect(port: u16) -> anyhow::Result<client::Handle<TrustAll>> {
    connect_as(port, "learner").await
}

/// Log in anonymously as `user` (any bytes a client may send).
pub async fn connect_as(port: u16, user: &str) -> anyhow::Result<client::Handle<TrustAll>> {
    let config = Arc::new(client::Config {
        inactivity_timeout: None,
        nodelay: true,
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
        exit_status: None,
        closed: false,
    };
    Ok((term, accepted))
}

/// Log in and start the tutor with a pty of `cols`×`rows` (as claimed; the emulator is at
/// most 500×200, which is what the server should clamp to anyway).
pub async fn open(port: u16, cols: u32, rows: u32) -> anyhow::Result<Term> {
    let handle = connect(port).await?;
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
        exit_status: None,
        closed: false,
    })
}

impl Term {
    pub async fn send(&self, bytes: &[u8]) -> anyhow::Result<()> {
        self.channel.data(bytes).await?;
        Ok(())
    }

    pub fn contents(&self) -> String {
        self.screen.screen().contents()
    }

    /// Read until the screen contains `needle`, or the deadline passes.
    pub async fn wait_for(&mut self, needle: &str, within: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        while !self.contents().contains(needle) {
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
            Some(ChannelMsg::Data { data }) => self.screen.process(&data),
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
