//! The server's Ed25519 host key: made once, kept, so students' `known_hosts` stay valid.
//!
//! The file is OpenSSH's private key format, mode 0600 from the moment it exists (created with
//! that mode, written to a temporary name and renamed), in a directory made 0700.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};

/// `$XDG_DATA_HOME/gradstep/host_ed25519` (or `~/.local/share/...`).
pub fn default_path() -> Result<PathBuf> {
    let base = dirs::data_dir()
        .context("no data directory (set XDG_DATA_HOME or HOME, or pass --host-key PATH)")?;
    Ok(base.join("gradstep").join("host_ed25519"))
}

/// Whether the key was read from disk or made just now (the start message says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Loaded,
    Created,
}

/// Read the key at `path`, or create it there if there is no file.
pub fn load_or_create(path: &Path) -> Result<(PrivateKey, Origin)> {
    match fs::read_to_string(path) {
        Ok(text) => {
            let key = PrivateKey::from_openssh(&text)
                .with_context(|| format!("{} is not an OpenSSH private key", path.display()))?;
            if key.is_encrypted() {
                bail!(
                    "host key {} is passphrase-protected; a server cannot type the passphrase",
                    path.display()
                );
            }
            tighten_permissions(path)?;
            Ok((key, Origin::Loaded))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = generate()?;
            write_new(path, &key)?;
            Ok((key, Origin::Created))
        }
        Err(e) => Err(e).with_context(|| format!("reading host key {}", path.display())),
    }
}

/// `SHA256:…`, as `ssh` prints it when it asks whether to trust the host.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

fn generate() -> Result<PrivateKey> {
    use rand::TryRngCore;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .context("the operating system's random source failed")?;
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    seed.fill(0);
    Ok(key)
}

fn write_new(path: &Path, key: &PrivateKey) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        create_private_dir(dir)?;
    }
    let pem = key
        .to_openssh(LineEnding::LF)
        .context("encoding the new host key")?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file =
        open_private(&tmp).with_context(|| format!("creating host key file {}", tmp.display()))?;
    file.write_all(pem.as_bytes())
        .and_then(|_| file.sync_all())
        .with_context(|| format!("writing host key {}", tmp.display()))?;
    drop(file);
    // Two servers starting at once: the first rename wins and both use a valid key file,
    // though the loser's in-memory key differs until its next start. Good enough for a tool
    // started by hand.
    fs::rename(&tmp, path).with_context(|| format!("saving host key {}", path.display()))?;
    Ok(())
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// A key readable by others is a key others may have copied; we cannot undo that, but we
/// stop it from going on and say so.
#[cfg(unix)]
fn tighten_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %path.display(),
            mode = format!("{mode:o}"),
            "host key was readable by others; setting it to 0600"
        );
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten_permissions(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/host_ed25519");
        let (k1, o1) = load_or_create(&path).unwrap();
        assert_eq!(o1, Origin::Created);
        assert_eq!(k1.algorithm(), russh::keys::Algorithm::Ed25519);
        let (k2, o2) = load_or_create(&path).unwrap();
        assert_eq!(o2, Origin::Loaded);
        assert_eq!(fingerprint(&k1), fingerprint(&k2));
        assert!(fingerprint(&k1).starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        // No temporary files left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        load_or_create(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        load_or_create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn garbage_file_is_an_error_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        fs::write(&path, "not a key").unwrap();
        let err = load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("not an OpenSSH private key"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "not a key");
    }
}
