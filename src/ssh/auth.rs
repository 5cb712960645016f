//! Who may log in. Decided once at start from the flags, then asked per connection.
//!
//! - `--authorized-keys FILE`: public keys from that file only; nothing else.
//! - no keys: anonymous (`none` auth), but only when listening on loopback, unless
//!   `--allow-anonymous` says the teacher really wants an open server. Binding a public
//!   address with neither is refused at start with an explanation, so a server is never open
//!   by accident.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use anyhow::{Context, Result, bail};
use russh::MethodKind;
use russh::keys::ssh_key::{AuthorizedKeys, PublicKey, public::KeyData};

/// How a connection may authenticate.
#[derive(Debug, Clone)]
pub enum AuthPolicy {
    /// Public-key auth against these keys; `none` is refused.
    Keys(Vec<KeyData>),
    /// `none` auth; `from_anywhere` is false when only loopback peers may use it.
    Anonymous { from_anywhere: bool },
}

impl AuthPolicy {
    /// Resolve the start-up flags, refusing combinations that would surprise the teacher.
    pub fn decide(
        listen: SocketAddr,
        authorized: Option<Vec<KeyData>>,
        allow_anonymous: bool,
    ) -> Result<AuthPolicy> {
        match (authorized, allow_anonymous) {
            (Some(_), true) => bail!(
                "--authorized-keys and --allow-anonymous contradict each other: with a key \
                 list only those keys get in; drop one of the two flags"
            ),
            (Some(keys), false) if keys.is_empty() => bail!(
                "the --authorized-keys file has no keys, so nobody could log in; add lines \
                 like `ssh-ed25519 AAAA... name` (one per student or teacher)"
            ),
            (Some(keys), false) => Ok(AuthPolicy::Keys(keys)),
            (None, true) => Ok(AuthPolicy::Anonymous {
                from_anywhere: true,
            }),
            (None, false) if is_loopback(listen.ip()) => Ok(AuthPolicy::Anonymous {
                from_anywhere: false,
            }),
            (None, false) => bail!(
                "refusing to listen on {listen} with no authentication: anyone who can reach \
                 that address could use this server. Either pass --authorized-keys FILE \
                 (public keys only), or --allow-anonymous if an open classroom server is what \
                 you want, or listen on 127.0.0.1 only"
            ),
        }
    }

    /// May this peer log in with `none`?
    pub fn accepts_none(&self, peer: IpAddr) -> bool {
        match self {
            AuthPolicy::Keys(_) => false,
            AuthPolicy::Anonymous { from_anywhere } => *from_anywhere || is_loopback(peer),
        }
    }

    /// May this (already verified) key log in?
    pub fn accepts_key(&self, key: &PublicKey) -> bool {
        match self {
            AuthPolicy::Keys(keys) => keys.iter().any(|k| k == key.key_data()),
            AuthPolicy::Anonymous { .. } => false,
        }
    }

    /// Methods listed to the client after a refusal.
    pub fn methods(&self) -> russh::MethodSet {
        russh::MethodSet::from(&[MethodKind::PublicKey][..])
    }

    /// For the start message and the logs.
    pub fn describe(&self) -> String {
        match self {
            AuthPolicy::Keys(k) => format!("public keys only ({} authorized)", k.len()),
            AuthPolicy::Anonymous {
                from_anywhere: true,
            } => "anonymous, from anywhere (--allow-anonymous)".into(),
            AuthPolicy::Anonymous {
                from_anywhere: false,
            } => "anonymous, loopback only".into(),
        }
    }
}

/// The keys of `--teacher-keys`: a login with one of them gets the teacher's console. They may
/// log in whatever the student policy says (also when `--authorized-keys` does not list them).
#[derive(Debug, Clone, Default)]
pub struct Teachers {
    keys: Vec<KeyData>,
}

/// With anonymous logins on, OpenSSH's first `none` attempt would let a teacher in as a
/// student before their key is ever offered: a login as this user name is never anonymous,
/// so the client goes on to offer its keys.
pub const TEACHER_USER: &str = "teacher";

impl Teachers {
    pub fn new(keys: Vec<KeyData>) -> Teachers {
        Teachers { keys }
    }

    /// Is this (already verified) key a teacher's?
    pub fn contains(&self, key: &PublicKey) -> bool {
        self.keys.iter().any(|k| k == key.key_data())
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Read `--teacher-keys` (authorized_keys format: one key per line, `#` comments and blank
/// lines skipped). Every refusal names `file:line`, so the teacher can fix the file before
/// class rather than find out when their login lands in the tutor.
pub fn load_teacher_keys(path: &Path) -> Result<Teachers> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading --teacher-keys {}", path.display()))?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = format!("{}:{}", path.display(), i + 1);
        let entry = line.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let parsed = AuthorizedKeys::new(entry).next();
        let key = match parsed {
            Some(Ok(k)) => k,
            Some(Err(e)) => bail!("{at}: not an OpenSSH public key line ({e})"),
            None => continue,
        };
        if !key.config_opts().is_empty() {
            bail!(
                "{at}: the key has options ({}); gradstep serve does not enforce \
                 authorized_keys options, remove them",
                super::logsafe::escaped(key.config_opts().as_str())
            );
        }
        keys.push(key.public_key().key_data().clone());
    }
    if keys.is_empty() {
        bail!(
            "{}: no keys in the --teacher-keys file, so no teacher could log in; add a line \
             like `ssh-ed25519 AAAA... teacher`",
            path.display()
        );
    }
    Ok(Teachers::new(keys))
}

/// Loopback, including IPv4-mapped IPv6 (`::ffff:127.0.0.1`). The unspecified address
/// (`0.0.0.0`, `::`) is every interface, so it is not loopback.
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Read an OpenSSH `authorized_keys` file. Per-key options (`from=`, `command=`) are not
/// enforced by this server, so a file using them is refused rather than half-honoured.
pub fn load_authorized_keys(path: &Path) -> Result<Vec<KeyData>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading --authorized-keys {}", path.display()))?;
    let mut keys = Vec::new();
    for (i, entry) in AuthorizedKeys::new(&text).enumerate() {
        let entry = entry.with_context(|| {
            format!(
                "{}: entry {} is not an OpenSSH public key line",
                path.display(),
                i + 1
            )
        })?;
        if !entry.config_opts().is_empty() {
            bail!(
                "{}: key {} has options ({}); gradstep serve does not enforce authorized_keys \
                 options, remove them",
                path.display(),
                i + 1,
                super::logsafe::escaped(entry.config_opts().as_str())
            );
        }
        keys.push(entry.public_key().key_data().clone());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG49vPpGItgbX1voH2jQZlQLzuz8I+cA7RqEer5zi7Gu student";

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }
    fn keys() -> Vec<KeyData> {
        vec![PublicKey::from_openssh(KEY).unwrap().key_data().clone()]
    }

    #[test]
    fn loopback_without_keys_is_anonymous_for_loopback_peers_only() {
        let p = AuthPolicy::decide(addr("127.0.0.1:2222"), None, false).unwrap();
        assert!(p.accepts_none("127.0.0.1".parse().unwrap()));
        assert!(p.accepts_none("::1".parse().unwrap()));
        assert!(p.accepts_none("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!p.accepts_none("192.0.2.7".parse().unwrap()));
        let p = AuthPolicy::decide(addr("[::1]:2222"), None, false).unwrap();
        assert!(matches!(
            p,
            AuthPolicy::Anonymous {
                from_anywhere: false
            }
        ));
    }

    #[test]
    fn public_address_without_auth_is_refused_with_explanation() {
        for a in ["0.0.0.0:2222", "[::]:2222", "192.0.2.7:22"] {
            let err = AuthPolicy::decide(addr(a), None, false)
                .unwrap_err()
                .to_string();
            assert!(err.contains("--allow-anonymous"), "{err}");
            assert!(err.contains("--authorized-keys"), "{err}");
        }
    }

    #[test]
    fn allow_anonymous_opens_public_address() {
        let p = AuthPolicy::decide(addr("0.0.0.0:2222"), None, true).unwrap();
        assert!(p.accepts_none("192.0.2.7".parse().unwrap()));
    }

    #[test]
    fn keys_mean_keys_only() {
        let p = AuthPolicy::decide(addr("0.0.0.0:2222"), Some(keys()), false).unwrap();
        assert!(!p.accepts_none("127.0.0.1".parse().unwrap()));
        assert!(p.accepts_key(&PublicKey::from_openssh(KEY).unwrap()));
        let other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIERPmUW/uMy2u0njasJbKNyBpebKP4HiE+qdMV3UMStp other";
        assert!(!p.accepts_key(&PublicKey::from_openssh(other).unwrap()));
        // Loopback with keys: still keys only.
        let p = AuthPolicy::decide(addr("127.0.0.1:2222"), Some(keys()), false).unwrap();
        assert!(!p.accepts_none("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn contradictions_and_empty_key_files_are_refused() {
        assert!(AuthPolicy::decide(addr("0.0.0.0:1"), Some(keys()), true).is_err());
        assert!(AuthPolicy::decide(addr("127.0.0.1:1"), Some(vec![]), false).is_err());
    }

    #[test]
    fn authorized_keys_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ak");
        std::fs::write(&path, format!("# teacher\n\n{KEY}\n")).unwrap();
        assert_eq!(load_authorized_keys(&path).unwrap(), keys());
        std::fs::write(&path, format!("from=\"10.0.0.1\" {KEY}\n")).unwrap();
        assert!(
            load_authorized_keys(&path)
                .unwrap_err()
                .to_string()
                .contains("options")
        );
        std::fs::write(&path, "ssh-ed25519 garbage\n").unwrap();
        assert!(load_authorized_keys(&path).is_err());
    }

    #[test]
    fn teacher_keys_load_and_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teachers");
        std::fs::write(&path, format!("# the teachers\n\n{KEY}\n")).unwrap();
        let t = load_teacher_keys(&path).unwrap();
        assert!(t.contains(&PublicKey::from_openssh(KEY).unwrap()));
        assert_eq!(t.len(), 1);

        std::fs::write(&path, format!("{KEY}\n# ok\nssh-ed25519 garbage\n")).unwrap();
        let err = load_teacher_keys(&path).unwrap_err().to_string();
        assert!(err.contains("teachers:3:"), "{err}");

        std::fs::write(&path, format!("\ncommand=\"x\" {KEY}\n")).unwrap();
        let err = load_teacher_keys(&path).unwrap_err().to_string();
        assert!(
            err.contains("teachers:2:") && err.contains("options"),
            "{err}"
        );

        std::fs::write(&path, "# nobody\n").unwrap();
        let err = load_teacher_keys(&path).unwrap_err().to_string();
        assert!(err.contains("no keys"), "{err}");

        let missing = dir.path().join("nope");
        let err = format!("{:#}", load_teacher_keys(&missing).unwrap_err());
        assert!(
            err.contains("--teacher-keys") && err.contains("nope"),
            "{err}"
        );
    }
}
