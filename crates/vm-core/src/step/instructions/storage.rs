//! Storage opcodes: SLOAD and SSTORE (EIP-2929 access costs, EIP-2200/3529 metering and
//! refunds), TLOAD and TSTORE (EIP-1153, in the substate).

use crate::{
    gas::{COLD_SLOAD, G_SSTORE_RESET, G_SSTORE_SET, G_WARM_ACCESS, R_SSTORE_CLEARS, SSTORE_SENTRY},
    io::tags,
    machine::{Frame, Halt, Machine, SlotRef, Undo},
    opcode::*,
    step::{halt, pop, push, use_gas, Ev},
};
use alloy_primitives::{B256, U256};

impl Machine {
    /// One storage opcode.
    pub(super) fn storage(&mut self, f: &mut Frame, op: u8) -> Ev<()> {
        match op {
            SLOAD => {
                let slot = pop(f)?;
                let (cold, v) = self.warm_slot(f.address, slot, true)?;
                use_gas(f, if cold { COLD_SLOAD } else { G_WARM_ACCESS })?;
                push(f, v)?;
            }
            SSTORE => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                if f.gas <= SSTORE_SENTRY {
                    return halt(Halt::OutOfGas);
                }
                let slot = pop(f)?;
                let new = pop(f)?;
                let a = f.address;
                let (cold, current) = self.warm_slot(a, slot, true)?;
                let mut cost = if cold { COLD_SLOAD } else { 0 };
                let original = if cold { current } else { U256::from_be_bytes(self.sub_get(tags::ORIGINAL, &a, Some(&slot))?.0) };
                let mut refund: i64 = 0;
                if current == new {
                    cost += G_WARM_ACCESS;
                } else if original == current {
                    if original.is_zero() {
                        cost += G_SSTORE_SET;
                    } else {
                        cost += G_SSTORE_RESET;
                        if new.is_zero() {
                            refund += R_SSTORE_CLEARS;
                        }
                    }
                } else {
                    cost += G_WARM_ACCESS;
                    if !original.is_zero() {
                        if current.is_zero() {
                            refund -= R_SSTORE_CLEARS;
                        } else if new.is_zero() {
                            refund += R_SSTORE_CLEARS;
                        }
                    }
                    if original == new {
                        let back = if original.is_zero() { G_SSTORE_SET - G_WARM_ACCESS } else { G_SSTORE_RESET - G_WARM_ACCESS };
                        refund += back as i64;
                    }
                }
                use_gas(f, cost)?;
                f.refund += refund;
                if current != new {
                    self.journal.push(Undo::Storage(a, slot, current));
                    self.io.put_storage(&mut self.world, &a, &slot, new)?;
                    if self.created(&a)? {
                        self.created_slots.push(SlotRef(a, slot));
                    }
                }
            }
            TLOAD => {
                use_gas(f, G_WARM_ACCESS)?;
                let slot = pop(f)?;
                let v = self.sub_get(tags::TRANSIENT, &f.address, Some(&slot))?;
                push(f, U256::from_be_bytes(v.0))?;
            }
            TSTORE => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                use_gas(f, G_WARM_ACCESS)?;
                let slot = pop(f)?;
                let v = pop(f)?;
                let a = f.address;
                let old = self.sub_get(tags::TRANSIENT, &a, Some(&slot))?;
                self.sub_set(tags::TRANSIENT, &a, Some(&slot), B256::from(v))?;
                self.journal.push(Undo::Transient(a, slot, U256::from_be_bytes(old.0)));
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
