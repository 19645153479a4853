//! Types and constants shared by every step of the faultline data flow: the chain
//! configuration and genesis allocation, the devnet accounts, and the output root.
//!
//! Nothing here touches storage, the network or the EVM.

pub mod batch;
pub mod blob;
pub mod chunked;
pub mod commitments;
pub mod config;
pub mod deposit;
pub mod dev;
pub mod history;
pub mod l1fee;
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

/// The gas price oracle predeploy (OP Stack's address): `getL1Fee(bytes)` and the L1 fee
/// parameters the current block prices with (`docs/chain.md`, "L1 fee").
pub const GAS_PRICE_ORACLE: Address = address!("420000000000000000000000000000000000000F");

/// The L1 fee vault (OP Stack's address): every signed transaction's L1 fee is credited
/// here at tx-begin.
pub const L1_FEE_VAULT: Address = address!("420000000000000000000000000000000000001A");

/// The portal deposit cursor an L2 header carries in the first 8 bytes of `extraData`
/// (big-endian: deposits included up to and including the block; the rest is the L1 fee
/// origin, [`l1fee::encode_extra_data`]); zero when absent.
pub fn deposit_cursor(extra_data: &[u8]) -> u64 {
    extra_data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes).unwrap_or(0)
}
