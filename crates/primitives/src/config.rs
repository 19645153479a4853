//! The L2 chain configuration: chain id, fork, gas and fee rules, genesis allocation.
//!
//! The devnet uses [`ChainConfig::devnet`]; `faultline node` reads the same structure
//! from the `[chain]` table of its TOML config. See `docs/chain.md`.

use crate::{dev::DEV_ACCOUNTS, DEFAULT_L2_CHAIN_ID};
use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Errors of a chain configuration that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A field has a value the chain cannot run with.
    #[error("invalid chain config: {0}")]
    Invalid(String),
    /// The config file could not be parsed.
    #[error("cannot parse chain config: {0}")]
    Parse(String),
}

/// One account of the genesis allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisAccount {
    /// Balance in wei.
    #[serde(default)]
    pub balance: U256,
    /// Account nonce.
    #[serde(default)]
    pub nonce: u64,
    /// Runtime code.
    #[serde(default, skip_serializing_if = "<[u8]>::is_empty")]
    pub code: Bytes,
    /// Non-zero storage slots.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<B256, B256>,
}

/// Everything that fixes the L2 state transition function apart from the inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// EIP-155 chain id of the L2.
    pub chain_id: u64,
    /// Gas limit of every L2 block.
    pub block_gas_limit: u64,
    /// Base fee of the first block after genesis, in wei.
    pub genesis_base_fee: u64,
    /// The base fee never drops below this (wei). EIP-1559 otherwise, with
    /// `base_fee_change_denominator` and `elasticity_multiplier`.
    pub base_fee_floor: u64,
    /// EIP-1559 max change denominator (Ethereum: 8).
    pub base_fee_change_denominator: u64,
    /// EIP-1559 elasticity multiplier (Ethereum: 2).
    pub elasticity_multiplier: u64,
    /// Receives the priority fees of every block (the header's `beneficiary`).
    pub fee_recipient: Address,
    /// Timestamp of the genesis block (seconds).
    pub genesis_timestamp: u64,
    /// Genesis allocation.
    pub alloc: BTreeMap<Address, GenesisAccount>,
    /// Sequencing window (seconds): an L2 block whose timestamp is at least this far past
    /// a deposit's L1 block timestamp must include that deposit; derivation forces it in
    /// if the sequencer left it out (`docs/pipeline.md`, "Forced inclusion").
    #[serde(default = "default_sequencing_window")]
    pub sequencing_window_secs: u64,
    /// Whether genesis holds the preinstalls ([`crate::preinstalls`]: Multicall3, the
    /// deterministic deployment proxy, ...) at addresses `alloc` does not set itself.
    #[serde(default = "default_preinstalls")]
    pub preinstalls: bool,
    /// L1 fee: weight of the L1 base fee (millionths, per 16 gas of a byte; OP Stack's
    /// `baseFeeScalar`). Must equal `RollupConfig.l1BaseFeeScalar` (`docs/chain.md`, "L1 fee").
    #[serde(default = "default_l1_base_fee_scalar")]
    pub l1_base_fee_scalar: u32,
    /// L1 fee: weight of the L1 blob base fee (millionths, per byte; OP Stack's
    /// `blobBaseFeeScalar`). Must equal `RollupConfig.l1BlobBaseFeeScalar`.
    #[serde(default = "default_l1_blob_base_fee_scalar")]
    pub l1_blob_base_fee_scalar: u32,
}

/// How far past its batch's L1 block an L2 block's timestamp may be (`BatchInbox`'s
/// `MAX_TIMESTAMP_DRIFT`). The sequencing window must be longer, so that no deposit made
/// after a batch can be forced into that batch's blocks (docs/fault-vm-inputs.md).
pub const MAX_TIMESTAMP_DRIFT_SECS: u64 = 30;
/// Smallest block gas limit `RollupConfig` accepts: `Portal.MAX_DEPOSIT_GAS`, so every
/// deposit the portal takes fits a block.
pub const MIN_BLOCK_GAS_LIMIT: u64 = 10_000_000;
/// Longest sequencing window `RollupConfig` accepts.
pub const MAX_SEQUENCING_WINDOW_SECS: u64 = 30 * 24 * 3600;

fn default_sequencing_window() -> u64 {
    3600
}

fn default_preinstalls() -> bool {
    true
}

/// The devnet's L1 base fee scalar: 0.02 × 16 gas per byte, which covers a blob batch's
/// L1 execution (about 29 gas per 112-byte transfer, docs/batches.md) with a margin.
pub const DEVNET_L1_BASE_FEE_SCALAR: u32 = 20_000;
/// The devnet's L1 blob base fee scalar: 1.2 blob gas per byte (a full blob carries
/// 126,976 payload bytes for 131,072 blob gas: 1.03 per byte, plus the 3-byte offset).
pub const DEVNET_L1_BLOB_BASE_FEE_SCALAR: u32 = 1_200_000;

fn default_l1_base_fee_scalar() -> u32 {
    DEVNET_L1_BASE_FEE_SCALAR
}

fn default_l1_blob_base_fee_scalar() -> u32 {
    DEVNET_L1_BLOB_BASE_FEE_SCALAR
}

/// 10,000 ETH, the balance of each prefunded dev account (as on anvil).
pub const DEV_BALANCE: U256 = U256::from_limbs([0x19e0c9bab2400000, 0x21e, 0, 0]);

impl ChainConfig {
    /// The devnet chain: chain id 64023, anvil's ten dev accounts with 10,000 ETH each.
    pub fn devnet() -> Self {
        let mut alloc = BTreeMap::new();
        for (addr, _) in DEV_ACCOUNTS {
            alloc.insert(addr, GenesisAccount { balance: DEV_BALANCE, ..Default::default() });
        }
        Self {
            chain_id: DEFAULT_L2_CHAIN_ID,
            block_gas_limit: 300_000_000,
            genesis_base_fee: 1_000_000_000,
            base_fee_floor: 1_000_000,
            base_fee_change_denominator: 8,
            elasticity_multiplier: 2,
            fee_recipient: Address::repeat_byte(0xfe),
            genesis_timestamp: 0,
            alloc,
            sequencing_window_secs: default_sequencing_window(),
            preinstalls: default_preinstalls(),
            l1_base_fee_scalar: DEVNET_L1_BASE_FEE_SCALAR,
            l1_blob_base_fee_scalar: DEVNET_L1_BLOB_BASE_FEE_SCALAR,
        }
    }

    /// The L1 fee scalars (`docs/chain.md`, "L1 fee").
    pub fn l1_fee_scalars(&self) -> crate::l1fee::L1FeeScalars {
        crate::l1fee::L1FeeScalars { base_fee_scalar: self.l1_base_fee_scalar, blob_base_fee_scalar: self.l1_blob_base_fee_scalar }
    }

    /// The allocation genesis is built from: `alloc` plus the predeploys
    /// ([`crate::predeploys`]) and, unless turned off, the preinstalls
    /// ([`crate::preinstalls`]) at addresses `alloc` does not set itself.
    pub fn genesis_alloc(&self) -> BTreeMap<Address, GenesisAccount> {
        let mut alloc = self.alloc.clone();
        for (address, mut account) in crate::predeploys::predeploys() {
            if address == crate::GAS_PRICE_ORACLE {
                use crate::l1fee::oracle_slots;
                for (slot, v) in [(oracle_slots::BASE_FEE_SCALAR, self.l1_base_fee_scalar), (oracle_slots::BLOB_BASE_FEE_SCALAR, self.l1_blob_base_fee_scalar)]
                {
                    if v != 0 {
                        account.storage.insert(B256::from(U256::from(slot)), B256::from(U256::from(v)));
                    }
                }
            }
            alloc.entry(address).or_insert(account);
        }
        if self.preinstalls {
            for p in crate::preinstalls::preinstalls() {
                alloc.entry(p.address).or_insert_with(|| p.account());
            }
        }
        alloc
    }

    /// Whether an L2 block with timestamp `block_timestamp` must include a deposit made
    /// in an L1 block with timestamp `l1_timestamp` (the sequencing window has passed).
    /// The one forced-inclusion rule the sequencer and derivation both apply.
    pub fn deposit_is_forced(&self, l1_timestamp: u64, block_timestamp: u64) -> bool {
        l1_timestamp.saturating_add(self.sequencing_window_secs) <= block_timestamp
    }

    /// The deposit cursor of an L2 block at `block_timestamp` that would stop at `cursor`,
    /// raised past every deposit from `cursor` on that the window forces in;
    /// `l1_timestamp(i)` is deposit `i`'s L1 block time, `None` where the caller knows no
    /// deposit `i` (the raise stops there). Deposit times never decrease with the index,
    /// so the forced deposits are a prefix. The one forced-inclusion cursor the producer
    /// and derivation both compute (`docs/pipeline.md`, "Derivation rules").
    pub fn forced_cursor(&self, cursor: u64, block_timestamp: u64, l1_timestamp: impl Fn(u64) -> Option<u64>) -> u64 {
        let mut next = cursor;
        while l1_timestamp(next).is_some_and(|t| self.deposit_is_forced(t, block_timestamp)) {
            next += 1;
        }
        next
    }

    /// Checks the values a chain cannot run with.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if self.chain_id == 0 {
            return bad("chain_id must be non-zero");
        }
        if self.block_gas_limit < MIN_BLOCK_GAS_LIMIT {
            return Err(ConfigError::Invalid(format!("block_gas_limit must be at least {MIN_BLOCK_GAS_LIMIT} (the portal's largest deposit gas limit)")));
        }
        if self.base_fee_change_denominator == 0 || self.elasticity_multiplier == 0 {
            return bad("base_fee_change_denominator and elasticity_multiplier must be non-zero");
        }
        if self.block_gas_limit / self.elasticity_multiplier < 21_000 {
            return bad("the gas target (block_gas_limit / elasticity_multiplier) must be at least 21000");
        }
        // The predeploys are part of the protocol (the block-hash history in particular is
        // written by every block and read by the fault VM's BLOCKHASH): alloc cannot
        // replace them.
        if let Some((a, _)) = crate::predeploys::predeploys().into_iter().find(|(a, _)| self.alloc.contains_key(a)) {
            return Err(ConfigError::Invalid(format!("alloc sets the predeploy address {a}")));
        }
        if self.sequencing_window_secs <= MAX_TIMESTAMP_DRIFT_SECS || self.sequencing_window_secs > MAX_SEQUENCING_WINDOW_SECS {
            return Err(ConfigError::Invalid(format!(
                "sequencing_window_secs must be above {MAX_TIMESTAMP_DRIFT_SECS} (the inbox's timestamp drift) and at most {MAX_SEQUENCING_WINDOW_SECS}"
            )));
        }
        if self.fee_recipient.is_zero() {
            return bad("fee_recipient must be non-zero (RollupConfig refuses the zero address)");
        }
        if self.genesis_base_fee < self.base_fee_floor {
            return bad("genesis_base_fee must be at least base_fee_floor");
        }
        // Storage on an account with neither code nor nonce is the one state in which
        // EIP-7610 (a create collides with storage) differs from revm, which checks only
        // nonce and code; no transaction can make it after genesis (docs/fault-vm.md,
        // "EIP-7610"), so genesis may not either.
        if let Some(a) = self.alloc.iter().find(|(_, g)| !g.storage.is_empty() && g.code.is_empty() && g.nonce == 0) {
            return Err(ConfigError::Invalid(format!("genesis account {} has storage but neither code nor nonce", a.0)));
        }
        // Code a transaction can run must be loadable in one fault-proof step, as EIP-170
        // keeps deployed code.
        if let Some(a) = self.alloc.iter().find(|(_, g)| g.code.len() > crate::limits::MAX_CODE_SIZE) {
            return Err(ConfigError::Invalid(format!(
                "genesis account {} has {} bytes of code (at most {})",
                a.0,
                a.1.code.len(),
                crate::limits::MAX_CODE_SIZE
            )));
        }
        Ok(())
    }

    /// The base fee of the block after a parent with these figures (EIP-1559 with the floor).
    pub fn next_base_fee(&self, parent_gas_used: u64, parent_gas_limit: u64, parent_base_fee: u64) -> u64 {
        let params = alloy_eips::eip1559::BaseFeeParams {
            max_change_denominator: self.base_fee_change_denominator as u128,
            elasticity_multiplier: self.elasticity_multiplier as u128,
        };
        let next = alloy_eips::eip1559::calc_next_block_base_fee(parent_gas_used, parent_gas_limit, parent_base_fee, params);
        next.max(self.base_fee_floor)
    }

    /// Parses a TOML chain config and validates it.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let cfg: Self = toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_balance_is_ten_thousand_ether() {
        assert_eq!(DEV_BALANCE, U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18)));
    }

    #[test]
    fn a_deposit_is_forced_exactly_when_the_window_has_passed() {
        let cfg = ChainConfig { sequencing_window_secs: 60, ..ChainConfig::devnet() };
        assert!(!cfg.deposit_is_forced(1_000, 1_059));
        assert!(cfg.deposit_is_forced(1_000, 1_060));
        assert!(cfg.deposit_is_forced(1_000, 5_000));
        // An L1 timestamp near u64::MAX never overflows into "forced".
        assert!(!cfg.deposit_is_forced(u64::MAX - 10, u64::MAX - 1));
    }

    #[test]
    fn the_forced_cursor_is_the_prefix_past_the_window() {
        let cfg = ChainConfig { sequencing_window_secs: 60, ..ChainConfig::devnet() };
        // Deposits 3..7 at L1 times 900, 940, 941, 1000 (index 7 unknown).
        let times = [(3, 900), (4, 940), (5, 941), (6, 1_000)];
        let time = |i: u64| times.iter().find(|(j, _)| *j == i).map(|(_, t)| *t);
        assert_eq!(cfg.forced_cursor(3, 959, time), 3, "none old enough");
        assert_eq!(cfg.forced_cursor(3, 1_000, time), 5, "900 and 940 are forced at 1000, 941 is not");
        assert_eq!(cfg.forced_cursor(5, 1_000, time), 5);
        assert_eq!(cfg.forced_cursor(3, 5_000, time), 7, "stops at the first unknown deposit");
        assert_eq!(cfg.forced_cursor(9, 5_000, time), 9);
    }

    #[test]
    fn devnet_is_valid_and_roundtrips_through_toml() {
        let cfg = ChainConfig::devnet();
        cfg.validate().expect("valid");
        let text = toml::to_string(&cfg).expect("serialize");
        assert_eq!(ChainConfig::from_toml(&text).expect("parse"), cfg);
    }

    #[test]
    fn genesis_holds_the_preinstalls_unless_turned_off_and_alloc_wins() {
        use crate::preinstalls::{preinstalls, MULTICALL3};
        let cfg = ChainConfig::devnet();
        let alloc = cfg.genesis_alloc();
        assert!(preinstalls().iter().all(|p| alloc.get(&p.address) == Some(&p.account())));
        let off = ChainConfig { preinstalls: false, ..ChainConfig::devnet() };
        assert!(preinstalls().iter().all(|p| !off.genesis_alloc().contains_key(&p.address)));
        assert!(off.genesis_alloc().contains_key(&crate::MESSAGE_PASSER), "predeploys stay");
        let mut own = ChainConfig::devnet();
        own.alloc.insert(MULTICALL3, GenesisAccount { balance: U256::from(1), ..Default::default() });
        assert_eq!(own.genesis_alloc()[&MULTICALL3].balance, U256::from(1));
        // A config without the field (every config written before it) preinstalls.
        let text = toml::to_string(&cfg).expect("serialize").replace("preinstalls = true\n", "");
        assert!(ChainConfig::from_toml(&text).expect("parse").preinstalls);
    }

    #[test]
    fn base_fee_follows_eip1559_and_respects_floor() {
        let cfg = ChainConfig::devnet();
        let limit = cfg.block_gas_limit;
        let target = limit / 2;
        assert_eq!(cfg.next_base_fee(target, limit, 1_000_000_000), 1_000_000_000);
        assert_eq!(cfg.next_base_fee(limit, limit, 1_000_000_000), 1_125_000_000);
        assert_eq!(cfg.next_base_fee(0, limit, 1_000_000_000), 875_000_000);
        assert_eq!(cfg.next_base_fee(0, limit, cfg.base_fee_floor), cfg.base_fee_floor);
    }

    #[test]
    fn rejects_bad_values() {
        let mut cfg = ChainConfig::devnet();
        cfg.chain_id = 0;
        assert!(cfg.validate().is_err());
        let mut cfg = ChainConfig::devnet();
        let storage = BTreeMap::from([(B256::with_last_byte(1), B256::with_last_byte(2))]);
        cfg.alloc.insert(Address::repeat_byte(7), GenesisAccount { storage: storage.clone(), ..Default::default() });
        assert!(cfg.validate().is_err(), "storage without code or nonce");
        cfg.alloc.insert(Address::repeat_byte(7), GenesisAccount { storage, nonce: 1, ..Default::default() });
        cfg.validate().expect("storage with a nonce is fine");
        cfg.alloc.insert(Address::repeat_byte(8), GenesisAccount { code: vec![0u8; 24_577].into(), ..Default::default() });
        assert!(cfg.validate().is_err(), "code over 24,576 bytes");
        cfg.alloc.insert(Address::repeat_byte(8), GenesisAccount { code: vec![0u8; 24_576].into(), ..Default::default() });
        cfg.validate().expect("code of 24,576 bytes is fine");
        assert!(ChainConfig::from_toml("chain_id = \"x\"").is_err());
        // The window must exceed the inbox's timestamp drift (RollupConfig refuses it too).
        for (window, ok) in [(30, false), (31, true), (MAX_SEQUENCING_WINDOW_SECS, true), (MAX_SEQUENCING_WINDOW_SECS + 1, false)] {
            let cfg = ChainConfig { sequencing_window_secs: window, ..ChainConfig::devnet() };
            assert_eq!(cfg.validate().is_ok(), ok, "window {window}");
        }
        let cfg = ChainConfig { fee_recipient: Address::ZERO, ..ChainConfig::devnet() };
        assert!(cfg.validate().is_err(), "zero fee recipient");
        let cfg = ChainConfig { block_gas_limit: MIN_BLOCK_GAS_LIMIT - 1, ..ChainConfig::devnet() };
        assert!(cfg.validate().is_err(), "a block cannot hold the largest deposit");
        let cfg = ChainConfig { block_gas_limit: MIN_BLOCK_GAS_LIMIT, elasticity_multiplier: 500, ..ChainConfig::devnet() };
        assert!(cfg.validate().is_err(), "gas target below a transfer");
        let mut cfg = ChainConfig::devnet();
        cfg.alloc.insert(crate::history::HISTORY_STORAGE_ADDRESS, GenesisAccount { balance: U256::from(1), ..Default::default() });
        assert!(cfg.validate().is_err(), "alloc replaces the history contract");
    }
}
