//! Calls and creates: CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE and CREATE2
//! (EIP-150's 63/64, EIP-2929 access, EIP-3860 init code), the child frame they start,
//! and the code a create frame deposits.

use crate::{
    error::StepError,
    gas::{CALL_GAS_RETAINED_DIVISOR, CALL_STIPEND, G_CALL_VALUE, G_CODE_DEPOSIT, G_CREATE, G_INITCODE_WORD, G_KECCAK256_WORD, G_NEW_ACCOUNT},
    machine::{AfterHash, Frame, FrameCode, FrameKind, Halt, Machine, Slice, Status, Tree},
    opcode::*,
    step::{addr_of, call_code, expand, halt, new_frame, pop, push, use_gas, words, Child, Ev, MAX_CODE_SIZE, MAX_DEPTH, MAX_INITCODE_SIZE},
};
use alloy_primitives::{Address, Bytes, B256, KECCAK256_EMPTY, U256};

impl Machine {
    /// Deposits a successful create's returned code, or halts the frame.
    pub(super) fn deposit_code(&mut self, f: &mut Frame, off: u64, len: u64) -> Ev<()> {
        if len > MAX_CODE_SIZE as u64 {
            return halt(Halt::CodeTooLarge);
        }
        let code = self.io.read(&f.memory, off, len as usize)?;
        if code.first() == Some(&0xef) {
            return halt(Halt::CodeStartsWithEf);
        }
        use_gas(f, G_CODE_DEPOSIT * len)?;
        let hash = if code.is_empty() { KECCAK256_EMPTY } else { self.io.meter.keccak(&code) };
        if let crate::world::World::Full(w) = &mut self.world {
            w.put_code(hash, Bytes::from(code.clone()));
        }
        self.modify(f.address, |r| {
            r.code_hash = hash;
            r.code_size = len;
        })?;
        f.status = Status::Success(Slice::default());
        Ok(())
    }

    pub(super) fn call(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        let requested = pop(f)?;
        let to = addr_of(pop(f)?);
        let value = if matches!(op, CALL | CALLCODE) { pop(f)? } else { U256::ZERO };
        let args_off = pop(f)?;
        let args_size = pop(f)?;
        let ret_off = pop(f)?;
        let ret_size = pop(f)?;
        if op == CALL && f.is_static && !value.is_zero() {
            return halt(Halt::StaticWrite);
        }
        let (ao, an) = expand(f, args_off, args_size)?;
        let (ro, rn) = expand(f, ret_off, ret_size)?;
        let mut cost = self.access_cost(to)?;
        if !value.is_zero() {
            cost += G_CALL_VALUE;
            if op == CALL && self.is_empty(to)? {
                cost += G_NEW_ACCOUNT;
            }
        }
        use_gas(f, cost)?;
        let cap = f.gas - f.gas / CALL_GAS_RETAINED_DIVISOR;
        let mut gas = u64::try_from(requested).unwrap_or(u64::MAX).min(cap);
        f.gas -= gas;
        if !value.is_zero() {
            gas += CALL_STIPEND;
        }
        f.returndata = Slice::default();
        let fails = depth > MAX_DEPTH || (!value.is_zero() && self.balance(f.address)? < value);
        if fails {
            f.gas += gas;
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        let checkpoint = self.journal.len();
        if op == CALL && to != f.address {
            self.transfer(f.address, to, value)?;
        }
        let code = call_code(self.account(to)?, &to);
        let (address, caller, frame_value) = match op {
            CALL => (to, f.address, value),
            CALLCODE => (f.address, f.address, value),
            DELEGATECALL => (f.address, f.caller, f.value),
            _ => (to, f.address, U256::ZERO),
        };
        let calldata = Slice { tree: f.memory.clone(), offset: ao, len: an };
        let mut c = new_frame(FrameKind::Call, code, address, to, caller, frame_value, gas, calldata, checkpoint);
        c.is_static = f.is_static || op == STATICCALL;
        f.ret_offset = ro;
        f.ret_size = rn;
        Ok(Some(Child(c)))
    }

    pub(super) fn create(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        if f.is_static {
            return halt(Halt::StaticWrite);
        }
        let value = pop(f)?;
        let off = pop(f)?;
        let size = pop(f)?;
        let salt = if op == CREATE2 { Some(pop(f)?) } else { None };
        if size > U256::from(MAX_INITCODE_SIZE) {
            return halt(Halt::InitCodeTooLarge);
        }
        let w = words(size.to::<u64>());
        let hash_cost = if salt.is_some() { G_KECCAK256_WORD * w } else { 0 };
        use_gas(f, G_CREATE + G_INITCODE_WORD * w + hash_cost)?;
        let (o, n) = expand(f, off, size)?;
        f.returndata = Slice::default();
        let me = f.address;
        let rec = self.account(me)?;
        let (nonce, balance) = rec.map_or((0, U256::ZERO), |r| (r.nonce, r.balance));
        if depth > MAX_DEPTH || balance < value || nonce == u64::MAX {
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        match salt {
            // The init code's hash: the EVM's keccak256 up to CHUNK bytes, else micro-steps
            // of the sponge, whose last step goes on below (create_at).
            Some(s) => Ok(self.hash_memory(f, o, n, AfterHash::Create2 { value, salt: s })?),
            None => Ok(self.create_at(f, me.create(nonce), value, o, n)?),
        }
    }

    /// The rest of CREATE or CREATE2 once the new address is known (the opcode step's
    /// checks passed): the gas for the child, the creator's nonce, the collision check,
    /// the new account and the child frame over init code `[o, o + n)` of memory.
    pub(in crate::step) fn create_at(&mut self, f: &mut Frame, address: Address, value: U256, o: u64, n: u64) -> Result<Option<Child>, StepError> {
        let gas = f.gas - f.gas / CALL_GAS_RETAINED_DIVISOR;
        f.gas -= gas;
        let me = f.address;
        self.modify(me, |r| r.nonce = r.nonce.saturating_add(1))?;
        self.warm_address(address, true)?;
        if self.collides(address)? {
            // The opcode popped at least three items: there is room.
            f.stack.push(U256::ZERO);
            return Ok(None);
        }
        let checkpoint = self.journal.len();
        self.start_account(address)?;
        self.transfer(me, address, value)?;
        let init = Slice { tree: f.memory.clone(), offset: o, len: n };
        let code = FrameCode { hash: B256::ZERO, len: n, chunks: if n == 0 { Some(Tree::default()) } else { None }, init: Some(init), loading: None };
        let c = new_frame(FrameKind::Create, code, address, address, me, value, gas, Slice::default(), checkpoint);
        Ok(Some(Child(c)))
    }
}
