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
//! lo hi                  smallest and largest register byte present
//! [lengths]              when lo < hi: one nibble per valid byte in lo..=hi, its code
//!                        length (0 = absent), two per byte, high nibble first
//! [codes]                when lo < hi: the 2^p codes in register order, most
//!                        significant bit first, zero bits to the byte boundary
//! ```
//!
//! Equal registers must give equal bytes and equal bytes equal registers (SQL equality
//! and hashing compare bytes), so the form is canonical: the code lengths are a fixed
//! function of the register histogram ([`code_lengths`]), and a reader accepts a body
//! only when the lengths it carries are the ones that function gives for the registers
//! it decodes, the code is complete, the codes end exactly in the last byte and the
//! padding bits are zero. Decoding and merging take no heap memory: the tables (8 KiB
//! at most) live on the stack.

use super::register;
use crate::error::Error;

/// Longest code in bits. 12 keeps the decode table at 4,096 two-byte entries (it
/// stays in L1 cache and builds in well under a microsecond) while costing almost
/// nothing against unlimited Huffman codes: a register rarer than 2^-12 is rare enough
/// that a slightly too short or too long code for it changes the size by bits.
pub const MAX_CODE_LEN: u32 = 12;
const TABLE_SIZE: usize = 1 << MAX_CODE_LEN;
/// Kraft sum of a complete code, in units of 2^-MAX_CODE_LEN.
const KRAFT_FULL: u32 = 1 << MAX_CODE_LEN;
/// The precisions the coder accepts: the register byte needs `p >= 3`; above 26
/// hash4j defines no registers either.
const MIN_P: u8 = register::MIN_P;
const MAX_P: u8 = 26;

/// What the encoder writes for `registers`: the histogram, its code lengths, the
/// symbol range and the size.
struct Plan {
    lo: u8,
    hi: u8,
    lengths: [u8; 256],
    len: usize,
}

fn plan(registers: &[u8], p: u8) -> Plan {
    assert!(
        (MIN_P..=MAX_P).contains(&p) && registers.len() == 1usize << p,
        "ull coded form: {} registers for precision {p}",
        registers.len()
    );
    let hist = byte_histogram(registers);
    let lo = hist.iter().position(|&c| c > 0).unwrap_or(0) as u8;
    let hi = hist.iter().rposition(|&c| c > 0).unwrap_or(0) as u8;
    let mut lengths = [0u8; 256];
    if lo == hi {
        return Plan {
            lo,
            hi,
            lengths,
            len: 2,
        };
    }
    code_lengths(&hist, &mut lengths);
    let bits: u64 = hist
        .iter()
        .zip(&lengths)
        .map(|(&c, &l)| u64::from(c) * u64::from(l))
        .sum();
    Plan {
        lo,
        hi,
        lengths,
        len: 2 + nibble_count(lo, hi, p).div_ceil(2) + bits.div_ceil(8) as usize,
    }
}

/// Counts of each byte value, four partial tables so that runs of one value do not
/// wait on their own increments.
fn byte_histogram(bytes: &[u8]) -> [u32; 256] {
    let mut parts = [[0u32; 256]; 4];
    let mut chunks = bytes.chunks_exact(4);
    for c in &mut chunks {
        parts[0][usize::from(c[0])] += 1;
        parts[1][usize::from(c[1])] += 1;
        parts[2][usize::from(c[2])] += 1;
        parts[3][usize::from(c[3])] += 1;
    }
    for &b in chunks.remainder() {
        parts[0][usize::from(b)] += 1;
    }
    let mut hist = parts[0];
    for part in &parts[1..] {
        for (h, &c) in hist.iter_mut().zip(part) {
            *h += c;
        }
    }
    hist
}

/// Number of length nibbles: the bytes in `lo..=hi` that are register states of `p`
/// (the others can never occur, so they carry no length).
fn nibble_count(lo: u8, hi: u8, p: u8) -> usize {
    (lo..=hi).filter(|&b| register::is_valid(b, p)).count()
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
    let mut at = 2;
    let mut high = true;
    for b in plan.lo..=plan.hi {
        if register::is_valid(b, p) {
            let nibble = plan.lengths[usize::from(b)];
            if high {
                out[at] = nibble << 4;
            } else {
                out[at] |= nibble;
                at += 1;
            }
            high = !high;
        }
    }
    if !high {
        at += 1;
    }
    let codes = canonical_codes(&plan.lengths);
    // Codes are appended below the bits already in `acc`; whenever 32 are waiting
    // the oldest 32 go out, so `acc` never holds more than 31 + 12 bits.
    let out = &mut out[at..];
    let mut at = 0;
    let mut acc: u64 = 0;
    let mut pending: u32 = 0;
    for &r in registers {
        let len = u32::from(plan.lengths[usize::from(r)]);
        acc = (acc << len) | u64::from(codes[usize::from(r)]);
        pending += len;
        if pending >= 32 {
            pending -= 32;
            out[at..at + 4].copy_from_slice(&((acc >> pending) as u32).to_be_bytes());
            at += 4;
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
/// register byte that is not a state of `p`, codes running past the end or stopping
/// before it, nonzero padding. On failure `out` holds no meaningful registers.
pub fn decode_into(coded: &[u8], p: u8, out: &mut [u8]) -> Result<(), Error> {
    check_p(p, out.len())?;
    let table = Table::parse(coded, p)?;
    if let Some(only) = table.only {
        out.fill(only);
        return Ok(());
    }
    let hist = table.decode(coded, out.len(), |g, syms| {
        out[4 * g..4 * g + 4].copy_from_slice(&syms);
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
            *d = register::merge(*d, only);
        }
        return Ok(());
    }
    let hist = table.decode(coded, dst.len(), |g, syms| {
        for (d, s) in dst[4 * g..4 * g + 4].iter_mut().zip(syms) {
            *d = register::merge(*d, s);
        }
    })?;
    table.check_canonical(&hist)
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
    let hist = table.decode(coded, m, |_, _| {})?;
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

/// A parsed code table: the transmitted lengths and the single-lookup decode table.
struct Table {
    /// `Some(r)` when every register is `r` (no lengths, no codes).
    only: Option<u8>,
    lengths: [u8; 256],
    /// Entry for every `MAX_CODE_LEN`-bit window: symbol in the low byte, code length
    /// above it.
    decode: [u16; TABLE_SIZE],
    /// Where the codes start in the coded form.
    codes_at: usize,
}

impl Table {
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
            decode: [0; TABLE_SIZE],
            codes_at: 2,
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
        let nibbles = nibble_count(lo, hi, p);
        table.codes_at = 2 + nibbles.div_ceil(2);
        let Some(packed) = coded.get(2..table.codes_at) else {
            return Err(Error::corrupt_ull(format!(
                "coded registers end inside their code table ({} of {} bytes)",
                coded.len(),
                table.codes_at
            )));
        };
        let mut i = 0;
        let mut kraft: u32 = 0;
        for b in lo..=hi {
            if !register::is_valid(b, p) {
                continue;
            }
            let byte = packed[i / 2];
            let len = if i % 2 == 0 { byte >> 4 } else { byte & 15 };
            i += 1;
            if u32::from(len) > MAX_CODE_LEN {
                return Err(Error::corrupt_ull(format!(
                    "invalid code table: register 0x{b:02x} has a {len}-bit code, over {MAX_CODE_LEN}"
                )));
            }
            table.lengths[usize::from(b)] = len;
            if len > 0 {
                kraft += KRAFT_FULL >> len;
            }
        }
        if nibbles % 2 == 1 && packed[nibbles / 2] & 15 != 0 {
            return Err(Error::corrupt_ull(
                "invalid code table: nonzero padding nibble",
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
        // A complete code of lengths <= MAX_CODE_LEN tiles the table exactly.
        let codes = canonical_codes(&table.lengths);
        for b in lo..=hi {
            let len = u32::from(table.lengths[usize::from(b)]);
            if len == 0 {
                continue;
            }
            let start = usize::from(codes[usize::from(b)]) << (MAX_CODE_LEN - len);
            let entry = u16::from(b) | (len as u16) << 8;
            table.decode[start..start + (1 << (MAX_CODE_LEN - len))].fill(entry);
        }
        Ok(table)
    }

    /// Decodes `m` registers from the codes of `coded`, handing them to `emit` four at a
    /// time (group `g` is registers `4g..4g + 4`), and returns their histogram; fails
    /// when the codes do not end exactly at the end of `coded` with zero padding.
    #[inline(always)]
    fn decode(
        &self,
        coded: &[u8],
        m: usize,
        mut emit: impl FnMut(usize, [u8; 4]),
    ) -> Result<[u32; 256], Error> {
        let codes = &coded[self.codes_at..];
        let total_bits = 8 * codes.len();
        // Every code is at least one bit: refuse at once what cannot hold 2^p codes,
        // so a short hostile input costs no decoding.
        if total_bits < m {
            return Err(overrun(codes.len(), m));
        }
        let mut hist = [0u32; 256];
        let mut bit = 0usize;
        for g in 0..m / 4 {
            // Four codes of at most 12 bits each fit in the 57 or more bits one
            // unaligned 8-byte read gives past the current bit.
            let byte = bit >> 3;
            let word = match codes.get(byte..byte + 8) {
                Some(w) => u64::from_be_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
                None => {
                    // The last few bytes: read them zero-padded (past the end only
                    // when the codes overrun, which the check below reports).
                    if byte >= codes.len() {
                        return Err(overrun(codes.len(), m));
                    }
                    let mut w = [0u8; 8];
                    w[..codes.len() - byte].copy_from_slice(&codes[byte..]);
                    u64::from_be_bytes(w)
                }
            };
            let mut window = word << (bit & 7);
            let mut syms = [0u8; 4];
            for s in &mut syms {
                let entry = self.decode[(window >> (64 - MAX_CODE_LEN)) as usize];
                let len = u32::from(entry >> 8);
                *s = entry as u8;
                hist[usize::from(*s)] += 1;
                window <<= len;
                bit += len as usize;
            }
            emit(g, syms);
        }
        if bit > total_bits {
            return Err(overrun(codes.len(), m));
        }
        if bit.div_ceil(8) != codes.len() {
            return Err(Error::corrupt_ull(format!(
                "coded registers: {} trailing bytes after the last register's code",
                codes.len() - bit.div_ceil(8)
            )));
        }
        if !bit.is_multiple_of(8) && codes[codes.len() - 1] & (0xff >> (bit % 8)) != 0 {
            return Err(Error::corrupt_ull(
                "coded registers: nonzero padding bits after the last code",
            ));
        }
        Ok(hist)
    }

    /// The lengths carried must be the ones the encoder derives from the histogram of
    /// the registers decoded: otherwise another byte string codes the same registers.
    fn check_canonical(&self, hist: &[u32; 256]) -> Result<(), Error> {
        let mut expected = [0u8; 256];
        code_lengths(hist, &mut expected);
        if expected != self.lengths {
            return Err(Error::corrupt_ull(
                "invalid code table: its code lengths are not the canonical ones for the registers coded",
            ));
        }
        Ok(())
    }
}

fn overrun(bytes: usize, m: usize) -> Error {
    Error::corrupt_ull(format!(
        "coded registers overrun: {bytes} bytes of codes end before register {m} of {m}"
    ))
}

/// The canonical code of each symbol (deflate's construction): codes of one length are
/// consecutive in symbol order, and shorter codes precede longer ones.
fn canonical_codes(lengths: &[u8; 256]) -> [u16; 256] {
    let mut count = [0u16; MAX_CODE_LEN as usize + 1];
    for &l in lengths {
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
    for (c, &l) in codes.iter_mut().zip(lengths) {
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
        assert_eq!(hist, byte_histogram(registers));
        coded
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
            for n in [0u64, 1, 2, 3, 10, 100, 1000, 20_000, 60_000] {
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
            for bit in 0..8 * coded.len() {
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
        // Lengths of a (count 8), b, c (4 each): Huffman gives 1, 2, 2; swap to 2, 2, 1
        // and re-code with those lengths by hand.
        let mut lengths = [0u8; 256];
        code_lengths(&byte_histogram(&registers), &mut lengths);
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
        let codes = canonical_codes(&lengths);
        let mut bits = String::new();
        for &r in &registers {
            let l = usize::from(lengths[usize::from(r)]);
            bits += &format!("{:0l$b}", codes[usize::from(r)]);
        }
        while !bits.len().is_multiple_of(8) {
            bits.push('0');
        }
        let mut forged = coded[..2].to_vec();
        let nibbles: Vec<u8> = (a..=c)
            .filter(|&x| register::is_valid(x, p))
            .map(|x| lengths[usize::from(x)])
            .collect();
        for pair in nibbles.chunks(2) {
            forged.push(pair[0] << 4 | pair.get(1).copied().unwrap_or(0));
        }
        for i in (0..bits.len()).step_by(8) {
            forged.push(u8::from_str_radix(&bits[i..i + 8], 2).unwrap());
        }
        assert_ne!(forged, coded);
        let mut out = [0u8; 16];
        let err = decode_into(&forged, p, &mut out).unwrap_err();
        assert!(format!("{err:?}").contains("canonical"), "{err:?}");
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
                let hist = byte_histogram(&r);
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
