//! One opcode of the running frame, dispatched by family as revm's `instructions/`:
//! `arithmetic`, `bitwise` (comparison and bitwise), `system` (the frame's and the
//! transaction's environment, KECCAK256, the EXTCODE* reads), `block_info`, `stack`,
//! `memory`, `storage` (persistent and transient), `control`, `host` (logs and
//! SELFDESTRUCT) and `contract` (calls and creates). Each family owns the gas and the
//! accesses of its opcodes; the order of those accesses is normative (docs/fault-vm.md,
//! "Step kinds").

mod arithmetic;
mod bitwise;
mod block_info;
mod contract;
mod control;
mod host;
mod memory;
mod stack;
mod storage;
mod system;

use super::{halt, Child, Ev};
use crate::{
    machine::{Frame, Halt, Machine},
    opcode::*,
};

impl Machine {
    /// One opcode on frame `f` (at depth `depth`, outermost = 1).
    pub(in crate::step) fn exec(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        let pc = f.pc;
        f.pc += 1;
        match op {
            ADD..=SIGNEXTEND => arithmetic::arithmetic(f, op)?,
            LT..=SAR => bitwise::bitwise(f, op)?,
            KECCAK256 | ADDRESS..=EXTCODEHASH | GAS => self.system(f, op)?,
            BLOCKHASH..=BLOBBASEFEE => self.block_info(f, op)?,
            POP | PUSH0..=PUSH32 | DUP1..=DUP16 | SWAP1..=SWAP16 => self.stack_op(f, op, pc)?,
            MLOAD | MSTORE | MSTORE8 | MSIZE | MCOPY => self.memory(f, op)?,
            SLOAD | SSTORE | TLOAD | TSTORE => self.storage(f, op)?,
            STOP | JUMP | JUMPI | PC | JUMPDEST | RETURN | REVERT => self.control(f, op, pc)?,
            LOG0..=LOG4 | SELFDESTRUCT => self.host(f, op)?,
            CREATE | CREATE2 => return self.create(f, op, depth),
            CALL | CALLCODE | DELEGATECALL | STATICCALL => return self.call(f, op, depth),
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(None)
    }
}
