//! Memory opcodes: MLOAD, MSTORE, MSTORE8, MSIZE and MCOPY (long copies continue in
//! micro-steps, `step::micro`).

use crate::{
    gas::{G_BASE, G_COPY, G_VERYLOW},
    machine::{Frame, Halt, Machine, Source},
    opcode::*,
    step::{expand, halt, pop, push, use_gas, words, Ev},
};
use alloy_primitives::U256;

impl Machine {
    /// One memory opcode.
    pub(super) fn memory(&mut self, f: &mut Frame, op: u8) -> Ev<()> {
        match op {
            MLOAD => {
                use_gas(f, G_VERYLOW)?;
                let off = pop(f)?;
                let (o, _) = expand(f, off, U256::from(32))?;
                let v = self.io.read(&f.memory, o, 32)?;
                push(f, U256::from_be_slice(&v))?;
            }
            MSTORE | MSTORE8 => {
                use_gas(f, G_VERYLOW)?;
                let off = pop(f)?;
                let v = pop(f)?;
                if op == MSTORE {
                    let (o, _) = expand(f, off, U256::from(32))?;
                    self.io.write(&mut f.memory, o, &v.to_be_bytes::<32>())?;
                } else {
                    let (o, _) = expand(f, off, U256::from(1))?;
                    self.io.write(&mut f.memory, o, &[v.byte(0)])?;
                }
            }
            MSIZE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(f.memory_len))?;
            }
            MCOPY => {
                let dst = pop(f)?;
                let src = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, G_VERYLOW.saturating_add(G_COPY.saturating_mul(words(len))))?;
                if !size.is_zero() {
                    // Expand for the larger end; the cost depends only on the final size.
                    let (s, _) = expand(f, src, size)?;
                    let (d, n) = expand(f, dst, size)?;
                    self.copy(f, Source::Memory, s, d, n)?;
                }
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
