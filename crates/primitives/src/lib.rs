//! Types and constants shared by every step of the faultline data flow: the chain
//! configuration and genesis allocation, the devnet accounts, and the output root.
//!
//! Nothing here touches storage, the network or the EVM.

pub mod config;
pub mod dev;
pub mod output;
pub mod predeploys;

pub use config::{ChainConfig, ConfigError, GenesisAccount};
pub use output::{output_root, OUTPUT_VERSION};

use alloy_primitives::{address, Address};

/// The L2 chain id of the devnet (and the default of `faultline node`).
pub const DEFAULT_L2_CHAIN_ID: u64 = 64023;

/// The L2-to-L1 message passer predeploy: withdrawals are storage writes of this contract.
pub const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
