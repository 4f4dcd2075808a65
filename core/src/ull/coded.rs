//! The entropy-coded form of dense UltraLogLog registers: the body of a stored CODED
//! `ull` (docs/ull-coded-form.md is the byte-level specification).
//!
//! A register byte has about 4 bits of entropy once `n` is a few times the register
//! count (its largest update value sits within a few values of `log2(n / m)` and the
//! two flags are biased), so half of the dense form is redundancy. The coder is a
//! canonical Huffman code over the byte values, built from the sketch's own histogram
//! and limited to [`MAX_CODE_LEN`] bits so that one table lookup decodes a register:
//!
//! ```text
//! lo hi          smallest and largest register byte present (all equal: nothing more)
//! lengths        the code length of each valid byte in lo..=hi, delta-coded against
//!                the same flags one update value lower, zero bits to a byte
//! sizes          bits of streams 0..3 as LEB128 zigzag differences from a quarter
//! codes          four streams, one per quarter of the registers, back to back, most
//!                significant bit first, zero bits to a byte
//! ```
//!
//! Four streams because decoding one is a chain of dependent lookups; four chains
//! overlap in the processor. Equal registers must give equal bytes and equal bytes
//! equal registers (SQL equality and hashing compare bytes), so the form is canonical:
//! the code lengths are a fixed function of the register histogram ([`code_lengths`]),
//! and a reader accepts a body only when the lengths it carries are the ones that
//! function gives for the registers it decodes, every number is in its shortest form,
//! the code is complete, each stream ends where the next begins, and padding bits are
//! zero. Decoding and merging take no heap memory: the decode table (4 KiB) and the
//! histograms live on the stack.

use super::register;
use crate::error::Error;

/// Longest code in bits. 12 keeps the decode table at 4,096 two-byte entries (it
/// stays in L1 cache and builds in well under a microsecond) while costing almost
/// nothing against unlimited Huffman codes: a register rarer than 2^-12 is rare enough
/// that a slightly too short or too long code for it changes the size by bits.
pub const MAX_CODE_LEN: u32 = 11;
const TABLE_SIZE: usize = 1 << MAX_CODE_LEN;
/// Kraft sum of a complete code, in units of 2^-MAX_CODE_LEN.
const KRAFT_FULL: u32 = 1 << MAX_CODE_LEN;
/// The precisions the coder accepts: the four streams take 16 registers a round
/// (`p >= 4`, the type's smallest); above 26 hash4j defines no registers either.
const MIN_P: u8 = 4;
const MAX_P: u8 = 26;
/// Registers `i` with `i % STREAMS == j` are coded in stream `j`. Decoding one
/// Huffman stream is a chain of dependent table lookups (about 8 cycles a register);
/// four independent chains let the processor overlap them, for 4 to 8 bytes of stream
/// sizes in the header.
const STREAMS: usize = 4;

/// What the encoder writes for `registers`: the symbol range, the code lengths, the
/// bits of each stream and the total size.
struct Plan {
    lo: u8,
    hi: u8,
    lengths: [u8; 256],
    /// The code table's bytes (at most 237 lengths of at most 6 bits).
    table: [u8; 192],
    table_len: usize,
    stream_bits: [u64; STREAMS],
    len: usize,
}

fn plan(registers: &[u8], p: u8) -> Plan {
    assert!(
        (MIN_P..=MAX_P).contains(&p) && registers.len() == 1usize << p,
        "ull coded form: {} registers for precision {p}",
        registers.len()
    );
    let parts = stream_histograms(registers);
    let hist = sum_histograms(&parts);
    let lo = hist.iter().position(|&c| c > 0).unwrap_or(0) as u8;
    let hi = hist.iter().rposition(|&c| c > 0).unwrap_or(0) as u8;
    let mut plan = Plan {
        lo,
        hi,
        lengths: [0u8; 256],
        table: [0; 192],
        table_len: 0,
        stream_bits: [0; STREAMS],
        len: 2,
    };
    if lo == hi {
        return plan;
    }
    code_lengths(&hist, &mut plan.lengths);
    for (bits, part) in plan.stream_bits.iter_mut().zip(&parts) {
        *bits = part
            .iter()
            .zip(&plan.lengths)
            .map(|(&c, &l)| u64::from(c) * u64::from(l))
            .sum();
    }
    plan.table_len = write_lengths(&plan.lengths, lo, hi, p, &mut plan.table);
    let bits: u64 = plan.stream_bits.iter().sum();
    let base = stream_size_base(bits.div_ceil(8) as usize);
    let sizes: usize = plan.stream_bits[..STREAMS - 1]
        .iter()
        .map(|&b| varint_len(zigzag(b as i64 - base as i64)))
        .sum();
    plan.len = 2 + plan.table_len + sizes + bits.div_ceil(8) as usize;
    plan
}

/// The code length of byte `b` is coded against `prev`, the length of `b - 4` (the
/// same flags one update value lower), when `b - 4` is in the table: lengths change
/// little from one update value to the next. `0` repeats it, `100` / `101` add or
/// subtract one, `11` and four bits give any other length; without a `prev`, four
/// bits. Returns (code, bits).
fn length_code(prev: Option<u8>, len: u8) -> (u32, u32) {
    match prev {
        None => (u32::from(len), 4),
        Some(q) if q == len => (0, 1),
        Some(q) if q + 1 == len => (0b100, 3),
        Some(q) if q == len + 1 => (0b101, 3),
        Some(_) => (0b11 << 4 | u32::from(len), 6),
    }
}

/// `prev` for byte `b` of a table over `lo..=hi` at precision `p`.
fn previous(lengths: &[u8; 256], b: u8, lo: u8, p: u8) -> Option<u8> {
    (b >= lo.saturating_add(4) && register::is_valid(b - 4, p)).then(|| lengths[usize::from(b - 4)])
}

/// Writes the length of every valid byte in `lo..=hi` (see [`length_code`]), most
/// significant bit first, zero-padded to a byte; returns the bytes written.
fn write_lengths(lengths: &[u8; 256], lo: u8, hi: u8, p: u8, out: &mut [u8; 192]) -> usize {
    let (mut acc, mut pending, mut at) = (0u32, 0u32, 0usize);
    for b in lo..=hi {
        if register::is_valid(b, p) {
            let (code, bits) = length_code(previous(lengths, b, lo, p), lengths[usize::from(b)]);
            acc = acc << bits | code;
            pending += bits;
            while pending >= 8 {
                pending -= 8;
                out[at] = (acc >> pending) as u8;
                at += 1;
            }
        }
    }
    if pending > 0 {
        out[at] = (acc << (8 - pending)) as u8;
        at += 1;
    }
    at
}

/// Stream sizes are stored as differences from a quarter of the codes' bits, which
/// keeps them to one byte or two.
fn stream_size_base(code_bytes: usize) -> usize {
    2 * code_bytes
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The histogram of each stream's registers (quarter `j` of the array is stream
/// `j`), counted side by side so that runs of one value do not wait on their own
/// increments.
fn stream_histograms(bytes: &[u8]) -> [[u32; 256]; STREAMS] {
    let mut parts = [[0u32; 256]; STREAMS];
    let q = bytes.len() / STREAMS;
    let (a, rest) = bytes.split_at(q);
    let (b, rest) = rest.split_at(q);
    let (c, d) = rest.split_at(q);
    for (((&w, &x), &y), &z) in a.iter().zip(b).zip(c).zip(d) {
        parts[0][usize::from(w)] += 1;
        parts[1][usize::from(x)] += 1;
        parts[2][usize::from(y)] += 1;
        parts[3][usize::from(z)] += 1;
    }
    parts
}

fn sum_histograms(parts: &[[u32; 256]; STREAMS]) -> [u32; 256] {
    let mut hist = parts[0];
    for part in &parts[1..] {
        for (h, &c) in hist.iter_mut().zip(part) {
            *h += c;
        }
    }
    hist
}

/// Bytes of `v` in LEB128 (7 bits a byte, low groups first, high bit = more follow).
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// Exact number of bytes [`encode_into`] writes for `registers` (of precision `p`,
/// `2^p` of them).
pub fn encoded_len(registers: &[u8], p: u8) -> usize {
    plan(registers, p).len
}

/// Writes the coded form of `registers` (precision `p`) into `out`, which must be
/// [`encoded_len`] bytes long. The same registers always give the same bytes.
pub fn encode_into(registers: &[u8], p: u8, out: &mut [u8]) {
    let plan = plan(registers, p);
    assert_eq!(
        out.len(),
        plan.len,
        "ull coded form: output of the wrong size"
    );
    out[0] = plan.lo;
    out[1] = plan.hi;
    if plan.lo == plan.hi {
        return;
    }
    let mut at = 2 + plan.table_len;
    out[2..at].copy_from_slice(&plan.table[..plan.table_len]);
    let base = stream_size_base(plan.stream_bits.iter().sum::<u64>().div_ceil(8) as usize);
    for &bits in &plan.stream_bits[..STREAMS - 1] {
        let mut v = zigzag(bits as i64 - base as i64);
        while v >= 0x80 {
            out[at] = (v as u8 & 0x7f) | 0x80;
            v >>= 7;
            at += 1;
        }
        out[at] = v as u8;
        at += 1;
    }
    let codes = canonical_codes(&plan.lengths, plan.lo, plan.hi);
    // The streams follow one another without padding. Codes are appended below the
    // bits already in `acc`; whenever 32 are waiting the oldest 32 go out, so `acc`
    // never holds more than 31 + 12 bits.
    let out = &mut out[at..];
    let mut at = 0;
    let mut acc: u64 = 0;
    let mut pending: u32 = 0;
    for stream in registers.chunks_exact(registers.len() / STREAMS) {
        for &r in stream {
            let len = u32::from(plan.lengths[usize::from(r)]);
            acc = (acc << len) | u64::from(codes[usize::from(r)]);
            pending += len;
            if pending >= 32 {
                pending -= 32;
                out[at..at + 4].copy_from_slice(&((acc >> pending) as u32).to_be_bytes());
                at += 4;
            }
        }
    }
    while pending >= 8 {
        pending -= 8;
        out[at] = (acc >> pending) as u8;
        at += 1;
    }
    if pending > 0 {
        out[at] = (acc << (8 - pending)) as u8;
        at += 1;
    }
    debug_assert_eq!(at, out.len());
}

/// Decodes `coded` (the coded form of registers of precision `p`) into `out`, `2^p`
/// bytes. Fails on anything [`encode_into`] cannot have written: a code table that is
/// out of range, incomplete or not the canonical one for the registers it codes, a
/// register byte that is not a state of `p`, a stream running past its end or stopping
/// before it, nonzero padding. On failure `out` holds no meaningful registers.
pub fn decode_into(coded: &[u8], p: u8, out: &mut [u8]) -> Result<(), Error> {
    check_p(p, out.len())?;
    let table = Table::parse(coded, p)?;
    if let Some(only) = table.only {
        out.fill(only);
        return Ok(());
    }
    let mut lut = [0u16; TABLE_SIZE];
    table.fill_lut(&mut lut);
    let hist = table.decode(&lut, coded, out.len(), |i, syms| {
        out[i..i + 4].copy_from_slice(&syms);
    })?;
    table.check_canonical(&hist)
}

/// Merges the registers coded in `coded` (precision `p`) into `dst` (`2^p` registers
/// of the same precision) as [`register::merge`] does, without decoding into a
/// temporary: the union of many stored sketches reads each once. Validates as
/// [`decode_into`] does, but the canonical-table check can only run once every code is
/// read: on `Err`, `dst` may already hold some or all of the merged registers, so a
/// caller that must not see a partial union merges into a scratch copy.
pub fn decode_merge(coded: &[u8], p: u8, dst: &mut [u8]) -> Result<(), Error> {
    check_p(p, dst.len())?;
    let table = Table::parse(coded, p)?;
    if let Some(only) = table.only {
        for d in dst.iter_mut() {
            *d = merge_byte(*d, only);
        }
        return Ok(());
    }
    let mut lut = [0u16; TABLE_SIZE];
    table.fill_lut(&mut lut);
    let hist = table.decode(&lut, coded, dst.len(), |i, syms| {
        for (d, s) in dst[i..i + 4].iter_mut().zip(syms) {
            *d = merge_byte(*d, s);
        }
    })?;
    table.check_canonical(&hist)
}

/// [`register::merge`] of two valid bytes of one precision, without unpacking the
/// histories: bytes order as their largest update values do, so the larger byte `hi`
/// keeps its top, and the smaller one adds its top and its first flag as `hi`'s flags
/// when its top is 0, 1 or 2 values lower (`(4 | flags) >> d`, its top three history
/// bits seen from `hi`'s top), nothing when lower still or when it is empty.
#[inline(always)]
fn merge_byte(x: u8, y: u8) -> u8 {
    let (hi, lo) = if x >= y { (x, y) } else { (y, x) };
    let d = u32::from((hi >> 2) - (lo >> 2)).min(7);
    let seen = (u32::from(4 | (lo & 3)) >> d) as u8 & 3;
    hi | if lo == 0 { 0 } else { seen }
}

/// The register histogram (how many registers hold each byte value) of a coded form,
/// validated as [`decode_into`] validates: what the estimators need from a stored
/// value, without writing registers anywhere.
pub fn histogram(coded: &[u8], p: u8) -> Result<[u32; 256], Error> {
    if !(MIN_P..=MAX_P).contains(&p) {
        return Err(Error::corrupt_ull(format!(
            "coded registers for precision {p}, outside {MIN_P}..={MAX_P}"
        )));
    }
    let m = 1usize << p;
    let table = Table::parse(coded, p)?;
    if let Some(only) = table.only {
        let mut hist = [0u32; 256];
        hist[usize::from(only)] = m as u32;
        return Ok(hist);
    }
    let mut lut = [0u16; TABLE_SIZE];
    table.fill_lut(&mut lut);
    let hist = table.decode(&lut, coded, m, |_, _| {})?;
    table.check_canonical(&hist)?;
    Ok(hist)
}

fn check_p(p: u8, len: usize) -> Result<(), Error> {
    if !(MIN_P..=MAX_P).contains(&p) || len != 1usize << p {
        return Err(Error::corrupt_ull(format!(
            "coded registers for precision {p} decoded into {len} registers"
        )));
    }
    Ok(())
}

/// A parsed code table: the transmitted lengths, the single-lookup decode table and
/// where each stream starts.
struct Table {
    /// `Some(r)` when every register is `r` (no lengths, no codes).
    only: Option<u8>,
    lengths: [u8; 256],
    /// Smallest and largest register byte.
    lo: u8,
    hi: u8,
    /// Where the codes start in the coded form.
    codes_at: usize,
    /// The first bit of each stream, counted from `codes_at`.
    starts: [usize; STREAMS],
}

impl Table {
    /// Reads and checks everything before the codes (a refused input costs no decode
    /// table).
    fn parse(coded: &[u8], p: u8) -> Result<Table, Error> {
        let &[lo, hi, ..] = coded else {
            return Err(Error::corrupt_ull(format!(
                "coded registers of {} bytes, shorter than their 2-byte range",
                coded.len()
            )));
        };
        for (what, b) in [("smallest", lo), ("largest", hi)] {
            if !register::is_valid(b, p) {
                return Err(Error::corrupt_ull(format!(
                    "coded registers name 0x{b:02x} as their {what} register, not a state of precision {p}"
                )));
            }
        }
        let mut table = Table {
            only: None,
            lengths: [0; 256],
            lo,
            hi,
            codes_at: 2,
            starts: [0; STREAMS],
        };
        if lo > hi {
            return Err(Error::corrupt_ull(format!(
                "coded registers range from 0x{lo:02x} down to 0x{hi:02x}"
            )));
        }
        if lo == hi {
            if coded.len() != 2 {
                return Err(Error::corrupt_ull(format!(
                    "coded registers all 0x{lo:02x} followed by {} trailing bytes",
                    coded.len() - 2
                )));
            }
            table.only = Some(lo);
            return Ok(table);
        }
        // The lengths, read bit by bit (see `length_code`); every way of writing a
        // length but the shortest is refused.
        let table_end = |bit: usize| 2 + bit.div_ceil(8);
        let mut bit = 0usize;
        let mut read = |n: u32| -> Result<u32, Error> {
            let mut v = 0;
            for _ in 0..n {
                let Some(&byte) = coded.get(2 + bit / 8) else {
                    return Err(Error::corrupt_ull(
                        "coded registers end inside their code table",
                    ));
                };
                v = v << 1 | u32::from(byte >> (7 - bit % 8) & 1);
                bit += 1;
            }
            Ok(v)
        };
        let mut kraft: u32 = 0;
        for b in lo..=hi {
            if !register::is_valid(b, p) {
                continue;
            }
            let prev = previous(&table.lengths, b, lo, p);
            let len = match prev {
                None => read(4)?,
                Some(q) => {
                    let q = u32::from(q);
                    if read(1)? == 0 {
                        q
                    } else if read(1)? == 0 {
                        if read(1)? == 0 {
                            q + 1
                        } else if q == 0 {
                            return Err(Error::corrupt_ull(format!(
                                "invalid code table: register 0x{b:02x} one bit shorter than an absent code"
                            )));
                        } else {
                            q - 1
                        }
                    } else {
                        let raw = read(4)?;
                        if raw + 1 >= q && raw <= q + 1 {
                            return Err(Error::corrupt_ull(format!(
                                "invalid code table: register 0x{b:02x} has a length written in full that its short form gives"
                            )));
                        }
                        raw
                    }
                }
            };
            if len > MAX_CODE_LEN {
                return Err(Error::corrupt_ull(format!(
                    "invalid code table: register 0x{b:02x} has a {len}-bit code, over {MAX_CODE_LEN}"
                )));
            }
            table.lengths[usize::from(b)] = len as u8;
            if len > 0 {
                kraft += KRAFT_FULL >> len;
            }
        }
        let mut at = table_end(bit);
        if !bit.is_multiple_of(8) && coded[at - 1] & (0xff >> (bit % 8)) != 0 {
            return Err(Error::corrupt_ull(
                "invalid code table: nonzero padding bits",
            ));
        }
        if table.lengths[usize::from(lo)] == 0 || table.lengths[usize::from(hi)] == 0 {
            return Err(Error::corrupt_ull(
                "invalid code table: its smallest or largest register has no code",
            ));
        }
        if kraft != KRAFT_FULL {
            return Err(Error::corrupt_ull(format!(
                "invalid code table: code lengths are not a complete prefix code (Kraft sum {kraft}/{KRAFT_FULL})"
            )));
        }

        // Stream sizes: each stream codes m/4 registers in at least one bit each.
        let quarter = (1usize << p) / STREAMS;
        let mut zigzags = [0u64; STREAMS - 1];
        for z in &mut zigzags {
            *z = read_varint(coded, &mut at)?;
        }
        let base = stream_size_base(coded.len() - at) as i64;
        let mut start = 0usize;
        for (j, &z) in (1..STREAMS).zip(&zigzags) {
            let bits = base + ((z >> 1) as i64 ^ -((z & 1) as i64));
            if bits < quarter as i64 || bits > (MAX_CODE_LEN as usize * quarter) as i64 {
                return Err(Error::corrupt_ull(format!(
                    "coded registers: stream {} of {bits} bits cannot hold {quarter} codes",
                    j - 1
                )));
            }
            start += bits as usize;
            table.starts[j] = start;
        }
        table.codes_at = at;
        let total = 8 * (coded.len() - at);
        if start + quarter > total {
            return Err(Error::corrupt_ull(format!(
                "coded registers overrun: streams of {start} bits and more in {total}"
            )));
        }

        Ok(table)
    }

    /// Fills `lut`: for every `MAX_CODE_LEN`-bit window, the symbol of the code it
    /// starts with in the low byte and that code's length above it. A complete code of
    /// lengths <= MAX_CODE_LEN (checked by `parse`) tiles the table exactly.
    fn fill_lut(&self, lut: &mut [u16; TABLE_SIZE]) {
        let (lo, hi) = (self.lo, self.hi);
        let codes = canonical_codes(&self.lengths, lo, hi);
        for b in lo..=hi {
            let len = u32::from(self.lengths[usize::from(b)]);
            if len == 0 {
                continue;
            }
            let start = usize::from(codes[usize::from(b)]) << (MAX_CODE_LEN - len);
            let entry = u16::from(b) | (len as u16) << 8;
            lut[start..start + (1 << (MAX_CODE_LEN - len))].fill(entry);
        }
    }

    /// Decodes `m` registers from the four streams, handing them to `emit` four at a
    /// time (`emit(i, r)`: registers `i..i + 4` are `r`), and returns their histogram;
    /// fails unless every stream ends exactly where the next starts and the last one
    /// in the last byte, with zero padding.
    #[inline(always)]
    fn decode(
        &self,
        lut: &[u16; TABLE_SIZE],
        coded: &[u8],
        m: usize,
        mut emit: impl FnMut(usize, [u8; 4]),
    ) -> Result<[u32; 256], Error> {
        let codes = &coded[self.codes_at..];
        let mut hist = [[0u32; 256]; STREAMS];
        let mut pos = self.starts;
        let q = m / STREAMS;
        for i in (0..q).step_by(4) {
            // Four codes of at most 12 bits fit in the 57 or more bits that one
            // 8-byte read gives past a stream's position. A stream that overruns
            // reads the next one's bits; the end check below catches it. Stream by
            // stream in program order: the out-of-order core still overlaps the four
            // independent chains, and fewer values stay live than when they alternate.
            for (j, (at, part)) in pos.iter_mut().zip(hist.iter_mut()).enumerate() {
                let mut window = read_word(codes, *at)?;
                let mut used = 0;
                // The four registers gather in one word: stored byte by byte and read
                // back whole, they would stall store forwarding.
                let mut four = 0u32;
                for t in 0..4 {
                    let entry = lut[(window >> (64 - MAX_CODE_LEN)) as usize];
                    let len = u32::from(entry >> 8);
                    let s = entry as u8;
                    four |= u32::from(s) << (8 * t);
                    part[usize::from(s)] += 1;
                    window <<= len;
                    used += len;
                }
                *at += used as usize;
                emit(j * q + i, four.to_le_bytes());
            }
        }
        for (j, (&end, bounds)) in pos.iter().zip(self.starts.windows(2)).enumerate() {
            if end != bounds[1] {
                return Err(Error::corrupt_ull(format!(
                    "coded registers: stream {j} {} its stated {} bits",
                    if end > bounds[1] {
                        "overruns"
                    } else {
                        "ends before"
                    },
                    bounds[1] - bounds[0]
                )));
            }
        }
        let end = pos[STREAMS - 1];
        if end > 8 * codes.len() {
            return Err(overrun(codes.len(), m));
        }
        if end.div_ceil(8) != codes.len() {
            return Err(Error::corrupt_ull(format!(
                "coded registers: {} trailing bytes after the last register's code",
                codes.len() - end.div_ceil(8)
            )));
        }
        if !end.is_multiple_of(8) && codes[codes.len() - 1] & (0xff >> (end % 8)) != 0 {
            return Err(Error::corrupt_ull(
                "coded registers: nonzero padding bits after the last code",
            ));
        }
        Ok(sum_histograms(&hist))
    }

    /// The lengths carried must be the ones the encoder derives from the histogram of
    /// the registers decoded: otherwise another byte string codes the same registers.
    fn check_canonical(&self, hist: &[u32; 256]) -> Result<(), Error> {
        // The encoder sorts by (count, symbol). Huffman gives rarer symbols codes at
        // least as long, so ordering by length (longest first) and then symbol puts a
        // canonical table's keys nearly in order, and insertion sort finishes in about
        // linear time; any order in, the sorted keys out are the encoder's.
        let (lo, hi) = (usize::from(self.lo), usize::from(self.hi));
        let mut next = [0usize; MAX_CODE_LEN as usize + 2];
        for &l in &self.lengths[lo..=hi] {
            next[usize::from(l)] += 1;
        }
        // Bucket starts, longest codes first; length 0 (absent) last, unused.
        let mut k = 0;
        for len in (1..=MAX_CODE_LEN as usize).rev() {
            let count = next[len];
            next[len] = k;
            k += count;
        }
        let mut keys = [0u64; 256];
        for (s, (&l, &c)) in self
            .lengths
            .iter()
            .zip(hist)
            .enumerate()
            .take(hi + 1)
            .skip(lo)
        {
            let l = usize::from(l);
            if l > 0 {
                keys[next[l]] = u64::from(c) << 8 | s as u64;
                next[l] += 1;
            }
        }
        let keys = &mut keys[..k];
        for i in 1..k {
            let key = keys[i];
            let mut j = i;
            while j > 0 && keys[j - 1] > key {
                keys[j] = keys[j - 1];
                j -= 1;
            }
            keys[j] = key;
        }
        // Every decoded symbol has a code; a code no register uses is not canonical.
        if keys[0] >> 8 == 0 {
            return Err(Error::corrupt_ull(
                "invalid code table: a register value with a code occurs nowhere",
            ));
        }
        let mut expected = [0u8; 256];
        huffman_lengths(keys, &mut expected);
        if expected != self.lengths {
            return Err(Error::corrupt_ull(
                "invalid code table: its code lengths are not the canonical ones for the registers coded",
            ));
        }
        Ok(())
    }
}

/// The 64 bits of `codes` from bit `at` on, the first at the top: at least 57 of them
/// are the stream's (the low `at % 8` are zero), zero past the end of `codes`.
#[inline(always)]
fn read_word(codes: &[u8], at: usize) -> Result<u64, Error> {
    let byte = at >> 3;
    let word = match codes.get(byte..byte + 8) {
        Some(w) => u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        None => {
            if byte >= codes.len() {
                return Err(Error::corrupt_ull(format!(
                    "coded registers overrun: a stream runs past the {} bytes of codes",
                    codes.len()
                )));
            }
            let mut w = [0u8; 8];
            w[..codes.len() - byte].copy_from_slice(&codes[byte..]);
            u64::from_be_bytes(w)
        }
    };
    Ok(word << (at & 7))
}

/// A stream size in minimal LEB128 (no needless final zero group) at `coded[*at..]`.
fn read_varint(coded: &[u8], at: &mut usize) -> Result<u64, Error> {
    let mut v: u64 = 0;
    for shift in (0..35).step_by(7) {
        let Some(&b) = coded.get(*at) else {
            return Err(Error::corrupt_ull(
                "coded registers end inside their stream sizes",
            ));
        };
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            if b == 0 && shift > 0 {
                return Err(Error::corrupt_ull(
                    "coded registers: stream size not in its shortest form",
                ));
            }
            return Ok(v);
        }
    }
    Err(Error::corrupt_ull("coded registers: stream size too long"))
}

fn overrun(bytes: usize, m: usize) -> Error {
    Error::corrupt_ull(format!(
        "coded registers overrun: {bytes} bytes of codes end before the last of {m} registers"
    ))
}

/// The canonical code of each symbol (deflate's construction): codes of one length are
/// consecutive in symbol order, and shorter codes precede longer ones.
fn canonical_codes(lengths: &[u8; 256], lo: u8, hi: u8) -> [u16; 256] {
    let (lo, hi) = (usize::from(lo), usize::from(hi));
    let mut count = [0u16; MAX_CODE_LEN as usize + 1];
    for &l in &lengths[lo..=hi] {
        count[usize::from(l)] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; MAX_CODE_LEN as usize + 1];
    let mut code = 0u16;
    for len in 1..=MAX_CODE_LEN as usize {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    let mut codes = [0u16; 256];
    for (c, &l) in codes[lo..=hi].iter_mut().zip(&lengths[lo..=hi]) {
        if l > 0 {
            *c = next[usize::from(l)];
            next[usize::from(l)] += 1;
        }
    }
    codes
}

/// The code lengths of a histogram with at least two symbols present: Huffman's, then
/// limited to [`MAX_CODE_LEN`]. Deterministic to the last tie, since the decoder
/// re-derives them to check a stored table.
///
/// Huffman by the two-queue method: leaves sorted by (count, symbol), internal nodes in
/// the order they are made, and a tie between a leaf and a node goes to the leaf.
fn code_lengths(hist: &[u32; 256], lengths: &mut [u8; 256]) {
    *lengths = [0; 256];
    let mut keys = [0u64; 256];
    let mut k = 0;
    for (s, &c) in hist.iter().enumerate() {
        if c > 0 {
            keys[k] = u64::from(c) << 8 | s as u64;
            k += 1;
        }
    }
    if k < 2 {
        return;
    }
    let keys = &mut keys[..k];
    keys.sort_unstable();
    huffman_lengths(keys, lengths);
}

/// [`code_lengths`] from the present symbols' keys `count << 8 | symbol`, sorted.
fn huffman_lengths(keys: &[u64], lengths: &mut [u8; 256]) {
    let k = keys.len();

    let mut weight = [0u64; 511];
    let mut parent = [0u16; 511];
    for (w, &key) in weight.iter_mut().zip(keys.iter()) {
        *w = key >> 8;
    }
    let (mut leaf, mut node) = (0usize, k);
    for new in k..2 * k - 1 {
        let mut pick = || {
            if leaf < k && (node == new || weight[leaf] <= weight[node]) {
                leaf += 1;
                leaf - 1
            } else {
                node += 1;
                node - 1
            }
        };
        let (a, b) = (pick(), pick());
        weight[new] = weight[a] + weight[b];
        parent[a] = new as u16;
        parent[b] = new as u16;
    }
    // Parents come after their children, so one backward pass gives every depth.
    let root = 2 * k - 2;
    let mut depth = [0u8; 511];
    for i in (0..root).rev() {
        depth[i] = depth[usize::from(parent[i])] + 1;
    }
    let mut longest = 0;
    for (i, &key) in keys.iter().enumerate() {
        lengths[(key & 255) as usize] = depth[i];
        longest = longest.max(depth[i]);
    }
    if u32::from(longest) > MAX_CODE_LEN {
        limit_lengths(keys, lengths);
    }
}

/// Brings Huffman lengths down to [`MAX_CODE_LEN`]: clip the long codes, which
/// overfills the Kraft sum, then lengthen the longest codes still below the limit
/// (the rarest of them first) until it fits, and if that overshot, shorten the most
/// frequent codes for which the room left suffices until the code is complete again.
/// `keys` are the present symbols in increasing (count, symbol) order.
fn limit_lengths(keys: &[u64], lengths: &mut [u8; 256]) {
    let max = MAX_CODE_LEN as u8;
    let mut kraft: u32 = 0;
    for &key in keys {
        let l = &mut lengths[(key & 255) as usize];
        *l = (*l).min(max);
        kraft += KRAFT_FULL >> *l;
    }
    while kraft > KRAFT_FULL {
        // Some code is below the limit: at most 256 codes of MAX_CODE_LEN bits sum
        // to 256/4096.
        let mut best: Option<usize> = None;
        let mut best_len = 0;
        for &key in keys {
            let s = (key & 255) as usize;
            if lengths[s] < max && lengths[s] > best_len {
                best_len = lengths[s];
                best = Some(s);
            }
        }
        let Some(s) = best else { break };
        lengths[s] += 1;
        kraft -= KRAFT_FULL >> lengths[s];
    }
    while kraft < KRAFT_FULL {
        let room = KRAFT_FULL - kraft;
        let Some(s) = keys
            .iter()
            .rev()
            .map(|&key| (key & 255) as usize)
            .find(|&s| lengths[s] > 1 && (KRAFT_FULL >> lengths[s]) <= room)
        else {
            break;
        };
        kraft += KRAFT_FULL >> lengths[s];
        lengths[s] -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ull::UllRegisters;

    /// A small deterministic generator (splitmix64) for the simulations.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// Uniform in (0, 1].
        fn unit(&mut self) -> f64 {
            ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
        }
    }

    /// Registers of precision `p` after `lambda * 2^p` distinct hashes, drawn from the
    /// Poisson model: the hashes reaching one register with update value `k` are
    /// Binomial(n, 2^-p 2^-k), close to Poisson(lambda 2^-k) and, once Poissonized,
    /// independent across `k` and registers. So each register's largest value `u`
    /// has P(u <= j) = exp(-lambda (2^-j - 2^-K)) (K = 64 - p, the largest value),
    /// drawn by inversion, and `u - 1`, `u - 2` are seen with probability
    /// 1 - exp(-lambda 2^-k) each, independently.
    fn simulate(p: u8, lambda: f64, rng: &mut Rng) -> Vec<u8> {
        let top = u32::from(64 - p);
        let tail = (-f64::from(top)).exp2();
        (0..1usize << p)
            .map(|_| {
                let x = -rng.unit().ln() / lambda + tail;
                let u = (-x.log2()).ceil().clamp(0.0, f64::from(top)) as u32;
                let mut r = 0;
                if u > 0 {
                    r = register::update(r, u, p);
                    for k in [u - 1, u.saturating_sub(2)] {
                        if k >= 1
                            && k < u
                            && rng.unit() < 1.0 - (-lambda * (-f64::from(k)).exp2()).exp()
                        {
                            r = register::update(r, k, p);
                        }
                    }
                }
                r
            })
            .collect()
    }

    fn round_trip(registers: &[u8], p: u8) -> Vec<u8> {
        let mut coded = vec![0u8; encoded_len(registers, p)];
        encode_into(registers, p, &mut coded);
        let mut back = vec![0u8; registers.len()];
        decode_into(&coded, p, &mut back).expect("own encoding decodes");
        assert_eq!(back, registers, "p {p}");
        let mut merged = vec![0u8; registers.len()];
        decode_merge(&coded, p, &mut merged).expect("own encoding merges");
        assert_eq!(merged, registers);
        let hist = histogram(&coded, p).expect("own encoding counts");
        assert_eq!(hist, sum_histograms(&stream_histograms(registers)));
        coded
    }

    fn built_from(p: u8, hashes: impl Iterator<Item = u64>) -> UllRegisters {
        let mut r = UllRegisters::new_in(p, allocator_api2::alloc::Global).unwrap();
        hashes.for_each(|h| r.add_hash(h));
        r
    }

    fn built(p: u8, n: u64, seed: i64) -> UllRegisters {
        let mut r = UllRegisters::new_in(p, allocator_api2::alloc::Global).unwrap();
        for i in 0..n {
            r.add_hash(crate::hash::hash_bytes(&i.to_le_bytes(), seed));
        }
        r
    }

    #[test]
    fn round_trips_built_sketches() {
        for p in [4u8, 5, 8, 11, 12] {
            for n in [0u64, 1, 2, 3, 10, 100, 1000, 25_000] {
                let r = built(p, n, 3);
                let coded = round_trip(r.bytes(), p);
                if n == 0 {
                    assert_eq!(coded, [0, 0]);
                }
            }
        }
    }

    #[test]
    fn round_trips_simulated_sketches_at_every_precision() {
        let mut rng = Rng(1);
        for p in 4..=18u8 {
            for lambda in [0.01, 0.5, 3.0, 100.0, 1e6, 1e12, 1e18] {
                if p > 14 && lambda < 1.0 {
                    continue;
                }
                round_trip(&simulate(p, lambda, &mut rng), p);
            }
        }
        // Saturated: every register at the largest value with both flags, then all
        // registers at the largest value with random flags.
        for p in [4u8, 11, 18] {
            let top = 64 - u32::from(p);
            let full = register::update(
                register::update(register::update(0, top, p), top - 1, p),
                top - 2,
                p,
            );
            let coded = round_trip(&vec![full; 1 << p], p);
            assert_eq!(coded, [full, full]);
            let mixed: Vec<u8> = (0..1usize << p)
                .map(|_| full - (rng.next() % 4) as u8)
                .collect();
            round_trip(&mixed, p);
        }
    }

    /// One register set, every valid byte present (the widest table), and skewed
    /// histograms whose Huffman codes exceed the length limit.
    #[test]
    fn round_trips_extreme_histograms() {
        for p in [4u8, 8, 11, 16] {
            let m = 1usize << p;
            let mut one = vec![0u8; m];
            one[m / 3] = register::update(0, 5, p);
            round_trip(&one, p);

            let valid: Vec<u8> = (0..=255u8).filter(|&b| register::is_valid(b, p)).collect();
            if valid.len() <= m {
                let every: Vec<u8> = (0..m).map(|i| valid[i % valid.len()]).collect();
                round_trip(&every, p);
            }

            // Counts 1, 1, 2, 3, 5, 8, ... (Fibonacci): Huffman depth grows by one per
            // symbol, far past the limit.
            let mut fib = Vec::with_capacity(m);
            let (mut a, mut b) = (1usize, 1usize);
            for &v in valid.iter().skip(1) {
                if fib.len() + a > m {
                    break;
                }
                fib.extend(std::iter::repeat_n(v, a));
                (a, b) = (b, a + b);
            }
            fib.resize(m, valid[1]);
            round_trip(&fib, p);
        }
    }

    #[test]
    fn limited_lengths_are_complete_and_bounded() {
        let mut rng = Rng(7);
        for _ in 0..2000 {
            let mut hist = [0u32; 256];
            let symbols = 2 + rng.next() % 200;
            for _ in 0..symbols {
                // Counts spread over many orders of magnitude.
                hist[(rng.next() % 256) as usize] =
                    1 + (rng.next() % (1 << (rng.next() % 20))) as u32;
            }
            if hist.iter().filter(|&&c| c > 0).count() < 2 {
                continue;
            }
            let mut lengths = [0u8; 256];
            code_lengths(&hist, &mut lengths);
            let kraft: u32 = lengths
                .iter()
                .filter(|&&l| l > 0)
                .map(|&l| KRAFT_FULL >> l)
                .sum();
            assert_eq!(kraft, KRAFT_FULL);
            for (s, &l) in lengths.iter().enumerate() {
                assert_eq!(l > 0, hist[s] > 0);
                assert!(u32::from(l) <= MAX_CODE_LEN);
            }
        }
    }

    /// Every change to a valid coded form is refused or decodes to other registers
    /// whose encoding is the changed bytes (never two byte strings for one state), and
    /// nothing panics.
    #[test]
    fn rejects_what_the_encoder_cannot_write() {
        let mut rng = Rng(11);
        for (p, lambda) in [(4u8, 8.0), (8, 1.5), (8, 40.0), (11, 300.0), (11, 0.2)] {
            let registers = simulate(p, lambda, &mut rng);
            let m = registers.len();
            let mut coded = vec![0u8; encoded_len(&registers, p)];
            encode_into(&registers, p, &mut coded);
            let mut out = vec![0u8; m];
            let accept = |bytes: &[u8], out: &mut [u8]| -> bool {
                let ok = decode_into(bytes, p, out).is_ok();
                let mut dst = vec![0u8; m];
                assert_eq!(decode_merge(bytes, p, &mut dst).is_ok(), ok);
                assert_eq!(histogram(bytes, p).is_ok(), ok);
                if ok {
                    let mut again = vec![0u8; encoded_len(out, p)];
                    encode_into(out, p, &mut again);
                    assert_eq!(
                        again, bytes,
                        "accepted bytes are the encoding of what they decode to"
                    );
                    assert!(out.iter().all(|&r| register::is_valid(r, p)));
                }
                ok
            };
            assert!(accept(&coded, &mut out));
            // Every bit of the table and sizes, a sample of the codes' bits.
            for bit in (0..8 * coded.len()).filter(|&b| b < 512 || b % 13 == 0) {
                let mut bad = coded.clone();
                bad[bit / 8] ^= 0x80 >> (bit % 8);
                if accept(&bad, &mut out) {
                    assert_ne!(out, registers);
                }
            }
            for len in 0..coded.len() {
                assert!(!accept(&coded[..len], &mut out), "p {p} truncated to {len}");
            }
            for extra in [0u8, 1, 0x80, 0xff] {
                let mut long = coded.clone();
                long.push(extra);
                assert!(!accept(&long, &mut out));
            }
            // Another precision or another output size.
            assert!(decode_into(&coded, p + 1, &mut out).is_err());
            assert!(decode_into(&coded, p, &mut out[..m / 2]).is_err());
        }
        assert!(decode_into(&[], 11, &mut [0u8; 2048]).is_err());
        // All registers 0x04 is no state of p = 11 (u would be -6).
        assert!(decode_into(&[4, 4], 11, &mut [0u8; 2048]).is_err());
    }

    /// The coded form written from the specification (docs/ull-coded-form.md) with
    /// any code lengths, as a string of bits: an independent writer for the tests.
    fn write_by_hand(registers: &[u8], p: u8, lengths: &[u8; 256]) -> Vec<u8> {
        let present = |b: u8| registers.contains(&b);
        let lo = (0..=255u8).find(|&b| present(b)).unwrap();
        let hi = (0..=255u8).rev().find(|&b| present(b)).unwrap();
        let to_bytes = |mut bits: String| -> Vec<u8> {
            while !bits.len().is_multiple_of(8) {
                bits.push('0');
            }
            (0..bits.len())
                .step_by(8)
                .map(|i| u8::from_str_radix(&bits[i..i + 8], 2).unwrap())
                .collect()
        };
        let mut table = String::new();
        for x in (lo..=hi).filter(|&x| register::is_valid(x, p)) {
            let len = i32::from(lengths[usize::from(x)]);
            let prev = (x >= lo + 4 && register::is_valid(x - 4, p))
                .then(|| i32::from(lengths[usize::from(x - 4)]));
            table += &match prev.map(|q| len - q) {
                None => format!("{len:04b}"),
                Some(0) => "0".into(),
                Some(1) => "100".into(),
                Some(-1) => "101".into(),
                Some(_) => format!("11{len:04b}"),
            };
        }
        let mut out = vec![lo, hi];
        out.extend(to_bytes(table));
        let codes = canonical_codes(lengths, lo, hi);
        let streams: Vec<String> = (0..4)
            .map(|j| {
                registers[j * registers.len() / 4..(j + 1) * registers.len() / 4]
                    .iter()
                    .map(|&r| {
                        let l = usize::from(lengths[usize::from(r)]);
                        format!("{:0l$b}", codes[usize::from(r)])
                    })
                    .collect()
            })
            .collect();
        let all = streams.concat();
        let quarter = all.len().div_ceil(8) as i64 * 2;
        for s in &streams[..3] {
            let d = s.len() as i64 - quarter;
            let mut v = if d >= 0 { 2 * d } else { -2 * d - 1 } as u64;
            while v >= 0x80 {
                out.push((v & 0x7f) as u8 | 0x80);
                v >>= 7;
            }
            out.push(v as u8);
        }
        out.extend(to_bytes(all));
        out
    }

    /// A complete, decodable code that is not the canonical one: counts 8, 4, 4 give
    /// lengths 1, 2, 2; the same registers coded with lengths 2, 2, 1 must be refused.
    #[test]
    fn rejects_valid_but_non_canonical_lengths() {
        let p = 4u8;
        let (a, b, c) = (
            register::update(0, 1, p),
            register::update(0, 2, p),
            register::update(0, 3, p),
        );
        let registers: Vec<u8> = (0..16).map(|i| [a, b, c, a][i % 4]).collect();
        let coded = round_trip(&registers, p);
        let mut lengths = [0u8; 256];
        code_lengths(
            &sum_histograms(&stream_histograms(&registers)),
            &mut lengths,
        );
        assert_eq!(write_by_hand(&registers, p, &lengths), coded);
        assert_eq!(
            [
                lengths[usize::from(a)],
                lengths[usize::from(b)],
                lengths[usize::from(c)]
            ],
            [1, 2, 2]
        );
        lengths[usize::from(a)] = 2;
        lengths[usize::from(c)] = 1;
        let forged = write_by_hand(&registers, p, &lengths);
        assert_ne!(forged, coded);
        let mut out = [0u8; 16];
        let err = decode_into(&forged, p, &mut out).unwrap_err();
        assert!(format!("{err:?}").contains("canonical"), "{err:?}");
    }

    /// The encoder matches the hand-written form on sketches of every kind.
    #[test]
    fn encoder_follows_the_specification() {
        let mut rng = Rng(3);
        for (p, lambda) in [(4u8, 2.0), (8, 0.3), (11, 1000.0), (12, 1e9)] {
            let registers = simulate(p, lambda, &mut rng);
            let mut lengths = [0u8; 256];
            code_lengths(
                &sum_histograms(&stream_histograms(&registers)),
                &mut lengths,
            );
            assert_eq!(
                write_by_hand(&registers, p, &lengths),
                round_trip(&registers, p)
            );
        }
    }

    /// The size targets: at p = 11, a mean body under 1,100 bytes (header aside) from
    /// n = 10 m to 10^9 after a union, and within 8% of the registers' entropy there.
    #[test]
    fn sizes_meet_the_targets() {
        let p = 11u8;
        let m = 1usize << p;
        let mut rng = Rng(5);
        let mut n = 10.0 * m as f64;
        while n <= 1e9 {
            let trials = 6;
            let mut bytes = 0usize;
            let mut entropy = 0.0;
            for _ in 0..trials {
                // The union of two halves: in the Poisson model the same law as one
                // sketch of n, which is why it is the honest case here.
                let mut r = simulate(p, n / 2.0 / m as f64, &mut rng);
                let other = simulate(p, n / 2.0 / m as f64, &mut rng);
                for (x, &y) in r.iter_mut().zip(&other) {
                    *x = register::merge(*x, y);
                }
                bytes += round_trip(&r, p).len();
                let hist = sum_histograms(&stream_histograms(&r));
                entropy += hist
                    .iter()
                    .filter(|&&c| c > 0)
                    .map(|&c| {
                        let q = f64::from(c) / m as f64;
                        -q * q.log2()
                    })
                    .sum::<f64>()
                    * m as f64
                    / 8.0;
            }
            let mean = bytes as f64 / trials as f64;
            let entropy = entropy / trials as f64;
            assert!(mean <= 1100.0, "n {n}: {mean} bytes");
            assert!(
                mean <= 1.08 * entropy,
                "n {n}: {mean} bytes, entropy {entropy}"
            );
            n *= 3.7;
        }
    }

    #[test]
    fn merge_byte_is_register_merge() {
        for p in MIN_P..=MAX_P {
            let valid: Vec<u8> = (0..=255u8).filter(|&b| register::is_valid(b, p)).collect();
            for &x in &valid {
                for &y in &valid {
                    assert_eq!(merge_byte(x, y), register::merge(x, y), "p {p}: {x} {y}");
                }
            }
        }
    }

    /// The example of docs/ull-coded-form.md, byte for byte.
    #[test]
    fn worked_example_of_the_specification() {
        let r = built_from(4, (0..20).map(|i| crate::hash::hash_integer(i, 1)));
        let registers = [
            0x1c, 0x0c, 0x17, 0x10, 0x20, 0x0c, 0x0c, 0x12, 0x00, 0x0c, 0x00, 0x0c, 0x0c, 0x18,
            0x00, 0x14,
        ];
        assert_eq!(r.bytes(), registers);
        let coded = [
            0x00, 0x20, 0x22, 0xd1, 0x01, 0x82, 0x0c, 0x02, 0x80, 0x04, 0x01, 0x07, 0xf7, 0x6a,
            0x2d, 0x88, 0xbc, 0x60,
        ];
        assert_eq!(round_trip(&registers, 4), coded);
    }

    /// Small sketches stay small: a few bytes per non-empty register.
    #[test]
    fn small_sketches_are_small() {
        for p in [4u8, 11, 18] {
            let r = built(p, 10, 9);
            let len = round_trip(r.bytes(), p).len();
            // The empty symbol costs a bit per register, the table at most 110 bytes.
            assert!(len <= 2 + 110 + (1usize << p) / 8 + 10 * 2, "p {p}: {len}");
        }
    }
}
