//! The CLI's error: a one-line message and an exit status.

use std::fmt;
use std::path::Path;
use std::process::ExitCode;

/// Why a command failed, which decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The input (a token) was rejected: exit status 1.
    Rejected,
    /// Usage, I/O or key error: exit status 2.
    Usage,
}

/// A failed command: printed as one `error: ...` line on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CliError {
    kind: Kind,
    message: String,
}

impl CliError {
    /// A usage, I/O or key error (exit status 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError {
            kind: Kind::Usage,
            message: message.into(),
        }
    }

    /// A rejected input (exit status 1).
    pub(crate) fn rejected(message: impl Into<String>) -> Self {
        CliError {
            kind: Kind::Rejected,
            message: message.into(),
        }
    }

    /// A file that could not be read or written.
    pub(crate) fn io(action: &str, what: &str, path: &Path, err: &std::io::Error) -> Self {
        Self::usage(format!("cannot {action} {what} {}: {err}", path.display()))
    }

    /// A library error about a key or a request we made (exit status 2 whatever the variant),
    /// with context in front.
    pub(crate) fn key(context: impl fmt::Display, err: &jose::Error) -> Self {
        Self::usage(format!("{context}: {err}"))
    }

    /// A library error while building a token (sign, encrypt): the library refusing what we asked
    /// (`InvalidRequest`, `InvalidHeader`, `InvalidKey`, a bad algorithm in `--protected`) is a
    /// usage error; anything else (the provider failing) is exit status 1.
    pub(crate) fn building(err: jose::Error) -> Self {
        match err {
            jose::Error::Provider(_) => Self::rejected(err.to_string()),
            other => Self::usage(other.to_string()),
        }
    }

    /// The same error with `context` in front of the message.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        CliError {
            kind: self.kind,
            message: format!("{context}: {}", self.message),
        }
    }

    /// The same error as a usage error (exit status 2): for failures that are the caller's choice
    /// of flags, whatever the library called them.
    pub(crate) fn into_usage(self) -> Self {
        CliError {
            kind: Kind::Usage,
            message: self.message,
        }
    }

    /// The kind.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// The exit status.
    pub(crate) fn exit_code(&self) -> ExitCode {
        match self.kind {
            Kind::Rejected => ExitCode::from(1),
            Kind::Usage => ExitCode::from(2),
        }
    }

    /// The message on one line (line breaks become spaces).
    pub(crate) fn one_line(&self) -> String {
        self.message
            .split(['\r', '\n'])
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A library error while reading a token or using keys on it: `InvalidKey` is a key error (2),
/// everything else means the token was rejected (1).
impl CliError {
    /// A protocol crate's error as a CLI error, by its [`jose::ErrorClass`]: the input was
    /// rejected (exit 1), or our side (arguments, files, keys, configuration) or the transport
    /// failed (exit 2). The message is the error and its causes, each once.
    pub(crate) fn classified(
        class: jose::ErrorClass,
        err: &(dyn std::error::Error + 'static),
    ) -> Self {
        let message = jose::error::display_chain(err);
        match class {
            jose::ErrorClass::Rejected => Self::rejected(message),
            _ => Self::usage(message),
        }
    }
}

impl From<jose::Error> for CliError {
    fn from(err: jose::Error) -> Self {
        if err.is_key_error() {
            Self::usage(err.to_string())
        } else {
            Self::rejected(err.to_string())
        }
    }
}

/// `Result` with [`CliError`].
pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_contract() {
        assert_eq!(
            CliError::from(jose::Error::BadSignature).kind(),
            Kind::Rejected
        );
        assert_eq!(
            CliError::from(jose::Error::DecryptionFailed).kind(),
            Kind::Rejected
        );
        assert_eq!(
            CliError::from(jose::Error::invalid_key("an RSA key", "an EC P-256 key")).kind(),
            Kind::Usage
        );
        assert_eq!(
            CliError::building(jose::Error::InvalidRequest("x".into())).kind(),
            Kind::Usage
        );
    }

    #[test]
    fn messages_are_one_line() {
        let e = CliError::usage("a\nb\r\n\nc");
        assert_eq!(e.one_line(), "a b c");
    }
}
