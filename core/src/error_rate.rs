//! The precision that delivers a wanted relative standard error, for approximate
//! `count(DISTINCT)` (`hyperloglog.count_distinct_error_rate`): the smallest `log2m`
//! whose standard error `1.04 / sqrt(2^log2m)` is at most the rate.

use crate::params::{MAX_LOG2M, MIN_LOG2M};

/// The standard error of the estimate with `2^log2m` registers (large counts).
pub fn standard_error(log2m: u8) -> f64 {
    1.04 / f64::from(1u32 << log2m).sqrt()
}

/// `None` when the rate turns the feature off (0, negative or NaN); otherwise the
/// smallest log2m meeting it, within the accepted range (a rate below what log2m 20
/// gives, 0.1%, gets log2m 20; one above what log2m 4 gives, 26%, gets log2m 4).
pub fn log2m_for_error_rate(rate: f64) -> Option<u8> {
    if rate.is_nan() || rate <= 0.0 {
        return None;
    }
    Some(
        (MIN_LOG2M..=MAX_LOG2M)
            .find(|&log2m| standard_error(log2m) <= rate)
            .unwrap_or(MAX_LOG2M),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_to_precisions() {
        assert_eq!(log2m_for_error_rate(0.0), None);
        assert_eq!(log2m_for_error_rate(-1.0), None);
        assert_eq!(log2m_for_error_rate(f64::NAN), None);
        // 1.04/sqrt(2^16) = 0.406%, 2^15 gives 0.575%.
        assert_eq!(log2m_for_error_rate(0.005), Some(16));
        // 2^11 gives 2.30%, 2^10 3.25%.
        assert_eq!(log2m_for_error_rate(0.0230), Some(11));
        assert_eq!(log2m_for_error_rate(0.02), Some(12));
        assert_eq!(log2m_for_error_rate(0.5), Some(MIN_LOG2M));
        assert_eq!(log2m_for_error_rate(1e-6), Some(MAX_LOG2M));
    }

    #[test]
    fn the_choice_meets_the_rate_and_is_the_smallest() {
        for i in 1..=1000 {
            let rate = 0.0011 + f64::from(i) * 0.00025;
            let log2m = log2m_for_error_rate(rate).unwrap();
            assert!(standard_error(log2m) <= rate || log2m == MIN_LOG2M);
            assert!(
                log2m == MIN_LOG2M || standard_error(log2m - 1) > rate,
                "rate {rate}"
            );
        }
    }
}
