//! Milliseconds from JavaScript as Rust durations and deadlines, never
//! panicking: negative, NaN, infinite or absurdly long values mean "none".

use std::time::{Duration, Instant};

/// Longer than any real wait (~31 years): treated as "no deadline".
const LONGEST_MS: f64 = 1e12;

/// `ms` as a duration, or `None` for "no limit".
pub fn duration_ms(ms: f64) -> Option<Duration> {
  (ms.is_finite() && (0.0..LONGEST_MS).contains(&ms)).then(|| Duration::from_secs_f64(ms / 1000.0))
}

/// The instant `ms` from now, or `None` for "no limit".
pub fn deadline_ms(ms: f64) -> Option<Instant> {
  duration_ms(ms).and_then(|d| Instant::now().checked_add(d))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn odd_values_mean_no_limit() {
    for ms in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
      assert_eq!(duration_ms(ms), None, "{ms}");
      assert_eq!(deadline_ms(ms), None, "{ms}");
    }
    assert_eq!(duration_ms(1500.0), Some(Duration::from_millis(1500)));
  }
}
