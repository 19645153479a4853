//! The faultline L2 sequencer: it accepts signed transactions into a [`Pool`] (journaled
//! in the store, so an accepted transaction survives a crash), and a producer turns the
//! pool into blocks every block time or on demand, committing each block atomically.
//! See `docs/chain.md`.

mod chain;
mod pool;
mod producer;

pub use chain::{Chain, ChainError, NewBlock};
pub use pool::{Pool, PoolConfig, PoolError, MAX_TX_BYTES};
pub use producer::{now, ProducerError};
