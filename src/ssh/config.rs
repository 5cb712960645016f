//! Options of `gradstep serve`: the clap arguments, the resolved options and the limits.
//!
//! russh has no MaxStartups, LoginGraceTime or MaxSessions of its own, so every limit a public
//! server needs lives here, with defaults sized for one classroom on a small machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// `gradstep serve` flags; embed as a subcommand with `Serve(ServeArgs)`.
#[derive(clap::Args, Debug, Clone)]
#[command(about = "Serve the tutor over SSH: every `ssh -p PORT host` gets its own session")]
pub struct ServeArgs {
    /// Address and port to listen on. A non-loopback address needs --authorized-keys or
    /// --allow-anonymous.
    #[arg(long, default_value = "127.0.0.1:2222", value_parser = parse_listen)]
    pub listen: SocketAddr,
    /// Ed25519 host key file; created (mode 0600) on first start.
    /// Default: $XDG_DATA_HOME/gradstep/host_ed25519.
    #[arg(long, value_name = "PATH")]
    pub host_key: Option<PathBuf>,
    /// OpenSSH authorized_keys file: only these public keys may log in.
    #[arg(long, value_name = "PATH")]
    pub authorized_keys: Option<PathBuf>,
    /// OpenSSH authorized_keys file of teachers: a login with one of these keys gets the
    /// class console (roster, push, broadcast, follow) instead of the tutor. With anonymous
    /// logins on, the teacher logs in as `teacher@HOST`.
    #[arg(long, value_name = "PATH")]
    pub teacher_keys: Option<PathBuf>,
    /// Let anyone in without a key, even on a non-loopback address.
    #[arg(long)]
    pub allow_anonymous: bool,
    /// Keep anonymous learners' progress per SSH user name (`ssh NAME@host`), for
    /// `gradstep class report`. Names are not authenticated: anyone can use any name.
    #[arg(long)]
    pub progress_by_name: bool,
    /// Most connections at once (logged in or still logging in).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_sessions: u32,
    /// Most connections at once from one IP address (a classroom behind NAT shares one).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_per_ip: u32,
    /// End a session after this long without input (e.g. 15m, 1h, 90s).
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Time a connection has to finish the SSH handshake and log in.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub login_timeout: Duration,
}

/// Everything [`serve`](super::serve) needs; [`ServeArgs::into_options`] fills it from flags.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `None`: the XDG data dir default, see [`super::hostkey::default_path`].
    pub host_key: Option<PathBuf>,
    pub authorized_keys: Option<PathBuf>,
    /// `--teacher-keys`: whose logins get the class console.
    pub teacher_keys: Option<PathBuf>,
    pub allow_anonymous: bool,
    /// Only for the start banner; the app factory is told separately.
    pub keep_progress: super::app::KeepProgress,
    pub limits: Limits,
}

/// Resource limits. Each one bounds what a peer can make the server hold.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections at once, in any state.
    pub max_sessions: usize,
    /// Connections at once from one IP.
    pub max_per_ip: usize,
    /// Handshake plus authentication must be done within this.
    pub login_timeout: Duration,
    /// No input for this long ends the session.
    pub idle_timeout: Duration,
    /// Largest terminal drawn, whatever the client claims.
    pub max_cols: u16,
    pub max_rows: u16,
    /// Output bytes waiting for a slow client before frames are dropped for a full redraw.
    pub output_queue_bytes: usize,
    /// How long a lone ESC waits for the rest of a sequence before it counts as the Esc key.
    pub esc_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: 100,
            max_per_ip: 40,
            login_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(15 * 60),
            max_cols: 500,
            max_rows: 200,
            output_queue_bytes: 256 * 1024,
            esc_timeout: Duration::from_millis(30),
        }
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 2222)),
            host_key: None,
            authorized_keys: None,
            teacher_keys: None,
            allow_anonymous: false,
            keep_progress: Default::default(),
            limits: Limits::default(),
        }
    }
}

impl ServeArgs {
    /// Whose progress `--progress-by-name` asks the server to keep.
    pub fn keep_progress(&self) -> super::app::KeepProgress {
        if self.progress_by_name {
            super::app::KeepProgress::ByKeyOrName
        } else {
            super::app::KeepProgress::ByKey
        }
    }

    pub fn into_options(self) -> ServeOptions {
        ServeOptions {
            keep_progress: self.keep_progress(),
            listen: self.listen,
            host_key: self.host_key,
            authorized_keys: self.authorized_keys,
            teacher_keys: self.teacher_keys,
            allow_anonymous: self.allow_anonymous,
            limits: Limits {
                max_sessions: self.max_sessions as usize,
                max_per_ip: self.max_per_ip as usize,
                login_timeout: self.login_timeout,
                idle_timeout: self.idle_timeout,
                ..Limits::default()
            },
        }
    }
}

fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.parse().map_err(|_| {
        format!("{s:?} is not an IP:PORT address; try 127.0.0.1:2222, 0.0.0.0:2222 or [::]:2222")
    })
}

/// Parse `90s`, `15m`, `1h`, `1h30m`, `500ms`, `2d`. A bare number is refused (seconds or
/// minutes? the user should say), and so is zero: a limit of nothing is a typo.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("empty duration; write e.g. 30s, 15m or 1h".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "{s:?}: expected a number at {rest:?}; write e.g. 30s, 15m or 1h"
            ));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{s:?}: number too large"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "d" => Duration::from_secs(86400),
            "" => {
                return Err(format!("{s:?} has no unit; write e.g. {n}s, {n}m or {n}h"));
            }
            other => {
                return Err(format!(
                    "{s:?}: unknown unit {other:?}; use ms, s, m, h or d"
                ));
            }
        };
        let part = u32::try_from(n)
            .ok()
            .and_then(|n| scale.checked_mul(n))
            .ok_or_else(|| format!("{s:?} is too long"))?;
        total = total
            .checked_add(part)
            .ok_or_else(|| format!("{s:?} is too long"))?;
    }
    if total.is_zero() {
        return Err(format!(
            "{s:?} is zero; give a positive duration such as 30s"
        ));
    }
    Ok(total)
}

/// The client's claimed terminal size → the size we draw. Zero means "unknown" in SSH (the
/// client may report pixels only), so it gets the classic 80×24; anything larger than the
/// limits is clamped, so a 65535×65535 request never sizes a buffer. No `as u16` on a `u32`.
pub fn clamp_window(cols: u32, rows: u32, limits: &Limits) -> (u16, u16) {
    fn clamp(v: u32, default: u16, max: u16) -> u16 {
        if v == 0 {
            return default.min(max);
        }
        u16::try_from(v).unwrap_or(u16::MAX).min(max)
    }
    (
        clamp(cols, 80, limits.max_cols),
        clamp(rows, 24, limits.max_rows),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration(" 2d "), Ok(Duration::from_secs(172_800)));
    }

    #[test]
    fn bad_durations_say_why() {
        assert!(parse_duration("15").unwrap_err().contains("no unit"));
        assert!(parse_duration("15x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("").unwrap_err().contains("empty"));
        assert!(
            parse_duration("m")
                .unwrap_err()
                .contains("expected a number")
        );
        assert!(parse_duration("0s").unwrap_err().contains("zero"));
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("99999999999999999999s").is_err());
        assert!(parse_duration("18446744073709551615d").is_err());
    }

    #[test]
    fn window_is_clamped() {
        let l = Limits::default();
        assert_eq!(clamp_window(80, 24, &l), (80, 24));
        assert_eq!(clamp_window(65535, 65535, &l), (500, 200));
        assert_eq!(clamp_window(u32::MAX, u32::MAX, &l), (500, 200));
        assert_eq!(clamp_window(70_000, 3, &l), (500, 3));
        assert_eq!(clamp_window(0, 0, &l), (80, 24));
        assert_eq!(clamp_window(1, 1, &l), (1, 1));
    }

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn flags_parse_into_options() {
        let cli = Cli::try_parse_from([
            "x",
            "--listen",
            "0.0.0.0:2200",
            "--idle-timeout",
            "1h",
            "--max-sessions",
            "7",
            "--allow-anonymous",
        ])
        .unwrap();
        let o = cli.serve.into_options();
        assert_eq!(o.listen, "0.0.0.0:2200".parse().unwrap());
        assert_eq!(o.limits.idle_timeout, Duration::from_secs(3600));
        assert_eq!(o.limits.max_sessions, 7);
        assert!(o.allow_anonymous);

        let err = Cli::try_parse_from(["x", "--idle-timeout", "15"])
            .err()
            .unwrap();
        assert!(err.to_string().contains("no unit"), "{err}");
        let err = Cli::try_parse_from(["x", "--listen", "example.org"])
            .err()
            .unwrap();
        assert!(err.to_string().contains("IP:PORT"), "{err}");
    }
}
