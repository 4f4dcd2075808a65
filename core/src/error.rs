//! The one error type of the core; the extension maps each kind to a SQLSTATE.

use std::fmt;

/// What can go wrong when building, combining or decoding a sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A parameter is outside its accepted range (the message names it and the range).
    InvalidParameter(String),
    /// Stored bytes do not follow the storage format (the message says where).
    Corrupt(String),
    /// Stored bytes do not follow the `ull` (UltraLogLog) format (docs/ull-format.md).
    CorruptUll(String),
    /// Stored bytes are not a valid Apache DataSketches HLL sketch (the message says why).
    CorruptDataSketches(String),
    /// Memory for this many bytes could not be had (the allocator refused).
    OutOfMemory(usize),
    /// Text that is not the text form of a sketch (the message says why).
    Syntax(String),
}

impl Error {
    pub(crate) fn corrupt(msg: impl Into<String>) -> Self {
        Error::Corrupt(msg.into())
    }

    pub(crate) fn corrupt_ull(msg: impl Into<String>) -> Self {
        Error::CorruptUll(msg.into())
    }

    pub(crate) fn corrupt_datasketches(msg: impl Into<String>) -> Self {
        Error::CorruptDataSketches(msg.into())
    }

    pub(crate) fn out_of_memory(bytes: usize) -> Self {
        Error::OutOfMemory(bytes)
    }

    pub(crate) fn syntax(msg: impl Into<String>) -> Self {
        Error::Syntax(msg.into())
    }

    pub(crate) fn parameter(msg: impl Into<String>) -> Self {
        Error::InvalidParameter(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter(msg) => f.write_str(msg),
            Error::Corrupt(msg) => write!(f, "invalid hll data: {msg}"),
            Error::CorruptUll(msg) => write!(f, "invalid ull data: {msg}"),
            Error::CorruptDataSketches(msg) => {
                write!(f, "invalid DataSketches HLL data: {msg}")
            }
            Error::OutOfMemory(bytes) => {
                write!(f, "out of memory: failed on a request of {bytes} bytes")
            }
            Error::Syntax(msg) => write!(f, "invalid input syntax for type hll: {msg}"),
        }
    }
}

impl std::error::Error for Error {}
