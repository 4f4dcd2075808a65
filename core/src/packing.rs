//! Most-significant-bit-first bit packing of registers and SPARSE words.
//!
//! The storage format writes fixed-width fields back to back, first field in the
//! highest bits of the first byte:
//!
//! ```text
//! regwidth 5:  |r0   r0 r0 r0 r1 r1 r1|r1 r1 r2 r2 r2 r2 r2 r3| ...
//! ```
//!
//! Eight registers of `regwidth` bits always fill exactly `regwidth` bytes, and `m` is a
//! multiple of eight, so FULL bodies are handled eight registers (one chunk) at a time.

/// Writes fixed-width fields into a byte slice of exactly the right length, MSB first.
pub(crate) struct BitWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
    acc: u64,
    bits: u32,
}

impl<'a> BitWriter<'a> {
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        BitWriter {
            out,
            pos: 0,
            acc: 0,
            bits: 0,
        }
    }

    /// Appends the low `width` bits of `value` (`width` at most 32).
    pub(crate) fn push(&mut self, value: u32, width: u32) {
        self.acc = (self.acc << width) | u64::from(value);
        self.bits += width;
        while self.bits >= 8 {
            self.bits -= 8;
            self.out[self.pos] = (self.acc >> self.bits) as u8;
            self.pos += 1;
        }
    }

    /// Writes the last partial byte, zero-padded at the bottom.
    pub(crate) fn finish(self) {
        if self.bits > 0 {
            self.out[self.pos] = (self.acc << (8 - self.bits)) as u8;
        }
    }
}

/// Reads fixed-width fields from a byte slice, MSB first.
pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    acc: u64,
    bits: u32,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        BitReader {
            bytes,
            pos: 0,
            acc: 0,
            bits: 0,
        }
    }

    /// Reads `width` bits (at most 32); the caller guarantees they exist.
    pub(crate) fn read(&mut self, width: u32) -> u32 {
        while self.bits < width {
            self.acc = (self.acc << 8) | u64::from(self.bytes[self.pos]);
            self.pos += 1;
            self.bits += 8;
        }
        self.bits -= width;
        ((self.acc >> self.bits) & ((1u64 << width) - 1)) as u32
    }

    /// The bits left in the byte already consumed (the padding once all fields are read).
    pub(crate) fn remainder(&self) -> u32 {
        (self.acc & ((1u64 << self.bits) - 1)) as u32
    }
}

/// Calls `f(group, values)` for each group of eight registers of a FULL body, the
/// `regwidth` bytes of a group loaded as one big-endian word.
///
/// `body.len()` must be `m * regwidth / 8`, checked by the caller.
#[inline(always)]
pub(crate) fn for_each_full_group(body: &[u8], regwidth: u8, f: impl FnMut(usize, [u8; 8])) {
    // One loop per width, so that the group size and shifts are constants.
    match regwidth {
        1 => groups::<1>(body, f),
        2 => groups::<2>(body, f),
        3 => groups::<3>(body, f),
        4 => groups::<4>(body, f),
        5 => groups::<5>(body, f),
        6 => groups::<6>(body, f),
        7 => groups::<7>(body, f),
        _ => groups::<8>(body, f),
    }
}

#[inline(always)]
fn groups<const W: usize>(body: &[u8], mut f: impl FnMut(usize, [u8; 8])) {
    let mask = (1u64 << W) - 1;
    for (g, chunk) in body.chunks_exact(W).enumerate() {
        let mut word = [0u8; 8];
        word[8 - W..].copy_from_slice(chunk);
        let word = u64::from_be_bytes(word);
        f(
            g,
            core::array::from_fn(|j| ((word >> (W * (7 - j))) & mask) as u8),
        );
    }
}

/// Register-wise maximum of a FULL body into `registers` (one byte per register, the
/// same count). `body.len()` must be `registers.len() * regwidth / 8`.
pub(crate) fn merge_full(body: &[u8], regwidth: u8, registers: &mut [u8]) {
    match regwidth {
        1 => merge::<1>(body, registers),
        2 => merge::<2>(body, registers),
        3 => merge::<3>(body, registers),
        4 => merge::<4>(body, registers),
        5 => merge::<5>(body, registers),
        6 => merge::<6>(body, registers),
        7 => merge::<7>(body, registers),
        _ => {
            for (r, &b) in registers.iter_mut().zip(body) {
                *r = (*r).max(b);
            }
        }
    }
}

/// [`merge_full`] for `W` < 8, eight registers at a time in one 64-bit word: each
/// group's fields are spread into byte lanes and the maximum taken lane-wise. Values
/// are below 0x80, so `(current | 0x80..) - new` borrows across no lane and leaves bit
/// 7 of a lane set exactly where the current value is at least the new one.
#[inline(always)]
fn merge<const W: usize>(body: &[u8], registers: &mut [u8]) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mask = (1u64 << W) - 1;
    for (chunk, out) in body.chunks_exact(W).zip(registers.chunks_exact_mut(8)) {
        let mut word = [0u8; 8];
        word[8 - W..].copy_from_slice(chunk);
        let word = u64::from_be_bytes(word);
        let mut lanes = 0u64;
        for j in 0..8 {
            lanes |= ((word >> (W * (7 - j))) & mask) << (8 * j);
        }
        let current = u64::from_le_bytes(out.try_into().expect("8 registers"));
        let keep = ((((current | HIGH) - lanes) & HIGH) >> 7) * 0xff;
        let max = (current & keep) | (lanes & !keep);
        out.copy_from_slice(&max.to_le_bytes());
    }
}

/// Writes one byte per register as a FULL body, `regwidth` bits each.
pub(crate) fn pack_full(registers: &[u8], regwidth: u8, out: &mut [u8]) {
    let width = u32::from(regwidth);
    let nbytes = usize::from(regwidth);
    for (group, chunk) in registers.chunks_exact(8).zip(out.chunks_exact_mut(nbytes)) {
        let word = group
            .iter()
            .fold(0u64, |acc, &r| (acc << width) | u64::from(r));
        chunk.copy_from_slice(&word.to_be_bytes()[8 - nbytes..]);
    }
}

/// Writes a FULL body from ascending `(index, value)` pairs of the non-zero registers
/// into `out` (zeroed, `m * regwidth / 8` bytes), without a register array.
pub(crate) fn pack_full_from_pairs(
    pairs: impl Iterator<Item = (u32, u8)>,
    regwidth: u8,
    out: &mut [u8],
) {
    let width = u32::from(regwidth);
    for (index, value) in pairs {
        let bit = index as usize * usize::from(regwidth);
        let (byte, offset) = (bit / 8, (bit % 8) as u32);
        let field = u16::from(value) << (16 - width - offset);
        out[byte] |= (field >> 8) as u8;
        if offset + width > 8 {
            out[byte + 1] |= field as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_and_reader_agree() {
        let mut out = vec![0u8; 35usize.div_ceil(8)];
        let mut w = BitWriter::new(&mut out);
        let fields = [(5u32, 3u32), (0x1ff, 9), (1, 1), (0xabcde, 20), (3, 2)];
        for (v, width) in fields {
            w.push(v, width);
        }
        w.finish();
        assert_eq!(out.len(), 35usize.div_ceil(8));
        let mut r = BitReader::new(&out);
        for (v, width) in fields {
            assert_eq!(r.read(width), v);
        }
        assert_eq!(r.remainder(), 0);
    }

    #[test]
    fn full_pack_unpack_round_trip_every_width() {
        for regwidth in 1..=8u8 {
            let cap = ((1u16 << regwidth) - 1) as u8;
            let regs: Vec<u8> = (0..64u32).map(|i| (i * 7 % 256) as u8 & cap).collect();
            let mut body = vec![0u8; 64 * usize::from(regwidth) / 8];
            pack_full(&regs, regwidth, &mut body);
            let mut from_pairs = vec![0u8; body.len()];
            let pairs = regs.iter().enumerate().filter(|(_, &v)| v != 0);
            pack_full_from_pairs(
                pairs.map(|(i, &v)| (i as u32, v)),
                regwidth,
                &mut from_pairs,
            );
            assert_eq!(from_pairs, body);
            assert_eq!(body.len(), 64 * usize::from(regwidth) / 8);
            let mut back = vec![0u8; 64];
            for_each_full_group(&body, regwidth, |g, values| {
                back[g * 8..g * 8 + 8].copy_from_slice(&values)
            });
            assert_eq!(back, regs);
        }
    }

    #[test]
    fn full_layout_is_msb_first() {
        let mut regs = vec![0u8; 8];
        regs[0] = 0b10001;
        regs[1] = 0b00011;
        let mut body = vec![0u8; 5];
        pack_full(&regs, 5, &mut body);
        assert_eq!(body, [0b1000_1000, 0b1100_0000, 0, 0, 0]);
    }

    #[test]
    fn merge_takes_the_register_wise_maximum_at_every_width() {
        for regwidth in 1..=8u8 {
            let cap = if regwidth == 8 {
                255
            } else {
                (1u8 << regwidth) - 1
            };
            let old: Vec<u8> = (0..64u32).map(|i| (i * 13 % 256) as u8 & cap).collect();
            let new: Vec<u8> = (0..64u32).map(|i| (i * 29 % 256) as u8 & cap).collect();
            let mut body = vec![0u8; 64 * usize::from(regwidth) / 8];
            pack_full(&new, regwidth, &mut body);
            let mut merged = old.clone();
            merge_full(&body, regwidth, &mut merged);
            let expected: Vec<u8> = old.iter().zip(&new).map(|(a, b)| *a.max(b)).collect();
            assert_eq!(merged, expected, "regwidth {regwidth}");
        }
    }
}
