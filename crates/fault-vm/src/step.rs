//! One step of the machine (docs/fault-vm.md, "Step kinds"): tx-begin, one opcode of the
//! innermost frame, one precompile call, frame-exit, tx-end. Cancun rules throughout.
//!
//! The same code steps a full state (recording which parts it opened, [`Touched`]) and a
//! witness (failing with [`StepError::Missing`] if a part it needs is sealed), so the
//! reference [`step`] function and the tracer cannot disagree.

use crate::machine::{
    Account, Code, Encode, Frame, FrameKind, HashStack, Memory, Halt, Journal, Machine, Part, Phase, Status, StepError, Substate, Touched, Undo,
};
use alloy_primitives::{keccak256, Address, Bytes, Log, LogData, B256, U256};

/// The kind of a step, for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StepKind {
    /// Validation, gas purchase, warm sets, the first frame.
    TxBegin,
    /// One opcode.
    Opcode(u8),
    /// One precompile call.
    Precompile(u8),
    /// One journal record of a failed frame undone (before its frame-exit).
    Undo,
    /// A frame's result handed to its caller (or to tx-end).
    FrameExit,
    /// Refunds, fees, clean-up.
    TxEnd,
}

/// The reference step: checks that `witness` hashes to `pre`, takes one step and returns
/// the commitment after it. The Solidity verifier implements exactly this.
pub fn step(pre: B256, mut witness: Machine) -> Result<B256, StepError> {
    witness.sanitize()?;
    let got = witness.commitment();
    if got != pre {
        return Err(StepError::WrongPreState { got, claimed: pre });
    }
    witness.step(&mut Touched::default())?;
    Ok(witness.commitment())
}

/// Largest contract code (EIP-170).
pub const MAX_CODE_SIZE: usize = 24_576;
/// Largest init code (EIP-3860).
pub const MAX_INITCODE_SIZE: usize = 2 * MAX_CODE_SIZE;
/// Deepest call stack.
pub const MAX_DEPTH: usize = 1024;
const STACK_LIMIT: usize = 1024;
/// Memory end offsets beyond this cost more gas than exists; treated as out of gas.
const MEMORY_LIMIT: u64 = u32::MAX as u64;

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

/// Opens a hash-stack part for a step: on first touch its pre-image is the header alone.
fn open_stack<'a, T: Encode + Clone>(
    part: &'a mut Part<HashStack<T>>,
    touched: &mut bool,
    pre: Option<&mut Option<Part<HashStack<T>>>>,
    what: &'static str,
) -> Result<&'a mut HashStack<T>, StepError> {
    if !*touched {
        *touched = true;
        if let Some(pre) = pre {
            *pre = Some(match &*part {
                Part::Open(s) => Part::Open(s.header()),
                sealed => sealed.clone(),
            });
        }
    }
    part.open_mut(|| what.into())
}

/// Pops a hash-stack part's top item; a recording step adds it (with the chain value
/// below it) to the part's pre-image, so the witness carries exactly what was popped.
fn pop_stack<T: Encode + Clone>(
    part: &mut Part<HashStack<T>>,
    touched: &mut bool,
    mut pre: Option<&mut Option<Part<HashStack<T>>>>,
    what: &'static str,
) -> Result<T, StepError> {
    let (below, item) = open_stack(part, touched, pre.as_deref_mut(), what)?.pop()?;
    if let Some(Some(Part::Open(p))) = pre {
        p.top.insert(0, (below, item.clone()));
    }
    Ok(item)
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
    match f.stack.pop() {
        Some(v) => Ok(v),
        None => halt(Halt::StackUnderflow),
    }
}

fn push(f: &mut Frame, v: U256) -> Ev<()> {
    if f.stack.len() >= STACK_LIMIT {
        return halt(Halt::StackOverflow);
    }
    f.stack.push(v);
    Ok(())
}

/// Charges and performs the memory expansion for `[offset, offset + size)`; returns the
/// offset as usize (0 when size is 0).
fn expand(f: &mut Frame, offset: U256, size: U256) -> Ev<(usize, usize)> {
    if size.is_zero() {
        return Ok((0, 0));
    }
    let (Ok(off), Ok(len)) = (u64::try_from(offset), u64::try_from(size)) else {
        return halt(Halt::OutOfGas);
    };
    let Some(end) = off.checked_add(len).filter(|e| *e <= MEMORY_LIMIT) else {
        return halt(Halt::OutOfGas);
    };
    let cur = f.memory.len() as u64 / 32;
    let new = words(end);
    if new > cur {
        use_gas(f, mem_cost(new) - mem_cost(cur))?;
        f.memory.write().resize((new * 32) as usize, 0);
    }
    Ok((off as usize, len as usize))
}

/// `size` bytes of `data` from `offset`, zero padded.
fn padded(data: &[u8], offset: U256, size: usize) -> Vec<u8> {
    let mut out = vec![0u8; size];
    if let Ok(off) = usize::try_from(offset) {
        if off < data.len() {
            let n = size.min(data.len() - off);
            out[..n].copy_from_slice(&data[off..off + n]);
        }
    }
    out
}

fn is_jumpdest(code: &[u8], dest: U256) -> bool {
    let Ok(dest) = usize::try_from(dest) else { return false };
    if dest >= code.len() || code[dest] != 0x5b {
        return false;
    }
    let mut pc = 0;
    while pc < dest {
        let op = code[pc];
        pc += if (0x60..=0x7f).contains(&op) { (op - 0x5f) as usize + 1 } else { 1 };
    }
    pc == dest
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

/// A child frame an opcode asks for.
struct Child(Frame);

impl Machine {
    /// Takes the next step, recording the parts it opens in `t`.
    pub fn step(&mut self, t: &mut Touched) -> Result<StepKind, StepError> {
        match self.phase.clone() {
            Phase::Begin => {
                self.tx_begin(t)?;
                Ok(StepKind::TxBegin)
            }
            Phase::Run => self.run_step(t),
            Phase::End { gas_left, refund, success } => {
                self.tx_end(t, gas_left, refund, success)?;
                Ok(StepKind::TxEnd)
            }
            Phase::Done { .. } | Phase::Invalid(_) => Err(StepError::Finished),
        }
    }

    /// Whether no step is left.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Done { .. } | Phase::Invalid(_))
    }

    /// BASEFEE as the transaction sees it: the block's, or 0 for a deposit.
    pub fn basefee(&self) -> u64 {
        if self.tx.mint.is_some() {
            0
        } else {
            self.block.basefee
        }
    }

    /// The price per gas the sender pays.
    pub fn effective_gas_price(&self) -> u128 {
        match self.tx.max_priority_fee {
            Some(tip) => self.tx.max_fee.min((self.basefee() as u128).saturating_add(tip)),
            None => self.tx.max_fee,
        }
    }

    // ---- parts -------------------------------------------------------------------

    fn account(&mut self, t: &mut Touched, a: Address) -> Result<Option<&mut Account>, StepError> {
        self.touch_account(t, a);
        match self.world.get_mut(&a) {
            None => Ok(None),
            Some(p) => p.open_mut(|| format!("account {a}")).map(Some),
        }
    }

    /// Records that `a` is touched (and its pre-image on first touch).
    fn touch_account(&mut self, t: &mut Touched, a: Address) {
        if t.accounts.insert(a) {
            if let Some(pre) = &mut t.pre {
                pre.accounts.insert(a, self.world.get(&a).cloned());
            }
        }
    }

    fn sub(&mut self, t: &mut Touched) -> Result<&mut Substate, StepError> {
        if !t.substate {
            t.substate = true;
            if let Some(pre) = &mut t.pre {
                pre.substate = Some(self.substate.clone());
            }
        }
        self.substate.open_mut(|| "substate".into())
    }

    /// The journal; its pre-image is the header alone (records a step pops are added by
    /// [`Self::journal_pop`]).
    fn journal(&mut self, t: &mut Touched) -> Result<&mut Journal, StepError> {
        let pre = t.pre.as_mut().map(|p| &mut p.journal);
        open_stack(&mut self.journal, &mut t.journal, pre, "journal")
    }

    fn record(&mut self, t: &mut Touched, u: Undo) -> Result<(), StepError> {
        self.journal(t)?.push(u);
        Ok(())
    }

    /// Pops the top record; a recording step keeps it in the journal's pre-image, so the
    /// witness carries exactly the records popped.
    fn journal_pop(&mut self, t: &mut Touched) -> Result<Undo, StepError> {
        let pre = t.pre.as_mut().map(|p| &mut p.journal);
        pop_stack(&mut self.journal, &mut t.journal, pre, "journal")
    }

    /// The logs, opened like the journal.
    fn open_logs(&mut self, t: &mut Touched) -> Result<&mut HashStack<Log>, StepError> {
        let pre = t.pre.as_mut().map(|p| &mut p.logs);
        open_stack(&mut self.logs, &mut t.logs, pre, "logs")
    }

    /// Pops the last log (undo of a LOG), recorded like a journal pop.
    fn logs_pop(&mut self, t: &mut Touched) -> Result<Log, StepError> {
        let pre = t.pre.as_mut().map(|p| &mut p.logs);
        pop_stack(&mut self.logs, &mut t.logs, pre, "logs")
    }

    fn take_frame(&mut self, t: &mut Touched, i: usize) -> Result<Frame, StepError> {
        let slot = self.frames.get_mut(i).ok_or(StepError::Inconsistent("no frame"))?;
        if t.frames.insert(i) {
            if let Some(pre) = &mut t.pre {
                pre.frames.insert(i, slot.clone());
            }
        }
        match std::mem::replace(slot, Part::Sealed(B256::ZERO)) {
            Part::Open(f) => Ok(f),
            sealed @ Part::Sealed(_) => {
                *slot = sealed;
                Err(StepError::Missing(format!("frame {i}")))
            }
        }
    }

    fn put_frame(&mut self, i: usize, f: Frame) {
        self.frames[i] = Part::Open(f);
    }

    // ---- world reads and journaled writes ------------------------------------------

    fn balance(&mut self, t: &mut Touched, a: Address) -> Result<U256, StepError> {
        Ok(self.account(t, a)?.map(|x| x.balance).unwrap_or_default())
    }

    fn code(&mut self, t: &mut Touched, a: Address) -> Result<Code, StepError> {
        Ok(self.account(t, a)?.map(|x| x.code.clone()).unwrap_or_default())
    }

    fn is_empty(&mut self, t: &mut Touched, a: Address) -> Result<bool, StepError> {
        Ok(self.account(t, a)?.is_none_or(|x| x.is_empty()))
    }

    fn ensure(&mut self, t: &mut Touched, a: Address) -> Result<(), StepError> {
        if self.account(t, a)?.is_none() {
            self.world.insert(a, Part::Open(Account::default()));
            self.record(t, Undo::Created(a))?;
        }
        Ok(())
    }

    fn set_balance(&mut self, t: &mut Touched, a: Address, v: U256) -> Result<(), StepError> {
        self.ensure(t, a)?;
        let acc = self.account(t, a)?.ok_or(StepError::Inconsistent("account vanished"))?;
        let old = std::mem::replace(&mut acc.balance, v);
        self.record(t, Undo::Balance(a, old))
    }

    fn set_nonce(&mut self, t: &mut Touched, a: Address, n: u64) -> Result<(), StepError> {
        self.ensure(t, a)?;
        let acc = self.account(t, a)?.ok_or(StepError::Inconsistent("account vanished"))?;
        let old = std::mem::replace(&mut acc.nonce, n);
        self.record(t, Undo::Nonce(a, old))
    }

    fn set_code(&mut self, t: &mut Touched, a: Address, code: Code) -> Result<(), StepError> {
        self.ensure(t, a)?;
        let acc = self.account(t, a)?.ok_or(StepError::Inconsistent("account vanished"))?;
        let old = std::mem::replace(&mut acc.code, code);
        self.record(t, Undo::Code(a, old))
    }

    /// Moves `v` from `from` to `to` (the caller checked the balance). No-op for zero.
    fn transfer(&mut self, t: &mut Touched, from: Address, to: Address, v: U256) -> Result<(), StepError> {
        if v.is_zero() {
            return Ok(());
        }
        let fb = self.balance(t, from)?;
        self.set_balance(t, from, fb.saturating_sub(v))?;
        let tb = self.balance(t, to)?;
        self.set_balance(t, to, tb.saturating_add(v))
    }

    fn storage(&mut self, t: &mut Touched, a: Address, slot: U256) -> Result<U256, StepError> {
        let v = self.account(t, a)?.and_then(|x| x.storage.get(&slot).copied()).unwrap_or_default();
        self.sub(t)?.original.entry((a, slot)).or_insert(v);
        Ok(v)
    }

    fn set_storage(&mut self, t: &mut Touched, a: Address, slot: U256, v: U256) -> Result<(), StepError> {
        self.ensure(t, a)?;
        let acc = self.account(t, a)?.ok_or(StepError::Inconsistent("account vanished"))?;
        let old = if v.is_zero() { acc.storage.remove(&slot) } else { acc.storage.insert(slot, v) };
        self.record(t, Undo::Storage(a, slot, old.unwrap_or_default()))
    }

    /// Warms `a`; returns whether it was cold.
    fn warm_address(&mut self, t: &mut Touched, a: Address) -> Result<bool, StepError> {
        let cold = self.sub(t)?.warm_addresses.insert(a);
        if cold {
            self.record(t, Undo::WarmAddress(a))?;
        }
        Ok(cold)
    }

    fn warm_slot(&mut self, t: &mut Touched, a: Address, s: U256) -> Result<bool, StepError> {
        let cold = self.sub(t)?.warm_slots.insert((a, s));
        if cold {
            self.record(t, Undo::WarmSlot(a, s))?;
        }
        Ok(cold)
    }

    fn access_cost(&mut self, t: &mut Touched, a: Address) -> Result<u64, StepError> {
        Ok(if self.warm_address(t, a)? { 2600 } else { 100 })
    }

    /// Pops the top journal record and restores what it records (one undo micro-step).
    fn undo_one(&mut self, t: &mut Touched) -> Result<(), StepError> {
        let u = self.journal_pop(t)?;
        match u {
            Undo::Created(a) => {
                self.touch_account(t, a);
                self.world.remove(&a);
            }
            Undo::Balance(a, v) => self.must(t, a)?.balance = v,
            Undo::Nonce(a, n) => self.must(t, a)?.nonce = n,
            Undo::Code(a, c) => self.must(t, a)?.code = c,
            Undo::Storage(a, s, v) => {
                let acc = self.must(t, a)?;
                if v.is_zero() {
                    acc.storage.remove(&s);
                } else {
                    acc.storage.insert(s, v);
                }
            }
            Undo::Transient(a, s, v) => {
                let sub = self.sub(t)?;
                if v.is_zero() {
                    sub.transient.remove(&(a, s));
                } else {
                    sub.transient.insert((a, s), v);
                }
            }
            Undo::WarmAddress(a) => {
                self.sub(t)?.warm_addresses.remove(&a);
            }
            Undo::WarmSlot(a, s) => {
                self.sub(t)?.warm_slots.remove(&(a, s));
            }
            Undo::Log => {
                self.logs_pop(t)?;
            }
            Undo::MarkedCreated(a) => {
                self.sub(t)?.created.remove(&a);
            }
            Undo::MarkedDestructed(a) => {
                self.sub(t)?.destructed.remove(&a);
            }
        }
        Ok(())
    }

    fn must(&mut self, t: &mut Touched, a: Address) -> Result<&mut Account, StepError> {
        self.account(t, a)?.ok_or(StepError::Inconsistent("journal names a missing account"))
    }

    fn journal_len(&mut self, t: &mut Touched) -> Result<u64, StepError> {
        Ok(self.journal(t)?.len)
    }

    // ---- tx-begin / tx-end ---------------------------------------------------------

    /// Intrinsic gas (Cancun).
    pub fn intrinsic_gas(&self) -> u64 {
        let tx = &self.tx;
        let mut g: u64 = 21_000;
        for b in tx.data.iter() {
            g += if *b == 0 { 4 } else { 16 };
        }
        if tx.to.is_none() {
            g += 32_000 + 2 * words(tx.data.len() as u64);
        }
        for (_, keys) in &tx.access_list {
            g += 2_400 + 1_900 * keys.len() as u64;
        }
        g
    }

    fn validate(&mut self, t: &mut Touched) -> Result<Option<String>, StepError> {
        let tx = self.tx.clone();
        if let Some(tip) = tx.max_priority_fee {
            if tip > tx.max_fee {
                return Ok(Some("priority fee above max fee".into()));
            }
        }
        if tx.max_fee < self.basefee() as u128 {
            return Ok(Some("max fee below base fee".into()));
        }
        if tx.gas_limit > self.block.gas_limit {
            return Ok(Some("gas limit above the block's".into()));
        }
        if tx.to.is_none() && tx.data.len() > MAX_INITCODE_SIZE {
            return Ok(Some("init code too large".into()));
        }
        if self.intrinsic_gas() > tx.gas_limit {
            return Ok(Some("intrinsic gas above gas limit".into()));
        }
        let (nonce, balance, has_code) = match self.account(t, tx.sender)? {
            Some(a) => (a.nonce, a.balance, !a.code.is_empty()),
            None => (0, U256::ZERO, false),
        };
        if has_code {
            return Ok(Some("sender has code (EIP-3607)".into()));
        }
        if nonce != tx.nonce {
            return Ok(Some(format!("nonce {} != account nonce {nonce}", tx.nonce)));
        }
        if nonce == u64::MAX {
            return Ok(Some("nonce at maximum".into()));
        }
        let cost = U256::from(tx.gas_limit).checked_mul(U256::from(tx.max_fee)).and_then(|c| c.checked_add(tx.value));
        if cost.is_none_or(|c| c > balance) {
            return Ok(Some("insufficient funds for gas * price + value".into()));
        }
        Ok(None)
    }

    fn tx_begin(&mut self, t: &mut Touched) -> Result<(), StepError> {
        if let Some(mint) = self.tx.mint {
            let b = self.balance(t, self.tx.sender)?;
            self.set_balance(t, self.tx.sender, b.saturating_add(mint))?;
        }
        if let Some(why) = self.validate(t)? {
            self.phase = Phase::Invalid(why);
            return Ok(());
        }
        let tx = self.tx.clone();
        let price = U256::from(self.effective_gas_price());
        self.set_nonce(t, tx.sender, tx.nonce + 1)?;
        let b = self.balance(t, tx.sender)?;
        self.set_balance(t, tx.sender, b - U256::from(tx.gas_limit) * price)?;
        let target = tx.to.unwrap_or_else(|| tx.sender.create(tx.nonce));
        self.warm_address(t, tx.sender)?;
        self.warm_address(t, target)?;
        self.warm_address(t, self.block.coinbase)?;
        for i in 1..=10u8 {
            self.warm_address(t, Address::with_last_byte(i))?;
        }
        for (a, keys) in &tx.access_list {
            self.warm_address(t, *a)?;
            for k in keys {
                self.warm_slot(t, *a, U256::from_be_bytes(k.0))?;
            }
        }
        let gas = tx.gas_limit - self.intrinsic_gas();
        let frame = match tx.to {
            Some(to) => {
                let checkpoint = self.journal_len(t)?;
                self.transfer(t, tx.sender, to, tx.value)?;
                let code = self.code(t, to)?;
                new_frame(FrameKind::Call, code, to, to, tx.sender, tx.value, gas, tx.data.clone(), checkpoint)
            }
            None => {
                if self.collides(t, target)? {
                    self.phase = Phase::End { gas_left: 0, refund: 0, success: false };
                    return Ok(());
                }
                let checkpoint = self.journal_len(t)?;
                self.start_account(t, target)?;
                self.transfer(t, tx.sender, target, tx.value)?;
                new_frame(FrameKind::Create, Code::new(tx.data.clone()), target, target, tx.sender, tx.value, gas, Bytes::new(), checkpoint)
            }
        };
        self.frames.push(Part::Open(frame));
        self.phase = Phase::Run;
        Ok(())
    }

    fn collides(&mut self, t: &mut Touched, a: Address) -> Result<bool, StepError> {
        Ok(self.account(t, a)?.is_some_and(|x| x.nonce != 0 || !x.code.is_empty() || !x.storage.is_empty()))
    }

    /// A new contract account: marked created, nonce 1 (EIP-161).
    fn start_account(&mut self, t: &mut Touched, a: Address) -> Result<(), StepError> {
        self.sub(t)?.created.insert(a);
        self.record(t, Undo::MarkedCreated(a))?;
        self.set_nonce(t, a, 1)
    }

    fn tx_end(&mut self, t: &mut Touched, gas_left: u64, refund: i64, success: bool) -> Result<(), StepError> {
        let tx = self.tx.clone();
        let price = self.effective_gas_price();
        let mut gas_used = tx.gas_limit - gas_left;
        if success {
            gas_used -= (refund.max(0) as u64).min(gas_used / 5);
        }
        let b = self.balance(t, tx.sender)?;
        self.set_balance(t, tx.sender, b + U256::from(tx.gas_limit - gas_used) * U256::from(price))?;
        let coinbase = self.block.coinbase;
        let tip = U256::from(gas_used) * U256::from(price - self.basefee() as u128);
        let cb = self.balance(t, coinbase)?;
        self.set_balance(t, coinbase, cb + tip)?;
        let destructed = std::mem::take(&mut self.sub(t)?.destructed);
        for a in destructed {
            self.touch_account(t, a);
            self.world.remove(&a);
        }
        let sub = self.sub(t)?;
        *sub = Substate::default();
        self.journal(t)?.clear();
        self.phase = Phase::Done { success, gas_used };
        Ok(())
    }

    // ---- frames --------------------------------------------------------------------

    fn run_step(&mut self, t: &mut Touched) -> Result<StepKind, StepError> {
        let i = self.frames.len().checked_sub(1).ok_or(StepError::Inconsistent("running without frames"))?;
        let mut f = self.take_frame(t, i)?;
        if f.status != Status::Running {
            // A failed frame's writes are undone one journal record per step, then it exits.
            let failed = matches!(f.status, Status::Revert(_) | Status::Halt(_));
            let checkpoint = f.checkpoint;
            self.put_frame(i, f);
            if failed && self.journal_len(t)? > checkpoint {
                self.undo_one(t)?;
                return Ok(StepKind::Undo);
            }
            self.frame_exit(t)?;
            return Ok(StepKind::FrameExit);
        }
        if f.kind == FrameKind::Call && is_precompile(&f.code_address) {
            let id = f.code_address.as_slice()[19];
            run_precompile(&mut f);
            self.put_frame(i, f);
            return Ok(StepKind::Precompile(id));
        }
        let op = f.code.get(f.pc as usize).copied().unwrap_or(0x00);
        let depth = self.frames.len();
        let result = self.exec(t, &mut f, op, depth);
        let child = match result {
            Ok(c) => c,
            Err(Exit::Halt(h)) => {
                f.status = Status::Halt(h);
                None
            }
            Err(Exit::Step(e)) => {
                self.put_frame(i, f);
                return Err(e);
            }
        };
        // A create that just succeeded deposits its code in the same step (EIP-170/3541
        // limits and 200 gas per byte; a failure turns it into a halt that is undone).
        if let (FrameKind::Create, Status::Success(code)) = (f.kind, &f.status) {
            let code = code.clone();
            self.deposit_code(t, &mut f, code)?;
        }
        self.put_frame(i, f);
        if let Some(Child(c)) = child {
            self.frames.push(Part::Open(c));
        }
        Ok(StepKind::Opcode(op))
    }

    /// Deposits a successful create's returned code, or halts the frame.
    fn deposit_code(&mut self, t: &mut Touched, f: &mut Frame, code: Bytes) -> Result<(), StepError> {
        let deposit = 200 * code.len() as u64;
        f.status = if code.len() > MAX_CODE_SIZE {
            Status::Halt(Halt::CodeTooLarge)
        } else if code.first() == Some(&0xef) {
            Status::Halt(Halt::CodeStartsWithEf)
        } else if deposit > f.gas {
            Status::Halt(Halt::OutOfGas)
        } else {
            f.gas -= deposit;
            self.set_code(t, f.address, Code::new(code))?;
            Status::Success(Bytes::new())
        };
        Ok(())
    }

    /// Pops the finished innermost frame and hands its result to the caller. A failed
    /// frame's journal records were undone by the steps before.
    fn frame_exit(&mut self, t: &mut Touched) -> Result<(), StepError> {
        let i = self.frames.len() - 1;
        let f = self.take_frame(t, i)?;
        self.frames.pop();
        let (success, gas_left, refund) = match &f.status {
            Status::Success(_) => (true, f.gas, f.refund),
            Status::Revert(_) => (false, f.gas, 0),
            Status::Halt(_) => (false, 0, 0),
            Status::Running => return Err(StepError::Inconsistent("exit of a running frame")),
        };
        if !success && self.journal_len(t)? != f.checkpoint {
            return Err(StepError::Inconsistent("exit of a failed frame with records left to undo"));
        }
        let Some(pi) = i.checked_sub(1) else {
            self.phase = Phase::End { gas_left, refund, success };
            return Ok(());
        };
        let mut p = self.take_frame(t, pi)?;
        p.gas += gas_left;
        p.refund += refund;
        let output = match &f.status {
            Status::Success(o) | Status::Revert(o) => o.clone(),
            _ => Bytes::new(),
        };
        let pushed = match f.kind {
            FrameKind::Call => {
                let n = (f.ret_size as usize).min(output.len());
                let off = f.ret_offset as usize;
                if n > 0 {
                    p.memory.write()[off..off + n].copy_from_slice(&output[..n]);
                }
                p.returndata = output;
                b2u(success)
            }
            FrameKind::Create => {
                p.returndata = if success { Bytes::new() } else { output };
                if success {
                    word_of(f.address)
                } else {
                    U256::ZERO
                }
            }
        };
        // The caller's stack had room: the call opcode popped at least 3 items.
        p.stack.push(pushed);
        self.put_frame(pi, p);
        Ok(())
    }

    /// One opcode on frame `f` (at depth `depth`, outermost = 1).
    fn exec(&mut self, t: &mut Touched, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
        let pc = f.pc;
        f.pc += 1;
        match op {
            0x00 => {
                f.status = Status::Success(Bytes::new());
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
                let h = keccak256(&f.memory[o..o + n]);
                push(f, U256::from_be_bytes(h.0))?;
            }
            0x30 => {
                use_gas(f, 2)?;
                push(f, word_of(f.address))?;
            }
            0x31 | 0x3b | 0x3f => {
                let a = addr_of(pop(f)?);
                let cost = self.access_cost(t, a)?;
                use_gas(f, cost)?;
                let v = match op {
                    0x31 => self.balance(t, a)?,
                    0x3b => U256::from(self.code(t, a)?.len()),
                    _ => {
                        if self.is_empty(t, a)? {
                            U256::ZERO
                        } else {
                            U256::from_be_bytes(self.code(t, a)?.hash().0)
                        }
                    }
                };
                push(f, v)?;
            }
            0x32 => {
                use_gas(f, 2)?;
                push(f, word_of(self.tx.sender))?;
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
                let w = padded(&f.calldata, off, 32);
                push(f, U256::from_be_slice(&w))?;
            }
            0x36 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.calldata.len()))?;
            }
            0x37 | 0x39 | 0x3e => {
                let mem_off = pop(f)?;
                let data_off = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, 3u64.saturating_add(3u64.saturating_mul(words(len))))?;
                if op == 0x3e {
                    let end = data_off.checked_add(size);
                    if end.is_none_or(|e| e > U256::from(f.returndata.len())) {
                        return halt(Halt::ReturnDataOutOfBounds);
                    }
                }
                let (o, n) = expand(f, mem_off, size)?;
                let src = match op {
                    0x37 => f.calldata.clone(),
                    0x39 => f.code.bytes().clone(),
                    _ => f.returndata.clone(),
                };
                let bytes = padded(&src, data_off, n);
                f.memory.write()[o..o + n].copy_from_slice(&bytes);
            }
            0x38 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.code.len()))?;
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
                let cost = self.access_cost(t, a)?;
                use_gas(f, cost.saturating_add(3u64.saturating_mul(words(len))))?;
                let (o, n) = expand(f, mem_off, size)?;
                let code = self.code(t, a)?;
                let bytes = padded(&code, code_off, n);
                f.memory.write()[o..o + n].copy_from_slice(&bytes);
            }
            0x3d => {
                use_gas(f, 2)?;
                push(f, U256::from(f.returndata.len()))?;
            }
            0x40 => {
                use_gas(f, 20)?;
                let n = pop(f)?;
                let cur = self.block.number;
                let hashes = &self.block.block_hashes;
                let v = match u64::try_from(n) {
                    Ok(n) if n < cur && cur - n <= hashes.len() as u64 => {
                        let first = cur - hashes.len() as u64;
                        U256::from_be_bytes(hashes[(n - first) as usize].0)
                    }
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
                let b = self.balance(t, f.address)?;
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
                let v = U256::from_be_slice(&f.memory[o..o + 32]);
                push(f, v)?;
            }
            0x52 | 0x53 => {
                use_gas(f, 3)?;
                let off = pop(f)?;
                let v = pop(f)?;
                if op == 0x52 {
                    let (o, _) = expand(f, off, U256::from(32))?;
                    f.memory.write()[o..o + 32].copy_from_slice(&v.to_be_bytes::<32>());
                } else {
                    let (o, _) = expand(f, off, U256::from(1))?;
                    f.memory.write()[o] = v.byte(0);
                }
            }
            0x54 => {
                let slot = pop(f)?;
                let cost = if self.warm_slot(t, f.address, slot)? { 2100 } else { 100 };
                use_gas(f, cost)?;
                let v = self.storage(t, f.address, slot)?;
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
                let mut cost = if self.warm_slot(t, a, slot)? { 2100 } else { 0 };
                let current = self.storage(t, a, slot)?;
                let original = self.sub(t)?.original.get(&(a, slot)).copied().unwrap_or(current);
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
                    self.set_storage(t, a, slot, new)?;
                }
            }
            0x56 | 0x57 => {
                use_gas(f, if op == 0x56 { 8 } else { 10 })?;
                let dest = pop(f)?;
                let jump = if op == 0x57 { !pop(f)?.is_zero() } else { true };
                if jump {
                    if !is_jumpdest(&f.code, dest) {
                        return halt(Halt::BadJump);
                    }
                    f.pc = dest.to::<u64>();
                }
            }
            0x58 => {
                use_gas(f, 2)?;
                push(f, U256::from(pc))?;
            }
            0x59 => {
                use_gas(f, 2)?;
                push(f, U256::from(f.memory.len()))?;
            }
            0x5a => {
                use_gas(f, 2)?;
                push(f, U256::from(f.gas))?;
            }
            0x5b => use_gas(f, 1)?,
            0x5c => {
                use_gas(f, 100)?;
                let slot = pop(f)?;
                let v = self.sub(t)?.transient.get(&(f.address, slot)).copied().unwrap_or_default();
                push(f, v)?;
            }
            0x5d => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                use_gas(f, 100)?;
                let slot = pop(f)?;
                let v = pop(f)?;
                let key = (f.address, slot);
                let sub = self.sub(t)?;
                let old = if v.is_zero() { sub.transient.remove(&key) } else { sub.transient.insert(key, v) };
                self.record(t, Undo::Transient(key.0, slot, old.unwrap_or_default()))?;
            }
            0x5e => {
                let dst = pop(f)?;
                let src = pop(f)?;
                let size = pop(f)?;
                let len = u64::try_from(size).unwrap_or(u64::MAX);
                use_gas(f, 3u64.saturating_add(3u64.saturating_mul(words(len))))?;
                if !size.is_zero() {
                    // Expand for the larger end; the cost depends only on the final size.
                    expand(f, src, size)?;
                    let (d, n) = expand(f, dst, size)?;
                    let s = src.to::<usize>();
                    f.memory.write().copy_within(s..s + n, d);
                }
            }
            0x5f..=0x7f => {
                use_gas(f, if op == 0x5f { 2 } else { 3 })?;
                let n = (op - 0x5f) as usize;
                let start = pc as usize + 1;
                let mut buf = [0u8; 32];
                for k in 0..n {
                    buf[32 - n + k] = f.code.get(start + k).copied().unwrap_or(0);
                }
                push(f, U256::from_be_bytes(buf))?;
                f.pc += n as u64;
            }
            0x80..=0x8f => {
                use_gas(f, 3)?;
                let n = (op - 0x7f) as usize;
                if f.stack.len() < n {
                    return halt(Halt::StackUnderflow);
                }
                let v = f.stack[f.stack.len() - n];
                push(f, v)?;
            }
            0x90..=0x9f => {
                use_gas(f, 3)?;
                let n = (op - 0x8f) as usize;
                let len = f.stack.len();
                if len < n + 1 {
                    return halt(Halt::StackUnderflow);
                }
                f.stack.swap(len - 1, len - 1 - n);
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
                let data = Bytes::copy_from_slice(&f.memory[o..o + l]);
                let log = Log { address: f.address, data: LogData::new_unchecked(topics, data) };
                self.open_logs(t)?.push(log);
                self.record(t, Undo::Log)?;
            }
            0xf0 | 0xf5 => return self.create(t, f, op, depth),
            0xf1 | 0xf2 | 0xf4 | 0xfa => return self.call(t, f, op, depth),
            0xf3 | 0xfd => {
                let off = pop(f)?;
                let size = pop(f)?;
                let (o, n) = expand(f, off, size)?;
                let out = Bytes::copy_from_slice(&f.memory[o..o + n]);
                f.status = if op == 0xf3 { Status::Success(out) } else { Status::Revert(out) };
            }
            0xff => {
                if f.is_static {
                    return halt(Halt::StaticWrite);
                }
                let to = addr_of(pop(f)?);
                let mut cost = 5_000;
                if self.warm_address(t, to)? {
                    cost += 2_600;
                }
                let bal = self.balance(t, f.address)?;
                if !bal.is_zero() && self.is_empty(t, to)? {
                    cost += 25_000;
                }
                use_gas(f, cost)?;
                let me = f.address;
                if !bal.is_zero() {
                    self.set_balance(t, me, U256::ZERO)?;
                    let tb = self.balance(t, to)?;
                    self.set_balance(t, to, tb + bal)?;
                }
                if self.sub(t)?.created.contains(&me) {
                    // EIP-6780: created in this transaction, so it goes; sending to itself
                    // burns the balance at once (later calls see zero).
                    if self.balance(t, me)? != U256::ZERO {
                        self.set_balance(t, me, U256::ZERO)?;
                    }
                    if self.sub(t)?.destructed.insert(me) {
                        self.record(t, Undo::MarkedDestructed(me))?;
                    }
                }
                f.status = Status::Success(Bytes::new());
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(None)
    }

    fn call(&mut self, t: &mut Touched, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
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
        let mut cost = self.access_cost(t, to)?;
        if !value.is_zero() {
            cost += 9_000;
            if op == 0xf1 && self.is_empty(t, to)? {
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
        f.returndata = Bytes::new();
        let fails = depth > MAX_DEPTH || (!value.is_zero() && self.balance(t, f.address)? < value);
        if fails {
            f.gas += gas;
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        let checkpoint = self.journal_len(t)?;
        if op == 0xf1 {
            self.transfer(t, f.address, to, value)?;
        }
        let code = self.code(t, to)?;
        let (address, caller, frame_value) = match op {
            0xf1 => (to, f.address, value),
            0xf2 => (f.address, f.address, value),
            0xf4 => (f.address, f.caller, f.value),
            _ => (to, f.address, U256::ZERO),
        };
        let calldata = Bytes::copy_from_slice(&f.memory[ao..ao + an]);
        let mut c = new_frame(FrameKind::Call, code, address, to, caller, frame_value, gas, calldata, checkpoint);
        c.is_static = f.is_static || op == 0xfa;
        c.ret_offset = ro as u64;
        c.ret_size = rn as u64;
        Ok(Some(Child(c)))
    }

    fn create(&mut self, t: &mut Touched, f: &mut Frame, op: u8, depth: usize) -> Ev<Option<Child>> {
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
        let init = Bytes::copy_from_slice(&f.memory[o..o + n]);
        f.returndata = Bytes::new();
        let me = f.address;
        let (nonce, balance) = match self.account(t, me)? {
            Some(a) => (a.nonce, a.balance),
            None => (0, U256::ZERO),
        };
        if depth > MAX_DEPTH || balance < value || nonce == u64::MAX {
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        let gas = f.gas - f.gas / 64;
        f.gas -= gas;
        self.set_nonce(t, me, nonce + 1)?;
        let address = match salt {
            Some(s) => me.create2(B256::from(s.to_be_bytes::<32>()), keccak256(&init)),
            None => me.create(nonce),
        };
        self.warm_address(t, address)?;
        if self.collides(t, address)? {
            push(f, U256::ZERO)?;
            return Ok(None);
        }
        let checkpoint = self.journal_len(t)?;
        self.start_account(t, address)?;
        self.transfer(t, me, address, value)?;
        let c = new_frame(FrameKind::Create, Code::new(init), address, address, me, value, gas, Bytes::new(), checkpoint);
        Ok(Some(Child(c)))
    }
}

#[allow(clippy::too_many_arguments)]
fn new_frame(
    kind: FrameKind,
    code: Code,
    address: Address,
    code_address: Address,
    caller: Address,
    value: U256,
    gas: u64,
    calldata: Bytes,
    checkpoint: u64,
) -> Frame {
    Frame {
        kind,
        code,
        code_address,
        pc: 0,
        gas,
        refund: 0,
        stack: Vec::new(),
        memory: Memory::default(),
        calldata,
        returndata: Bytes::new(),
        address,
        caller,
        value,
        is_static: false,
        checkpoint,
        ret_offset: 0,
        ret_size: 0,
        status: Status::Running,
    }
}

/// Runs the precompile at `f.code_address` on `f.calldata` with `f.gas`.
fn run_precompile(f: &mut Frame) {
    let Some(p) = revm::precompile::Precompiles::cancun().get(&f.code_address) else {
        f.status = Status::Halt(Halt::PrecompileFailed);
        return;
    };
    match p.execute(&f.calldata, f.gas, 0) {
        Ok(out) if out.status.is_success() && out.gas_used <= f.gas => {
            f.gas -= out.gas_used;
            f.status = Status::Success(out.bytes);
        }
        _ => f.status = Status::Halt(Halt::PrecompileFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        machine::{BlockCtx, TxCtx},
        trace::{commitment_at, run, run_checked, witness_at},
    };
    use std::collections::BTreeMap;

    const SENDER: Address = Address::with_last_byte(0xaa);
    const CONTRACT: Address = Address::with_last_byte(0xcc);

    /// A machine calling `code` at CONTRACT from a funded sender.
    fn machine(code: &[u8]) -> Machine {
        let mut world = BTreeMap::new();
        world.insert(SENDER, Account { balance: U256::from(10u64).pow(U256::from(18)), ..Default::default() });
        world.insert(CONTRACT, Account { code: Code::new(Bytes::copy_from_slice(code)), ..Default::default() });
        let block = BlockCtx { number: 1, gas_limit: 30_000_000, basefee: 7, chain_id: 1, ..Default::default() };
        let tx = TxCtx { sender: SENDER, to: Some(CONTRACT), gas_limit: 100_000, max_fee: 10, ..Default::default() };
        Machine::new(block, tx, world)
    }

    /// Runs `code` (which must store its result in slot 0) and returns slot 0.
    fn slot0(code: &[u8]) -> U256 {
        let (end, _) = run(machine(code)).expect("runs");
        assert!(matches!(end.phase, Phase::Done { success: true, .. }), "{:?}", end.phase);
        let w = end.accounts().expect("open");
        w[&CONTRACT].storage.get(&U256::ZERO).copied().unwrap_or_default()
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
        assert_eq!(end.phase, Phase::Done { success: false, gas_used: 100_000 });
        assert_eq!(steps, 5, "tx-begin, PUSH1, JUMP (halts), frame-exit, tx-end");
        // Stack underflow and an undefined opcode end the same way.
        for code in [&[0x01u8][..], &[0x0c]] {
            let (end, _) = run(machine(code)).expect("runs");
            assert_eq!(end.phase, Phase::Done { success: false, gas_used: 100_000 });
        }
    }

    #[test]
    fn every_step_checks_and_random_access_agrees() {
        // SSTORE 1 into slot 0, LOG0 of 32 bytes of memory, KECCAK of it, RETURN.
        let code = [0x60, 0x01, 0x5f, 0x55, 0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xa0, 0x60, 0x20, 0x5f, 0x20, 0x50, 0x60, 0x20, 0x5f, 0xf3];
        let initial = machine(&code);
        let (end, stats) = run_checked(initial.clone()).expect("every step checks");
        assert!(matches!(end.phase, Phase::Done { success: true, .. }));
        assert_eq!(end.logs().map(|l| l.len()), Some(1));
        // The witness of step k, given to the reference step with commitment k, yields
        // commitment k + 1, for every k.
        for k in 0..stats.steps {
            let w = witness_at(&initial, k).expect("witness").expect("not finished");
            let pre = commitment_at(&initial, k).expect("commitment");
            assert_eq!(step(pre, w).expect("step"), commitment_at(&initial, k + 1).expect("commitment"), "step {k}");
        }
        assert!(witness_at(&initial, stats.steps).expect("past the end").is_none());
    }

    #[test]
    fn a_revert_is_undone_one_record_per_step_and_a_forged_record_is_refused() {
        // SSTORE 1→0, 2→1, 3→2, then REVERT(0, 0).
        let code = [0x60, 1, 0x5f, 0x55, 0x60, 2, 0x60, 1, 0x55, 0x60, 3, 0x60, 2, 0x55, 0x5f, 0x5f, 0xfd];
        let initial = machine(&code);
        let (end, stats) = run_checked(initial.clone()).expect("every step checks");
        assert!(matches!(end.phase, Phase::Done { success: false, .. }));
        assert_eq!(end.accounts().expect("open")[&CONTRACT].storage.len(), 0, "the writes are undone");
        // Each SSTORE journals the warm slot and the value: six records, six undo steps.
        assert_eq!(stats.kinds.get(&StepKind::Undo), Some(&6));
        // Find the first undo step; its witness carries exactly the record it pops.
        let k = (0..stats.steps)
            .find(|k| {
                let mut m = crate::trace::state_at(&initial, *k).expect("state");
                matches!(m.step(&mut Touched::default()), Ok(StepKind::Undo))
            })
            .expect("an undo step");
        let pre = commitment_at(&initial, k).expect("commitment");
        let honest = witness_at(&initial, k).expect("witness").expect("running");
        let Part::Open(j) = &honest.journal else { panic!("the undo step opens the journal") };
        let Some(Part::Open(f)) = honest.frames.last() else { panic!("the failed frame is open") };
        assert_eq!((j.len, j.top.len()), (f.checkpoint + 6, 1), "six records above the checkpoint, one carried");
        assert_eq!(step(pre, honest.clone()).expect("honest"), commitment_at(&initial, k + 1).expect("commitment"));
        // Restoring another value than the one recorded: the record does not match the
        // chain, and the step refuses it.
        let mut forged = honest.clone();
        if let Part::Open(j) = &mut forged.journal {
            if let (_, Undo::Storage(_, _, v)) = &mut j.top[0] {
                *v = U256::from(99);
            }
        }
        assert!(matches!(step(pre, forged), Err(StepError::Missing(_))));
        // Leaving the record out: Missing.
        let mut short = honest;
        if let Part::Open(j) = &mut short.journal {
            j.top.clear();
        }
        assert!(matches!(step(pre, short), Err(StepError::Missing(_))));
    }

    #[test]
    fn a_witness_cannot_lie() {
        let initial = machine(&[0x60, 0x01, 0x60, 0x02, 0x01, 0x5f, 0x55, 0x00]);
        let k = 3; // the ADD
        let pre = commitment_at(&initial, k).expect("commitment");
        let honest = witness_at(&initial, k).expect("witness").expect("running");
        let post = step(pre, honest.clone()).expect("honest step");
        // A different stack item: the witness no longer hashes to the claimed pre-state.
        let mut forged = honest.clone();
        if let Some(Part::Open(f)) = forged.frames.last_mut() {
            f.stack[0] = U256::from(40);
        }
        assert!(matches!(step(pre, forged), Err(StepError::WrongPreState { .. })));
        // Code bytes that do not match the committed hash are refused.
        let mut forged = honest.clone();
        if let Some(Part::Open(f)) = forged.frames.last_mut() {
            let hash = f.code.hash();
            f.code = Code::new(Bytes::from_static(&[0x60, 0x01, 0x60, 0x02, 0x02, 0x5f, 0x55, 0x00]));
            assert_ne!(f.code.hash(), hash);
        }
        assert!(step(pre, forged).is_err());
        // Sealing a part the step needs: Missing, not a wrong answer.
        let mut sealed = honest.clone();
        let top = sealed.frames.len() - 1;
        sealed.frames[top] = sealed.frames[top].sealed();
        assert!(matches!(step(pre, sealed), Err(StepError::Missing(_))));
        // A wrong claimed pre-state.
        assert!(matches!(step(post, honest), Err(StepError::WrongPreState { .. })));
    }

    #[test]
    fn invalid_transactions_change_nothing() {
        let mut m = machine(&[0x00]);
        m.tx.nonce = 5;
        let before = m.accounts();
        let (end, steps) = run(m).expect("runs");
        assert_eq!(steps, 1);
        assert!(matches!(end.phase, Phase::Invalid(_)));
        assert_eq!(end.accounts(), before);
    }
}
