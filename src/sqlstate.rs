//! The one place where core errors become PostgreSQL errors with a SQLSTATE.

use hll_core::Error;
use pgrx::prelude::*;

/// Where the failing bytes or values came from; it decides the SQLSTATE.
#[derive(Clone, Copy)]
pub enum Origin {
    /// Text input (`'\x...'::hll`, COPY text): 22P02.
    Text,
    /// Binary input (COPY BINARY, binary protocol): 22P03.
    Binary,
    /// Stored bytes given to a function or cast from bytea: XX001.
    Stored,
}

/// Raises `err` as an ERROR; never returns.
pub fn raise(err: &Error, origin: Origin) -> ! {
    let code = match (err, origin) {
        (Error::InvalidParameter(_), _) => PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
        (Error::Corrupt(_) | Error::CorruptUll(_), Origin::Text) => {
            PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION
        }
        (Error::Corrupt(_), Origin::Binary) => {
            PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION
        }
        (Error::Corrupt(_), Origin::Stored) => PgSqlErrorCode::ERRCODE_DATA_CORRUPTED,
        // Every ull byte string is checked before use, wherever it came from: bad bytes
        // are the caller's data, never a corrupted table.
        (Error::CorruptUll(_), _) => PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
        // DataSketches bytes come from other engines (Spark, Druid, ...) and are checked
        // like ull's: 22P02 from text, 22P03 from anywhere else.
        (Error::CorruptDataSketches(_), Origin::Text) => {
            PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION
        }
        (Error::CorruptDataSketches(_), _) => PgSqlErrorCode::ERRCODE_INVALID_BINARY_REPRESENTATION,
        (Error::OutOfMemory(_), _) => PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY,
        (Error::Syntax(_), _) => PgSqlErrorCode::ERRCODE_INVALID_TEXT_REPRESENTATION,
    };
    error(code, &err.to_string())
}

/// Raises an ERROR with `code` and `message`; never returns.
pub fn error(code: PgSqlErrorCode, message: &str) -> ! {
    ereport!(ERROR, code, message);
}

/// Unwraps a core result or raises its error.
pub fn check<T>(result: Result<T, Error>, origin: Origin) -> T {
    result.unwrap_or_else(|e| raise(&e, origin))
}
