//! Reading files and stdin, writing files.

use crate::error::{CliError, Result};
use std::io::{Read, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// Reads a whole file, refusing more than `max` bytes (jose-core's bounded read: the buffer is
/// wiped on drop). `what` names the file in messages; the contents never appear in them.
pub(crate) fn read_file(path: &Path, what: &'static str, max: usize) -> Result<Zeroizing<Vec<u8>>> {
    jose::keyfile::read_limited(path, what, max)
        .map_err(|e| CliError::usage(jose::error::display_chain(&e)))
}

/// `text` and a newline: what a command prints on stdout (wiped on drop, as it may be secret).
pub(crate) fn line(text: impl AsRef<[u8]>) -> Zeroizing<Vec<u8>> {
    let text = text.as_ref();
    let mut out = Zeroizing::new(Vec::with_capacity(text.len().saturating_add(1)));
    out.extend_from_slice(text);
    out.push(b'\n');
    out
}

/// Reads all of stdin as bytes (no limit: the caller's data).
pub(crate) fn read_stdin() -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

/// Reads a secret from stdin, refusing more than `max` bytes (a usage error, exit status 2).
/// `what` names it in messages; the contents never appear in them.
pub(crate) fn read_stdin_secret(what: &str, max: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::new());
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    std::io::stdin()
        .lock()
        .take(cap)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("cannot read {what} from stdin: {e}")))?;
    if buf.len() > max {
        return Err(CliError::usage(format!(
            "{what} on stdin is too large: expected at most {max} bytes, found more"
        )));
    }
    Ok(buf)
}

/// Reads a token from stdin: at most `max` bytes of UTF-8 text (the caller trims it).
pub(crate) fn read_token(max: usize) -> Result<String> {
    let mut buf = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    std::io::stdin()
        .lock()
        .take(cap)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    if buf.len() > max {
        return Err(CliError::rejected(format!(
            "the token on stdin is too large: expected at most {max} bytes, found more"
        )));
    }
    let text = String::from_utf8(buf).map_err(|_| {
        CliError::rejected("malformed token: expected UTF-8 text on stdin, found non-UTF-8 bytes")
    })?;
    if text.trim().is_empty() {
        return Err(CliError::rejected(
            "malformed token: expected a token on stdin, found nothing",
        ));
    }
    Ok(text)
}

/// Writes `contents` to `path`, replacing the file. With `private`, the file is created readable by
/// its owner only (on Unix).
pub(crate) fn write_file(path: &Path, what: &str, contents: &[u8], private: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| CliError::io("write", what, path, &e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| CliError::io("restrict the permissions of", what, path, &e))?;
    }
    file.write_all(contents)
        .and_then(|()| file.flush())
        .map_err(|e| CliError::io("write", what, path, &e))
}

/// Creates `path` and writes `contents`, never replacing anything: the open fails if `path` exists,
/// as a file, a directory or a symbolic link (even a dangling one, which is not followed). With
/// `private`, the file is created readable by its owner only (mode 0600 on Unix, set by the open
/// itself, so it is never readable by others, not even for a moment). If the write fails, the
/// file just created is removed.
pub(crate) fn create_new_file(
    path: &Path,
    what: &str,
    contents: &[u8],
    private: bool,
) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::usage(format!(
                "cannot create {what} {}: expected no file by that name, found one (a file, directory or symbolic link); nothing is overwritten",
                path.display()
            ))
        } else {
            CliError::io("create", what, path, &e)
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.flush())
        .map_err(|e| {
            // The file is ours (create_new made it just now): do not leave it half written.
            let _ = std::fs::remove_file(path);
            CliError::io("write", what, path, &e)
        })
}
