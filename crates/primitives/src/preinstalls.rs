//! Preinstalls: contracts that wallets, libraries and deployment tools expect at the same
//! address on every EVM chain, present in every faultline genesis unless the chain config
//! turns them off (`preinstalls = false`; `docs/chain.md`, "Preinstalls").
//!
//! Their accounts (code, nonce, storage) come from published artifacts of registry
//! packages, each constructed at its address by running its creation code in revm; the
//! result is committed as `crates/primitives/artifacts/preinstalls.json`. The test
//! `crates/executor/tests/preinstalls.rs` rebuilds that file from the pinned packages and
//! fails when it drifts (`FAULTLINE_WRITE_ARTIFACTS=1` rewrites it); no bytecode here is
//! typed in by hand.

use crate::config::GenesisAccount;
use alloy_primitives::{address, Address, Bytes, B256};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, sync::LazyLock};

/// Multicall3 (viem's and ethers' call batching).
pub const MULTICALL3: Address = address!("cA11bde05977b3631167028862bE2a173976CA11");
/// The deterministic deployment proxy (Arachnid's CREATE2 factory; `forge script`'s
/// `new C{salt: s}()`).
pub const DETERMINISTIC_DEPLOYMENT_PROXY: Address = address!("4e59b44847b379578588920cA78FbF26c0B4956C");
/// Safe's singleton factory (the same CREATE2 proxy, deployed by Safe's key).
pub const SAFE_SINGLETON_FACTORY: Address = address!("914d7Fec6aaC8cd542e72Bca78B30650d45643d7");
/// The ERC-4337 EntryPoint v0.8.
pub const ENTRY_POINT_V08: Address = address!("4337084D9E255Ff0702461CF8895CE9E3b5Ff108");

/// One preinstalled account, as committed in `artifacts/preinstalls.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preinstall {
    /// What it is (for people and `docs/chain.md`).
    pub name: String,
    /// Its address.
    pub address: Address,
    /// The registry package and file its creation code was taken from.
    pub source: String,
    /// Nonce after construction.
    pub nonce: u64,
    /// Runtime code after construction.
    pub code: Bytes,
    /// Non-zero storage after construction.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage: BTreeMap<B256, B256>,
}

impl Preinstall {
    /// The genesis account of this preinstall (no balance).
    pub fn account(&self) -> GenesisAccount {
        GenesisAccount { balance: Default::default(), nonce: self.nonce, code: self.code.clone(), storage: self.storage.clone() }
    }
}

/// The committed preinstall artifact, as text.
pub const PREINSTALLS_JSON: &str = include_str!("../artifacts/preinstalls.json");

static PREINSTALLS: LazyLock<Vec<Preinstall>> = LazyLock::new(|| {
    // The artifact is part of this crate's source, checked by the unit test below and
    // rebuilt by crates/executor/tests/preinstalls.rs: it cannot fail at run time.
    serde_json::from_str(PREINSTALLS_JSON).expect("crates/primitives/artifacts/preinstalls.json parses")
});

/// Every preinstalled account, in address order.
pub fn preinstalls() -> &'static [Preinstall] {
    &PREINSTALLS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_artifact_holds_the_named_preinstalls() {
        let all = preinstalls();
        for a in [MULTICALL3, DETERMINISTIC_DEPLOYMENT_PROXY, SAFE_SINGLETON_FACTORY, ENTRY_POINT_V08] {
            let p = all.iter().find(|p| p.address == a).unwrap_or_else(|| panic!("{a} preinstalled"));
            assert!(!p.code.is_empty() && p.code.len() <= crate::limits::MAX_CODE_SIZE, "{}: {} bytes", p.name, p.code.len());
        }
        assert!(all.windows(2).all(|w| w[0].address < w[1].address), "address order, no duplicates");
    }
}
