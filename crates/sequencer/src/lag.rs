//! Whether a chain's sequencing window leaves room for the deposit follower's lag. The
//! producer holds a block at `t` until the follower has read L1 past `t − window`
//! ([`crate::Chain::require_l1_read`]), and the follower reads `confirmations` blocks
//! behind L1's head: with a window below that lag it would hold every block, so a node
//! refuses to start instead (`docs/pipeline.md`, "Forced inclusion").

use faultline_primitives::ChainConfig;

/// L1's block time when the node is not told it and L1 has no blocks to measure it from:
/// Ethereum's 12 s slot.
pub const DEFAULT_L1_BLOCK_TIME_SECS: u64 = 12;

/// Seconds of margin on top of `(confirmations + 1)` L1 block times: the follower polls
/// every 0.5 s, one round of reads (logs, one header) takes well under a second on a
/// healthy L1 endpoint, and L1 timestamps may run a few seconds off the sequencer's clock.
/// A third of the shortest window `RollupConfig` accepts (31 s), so the devnet (1 s L1
/// blocks, 1 confirmation: a 12 s lag) can still run its shortest windows.
pub const FOLLOWER_LAG_MARGIN_SECS: u64 = 10;

/// Where a node's figure for L1's block time comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L1BlockTimeSource {
    /// Set by the operator (`--l1-block-time`, or the devnet's own anvil).
    Configured,
    /// Measured at start-up: the mean block time between two L1 headers.
    Measured {
        /// The older header's block.
        from: u64,
        /// The newer header's block (L1's head then).
        to: u64,
    },
    /// Neither: [`DEFAULT_L1_BLOCK_TIME_SECS`].
    Default,
}

impl std::fmt::Display for L1BlockTimeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Configured => f.write_str("configured"),
            Self::Measured { from, to } => write!(f, "measured between L1 blocks {from} and {to}"),
            Self::Default => write!(f, "the default, Ethereum's {DEFAULT_L1_BLOCK_TIME_SECS} s slot: L1 has no blocks to measure"),
        }
    }
}

/// How far behind L1's head the deposit follower reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowerLag {
    /// L1 blocks a deposit must be buried under before the follower reads it.
    pub confirmations: u64,
    /// L1's block time, seconds.
    pub l1_block_time_secs: u64,
    /// Where that block time comes from.
    pub source: L1BlockTimeSource,
}

impl FollowerLag {
    /// The lag, seconds: the confirmation depth, plus one block (L1's head is up to a
    /// block old when read), plus [`FOLLOWER_LAG_MARGIN_SECS`].
    pub fn secs(&self) -> u64 {
        self.confirmations.saturating_add(1).saturating_mul(self.l1_block_time_secs).saturating_add(FOLLOWER_LAG_MARGIN_SECS)
    }
}

/// A sequencing window the deposit follower cannot keep up with.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// The window is shorter than the follower's lag.
    #[error(
        "the sequencing window ({window} s) is shorter than the L1 deposit follower's lag of {lag_secs} s: \
         ({} confirmations + 1) × {} s L1 blocks ({}) + {FOLLOWER_LAG_MARGIN_SECS} s margin; \
         the sequencer would hold every block waiting for L1. Use fewer L1 confirmations, or a chain with a longer \
         sequencing_window_secs",
        lag.confirmations,
        lag.l1_block_time_secs,
        lag.source
    )]
    BelowFollowerLag {
        /// The chain's sequencing window, seconds.
        window: u64,
        /// The follower's lag.
        lag: FollowerLag,
        /// [`FollowerLag::secs`].
        lag_secs: u64,
    },
}

/// Refuses a sequencing window below the follower's lag.
pub fn check_window(config: &ChainConfig, lag: &FollowerLag) -> Result<(), WindowError> {
    let (window, lag_secs) = (config.sequencing_window_secs, lag.secs());
    if window < lag_secs {
        return Err(WindowError::BelowFollowerLag { window, lag: *lag, lag_secs });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(secs: u64) -> ChainConfig {
        ChainConfig { sequencing_window_secs: secs, ..ChainConfig::devnet() }
    }

    #[test]
    fn a_window_below_the_confirmation_lag_is_refused() {
        // The attacker review's case: 60 s against 12 confirmations of 12 s blocks.
        let mainnet = FollowerLag { confirmations: 12, l1_block_time_secs: 12, source: L1BlockTimeSource::Configured };
        assert_eq!(mainnet.secs(), 13 * 12 + 10);
        let e = check_window(&window(60), &mainnet).expect_err("60 s against a 166 s lag");
        assert!(matches!(e, WindowError::BelowFollowerLag { window: 60, lag_secs: 166, .. }), "{e}");
        let text = e.to_string();
        assert!(text.contains("sequencing window (60 s)") && text.contains("166 s") && text.contains("12 s L1 blocks (configured)"), "{text}");
        check_window(&window(3600), &mainnet).expect("the default window");
        check_window(&window(166), &mainnet).expect("exactly the lag");
        assert!(check_window(&window(165), &mainnet).is_err());
        // The devnet: 1 s blocks, 1 confirmation; its shortest window runs.
        let devnet = FollowerLag { confirmations: 1, l1_block_time_secs: 1, source: L1BlockTimeSource::Configured };
        check_window(&window(31), &devnet).expect("devnet");
        // Automine (block time 0): only the margin.
        check_window(&window(31), &FollowerLag { confirmations: 100, l1_block_time_secs: 0, ..devnet }).expect("automine");
        // Huge inputs saturate instead of wrapping into a small lag.
        assert!(check_window(&window(3600), &FollowerLag { confirmations: u64::MAX, l1_block_time_secs: 12, ..devnet }).is_err());
    }

    #[test]
    fn the_error_says_where_the_block_time_comes_from() {
        let lag = |source| FollowerLag { confirmations: 10, l1_block_time_secs: 12, source };
        let measured = check_window(&window(60), &lag(L1BlockTimeSource::Measured { from: 900, to: 1000 })).unwrap_err().to_string();
        assert!(measured.contains("measured between L1 blocks 900 and 1000"), "{measured}");
        let default = check_window(&window(60), &lag(L1BlockTimeSource::Default)).unwrap_err().to_string();
        assert!(default.contains("the default, Ethereum's 12 s slot"), "{default}");
    }
}
