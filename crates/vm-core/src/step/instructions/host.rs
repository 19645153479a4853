//! Opcodes acting on the transaction's host state beyond storage: LOG0 through LOG4
//! (the data hashed in micro-steps when long) and SELFDESTRUCT (EIP-6780).

use crate::{
    gas::{COLD_ACCOUNT_ACCESS, G_LOG, G_LOG_DATA, G_LOG_TOPIC, G_NEW_ACCOUNT, G_SELFDESTRUCT},
    io::{tags, ONE},
    machine::{AfterHash, Frame, Halt, Machine, Slice, Status, Undo},
    opcode::*,
    step::{addr_of, expand, halt, pop, use_gas, Ev},
};
use alloy_primitives::{B256, U256};

impl Machine {
    /// One LOG or SELFDESTRUCT.
    pub(super) fn host(&mut self, f: &mut Frame, op: u8) -> Ev<()> {
        match op {
            LOG0..=LOG4 => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                let off = pop(f)?;
                let size = pop(f)?;
                let n = (op - LOG0) as usize;
                let mut topics = Vec::with_capacity(n);
                for _ in 0..n {
                    topics.push(B256::from(pop(f)?.to_be_bytes::<32>()));
                }
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, (G_LOG + G_LOG_TOPIC * n as u64).saturating_add(G_LOG_DATA.saturating_mul(len)))?;
                let (o, l) = expand(f, off, size)?;
                self.hash_memory(f, o, l, AfterHash::Log { topics })?;
            }
            SELFDESTRUCT => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                let to = addr_of(pop(f)?);
                let mut cost = G_SELFDESTRUCT;
                if self.warm_address(to, true)? {
                    cost += COLD_ACCOUNT_ACCESS;
                }
                let me = f.address;
                let bal = self.balance(me)?;
                if !bal.is_zero() && self.is_empty(to)? {
                    cost += G_NEW_ACCOUNT;
                }
                use_gas(f, cost)?;
                if !bal.is_zero() && to != me {
                    self.modify(me, |r| r.balance = U256::ZERO)?;
                    self.modify(to, |r| r.balance += bal)?;
                }
                if self.created(&me)? {
                    // EIP-6780: created in this transaction, so it goes; sending to itself
                    // burns the balance at once (later calls see zero).
                    if self.balance(me)? != U256::ZERO {
                        self.modify(me, |r| r.balance = U256::ZERO)?;
                    }
                    if self.sub_get(tags::DESTRUCTED, &me, None)? == B256::ZERO {
                        self.sub_set(tags::DESTRUCTED, &me, None, ONE)?;
                        self.destructed.push(me);
                        self.journal.push(Undo::MarkedDestructed(me));
                    }
                }
                f.status = Status::Success(Slice::default());
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
