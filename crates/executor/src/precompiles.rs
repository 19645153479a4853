//! The L2's precompiles: Cancun's, at Cancun's prices, within the bounds of
//! `faultline_primitives::limits` (docs/fault-vm.md, "Precompiles and the L2's bounds"):
//! a call with more input than the bound, one that used more gas than the bound, a modexp
//! declaring an operand over 1,024 bytes (EIP-7823), or a modexp the L1 (Osaka, EIP-7883)
//! would price over the gas bound fails as an exceptional halt (all the gas given to it is
//! consumed). The step machine applies the same rule, so the fault proof can replay every
//! precompile call on L1 in one step.

use faultline_primitives::limits::{precompile_refused, ModexpHeader, MODEXP, PRECOMPILE_MAX_GAS, PRECOMPILE_MAX_INPUT};
use revm::{
    context_interface::ContextTr,
    handler::{EthPrecompiles, PrecompileProvider},
    interpreter::{CallInputs, Gas, InstructionResult, InterpreterResult},
    primitives::{hardfork::SpecId, Address, AddressSet, Bytes},
};

/// What the L1's modexp (Osaka: EIP-7883's price) charges for `input`, or `None` if it
/// refuses it for its operand lengths (EIP-7823).
pub fn modexp_l1_gas(input: &[u8]) -> Option<u64> {
    ModexpHeader::of(input).l1_gas(input)
}

/// Cancun's precompiles within the L2's bounds.
#[derive(Debug, Clone)]
pub struct BoundedPrecompiles(EthPrecompiles);

impl BoundedPrecompiles {
    /// The precompiles of `spec`.
    pub fn new(spec: SpecId) -> Self {
        Self(EthPrecompiles::new(spec))
    }
}

fn failed(gas_limit: u64) -> InterpreterResult {
    let mut gas = Gas::new(gas_limit);
    gas.spend_all();
    InterpreterResult::new(InstructionResult::PrecompileError, Bytes::new(), gas)
}

impl<CTX: ContextTr> PrecompileProvider<CTX> for BoundedPrecompiles {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: <CTX::Cfg as revm::context::Cfg>::Spec) -> bool {
        <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.0, spec)
    }

    fn run(&mut self, context: &mut CTX, inputs: &CallInputs) -> Result<Option<InterpreterResult>, String> {
        if !self.0.contains(&inputs.bytecode_address) {
            return Ok(None);
        }
        // Only a modexp's bound reads its input (its header); the others check its length.
        let refuse =
            inputs.input.len() > PRECOMPILE_MAX_INPUT || (inputs.bytecode_address == MODEXP && precompile_refused(&MODEXP, &inputs.input.as_bytes(context)));
        if refuse {
            return Ok(Some(failed(inputs.gas_limit)));
        }
        match <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.0, context, inputs)? {
            Some(r) if r.gas.total_gas_spent() > PRECOMPILE_MAX_GAS => Ok(Some(failed(inputs.gas_limit))),
            other => Ok(other),
        }
    }

    fn warm_addresses(&self) -> &AddressSet {
        self.0.warm_addresses()
    }

    fn contains(&self, address: &Address) -> bool {
        self.0.contains(address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{execute_block, genesis, BlockInputs};
    use alloy_consensus::TxEnvelope;
    use alloy_eips::eip2718::Decodable2718;
    use alloy_primitives::{TxKind, U256};
    use faultline_primitives::{
        dev::{sign_eip1559, DEV_ACCOUNTS},
        limits::MODEXP_MAX_OPERAND,
        ChainConfig,
    };

    /// A modexp input declaring `lens` (base, exponent, modulus) with every operand byte
    /// `fill`.
    fn modexp_input(lens: [usize; 3], fill: u8) -> Vec<u8> {
        let mut v: Vec<u8> = lens.iter().flat_map(|l| U256::from(*l).to_be_bytes::<32>()).collect();
        v.extend(std::iter::repeat_n(fill, lens.iter().sum()));
        v
    }

    /// The L1 price the bound checks is what revm's Osaka modexp charges.
    #[test]
    fn modexp_l1_gas_is_the_osaka_price() {
        for (lens, fill) in [([1, 1, 1], 3u8), ([32, 32, 32], 0xff), ([64, 100, 64], 0x7f), ([1024, 3, 1024], 1), ([0, 1024, 0], 0xff), ([0, 0, 0], 0)] {
            let input = modexp_input(lens, fill);
            let osaka = revm::precompile::modexp::osaka_run(&input, u64::MAX).expect("runs").gas_used;
            assert_eq!(modexp_l1_gas(&input), Some(osaka), "{lens:?}");
        }
        assert_eq!(modexp_l1_gas(&modexp_input([1025, 1, 1], 1)), None);
        // Under the L2's gas bound at Cancun's price, about 11.5 times it at Osaka's
        // (docs/fault-vm.md, "Precompiles and the L2's bounds").
        let input = modexp_input([256, 366, 256], 0xff);
        assert_eq!(revm::precompile::modexp::berlin_run(&input, u64::MAX).unwrap().gas_used, 999_082);
        assert_eq!(modexp_l1_gas(&input), Some(11_466_752));
        assert!(precompile_refused(&MODEXP, &input));
    }

    /// Modexp calls through a real block: operands of 1,024 bytes run, 1,025 fail (the
    /// frame halts, all its gas consumed), and so does a call the L1 would price over the
    /// gas bound although Cancun's price is far under it.
    #[test]
    fn modexp_operands_over_1024_bytes_fail_in_a_block() {
        let config = ChainConfig::devnet();
        let dir = tempfile::tempdir().unwrap();
        let store = faultline_state::Store::open(&dir.path().join("db")).unwrap();
        genesis::init_genesis(&store, &config).unwrap();
        let inputs = BlockInputs { number: 1, ..genesis::genesis_inputs(&config) };
        let signer = alloy::signers::local::PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).unwrap();
        let m = MODEXP_MAX_OPERAND;
        // 1,024-byte base and modulus with a 32-byte exponent of 40 bits: Cancun (EIP-2565)
        // 16,384 × 39 / 3 = 212,992 gas; Osaka (EIP-7883) 2 × 16,384 × 39 = 1,277,952.
        let mut over_l1 = modexp_input([m, 32, m], 1);
        over_l1[96 + m..96 + m + 32].copy_from_slice(&(U256::from(1u64) << 39usize).to_be_bytes::<32>());
        let cancun = revm::precompile::modexp::berlin_run(&over_l1, u64::MAX).unwrap().gas_used;
        assert!(cancun < 300_000 && modexp_l1_gas(&over_l1).unwrap() > PRECOMPILE_MAX_GAS, "{cancun}");
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (modexp_input([m, 1, 1], 3), true),
            (modexp_input([1, m, 1], 3), true),
            (modexp_input([1, 1, m], 3), true),
            (modexp_input([m + 1, 1, 1], 3), false),
            (modexp_input([1, m + 1, 1], 3), false),
            (modexp_input([1, 1, m + 1], 3), false),
            (over_l1, false),
        ];
        let gas = 2_000_000;
        let txs: Vec<(Address, TxEnvelope)> = cases
            .iter()
            .enumerate()
            .map(|(nonce, (data, _))| {
                let raw = sign_eip1559(&signer, config.chain_id, nonce as u64, TxKind::Call(MODEXP), U256::ZERO, data.clone().into(), gas);
                (signer.address(), TxEnvelope::decode_2718_exact(&raw).unwrap())
            })
            .collect();
        let out = execute_block(&config, &inputs, store.latest(), &[], txs).unwrap();
        assert_eq!(out.included.len(), cases.len(), "{:?}", out.skipped);
        for (i, (tx, (_, ok))) in out.included.iter().zip(&cases).enumerate() {
            assert_eq!(tx.receipt.status(), *ok, "case {i}");
            if !ok {
                assert_eq!(tx.gas_used, gas, "case {i}: a failed precompile call consumes its gas");
            }
        }
    }
}
