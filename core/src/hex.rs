//! The text form of a sketch: `\x` followed by two hexadecimal digits per storage
//! byte, as PostgreSQL writes `bytea`. Output uses lowercase digits; input takes either
//! case. Both work on caller-provided buffers, so the caller decides where the memory
//! comes from.

use crate::error::Error;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The digits of `text` after its `\x` prefix, checked for an even count.
fn digits_of(text: &[u8]) -> Result<&[u8], Error> {
    let digits = text
        .strip_prefix(b"\\x")
        .ok_or_else(|| Error::syntax("expected \\x followed by hexadecimal digits"))?;
    if digits.len() % 2 != 0 {
        return Err(Error::syntax("odd number of hexadecimal digits"));
    }
    Ok(digits)
}

/// How many bytes `text` decodes to, after checking every digit, so that a caller
/// allocates only for text that decodes.
pub fn decoded_len(text: &[u8]) -> Result<usize, Error> {
    let digits = digits_of(text)?;
    if digits.iter().any(|&c| digit(c).is_none()) {
        return Err(Error::syntax("invalid hexadecimal digit"));
    }
    Ok(digits.len() / 2)
}

/// Decodes `text` into `out`, which must be [`decoded_len`] bytes long.
pub fn decode_into(text: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let digits = digits_of(text)?;
    if out.len() != digits.len() / 2 {
        return Err(Error::syntax("output buffer does not fit the digits"));
    }
    for (pair, byte) in digits.chunks_exact(2).zip(out.iter_mut()) {
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => *byte = (hi << 4) | lo,
            _ => return Err(Error::syntax("invalid hexadecimal digit")),
        }
    }
    Ok(())
}

/// Decodes `text` into a new vector.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = vec![0; decoded_len(text)?];
    decode_into(text, &mut out)?;
    Ok(out)
}

/// Length of the text form of `len` storage bytes.
pub fn encoded_len(len: usize) -> usize {
    2 + 2 * len
}

/// Writes the text form of `bytes` into `out`, which must be
/// [`encoded_len`]`(bytes.len())` bytes long.
pub fn encode_into(bytes: &[u8], out: &mut [u8]) {
    assert_eq!(out.len(), encoded_len(bytes.len()), "hex output length");
    out[..2].copy_from_slice(b"\\x");
    for (&b, pair) in bytes.iter().zip(out[2..].chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
}

/// The text form of `bytes` as a new vector.
pub fn encode(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0; encoded_len(bytes.len())];
    encode_into(bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        assert_eq!(encode(&[0x12, 0xab, 0x00]), b"\\x12ab00");
        assert_eq!(decode(b"\\x12AB00").unwrap(), [0x12, 0xab, 0x00]);
        assert_eq!(decode(b"\\x").unwrap(), [] as [u8; 0]);
        for (bad, why) in [
            (&b"12ab"[..], "expected \\x followed by hexadecimal digits"),
            (b"\\x123", "odd number of hexadecimal digits"),
            (b"\\x1g", "invalid hexadecimal digit"),
            (b"\\x 1", "invalid hexadecimal digit"),
        ] {
            assert_eq!(
                decode(bad).unwrap_err().to_string(),
                format!("invalid input syntax for type hll: {why}")
            );
        }
    }
}
