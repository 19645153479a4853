//! One step of the machine (docs/fault-vm.md, "Step kinds"): the next input or the end
//! of the block (`block`), tx-begin and its micro-steps and tx-end with its sweep and
//! bloom micro-steps (`tx`), one opcode of the running frame (`instructions`, by
//! family), one precompile call (`precompile`), a code load (`frame`), a copy or hash
//! micro-step (`micro`), an undo or a frame-exit (`exit`). Cancun rules throughout.
//! This module holds the reference [`step`], the [`StepKind`]s, the machine's limits and
//! the helpers every family shares (gas, stack, memory expansion, the world and
//! substate accessors).
//!
//! The same code steps a full state (recording, when building a witness, what it opens
//! through [`Io`](crate::machine::Io)) and a witness (failing with
//! [`StepError::Missing`] if it lacks or cannot prove what the step needs), so the
//! reference [`step`] and the prover cannot disagree.

mod block;
mod exit;
mod frame;
mod input;
mod instructions;
mod micro;
mod precompile;
mod tx;

pub use precompile::{l1_precompile_gas, run_precompile};
pub use tx::data_counts;

use crate::{
    error::StepError,
    gas::{COLD_ACCOUNT_ACCESS, G_MEMORY, G_WARM_ACCESS, MEMORY_QUAD_DIVISOR},
    io::{sub_key, tags, ONE},
    machine::{Frame, FrameCode, FrameKind, Halt, IoMode, Machine, Phase, Slice, Status, Tree, TxCtx, Undo},
    meter::Meter,
    sponge::RATE,
};
use alloy_primitives::{Address, B256, KECCAK256_EMPTY, U256};
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
    /// One link of the deposit accumulator checked (from the block's last deposit down).
    DepositLink,
    /// A deposit's fields (and its data's first chunk) opened.
    DepositOpen,
    /// A chunk of a deposit's data.
    DepositData,
    /// A batch entry's item proof and first chunk (with the prefix decoded).
    TxOpen,
    /// A further chunk of a batch entry.
    TxChunk,
    /// An access-list header, item head or storage key of a batch entry.
    TxAccess,
    /// A batch entry's signature (with the signing hash and sender when the body fits).
    TxSignature,
    /// A chunk of a batch entry's signing hash (the last recovers the sender).
    TxSignHash,
}

impl StepKind {
    /// Whether the step opens the block's inputs from L1 (docs/fault-vm-inputs.md).
    pub fn is_input(self) -> bool {
        use StepKind::*;
        matches!(self, DepositLink | DepositOpen | DepositData | TxOpen | TxChunk | TxAccess | TxSignature | TxSignHash)
    }
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
    step_metered(pre, witness, &mut Meter::default())
}

/// [`step`], adding to `meter` what checking the step costs on L1 (docs/fault-vm.md,
/// "Bounds"): the hashes of the pre-state's commitment, of the step and of the
/// post-state's commitment, the permutations, the code bytes chunked, the precompile gas,
/// and a precompile call the L2's bounds made fail.
pub fn step_metered(pre: B256, witness: &[u8], meter: &mut Meter) -> Result<B256, StepError> {
    step_machine_metered(pre, crate::witness::decode(witness)?, meter)
}

/// [`step`] on a decoded witness (the prover checks a witness's prover-only fields are
/// ignored with it).
pub fn step_machine(pre: B256, witness: Machine) -> Result<B256, StepError> {
    step_machine_metered(pre, witness, &mut Meter::default())
}

/// [`step_metered`] on a decoded witness. The step reports to the machine's own meter
/// ([`Io::meter`](crate::machine::Io::meter)) and its stacks to their tallies; both are
/// added to `meter`.
pub fn step_machine_metered(pre: B256, mut witness: Machine, meter: &mut Meter) -> Result<B256, StepError> {
    if !witness.io.is_witness() {
        return Err(StepError::Inconsistent("step() takes a witness"));
    }
    let got = witness.commitment_metered(meter)?;
    if got != pre {
        return Err(StepError::WrongPreState { got, claimed: pre });
    }
    let carried = crate::witness::carried_items(&witness);
    witness.take_tallies();
    witness.io.meter = Meter::default();
    let stepped = witness.step();
    meter.add(&std::mem::take(&mut witness.io.meter));
    stepped?;
    if let IoMode::Witness(q) = &witness.io.mode {
        if !q.is_empty() {
            return Err(StepError::Unused(format!("{} access(es)", q.len())));
        }
    }
    let tally = witness.take_tallies();
    meter.add(&tally.meter);
    if tally.carried_pops != carried {
        return Err(StepError::Unused(format!("{} stack item(s)", carried.saturating_sub(tally.carried_pops))));
    }
    witness.commitment_metered(meter)
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
    G_MEMORY * words + words * words / MEMORY_QUAD_DIVISOR
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
    /// Takes the next step (of the next generation: [`Io::generation`](crate::machine::Io::generation)).
    pub fn step(&mut self) -> Result<StepKind, StepError> {
        self.io.generation += 1;
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
        let key = sub_key(tag, a, s, &mut self.io.meter);
        self.io.sub(&self.substate, &key)
    }

    fn sub_set(&mut self, tag: u8, a: &Address, s: Option<&U256>, v: B256) -> Result<(), StepError> {
        let key = sub_key(tag, a, s, &mut self.io.meter);
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
        Ok(if self.warm_address(a, true)? { COLD_ACCOUNT_ACCESS } else { G_WARM_ACCESS })
    }

    fn created(&mut self, a: &Address) -> Result<bool, StepError> {
        Ok(self.sub_get(tags::CREATED, a, None)? != B256::ZERO)
    }
}
