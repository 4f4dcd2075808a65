//! One UltraLogLog register: a byte holding the largest update value seen and whether
//! the two next-smaller values were seen (Ertl, "UltraLogLog", PVLDB 17(7), 2024).
//!
//! The byte is hash4j's: 0 for an empty register, else `4u + 2a + b + 4p - 8`, where `u`
//! is the largest update value, `a` says `u - 1` was seen and `b` says `u - 2` was. The
//! `4p - 8` offset makes the byte independent of the precision a register was built at
//! (a fold to a lower precision raises `u` by the dropped bits), so states, merges and
//! folds are the same bytes as hash4j's for the same hashes (see `docs/ull-format.md`).
//!
//! A register is also read as its *history*: a 64-bit word with bit `k + p - 2` set for
//! each update value `k` kept. Adding and merging are an OR of histories followed by
//! keeping the top three bits, which is what `pack` does.

/// The smallest precision whose byte encoding is defined (`p - 1 >= 2` history bits).
pub const MIN_P: u8 = 3;

/// The history word of register byte `r` (0 for an empty register).
#[inline(always)]
pub fn unpack(r: u8) -> u64 {
    if r == 0 {
        0
    } else {
        u64::from(4 | (r & 3)) << ((r >> 2) - 2)
    }
}

/// The register byte of a history word: its top bit and the two bits below.
#[inline(always)]
pub fn pack(history: u64) -> u8 {
    if history == 0 {
        return 0;
    }
    let top = 63 - history.leading_zeros();
    // top >= p - 1 >= 2 for every history built by `unpack` or `update`.
    ((top << 2) as u8) | ((history >> (top - 2)) & 3) as u8
}

/// Register `r` after seeing update value `k` (1 <= k <= 64 - p) at precision `p`.
#[inline(always)]
pub fn update(r: u8, k: u32, p: u8) -> u8 {
    pack(unpack(r) | (1u64 << (k + u32::from(p) - 2)))
}

/// The register holding everything `x` and `y` hold (the same precision).
#[inline(always)]
pub fn merge(x: u8, y: u8) -> u8 {
    pack(unpack(x) | unpack(y))
}

/// [`merge`] on bytes, in a form the compiler vectorises: every operation is lane-wise
/// (compare, subtract, select), no shift by a per-byte amount. The larger byte holds
/// the larger `u` (or the same `u`); the smaller one's flags matter only when its `u`
/// is at most 2 below: `d = 0` adds its flags, `d = 1` sets `a` and moves its `a` into
/// `b`, `d = 2` sets `b`. An empty register (0) is always 3 or more below any other
/// (the smallest non-empty byte is `4p - 4 >= 12` for the precisions 4 and up that
/// sketches use), so it adds nothing.
#[inline(always)]
pub fn merge_bytes(x: u8, y: u8) -> u8 {
    let hi = x.max(y);
    let lo = x.min(y);
    let d = (hi >> 2) - (lo >> 2);
    let flags = lo & 3;
    let add = if d == 0 {
        flags
    } else if d == 1 {
        2 | (flags >> 1)
    } else if d == 2 {
        1
    } else {
        0
    };
    hi | add
}

/// Merges `src` into `dst` register by register ([`merge_bytes`], vectorised).
pub fn merge_all(dst: &mut [u8], src: &[u8]) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = merge_bytes(*d, s);
    }
}

/// The largest update value `u` of a non-empty register byte at precision `p` (0 for
/// an empty register): the HyperLogLog register of the same hashes.
#[inline(always)]
pub fn max_update_value(r: u8, p: u8) -> u8 {
    if r == 0 {
        0
    } else {
        (r >> 2) + 2 - p
    }
}

/// Whether `r` is a register state reachable at precision `p`: empty, or `u` between 1
/// and `64 - p` (the largest value a hash's `64 - p` remaining bits give) with no flag
/// for a value below 1.
pub fn is_valid(r: u8, p: u8) -> bool {
    if r == 0 {
        return true;
    }
    let Some(u) = (r >> 2).checked_add(2).and_then(|v| v.checked_sub(p)) else {
        return false;
    };
    match u {
        0 => false,
        1 => r & 3 == 0,
        2 => r & 1 == 0,
        _ => u <= 64 - p,
    }
}

/// The register index and update value of `hash` at precision `p`, in the storage
/// format's convention (the low `p` bits index, trailing zeros of the rest): `None`
/// when the remaining bits are all zero, which the HyperLogLog format ignores too.
#[inline(always)]
pub fn index_and_update_value(hash: u64, p: u8) -> Option<(usize, u32)> {
    let w = hash >> p;
    (w != 0).then(|| ((hash & ((1u64 << p) - 1)) as usize, w.trailing_zeros() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every valid byte is a fixed point of pack(unpack(.)), and every byte that a
    /// sequence of updates produces is valid.
    #[test]
    fn valid_bytes_are_the_reachable_ones() {
        for p in MIN_P..=26 {
            let mut reachable = [false; 256];
            reachable[0] = true;
            let mut frontier = vec![0u8];
            while let Some(r) = frontier.pop() {
                for k in 1..=u32::from(64 - p) {
                    let next = update(r, k, p);
                    if !reachable[usize::from(next)] {
                        reachable[usize::from(next)] = true;
                        frontier.push(next);
                    }
                }
            }
            for r in 0..=255u8 {
                assert_eq!(is_valid(r, p), reachable[usize::from(r)], "p {p} byte {r}");
                if reachable[usize::from(r)] {
                    assert_eq!(pack(unpack(r)), r);
                }
            }
        }
    }

    #[test]
    fn merge_is_the_union_of_histories() {
        for p in 4..=26 {
            let valid: Vec<u8> = (0..=255u8).filter(|&r| is_valid(r, p)).collect();
            for &x in &valid {
                for &y in &valid {
                    let m = merge(x, y);
                    assert_eq!(merge_bytes(x, y), m, "p {p} bytes {x} {y}");
                    assert_eq!(m, merge(y, x));
                    assert_eq!(merge(m, x), m);
                    assert!(is_valid(m, p));
                }
            }
        }
    }

    #[test]
    fn first_update_sets_u_without_flags() {
        assert_eq!(update(0, 1, 11), 4 + 4 * 11 - 8);
        assert_eq!(update(update(0, 3, 11), 1, 11), 4 * 3 + 1 + 36);
        assert_eq!(max_update_value(update(0, 7, 11), 11), 7);
    }
}
