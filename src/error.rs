//! Error kinds that decide the exit code: bad input or usage exits 2, anything else 1.

use std::fmt;

/// A problem with what the user gave us (a file, a key, a value, a flag).
/// The message already names the file, the key and the line where they are known.
#[derive(Debug)]
pub struct InputError {
    message: String,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

/// Shorthand for returning an [`InputError`] inside an `anyhow::Result`.
pub fn input_error(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InputError::new(message))
}

/// The process exit code for an error: 2 when any cause is an [`InputError`], else 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|c| c.downcast_ref::<InputError>().is_some()) {
        2
    } else {
        1
    }
}
