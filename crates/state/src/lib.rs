//! World state and chain storage of the faultline L2.
//!
//! - [`smt`]: the compacted sparse Merkle tree that commits to the world state
//!   (`docs/state.md`).
//! - [`overlay`]: a revm `Database` + `DatabaseCommit` that collects one block's writes
//!   over a read-only base state.
//! - [`store`]: the RocksDB store: flat latest state, per-block history (state at any
//!   block), SMT nodes, code, blocks, receipts, the transaction and log indexes and the
//!   pool journal; one atomic write batch per block (`docs/storage.md`).
//! - [`fault`]: FAULT INJECTION (tests only): a double of the store's sync that loses
//!   every unsynced write.

pub mod account;
pub mod fault;
pub mod overlay;
pub mod smt;
pub mod store;

pub use account::AccountRecord;
pub use overlay::{Overlay, StateChanges, StateReader};
pub use store::{BlockBody, BlockRecord, L1Mark, PreparedState, StateAt, Store, StoreError};
