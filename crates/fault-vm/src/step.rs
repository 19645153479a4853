//! One step of the machine (docs/fault-vm.md, "Step kinds"): the next input or the end
//! of the block, tx-begin and its micro-steps, one opcode of the running frame, one
//! precompile call, a code load, a copy or hash micro-step, an undo, a frame-exit, and the
//! end of a transaction with its sweep and bloom micro-steps. Cancun rules throughout.
//!
//! The same code steps a full state (recording, when building a witness, what it opens
//! through [`Io`]) and a witness (failing with [`StepError::Missing`] if it lacks or
//! cannot prove what the step needs), so the reference [`step`] and the prover cannot
//! disagree.

use crate::{
    io::{sub_key, tags, ONE},
    machine::{
        AccessItem, AfterHash, BlockHashes, Encode, Frame, FrameCode, FrameKind, Halt, Io, LogItem, Machine, Pending, Phase, Slice, SlotRef, Source, Status,
        StepError, Substate, Tree, TxCtx, TxOutcome, Undo,
    },
    sponge::{Sponge, RATE},
};
use alloy_primitives::{Address, Bytes, Log, LogData, B256, KECCAK256_EMPTY, U256};
use faultline_state::AccountRecord;

/// The kind of a step, for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StepKind {
    /// An input loaded.
    NextTx,
    /// The block's end: header and output root.
    BlockEnd,
    /// Validation, gas purchase, warm sets.
    TxBegin,
    /// One access-list item warmed.
    Warm,
    /// The value transfer and the first frame.
    Enter,
    /// A frame's code loaded and chunked.
    CodeLoad,
    /// One opcode.
    Opcode(u8),
    /// One precompile call.
    Precompile(u8),
    /// One chunk of a copy.
    Copy,
    /// One chunk of an incremental hash.
    Hash,
    /// One journal record of a failed frame undone (before its frame-exit).
    Undo,
    /// A frame's result handed to its caller (or to tx-end).
    FrameExit,
    /// Refunds, fees, the receipt.
    TxEnd,
    /// One slot or account of an EIP-6780 destruction deleted.
    Sweep,
    /// One log added to the block's bloom.
    Bloom,
    /// A finished block: no change (post = pre), so a trace pads to any length.
    Done,
}

/// The reference step: decodes the witness bytes (docs/fault-vm.md, "Witness wire
/// format"), checks that they hash to `pre`, takes one step and returns the commitment
/// after it. The Solidity verifier implements exactly this. A finished block's step is a
/// no-op (`post == pre`), so a trace pads with it.
///
/// The step refuses ([`StepError`]) bytes that are not the canonical encoding of a
/// witness, a witness of another state, one lacking or failing to prove what the step
/// reads, and one carrying anything the step does not use (an access, a stack item).
pub fn step(pre: B256, witness: &[u8]) -> Result<B256, StepError> {
    step_machine(pre, crate::witness::decode(witness)?)
}

/// [`step`] on a decoded witness.
fn step_machine(pre: B256, mut witness: Machine) -> Result<B256, StepError> {
    if !witness.io.is_witness() {
        return Err(StepError::Inconsistent("step() takes a witness"));
    }
    let got = witness.commitment()?;
    if got != pre {
        return Err(StepError::WrongPreState { got, claimed: pre });
    }
    let carried = crate::witness::carried_items(&witness);
    crate::stack::reset_carried_pops();
    witness.step()?;
    if let Io::Witness(q) = &witness.io {
        if !q.is_empty() {
            return Err(StepError::Unused(format!("{} access(es)", q.len())));
        }
    }
    let popped = crate::stack::carried_pops();
    if popped != carried {
        return Err(StepError::Unused(format!("{} stack item(s)", carried.saturating_sub(popped))));
    }
    witness.commitment()
}

/// Largest contract code (EIP-170).
pub const MAX_CODE_SIZE: usize = faultline_primitives::limits::MAX_CODE_SIZE;
/// Largest init code (EIP-3860).
pub const MAX_INITCODE_SIZE: usize = 2 * MAX_CODE_SIZE;
/// Deepest call stack.
pub const MAX_DEPTH: usize = 1024;
const STACK_LIMIT: u64 = 1024;
/// Memory end offsets beyond this cost more gas than exists; treated as out of gas.
const MEMORY_LIMIT: u64 = u32::MAX as u64;
/// Most bytes one step copies, or hashes with the EVM's keccak256 (docs/fault-vm.md,
/// "Micro-steps"); longer copies and hashes continue in micro-steps.
pub const CHUNK: u64 = 4096;
/// Init code bytes one load step chunks (528 chunks of 31 bytes).
pub const INIT_LOAD_CHUNK: u64 = 528 * crate::code::CHUNK as u64;
/// Bytes one incremental-hash micro-step absorbs (8 keccak blocks).
pub const SPONGE_CHUNK: u64 = 8 * RATE as u64;
/// The L2's bound on a precompile call's input (docs/fault-vm.md, "Precompiles"): a
/// longer input makes the call fail, as on faultline's sequencer.
pub const PRECOMPILE_MAX_INPUT: usize = faultline_primitives::limits::PRECOMPILE_MAX_INPUT;
/// The L2's bound on a precompile call's gas: a call that would need more fails.
pub const PRECOMPILE_MAX_GAS: u64 = faultline_primitives::limits::PRECOMPILE_MAX_GAS;
/// The L2's bound on a modexp operand's length (EIP-7823): a call declaring a longer
/// base, exponent or modulus fails.
pub const MODEXP_MAX_OPERAND: usize = faultline_primitives::limits::MODEXP_MAX_OPERAND;

/// An EVM-level exit from an opcode (a halt) or a machine-level error.
enum Exit {
    Halt(Halt),
    Step(StepError),
}

impl From<StepError> for Exit {
    fn from(e: StepError) -> Self {
        Exit::Step(e)
    }
}

type Ev<T> = Result<T, Exit>;

fn halt<T>(h: Halt) -> Ev<T> {
    Err(Exit::Halt(h))
}

/// Whether `a` is a Cancun precompile (0x01..=0x0a).
pub fn is_precompile(a: &Address) -> bool {
    let b = a.as_slice();
    b[..19].iter().all(|x| *x == 0) && (1..=10).contains(&b[19])
}

fn words(n: u64) -> u64 {
    n.div_ceil(32)
}

fn mem_cost(words: u64) -> u64 {
    3 * words + words * words / 512
}

fn use_gas(f: &mut Frame, n: u64) -> Ev<()> {
    if f.gas < n {
        return halt(Halt::OutOfGas);
    }
    f.gas -= n;
    Ok(())
}

fn pop(f: &mut Frame) -> Ev<U256> {
    if f.stack.is_empty() {
        return halt(Halt::StackUnderflow);
    }
    Ok(f.stack.pop()?)
}

fn push(f: &mut Frame, v: U256) -> Ev<()> {
    if f.stack.len() >= STACK_LIMIT {
        return halt(Halt::StackOverflow);
    }
    f.stack.push(v);
    Ok(())
}

/// Charges and performs the memory expansion for `[offset, offset + size)`; returns the
/// offset (0 when size is 0) and the size.
fn expand(f: &mut Frame, offset: U256, size: U256) -> Ev<(u64, u64)> {
    if size.is_zero() {
        return Ok((0, 0));
    }
    let (Ok(off), Ok(len)) = (u64::try_from(offset), u64::try_from(size)) else {
        return halt(Halt::OutOfGas);
    };
    let Some(end) = off.checked_add(len).filter(|e| *e <= MEMORY_LIMIT) else {
        return halt(Halt::OutOfGas);
    };
    let cur = f.memory_len / 32;
    let new = words(end);
    if new > cur {
        use_gas(f, mem_cost(new) - mem_cost(cur))?;
        f.memory_len = new * 32;
    }
    Ok((off, len))
}

fn is_neg(x: U256) -> bool {
    x.bit(255)
}

fn abs(x: U256) -> U256 {
    if is_neg(x) {
        x.wrapping_neg()
    } else {
        x
    }
}

fn slt(a: U256, b: U256) -> bool {
    match (is_neg(a), is_neg(b)) {
        (true, false) => true,
        (false, true) => false,
        _ => a < b,
    }
}

fn b2u(b: bool) -> U256 {
    if b {
        U256::from(1)
    } else {
        U256::ZERO
    }
}

fn addr_of(v: U256) -> Address {
    Address::from_word(B256::from(v.to_be_bytes::<32>()))
}

fn word_of(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

fn empty_record() -> AccountRecord {
    AccountRecord { nonce: 0, balance: U256::ZERO, code_hash: KECCAK256_EMPTY, code_size: 0 }
}

/// A child frame an opcode asks for.
struct Child(Frame);

#[allow(clippy::too_many_arguments)]
fn new_frame(
    kind: FrameKind,
    code: FrameCode,
    address: Address,
    code_address: Address,
    caller: Address,
    value: U256,
    gas: u64,
    calldata: Slice,
    checkpoint: u64,
) -> Frame {
    Frame {
        kind,
        code,
        code_address,
        pc: 0,
        gas,
        refund: 0,
        stack: Default::default(),
        memory: Tree::default(),
        memory_len: 0,
        calldata,
        returndata: Slice::default(),
        address,
        caller,
        value,
        is_static: false,
        checkpoint,
        ret_offset: 0,
        ret_size: 0,
        status: Status::Running,
        pending: None,
    }
}

/// The code a call frame runs: loaded later unless empty; a precompile has none.
fn call_code(rec: Option<AccountRecord>, code_address: &Address) -> FrameCode {
    match rec {
        Some(r) if r.code_size > 0 && !is_precompile(code_address) => {
            FrameCode { hash: r.code_hash, len: r.code_size, chunks: None, init: None, loading: None }
        }
        _ => FrameCode::empty(),
    }
}

impl Machine {
    /// Takes the next step.
    pub fn step(&mut self) -> Result<StepKind, StepError> {
        match self.phase.clone() {
            Phase::NextTx => self.next_tx(),
            Phase::Begin => self.tx_begin().map(|_| StepKind::TxBegin),
            Phase::Warm { next } => self.warm(next).map(|_| StepKind::Warm),
            Phase::Enter => self.enter().map(|_| StepKind::Enter),
            Phase::Run => self.run_step(),
            Phase::End { gas_left, refund, success } => self.tx_end(gas_left, refund, success).map(|_| StepKind::TxEnd),
            Phase::Sweep => self.sweep().map(|_| StepKind::Sweep),
            Phase::Bloom { keep } => self.bloom(keep).map(|_| StepKind::Bloom),
            Phase::Done { .. } => Ok(StepKind::Done),
        }
    }

    fn tx(&self) -> Result<&TxCtx, StepError> {
        self.tx.as_ref().ok_or(StepError::Inconsistent("no current transaction"))
    }

    /// BASEFEE as the transaction sees it: the block's, or 0 for a deposit.
    pub fn basefee(&self) -> u64 {
        if self.tx.as_ref().is_some_and(|t| t.mint.is_some()) {
            0
        } else {
            self.block.basefee
        }
    }

    /// The price per gas the sender pays.
    pub fn effective_gas_price(&self) -> u128 {
        let Some(tx) = &self.tx else { return 0 };
        match tx.max_priority_fee {
            Some(tip) => tx.max_fee.min((self.basefee() as u128).saturating_add(tip)),
            None => tx.max_fee,
        }
    }

    // ---- world and substate ------------------------------------------------------

    fn account(&mut self, a: Address) -> Result<Option<AccountRecord>, StepError> {
        self.io.account(&self.world, &a)
    }

    /// Changes an account, journaling its previous state.
    fn modify(&mut self, a: Address, f: impl FnOnce(&mut AccountRecord)) -> Result<(), StepError> {
        let old = self.account(a)?;
        let mut new = old.unwrap_or_else(empty_record);
        f(&mut new);
        self.journal.push(Undo::Account(a, old));
        self.io.put_account(&mut self.world, &a, Some(new))
    }

    /// Changes an account without journaling (tx-begin and tx-end: below every frame's
    /// checkpoint, never undone).
    fn modify_raw(&mut self, a: Address, f: impl FnOnce(&mut AccountRecord)) -> Result<(), StepError> {
        let mut new = self.account(a)?.unwrap_or_else(empty_record);
        f(&mut new);
        self.io.put_account(&mut self.world, &a, Some(new))
    }

    fn balance(&mut self, a: Address) -> Result<U256, StepError> {
        Ok(self.account(a)?.map(|r| r.balance).unwrap_or_default())
    }

    fn is_empty(&mut self, a: Address) -> Result<bool, StepError> {
        Ok(self.account(a)?.is_none())
    }

    /// Moves `v` from `from` to `to` (the caller checked the balance). No-op for zero.
    fn transfer(&mut self, from: Address, to: Address, v: U256) -> Result<(), StepError> {
        if v.is_zero() {
            return Ok(());
        }
        self.modify(from, |r| r.balance = r.balance.saturating_sub(v))?;
        self.modify(to, |r| r.balance = r.balance.saturating_add(v))
    }

    fn sub_get(&mut self, tag: u8, a: &Address, s: Option<&U256>) -> Result<B256, StepError> {
        let key = sub_key(tag, a, s);
        self.io.sub(&self.substate, &key)
    }

    fn sub_set(&mut self, tag: u8, a: &Address, s: Option<&U256>, v: B256) -> Result<(), StepError> {
        let key = sub_key(tag, a, s);
        self.io.set_sub(&mut self.substate, &key, v)
    }

    /// Warms `a`; returns whether it was cold.
    fn warm_address(&mut self, a: Address, journal: bool) -> Result<bool, StepError> {
        let cold = self.sub_get(tags::WARM_ADDRESS, &a, None)? == B256::ZERO;
        if cold {
            self.sub_set(tags::WARM_ADDRESS, &a, None, ONE)?;
            if journal {
                self.journal.push(Undo::WarmAddress(a));
            }
        }
        Ok(cold)
    }

    /// Warms slot `s` of `a`, recording its original value on first warming; returns
    /// whether it was cold and its current value.
    fn warm_slot(&mut self, a: Address, s: U256, journal: bool) -> Result<(bool, U256), StepError> {
        let cold = self.sub_get(tags::WARM_SLOT, &a, Some(&s))? == B256::ZERO;
        let current = self.io.storage(&self.world, &a, &s)?;
        if cold {
            self.sub_set(tags::WARM_SLOT, &a, Some(&s), ONE)?;
            // Nothing writes a slot before warming it, so its value now is its value at the
            // start of the transaction (a warm slot without a record was zero).
            if !current.is_zero() && self.sub_get(tags::ORIGINAL, &a, Some(&s))? == B256::ZERO {
                self.sub_set(tags::ORIGINAL, &a, Some(&s), B256::from(current))?;
            }
            if journal {
                self.journal.push(Undo::WarmSlot(a, s));
            }
        }
        Ok((cold, current))
    }

    fn access_cost(&mut self, a: Address) -> Result<u64, StepError> {
        Ok(if self.warm_address(a, true)? { 2600 } else { 100 })
    }

    fn created(&mut self, a: &Address) -> Result<bool, StepError> {
        Ok(self.sub_get(tags::CREATED, a, None)? != B256::ZERO)
    }

    // ---- the block -------------------------------------------------------------------

    fn next_tx(&mut self) -> Result<StepKind, StepError> {
        // The block's first step writes the L1 fee parameters it prices with into the
        // GasPriceOracle predeploy, as the executor does before the block's first input.
        if self.acc.next == 0 {
            // The parent's hash into the block-hash history (EIP-2935's layout), first.
            if self.block.block_hashes == BlockHashes::State {
                if let Some((slot, value)) = faultline_primitives::history::history_write(self.block.number, self.block.parent_hash) {
                    self.io.put_storage(&mut self.world, &faultline_primitives::history::HISTORY_STORAGE_ADDRESS, &slot, value)?;
                }
            }
            for (slot, value) in faultline_primitives::l1fee::oracle_writes(&self.block.l1_fee) {
                self.io.put_storage(&mut self.world, &faultline_primitives::GAS_PRICE_ORACLE, &slot, value)?;
            }
        }
        if self.acc.next >= self.inputs.count {
            self.block_end()?;
            return Ok(StepKind::BlockEnd);
        }
        let i = self.acc.next;
        let word = self.io.words(&self.inputs.tree, i, 1)?[0];
        // The prover's inputs list is not committed: a witness decodes the preimage.
        let full = if self.io.is_witness() { None } else { self.inputs.txs.as_ref().and_then(|t| t.get(i as usize)).cloned() };
        let bytes = self.io.preimage(word, || {
            let mut v = Vec::new();
            if let Some(t) = &full {
                t.encode(&mut v);
            }
            v
        })?;
        self.tx = Some(match full {
            Some(t) => t,
            None => TxCtx::decode(&bytes)?,
        });
        self.phase = Phase::Begin;
        Ok(StepKind::NextTx)
    }

    /// The header of the block as the node assembles it (crates/executor/src/header.rs),
    /// from the context and the accumulators; its hash and the output root end the block.
    fn block_end(&mut self) -> Result<(), StepError> {
        let state_root = self.world.root()?;
        let header = faultline_primitives::commitments::l2_header(&faultline_primitives::commitments::HeaderFields {
            parent_hash: self.block.parent_hash,
            beneficiary: self.block.coinbase,
            state_root,
            transactions_root: self.acc.txs.root(),
            receipts_root: self.acc.receipts.root(),
            logs_bloom: self.acc.bloom,
            number: self.block.number,
            gas_limit: self.block.gas_limit,
            gas_used: self.acc.gas_used,
            timestamp: self.block.timestamp,
            deposit_cursor: self.block.deposit_cursor,
            l1_fee: self.block.l1_fee,
            base_fee: self.block.basefee,
        });
        crate::meter::hashed(alloy_rlp::Encodable::length(&header));
        let block_hash = header.hash_slow();
        crate::meter::hashed(96);
        let output_root = faultline_primitives::output_root(state_root, block_hash);
        self.phase = Phase::Done { block_hash, output_root };
        Ok(())
    }

    // ---- tx-begin ------------------------------------------------------------------

    /// Intrinsic gas (Cancun).
    pub fn intrinsic_gas(tx: &TxCtx) -> u64 {
        let zeros = tx.data_zeros;
        let nonzeros = tx.data.len - zeros;
        let mut g: u64 = 21_000 + 4 * zeros + 16 * nonzeros;
        if tx.to.is_none() {
            g += 32_000 + 2 * words(tx.data.len);
        }
        let keys = tx.access_len - tx.access_addresses;
        g + 2_400 * tx.access_addresses + 1_900 * keys
    }

    /// The L1 fee of the current input (docs/chain.md, "L1 fee"): zero for a deposit.
    pub fn l1_fee(&self) -> U256 {
        match &self.tx {
            Some(t) if t.mint.is_none() => faultline_primitives::l1fee::l1_fee(t.size, &self.block.l1_fee, &self.block.l1_scalars),
            _ => U256::ZERO,
        }
    }

    fn validate(&mut self, nonce: u64) -> Result<Option<String>, StepError> {
        let tx = self.tx()?.clone();
        if let Some(tip) = tx.max_priority_fee {
            if tip > tx.max_fee {
                return Ok(Some("priority fee above max fee".into()));
            }
        }
        if tx.max_fee < self.basefee() as u128 {
            return Ok(Some("max fee below base fee".into()));
        }
        if tx.chain_id.is_some_and(|c| c != self.block.chain_id) {
            return Ok(Some("wrong chain id".into()));
        }
        if tx.gas_limit > self.block.gas_limit {
            return Ok(Some("gas limit above the block's".into()));
        }
        if tx.mint.is_none() && tx.gas_limit > self.block.gas_limit.saturating_sub(self.acc.gas_used) {
            return Ok(Some("gas limit above the gas left in the block".into()));
        }
        if tx.to.is_none() && tx.data.len > MAX_INITCODE_SIZE as u64 {
            return Ok(Some("init code too large".into()));
        }
        if Self::intrinsic_gas(&tx) > tx.gas_limit {
            return Ok(Some("intrinsic gas above gas limit".into()));
        }
        let rec = self.account(tx.sender)?;
        let (have, balance, has_code) = rec.map_or((0, U256::ZERO, false), |r| (r.nonce, r.balance, r.code_size > 0));
        if has_code {
            return Ok(Some("sender has code (EIP-3607)".into()));
        }
        if have != nonce {
            return Ok(Some(format!("nonce {nonce} != account nonce {have}")));
        }
        if nonce == u64::MAX {
            return Ok(Some("nonce at maximum".into()));
        }
        let cost =
            U256::from(tx.gas_limit).checked_mul(U256::from(tx.max_fee)).and_then(|c| c.checked_add(tx.value)).and_then(|c| c.checked_add(self.l1_fee()));
        if cost.is_none_or(|c| c > balance) {
            return Ok(Some("insufficient funds for gas * price + value + l1 fee".into()));
        }
        Ok(None)
    }

    fn tx_begin(&mut self) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        if let Some(mint) = tx.mint {
            self.modify_raw(tx.sender, |r| r.balance = r.balance.saturating_add(mint))?;
        }
        // A deposit runs with the sender's current nonce (it never fails on it).
        let nonce = match tx.mint {
            Some(_) => self.account(tx.sender)?.map_or(0, |r| r.nonce),
            None => tx.nonce,
        };
        if let Some(why) = self.validate(nonce)? {
            self.outcomes.push(TxOutcome::Invalid(why));
            self.finish_tx();
            return Ok(());
        }
        let price = U256::from(self.effective_gas_price());
        let l1_fee = self.l1_fee();
        self.modify_raw(tx.sender, |r| {
            r.nonce = nonce + 1;
            r.balance -= U256::from(tx.gas_limit) * price + l1_fee;
        })?;
        // The L1 fee goes to the vault now; nothing the execution does returns it.
        if !l1_fee.is_zero() {
            self.modify_raw(faultline_primitives::L1_FEE_VAULT, |r| r.balance = r.balance.saturating_add(l1_fee))?;
        }
        let target = tx.to.unwrap_or_else(|| tx.sender.create(nonce));
        for a in [tx.sender, target, self.block.coinbase] {
            self.warm_address(a, false)?;
        }
        for i in 1..=10u8 {
            self.warm_address(Address::with_last_byte(i), false)?;
        }
        self.phase = if tx.access_len > 0 { Phase::Warm { next: 0 } } else { Phase::Enter };
        Ok(())
    }

    fn warm(&mut self, next: u64) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let word = self.io.words(&tx.access, next, 1)?[0];
        // The prover's items are not committed: a witness decodes the preimage.
        let item = if self.io.is_witness() { None } else { tx.access_items.as_ref().and_then(|l| l.get(next as usize)).copied() };
        let bytes = self.io.preimage(word, || {
            let mut v = Vec::new();
            if let Some(i) = &item {
                i.encode(&mut v);
            }
            v
        })?;
        let item = match item {
            Some(i) => i,
            None => match bytes.len() {
                21 if bytes[20] == 0 => AccessItem { address: Address::from_slice(&bytes[..20]), slot: None },
                53 if bytes[20] == 1 => AccessItem { address: Address::from_slice(&bytes[..20]), slot: Some(B256::from_slice(&bytes[21..])) },
                _ => return Err(StepError::Missing("a well-formed access-list item".into())),
            },
        };
        match item.slot {
            None => {
                self.warm_address(item.address, false)?;
            }
            Some(s) => {
                self.warm_slot(item.address, U256::from_be_bytes(s.0), false)?;
            }
        }
        self.phase = if next + 1 < tx.access_len { Phase::Warm { next: next + 1 } } else { Phase::Enter };
        Ok(())
    }

    fn enter(&mut self) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let gas = tx.gas_limit - Self::intrinsic_gas(&tx);
        let nonce = self.account(tx.sender)?.map_or(0, |r| r.nonce).saturating_sub(1);
        let frame = match tx.to {
            Some(to) => {
                let checkpoint = self.journal.len();
                self.transfer(tx.sender, to, tx.value)?;
                let code = call_code(self.account(to)?, &to);
                new_frame(FrameKind::Call, code, to, to, tx.sender, tx.value, gas, tx.data.clone(), checkpoint)
            }
            None => {
                let target = tx.sender.create(nonce);
                if self.collides(target)? {
                    self.phase = Phase::End { gas_left: 0, refund: 0, success: false };
                    return Ok(());
                }
                let checkpoint = self.journal.len();
                self.start_account(target)?;
                self.transfer(tx.sender, target, tx.value)?;
                let code = FrameCode {
                    hash: B256::ZERO,
                    len: tx.data.len,
                    chunks: if tx.data.len == 0 { Some(Tree::default()) } else { None },
                    init: Some(tx.data.clone()),
                    loading: None,
                };
                new_frame(FrameKind::Create, code, target, target, tx.sender, tx.value, gas, Slice::default(), checkpoint)
            }
        };
        self.top = Some(Box::new(frame));
        self.phase = Phase::Run;
        Ok(())
    }

    /// EIP-7610 on the L2: a create collides with an account that has a nonce or code
    /// (an account with storage but neither cannot exist on faultline's L2;
    /// docs/fault-vm.md, "EIP-7610").
    fn collides(&mut self, a: Address) -> Result<bool, StepError> {
        Ok(self.account(a)?.is_some_and(|r| r.nonce != 0 || r.code_size != 0))
    }

    /// A new contract account: marked created, nonce 1 (EIP-161).
    fn start_account(&mut self, a: Address) -> Result<(), StepError> {
        self.sub_set(tags::CREATED, &a, None, ONE)?;
        self.journal.push(Undo::MarkedCreated(a));
        self.modify(a, |r| r.nonce = 1)
    }

    // ---- tx-end ----------------------------------------------------------------------

    fn tx_end(&mut self, gas_left: u64, refund: i64, success: bool) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let price = self.effective_gas_price();
        let mut gas_used = tx.gas_limit - gas_left;
        if success {
            gas_used -= (refund.max(0) as u64).min(gas_used / 5);
        }
        self.modify_raw(tx.sender, |r| r.balance += U256::from(tx.gas_limit - gas_used) * U256::from(price))?;
        let tip = U256::from(gas_used) * U256::from(price - self.basefee() as u128);
        let coinbase = self.block.coinbase;
        // A zero tip to an absent coinbase must not create it (EIP-161).
        if !tip.is_zero() {
            self.modify_raw(coinbase, |r| r.balance += tip)?;
        }
        if tx.mint.is_none() {
            let cumulative = self.acc.gas_used + gas_used;
            self.acc.gas_used = cumulative;
            let leaf = faultline_primitives::commitments::receipt_leaf(tx.tx_type, success, cumulative, self.logs.head(), self.logs.len());
            crate::meter::hashed(faultline_primitives::commitments::RECEIPT_LEAF_PREIMAGE);
            self.acc.receipts.push(leaf);
            self.acc.txs.push(tx.hash);
        }
        let logs = self
            .logs
            .items()
            .map(|items| {
                items.iter().map(|l| Log { address: l.address, data: LogData::new_unchecked(l.topics.clone(), l.data.clone().unwrap_or_default()) }).collect()
            })
            .unwrap_or_default();
        self.outcomes.push(TxOutcome::Ran { success, gas_used, logs });
        self.after_end(tx.mint.is_none());
        Ok(())
    }

    /// What follows tx-end: the sweep, the bloom, or the next input.
    fn after_end(&mut self, keep_logs: bool) {
        self.phase = if !self.created_slots.is_empty() || !self.destructed.is_empty() {
            Phase::Sweep
        } else if keep_logs && !self.logs.is_empty() {
            Phase::Bloom { keep: true }
        } else {
            self.finish_tx();
            return;
        };
    }

    fn sweep(&mut self) -> Result<(), StepError> {
        if !self.created_slots.is_empty() {
            let SlotRef(a, s) = self.created_slots.pop()?;
            if self.sub_get(tags::DESTRUCTED, &a, None)? != B256::ZERO {
                self.io.put_storage(&mut self.world, &a, &s, U256::ZERO)?;
            }
        } else {
            let a = self.destructed.pop()?;
            self.io.put_account(&mut self.world, &a, None)?;
        }
        if self.created_slots.is_empty() && self.destructed.is_empty() {
            let keep = self.tx()?.mint.is_none();
            self.after_end(keep);
        }
        Ok(())
    }

    fn bloom(&mut self, keep: bool) -> Result<(), StepError> {
        let log = self.logs.pop()?;
        if keep {
            self.acc.bloom.accrue(alloy_primitives::BloomInput::Raw(log.address.as_slice()));
            crate::meter::hashed(20);
            for t in &log.topics {
                self.acc.bloom.accrue(alloy_primitives::BloomInput::Raw(t.as_slice()));
                crate::meter::hashed(32);
            }
        }
        if self.logs.is_empty() {
            self.finish_tx();
        }
        Ok(())
    }

    /// Clears the transaction's state and moves to the next input.
    fn finish_tx(&mut self) {
        self.journal.clear();
        self.logs.clear();
        self.substate = match self.substate {
            Substate::Full(_) => Substate::default(),
            Substate::Proven(_) => Substate::Proven(faultline_state::smt::EMPTY_ROOT),
        };
        self.tx = None;
        self.acc.next += 1;
        self.phase = Phase::NextTx;
    }

    // ---- frames --------------------------------------------------------------------

    fn run_step(&mut self) -> Result<StepKind, StepError> {
        let mut f = self.top.take().ok_or(StepError::Inconsistent("running without a frame"))?;
        if f.status != Status::Running {
            // A failed frame's writes are undone one journal record per step, then it exits.
            let failed = matches!(f.status, Status::Revert(_) | Status::Halt(_));
            let checkpoint = f.checkpoint;
            self.top = Some(f);
            if failed && self.journal.len() > checkpoint {
                self.undo_one()?;
                return Ok(StepKind::Undo);
            }
            self.frame_exit()?;
            return Ok(StepKind::FrameExit);
        }
        if let Some(p) = f.pending.take() {
            let (kind, child) = match self.pending_step(&mut f, p) {
                Ok(k) => k,
                Err(e) => {
                    self.top = Some(f);
                    return Err(e);
                }
            };
            // A CREATE2 whose init code was hashed in micro-steps starts its frame here.
            match child {
                Some(Child(c)) => {
                    self.frames.push(*f);
                    self.top = Some(Box::new(c));
                }
                None => self.top = Some(f),
            }
            return Ok(kind);
        }
        if f.code.chunks.is_none() {
            let r = self.code_load(&mut f);
            self.top = Some(f);
            r?;
            return Ok(StepKind::CodeLoad);
        }
        if f.kind == FrameKind::Call && is_precompile(&f.code_address) {
            let id = f.code_address.as_slice()[19];
            let r = self.run_precompile(&mut f);
            self.top = Some(f);
            r?;
            return Ok(StepKind::Precompile(id));
        }
        let op = match self.opcode_at(&f) {
            Ok(op) => op,
            Err(e) => {
                self.top = Some(f);
                return Err(e);
            }
        };
        let depth = self.frames.len() as usize + 1;
        let result = self.exec(&mut f, op, depth);
        let child = match result {
            Ok(c) => c,
            Err(Exit::Halt(h)) => {
                f.status = Status::Halt(h);
                f.pending = None;
                None
            }
            Err(Exit::Step(e)) => {
                self.top = Some(f);
                return Err(e);
            }
        };
        match child {
            Some(Child(c)) => {
                self.frames.push(*f);
                self.top = Some(Box::new(c));
            }
            None => self.top = Some(f),
        }
        Ok(StepKind::Opcode(op))
    }

    /// The opcode at the frame's pc (STOP past the code's end).
    fn opcode_at(&mut self, f: &Frame) -> Result<u8, StepError> {
        if f.pc >= f.code.len {
            return Ok(0);
        }
        // A plain run reads the chunk directly; a recorded or witnessed one opens it.
        if let (Io::Plain, Some(Tree::Full(t))) = (&self.io, &f.code.chunks) {
            return Ok(crate::code::byte_in_tree(t, f.pc));
        }
        Ok(self.code_bytes(f, f.pc, 1)?[0])
    }

    /// Bytes `[at, at + n)` of the frame's code (zero past its end), from its chunks.
    fn code_bytes(&mut self, f: &Frame, at: u64, n: u64) -> Result<Vec<u8>, StepError> {
        let mut out = vec![0u8; n as usize];
        let end = (at.saturating_add(n)).min(f.code.len);
        if at >= end {
            return Ok(out);
        }
        let chunks = f.code.chunks.as_ref().ok_or(StepError::Inconsistent("code not loaded"))?;
        if let (Io::Plain, Tree::Full(t)) = (&self.io, chunks) {
            for pc in at..end {
                out[(pc - at) as usize] = crate::code::byte_in_tree(t, pc);
            }
            return Ok(out);
        }
        let c = crate::code::CHUNK as u64;
        let (first, last) = (at / c, (end - 1) / c);
        let words = self.io.words(chunks, first, last - first + 1)?;
        for pc in at..end {
            out[(pc - at) as usize] = crate::code::byte_of(&words, first, pc);
        }
        Ok(out)
    }

    /// Loads the frame's code: a call frame's from the world's code store (the witness
    /// carries it, checked against the hash) in one step; a create frame's init code
    /// from its view, [`INIT_LOAD_CHUNK`] bytes per step; then chunks it.
    fn code_load(&mut self, f: &mut Frame) -> Result<(), StepError> {
        let Some(init) = f.code.init.clone() else {
            let world = &self.world;
            let code = self.io.code(f.code.hash, f.code.len, || world.full().map_or(Ok(None), |w| w.code(&f.code.hash)))?;
            f.code.chunks = Some(Tree::from_words(&crate::code::chunks(&code)));
            return Ok(());
        };
        let (mut tree, done, carry) = f.code.loading.take().unwrap_or_else(|| (Tree::default(), 0, 0));
        let n = (init.len - done).min(INIT_LOAD_CHUNK);
        let part = self.io.read(&init.tree, init.offset + done, n as usize)?;
        let (words, carry) = crate::code::chunks_from(&part, carry as usize);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.0).collect();
        self.io.write(&mut tree, done / crate::code::CHUNK as u64 * 32, &bytes)?;
        if done + n == init.len {
            f.code.chunks = Some(tree);
        } else {
            f.code.loading = Some((tree, done + n, carry.min(u8::MAX as usize) as u8));
        }
        Ok(())
    }

    /// One chunk of a pending copy or hash; the frame a finished CREATE2 hash starts.
    fn pending_step(&mut self, f: &mut Frame, p: Pending) -> Result<(StepKind, Option<Child>), StepError> {
        match p {
            Pending::Copy { src, from, to, left, backwards } => {
                let n = left.min(CHUNK);
                let (from_here, to_here) = if backwards { (from + left - n, to + left - n) } else { (from, to) };
                let bytes = self.read_source(f, src, from_here, n)?;
                self.io.write(&mut f.memory, to_here, &bytes)?;
                if left > n {
                    let (from, to) = if backwards { (from, to) } else { (from + n, to + n) };
                    f.pending = Some(Pending::Copy { src, from, to, left: left - n, backwards });
                }
                Ok((StepKind::Copy, None))
            }
            Pending::CopyView { view, from, to, left } => {
                let n = left.min(CHUNK);
                let bytes = self.read_slice(&view, from, n)?;
                self.io.write(&mut f.memory, to, &bytes)?;
                if left > n {
                    f.pending = Some(Pending::CopyView { view, from: from.saturating_add(n), to: to + n, left: left - n });
                }
                Ok((StepKind::Copy, None))
            }
            Pending::Hash { mut sponge, at, left, done, then } => {
                let n = left.min(SPONGE_CHUNK);
                let bytes = self.io.read(&f.memory, at, n as usize)?;
                let mut child = None;
                if left > n {
                    sponge.absorb(&bytes);
                    f.pending = Some(Pending::Hash { sponge, at: at + n, left: left - n, done: done + n, then });
                } else {
                    let hash = sponge.finish(&bytes);
                    child = self.after_hash(f, hash, at - done, done + n, then)?;
                }
                Ok((StepKind::Hash, child))
            }
        }
    }

    /// Finishes a hash of memory `[start, start + len)`; a CREATE2's gives its frame.
    fn after_hash(&mut self, f: &mut Frame, hash: B256, start: u64, len: u64, then: AfterHash) -> Result<Option<Child>, StepError> {
        match then {
            AfterHash::Push => {
                // The opcode popped two items and pushes one: there is room.
                f.stack.push(U256::from_be_bytes(hash.0));
            }
            AfterHash::Log { topics } => {
                // The prover keeps the bytes beside the hash (not committed).
                let data = f.memory.full().map(|t| Bytes::from(t.read(start, len as usize)));
                self.logs.push(LogItem { address: f.address, topics, data_hash: hash, data_len: len, data });
                self.journal.push(Undo::Log);
            }
            AfterHash::Create2 { value, salt } => {
                let address = f.address.create2(B256::from(salt.to_be_bytes::<32>()), hash);
                return self.create_at(f, address, value, start, len);
            }
        }
        Ok(None)
    }

    /// `n` bytes at `at` of a copy's source.
    fn read_source(&mut self, f: &Frame, src: Source, at: u64, n: u64) -> Result<Vec<u8>, StepError> {
        match src {
            Source::Calldata => self.read_slice(&f.calldata, at, n),
            Source::Returndata => self.read_slice(&f.returndata, at, n),
            Source::Memory => self.io.read(&f.memory, at, n as usize),
            Source::Code => self.code_bytes(f, at, n),
            Source::ExtCode { hash, len } => {
                let world = &self.world;
                let code = self.io.code(hash, len, || world.full().map_or(Ok(None), |w| w.code(&hash)))?;
                let mut out = vec![0u8; n as usize];
                if at < code.len() as u64 {
                    let k = (n as usize).min(code.len() - at as usize);
                    out[..k].copy_from_slice(&code[at as usize..at as usize + k]);
                }
                Ok(out)
            }
        }
    }

    /// `n` bytes at `p` of a view (zero past its length).
    fn read_slice(&mut self, s: &Slice, p: u64, n: u64) -> Result<Vec<u8>, StepError> {
        let mut out = vec![0u8; n as usize];
        if p >= s.len || n == 0 {
            return Ok(out);
        }
        let m = n.min(s.len - p);
        let bytes = self.io.read(&s.tree, s.offset + p, m as usize)?;
        out[..m as usize].copy_from_slice(&bytes);
        Ok(out)
    }

    /// Starts a copy of `n` bytes into memory at `to`: at once if it fits a step, else as
    /// a pending copy.
    fn copy(&mut self, f: &mut Frame, src: Source, from: u64, to: u64, n: u64) -> Result<(), StepError> {
        if n == 0 {
            return Ok(());
        }
        let backwards = src == Source::Memory && to > from && to < from + n;
        let p = Pending::Copy { src, from, to, left: n, backwards };
        if n <= CHUNK {
            self.pending_step(f, p)?;
        } else {
            f.pending = Some(p);
        }
        Ok(())
    }

    /// Starts hashing memory `[at, at + n)`: with the EVM's keccak256 if it fits a step,
    /// else as a pending incremental hash (a CREATE2's frame then starts in its last step).
    fn hash_memory(&mut self, f: &mut Frame, at: u64, n: u64, then: AfterHash) -> Result<Option<Child>, StepError> {
        if n <= CHUNK {
            let bytes = self.io.read(&f.memory, at, n as usize)?;
            let hash = crate::meter::keccak(&bytes);
            self.after_hash(f, hash, at, n, then)
        } else {
            f.pending = Some(Pending::Hash { sponge: Sponge::default(), at, left: n, done: 0, then });
            Ok(None)
        }
    }

    /// Pops the top journal record and restores what it records (one undo micro-step).
    fn undo_one(&mut self) -> Result<(), StepError> {
        match self.journal.pop()? {
            Undo::Account(a, r) => self.io.put_account(&mut self.world, &a, r)?,
            Undo::Storage(a, s, v) => self.io.put_storage(&mut self.world, &a, &s, v)?,
            Undo::Transient(a, s, v) => self.sub_set(tags::TRANSIENT, &a, Some(&s), B256::from(v))?,
            Undo::WarmAddress(a) => self.sub_set(tags::WARM_ADDRESS, &a, None, B256::ZERO)?,
            Undo::WarmSlot(a, s) => self.sub_set(tags::WARM_SLOT, &a, Some(&s), B256::ZERO)?,
            Undo::Log => {
                self.logs.pop()?;
            }
            Undo::MarkedCreated(a) => self.sub_set(tags::CREATED, &a, None, B256::ZERO)?,
            Undo::MarkedDestructed(a) => {
                self.sub_set(tags::DESTRUCTED, &a, None, B256::ZERO)?;
                if self.destructed.pop()? != a {
                    return Err(StepError::Inconsistent("the destroyed list and the journal disagree"));
                }
            }
        }
        Ok(())
    }

    /// Pops the finished innermost frame and hands its result to the caller. A failed
    /// frame's journal records were undone by the steps before.
    fn frame_exit(&mut self) -> Result<(), StepError> {
        let f = self.top.take().ok_or(StepError::Inconsistent("no frame to exit"))?;
        let (success, gas_left, refund) = match &f.status {
            Status::Success(_) => (true, f.gas, f.refund),
            Status::Revert(_) => (false, f.gas, 0),
            Status::Halt(_) => (false, 0, 0),
            Status::Running => return Err(StepError::Inconsistent("exit of a running frame")),
        };
        if !success && self.journal.len() != f.checkpoint {
            return Err(StepError::Inconsistent("exit of a failed frame with records left to undo"));
        }
        if self.frames.is_empty() {
            self.phase = Phase::End { gas_left, refund, success };
            return Ok(());
        }
        let mut p = self.frames.pop()?;
        p.gas += gas_left;
        p.refund += refund;
        let output = match &f.status {
            Status::Success(o) | Status::Revert(o) => o.clone(),
            _ => Slice::default(),
        };
        let pushed = match f.kind {
            FrameKind::Call => {
                let n = p.ret_size.min(output.len);
                let to = p.ret_offset;
                p.returndata = output;
                if n > 0 {
                    p.pending = Some(Pending::Copy { src: Source::Returndata, from: 0, to, left: n, backwards: false });
                }
                b2u(success)
            }
            FrameKind::Create => {
                p.returndata = if success { Slice::default() } else { output };
                if success {
                    word_of(f.address)
                } else {
                    U256::ZERO
                }
            }
        };
        // The caller's stack had room: the call opcode popped at least 3 items.
        p.stack.push(pushed);
        self.top = Some(Box::new(p));
        Ok(())
    }

    /// Runs the precompile at `f.code_address` on the frame's call data, within the L2's
    /// bounds on input, gas and modexp operands (docs/fault-vm.md, "Precompiles and the
    /// L2's bounds"). The meter counts what the L1 precompile at the same address charges
    /// the verifier: its Osaka price on success, the gas given to it on a failure it runs
    /// (nothing for a call the bounds refuse, which the verifier decides from the input).
    fn run_precompile(&mut self, f: &mut Frame) -> Result<(), StepError> {
        if f.calldata.len as usize > PRECOMPILE_MAX_INPUT {
            crate::meter::hit_bound(f.code_address.as_slice()[19]);
            f.status = Status::Halt(Halt::PrecompileFailed);
            return Ok(());
        }
        let input = self.read_slice(&f.calldata.clone(), 0, f.calldata.len)?;
        match run_precompile(&f.code_address, &input, f.gas) {
            Some((gas_used, out)) => {
                crate::meter::precompile(l1_precompile_gas(&f.code_address, &input, gas_used));
                f.gas -= gas_used;
                f.status = Status::Success(Slice::of_bytes(&out));
            }
            None => {
                if !faultline_primitives::limits::precompile_refused(&f.code_address, &input) {
                    crate::meter::precompile(f.gas.min(PRECOMPILE_MAX_GAS));
                }
                f.status = Status::Halt(Halt::PrecompileFailed)
            }
        }
        Ok(())
    }

    /// Deposits a successful create's returned code, or halts the frame.
    fn deposit_code(&mut self, f: &mut Frame, off: u64, len: u64) -> Ev<()> {
        if len > MAX_CODE_SIZE as u64 {
            return halt(Halt::CodeTooLarge);
        }
        let code = self.io.read(&f.memory, off, len as usize)?;
        if code.first() == Some(&0xef) {
            return halt(Halt::CodeStartsWithEf);
        }
        use_gas(f, 200 * len)?;
        let hash = if code.is_empty() { KECCAK256_EMPTY } else { crate::meter::keccak(&code) };
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

    /// One opcode on frame `f` (at depth `depth`, outermost = 1).
    fn exec(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        let pc = f.pc;
        f.pc += 1;
        match op {
            0x00 => {
                f.status = Status::Success(Slice::default());
            }
            0x01..=0x0b => {
                let cost = match op {
                    0x01 | 0x03 => 3,
                    0x08 | 0x09 => 8,
                    0x0a => 10,
                    _ => 5,
                };
                use_gas(f, cost)?;
                let a = pop(f)?;
                let b = pop(f)?;
                let v = match op {
                    0x01 => a.wrapping_add(b),
                    0x02 => a.wrapping_mul(b),
                    0x03 => a.wrapping_sub(b),
                    0x04 => a.checked_div(b).unwrap_or_default(),
                    0x05 => {
                        if b.is_zero() {
                            U256::ZERO
                        } else {
                            let q = abs(a) / abs(b);
                            if is_neg(a) != is_neg(b) {
                                q.wrapping_neg()
                            } else {
                                q
                            }
                        }
                    }
                    0x06 => a.checked_rem(b).unwrap_or_default(),
                    0x07 => {
                        if b.is_zero() {
                            U256::ZERO
                        } else {
                            let r = abs(a) % abs(b);
                            if is_neg(a) {
                                r.wrapping_neg()
                            } else {
                                r
                            }
                        }
                    }
                    0x08 | 0x09 => {
                        let m = pop(f)?;
                        if m.is_zero() {
                            U256::ZERO
                        } else if op == 0x08 {
                            a.add_mod(b, m)
                        } else {
                            a.mul_mod(b, m)
                        }
                    }
                    0x0a => {
                        use_gas(f, 50 * (b.bit_len() as u64).div_ceil(8))?;
                        a.wrapping_pow(b)
                    }
                    _ => {
                        // SIGNEXTEND(b = byte index a, x = b)
                        if a < U256::from(31) {
                            let bit = a.to::<usize>() * 8 + 7;
                            let mask = (U256::from(1) << (bit + 1)) - U256::from(1);
                            if b.bit(bit) {
                                b | !mask
                            } else {
                                b & mask
                            }
                        } else {
                            b
                        }
                    }
                };
                push(f, v)?;
            }
            0x10..=0x14 | 0x16..=0x18 | 0x1a..=0x1d => {
                use_gas(f, 3)?;
                let a = pop(f)?;
                let b = pop(f)?;
                let v = match op {
                    0x10 => b2u(a < b),
                    0x11 => b2u(a > b),
                    0x12 => b2u(slt(a, b)),
                    0x13 => b2u(slt(b, a)),
                    0x14 => b2u(a == b),
                    0x16 => a & b,
                    0x17 => a | b,
                    0x18 => a ^ b,
                    0x1a => {
                        if a < U256::from(32) {
                            (b >> (8 * (31 - a.to::<usize>()))) & U256::from(0xff)
                        } else {
                            U256::ZERO
                        }
                    }
                    0x1b => {
                        if a < U256::from(256) {
                            b << a.to::<usize>()
                        } else {
                            U256::ZERO
                        }
                    }
                    0x1c => {
                        if a < U256::from(256) {
                            b >> a.to::<usize>()
                        } else {
                            U256::ZERO
                        }
                    }
                    _ => {
                        let neg = is_neg(b);
                        if a >= U256::from(256) {
                            if neg {
                                U256::MAX
                            } else {
                                U256::ZERO
                            }
                        } else {
                            let s = a.to::<usize>();
                            if neg {
                                !((!b) >> s)
                            } else {
                                b >> s
                            }
                        }
                    }
                };
                push(f, v)?;
            }
            0x15 | 0x19 => {
                use_gas(f, 3)?;
                let a = pop(f)?;
                push(f, if op == 0x15 { b2u(a.is_zero()) } else { !a })?;
            }
            0x20 => {
                let off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, 30u64.saturating_add(6u64.saturating_mul(words(len))))?;
                let (o, n) = expand(f, off, size)?;
                self.hash_memory(f, o, n, AfterHash::Push)?;
            }
            0x30 => {
                use_gas(f, 2)?;
                push(f, word_of(f.address))?;
            }
            0x31 | 0x3b | 0x3f => {
                let a = addr_of(pop(f)?);
                let cost = self.access_cost(a)?;
                use_gas(f, cost)?;
                let rec = self.account(a)?;
                let v = match op {
                    0x31 => rec.map(|r| r.balance).unwrap_or_default(),
                    0x3b => U256::from(rec.map(|r| r.code_size).unwrap_or_default()),
                    _ => rec.map(|r| U256::from_be_bytes(r.code_hash.0)).unwrap_or_default(),
                };
                push(f, v)?;
            }
            0x32 => {
                use_gas(f, 2)?;
                push(f, word_of(self.tx()?.sender))?;
            }
            0x33 => {
                use_gas(f, 2)?;
                push(f, word_of(f.caller))?;
            }
            0x34 => {
                use_gas(f, 2)?;
                push(f, f.value)?;
            }
            0x35 => {
                use_gas(f, 3)?;
                let off = pop(f)?;
                let w = match u64::try_from(off) {
                    Ok(o) => self.read_slice(&f.calldata.clone(), o, 32)?,
                    Err(_) => vec![0u8; 32],
                };
                push(f, U256::from_be_slice(&w))?;
            }
            0x36 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.calldata.len))?;
            }
            0x37 | 0x39 | 0x3e => {
                let mem_off = pop(f)?;
                let data_off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, 3u64.saturating_add(3u64.saturating_mul(words(len))))?;
                if op == 0x3e {
                    let end = data_off.checked_add(size);
                    if end.is_none_or(|e| e > U256::from(f.returndata.len)) {
                        return halt(Halt::ReturnDataOutOfBounds);
                    }
                }
                let (o, n) = expand(f, mem_off, size)?;
                if n > 0 {
                    let src = match op {
                        0x37 => Source::Calldata,
                        0x39 => Source::Code,
                        _ => Source::Returndata,
                    };
                    // Past the end of the source reads zeros: an offset beyond u64 is past it.
                    let from = u64::try_from(data_off).unwrap_or(u64::MAX).min(u64::MAX - n);
                    self.copy(f, src, from, o, n)?;
                }
            }
            0x38 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.code.len))?;
            }
            0x3a => {
                use_gas(f, 2)?;
                push(f, U256::from(self.effective_gas_price()))?;
            }
            0x3c => {
                let a = addr_of(pop(f)?);
                let mem_off = pop(f)?;
                let code_off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                let cost = self.access_cost(a)?;
                use_gas(f, cost.saturating_add(3u64.saturating_mul(words(len))))?;
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
                        let view = Slice { tree: Tree::from_bytes(&code), offset: 0, len: clen };
                        f.pending = Some(Pending::CopyView { view, from, to: o, left: n });
                    }
                }
            }
            0x3d => {
                use_gas(f, 2)?;
                push(f, U256::from(f.returndata.len))?;
            }
            0x40 => {
                use_gas(f, 20)?;
                let n = pop(f)?;
                let cur = self.block.number;
                let v = match u64::try_from(n) {
                    Ok(n) if n < cur && cur - n <= 256 => match &self.block.block_hashes {
                        BlockHashes::State => self.io.storage(
                            &self.world,
                            &faultline_primitives::history::HISTORY_STORAGE_ADDRESS,
                            &faultline_primitives::history::history_slot(n),
                        )?,
                        BlockHashes::Tree(t) => U256::from_be_bytes(self.io.words(t, 256 - (cur - n), 1)?[0].0),
                    },
                    _ => U256::ZERO,
                };
                push(f, v)?;
            }
            0x41 => {
                use_gas(f, 2)?;
                push(f, word_of(self.block.coinbase))?;
            }
            0x42 => {
                use_gas(f, 2)?;
                push(f, U256::from(self.block.timestamp))?;
            }
            0x43 => {
                use_gas(f, 2)?;
                push(f, U256::from(self.block.number))?;
            }
            0x44 => {
                use_gas(f, 2)?;
                push(f, U256::from_be_bytes(self.block.prevrandao.0))?;
            }
            0x45 => {
                use_gas(f, 2)?;
                push(f, U256::from(self.block.gas_limit))?;
            }
            0x46 => {
                use_gas(f, 2)?;
                push(f, U256::from(self.block.chain_id))?;
            }
            0x47 => {
                use_gas(f, 5)?;
                let b = self.balance(f.address)?;
                push(f, b)?;
            }
            0x48 => {
                use_gas(f, 2)?;
                push(f, U256::from(self.basefee()))?;
            }
            0x49 => {
                // BLOBHASH: L2 transactions carry no blobs.
                use_gas(f, 3)?;
                pop(f)?;
                push(f, U256::ZERO)?;
            }
            0x4a => {
                use_gas(f, 2)?;
                push(f, U256::from(self.block.blob_basefee))?;
            }
            0x50 => {
                use_gas(f, 2)?;
                pop(f)?;
            }
            0x51 => {
                use_gas(f, 3)?;
                let off = pop(f)?;
                let (o, _) = expand(f, off, U256::from(32))?;
                let v = self.io.read(&f.memory, o, 32)?;
                push(f, U256::from_be_slice(&v))?;
            }
            0x52 | 0x53 => {
                use_gas(f, 3)?;
                let off = pop(f)?;
                let v = pop(f)?;
                if op == 0x52 {
                    let (o, _) = expand(f, off, U256::from(32))?;
                    self.io.write(&mut f.memory, o, &v.to_be_bytes::<32>())?;
                } else {
                    let (o, _) = expand(f, off, U256::from(1))?;
                    self.io.write(&mut f.memory, o, &[v.byte(0)])?;
                }
            }
            0x54 => {
                let slot = pop(f)?;
                let (cold, v) = self.warm_slot(f.address, slot, true)?;
                use_gas(f, if cold { 2100 } else { 100 })?;
                push(f, v)?;
            }
            0x55 => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                if f.gas <= 2300 {
                    return halt(Halt::OutOfGas);
                }
                let slot = pop(f)?;
                let new = pop(f)?;
                let a = f.address;
                let (cold, current) = self.warm_slot(a, slot, true)?;
                let mut cost = if cold { 2100 } else { 0 };
                let original = if cold { current } else { U256::from_be_bytes(self.sub_get(tags::ORIGINAL, &a, Some(&slot))?.0) };
                let mut refund: i64 = 0;
                if current == new {
                    cost += 100;
                } else if original == current {
                    if original.is_zero() {
                        cost += 20_000;
                    } else {
                        cost += 2_900;
                        if new.is_zero() {
                            refund += 4_800;
                        }
                    }
                } else {
                    cost += 100;
                    if !original.is_zero() {
                        if current.is_zero() {
                            refund -= 4_800;
                        } else if new.is_zero() {
                            refund += 4_800;
                        }
                    }
                    if original == new {
                        refund += if original.is_zero() { 19_900 } else { 2_800 };
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
            0x56 | 0x57 => {
                use_gas(f, if op == 0x56 { 8 } else { 10 })?;
                let dest = pop(f)?;
                let jump = if op == 0x57 { !pop(f)?.is_zero() } else { true };
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
            0x58 => {
                use_gas(f, 2)?;
                push(f, U256::from(pc))?;
            }
            0x59 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.memory_len))?;
            }
            0x5a => {
                use_gas(f, 2)?;
                push(f, U256::from(f.gas))?;
            }
            0x5b => use_gas(f, 1)?,
            0x5c => {
                use_gas(f, 100)?;
                let slot = pop(f)?;
                let v = self.sub_get(tags::TRANSIENT, &f.address, Some(&slot))?;
                push(f, U256::from_be_bytes(v.0))?;
            }
            0x5d => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                use_gas(f, 100)?;
                let slot = pop(f)?;
                let v = pop(f)?;
                let a = f.address;
                let old = self.sub_get(tags::TRANSIENT, &a, Some(&slot))?;
                self.sub_set(tags::TRANSIENT, &a, Some(&slot), B256::from(v))?;
                self.journal.push(Undo::Transient(a, slot, U256::from_be_bytes(old.0)));
            }
            0x5e => {
                let dst = pop(f)?;
                let src = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, 3u64.saturating_add(3u64.saturating_mul(words(len))))?;
                if !size.is_zero() {
                    // Expand for the larger end; the cost depends only on the final size.
                    let (s, _) = expand(f, src, size)?;
                    let (d, n) = expand(f, dst, size)?;
                    self.copy(f, Source::Memory, s, d, n)?;
                }
            }
            0x5f..=0x7f => {
                use_gas(f, if op == 0x5f { 2 } else { 3 })?;
                let n = (op - 0x5f) as u64;
                let data = self.code_bytes(f, pc + 1, n)?;
                let mut buf = [0u8; 32];
                buf[32 - n as usize..].copy_from_slice(&data);
                push(f, U256::from_be_bytes(buf))?;
                f.pc += n;
            }
            0x80..=0x8f => {
                use_gas(f, 3)?;
                let n = (op - 0x7f) as u64;
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
            0x90..=0x9f => {
                use_gas(f, 3)?;
                let n = (op - 0x8f) as u64;
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
            0xa0..=0xa4 => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                let off = pop(f)?;
                let size = pop(f)?;
                let n = (op - 0xa0) as usize;
                let mut topics = Vec::with_capacity(n);
                for _ in 0..n {
                    topics.push(B256::from(pop(f)?.to_be_bytes::<32>()));
                }
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, (375 + 375 * n as u64).saturating_add(8u64.saturating_mul(len)))?;
                let (o, l) = expand(f, off, size)?;
                self.hash_memory(f, o, l, AfterHash::Log { topics })?;
            }
            0xf0 | 0xf5 => return self.create(f, op, depth),
            0xf1 | 0xf2 | 0xf4 | 0xfa => return self.call(f, op, depth),
            0xf3 | 0xfd => {
                let off = pop(f)?;
                let size = pop(f)?;
                let (o, n) = expand(f, off, size)?;
                if op == 0xf3 && f.kind == FrameKind::Create {
                    self.deposit_code(f, o, n)?;
                } else {
                    let out = Slice { tree: f.memory.clone(), offset: o, len: n };
                    f.status = if op == 0xf3 { Status::Success(out) } else { Status::Revert(out) };
                }
            }
            0xff => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                let to = addr_of(pop(f)?);
                let mut cost = 5_000;
                if self.warm_address(to, true)? {
                    cost += 2_600;
                }
                let me = f.address;
                let bal = self.balance(me)?;
                if !bal.is_zero() && self.is_empty(to)? {
                    cost += 25_000;
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
        Ok(None)
    }

    fn call(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        let requested = pop(f)?;
        let to = addr_of(pop(f)?);
        let value = if matches!(op, 0xf1 | 0xf2) { pop(f)? } else { U256::ZERO };
        let args_off = pop(f)?;
        let args_size = pop(f)?;
        let ret_off = pop(f)?;
        let ret_size = pop(f)?;
        if op == 0xf1 && f.is_static && !value.is_zero() {
            return halt(Halt::StaticWrite);
        }
        let (ao, an) = expand(f, args_off, args_size)?;
        let (ro, rn) = expand(f, ret_off, ret_size)?;
        let mut cost = self.access_cost(to)?;
        if !value.is_zero() {
            cost += 9_000;
            if op == 0xf1 && self.is_empty(to)? {
                cost += 25_000;
            }
        }
        use_gas(f, cost)?;
        let cap = f.gas - f.gas / 64;
        let mut gas = u64::try_from(requested).unwrap_or(u64::MAX).min(cap);
        f.gas -= gas;
        if !value.is_zero() {
            gas += 2_300;
        }
        f.returndata = Slice::default();
        let fails = depth > MAX_DEPTH || (!value.is_zero() && self.balance(f.address)? < value);
        if fails {
            f.gas += gas;
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        let checkpoint = self.journal.len();
        if op == 0xf1 && to != f.address {
            self.transfer(f.address, to, value)?;
        }
        let code = call_code(self.account(to)?, &to);
        let (address, caller, frame_value) = match op {
            0xf1 => (to, f.address, value),
            0xf2 => (f.address, f.address, value),
            0xf4 => (f.address, f.caller, f.value),
            _ => (to, f.address, U256::ZERO),
        };
        let calldata = Slice { tree: f.memory.clone(), offset: ao, len: an };
        let mut c = new_frame(FrameKind::Call, code, address, to, caller, frame_value, gas, calldata, checkpoint);
        c.is_static = f.is_static || op == 0xfa;
        f.ret_offset = ro;
        f.ret_size = rn;
        Ok(Some(Child(c)))
    }

    fn create(&mut self, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        if f.is_static {
            return halt(Halt::StaticWrite);
        }
        let value = pop(f)?;
        let off = pop(f)?;
        let size = pop(f)?;
        let salt = if op == 0xf5 { Some(pop(f)?) } else { None };
        if size > U256::from(MAX_INITCODE_SIZE) {
            return halt(Halt::InitCodeTooLarge);
        }
        let w = words(size.to::<u64>());
        let hash_cost = if salt.is_some() { 6 * w } else { 0 };
        use_gas(f, 32_000 + 2 * w + hash_cost)?;
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
    fn create_at(&mut self, f: &mut Frame, address: Address, value: U256, o: u64, n: u64) -> Result<Option<Child>, StepError> {
        let gas = f.gas - f.gas / 64;
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

/// Runs the Cancun precompile at `address` on `input` with `gas`, within the L2's
/// bounds: `Some((gas used, output))` on success, `None` on any failure (out of gas,
/// bad input, over [`PRECOMPILE_MAX_INPUT`] bytes of input or [`PRECOMPILE_MAX_GAS`]
/// gas, a modexp operand over [`MODEXP_MAX_OPERAND`] bytes (EIP-7823) or a modexp the L1
/// prices over [`PRECOMPILE_MAX_GAS`]: `faultline_primitives::limits::precompile_refused`).
/// The gas used is Cancun's price. revm's implementation here; the L1 verifier calls the
/// L1 precompile at the same address, which charges [`l1_precompile_gas`].
pub fn run_precompile(address: &Address, input: &[u8], gas: u64) -> Option<(u64, Bytes)> {
    let p = revm::precompile::Precompiles::cancun().get(address)?;
    let unbounded = |g: u64| matches!(p.execute(input, g, 0), Ok(out) if out.status.is_success() && out.gas_used <= g);
    let id = address.as_slice()[19];
    if faultline_primitives::limits::precompile_refused(address, input) {
        if unbounded(gas) {
            crate::meter::hit_bound(id);
        }
        return None;
    }
    let limit = gas.min(PRECOMPILE_MAX_GAS);
    match p.execute(input, limit, 0) {
        Ok(out) if out.status.is_success() && out.gas_used <= limit => Some((out.gas_used, out.bytes)),
        _ => {
            if limit < gas && unbounded(gas) {
                crate::meter::hit_bound(id);
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

/// The intrinsic data gas counts of `data`: (zero bytes, length).
pub fn data_counts(data: &[u8]) -> (u64, u64) {
    (data.iter().filter(|b| **b == 0).count() as u64, data.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        l2::tx_ctx_of,
        machine::{BlockCtx, Machine, Phase, TxOutcome},
        trace::{commitment_at, run, run_checked, state_at, step_recorded, witness_at},
        witness::{decode, encode},
        world::{Account, FullWorld, MemWorld, World},
    };
    use alloy_primitives::keccak256;
    use std::{collections::BTreeMap, rc::Rc};

    const SENDER: Address = Address::with_last_byte(0xaa);
    const CONTRACT: Address = Address::with_last_byte(0xcc);

    fn world(accounts: &BTreeMap<Address, Account>) -> World {
        World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(accounts)))))
    }

    fn block() -> BlockCtx {
        BlockCtx { number: 1, gas_limit: 30_000_000, basefee: 7, chain_id: 1, ..Default::default() }
    }

    fn call(data: Vec<u8>, gas: u64) -> TxCtx {
        tx_ctx_of(2, B256::repeat_byte(0x11), SENDER, Some(CONTRACT), U256::ZERO, data.into(), gas, 10, Some(1), 0, Some(1), &[], None)
    }

    /// A block calling `code` at CONTRACT from a funded sender.
    fn machine_with(code: &[u8], data: Vec<u8>, gas: u64) -> Machine {
        let mut accounts = BTreeMap::new();
        accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
        accounts.insert(CONTRACT, Account { code: Bytes::copy_from_slice(code), ..Default::default() });
        Machine::new(block(), vec![call(data, gas)], world(&accounts))
    }

    fn machine(code: &[u8]) -> Machine {
        machine_with(code, Vec::new(), 100_000)
    }

    fn slot(m: &Machine, a: Address, s: u64) -> U256 {
        m.world.full().expect("full").storage(&a, &U256::from(s)).expect("read")
    }

    /// Runs `code` (which must store its result in slot 0) and returns slot 0.
    fn slot0(code: &[u8]) -> U256 {
        let (end, _) = run(machine(code)).expect("runs");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
        slot(&end, CONTRACT, 0)
    }

    fn push32(v: U256) -> Vec<u8> {
        let mut c = vec![0x7f];
        c.extend_from_slice(&v.to_be_bytes::<32>());
        c
    }

    /// `b OP a` with a on top, result into slot 0.
    fn binop(op: u8, a: U256, b: U256) -> U256 {
        let mut c = push32(b);
        c.extend(push32(a));
        c.extend([op, 0x5f, 0x55, 0x00]);
        slot0(&c)
    }

    #[test]
    fn signed_arithmetic_edges() {
        let min = U256::from(1) << 255;
        let minus_one = U256::MAX;
        assert_eq!(binop(0x05, min, minus_one), min, "SDIV(MIN, -1) = MIN");
        assert_eq!(binop(0x05, U256::from(7), minus_one), U256::from(7).wrapping_neg());
        assert_eq!(binop(0x07, U256::from(7).wrapping_neg(), U256::from(3)), U256::from(1).wrapping_neg(), "SMOD takes the dividend's sign");
        assert_eq!(binop(0x1d, U256::from(4), min), !(U256::MAX >> 5usize), "SAR keeps the sign");
        assert_eq!(binop(0x1d, U256::from(300), minus_one), U256::MAX);
        assert_eq!(binop(0x0b, U256::ZERO, U256::from(0xff)), U256::MAX, "SIGNEXTEND byte 0 of 0xff");
        assert_eq!(binop(0x12, minus_one, U256::ZERO), U256::from(1), "SLT(-1, 0)");
        assert_eq!(binop(0x1a, U256::from(31), U256::from(0xabcd)), U256::from(0xcd), "BYTE 31");
    }

    #[test]
    fn errors_are_steps_that_consume_the_frame_gas() {
        // JUMP to a non-JUMPDEST: the call fails, the sender pays all 100k gas.
        let (end, steps) = run(machine(&[0x60, 0x03, 0x56, 0x00])).expect("runs");
        assert_eq!(end.outcomes[0], TxOutcome::Ran { success: false, gas_used: 100_000, logs: vec![] });
        // NextTx, tx-begin, enter, code load, PUSH1, JUMP (halts), frame-exit, tx-end, block end.
        assert_eq!(steps, 9);
        // A JUMPDEST byte inside push data is not a destination.
        let (end, _) = run(machine(&[0x60, 0x03, 0x56, 0x60, 0x5b, 0x00])).expect("runs");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: false, .. }));
        // Stack underflow and an undefined opcode end the same way.
        for code in [&[0x01u8][..], &[0x0c]] {
            let (end, _) = run(machine(code)).expect("runs");
            assert_eq!(end.outcomes[0], TxOutcome::Ran { success: false, gas_used: 100_000, logs: vec![] });
        }
    }

    /// Every step of `m` checks, and the witness of step k from re-execution steps
    /// commitment k to commitment k + 1.
    fn every_step_checks(m: &Machine) -> crate::trace::TraceStats {
        let (_, stats) = run_checked(m.clone()).expect("every step checks");
        for k in 0..stats.steps {
            let w = witness_at(m, k).expect("witness");
            let pre = commitment_at(m, k).expect("commitment");
            assert_eq!(step(pre, &w).expect("step"), commitment_at(m, k + 1).expect("commitment"), "step {k}");
        }
        // Done stays Done: past the end, the step is a no-op.
        for k in [stats.steps, stats.steps + 1, stats.steps.next_power_of_two()] {
            let end = commitment_at(m, k).expect("commitment");
            assert_eq!(step(end, &witness_at(m, k).expect("witness")), Ok(end), "padding step {k}");
        }
        stats
    }

    #[test]
    fn every_step_checks_and_random_access_agrees() {
        // SSTORE 1 into slot 0, LOG0 of 32 bytes of memory, KECCAK of it, RETURN.
        let code = [0x60, 0x01, 0x5f, 0x55, 0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xa0, 0x60, 0x20, 0x5f, 0x20, 0x50, 0x60, 0x20, 0x5f, 0xf3];
        let m = machine(&code);
        let stats = every_step_checks(&m);
        let (end, _) = run(m).expect("runs");
        let TxOutcome::Ran { success: true, logs, .. } = &end.outcomes[0] else { panic!("{:?}", end.outcomes) };
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].data.data.as_ref(), &U256::from(0x2a).to_be_bytes::<32>());
        assert!(stats.kinds.contains_key(&StepKind::Bloom));
        assert!(end.output_root().is_some());
    }

    #[test]
    fn long_copies_hashes_and_logs_are_micro_steps_with_small_witnesses() {
        // CALLDATACOPY 10,000 bytes of call data to memory 0; KECCAK256 over them into
        // slot 0; LOG0 of them; RETURN 10,000 bytes.
        let n: u16 = 10_000;
        let [hi, lo] = n.to_be_bytes();
        let code = [
            0x61, hi, lo, 0x5f, 0x5f, 0x37, // CALLDATACOPY(0, 0, n)
            0x61, hi, lo, 0x5f, 0x20, 0x5f, 0x55, // SSTORE(0, KECCAK256(0, n))
            0x61, hi, lo, 0x5f, 0xa0, // LOG0(0, n)
            0x61, hi, lo, 0x5f, 0xf3, // RETURN(0, n)
        ];
        let data: Vec<u8> = (0..n as usize).map(|i| (i * 31 % 251) as u8 + 1).collect();
        let m = machine_with(&code, data.clone(), 1_000_000);
        let stats = every_step_checks(&m);
        let (end, _) = run(m).expect("runs");
        assert_eq!(slot(&end, CONTRACT, 0), U256::from_be_bytes(keccak256(&data).0));
        let TxOutcome::Ran { success: true, logs, .. } = &end.outcomes[0] else { panic!("{:?}", end.outcomes) };
        assert_eq!(logs[0].data.data.as_ref(), &data[..]);
        assert!(stats.kinds[&StepKind::Copy] >= 2, "{:?}", stats.kinds);
        assert!(stats.kinds[&StepKind::Hash] >= 2 * 9, "{:?}", stats.kinds);
        assert!(stats.max_witness < 16_000, "largest witness {} ({:?})", stats.max_witness, stats.max_witness_kind);
    }

    #[test]
    fn calls_creates_and_destruction_in_one_transaction() {
        // Init code that stores CALLVALUE in slot 7 and returns runtime code
        // (PUSH1 0x2a PUSH0 SSTORE SELFDESTRUCT(0xbb) ): the creator calls it, which
        // destroys it (created in this transaction: EIP-6780 deletes it and its slots).
        let runtime = [0x60, 0x2a, 0x5f, 0x55, 0x60, 0xbb, 0xff];
        let len = runtime.len() as u8;
        // SSTORE(7, CALLVALUE); CODECOPY(0, 14, len); RETURN(0, len); runtime.
        let mut init = vec![0x34, 0x60, 0x07, 0x55, 0x60, len, 0x60, 14, 0x5f, 0x39, 0x60, len, 0x5f, 0xf3];
        assert_eq!(init.len(), 14);
        init.extend(runtime);
        // Creator: store the init code in memory, CREATE2 it with value 5 and salt 1, call
        // it, store the created address in slot 0.
        let mut code = Vec::new();
        let mut padded = init.clone();
        padded.resize(32, 0);
        code.extend(push32(U256::from_be_slice(&padded)));
        code.extend([0x5f, 0x52]); // MSTORE(0, init)
        code.extend([0x60, 0x01, 0x60, init.len() as u8, 0x5f, 0x60, 0x05, 0xf5]); // CREATE2(5, 0, len, 1)
        code.extend([0x80, 0x5f, 0x55]); // SSTORE(0, address)
        code.extend([0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x85, 0x61, 0xff, 0xff, 0xf1, 0x00]); // CALL(0xffff, addr, 0, 0, 0, 0, 0)
        let mut accounts = BTreeMap::new();
        accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
        accounts.insert(CONTRACT, Account { balance: U256::from(100), code: code.into(), ..Default::default() });
        let m = Machine::new(block(), vec![call(vec![], 500_000)], world(&accounts));
        let stats = every_step_checks(&m);
        let (end, _) = run(m).expect("runs");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
        let created = addr_of(slot(&end, CONTRACT, 0));
        assert_ne!(created, Address::ZERO);
        let w = end.world.full().unwrap();
        assert_eq!(w.account(&created), Ok(None), "destroyed with its account");
        assert_eq!(w.storage(&created, &U256::from(7)), Ok(U256::ZERO), "and its slots");
        assert_eq!(w.storage(&created, &U256::ZERO), Ok(U256::ZERO));
        assert_eq!(w.account(&Address::with_last_byte(0xbb)).unwrap().map(|r| r.balance), Some(U256::from(5)), "its balance went to the beneficiary");
        assert!(stats.kinds[&StepKind::Sweep] >= 3, "{:?}", stats.kinds);
    }

    #[test]
    fn a_revert_is_undone_one_record_per_step_and_a_forged_record_is_refused() {
        // SSTORE 1→0, 2→1, 3→2, then REVERT(0, 0).
        let code = [0x60, 1, 0x5f, 0x55, 0x60, 2, 0x60, 1, 0x55, 0x60, 3, 0x60, 2, 0x55, 0x5f, 0x5f, 0xfd];
        let m = machine(&code);
        let (end, stats) = run_checked(m.clone()).expect("every step checks");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: false, .. }));
        assert_eq!(slot(&end, CONTRACT, 0), U256::ZERO, "the writes are undone");
        // Each SSTORE journals the warm slot and the value: six records, six undo steps.
        assert_eq!(stats.kinds.get(&StepKind::Undo), Some(&6));
        let k = (0..stats.steps)
            .find(|k| {
                let mut s = state_at(&m, *k).expect("state");
                matches!(s.step(), Ok(StepKind::Undo))
            })
            .expect("an undo step");
        let pre = commitment_at(&m, k).expect("commitment");
        let mut s = state_at(&m, k).expect("state");
        let (_, bytes) = step_recorded(&mut s, k).expect("witness");
        let honest = decode(&bytes).expect("decodes");
        assert_eq!(honest.journal.carried_items().len(), 1, "the undo step carries exactly the record it pops");
        assert_eq!(step(pre, &bytes).expect("honest"), commitment_at(&m, k + 1).expect("commitment"));
        let mut forged = honest.clone();
        if let crate::stack::HashStack::Witness { top, .. } = &mut forged.journal {
            if let (_, Undo::Storage(_, _, v)) = &mut top[0] {
                *v = U256::from(99);
            }
        }
        assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
        let mut short = honest.clone();
        short.journal = crate::stack::HashStack::witness(honest.journal.head(), honest.journal.len(), Vec::new());
        assert!(matches!(step(pre, &encode(&short).unwrap()), Err(StepError::Missing(_))));
    }

    #[test]
    fn a_witness_cannot_lie() {
        let m = machine(&[0x60, 0x01, 0x60, 0x02, 0x01, 0x5f, 0x55, 0x00]);
        let k = 6; // NextTx, Begin, Enter, CodeLoad, PUSH1, PUSH1, ADD
        let pre = commitment_at(&m, k).expect("commitment");
        let mut s = state_at(&m, k).expect("state");
        let (kind, bytes) = step_recorded(&mut s, k).expect("witness");
        assert_eq!(kind, StepKind::Opcode(0x01));
        let honest = decode(&bytes).expect("decodes");
        let post = step(pre, &bytes).expect("honest step");
        // A different stack item: it no longer matches the chain.
        let mut forged = honest.clone();
        if let Some(crate::stack::HashStack::Witness { top, .. }) = forged.top.as_mut().map(|f| &mut f.stack) {
            top[0].1 = U256::from(40);
        }
        assert!(step(pre, &encode(&forged).unwrap()).is_err());
        // A stack item the step does not pop (the real one, with its chain value): the
        // second PUSH1 pops nothing, so a witness carrying the item below is refused.
        let mut at5 = state_at(&m, 5).expect("state");
        let full_stack = at5.top.as_ref().unwrap().stack.clone();
        let (_, push_bytes) = step_recorded(&mut at5, 5).expect("witness");
        let mut long = decode(&push_bytes).expect("decodes");
        assert!(long.top.as_ref().unwrap().stack.carried_items().is_empty());
        long.top.as_mut().unwrap().stack = full_stack.to_witness(1);
        let pre5 = commitment_at(&m, 5).expect("commitment");
        assert!(step(pre5, &push_bytes).is_ok());
        assert!(matches!(step(pre5, &encode(&long).unwrap()), Err(StepError::Unused(_))));
        // A different opcode in the code chunk the step opens.
        let mut forged = honest.clone();
        if let Io::Witness(q) = &mut forged.io {
            if let Some(crate::machine::Access::Range { words, .. }) = q.front_mut() {
                let mut w = words[0];
                w[1 + 4] = 0x02; // MUL instead of ADD
                words[0] = w;
            }
        }
        assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
        // An access left out, or one too many.
        let mut short = honest.clone();
        if let Io::Witness(q) = &mut short.io {
            q.clear();
        }
        assert!(matches!(step(pre, &encode(&short).unwrap()), Err(StepError::Missing(_))));
        let mut long = honest.clone();
        if let Io::Witness(q) = &mut long.io {
            let extra = q.front().cloned().expect("an access");
            q.push_back(extra);
        }
        assert!(matches!(step(pre, &encode(&long).unwrap()), Err(StepError::Unused(_))));
        // A wrong claimed pre-state.
        assert!(matches!(step(post, &bytes), Err(StepError::WrongPreState { .. })));
        // Truncated, or a byte too many.
        assert!(matches!(step(pre, &bytes[..bytes.len() - 1]), Err(StepError::Malformed(_))));
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(matches!(step(pre, &trailing), Err(StepError::Malformed(_))));
    }

    #[test]
    fn forged_world_proofs_are_refused() {
        // SLOAD of a slot that holds 5.
        let mut accounts = BTreeMap::new();
        accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
        accounts.insert(CONTRACT, Account::new(0, U256::ZERO, Bytes::from_static(&[0x60, 0x03, 0x54, 0x00]), [(U256::from(3), U256::from(5))]));
        let m = Machine::new(block(), vec![call(vec![], 100_000)], world(&accounts));
        let k = 5; // the SLOAD
        let pre = commitment_at(&m, k).expect("commitment");
        let mut s = state_at(&m, k).expect("state");
        let (kind, bytes) = step_recorded(&mut s, k).expect("witness");
        assert_eq!(kind, StepKind::Opcode(0x54));
        assert!(step(pre, &bytes).is_ok());
        let mut forged = decode(&bytes).expect("decodes");
        let mut tampered = false;
        if let Io::Witness(q) = &mut forged.io {
            for a in q.iter_mut() {
                if let crate::machine::Access::Smt(acc) = a {
                    if acc.proof.leaf_value_hash == B256::from(U256::from(5)) {
                        acc.proof.leaf_value_hash = B256::from(U256::from(6));
                        tampered = true;
                    }
                }
            }
        }
        assert!(tampered, "the step opens the slot");
        assert!(matches!(step(pre, &encode(&forged).unwrap()), Err(StepError::Missing(_))));
    }

    #[test]
    fn a_witness_reads_no_prover_only_field() {
        // v1 read the prover's inputs list and access-list items when a witness carried
        // them: a witness holding a forged input stepped to the forged transaction. The
        // decoder never builds them, and the step ignores them on a witness.
        let mut tx = call(vec![], 100_000);
        tx = tx_ctx_of(1, tx.hash, SENDER, tx.to, U256::ZERO, Bytes::new(), 100_000, 10, None, 0, Some(1), &[(CONTRACT, vec![B256::ZERO])], None);
        let m = Machine::new(block(), vec![tx.clone()], machine(&[0x00]).world);
        for (k, kind) in [(0u64, StepKind::NextTx), (2, StepKind::Warm)] {
            let mut s = state_at(&m, k).expect("state");
            let pre = s.commitment().expect("commitment");
            let (got, bytes) = step_recorded(&mut s, k).expect("witness");
            assert_eq!(got, kind);
            let post = s.commitment().expect("commitment");
            let mut w = decode(&bytes).expect("decodes");
            assert!(w.inputs.txs.is_none() && w.tx.as_ref().is_none_or(|t| t.access_items.is_none()));
            let mut forged = tx.clone();
            forged.gas_limit = 99;
            w.inputs.txs = Some(Rc::new(vec![forged]));
            if let Some(t) = w.tx.as_mut() {
                t.access_items = Some(vec![AccessItem { address: Address::with_last_byte(0x77), slot: None }]);
            }
            assert_eq!(step_machine(pre, w), Ok(post), "{kind:?} ignores the prover-only fields");
        }
    }

    #[test]
    fn invalid_transactions_are_skipped_and_the_block_goes_on() {
        let mut m = machine(&[0x00]);
        let mut bad = call(vec![], 100_000);
        bad.nonce = 5;
        let good = call(vec![], 100_000);
        m = Machine::new(m.block.clone(), vec![bad, good], m.world.clone());
        let (end, _) = run_checked(m).expect("checks");
        assert!(matches!(&end.outcomes[0], TxOutcome::Invalid(why) if why.contains("nonce")));
        assert!(matches!(end.outcomes[1], TxOutcome::Ran { success: true, .. }));
        assert_eq!(end.acc.txs.count, 1, "only the valid one is in the transactions root");
        assert!(matches!(end.phase, Phase::Done { .. }));
    }

    fn modexp_input(lens: [usize; 3], fill: u8) -> Vec<u8> {
        let mut v: Vec<u8> = lens.iter().flat_map(|l| U256::from(*l).to_be_bytes::<32>()).collect();
        v.extend(std::iter::repeat_n(fill, lens.iter().sum()));
        v
    }

    /// EIP-7823 on the L2: a modexp with operands of 1,024 bytes runs, one declaring
    /// 1,025 fails (as on the sequencer), and that failure is marked as the L2's bound
    /// (Cancun would have run it). The L1 meter counts Osaka's price.
    #[test]
    fn modexp_operands_over_1024_bytes_fail() {
        // CALLDATACOPY(0, 0, size); SSTORE(0, STATICCALL(gas, 5, 0, size, 0, 32)).
        let code = [0x36, 0x5f, 0x5f, 0x37, 0x60, 0x20, 0x5f, 0x36, 0x5f, 0x60, 0x05, 0x5a, 0xfa, 0x5f, 0x55, 0x00];
        let m = MODEXP_MAX_OPERAND;
        for (lens, ok) in [([m, 1, 1], true), ([1, m, 1], true), ([1, 1, m], true), ([m + 1, 1, 1], false), ([1, m + 1, 1], false), ([1, 1, m + 1], false)] {
            let input = modexp_input(lens, 3);
            crate::meter::clear_bound_hit();
            let (end, stats) = run_checked(machine_with(&code, input.clone(), 1_000_000)).expect("every step checks");
            assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
            assert_eq!(slot(&end, CONTRACT, 0), U256::from(ok as u8), "{lens:?}");
            assert_eq!(crate::meter::bound_hit(), (!ok).then_some(5), "{lens:?}: a failure of the L2's bound");
            assert!(stats.kinds.contains_key(&StepKind::Precompile(5)));
            if ok {
                let cancun = revm::precompile::modexp::berlin_run(&input, u64::MAX).expect("runs").gas_used;
                let osaka = revm::precompile::modexp::osaka_run(&input, u64::MAX).expect("runs").gas_used;
                assert_eq!(run_precompile(&Address::with_last_byte(5), &input, 1_000_000).map(|r| r.0), Some(cancun), "the L2 charges Cancun's price");
                assert_eq!(l1_precompile_gas(&Address::with_last_byte(5), &input, cancun), osaka, "the L1 meter counts Osaka's");
            }
        }
        // Cancun's price far under the gas bound, the L1's over it: refused too.
        let mut over_l1 = modexp_input([m, 32, m], 1);
        over_l1[96 + m..96 + m + 32].copy_from_slice(&(U256::from(1u64) << 39usize).to_be_bytes::<32>());
        crate::meter::clear_bound_hit();
        assert_eq!(run_precompile(&Address::with_last_byte(5), &over_l1, 1_000_000), None);
        assert_eq!(crate::meter::bound_hit(), Some(5));
    }

    /// Osaka prices every Cancun precompile but modexp as Cancun does, so the L2's gas
    /// bound on what a call used bounds what the L1 precompile charges.
    #[test]
    fn osaka_prices_the_other_precompiles_as_cancun() {
        let (cancun, osaka) = (revm::precompile::Precompiles::cancun(), revm::precompile::Precompiles::osaka());
        let inputs: Vec<Vec<u8>> = vec![vec![], vec![1; 64], vec![0; 128], vec![0; 192], vec![0; 384], vec![7; 1000], vec![0; 213]];
        for id in (1..=10u8).filter(|i| *i != 5) {
            let a = Address::with_last_byte(id);
            for input in &inputs {
                let run = |p: &revm::precompile::Precompiles| {
                    p.get(&a).expect("a precompile").execute(input, 10_000_000, 0).ok().map(|o| (o.status.is_success(), o.gas_used))
                };
                assert_eq!(run(cancun), run(osaka), "precompile {id} on {} bytes", input.len());
            }
        }
    }

    /// CREATE2 of init code longer than a step hashes (micro-steps of the sponge, the
    /// frame starting in the last), and EXTCODECOPY longer than a step copies (the code
    /// loaded once into a tree, then copied from it, zero past its end): every step checks.
    #[test]
    fn long_create2_and_extcodecopy_are_micro_steps() {
        const OTHER: Address = Address::with_last_byte(0xdd);
        // Init code: SSTORE(0, 0x2a); STOP, then zeros to 10,000 bytes.
        let mut init = vec![0x60, 0x2a, 0x5f, 0x55, 0x00];
        init.resize(10_000, 0);
        let other: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut code = vec![0x36, 0x5f, 0x5f, 0x37]; // CALLDATACOPY(0, 0, size)
        code.extend([0x60, 0x07, 0x36, 0x5f, 0x5f, 0xf5, 0x5f, 0x55]); // SSTORE(0, CREATE2(0, 0, size, 7))
                                                                       // EXTCODECOPY(OTHER, 20,000, 5, 9,000); SSTORE(1, KECCAK256(20,000, 9,000))
        code.extend([0x61, 0x23, 0x28, 0x60, 0x05, 0x61, 0x4e, 0x20, 0x73]);
        code.extend_from_slice(OTHER.as_slice());
        code.extend([0x3c, 0x61, 0x23, 0x28, 0x61, 0x4e, 0x20, 0x20, 0x60, 0x01, 0x55]);
        // EXTCODECOPY(OTHER, 40,000, 9,000, 5,000): its last 4,000 bytes past the code.
        code.extend([0x61, 0x13, 0x88, 0x61, 0x23, 0x28, 0x61, 0x9c, 0x40, 0x73]);
        code.extend_from_slice(OTHER.as_slice());
        code.extend([0x3c, 0x61, 0x13, 0x88, 0x61, 0x9c, 0x40, 0x20, 0x60, 0x02, 0x55, 0x00]); // SSTORE(2, KECCAK256(40,000, 5,000))
        let mut accounts = BTreeMap::new();
        accounts.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
        accounts.insert(CONTRACT, Account { code: code.into(), ..Default::default() });
        accounts.insert(OTHER, Account { code: other.clone().into(), ..Default::default() });
        let m = Machine::new(block(), vec![call(init.clone(), 3_000_000)], world(&accounts));
        let stats = every_step_checks(&m);
        let (end, _) = run(m).expect("runs");
        assert!(matches!(end.outcomes[0], TxOutcome::Ran { success: true, .. }), "{:?}", end.outcomes);
        let created = CONTRACT.create2(B256::from(U256::from(7).to_be_bytes::<32>()), keccak256(&init));
        assert_eq!(addr_of(slot(&end, CONTRACT, 0)), created);
        assert_eq!(slot(&end, created, 0), U256::from(0x2a), "the init code ran");
        assert_eq!(slot(&end, CONTRACT, 1), U256::from_be_bytes(keccak256(&other[5..9_005]).0));
        let mut tail = other[9_000..].to_vec();
        tail.resize(5_000, 0);
        assert_eq!(slot(&end, CONTRACT, 2), U256::from_be_bytes(keccak256(&tail).0));
        assert!(stats.kinds[&StepKind::Hash] >= 10 + 9 + 5, "{:?}", stats.kinds);
        assert!(stats.kinds[&StepKind::Copy] >= 3 + 3 + 2, "{:?}", stats.kinds);
        assert!(stats.max_witness < 16_000, "largest witness {} ({:?})", stats.max_witness, stats.max_witness_kind);
    }
}
