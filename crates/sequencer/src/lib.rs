//! The faultline L2 sequencer: it accepts signed transactions into a [`Pool`] (journaled
//! in the store, so an accepted transaction survives a crash), and a producer turns the
//! pool into blocks every block time or on demand, committing each block atomically.
//! See `docs/chain.md`.

mod chain;
mod lag;
mod pool;
mod producer;

pub use chain::{Chain, ChainError, L1ReadStatus, NewBlock};
pub use lag::{check_window, FollowerLag, L1BlockTimeSource, WindowError, DEFAULT_L1_BLOCK_TIME_SECS, FOLLOWER_LAG_MARGIN_SECS};
pub use pool::{
    max_cost, Added, Pool, PoolConfig, PoolError, DEFAULT_MAX_BYTES, DEFAULT_MAX_PER_SENDER, DEFAULT_MAX_QUEUED_PER_SENDER, DEFAULT_MAX_QUEUED_TOTAL,
    DEFAULT_MAX_TOTAL, DEFAULT_QUEUED_LIFETIME, MAX_TX_BYTES,
};
pub use producer::{now, ProducerError};
