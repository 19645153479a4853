//! Types and constants shared by every step of the faultline data flow: the chain
//! configuration and genesis allocation, the devnet accounts, and the output root.
//!
//! Nothing here touches storage, the network or the EVM.

pub mod batch;
pub mod blob;
pub mod commitments;
pub mod config;
pub mod deposit;
pub mod dev;
pub mod limits;
pub mod output;
pub mod predeploys;
pub mod preinstalls;

pub use config::{ChainConfig, ConfigError, GenesisAccount};
pub use deposit::Deposit;
pub use output::{output_root, OUTPUT_VERSION};

use alloy_primitives::{address, Address};

/// The L2 chain id of the devnet (and the default of `faultline node`).
pub const DEFAULT_L2_CHAIN_ID: u64 = 64023;

/// The L2-to-L1 message passer predeploy: withdrawals are storage writes of this contract.
pub const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// The portal deposit cursor an L2 header carries in `extraData` (8 bytes, big-endian:
/// deposits included up to and including the block); zero when absent.
pub fn deposit_cursor(extra_data: &[u8]) -> u64 {
    <[u8; 8]>::try_from(extra_data).map(u64::from_be_bytes).unwrap_or(0)
}
