//! Whether L1 answers, as the node's L1 loops see it: the first failure after a success
//! logs a warning, an outage still going logs one every [`OUTAGE_WARN_EVERY`] with its
//! length so far, and the first success after it logs the outage's whole length. The
//! state is read by the node's metrics (`faultline_l1_up`, `faultline_l1_unreachable_seconds`).

use std::{
    fmt::Display,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

/// How often an ongoing L1 outage is logged again.
pub const OUTAGE_WARN_EVERY: Duration = Duration::from_secs(10);

/// L1 reachability, shared by the loops that poll L1.
#[derive(Debug, Default)]
pub struct L1Health {
    state: Mutex<State>,
    outages: AtomicU64,
}

#[derive(Debug, Default)]
struct State {
    /// Start of the current outage.
    down_since: Option<Instant>,
    /// When the current outage was last logged.
    warned_at: Option<Instant>,
}

/// What a report changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing worth a log line.
    None,
    /// L1 just became unreachable.
    WentDown,
    /// Still unreachable, this long so far (logged every [`OUTAGE_WARN_EVERY`]).
    StillDown(Duration),
    /// Reachable again after an outage this long.
    CameBack(Duration),
}

impl L1Health {
    /// A monitor that has seen no failure.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports a successful L1 request.
    pub fn ok(&self) -> Change {
        let change = self.ok_at(Instant::now());
        if let Change::CameBack(d) = change {
            tracing::warn!(outage_secs = d.as_secs_f64(), "L1 reachable again after an outage of {:.1} s", d.as_secs_f64());
        }
        change
    }

    /// Reports a failed L1 request.
    pub fn failed(&self, error: &dyn Display) -> Change {
        let change = self.failed_at(Instant::now());
        match change {
            Change::WentDown => tracing::warn!(%error, "L1 unreachable; the node keeps serving L2 and retries"),
            Change::StillDown(d) => {
                tracing::warn!(%error, outage_secs = d.as_secs_f64(), "L1 still unreachable after {:.0} s", d.as_secs_f64())
            }
            _ => {}
        }
        change
    }

    /// [`Self::ok`] at a given time, without logging.
    pub fn ok_at(&self, now: Instant) -> Change {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.warned_at = None;
        match s.down_since.take() {
            Some(since) => Change::CameBack(now.saturating_duration_since(since)),
            None => Change::None,
        }
    }

    /// [`Self::failed`] at a given time, without logging.
    pub fn failed_at(&self, now: Instant) -> Change {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match s.down_since {
            None => {
                s.down_since = Some(now);
                s.warned_at = Some(now);
                self.outages.fetch_add(1, Ordering::Relaxed);
                Change::WentDown
            }
            Some(since) => {
                if s.warned_at.is_none_or(|w| now.saturating_duration_since(w) >= OUTAGE_WARN_EVERY) {
                    s.warned_at = Some(now);
                    Change::StillDown(now.saturating_duration_since(since))
                } else {
                    Change::None
                }
            }
        }
    }

    /// Whether the last report was a success (true before any report).
    pub fn is_up(&self) -> bool {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).down_since.is_none()
    }

    /// Length of the current outage (zero when up).
    pub fn unreachable_for(&self) -> Duration {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).down_since.map(|s| s.elapsed()).unwrap_or_default()
    }

    /// Outages seen since start.
    pub fn outages(&self) -> u64 {
        self.outages.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outage_is_reported_when_it_starts_while_it_lasts_and_with_its_length_when_it_ends() {
        let h = L1Health::new();
        let t0 = Instant::now();
        assert_eq!(h.ok_at(t0), Change::None);
        assert!(h.is_up());
        assert_eq!(h.failed_at(t0), Change::WentDown);
        assert!(!h.is_up());
        assert_eq!(h.failed_at(t0 + Duration::from_secs(1)), Change::None, "not every failure is logged");
        assert_eq!(h.failed_at(t0 + Duration::from_secs(10)), Change::StillDown(Duration::from_secs(10)));
        assert_eq!(h.failed_at(t0 + Duration::from_secs(15)), Change::None);
        assert_eq!(h.failed_at(t0 + Duration::from_secs(20)), Change::StillDown(Duration::from_secs(20)));
        assert_eq!(h.ok_at(t0 + Duration::from_secs(32)), Change::CameBack(Duration::from_secs(32)));
        assert!(h.is_up());
        assert_eq!(h.unreachable_for(), Duration::ZERO);
        assert_eq!(h.failed_at(t0 + Duration::from_secs(40)), Change::WentDown);
        assert_eq!(h.outages(), 2);
    }
}
