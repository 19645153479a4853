//! The environment of the frame and the transaction: KECCAK256, ADDRESS through
//! EXTCODEHASH (0x30..=0x3f: BALANCE, CALLER, CALLDATA*, CODE*, GASPRICE, EXTCODE*,
//! RETURNDATA*) and GAS.

use crate::{
    gas::{G_BASE, G_COPY, G_KECCAK256, G_KECCAK256_WORD, G_VERYLOW},
    machine::{AfterHash, Frame, Halt, Machine, Pending, Slice, Source},
    opcode::*,
    step::{addr_of, expand, halt, pop, push, use_gas, word_of, words, Ev, CHUNK},
};
use alloy_primitives::{KECCAK256_EMPTY, U256};

impl Machine {
    /// One environment opcode.
    pub(super) fn system(&mut self, f: &mut Frame, op: u8) -> Ev<()> {
        match op {
            KECCAK256 => {
                let off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, G_KECCAK256.saturating_add(G_KECCAK256_WORD.saturating_mul(words(len))))?;
                let (o, n) = expand(f, off, size)?;
                self.hash_memory(f, o, n, AfterHash::Push)?;
            }
            ADDRESS => {
                use_gas(f, G_BASE)?;
                push(f, word_of(f.address))?;
            }
            BALANCE | EXTCODESIZE | EXTCODEHASH => {
                let a = addr_of(pop(f)?);
                let cost = self.access_cost(a)?;
                use_gas(f, cost)?;
                let rec = self.account(a)?;
                let v = match op {
                    BALANCE => rec.map(|r| r.balance).unwrap_or_default(),
                    EXTCODESIZE => U256::from(rec.map(|r| r.code_size).unwrap_or_default()),
                    _ => rec.map(|r| U256::from_be_bytes(r.code_hash.0)).unwrap_or_default(),
                };
                push(f, v)?;
            }
            ORIGIN => {
                use_gas(f, G_BASE)?;
                push(f, word_of(self.tx()?.sender))?;
            }
            CALLER => {
                use_gas(f, G_BASE)?;
                push(f, word_of(f.caller))?;
            }
            CALLVALUE => {
                use_gas(f, G_BASE)?;
                push(f, f.value)?;
            }
            CALLDATALOAD => {
                use_gas(f, G_VERYLOW)?;
                let off = pop(f)?;
                let w = match u64::try_from(off) {
                    Ok(o) => self.read_slice(&f.calldata.clone(), o, 32)?,
                    Err(_) => vec![0u8; 32],
                };
                push(f, U256::from_be_slice(&w))?;
            }
            CALLDATASIZE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(f.calldata.len))?;
            }
            CALLDATACOPY | CODECOPY | RETURNDATACOPY => {
                let mem_off = pop(f)?;
                let data_off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, G_VERYLOW.saturating_add(G_COPY.saturating_mul(words(len))))?;
                if op == RETURNDATACOPY {
                    let end = data_off.checked_add(size);
                    if end.is_none_or(|e| e > U256::from(f.returndata.len)) {
                        return halt(Halt::ReturnDataOutOfBounds);
                    }
                }
                let (o, n) = expand(f, mem_off, size)?;
                if n > 0 {
                    let src = match op {
                        CALLDATACOPY => Source::Calldata,
                        CODECOPY => Source::Code,
                        _ => Source::Returndata,
                    };
                    // Past the end of the source reads zeros: an offset beyond u64 is past it.
                    let from = u64::try_from(data_off).unwrap_or(u64::MAX).min(u64::MAX - n);
                    self.copy(f, src, from, o, n)?;
                }
            }
            CODESIZE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(f.code.len))?;
            }
            GASPRICE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.effective_gas_price()))?;
            }
            EXTCODECOPY => {
                let a = addr_of(pop(f)?);
                let mem_off = pop(f)?;
                let code_off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                let cost = self.access_cost(a)?;
                use_gas(f, cost.saturating_add(G_COPY.saturating_mul(words(len))))?;
                let (o, n) = expand(f, mem_off, size)?;
                if n > 0 {
                    let rec = self.account(a)?;
                    let (hash, clen) = rec.map_or((KECCAK256_EMPTY, 0), |r| (r.code_hash, r.code_size));
                    let from = u64::try_from(code_off).unwrap_or(u64::MAX).min(u64::MAX - n);
                    if n <= CHUNK || clen == 0 {
                        self.copy(f, Source::ExtCode { hash, len: clen }, from, o, n)?;
                    } else {
                        // Longer than a step copies: the code comes once, in this step,
                        // into a word tree the copy's micro-steps read from.
                        let world = &self.world;
                        let code = self.io.code(hash, clen, || world.full().map_or(Ok(None), |w| w.code(&hash)))?;
                        let view = Slice { tree: self.io.new_tree(&code), offset: 0, len: clen };
                        f.pending = Some(Pending::CopyView { view, from, to: o, left: n });
                    }
                }
            }
            RETURNDATASIZE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(f.returndata.len))?;
            }
            GAS => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(f.gas))?;
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
