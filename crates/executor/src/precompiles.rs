//! The L2's precompiles: Cancun's, within the bounds of `faultline_primitives::limits`
//! (docs/fault-vm.md, "Precompiles"): a call with more input than the bound, or one that
//! used more gas than the bound, fails as an exceptional halt (all the gas given to it is
//! consumed). The step machine applies the same rule, so the fault proof can replay every
//! precompile call on L1 in one step.

use faultline_primitives::limits::{PRECOMPILE_MAX_GAS, PRECOMPILE_MAX_INPUT};
use revm::{
    context_interface::ContextTr,
    handler::{EthPrecompiles, PrecompileProvider},
    interpreter::{CallInputs, Gas, InstructionResult, InterpreterResult},
    primitives::{hardfork::SpecId, Address, AddressSet, Bytes},
};

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
        if inputs.input.len() > PRECOMPILE_MAX_INPUT {
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
