//! Precompile calls within the L2's bounds (docs/fault-vm.md, "Precompiles and the
//! L2's bounds"): the step of a precompile frame, revm's Cancun implementation, and what
//! the L1 precompile at the same address charges the verifier.

use super::{PRECOMPILE_MAX_GAS, PRECOMPILE_MAX_INPUT};
use crate::{
    error::StepError,
    machine::{Frame, Halt, Machine, Slice, Status},
    meter::Meter,
};
use alloy_primitives::{Address, Bytes};

impl Machine {
    /// Runs the precompile at `f.code_address` on the frame's call data, within the L2's
    /// bounds on input, gas and modexp operands (docs/fault-vm.md, "Precompiles and the
    /// L2's bounds"). The meter counts what the L1 precompile at the same address charges
    /// the verifier: its Osaka price on success, the gas given to it on a failure it runs
    /// (nothing for a call the bounds refuse, which the verifier decides from the input).
    pub(super) fn run_precompile(&mut self, f: &mut Frame) -> Result<(), StepError> {
        if f.calldata.len as usize > PRECOMPILE_MAX_INPUT {
            self.io.meter.hit_bound(f.code_address.as_slice()[19]);
            f.status = Status::Halt(Halt::PrecompileFailed);
            return Ok(());
        }
        let input = self.read_slice(&f.calldata.clone(), 0, f.calldata.len)?;
        match run_precompile(&f.code_address, &input, f.gas, &mut self.io.meter) {
            Some((gas_used, out)) => {
                self.io.meter.precompile(l1_precompile_gas(&f.code_address, &input, gas_used));
                f.gas -= gas_used;
                f.status = Status::Success(Slice { tree: self.io.new_tree(&out), offset: 0, len: out.len() as u64 });
            }
            None => {
                if !faultline_primitives::limits::precompile_refused(&f.code_address, &input) {
                    self.io.meter.precompile(f.gas.min(PRECOMPILE_MAX_GAS));
                }
                f.status = Status::Halt(Halt::PrecompileFailed)
            }
        }
        Ok(())
    }
}

/// Runs the Cancun precompile at `address` on `input` with `gas`, within the L2's
/// bounds: `Some((gas used, output))` on success, `None` on any failure (out of gas,
/// bad input, over [`PRECOMPILE_MAX_INPUT`] bytes of input or [`PRECOMPILE_MAX_GAS`]
/// gas, a modexp operand over [`MODEXP_MAX_OPERAND`](super::MODEXP_MAX_OPERAND) bytes (EIP-7823) or a modexp the L1
/// prices over [`PRECOMPILE_MAX_GAS`]: `faultline_primitives::limits::precompile_refused`).
/// The gas used is Cancun's price. revm's implementation here; the L1 verifier calls the
/// L1 precompile at the same address, which charges [`l1_precompile_gas`]. `m` records a
/// call the bounds made fail ([`Meter::hit_bound`]).
pub fn run_precompile(address: &Address, input: &[u8], gas: u64, m: &mut Meter) -> Option<(u64, Bytes)> {
    let p = revm::precompile::Precompiles::cancun().get(address)?;
    let unbounded = |g: u64| matches!(p.execute(input, g, 0), Ok(out) if out.status.is_success() && out.gas_used <= g);
    let id = address.as_slice()[19];
    if faultline_primitives::limits::precompile_refused(address, input) {
        if unbounded(gas) {
            m.hit_bound(id);
        }
        return None;
    }
    let limit = gas.min(PRECOMPILE_MAX_GAS);
    match p.execute(input, limit, 0) {
        Ok(out) if out.status.is_success() && out.gas_used <= limit => Some((out.gas_used, out.bytes)),
        _ => {
            if limit < gas && unbounded(gas) {
                m.hit_bound(id);
            }
            None
        }
    }
}

/// What the L1 precompile at `address` (Osaka's rules) charges for a call the L2 ran on
/// `input` for `l2_gas`: modexp's EIP-7883 price; for every other Cancun precompile the
/// same as the L2.
pub fn l1_precompile_gas(address: &Address, input: &[u8], l2_gas: u64) -> u64 {
    if *address == faultline_primitives::limits::MODEXP {
        faultline_primitives::limits::ModexpHeader::of(input).l1_gas(input).unwrap_or(l2_gas)
    } else {
        l2_gas
    }
}
