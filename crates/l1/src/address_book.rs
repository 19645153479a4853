//! The address book of one deployment: where the contracts are, from which L1 block
//! to read them, and the parameters they were deployed with. Written by
//! `faultline deploy` to `deploy/<l1-chain-id>.json` and read by every other command.

use alloy_primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Errors reading or writing an address book.
#[derive(Debug, thiserror::Error)]
pub enum AddressBookError {
    /// File system error.
    #[error("address book {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid address book.
    #[error("address book {path} is malformed: {source}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

/// A deployment of the faultline L1 contracts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressBook {
    /// Chain id of the L1 the contracts live on.
    pub l1_chain_id: u64,
    /// Chain id of the L2 they serve.
    pub l2_chain_id: u64,
    /// L1 block of the first deployment transaction: derivation starts reading here.
    pub deployment_block: u64,
    /// The account that deployed them.
    pub deployer: Address,
    /// `RollupConfig`.
    pub rollup_config: Address,
    /// `Portal` (deposits and withdrawals).
    pub portal: Address,
    /// `BatchInbox`.
    pub batch_inbox: Address,
    /// `OutputOracle`.
    pub output_oracle: Address,
    /// The sequencer key's address.
    pub sequencer: Address,
    /// The config owner.
    pub owner: Address,
    /// Challenge window, seconds.
    pub challenge_window: u64,
    /// L2 blocks between outputs.
    pub proposal_interval: u64,
    /// Bond per output, wei.
    pub proposer_bond: U256,
    /// Output root of L2 genesis (output 0 of the oracle).
    pub genesis_output_root: B256,
    /// The dispute game and what it runs on (absent in a book written before they were
    /// deployed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<DisputeBook>,
}

/// The dispute contracts of a deployment (docs/dispute.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputeBook {
    /// `FaultDisputeGame`, set in `RollupConfig.disputeGame`.
    pub dispute_game: Address,
    /// The one-step verifier's router (`FaultVM`).
    pub fault_vm: Address,
    /// `BlockStart`.
    pub block_start: Address,
    /// The game's depth of a block's machine trace.
    pub exec_depth: u8,
    /// The game's clock per side, seconds.
    pub max_clock_duration: u32,
    /// The game's bond at depth 0, wei.
    pub base_bond: U256,
}

impl AddressBook {
    /// `deploy/<l1-chain-id>.json` under `root`.
    pub fn default_path(root: &Path, l1_chain_id: u64) -> PathBuf {
        root.join("deploy").join(format!("{l1_chain_id}.json"))
    }

    /// Reads an address book.
    pub fn load(path: &Path) -> Result<Self, AddressBookError> {
        let text = std::fs::read_to_string(path).map_err(|source| AddressBookError::Io { path: path.into(), source })?;
        serde_json::from_str(&text).map_err(|source| AddressBookError::Malformed { path: path.into(), source })
    }

    /// Writes it (creating the folder), atomically: a crash leaves the old file or the new one.
    pub fn save(&self, path: &Path) -> Result<(), AddressBookError> {
        let io = |source| AddressBookError::Io { path: path.into(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("json.tmp");
        let mut text = serde_json::to_string_pretty(self).expect("an address book always serializes");
        text.push('\n');
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let dir = std::env::temp_dir().join(format!("fl-ab-{}", std::process::id()));
        let book = AddressBook {
            l1_chain_id: 31337,
            l2_chain_id: 64023,
            deployment_block: 7,
            deployer: Address::repeat_byte(1),
            rollup_config: Address::repeat_byte(2),
            portal: Address::repeat_byte(3),
            batch_inbox: Address::repeat_byte(4),
            output_oracle: Address::repeat_byte(5),
            sequencer: Address::repeat_byte(6),
            owner: Address::repeat_byte(7),
            challenge_window: 60,
            proposal_interval: 10,
            proposer_bond: U256::from(10u64).pow(U256::from(16u64)),
            genesis_output_root: B256::repeat_byte(9),
            dispute: Some(DisputeBook {
                dispute_game: Address::repeat_byte(10),
                fault_vm: Address::repeat_byte(11),
                block_start: Address::repeat_byte(12),
                exec_depth: 30,
                max_clock_duration: 90,
                base_bond: U256::from(1u64),
            }),
        };
        let path = AddressBook::default_path(&dir, 31337);
        book.save(&path).unwrap();
        assert_eq!(AddressBook::load(&path).unwrap(), book);
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(AddressBook::load(&path), Err(AddressBookError::Malformed { .. })));
        let _ = std::fs::remove_dir_all(dir);
    }
}
