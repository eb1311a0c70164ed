//! The simulator's compressible test clock.
//!
//! Simulated time starts at the real wall-clock time when the simulator starts and then runs at
//! `speed` times real time. Tests can speed it up (`PUT /_sim/clock {"speed": 3600}`) or jump it
//! forward (`POST /_sim/clock/advance {"seconds": 172800}`). Webhook retries and the 48-hour
//! expiry of sessions and files are measured on this clock.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Simulated time: `base_sim + (now_real - base_real) * speed`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SimClock {
    base_real: Instant,
    /// Unix seconds (fractional) at `base_real`.
    base_sim: f64,
    speed: f64,
}

impl SimClock {
    /// A clock at the current wall-clock time, running at real speed.
    pub fn new() -> SimClock {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        SimClock {
            base_real: Instant::now(),
            base_sim: now,
            speed: 1.0,
        }
    }

    /// Current simulated time in (fractional) Unix seconds.
    pub fn now(&self) -> f64 {
        self.base_sim + self.base_real.elapsed().as_secs_f64() * self.speed
    }

    /// Current simulated time in whole Unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.now().floor() as i64
    }

    /// How many times faster than real time the clock runs.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Changes the speed from now on (simulated time does not jump).
    pub fn set_speed(&mut self, speed: f64) {
        self.rebase();
        self.speed = speed;
    }

    /// Jumps simulated time forward by `seconds`.
    pub fn advance(&mut self, seconds: f64) {
        self.rebase();
        self.base_sim += seconds;
    }

    /// Real time until the simulated time reaches `at` (zero when it already has).
    pub fn real_until(&self, at: f64) -> Duration {
        let sim = at - self.now();
        if sim <= 0.0 || !sim.is_finite() {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((sim / self.speed).min(86_400.0))
    }

    fn rebase(&mut self) {
        let now = self.now();
        self.base_real = Instant::now();
        self.base_sim = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_and_speed() {
        let mut c = SimClock::new();
        let t0 = c.now();
        c.advance(100.0);
        assert!(c.now() >= t0 + 100.0);
        c.set_speed(1000.0);
        let d = c.real_until(c.now() + 1000.0);
        assert!(d <= Duration::from_secs(1) && d > Duration::from_millis(900));
        assert_eq!(c.real_until(t0), Duration::ZERO);
    }
}
