//! The 8-byte header every serialized DataSketches HLL sketch starts with.
//!
//! ```text
//! byte 0  preamble ints: 2 LIST, 3 SET, 10 HLL (the header's size in 4-byte words)
//! byte 1  serialization version, 1
//! byte 2  family id, 7 (HLL)
//! byte 3  lg_k, 4..=21
//! byte 4  lg of the LIST/SET array size, or of HLL_4's exception table (0 if none)
//! byte 5  flags: 4 empty, 8 compact, 16 out of order, 32 full size (C++: created in
//!         HLL mode; Java: "rebuild the register sums", cleared before Java writes);
//!         1 and 2 are reserved bits the libraries do not read
//! byte 6  LIST: coupon count; HLL: cur_min (HLL_4's register offset); SET: unused
//! byte 7  mode: bits 0-1 current mode (0 LIST, 1 SET, 2 HLL), bits 2-3 target type
//!         (0 HLL_4, 1 HLL_6, 2 HLL_8)
//! ```
//! All multi-byte fields after the header are little-endian.

use super::sketch::{Mode, TargetType};
use super::{MAX_LG_K, MIN_LG_K};
use crate::Error;

pub const SER_VER: u8 = 1;
pub const FAMILY_ID: u8 = 7;
pub const LIST_PRE_INTS: u8 = 2;
pub const SET_PRE_INTS: u8 = 3;
pub const HLL_PRE_INTS: u8 = 10;

pub const FLAG_EMPTY: u8 = 4;
pub const FLAG_COMPACT: u8 = 8;
pub const FLAG_OUT_OF_ORDER: u8 = 16;
pub const FLAG_FULL_SIZE: u8 = 32;
/// Bits no library version sets: refused, so that garbage is not taken for a sketch.
const FLAGS_UNUSED: u8 = 0xc0;

/// Offsets in the body (from the start of the sketch).
pub const LIST_DATA: usize = 8;
pub const SET_COUNT: usize = 8;
pub const SET_DATA: usize = 12;
pub const HLL_HIP: usize = 8;
pub const HLL_KXQ0: usize = 16;
pub const HLL_KXQ1: usize = 24;
pub const HLL_NUM_AT_CUR_MIN: usize = 32;
pub const HLL_AUX_COUNT: usize = 36;
pub const HLL_DATA: usize = 40;

/// A decoded header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preamble {
    pub lg_k: u8,
    pub lg_arr: u8,
    pub flags: u8,
    pub byte6: u8,
    pub mode: Mode,
    pub target: TargetType,
}

impl Preamble {
    pub fn compact(&self) -> bool {
        self.flags & FLAG_COMPACT != 0
    }
    pub fn empty(&self) -> bool {
        self.flags & FLAG_EMPTY != 0
    }
    pub fn out_of_order(&self) -> bool {
        self.flags & FLAG_OUT_OF_ORDER != 0
    }
    pub fn full_size(&self) -> bool {
        self.flags & FLAG_FULL_SIZE != 0
    }
}

fn corrupt(msg: String) -> Error {
    Error::corrupt_datasketches(msg)
}

/// Reads and checks the header: every field has a value some library writes, and the
/// preamble size agrees with the mode.
pub fn parse(bytes: &[u8]) -> Result<Preamble, Error> {
    if bytes.len() < 8 {
        return Err(corrupt(format!(
            "{} bytes, shorter than the 8-byte header",
            bytes.len()
        )));
    }
    if bytes[1] != SER_VER {
        return Err(corrupt(format!(
            "serialization version {} (expected {SER_VER})",
            bytes[1]
        )));
    }
    if bytes[2] != FAMILY_ID {
        return Err(corrupt(format!(
            "family id {} is not HLL ({FAMILY_ID})",
            bytes[2]
        )));
    }
    let lg_k = bytes[3];
    if !(MIN_LG_K..=MAX_LG_K).contains(&lg_k) {
        return Err(corrupt(format!(
            "lg_k {lg_k} outside {MIN_LG_K}..{MAX_LG_K}"
        )));
    }
    let flags = bytes[5];
    if flags & FLAGS_UNUSED != 0 {
        return Err(corrupt(format!("unknown flag bits 0x{flags:02x}")));
    }
    let mode_byte = bytes[7];
    if mode_byte & 0xf0 != 0 {
        return Err(corrupt(format!(
            "mode byte 0x{mode_byte:02x} has unknown bits"
        )));
    }
    let mode = match mode_byte & 3 {
        0 => Mode::List,
        1 => Mode::Set,
        2 => Mode::Hll,
        _ => return Err(corrupt("current mode 3 does not exist".into())),
    };
    let target = match (mode_byte >> 2) & 3 {
        0 => TargetType::Hll4,
        1 => TargetType::Hll6,
        2 => TargetType::Hll8,
        _ => return Err(corrupt("target type 3 does not exist".into())),
    };
    let expected_pre_ints = match mode {
        Mode::List => LIST_PRE_INTS,
        Mode::Set => SET_PRE_INTS,
        Mode::Hll => HLL_PRE_INTS,
    };
    if bytes[0] != expected_pre_ints {
        return Err(corrupt(format!(
            "{} preamble ints for {mode:?} mode (expected {expected_pre_ints})",
            bytes[0]
        )));
    }
    Ok(Preamble {
        lg_k,
        lg_arr: bytes[4],
        flags,
        byte6: bytes[6],
        mode,
        target,
    })
}

/// Writes the 8 header bytes.
pub fn write(out: &mut Vec<u8>, p: &Preamble) {
    let pre_ints = match p.mode {
        Mode::List => LIST_PRE_INTS,
        Mode::Set => SET_PRE_INTS,
        Mode::Hll => HLL_PRE_INTS,
    };
    let mode_bits = match p.mode {
        Mode::List => 0,
        Mode::Set => 1,
        Mode::Hll => 2,
    };
    let target_bits = match p.target {
        TargetType::Hll4 => 0,
        TargetType::Hll6 => 1,
        TargetType::Hll8 => 2,
    };
    out.extend_from_slice(&[
        pre_ints,
        SER_VER,
        FAMILY_ID,
        p.lg_k,
        p.lg_arr,
        p.flags,
        p.byte6,
        mode_bits | (target_bits << 2),
    ]);
}

pub fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

pub fn read_f64(bytes: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let p = Preamble {
            lg_k: 12,
            lg_arr: 3,
            flags: FLAG_COMPACT,
            byte6: 5,
            mode: Mode::List,
            target: TargetType::Hll6,
        };
        let mut b = Vec::new();
        write(&mut b, &p);
        assert_eq!(parse(&b), Ok(p));
        for (i, v) in [
            (0, 3),
            (1, 2),
            (2, 3),
            (3, 3),
            (3, 22),
            (5, 0x40),
            (7, 3),
            (7, 0x0c),
            (7, 0x12),
        ] {
            let mut bad = b.clone();
            bad[i] = v;
            let err = parse(&bad).unwrap_err().to_string();
            assert!(err.starts_with("invalid DataSketches HLL data: "), "{err}");
        }
        assert!(parse(&b[..7]).is_err());
    }
}
