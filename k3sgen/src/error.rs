//! What can go wrong while loading, rendering or writing spec files.

use std::fmt;
use std::path::PathBuf;

use k3score::Errors;

/// A failure of a k3sgen operation: bad usage, a file that could not be read or written, or
/// a spec with problems (every one, with its field path).
#[derive(Debug)]
pub enum Error {
    /// Bad usage (an unknown preset, ingress controller or option).
    Usage(String),
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// A spec had problems (every one, with its field path).
    Spec(PathBuf, Errors),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "usage: {message}"),
            Error::Io(path, error) => write!(f, "{}: {error}", path.display()),
            Error::Spec(path, errors) => {
                for error in errors {
                    writeln!(f, "{}: {error}", path.display())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(_, error) => Some(error),
            Error::Usage(_) | Error::Spec(..) => None,
        }
    }
}
