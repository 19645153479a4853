//! L2 predeploys: contracts present in every faultline genesis.
//!
//! Their runtime code comes from the Foundry build of `contracts/src/L2`, committed as
//! `crates/primitives/artifacts/*.json` (ABI and bytecode only). The test
//! `artifacts_match_forge_build` in `crates/l1` fails when a committed artifact drifts
//! from `forge build`, and `FAULTLINE_WRITE_ARTIFACTS=1` rewrites them.

use crate::{config::GenesisAccount, GAS_PRICE_ORACLE, MESSAGE_PASSER};
use alloy_primitives::{Address, Bytes};

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    L2ToL1MessagePasser,
    "artifacts/L2ToL1MessagePasser.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    GasPriceOracle,
    "artifacts/GasPriceOracle.json"
);

/// Every predeploy: address and genesis account (code, nonce 1, empty storage; the
/// chain config adds the gas price oracle's scalars, `ChainConfig::genesis_alloc`): the
/// message passer, the gas price oracle, and the block-hash history of EIP-2935.
pub fn predeploys() -> Vec<(Address, GenesisAccount)> {
    vec![
        (MESSAGE_PASSER, GenesisAccount { nonce: 1, code: Bytes::from_static(&L2ToL1MessagePasser::DEPLOYED_BYTECODE), ..Default::default() }),
        (GAS_PRICE_ORACLE, GenesisAccount { nonce: 1, code: Bytes::from_static(&GasPriceOracle::DEPLOYED_BYTECODE), ..Default::default() }),
        // EIP-2935's bytecode, from alloy (the EIP's own text); the executor and the fault
        // VM write its slots directly (crate::history).
        (crate::history::HISTORY_STORAGE_ADDRESS, GenesisAccount { nonce: 1, code: crate::history::HISTORY_STORAGE_CODE.clone(), ..Default::default() }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_passer_code_is_present() {
        let p = predeploys();
        assert_eq!(p[0].0, MESSAGE_PASSER);
        assert!(p[0].1.code.len() > 100, "runtime code embedded");
        assert_eq!(p[1].0, GAS_PRICE_ORACLE);
        assert!(p[1].1.code.len() > 100, "runtime code embedded");
    }
}
