//! The russh handler of one connection: authentication, the one session channel, and quick,
//! explained refusals of everything else (no PTY, exec, subsystems, forwarding, a second
//! session). Input and window changes are forwarded to the shell task ([`super::shell`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use russh::keys::HashAlg;
use russh::server::{Auth, ChannelOpenHandle, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf};
use tokio::sync::mpsc;

use super::admission::{ConnCtx, Phase};
use super::auth::{AuthPolicy, TEACHER_USER, Teachers};
use super::config::{Limits, clamp_window};
use super::logsafe::Untrusted;
use super::remote_app::{AppFactory, ClientTerminal, Connection};
use super::shell::{self, INPUT_QUEUE, Input};
use super::shutdown::Shutdown;

/// What every connection shares.
pub struct Shared {
    pub policy: AuthPolicy,
    /// `--teacher-keys`: these keys get in whatever `policy` says, and get the console.
    pub teachers: Teachers,
    pub factory: AppFactory,
    pub limits: Limits,
    /// Set by a signal: sessions save, restore their client's screen and end.
    pub shutdown: Arc<Shutdown>,
}

enum Chan {
    /// No session channel yet.
    None,
    /// Opened; waiting for pty-req and shell.
    Open {
        id: ChannelId,
        write: ChannelWriteHalf<Msg>,
        pty: Option<(u32, u32)>,
    },
    /// The tutor runs; input goes to it.
    Running {
        id: ChannelId,
        tx: mpsc::Sender<Input>,
    },
    /// Refused or finished.
    Closed,
}

pub struct ConnHandler {
    shared: Arc<Shared>,
    peer: SocketAddr,
    ctx: ConnCtx,
    user: String,
    key_fingerprint: Option<String>,
    /// Logged in with a teacher's key.
    teacher: bool,
    terminal: ClientTerminal,
    chan: Chan,
}

const NEED_PTY: &str = "gradstep: this server runs an interactive tutor and needs a terminal.\r\n\
    Connect without -T (and use -t if your ssh does not allocate one), e.g.: ssh -t -p PORT HOST\r\n";
const NO_EXEC: &str = "gradstep: this server only runs the tutor; it does not run commands.\r\n\
    Connect with no command: ssh -p PORT HOST\r\n";
const NO_SUBSYSTEM: &str = "gradstep: no subsystems here (sftp, scp and the like are refused).\r\n";

impl ConnHandler {
    pub fn new(shared: Arc<Shared>, peer: SocketAddr, ctx: ConnCtx) -> Self {
        ConnHandler {
            shared,
            peer,
            ctx,
            user: String::new(),
            key_fingerprint: None,
            teacher: false,
            terminal: ClientTerminal::default(),
            chan: Chan::None,
        }
    }

    fn is_ours(&self, channel: ChannelId) -> bool {
        match &self.chan {
            Chan::Open { id, .. } | Chan::Running { id, .. } => *id == channel,
            _ => false,
        }
    }

    /// Refuse a request on our channel with a message on stderr and a non-zero exit status,
    /// then close it: the client exits at once, showing why.
    fn refuse(
        &mut self,
        channel: ChannelId,
        message: &str,
        session: &mut Session,
    ) -> Result<(), russh::Error> {
        session.channel_success(channel)?;
        session.extended_data(channel, 1, message.as_bytes().to_vec())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)?;
        self.chan = Chan::Closed;
        Ok(())
    }

    fn start_session(&mut self, channel: ChannelId) -> bool {
        let Chan::Open {
            id,
            pty: Some((cols, rows)),
            ..
        } = &self.chan
        else {
            return false;
        };
        let (id, size) = (*id, clamp_window(*cols, *rows, &self.shared.limits));
        if id != channel {
            return false;
        }
        let Chan::Open { write, .. } = std::mem::replace(&mut self.chan, Chan::Closed) else {
            return false;
        };
        let (tx, rx) = mpsc::channel(INPUT_QUEUE);
        self.chan = Chan::Running { id, tx };
        self.ctx.admission.in_session(self.ctx.id);
        let _ = self.ctx.phase.send(Phase::InSession);

        let info = Connection {
            peer: self.peer,
            user: self.user.clone(),
            key_fingerprint: self.key_fingerprint.clone(),
            terminal: self.terminal.clone(),
            teacher: self.teacher,
        };
        let factory = self.shared.factory.clone();
        let limits = self.shared.limits.clone();
        let phase = self.ctx.phase.clone();
        let shutdown = self.shared.shutdown.signalled();
        tokio::spawn(async move {
            let started = Instant::now();
            tracing::info!(peer = %info.peer, user = %Untrusted(&info.user), cols = size.0,
                rows = size.1, term = %Untrusted(info.terminal.term.as_deref().unwrap_or("-")),
                "session start");
            let peer = info.peer;
            let outcome = shell::run_until(info, factory, limits, size, rx, write, shutdown).await;
            tracing::info!(%peer, ?outcome, duration = ?started.elapsed(), "session end");
            let _ = phase.send(Phase::Done);
        });
        true
    }

    fn auth_ok(&mut self, user: &str, method: &str) {
        self.user = user.chars().take(64).collect();
        tracing::info!(peer = %self.peer, user = %Untrusted(&self.user), method,
            key = self.key_fingerprint.as_deref().unwrap_or("-"), "authenticated");
    }
}

impl russh::server::Handler for ConnHandler {
    type Error = anyhow::Error;

    async fn auth_none(&mut self, user: &str) -> Result<Auth, Self::Error> {
        let teacher_name = !self.shared.teachers.is_empty() && user == TEACHER_USER;
        if !teacher_name && self.shared.policy.accepts_none(self.peer.ip()) {
            self.auth_ok(user, "none");
            Ok(Auth::Accept)
        } else {
            Ok(Auth::Reject {
                proceed_with_methods: Some(self.shared.policy.methods()),
                partial_success: false,
            })
        }
    }

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // Spare the client a signature for a key we would refuse anyway.
        let key = offer.public_key;
        Ok(
            if self.shared.teachers.contains(key) || self.shared.policy.accepts_key(key) {
                Auth::Accept
            } else {
                Auth::reject()
            },
        )
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let teacher = self.shared.teachers.contains(key.public_key);
        if teacher || self.shared.policy.accepts_key(key.public_key) {
            self.key_fingerprint = Some(key.public_key.fingerprint(HashAlg::Sha256).to_string());
            self.teacher = teacher;
            self.auth_ok(
                user,
                if teacher {
                    "publickey (teacher)"
                } else {
                    "publickey"
                },
            );
            Ok(Auth::Accept)
        } else {
            Ok(Auth::reject())
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if !matches!(self.chan, Chan::None) {
            tracing::info!(peer = %self.peer, "second session channel refused");
            reply
                .reject(ChannelOpenFailure::AdministrativelyProhibited)
                .await;
            return Ok(());
        }
        // Only the write half is kept: requests and data reach us through this handler, and
        // a dropped read half makes russh skip its copy instead of filling a queue nobody reads.
        let (_read, write) = channel.split();
        self.chan = Chan::Open {
            id: write.id(),
            write,
            pty: None,
        };
        reply.accept().await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match &mut self.chan {
            Chan::Open { id, pty, .. } if *id == channel => {
                // Only remembered here; clamped when the session starts, never allocated.
                *pty = Some((col_width, row_height));
                self.terminal.term = Some(term.chars().take(64).collect());
                session.channel_success(channel)?;
            }
            _ => session.channel_failure(channel)?,
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.start_session(channel) {
            session.channel_success(channel)?;
        } else if matches!(&self.chan, Chan::Open { id, pty: None, .. } if *id == channel) {
            tracing::info!(peer = %self.peer, "refused: no pty");
            self.refuse(channel, NEED_PTY, session)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // The command is not logged: it is something the user typed.
        tracing::info!(peer = %self.peer, len = data.len(), "refused: exec");
        if self.is_ours(channel) && matches!(self.chan, Chan::Open { .. }) {
            self.refuse(channel, NO_EXEC, session)?;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        tracing::info!(peer = %self.peer, subsystem = %Untrusted(name),
            "refused: subsystem");
        if self.is_ours(channel) && matches!(self.chan, Chan::Open { .. }) {
            session.extended_data(channel, 1, NO_SUBSYSTEM.as_bytes().to_vec())?;
            session.channel_failure(channel)?;
            session.close(channel)?;
            self.chan = Chan::Closed;
        } else {
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single_connection: bool,
        _x11_auth_protocol: &str,
        _x11_auth_cookie: &str,
        _x11_screen_number: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        variable_name: &str,
        variable_value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Before the shell starts only: the app reads them once, when it is made.
        let open = matches!(&self.chan, Chan::Open { id, .. } if *id == channel);
        if open && self.terminal.set_env(variable_name, variable_value) {
            session.channel_success(channel)?;
        } else {
            tracing::debug!(peer = %self.peer, name = %Untrusted(variable_name), "env request refused");
            session.channel_failure(channel)?;
        }
        Ok(())
    }

    // agent forwarding, tcpip/streamlocal forwarding, direct-tcpip, x11 channels: russh's
    // defaults refuse them (false / dropped open handle → "administratively prohibited").

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Chan::Running { id, tx } = &self.chan
            && *id == channel
        {
            // Waiting here when the session is behind is the back-pressure: the client's TCP
            // stream stops being read, so its typing cannot grow our memory.
            let _ = tx.send(Input::Data(data.to_vec())).await;
        }
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        channel: ChannelId,
        col_width: u32,
        row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        match &mut self.chan {
            Chan::Running { id, tx } if *id == channel => {
                let _ = tx
                    .send(Input::Resize {
                        cols: col_width,
                        rows: row_height,
                    })
                    .await;
            }
            Chan::Open {
                id, pty: Some(p), ..
            } if *id == channel => *p = (col_width, row_height),
            _ => {}
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if let Chan::Running { id, tx } = &self.chan
            && *id == channel
        {
            let _ = tx.send(Input::Eof).await;
        }
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.is_ours(channel) {
            // Dropping the input sender tells the session the client is gone.
            self.chan = Chan::Closed;
        }
        Ok(())
    }
}
