//! The step machine's state and its commitment (docs/fault-vm.md, "Machine state").
//!
//! One machine runs one L2 block: its inputs (deposits and signed transactions) one after
//! another over the world, then the block's end, which assembles the header and the
//! output root. Everything that grows with the work is a Merkle structure a step opens one
//! entry of: the world and the substate are sparse Merkle trees ([`crate::world`]),
//! buffers are word trees ([`crate::words`]), stacks are hash chains
//! ([`crate::stack`]). The rest (the block context, the current transaction, the running
//! frame's registers, the block's accumulators) is small and always open.
//!
//! The same types hold the prover's full state and a witness: a full state carries every
//! byte and computes roots lazily; a witness carries roots and, in [`IoMode::Witness`], the
//! proofs of exactly what its step reads and writes, in order.

pub use crate::inputs::{GivenInputs, Inputs, L1Inputs};
use crate::{
    accumulator::MerkleBuilder,
    encode::{put_u256, put_u64, Encode},
    error::StepError,
    meter::Meter,
    sponge::Sponge,
    stack::{HashStack, Tally},
    words::{RangeProof, WordTree},
    world::{FullSmt, SmtAccess, World},
};
use alloy_primitives::{Address, Bloom, Bytes, B256, U256};
use std::{collections::VecDeque, rc::Rc};

/// Domain tag of the machine commitment.
pub const COMMITMENT_TAG: &[u8] = b"faultline.vm.v2";

// ---- buffers --------------------------------------------------------------------

/// A word tree: the prover's whole buffer, or a witness's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    /// The buffer (shared: a call's data is a view of the caller's memory).
    Full(Rc<WordTree>),
    /// Its root.
    Proven(B256),
}

impl Default for Tree {
    fn default() -> Self {
        Tree::Full(Rc::new(WordTree::default()))
    }
}

impl Tree {
    /// A full tree over `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Tree::Full(Rc::new(WordTree::from_bytes(bytes)))
    }
    /// A full tree over these words.
    pub fn from_words(words: &[B256]) -> Self {
        Tree::Full(Rc::new(WordTree::from_words(words)))
    }
    /// The root (`m` counts what a full tree hashes for it).
    pub fn root(&self, m: &mut Meter) -> B256 {
        match self {
            Tree::Full(t) => t.root(m),
            Tree::Proven(r) => *r,
        }
    }
    /// The same tree as a witness holds it (the prover's: not counted).
    pub fn proven(&self) -> Self {
        Tree::Proven(self.root(&mut Meter::default()))
    }
    /// The full buffer, if held.
    pub fn full(&self) -> Option<&WordTree> {
        match self {
            Tree::Full(t) => Some(t),
            Tree::Proven(_) => None,
        }
    }
}

/// A view of bytes `[offset, offset + len)` of a tree (past them: zeros). Call data,
/// return data and a frame's output are views, so no step copies them whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slice {
    /// The tree.
    pub tree: Tree,
    /// First byte.
    pub offset: u64,
    /// Length.
    pub len: u64,
}

impl Slice {
    /// A whole tree over `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Self {
        Self { tree: Tree::from_bytes(bytes), offset: 0, len: bytes.len() as u64 }
    }
    /// As a witness holds it.
    pub fn proven(&self) -> Self {
        Self { tree: self.tree.proven(), offset: self.offset, len: self.len }
    }
    /// The bytes, for a full slice.
    pub fn bytes(&self) -> Option<Vec<u8>> {
        self.tree.full().map(|t| t.read(self.offset, self.len as usize))
    }
}

impl Encode for Slice {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        out.extend_from_slice(self.tree.root(m).as_slice());
        put_u64(out, self.offset);
        put_u64(out, self.len);
    }
    fn encoded_len(&self) -> usize {
        48
    }
}

// ---- frames ---------------------------------------------------------------------

/// Why a frame stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Still executing.
    Running,
    /// STOP, RETURN or SELFDESTRUCT: success with this output.
    Success(Slice),
    /// REVERT: state undone, unused gas returned, output kept.
    Revert(Slice),
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
    /// Address collision on CREATE (nonce or code present; EIP-7610).
    CreateCollision,
    /// A precompile failed (including the L2's bounds on precompile input and gas).
    PrecompileFailed,
}

impl Halt {
    /// Every halt, in the order of its code (`Halt::X as u8`).
    pub const ALL: [Halt; 12] = [
        Halt::OutOfGas,
        Halt::StackUnderflow,
        Halt::StackOverflow,
        Halt::BadJump,
        Halt::StaticWrite,
        Halt::InvalidOpcode,
        Halt::ReturnDataOutOfBounds,
        Halt::InitCodeTooLarge,
        Halt::CodeTooLarge,
        Halt::CodeStartsWithEf,
        Halt::CreateCollision,
        Halt::PrecompileFailed,
    ];

    /// The halt with this code, if any.
    pub fn from_code(code: u8) -> Option<Halt> {
        Self::ALL.get(code as usize).copied().filter(|h| *h as u8 == code)
    }
}

/// Whether a frame runs code at an address or init code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// CALL, CALLCODE, DELEGATECALL, STATICCALL or a call transaction.
    Call,
    /// CREATE, CREATE2 or a creation transaction.
    Create,
}

/// A frame's code: its keccak256 and length, and once loaded the chunk tree
/// ([`crate::code`]). A call frame loads it from the witness (checked against the hash);
/// a create frame from its init code, a view of the creator's memory or the transaction
/// data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameCode {
    /// keccak256 of the code (of the init code for a create frame).
    pub hash: B256,
    /// Length in bytes.
    pub len: u64,
    /// The chunk tree, once loaded.
    pub chunks: Option<Tree>,
    /// Where a create frame's init code is.
    pub init: Option<Slice>,
    /// A create frame's init code is chunked over several steps: the chunks so far,
    /// the bytes they cover and the push data running past them.
    pub loading: Option<(Tree, u64, u8)>,
}

impl FrameCode {
    /// Code that needs no loading (empty).
    pub fn empty() -> Self {
        Self { hash: alloy_primitives::KECCAK256_EMPTY, len: 0, chunks: Some(Tree::default()), init: None, loading: None }
    }
}

/// Where a pending copy reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The frame's call data.
    Calldata,
    /// The frame's code.
    Code,
    /// The frame's return data (also the output of a finished child, copied to the
    /// caller's return area).
    Returndata,
    /// The frame's memory (MCOPY).
    Memory,
    /// Another account's code, by hash and length (an EXTCODECOPY of at most
    /// [`crate::step::CHUNK`] bytes: its one step carries the code; a longer one copies
    /// from a tree, [`Pending::CopyView`]).
    ExtCode {
        /// Its keccak256.
        hash: B256,
        /// Its length.
        len: u64,
    },
}

/// What a finished hash is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterHash {
    /// KECCAK256: push it.
    Push,
    /// LOG0..LOG4: append the log.
    Log {
        /// Its topics.
        topics: Vec<B256>,
    },
    /// CREATE2 of init code over [`crate::step::CHUNK`] bytes, hashed in micro-steps: the
    /// hash gives the new address and the create proceeds (its checks of depth, balance
    /// and nonce passed in the opcode step). Encoded with `then` tag 2.
    Create2 {
        /// The value sent to the new account.
        value: U256,
        /// The salt.
        salt: U256,
    },
}

/// A micro-step sequence in progress in a frame: the next steps continue it instead of
/// running the next opcode (docs/fault-vm.md, "Micro-steps").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Copies `left` bytes from `src` at `from` to memory at `to`, at most
    /// [`crate::step::CHUNK`] per step; backwards (from the end) for an overlapping
    /// MCOPY to a higher address.
    Copy {
        /// Source.
        src: Source,
        /// Next source offset (the first byte of what is left).
        from: u64,
        /// Next memory offset.
        to: u64,
        /// Bytes left.
        left: u64,
        /// Copy the last chunk first.
        backwards: bool,
    },
    /// Hashes memory `[at, at + left)` into `sponge`, [`crate::step::SPONGE_CHUNK`] bytes
    /// per step.
    Hash {
        /// The sponge so far.
        sponge: Sponge,
        /// Next memory offset.
        at: u64,
        /// Bytes left.
        left: u64,
        /// Bytes hashed so far.
        done: u64,
        /// What the hash is for.
        then: AfterHash,
    },
    /// Copies `left` bytes from a view at `from` to memory at `to`, at most
    /// [`crate::step::CHUNK`] per step (EXTCODECOPY of more than a step copies: the other
    /// account's code is loaded once into a word tree, the view, then copied from it).
    /// Encoded with tag 3.
    CopyView {
        /// The bytes copied from (zero past its length).
        view: Slice,
        /// Next offset in the view.
        from: u64,
        /// Next memory offset.
        to: u64,
        /// Bytes left.
        left: u64,
    },
}

impl Pending {
    /// As a witness holds it: trees as roots.
    pub fn proven(&self) -> Self {
        match self {
            Pending::CopyView { view, from, to, left } => Pending::CopyView { view: view.proven(), from: *from, to: *to, left: *left },
            other => other.clone(),
        }
    }
}

/// One call frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Call or create.
    pub kind: FrameKind,
    /// Code being run.
    pub code: FrameCode,
    /// Where the code came from (a precompile address runs the precompile).
    pub code_address: Address,
    /// Program counter.
    pub pc: u64,
    /// Gas left.
    pub gas: u64,
    /// Refund counter of this frame (merged into the caller on success).
    pub refund: i64,
    /// The EVM stack.
    pub stack: HashStack<U256>,
    /// Memory.
    pub memory: Tree,
    /// Memory size in bytes (a multiple of 32; the tree is zero past it).
    pub memory_len: u64,
    /// Call data.
    pub calldata: Slice,
    /// Return data of the last call this frame made.
    pub returndata: Slice,
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
    /// A micro-step sequence in progress.
    pub pending: Option<Pending>,
}

fn put_status(out: &mut Vec<u8>, s: &Status, m: &mut Meter) {
    match s {
        Status::Running => out.push(0),
        Status::Success(o) => {
            out.push(1);
            o.encode(out, m)
        }
        Status::Revert(o) => {
            out.push(2);
            o.encode(out, m)
        }
        Status::Halt(h) => {
            out.push(3);
            out.push(*h as u8)
        }
    }
}

fn put_source(out: &mut Vec<u8>, s: &Source) {
    match s {
        Source::Calldata => out.push(0),
        Source::Code => out.push(1),
        Source::Returndata => out.push(2),
        Source::Memory => out.push(3),
        Source::ExtCode { hash, len } => {
            out.push(4);
            out.extend_from_slice(hash.as_slice());
            put_u64(out, *len);
        }
    }
}

impl Encode for Pending {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        match self {
            Pending::Copy { src, from, to, left, backwards } => {
                out.push(1);
                put_source(out, src);
                put_u64(out, *from);
                put_u64(out, *to);
                put_u64(out, *left);
                out.push(*backwards as u8);
            }
            Pending::Hash { sponge, at, left, done, then } => {
                out.push(2);
                sponge.encode(out);
                put_u64(out, *at);
                put_u64(out, *left);
                put_u64(out, *done);
                match then {
                    AfterHash::Push => out.push(0),
                    AfterHash::Log { topics } => {
                        out.push(1);
                        out.push(topics.len() as u8);
                        for t in topics {
                            out.extend_from_slice(t.as_slice());
                        }
                    }
                    AfterHash::Create2 { value, salt } => {
                        out.push(2);
                        put_u256(out, value);
                        put_u256(out, salt);
                    }
                }
            }
            Pending::CopyView { view, from, to, left } => {
                out.push(3);
                view.encode(out, m);
                put_u64(out, *from);
                put_u64(out, *to);
                put_u64(out, *left);
            }
        }
    }
}

impl Encode for Frame {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        out.push(match self.kind {
            FrameKind::Call => 0,
            FrameKind::Create => 1,
        });
        out.extend_from_slice(self.code.hash.as_slice());
        put_u64(out, self.code.len);
        match &self.code.chunks {
            Some(t) => {
                out.push(1);
                out.extend_from_slice(t.root(m).as_slice());
            }
            None => out.push(0),
        }
        match &self.code.init {
            Some(s) => {
                out.push(1);
                s.encode(out, m);
            }
            None => out.push(0),
        }
        match &self.code.loading {
            Some((t, done, carry)) => {
                out.push(1);
                out.extend_from_slice(t.root(m).as_slice());
                put_u64(out, *done);
                out.push(*carry);
            }
            None => out.push(0),
        }
        out.extend_from_slice(self.code_address.as_slice());
        put_u64(out, self.pc);
        put_u64(out, self.gas);
        out.extend_from_slice(&self.refund.to_be_bytes());
        self.stack.encode(out, m);
        out.extend_from_slice(self.memory.root(m).as_slice());
        put_u64(out, self.memory_len);
        self.calldata.encode(out, m);
        self.returndata.encode(out, m);
        out.extend_from_slice(self.address.as_slice());
        out.extend_from_slice(self.caller.as_slice());
        put_u256(out, &self.value);
        out.push(self.is_static as u8);
        put_u64(out, self.checkpoint);
        put_u64(out, self.ret_offset);
        put_u64(out, self.ret_size);
        put_status(out, &self.status, m);
        match &self.pending {
            Some(p) => p.encode(out, m),
            None => out.push(0),
        }
    }
}

impl Frame {
    /// The frame as a witness holds it: trees as roots, its stack carrying `carry` items.
    pub fn proven(&self, carry: usize) -> Self {
        let status = match &self.status {
            Status::Success(s) => Status::Success(s.proven()),
            Status::Revert(s) => Status::Revert(s.proven()),
            other => other.clone(),
        };
        Self {
            code: FrameCode {
                hash: self.code.hash,
                len: self.code.len,
                chunks: self.code.chunks.as_ref().map(Tree::proven),
                init: self.code.init.as_ref().map(Slice::proven),
                loading: self.code.loading.as_ref().map(|(t, d, c)| (t.proven(), *d, *c)),
            },
            stack: self.stack.to_witness(carry),
            memory: self.memory.proven(),
            calldata: self.calldata.proven(),
            returndata: self.returndata.proven(),
            status,
            pending: self.pending.as_ref().map(Pending::proven),
            ..self.clone()
        }
    }
}

// ---- journal, logs --------------------------------------------------------------

/// One undo record; a failed frame replays the journal back to its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undo {
    /// The account before a write (`None`: absent).
    Account(Address, Option<faultline_state::AccountRecord>),
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
    /// Marked for deletion (also appended to the list of accounts to delete).
    MarkedDestructed(Address),
}

impl Encode for Undo {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        match self {
            Undo::Account(a, r) => {
                out.push(0);
                out.extend_from_slice(a.as_slice());
                match r {
                    Some(r) => {
                        out.push(1);
                        out.extend_from_slice(&r.encode());
                    }
                    None => out.push(0),
                }
            }
            Undo::Storage(a, s, v) | Undo::Transient(a, s, v) => {
                out.push(if matches!(self, Undo::Storage(..)) { 1 } else { 2 });
                out.extend_from_slice(a.as_slice());
                put_u256(out, s);
                put_u256(out, v);
            }
            Undo::WarmAddress(a) => {
                out.push(3);
                out.extend_from_slice(a.as_slice());
            }
            Undo::WarmSlot(a, s) => {
                out.push(4);
                out.extend_from_slice(a.as_slice());
                put_u256(out, s);
            }
            Undo::Log => out.push(5),
            Undo::MarkedCreated(a) => {
                out.push(6);
                out.extend_from_slice(a.as_slice());
            }
            Undo::MarkedDestructed(a) => {
                out.push(7);
                out.extend_from_slice(a.as_slice());
            }
        }
    }
}

/// A log as the machine keeps it: its data as a hash and a length (the prover also keeps
/// the bytes, outside the commitment, for receipts and comparisons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogItem {
    /// Emitting contract.
    pub address: Address,
    /// Topics (at most 4).
    pub topics: Vec<B256>,
    /// keccak256 of the data.
    pub data_hash: B256,
    /// Length of the data.
    pub data_len: u64,
    /// The data (prover only; not committed).
    pub data: Option<Bytes>,
}

impl Encode for LogItem {
    /// `address ‖ topicCount:u8 ‖ topics ‖ keccak256(data) ‖ dataLength:u64`: the L2's log
    /// leaf (`faultline_primitives::commitments::log_item`).
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.extend_from_slice(self.address.as_slice());
        out.push(self.topics.len() as u8);
        for t in &self.topics {
            out.extend_from_slice(t.as_slice());
        }
        out.extend_from_slice(self.data_hash.as_slice());
        put_u64(out, self.data_len);
    }
}

/// A slot written in an account created in this transaction (what the end of the
/// transaction deletes if that account destroyed itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRef(pub Address, pub U256);

impl Encode for SlotRef {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.extend_from_slice(self.0.as_slice());
        put_u256(out, &self.1);
    }
}

// ---- block and transaction ------------------------------------------------------

/// The block context (fixed for the block).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// PREVRANDAO (on the L2: the parent hash).
    pub prevrandao: B256,
    /// Chain id.
    pub chain_id: u64,
    /// BLOBBASEFEE.
    pub blob_basefee: u128,
    /// The parent block's hash.
    pub parent_hash: B256,
    /// Portal deposits included up to and including this block (the header's extraData).
    pub deposit_cursor: u64,
    /// The L1 values the block prices L1 fees with (the rest of the header's extraData;
    /// zero, no L1 fee, in the state tests).
    pub l1_fee: faultline_primitives::l1fee::L1FeeInputs,
    /// The chain's L1 fee scalars (`RollupConfig` immutables).
    pub l1_scalars: faultline_primitives::l1fee::L1FeeScalars,
    /// Where BLOCKHASH reads the 256 most recent block hashes.
    pub block_hashes: BlockHashes,
}

/// Where BLOCKHASH reads from (docs/fault-vm.md, "Block context").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockHashes {
    /// From L2 state: the EIP-2935 history contract's storage, which the block's first
    /// step extends with the parent's hash (`faultline_primitives::history`). Every L2
    /// block: nothing outside the world's root is needed to prove a hash.
    State,
    /// From a word tree of the 256 most recent hashes, oldest first (word `i` is block
    /// `number - 256 + i`), given with the block: the state tests, whose pre-states have
    /// no history contract.
    Tree(Tree),
}

impl Default for BlockHashes {
    fn default() -> Self {
        BlockHashes::State
    }
}

impl BlockHashes {
    /// A tree of `hashes` (oldest first, at most 256; fewer are padded with zero in front).
    pub fn tree(hashes: &[B256]) -> Self {
        let mut words = vec![B256::ZERO; 256];
        let take = hashes.len().min(256);
        words[256 - take..].copy_from_slice(&hashes[hashes.len() - take..]);
        BlockHashes::Tree(Tree::from_words(&words))
    }
    /// As a witness holds it.
    pub fn proven(&self) -> Self {
        match self {
            BlockHashes::State => BlockHashes::State,
            BlockHashes::Tree(t) => BlockHashes::Tree(t.proven()),
        }
    }
}

impl Encode for BlockCtx {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        for v in [self.number, self.timestamp, self.gas_limit, self.basefee] {
            put_u64(out, v);
        }
        out.extend_from_slice(self.coinbase.as_slice());
        out.extend_from_slice(self.prevrandao.as_slice());
        put_u64(out, self.chain_id);
        out.extend_from_slice(&self.blob_basefee.to_be_bytes());
        out.extend_from_slice(self.parent_hash.as_slice());
        put_u64(out, self.deposit_cursor);
        for v in [self.l1_fee.origin, self.l1_fee.base_fee, self.l1_fee.blob_base_fee] {
            put_u64(out, v);
        }
        out.extend_from_slice(&self.l1_scalars.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.l1_scalars.blob_base_fee_scalar.to_be_bytes());
        match &self.block_hashes {
            BlockHashes::State => out.push(1),
            BlockHashes::Tree(t) => {
                out.push(0);
                out.extend_from_slice(t.root(m).as_slice());
            }
        }
    }
}

/// One access-list entry as the machine warms it: an address, or a slot of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessItem {
    /// The address.
    pub address: Address,
    /// The slot, for a slot entry.
    pub slot: Option<B256>,
}

impl Encode for AccessItem {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        out.extend_from_slice(self.address.as_slice());
        match self.slot {
            Some(s) => {
                out.push(1);
                out.extend_from_slice(s.as_slice());
            }
            None => out.push(0),
        }
    }
}

/// A transaction's inputs (signature already recovered: `sender`). Its data and access
/// list are trees; their lengths and counts are here so tx-begin needs neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxCtx {
    /// EIP-2718 type (0, 1, 2).
    pub tx_type: u8,
    /// Hash of the signed transaction (the transactions root's leaf; zero for a deposit).
    pub hash: B256,
    /// Sender.
    pub sender: Address,
    /// Recipient; `None` creates.
    pub to: Option<Address>,
    /// Value.
    pub value: U256,
    /// Input data.
    pub data: Slice,
    /// Zero bytes in the data (intrinsic gas charges 4 for them, 16 for the others).
    pub data_zeros: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Legacy gas price or the EIP-1559 fee cap.
    pub max_fee: u128,
    /// EIP-1559 tip cap (`None` for legacy and EIP-2930).
    pub max_priority_fee: Option<u128>,
    /// Nonce (a deposit uses the sender's current nonce instead).
    pub nonce: u64,
    /// Chain id (`None`: a legacy transaction without EIP-155).
    pub chain_id: Option<u64>,
    /// The access list flattened into items (an address, then its slots), as a tree of
    /// item hashes; the prover keeps the items.
    pub access: Tree,
    /// The items (prover only; not committed: `access` is).
    pub access_items: Option<Vec<AccessItem>>,
    /// Items in the access list.
    pub access_len: u64,
    /// Addresses among them.
    pub access_addresses: u64,
    /// `Some(wei)` for a portal deposit (docs/bridge.md): tx-begin mints it to the sender
    /// before validating (an invalid deposit keeps the mint), and the deposit runs with
    /// BASEFEE 0 at gas price 0.
    pub mint: Option<U256>,
    /// Length of the signed transaction's EIP-2718 bytes, which its L1 fee is priced on
    /// (zero for a deposit, which pays none).
    pub size: u64,
}

impl Encode for TxCtx {
    fn encode(&self, out: &mut Vec<u8>, m: &mut Meter) {
        out.push(self.tx_type);
        out.extend_from_slice(self.hash.as_slice());
        out.extend_from_slice(self.sender.as_slice());
        match self.to {
            Some(a) => {
                out.push(1);
                out.extend_from_slice(a.as_slice());
            }
            None => out.push(0),
        }
        put_u256(out, &self.value);
        self.data.encode(out, m);
        put_u64(out, self.data_zeros);
        put_u64(out, self.gas_limit);
        out.extend_from_slice(&self.max_fee.to_be_bytes());
        out.push(self.max_priority_fee.is_some() as u8);
        out.extend_from_slice(&self.max_priority_fee.unwrap_or_default().to_be_bytes());
        put_u64(out, self.nonce);
        out.push(self.chain_id.is_some() as u8);
        put_u64(out, self.chain_id.unwrap_or_default());
        out.extend_from_slice(self.access.root(m).as_slice());
        put_u64(out, self.access_len);
        put_u64(out, self.access_addresses);
        out.push(self.mint.is_some() as u8);
        put_u256(out, &self.mint.unwrap_or_default());
        put_u64(out, self.size);
    }
}

impl TxCtx {
    /// As a witness holds it.
    pub fn proven(&self) -> Self {
        Self { data: self.data.proven(), access: self.access.proven(), access_items: None, ..self.clone() }
    }
}

/// What the block has accumulated over the transactions so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockAcc {
    /// Index of the next input.
    pub next: u64,
    /// Gas used by the block's signed transactions so far.
    pub gas_used: u64,
    /// The block's logs bloom so far.
    pub bloom: Bloom,
    /// The transactions root being built (over included signed transactions' hashes).
    pub txs: MerkleBuilder,
    /// The receipts root being built.
    pub receipts: MerkleBuilder,
}

impl Encode for BlockAcc {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        put_u64(out, self.next);
        put_u64(out, self.gas_used);
        out.extend_from_slice(self.bloom.as_slice());
        self.txs.encode(out);
        self.receipts.encode(out);
    }
}

/// Where the machine is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Load the next input, or end the block.
    NextTx,
    /// tx-begin: validation, gas purchase, warm sets.
    Begin,
    /// Warming access-list item `next`.
    Warm {
        /// Next item.
        next: u64,
    },
    /// The value transfer and the first frame.
    Enter,
    /// Frames are running.
    Run,
    /// The outermost frame has exited: refunds, fees, the receipt.
    End {
        /// Gas left in the outermost frame.
        gas_left: u64,
        /// Its refund counter (zero unless it succeeded).
        refund: i64,
        /// Whether it succeeded.
        success: bool,
    },
    /// Deleting what accounts destroyed under EIP-6780 left: their slots, then them.
    Sweep,
    /// Adding the transaction's logs to the block's bloom, one per step.
    Bloom {
        /// Whether the logs go into the bloom (not for a deposit: it has no receipt).
        keep: bool,
    },
    /// The block has ended with this header and output root.
    Done {
        /// The block hash.
        block_hash: B256,
        /// The output root (docs/outputs.md).
        output_root: B256,
    },
}

impl Encode for Phase {
    fn encode(&self, out: &mut Vec<u8>, _: &mut Meter) {
        match self {
            Phase::NextTx => out.push(0),
            Phase::Begin => out.push(1),
            Phase::Warm { next } => {
                out.push(2);
                put_u64(out, *next);
            }
            Phase::Enter => out.push(3),
            Phase::Run => out.push(4),
            Phase::End { gas_left, refund, success } => {
                out.push(5);
                put_u64(out, *gas_left);
                out.extend_from_slice(&refund.to_be_bytes());
                out.push(*success as u8);
            }
            Phase::Sweep => out.push(6),
            Phase::Bloom { keep } => {
                out.push(7);
                out.push(*keep as u8);
            }
            Phase::Done { block_hash, output_root } => {
                out.push(8);
                out.extend_from_slice(block_hash.as_slice());
                out.extend_from_slice(output_root.as_slice());
            }
        }
    }
}

// ---- substate --------------------------------------------------------------------

/// The per-transaction substate (EIP-2929 warm sets, EIP-2200 original values, EIP-1153
/// transient storage, EIP-6780 created and destroyed accounts) as a keyed tree under
/// domain-separated keys (docs/fault-vm.md, "Substate").
#[derive(Debug, Clone)]
pub enum Substate {
    /// The prover's.
    Full(Box<FullSmt>),
    /// A witness's root.
    Proven(B256),
}

impl Default for Substate {
    fn default() -> Self {
        Substate::Full(Box::new(FullSmt::empty()))
    }
}

impl Substate {
    /// The root.
    pub fn root(&self) -> Result<B256, StepError> {
        match self {
            Substate::Full(f) => f.root(),
            Substate::Proven(r) => Ok(*r),
        }
    }
}

// ---- input/output of a step ------------------------------------------------------

/// One thing a step opens, in the order it opens them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// A read or write of the world or the substate.
    Smt(Box<SmtAccess>),
    /// Words `first ..` of a word tree, with the range proof (a write reuses the proof
    /// with the new words).
    Range {
        /// First word.
        first: u64,
        /// The words as they were.
        words: Vec<B256>,
        /// The boundary siblings.
        proof: RangeProof,
    },
    /// Code bytes, checked against a code hash (loading code, EXTCODECOPY).
    Code(Bytes),
    /// The preimage of a word just opened (an input's encoding, an access-list item).
    Preimage(Vec<u8>),
    /// A blob field element opened by point evaluation (a blob batch's payload): the
    /// blob's KZG commitment, the element's value and the KZG proof.
    Blob {
        /// The blob's KZG commitment (its versioned hash is checked).
        commitment: alloy_primitives::FixedBytes<48>,
        /// The element's value.
        y: B256,
        /// The KZG proof of the value at the element's point.
        proof: alloy_primitives::FixedBytes<48>,
    },
}

/// Where a machine's reads and writes of its trees come from.
#[derive(Debug, Clone, Default)]
pub enum IoMode {
    /// The prover's full state; recording the accesses of the step being witnessed.
    Full {
        /// The accesses so far, when recording.
        recording: Option<Vec<Access>>,
    },
    /// A witness: the accesses of its one step, consumed in order.
    Witness(VecDeque<Access>),
    /// The default: full, not recording.
    #[default]
    Plain,
}

/// How a machine reads and writes its trees ([`crate::io`]; not committed): the mode, the
/// meter every hash of a step reports to, and the generation of the step being taken,
/// which the word trees a step builds carry ([`crate::words::WordTree::born`]) so that
/// opening them in that step is no witness access (the witness builds them too).
#[derive(Debug, Clone, Default)]
pub struct Io {
    /// Full (recording or not) or a witness.
    pub mode: IoMode,
    /// What the steps taken so far cost on L1 ([`crate::meter`]): the reference step
    /// runs a witness with a fresh one; a prover's machine accumulates its own (its
    /// bound hits, say, over a block).
    pub meter: Meter,
    /// The step being taken: [`Machine::step`] counts it up before each step. Trees
    /// made outside any step carry 0, which no step has.
    pub generation: u64,
}

impl Io {
    /// A witness's: its step's accesses, in order.
    pub fn witness(accesses: VecDeque<Access>) -> Self {
        Io { mode: IoMode::Witness(accesses), meter: Meter::default(), generation: 0 }
    }
}

// ---- the machine -------------------------------------------------------------------

/// How one input of the block ended (the prover's record; not committed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxOutcome {
    /// Invalid at its position: skipped (a deposit keeps its mint).
    Invalid(String),
    /// Ran: success, gas used, logs (with data).
    Ran {
        /// Whether the outermost frame succeeded.
        success: bool,
        /// Gas used after refunds.
        gas_used: u64,
        /// Its logs.
        logs: Vec<alloy_primitives::Log>,
    },
}

/// The whole machine state of one block.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Block context.
    pub block: BlockCtx,
    /// The block's inputs.
    pub inputs: Inputs,
    /// What the block has accumulated.
    pub acc: BlockAcc,
    /// The current transaction.
    pub tx: Option<TxCtx>,
    /// The world.
    pub world: World,
    /// The substate of the current transaction.
    pub substate: Substate,
    /// Suspended frames, outermost first.
    pub frames: HashStack<Frame>,
    /// The running frame (boxed: a step takes it out and puts it back).
    pub top: Option<Box<Frame>>,
    /// The journal.
    pub journal: HashStack<Undo>,
    /// The current transaction's logs.
    pub logs: HashStack<LogItem>,
    /// Accounts destroyed under EIP-6780 in this transaction, to delete at its end.
    pub destructed: HashStack<Address>,
    /// Slots written in accounts created in this transaction.
    pub created_slots: HashStack<SlotRef>,
    /// Phase.
    pub phase: Phase,
    /// How trees are read (not committed).
    pub io: Io,
    /// How each input ended (prover only; not committed).
    pub outcomes: Vec<TxOutcome>,
}

impl Machine {
    /// A machine at the start of a block with `inputs`, over `world`.
    pub fn new(block: BlockCtx, inputs: Vec<TxCtx>, world: World) -> Self {
        Self::with_inputs(block, Inputs::Given(GivenInputs::new(inputs)), world)
    }

    /// A machine at the start of a block whose inputs come from L1
    /// (docs/fault-vm-inputs.md).
    pub fn from_l1(block: BlockCtx, inputs: L1Inputs, world: World) -> Self {
        Self::with_inputs(block, Inputs::L1(Box::new(inputs)), world)
    }

    fn with_inputs(block: BlockCtx, inputs: Inputs, world: World) -> Self {
        Self {
            block,
            inputs,
            acc: BlockAcc::default(),
            tx: None,
            world,
            substate: Substate::default(),
            frames: HashStack::default(),
            top: None,
            journal: HashStack::default(),
            logs: HashStack::default(),
            destructed: HashStack::default(),
            created_slots: HashStack::default(),
            phase: Phase::NextTx,
            io: Io::default(),
            outcomes: Vec::new(),
        }
    }

    /// The commitment (docs/fault-vm.md, "Commitment"): keccak256 of the tag and every
    /// part's encoding, trees as their roots. Not counted: [`Machine::commitment_metered`]
    /// is.
    pub fn commitment(&self) -> Result<B256, StepError> {
        self.commitment_metered(&mut Meter::default())
    }

    /// [`Machine::commitment`], counted by `m` (the roots the encoding computes and the
    /// hash of it).
    pub fn commitment_metered(&self, m: &mut Meter) -> Result<B256, StepError> {
        let out = self.preimage_metered(m)?;
        Ok(m.keccak(&out))
    }

    /// The bytes [`Machine::commitment`] hashes (docs/fault-vm.md, "Byte encodings"): a
    /// Done state's ends with phase tag 8, the block hash and the output root, which the
    /// dispute game reads off it at the split.
    pub fn preimage(&self) -> Result<Vec<u8>, StepError> {
        self.preimage_metered(&mut Meter::default())
    }

    fn preimage_metered(&self, m: &mut Meter) -> Result<Vec<u8>, StepError> {
        let mut out = Vec::with_capacity(2048);
        out.extend_from_slice(COMMITMENT_TAG);
        self.block.encode(&mut out, m);
        self.inputs.encode(&mut out, m);
        self.acc.encode(&mut out, m);
        match &self.tx {
            Some(t) => {
                out.push(1);
                t.encode(&mut out, m);
            }
            None => out.push(0),
        }
        out.extend_from_slice(self.world.root()?.as_slice());
        out.extend_from_slice(self.substate.root()?.as_slice());
        self.frames.encode(&mut out, m);
        match &self.top {
            Some(f) => {
                out.push(1);
                f.encode(&mut out, m);
            }
            None => out.push(0),
        }
        self.journal.encode(&mut out, m);
        self.logs.encode(&mut out, m);
        self.destructed.encode(&mut out, m);
        self.created_slots.encode(&mut out, m);
        self.phase.encode(&mut out, m);
        Ok(out)
    }

    /// Whether the block has ended.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Done { .. })
    }

    /// The output root, once the block has ended.
    pub fn output_root(&self) -> Option<B256> {
        match self.phase {
            Phase::Done { output_root, .. } => Some(output_root),
            _ => None,
        }
    }

    /// Marks every stack so a step's depth into each can be read after it.
    pub fn mark_stacks(&mut self) {
        self.frames.mark();
        if let Some(f) = self.top.as_mut() {
            f.stack.mark();
        }
        self.journal.mark();
        self.logs.mark();
        self.destructed.mark();
        self.created_slots.mark();
    }

    /// What the machine's witness stacks' pushes and pops did since the last call (the
    /// chain hashes, the carried items popped), and restarts their tallies: those of every
    /// stack, the EVM stacks of the running frame and of the frames suspended in the step
    /// (a call pops its arguments, then suspends the caller) included. No step drops a
    /// stack it pushed to or popped from.
    pub fn take_tallies(&mut self) -> Tally {
        let mut t = self.frames.take_tally();
        if let HashStack::Witness { top, .. } = &mut self.frames {
            for (_, f) in top.iter_mut() {
                t.add(&f.stack.take_tally());
            }
        }
        if let Some(f) = self.top.as_mut() {
            t.add(&f.stack.take_tally());
        }
        for s in [self.journal.take_tally(), self.logs.take_tally(), self.destructed.take_tally(), self.created_slots.take_tally()] {
            t.add(&s);
        }
        t
    }

    /// This state as the witness of a step that consumed, from each stack, the items
    /// `carry` gives, and opened `accesses`.
    pub fn to_witness(&self, carry: &Carry, accesses: Vec<Access>) -> Result<Machine, StepError> {
        Ok(Machine {
            block: BlockCtx { block_hashes: self.block.block_hashes.proven(), ..self.block.clone() },
            inputs: self.inputs.proven(),
            acc: self.acc.clone(),
            tx: self.tx.as_ref().map(TxCtx::proven),
            world: World::Proven(self.world.root()?),
            substate: Substate::Proven(self.substate.root()?),
            frames: {
                // A suspended frame the step resumes is held as a witness holds a frame.
                let mut w = self.frames.to_witness(carry.frames);
                if let HashStack::Witness { top, .. } = &mut w {
                    for (_, f) in top.iter_mut() {
                        *f = f.proven(0);
                    }
                }
                w
            },
            top: self.top.as_ref().map(|f| Box::new(f.proven(carry.stack))),
            journal: self.journal.to_witness(carry.journal),
            logs: {
                let mut w = self.logs.to_witness(carry.logs);
                if let HashStack::Witness { top, .. } = &mut w {
                    for (_, l) in top.iter_mut() {
                        l.data = None;
                    }
                }
                w
            },
            destructed: self.destructed.to_witness(carry.destructed),
            created_slots: self.created_slots.to_witness(carry.created_slots),
            phase: self.phase.clone(),
            io: Io::witness(accesses.into()),
            outcomes: Vec::new(),
        })
    }
}

/// How many items a step took from each stack of its pre-state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carry {
    /// Suspended frames.
    pub frames: usize,
    /// The running frame's EVM stack.
    pub stack: usize,
    /// Journal records.
    pub journal: usize,
    /// Logs.
    pub logs: usize,
    /// Destroyed accounts.
    pub destructed: usize,
    /// Created slots.
    pub created_slots: usize,
}
