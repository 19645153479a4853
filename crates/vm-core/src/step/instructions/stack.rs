//! Stack opcodes: POP, PUSH0 through PUSH32, DUP1 through DUP16, SWAP1 through SWAP16.

use crate::{
    gas::{G_BASE, G_VERYLOW},
    machine::{Frame, Halt, Machine},
    opcode::*,
    step::{halt, pop, push, use_gas, Ev, STACK_LIMIT},
};
use alloy_primitives::U256;

impl Machine {
    /// One stack opcode; `pc` is the opcode's (PUSH reads the bytes after it).
    pub(super) fn stack_op(&mut self, f: &mut Frame, op: u8, pc: u64) -> Ev<()> {
        match op {
            POP => {
                use_gas(f, G_BASE)?;
                pop(f)?;
            }
            PUSH0..=PUSH32 => {
                use_gas(f, if op == PUSH0 { G_BASE } else { G_VERYLOW })?;
                let n = (op - PUSH0) as u64;
                let data = self.code_bytes(f, pc + 1, n)?;
                let mut buf = [0u8; 32];
                buf[32 - n as usize..].copy_from_slice(&data);
                push(f, U256::from_be_bytes(buf))?;
                f.pc += n;
            }
            DUP1..=DUP16 => {
                use_gas(f, G_VERYLOW)?;
                let n = (op - DUP1 + 1) as u64;
                if f.stack.len() < n {
                    return halt(Halt::StackUnderflow);
                }
                if f.stack.len() >= STACK_LIMIT {
                    return halt(Halt::StackOverflow);
                }
                let mut taken = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    taken.push(f.stack.pop()?);
                }
                let v = taken[n as usize - 1];
                for x in taken.into_iter().rev() {
                    f.stack.push(x);
                }
                f.stack.push(v);
            }
            SWAP1..=SWAP16 => {
                use_gas(f, G_VERYLOW)?;
                let n = (op - SWAP1 + 1) as u64;
                if f.stack.len() < n + 1 {
                    return halt(Halt::StackUnderflow);
                }
                let mut taken = Vec::with_capacity(n as usize + 1);
                for _ in 0..=n {
                    taken.push(f.stack.pop()?);
                }
                taken.swap(0, n as usize);
                for x in taken.into_iter().rev() {
                    f.stack.push(x);
                }
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
