//! Control flow: STOP, JUMP, JUMPI, PC, JUMPDEST, RETURN and REVERT (a create frame's
//! RETURN deposits its code, `contract`).

use crate::error::StepError;
use crate::{
    gas::{G_BASE, G_HIGH, G_JUMPDEST, G_MID},
    machine::{Frame, FrameKind, Halt, Machine, Slice, Status},
    opcode::*,
    step::{expand, halt, pop, push, use_gas, Ev},
};
use alloy_primitives::U256;

impl Machine {
    /// One control-flow opcode; `pc` is the opcode's.
    pub(super) fn control(&mut self, f: &mut Frame, op: u8, pc: u64) -> Ev<()> {
        match op {
            STOP => {
                f.status = Status::Success(Slice::default());
            }
            JUMP | JUMPI => {
                use_gas(f, if op == JUMP { G_MID } else { G_HIGH })?;
                let dest = pop(f)?;
                let jump = if op == JUMPI { !pop(f)?.is_zero() } else { true };
                if jump {
                    let Ok(d) = u64::try_from(dest) else { return halt(Halt::BadJump) };
                    if d >= f.code.len {
                        return halt(Halt::BadJump);
                    }
                    let c = crate::code::CHUNK as u64;
                    let chunks = f.code.chunks.as_ref().ok_or(StepError::Inconsistent("code not loaded"))?;
                    let chunk = self.io.words(chunks, d / c, 1)?[0];
                    if !crate::code::is_jumpdest(&chunk, (d % c) as usize) {
                        return halt(Halt::BadJump);
                    }
                    f.pc = d;
                }
            }
            PC => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(pc))?;
            }
            JUMPDEST => use_gas(f, G_JUMPDEST)?,
            RETURN | REVERT => {
                let off = pop(f)?;
                let size = pop(f)?;
                let (o, n) = expand(f, off, size)?;
                if op == RETURN && f.kind == FrameKind::Create {
                    self.deposit_code(f, o, n)?;
                } else {
                    let out = Slice { tree: f.memory.clone(), offset: o, len: n };
                    f.status = if op == RETURN { Status::Success(out) } else { Status::Revert(out) };
                }
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
