//! Numbers from the wrappers' callers, range checked into the core's types.
//!
//! JavaScript and Python hand over numbers as `f64`: NaN, ±Infinity, `1e300`, negative values
//! and integers above 2^53 (which a double cannot hold exactly) all arrive. Converting them with
//! `Duration::from_secs_f64` or `as` casts would panic or wrap silently; every wrapper converts
//! through these helpers instead, so each language refuses the same values with the same
//! [`ErrorCode::InvalidArgument`](crate::ErrorCode::InvalidArgument) and message.

use std::time::Duration;

use crate::error::{Error, Result};

/// Longest duration any option takes (a poll interval, a wait's timeout, a tolerance): one
/// year. Longer ones are refused, so deadline arithmetic (`now + timeout`) can never overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(366 * 24 * 3600);

/// Largest integer a caller can pass as a double without losing precision (2^53 − 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// `value` seconds as a [`Duration`]: finite, not negative, at most [`MAX_DURATION`]. `what`
/// names the option in the error.
pub fn seconds(value: f64, what: &str) -> Result<Duration> {
    if !value.is_finite() || value < 0.0 || value > MAX_DURATION.as_secs_f64() {
        return Err(Error::invalid_argument(format!(
            "{what} must be a number of seconds from 0 to {} (one year), got {}",
            MAX_DURATION.as_secs(),
            shown(value)
        )));
    }
    Ok(Duration::from_secs_f64(value))
}

/// `value` milliseconds as a [`Duration`], with the bounds of [`seconds`].
pub fn millis(value: f64, what: &str) -> Result<Duration> {
    if !value.is_finite() || value < 0.0 || value > MAX_DURATION.as_secs_f64() * 1000.0 {
        return Err(Error::invalid_argument(format!(
            "{what} must be a number of milliseconds from 0 to {} (one year), got {}",
            MAX_DURATION.as_millis(),
            shown(value)
        )));
    }
    Ok(Duration::from_secs_f64(value / 1000.0))
}

/// `value` as a whole number in `min..=max`: no fraction, no NaN or infinity, and (for `max`
/// above 2^53 − 1) never a double too large to be exact.
pub fn whole(value: f64, min: u64, max: u64, what: &str) -> Result<u64> {
    let max = max.min(MAX_SAFE_INTEGER as u64);
    if !value.is_finite() || value.fract() != 0.0 || value < min as f64 || value > max as f64 {
        return Err(Error::invalid_argument(format!(
            "{what} must be a whole number from {min} to {max}, got {}",
            shown(value)
        )));
    }
    Ok(value as u64)
}

/// `value` when it is finite and in `min..=max` (page coordinates, sizes).
pub fn finite(value: f64, min: f64, max: f64, what: &str) -> Result<f64> {
    if !value.is_finite() || value < min || value > max {
        return Err(Error::invalid_argument(format!(
            "{what} must be a number from {min} to {max}, got {}",
            shown(value)
        )));
    }
    Ok(value)
}

/// A checked [`Duration`] (from a language with integer durations, e.g. C): at most
/// [`MAX_DURATION`].
pub fn duration(value: Duration, what: &str) -> Result<Duration> {
    if value > MAX_DURATION {
        return Err(Error::invalid_argument(format!(
            "{what} must be at most {} s (one year), got {} s",
            MAX_DURATION.as_secs(),
            value.as_secs()
        )));
    }
    Ok(value)
}

/// A number for an error message (`NaN`, `inf`, `-1`, `1e300`).
fn shown(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e15 {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const HOSTILE: [f64; 6] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1.0,
        9_007_199_254_740_993.0,
    ];

    #[test]
    fn hostile_numbers_are_invalid_arguments_never_panics() {
        for v in HOSTILE {
            for r in [seconds(v, "t"), millis(v, "t")] {
                let e = r.expect_err("refused");
                assert_eq!(e.code(), ErrorCode::InvalidArgument, "{v}");
                assert!(e.message().starts_with("t must be"), "{}", e.message());
            }
            let e = whole(v, 0, u64::MAX, "n").expect_err("refused");
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{v}");
            assert!(finite(v, 0.0, 1e6, "x").is_err(), "{v}");
        }
        assert!(whole(1.5, 0, 10, "n").is_err());
        assert_eq!(whole(10.0, 0, 10, "n").ok(), Some(10));
        assert_eq!(seconds(1.5, "t").ok(), Some(Duration::from_millis(1500)));
        assert_eq!(millis(250.0, "t").ok(), Some(Duration::from_millis(250)));
        assert!(duration(Duration::MAX, "t").is_err());
        assert!(duration(MAX_DURATION, "t").is_ok());
    }
}
