//! The step machine's state and its commitment (docs/fault-vm.md, "Machine state").
//!
//! The state is split into *parts* (each account, each call frame, the substate, the
//! journal) that are hashed separately. A witness is the pre-state with every part the
//! step does not touch replaced by its hash ([`Part::Sealed`]), so the commitment of a
//! witness equals the commitment of the full state it was cut from.

use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use std::collections::{BTreeMap, BTreeSet};

/// Domain tag of the machine commitment.
pub const COMMITMENT_TAG: &[u8] = b"faultline.vm.v0";

/// Why a step could not be taken (never an EVM error: those are steps too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The witness does not hash to the claimed pre-state commitment.
    #[error("witness commitment {got} != claimed pre-state {claimed}")]
    WrongPreState {
        /// What the witness hashes to.
        got: B256,
        /// What was claimed.
        claimed: B256,
    },
    /// The step needs a part the witness left sealed.
    #[error("witness lacks {0}")]
    Missing(String),
    /// The machine has finished; there is no next step.
    #[error("the transaction has finished")]
    Finished,
    /// The machine is in a state no step can lead to.
    #[error("inconsistent machine state: {0}")]
    Inconsistent(&'static str),
}

/// Canonical byte encoding, the preimage of a part's hash.
pub trait Encode {
    /// Appends the encoding.
    fn encode(&self, out: &mut Vec<u8>);
    /// keccak256 of the encoding.
    fn hash(&self) -> B256 {
        let mut v = Vec::new();
        self.encode(&mut v);
        keccak256(v)
    }
    /// Length of the encoding.
    fn encoded_len(&self) -> usize {
        let mut v = Vec::new();
        self.encode(&mut v);
        v.len()
    }
}

/// A part of the state: present, or only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<T> {
    /// The part itself.
    Open(T),
    /// Only its hash (a witness leaves untouched parts sealed).
    Sealed(B256),
}

impl<T: Encode> Part<T> {
    /// The part's hash.
    pub fn hash(&self) -> B256 {
        match self {
            Part::Open(t) => t.hash(),
            Part::Sealed(h) => *h,
        }
    }
    /// Witness bytes this part contributes.
    pub fn witness_len(&self) -> usize {
        match self {
            Part::Open(t) => t.encoded_len(),
            Part::Sealed(_) => 32,
        }
    }
    /// The part, or `Missing(what)`.
    pub fn open(&self, what: impl FnOnce() -> String) -> Result<&T, StepError> {
        match self {
            Part::Open(t) => Ok(t),
            Part::Sealed(_) => Err(StepError::Missing(what())),
        }
    }
    /// The part mutably, or `Missing(what)`.
    pub fn open_mut(&mut self, what: impl FnOnce() -> String) -> Result<&mut T, StepError> {
        match self {
            Part::Open(t) => Ok(t),
            Part::Sealed(_) => Err(StepError::Missing(what())),
        }
    }
    /// This part sealed.
    pub fn sealed(&self) -> Self {
        Part::Sealed(self.hash())
    }
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_be_bytes());
}
fn put_u256(out: &mut Vec<u8>, v: &U256) {
    out.extend_from_slice(&v.to_be_bytes::<32>());
}
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u64(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Code with its keccak256 computed once. A part commits to the hash only; a witness
/// carries the bytes, and [`crate::step::step`] checks them against the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    bytes: Bytes,
    hash: B256,
}

impl Default for Code {
    fn default() -> Self {
        Self::new(Bytes::new())
    }
}

impl Code {
    /// Code and its hash.
    pub fn new(bytes: Bytes) -> Self {
        let hash = keccak256(&bytes);
        Self { bytes, hash }
    }
    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
    /// keccak256 of the bytes.
    pub fn hash(&self) -> B256 {
        self.hash
    }
    /// Whether the stored hash is the bytes' hash (a witness may lie).
    pub fn is_consistent(&self) -> bool {
        keccak256(&self.bytes) == self.hash
    }
}

impl std::ops::Deref for Code {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Frame memory with its hash cached until the next write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    bytes: Vec<u8>,
    hash: std::cell::OnceCell<B256>,
}

impl Memory {
    /// The bytes, for writing (drops the cached hash).
    pub fn write(&mut self) -> &mut Vec<u8> {
        self.hash = std::cell::OnceCell::new();
        &mut self.bytes
    }
    /// keccak256 of the bytes.
    pub fn hash(&self) -> B256 {
        *self.hash.get_or_init(|| keccak256(&self.bytes))
    }
    /// Drops the cached hash (a witness's cache is not trusted).
    pub fn forget_hash(&mut self) {
        self.hash = std::cell::OnceCell::new();
    }
}

impl std::ops::Deref for Memory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// An account. Storage never holds zero values (a zero write removes the slot).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Nonce.
    pub nonce: u64,
    /// Balance.
    pub balance: U256,
    /// Code.
    pub code: Code,
    /// Non-zero storage slots.
    pub storage: BTreeMap<U256, U256>,
}

impl Account {
    /// An account from its fields; zero slots are left out of its storage.
    pub fn new(nonce: u64, balance: U256, code: Bytes, storage: impl IntoIterator<Item = (U256, U256)>) -> Self {
        Self { nonce, balance, code: Code::new(code), storage: storage.into_iter().filter(|(_, v)| !v.is_zero()).collect() }
    }

    /// EIP-161 empty: no nonce, no balance, no code.
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code.is_empty()
    }
}

impl Encode for Account {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.nonce);
        put_u256(out, &self.balance);
        out.extend_from_slice(self.code.hash().as_slice());
        put_u64(out, self.storage.len() as u64);
        for (k, v) in &self.storage {
            put_u256(out, k);
            put_u256(out, v);
        }
    }
    fn encoded_len(&self) -> usize {
        8 + 32 + 32 + 8 + 64 * self.storage.len() + self.code.len()
    }
}

/// Why a frame stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Still executing.
    Running,
    /// STOP, RETURN or SELFDESTRUCT: success with this output.
    Success(Bytes),
    /// REVERT: state undone, unused gas returned, output kept.
    Revert(Bytes),
    /// An exceptional halt: state undone, all gas consumed.
    Halt(Halt),
}

/// Exceptional halts (every one consumes the frame's gas; docs/fault-vm.md, "Errors").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    /// Out of gas (also: memory offsets beyond any payable size).
    OutOfGas,
    /// Stack underflow.
    StackUnderflow,
    /// Stack overflow (over 1024 items).
    StackOverflow,
    /// JUMP or JUMPI to a non-JUMPDEST.
    BadJump,
    /// A state write in a static context.
    StaticWrite,
    /// INVALID or an undefined opcode.
    InvalidOpcode,
    /// RETURNDATACOPY beyond the return data.
    ReturnDataOutOfBounds,
    /// CREATE with init code over 49152 bytes.
    InitCodeTooLarge,
    /// Created code over 24576 bytes.
    CodeTooLarge,
    /// Created code starting with 0xEF (EIP-3541).
    CodeStartsWithEf,
    /// Address collision on CREATE (nonce, code or storage present; EIP-7610).
    CreateCollision,
    /// A precompile failed.
    PrecompileFailed,
}

/// Whether a frame runs code at an address or init code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// CALL, CALLCODE, DELEGATECALL, STATICCALL or a call transaction.
    Call,
    /// CREATE, CREATE2 or a creation transaction.
    Create,
}

/// One call frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Call or create.
    pub kind: FrameKind,
    /// Code being run (init code for a create frame).
    pub code: Code,
    /// Where the code came from (a precompile address runs the precompile).
    pub code_address: Address,
    /// Program counter.
    pub pc: u64,
    /// Gas left.
    pub gas: u64,
    /// Refund counter of this frame (merged into the caller on success).
    pub refund: i64,
    /// Stack, bottom first.
    pub stack: Vec<U256>,
    /// Memory.
    pub memory: Memory,
    /// Call data (empty for create frames).
    pub calldata: Bytes,
    /// Return data of the last call this frame made.
    pub returndata: Bytes,
    /// The executing account (the new account for create frames).
    pub address: Address,
    /// CALLER.
    pub caller: Address,
    /// CALLVALUE.
    pub value: U256,
    /// In a STATICCALL.
    pub is_static: bool,
    /// Journal length at entry: the checkpoint a failure reverts to.
    pub checkpoint: u64,
    /// Where the caller wants the output (memory offset, size).
    pub ret_offset: u64,
    /// See `ret_offset`.
    pub ret_size: u64,
    /// Running or how it stopped.
    pub status: Status,
}

impl Encode for Frame {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(match self.kind {
            FrameKind::Call => 0,
            FrameKind::Create => 1,
        });
        out.extend_from_slice(self.code.hash().as_slice());
        out.extend_from_slice(self.code_address.as_slice());
        put_u64(out, self.pc);
        put_u64(out, self.gas);
        out.extend_from_slice(&self.refund.to_be_bytes());
        put_u64(out, self.stack.len() as u64);
        for v in &self.stack {
            put_u256(out, v);
        }
        put_u64(out, self.memory.len() as u64);
        out.extend_from_slice(self.memory.hash().as_slice());
        put_bytes(out, &self.calldata);
        put_bytes(out, &self.returndata);
        out.extend_from_slice(self.address.as_slice());
        out.extend_from_slice(self.caller.as_slice());
        put_u256(out, &self.value);
        out.push(self.is_static as u8);
        put_u64(out, self.checkpoint);
        put_u64(out, self.ret_offset);
        put_u64(out, self.ret_size);
        match &self.status {
            Status::Running => out.push(0),
            Status::Success(o) => {
                out.push(1);
                put_bytes(out, o)
            }
            Status::Revert(o) => {
                out.push(2);
                put_bytes(out, o)
            }
            Status::Halt(h) => {
                out.push(3);
                out.push(*h as u8)
            }
        }
    }
    fn encoded_len(&self) -> usize {
        let mut v = Vec::new();
        self.encode(&mut v);
        // A witness carries the code and memory bytes the encoding only hashes.
        v.len() + self.code.len() + self.memory.len()
    }
}

/// Per-transaction state beside the world: warm sets, transient storage, original
/// values, created and self-destructed accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Substate {
    /// EIP-2929 warm addresses.
    pub warm_addresses: BTreeSet<Address>,
    /// EIP-2929 warm slots.
    pub warm_slots: BTreeSet<(Address, U256)>,
    /// EIP-1153 transient storage (no zero values).
    pub transient: BTreeMap<(Address, U256), U256>,
    /// Slot values at the start of the transaction (EIP-2200), recorded on first access.
    pub original: BTreeMap<(Address, U256), U256>,
    /// Accounts created in this transaction (EIP-6780).
    pub created: BTreeSet<Address>,
    /// Accounts to delete at the end (SELFDESTRUCT of an account created in this transaction).
    pub destructed: BTreeSet<Address>,
}

impl Encode for Substate {
    fn encode(&self, out: &mut Vec<u8>) {
        put_u64(out, self.warm_addresses.len() as u64);
        for a in &self.warm_addresses {
            out.extend_from_slice(a.as_slice());
        }
        put_u64(out, self.warm_slots.len() as u64);
        for (a, s) in &self.warm_slots {
            out.extend_from_slice(a.as_slice());
            put_u256(out, s);
        }
        for map in [&self.transient, &self.original] {
            put_u64(out, map.len() as u64);
            for ((a, s), v) in map {
                out.extend_from_slice(a.as_slice());
                put_u256(out, s);
                put_u256(out, v);
            }
        }
        for set in [&self.created, &self.destructed] {
            put_u64(out, set.len() as u64);
            for a in set {
                out.extend_from_slice(a.as_slice());
            }
        }
    }
}

/// One undo record; a failed frame replays the journal back to its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// The account did not exist before.
    Created(Address),
    /// Previous balance.
    Balance(Address, U256),
    /// Previous nonce.
    Nonce(Address, u64),
    /// Previous code.
    Code(Address, Code),
    /// Previous slot value.
    Storage(Address, U256, U256),
    /// Previous transient value.
    Transient(Address, U256, U256),
    /// Address warmed.
    WarmAddress(Address),
    /// Slot warmed.
    WarmSlot(Address, U256),
    /// A log appended.
    Log,
    /// Marked as created in this transaction.
    MarkedCreated(Address),
    /// Marked for deletion.
    MarkedDestructed(Address),
}

impl Encode for Undo {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_undo(self, out)
    }
}

/// Appends the encoding of one undo record.
fn encode_undo(u: &Undo, out: &mut Vec<u8>) {
    match u {
        Undo::Created(a) => {
            out.push(0);
            out.extend_from_slice(a.as_slice());
        }
        Undo::Balance(a, v) => {
            out.push(1);
            out.extend_from_slice(a.as_slice());
            put_u256(out, v);
        }
        Undo::Nonce(a, n) => {
            out.push(2);
            out.extend_from_slice(a.as_slice());
            put_u64(out, *n);
        }
        Undo::Code(a, c) => {
            out.push(3);
            out.extend_from_slice(a.as_slice());
            out.extend_from_slice(c.hash().as_slice());
        }
        Undo::Storage(a, s, v) | Undo::Transient(a, s, v) => {
            out.push(if matches!(u, Undo::Storage(..)) { 4 } else { 5 });
            out.extend_from_slice(a.as_slice());
            put_u256(out, s);
            put_u256(out, v);
        }
        Undo::WarmAddress(a) => {
            out.push(6);
            out.extend_from_slice(a.as_slice());
        }
        Undo::WarmSlot(a, s) => {
            out.push(7);
            out.extend_from_slice(a.as_slice());
            put_u256(out, s);
        }
        Undo::Log => out.push(8),
        Undo::MarkedCreated(a) => {
            out.push(9);
            out.extend_from_slice(a.as_slice());
        }
        Undo::MarkedDestructed(a) => {
            out.push(10);
            out.extend_from_slice(a.as_slice());
        }
    }
}

/// A stack committed as a hash chain `head' = keccak(head ‖ item)` (zero when empty)
/// with its length, so that a step opens only the items it pops (docs/fault-vm.md,
/// "Machine state": the journal and logs rows). A full machine holds every item; a
/// witness holds the ones its step pops, each with the chain value below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashStack<T> {
    /// Chain value over every item.
    pub head: B256,
    /// Number of items.
    pub len: u64,
    /// The topmost items known, oldest first, each with the chain value below it.
    pub top: Vec<(B256, T)>,
}

impl<T> Default for HashStack<T> {
    fn default() -> Self {
        Self { head: B256::ZERO, len: 0, top: Vec::new() }
    }
}

/// `keccak(below ‖ item)`.
fn chain<T: Encode>(below: &B256, item: &T) -> B256 {
    let mut v = Vec::with_capacity(96);
    v.extend_from_slice(below.as_slice());
    item.encode(&mut v);
    keccak256(v)
}

impl<T: Encode> HashStack<T> {
    /// Pushes an item.
    pub fn push(&mut self, item: T) {
        let below = self.head;
        self.head = chain(&below, &item);
        self.len += 1;
        self.top.push((below, item));
    }

    /// Pops the top item, checking it against the chain (a witness may lie).
    pub fn pop(&mut self) -> Result<(B256, T), StepError> {
        if self.len == 0 {
            return Err(StepError::Inconsistent("pop of an empty hash stack"));
        }
        let (below, item) = self.top.pop().ok_or_else(|| StepError::Missing("the top item of a hash stack".into()))?;
        if chain(&below, &item) != self.head {
            return Err(StepError::Missing("an item matching the hash chain".into()));
        }
        self.head = below;
        self.len -= 1;
        Ok((below, item))
    }

    /// Empties the stack.
    pub fn clear(&mut self) {
        self.head = B256::ZERO;
        self.len = 0;
        self.top.clear();
    }

    /// The header alone (head and length), as a witness starts from.
    pub fn header(&self) -> Self {
        Self { head: self.head, len: self.len, top: Vec::new() }
    }

    /// Every item, oldest first, if all are known (a full machine).
    pub fn items(&self) -> Option<impl Iterator<Item = &T>> {
        (self.top.len() as u64 == self.len).then(|| self.top.iter().map(|(_, t)| t))
    }
}

impl<T: Encode> Encode for HashStack<T> {
    /// The commitment covers the chain and the length only.
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.head.as_slice());
        put_u64(out, self.len);
    }
    /// Witness bytes: the header plus the items carried.
    fn encoded_len(&self) -> usize {
        40 + self.top.iter().map(|(_, t)| 32 + t.encoded_len()).sum::<usize>()
    }
}

/// The journal: undo records as a [`HashStack`].
pub type Journal = HashStack<Undo>;

impl Encode for Log {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.address.as_slice());
        put_u64(out, self.topics().len() as u64);
        for t in self.topics() {
            out.extend_from_slice(t.as_slice());
        }
        put_bytes(out, &self.data.data);
    }
}

/// The block context (small; always open in a witness).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockCtx {
    /// Number.
    pub number: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Base fee.
    pub basefee: u64,
    /// Coinbase.
    pub coinbase: Address,
    /// PREVRANDAO.
    pub prevrandao: B256,
    /// Chain id.
    pub chain_id: u64,
    /// BLOBBASEFEE.
    pub blob_basefee: u128,
    /// The 256 most recent block hashes, oldest first (`hashes[i]` is block `number - 256 + i`).
    pub block_hashes: Vec<B256>,
}

impl Encode for BlockCtx {
    fn encode(&self, out: &mut Vec<u8>) {
        for v in [self.number, self.timestamp, self.gas_limit, self.basefee] {
            put_u64(out, v);
        }
        out.extend_from_slice(self.coinbase.as_slice());
        out.extend_from_slice(self.prevrandao.as_slice());
        put_u64(out, self.chain_id);
        out.extend_from_slice(&self.blob_basefee.to_be_bytes());
        put_u64(out, self.block_hashes.len() as u64);
        for h in &self.block_hashes {
            out.extend_from_slice(h.as_slice());
        }
    }
}

/// The transaction (signature already recovered: `sender`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxCtx {
    /// EIP-2718 type (0, 1, 2; type 3 is not an L2 transaction).
    pub tx_type: u8,
    /// Sender.
    pub sender: Address,
    /// Recipient; `None` creates.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// Input.
    pub data: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy gas price or the EIP-1559 fee cap.
    pub max_fee: u128,
    /// EIP-1559 tip cap (`None` for legacy and EIP-2930).
    pub max_priority_fee: Option<u128>,
    /// Nonce.
    pub nonce: u64,
    /// Access list, duplicates kept (each is charged).
    pub access_list: Vec<(Address, Vec<B256>)>,
    /// `Some(wei)` for a portal deposit (`docs/bridge.md`): tx-begin mints it to the
    /// sender before validating (an invalid deposit keeps the mint), and the deposit runs
    /// with BASEFEE 0 at gas price 0.
    pub mint: Option<U256>,
}

impl Encode for TxCtx {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.tx_type);
        out.extend_from_slice(self.sender.as_slice());
        match self.to {
            Some(a) => {
                out.push(1);
                out.extend_from_slice(a.as_slice());
            }
            None => out.push(0),
        }
        put_u256(out, &self.value);
        put_bytes(out, &self.data);
        put_u64(out, self.gas_limit);
        out.extend_from_slice(&self.max_fee.to_be_bytes());
        out.extend_from_slice(&self.max_priority_fee.unwrap_or(u128::MAX).to_be_bytes());
        out.push(self.max_priority_fee.is_some() as u8);
        put_u64(out, self.nonce);
        put_u64(out, self.access_list.len() as u64);
        for (a, keys) in &self.access_list {
            out.extend_from_slice(a.as_slice());
            put_u64(out, keys.len() as u64);
            for k in keys {
                out.extend_from_slice(k.as_slice());
            }
        }
        out.push(self.mint.is_some() as u8);
        put_u256(out, &self.mint.unwrap_or_default());
    }
}

/// Where the transaction is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Before tx-begin.
    Begin,
    /// Frames are running.
    Run,
    /// The outermost frame has exited; tx-end is next.
    End {
        /// Gas left in the outermost frame.
        gas_left: u64,
        /// Its refund counter (zero unless it succeeded).
        refund: i64,
        /// Whether it succeeded.
        success: bool,
    },
    /// Finished.
    Done {
        /// Whether the outermost frame succeeded.
        success: bool,
        /// Gas used after refunds.
        gas_used: u64,
    },
    /// The transaction is invalid; the state is unchanged.
    Invalid(String),
}

impl Encode for Phase {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Phase::Begin => out.push(0),
            Phase::Run => out.push(1),
            Phase::End { gas_left, refund, success } => {
                out.push(2);
                put_u64(out, *gas_left);
                out.extend_from_slice(&refund.to_be_bytes());
                out.push(*success as u8);
            }
            Phase::Done { success, gas_used } => {
                out.push(3);
                out.push(*success as u8);
                put_u64(out, *gas_used);
            }
            Phase::Invalid(why) => {
                out.push(4);
                put_bytes(out, why.as_bytes());
            }
        }
    }
}

/// Which parts a step opened (recorded while stepping a full state), and optionally
/// their values before the step (the witness).
#[derive(Debug, Clone, Default)]
pub struct Touched {
    /// Accounts read or written.
    pub accounts: BTreeSet<Address>,
    /// Frames by index.
    pub frames: BTreeSet<usize>,
    /// The substate.
    pub substate: bool,
    /// The journal.
    pub journal: bool,
    /// The logs.
    pub logs: bool,
    /// Pre-step values of the touched parts, when recording.
    pub pre: Option<PreImages>,
}

impl Touched {
    /// A recorder that also keeps the pre-step value of every part on first touch.
    pub fn recording() -> Self {
        Self { pre: Some(PreImages::default()), ..Self::default() }
    }
}

/// Parts as they were before a step (`None` account: it did not exist).
#[derive(Debug, Clone, Default)]
pub struct PreImages {
    /// Accounts.
    pub accounts: BTreeMap<Address, Option<Part<Account>>>,
    /// Frames.
    pub frames: BTreeMap<usize, Part<Frame>>,
    /// Substate.
    pub substate: Option<Part<Substate>>,
    /// Journal.
    pub journal: Option<Part<Journal>>,
    /// Logs.
    pub logs: Option<Part<HashStack<Log>>>,
}

/// The hashes of every part of a machine, kept up to date step by step so that the
/// commitment costs only the parts a step touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartHashes {
    /// Block context hash (fixed for the transaction).
    pub block: B256,
    /// Transaction hash (fixed for the transaction).
    pub tx: B256,
    /// Account hashes.
    pub world: BTreeMap<Address, B256>,
    /// Frame hashes, outermost first.
    pub frames: Vec<B256>,
    /// Substate hash.
    pub substate: B256,
    /// Journal hash.
    pub journal: B256,
    /// Logs hash.
    pub logs: B256,
}

/// The whole machine state of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// Block context.
    pub block: BlockCtx,
    /// The transaction.
    pub tx: TxCtx,
    /// The world: every account the transaction may see (a witness keeps all keys and
    /// seals the accounts the step does not touch, so absence is provable).
    pub world: BTreeMap<Address, Part<Account>>,
    /// Call frames, outermost first.
    pub frames: Vec<Part<Frame>>,
    /// Substate.
    pub substate: Part<Substate>,
    /// Journal.
    pub journal: Part<Journal>,
    /// Logs emitted so far, as a [`HashStack`] (they leave the machine only in the
    /// receipt).
    pub logs: Part<HashStack<Log>>,
    /// Phase.
    pub phase: Phase,
}

impl Machine {
    /// A machine about to run `tx` on `world`.
    pub fn new(block: BlockCtx, tx: TxCtx, world: BTreeMap<Address, Account>) -> Self {
        Self {
            block,
            tx,
            world: world.into_iter().map(|(a, acc)| (a, Part::Open(acc))).collect(),
            frames: Vec::new(),
            substate: Part::Open(Substate::default()),
            journal: Part::Open(Journal::default()),
            logs: Part::Open(HashStack::default()),
            phase: Phase::Begin,
        }
    }

    /// The commitment (docs/fault-vm.md, "Commitment").
    pub fn commitment(&self) -> B256 {
        self.commitment_with(&self.part_hashes())
    }

    /// Every part's hash.
    pub fn part_hashes(&self) -> PartHashes {
        PartHashes {
            block: self.block.hash(),
            tx: self.tx.hash(),
            world: self.world.iter().map(|(a, p)| (*a, p.hash())).collect(),
            frames: self.frames.iter().map(Part::hash).collect(),
            substate: self.substate.hash(),
            journal: self.journal.hash(),
            logs: self.logs.hash(),
        }
    }

    /// Brings `h` up to date after a step that touched `t` (only touched parts rehashed).
    pub fn update_part_hashes(&self, h: &mut PartHashes, t: &Touched) {
        for a in &t.accounts {
            match self.world.get(a) {
                Some(p) => {
                    h.world.insert(*a, p.hash());
                }
                None => {
                    h.world.remove(a);
                }
            }
        }
        h.frames.truncate(self.frames.len());
        for (i, f) in self.frames.iter().enumerate() {
            if i >= h.frames.len() {
                h.frames.push(f.hash());
            } else if t.frames.contains(&i) {
                h.frames[i] = f.hash();
            }
        }
        if t.substate {
            h.substate = self.substate.hash();
        }
        if t.journal {
            h.journal = self.journal.hash();
        }
        if t.logs {
            h.logs = self.logs.hash();
        }
    }

    /// The commitment given every part's hash.
    pub fn commitment_with(&self, h: &PartHashes) -> B256 {
        let mut world = Vec::with_capacity(h.world.len() * 52);
        for (a, ph) in &h.world {
            world.extend_from_slice(a.as_slice());
            world.extend_from_slice(ph.as_slice());
        }
        let mut frames = Vec::with_capacity(h.frames.len() * 32);
        for fh in &h.frames {
            frames.extend_from_slice(fh.as_slice());
        }
        let mut out = Vec::with_capacity(COMMITMENT_TAG.len() + 8 * 32);
        out.extend_from_slice(COMMITMENT_TAG);
        out.extend_from_slice(h.block.as_slice());
        out.extend_from_slice(h.tx.as_slice());
        out.extend_from_slice(keccak256(&world).as_slice());
        out.extend_from_slice(keccak256(&frames).as_slice());
        out.extend_from_slice(h.substate.as_slice());
        out.extend_from_slice(h.journal.as_slice());
        out.extend_from_slice(h.logs.as_slice());
        out.extend_from_slice(self.phase.hash().as_slice());
        keccak256(out)
    }

    /// The witness of a step from its pre-images: the parts it touched as they were, all
    /// others sealed with their pre-step hashes `h`.
    pub fn witness_from(block: &BlockCtx, tx: &TxCtx, phase: Phase, h: &PartHashes, pre: PreImages) -> Self {
        let PreImages { mut accounts, mut frames, substate, journal, logs } = pre;
        Self {
            block: block.clone(),
            tx: tx.clone(),
            world: h
                .world
                .iter()
                .map(|(a, ph)| (*a, accounts.remove(a).flatten().unwrap_or(Part::Sealed(*ph))))
                .collect(),
            frames: h.frames.iter().enumerate().map(|(i, fh)| frames.remove(&i).unwrap_or(Part::Sealed(*fh))).collect(),
            substate: substate.unwrap_or(Part::Sealed(h.substate)),
            journal: journal.unwrap_or(Part::Sealed(h.journal)),
            logs: logs.unwrap_or(Part::Sealed(h.logs)),
            phase,
        }
    }

    /// Checks what a witness could forge: every open code (accounts, frames, journal
    /// records) must hash to its stored hash; cached memory hashes are dropped.
    pub fn sanitize(&mut self) -> Result<(), StepError> {
        for p in self.world.values() {
            if let Part::Open(a) = p {
                if !a.code.is_consistent() {
                    return Err(StepError::Missing("account code matching its hash".into()));
                }
            }
        }
        if let Part::Open(j) = &self.journal {
            if j.top.iter().any(|(_, u)| matches!(u, Undo::Code(_, c) if !c.is_consistent())) {
                return Err(StepError::Missing("journal code matching its hash".into()));
            }
        }
        for p in self.frames.iter_mut() {
            if let Part::Open(f) = p {
                if !f.code.is_consistent() {
                    return Err(StepError::Missing("frame code matching its hash".into()));
                }
                f.memory.forget_hash();
            }
        }
        Ok(())
    }

    /// Bytes of this state as a witness (open parts in full, sealed ones as 32 bytes, plus
    /// one address per account key).
    pub fn witness_len(&self) -> usize {
        self.block.encoded_len()
            + self.tx.encoded_len()
            + self.world.values().map(|p| 20 + p.witness_len()).sum::<usize>()
            + self.frames.iter().map(Part::witness_len).sum::<usize>()
            + self.substate.witness_len()
            + self.journal.witness_len()
            + self.logs.witness_len()
            + self.phase.encoded_len()
    }

    /// The world as plain accounts, if every account is open.
    pub fn accounts(&self) -> Option<BTreeMap<Address, Account>> {
        self.world
            .iter()
            .map(|(a, p)| match p {
                Part::Open(acc) => Some((*a, acc.clone())),
                Part::Sealed(_) => None,
            })
            .collect()
    }

    /// The logs so far, if all are known (a full machine).
    pub fn logs(&self) -> Option<Vec<Log>> {
        match &self.logs {
            Part::Open(s) => s.items().map(|it| it.cloned().collect()),
            Part::Sealed(_) => None,
        }
    }
}

