//! Recent durations of an executor's calls (queue wait, run time), kept in
//! a small ring so `stats()` can report percentiles without unbounded memory.

use std::time::Duration;

/// How many recent samples are kept.
const CAPACITY: usize = 1024;

/// A ring of the most recent durations.
#[derive(Debug, Default, Clone)]
pub struct Samples {
  ring: Vec<Duration>,
  next: usize,
}

/// Percentiles of recent samples, in microseconds.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Percentiles {
  pub p50: f64,
  pub p90: f64,
  pub p99: f64,
  pub max: f64,
  /// How many samples they come from (at most the ring's capacity).
  pub count: u32,
}

impl Samples {
  /// Adds a sample, replacing the oldest once the ring is full.
  pub fn record(&mut self, sample: Duration) {
    if self.ring.len() < CAPACITY {
      self.ring.push(sample);
    } else {
      self.ring[self.next] = sample;
    }
    self.next = (self.next + 1) % CAPACITY;
  }

  /// Nearest-rank percentiles of the samples held.
  pub fn percentiles(&self) -> Percentiles {
    if self.ring.is_empty() {
      return Percentiles::default();
    }
    let mut sorted = self.ring.clone();
    sorted.sort_unstable();
    let at = |q: f64| {
      let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
      sorted[rank - 1].as_secs_f64() * 1e6
    };
    Percentiles {
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: at(1.0),
      count: sorted.len() as u32,
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn percentiles_of_one_to_a_hundred() {
    let mut samples = Samples::default();
    for us in 1..=100 {
      samples.record(Duration::from_micros(us));
    }
    let p = samples.percentiles();
    assert_eq!(
      (p.p50, p.p90, p.p99, p.max, p.count),
      (50.0, 90.0, 99.0, 100.0, 100)
    );
  }

  #[test]
  fn the_ring_keeps_only_recent_samples() {
    let mut samples = Samples::default();
    for _ in 0..CAPACITY {
      samples.record(Duration::from_secs(1));
    }
    for _ in 0..CAPACITY {
      samples.record(Duration::from_micros(1));
    }
    assert_eq!(samples.percentiles().max, 1.0);
  }

  #[test]
  fn no_samples_give_zeros() {
    assert_eq!(Samples::default().percentiles(), Percentiles::default());
  }
}
