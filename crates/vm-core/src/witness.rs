//! The witness wire format (docs/fault-vm.md, "Witness wire format"): the bytes the
//! reference [`crate::step::step`] reads, and the Solidity verifier with it.
//!
//! This module owns those bytes: [`encode`] turns the witness a recorded step cuts from
//! the prover's state (`faultline_vm_prover::trace::step_recorded`) into them, [`decode`] turns them
//! back into a witness machine, and the decoders of every part of the state (block and
//! transaction contexts, frames, pending micro-steps, journal records, log items, the
//! phase, the accesses) live here. A witness is
//!
//! ```text
//! enc(block) ‖ enc(inputs) ‖ enc(acc) ‖ (0 | 1 ‖ enc(tx)) ‖ worldRoot
//!   ‖ substateRoot ‖ stack(frames) ‖ (0 | 1 ‖ enc(frame) ‖ items(frame stack))
//!   ‖ stack(journal) ‖ stack(logs) ‖ stack(destructed) ‖ stack(createdSlots) ‖ enc(phase)
//!   ‖ accessCount:u16 ‖ access*
//! ```
//!
//! — the commitment's preimage after its tag, with each hash stack's header followed by
//! the items the step pops, then the accesses in the order the step makes them. There is
//! one encoding per witness: integers are fixed-width big-endian, flags are 0 or 1, tags
//! are in range, every length is prefixed and bounded before anything is allocated, no
//! byte may follow the last access, a range-proof sibling flagged present is not the zero
//! subtree, an SMT sibling is not the empty hash, and the decoded witness must re-encode
//! to the same bytes. What the bytes cannot show alone (an item or a proof part the step
//! does not use) the step refuses as [`StepError::Unused`].
//!
//! Decoding never panics: every read goes through [`Reader`], which checks the length
//! left first.

use crate::{
    accumulator::MerkleBuilder,
    encode::{put_u64, Encode},
    error::StepError,
    inputs::{BatchSource, ChunkCursor, DepositSource, Entry, EntryStage, GivenInputs, L1Inputs},
    machine::{
        Access, AfterHash, BlockAcc, BlockCtx, BlockHashes, Frame, FrameCode, FrameKind, Halt, Inputs, Io, IoMode, LogItem, Machine, Pending, Phase, Slice,
        SlotRef, Source, Status, Substate, Tree, TxCtx, Undo,
    },
    meter::Meter,
    sponge::{Absorber, Sponge},
    stack::HashStack,
    words::{sibling_heights, zero_hash, RangeProof},
    world::{SmtAccess, World},
};
use alloy_primitives::{Address, Bloom, Bytes, B256, U256};
use faultline_state::{smt::Node, AccountRecord};

impl TxCtx {
    /// Decodes an input's preimage: exactly the canonical [`Encode::encode`] output (a
    /// transaction context with its trees as roots), nothing else
    /// ([`StepError::Malformed`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, StepError> {
        decode_tx_ctx(bytes)
    }
}

/// The longest witness [`decode`] reads (4 MiB, far above what one L1 transaction
/// carries: EIP-7825 caps a transaction at 2^24 gas, 40 gas per calldata byte).
pub const MAX_WITNESS_LEN: usize = 1 << 22;
/// Most accesses one witness may carry.
pub const MAX_ACCESSES: usize = u16::MAX as usize;
/// Most items one hash stack of a witness may carry.
pub const MAX_STACK_ITEMS: usize = u16::MAX as usize;

/// Access tag: words of a word tree with their range proof.
pub const TAG_RANGE: u8 = 1;
/// Access tag: a read or write of the world or the substate with its tree proof.
pub const TAG_SMT: u8 = 2;
/// Access tag: code bytes checked against a code hash.
pub const TAG_CODE: u8 = 3;
/// Access tag: the preimage of a word the step opened.
pub const TAG_PREIMAGE: u8 = 4;
/// Access tag: a blob field element opened by point evaluation.
pub const TAG_BLOB: u8 = 5;

fn malformed(what: impl Into<String>) -> StepError {
    StepError::Malformed(what.into())
}

/// A cursor over untrusted bytes: every read checks the bytes left first.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, at: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn left(&self) -> usize {
        self.buf.len() - self.at
    }

    /// Offset of the next byte.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StepError> {
        if self.left() < n {
            return Err(malformed(format!("truncated: {what} needs {n} bytes at offset {}, {} left", self.at, self.left())));
        }
        let out = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StepError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, StepError> {
        Ok(self.array::<1>(what)?[0])
    }
    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, StepError> {
        Ok(u16::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, StepError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, StepError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn i64(&mut self, what: &str) -> Result<i64, StepError> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn u128(&mut self, what: &str) -> Result<u128, StepError> {
        Ok(u128::from_be_bytes(self.array(what)?))
    }
    pub(crate) fn b256(&mut self, what: &str) -> Result<B256, StepError> {
        Ok(B256::from(self.array::<32>(what)?))
    }
    pub(crate) fn u256(&mut self, what: &str) -> Result<U256, StepError> {
        Ok(U256::from_be_bytes(self.array::<32>(what)?))
    }
    pub(crate) fn address(&mut self, what: &str) -> Result<Address, StepError> {
        Ok(Address::from(self.array::<20>(what)?))
    }

    /// A flag byte: 0 or 1, nothing else.
    pub(crate) fn flag(&mut self, what: &str) -> Result<bool, StepError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(malformed(format!("{what}: flag {b} is neither 0 nor 1"))),
        }
    }

    /// A tag byte at most `max`.
    fn tag(&mut self, what: &str, max: u8) -> Result<u8, StepError> {
        let t = self.u8(what)?;
        if t > max {
            return Err(malformed(format!("{what}: tag {t} is out of range (at most {max})")));
        }
        Ok(t)
    }

    /// A count of at most `max` items of at least `min_size` bytes each, checked against
    /// the bytes left before anything is allocated.
    fn count(&mut self, n: usize, what: &str, max: usize, min_size: usize) -> Result<usize, StepError> {
        if n > max {
            return Err(malformed(format!("{what}: {n} is over the bound of {max}")));
        }
        if n.saturating_mul(min_size) > self.left() {
            return Err(malformed(format!("truncated: {n} × {min_size} bytes of {what}, {} left", self.left())));
        }
        Ok(n)
    }

    /// Fails if any byte is left.
    pub(crate) fn finish(&self, what: &str) -> Result<(), StepError> {
        if self.left() != 0 {
            return Err(malformed(format!("{} trailing bytes after {what}", self.left())));
        }
        Ok(())
    }
}

// ---- parts of the state ------------------------------------------------------------

fn proven(r: &mut Reader, what: &str) -> Result<Tree, StepError> {
    Ok(Tree::Proven(r.b256(what)?))
}

/// A block context ([`BlockCtx`]'s encoding; the recent hashes as a root).
pub(crate) fn block_ctx(r: &mut Reader) -> Result<BlockCtx, StepError> {
    Ok(BlockCtx {
        number: r.u64("block number")?,
        timestamp: r.u64("block timestamp")?,
        gas_limit: r.u64("block gas limit")?,
        basefee: r.u64("block base fee")?,
        coinbase: r.address("coinbase")?,
        prevrandao: r.b256("prevrandao")?,
        chain_id: r.u64("chain id")?,
        blob_basefee: r.u128("blob base fee")?,
        parent_hash: r.b256("parent hash")?,
        deposit_cursor: r.u64("deposit cursor")?,
        l1_fee: faultline_primitives::l1fee::L1FeeInputs {
            origin: r.u64("L1 fee origin")?,
            base_fee: r.u64("L1 base fee")?,
            blob_base_fee: r.u64("L1 blob base fee")?,
        },
        l1_scalars: faultline_primitives::l1fee::L1FeeScalars {
            base_fee_scalar: r.u32("base fee scalar")?,
            blob_base_fee_scalar: r.u32("blob base fee scalar")?,
        },
        block_hashes: match r.u8("block hashes source")? {
            0 => BlockHashes::Tree(proven(r, "block hashes root")?),
            1 => BlockHashes::State,
            _ => return Err(malformed("block hashes source: 0 (a tree) or 1 (L2 state)")),
        },
    })
}

/// A Merkle builder: the count, then one peak per set bit of it, from the lowest.
pub(crate) fn merkle(r: &mut Reader, what: &str) -> Result<MerkleBuilder, StepError> {
    let count = r.u64(what)?;
    let n = r.count(count.count_ones() as usize, what, 64, 32)?;
    let peaks = (0..n).map(|_| r.b256(what)).collect::<Result<Vec<_>, _>>()?;
    MerkleBuilder::from_peaks(count, &peaks).ok_or_else(|| malformed(format!("{what}: peaks do not match the count")))
}

fn block_acc(r: &mut Reader) -> Result<BlockAcc, StepError> {
    Ok(BlockAcc {
        next: r.u64("next input")?,
        gas_used: r.u64("block gas used")?,
        bloom: Bloom::from(r.array::<256>("logs bloom")?),
        txs: merkle(r, "transactions root builder")?,
        receipts: merkle(r, "receipts root builder")?,
    })
}

fn slice(r: &mut Reader, what: &str) -> Result<Slice, StepError> {
    Ok(Slice { tree: proven(r, what)?, offset: r.u64(what)?, len: r.u64(what)? })
}

/// A transaction context ([`TxCtx`]'s encoding; data and access list as roots). Fields
/// behind a clear flag must be zero: the caller checks by re-encoding.
pub(crate) fn tx_ctx(r: &mut Reader) -> Result<TxCtx, StepError> {
    let tx_type = r.u8("transaction type")?;
    let hash = r.b256("transaction hash")?;
    let sender = r.address("sender")?;
    let to = if r.flag("recipient flag")? { Some(r.address("recipient")?) } else { None };
    let value = r.u256("value")?;
    let data = slice(r, "transaction data")?;
    let data_zeros = r.u64("data zero count")?;
    let gas_limit = r.u64("gas limit")?;
    let max_fee = r.u128("max fee")?;
    let has_tip = r.flag("tip flag")?;
    let tip = r.u128("tip")?;
    let nonce = r.u64("nonce")?;
    let has_chain = r.flag("chain id flag")?;
    let chain = r.u64("chain id")?;
    let access = proven(r, "access list root")?;
    let access_len = r.u64("access list length")?;
    let access_addresses = r.u64("access list addresses")?;
    let has_mint = r.flag("mint flag")?;
    let mint = r.u256("mint")?;
    let size = r.u64("transaction size")?;
    Ok(TxCtx {
        tx_type,
        hash,
        sender,
        to,
        value,
        data,
        data_zeros,
        gas_limit,
        max_fee,
        max_priority_fee: has_tip.then_some(tip),
        nonce,
        chain_id: has_chain.then_some(chain),
        access,
        access_items: None,
        access_len,
        access_addresses,
        mint: has_mint.then_some(mint),
        size,
    })
}

/// Decodes one whole transaction context (an input's preimage): exactly its canonical
/// encoding, nothing after it.
pub(crate) fn decode_tx_ctx(bytes: &[u8]) -> Result<TxCtx, StepError> {
    let mut r = Reader::new(bytes);
    let tx = tx_ctx(&mut r)?;
    r.finish("a transaction context")?;
    let mut again = Vec::with_capacity(bytes.len());
    // Its trees are roots: re-encoding hashes nothing.
    tx.encode(&mut again, &mut Meter::default());
    if again != bytes {
        return Err(malformed("a transaction context that is not canonical (a field behind a clear flag is not zero)"));
    }
    Ok(tx)
}

fn chunk_cursor(r: &mut Reader, what: &str) -> Result<ChunkCursor, StepError> {
    Ok(ChunkCursor { expected: r.b256(what)?, at: r.u64(what)?, len: r.u64(what)? })
}

fn absorber(r: &mut Reader) -> Result<Absorber, StepError> {
    let sponge = sponge(r)?;
    let n = r.u8("sponge buffer length")? as usize;
    let n = r.count(n, "sponge buffer", crate::sponge::RATE - 1, 1)?;
    Ok(Absorber { sponge, buf: r.take(n, "sponge buffer")?.to_vec() })
}

fn entry_stage(r: &mut Reader) -> Result<EntryStage, StepError> {
    Ok(match r.tag("entry stage", 5)? {
        0 => EntryStage::Load { cursor: chunk_cursor(r, "entry chunk cursor")?, hash: absorber(r)? },
        1 => EntryStage::AccessList { at: r.u64("access list position")? },
        2 => EntryStage::AccessItem { at: r.u64("access item position")?, end: r.u64("access list end")? },
        3 => EntryStage::AccessKey {
            at: r.u64("storage key position")?,
            keys_end: r.u64("storage keys end")?,
            end: r.u64("access list end")?,
            address: r.address("access item address")?,
        },
        4 => EntryStage::Signature { at: r.u64("signature position")? },
        _ => {
            let sponge = absorber(r)?;
            let at = r.u64("signing hash position")?;
            let body_end = r.u64("signed body end")?;
            let n = r.u8("EIP-155 tail length")? as usize;
            let n = r.count(n, "EIP-155 tail", 11, 1)?;
            let tail = r.take(n, "EIP-155 tail")?.to_vec();
            EntryStage::SignHash { sponge, at, body_end, tail, y_parity: r.flag("y-parity")?, r: r.u256("signature r")?, s: r.u256("signature s")? }
        }
    })
}

/// The block's inputs: given (a tree of transaction contexts) or from L1.
fn inputs(r: &mut Reader) -> Result<Inputs, StepError> {
    if r.tag("inputs kind", 1)? == 0 {
        return Ok(Inputs::Given(GivenInputs { tree: proven(r, "inputs root")?, count: r.u64("input count")?, txs: None }));
    }
    let started = r.flag("block started")?;
    let deposits = DepositSource {
        from: r.u64("first deposit")?,
        next: r.u64("next deposit")?,
        end: r.u64("deposit end")?,
        unlinked: r.u64("unlinked deposits")?,
        acc: r.b256("deposit accumulator")?,
        acc_from: r.b256("first deposit accumulator")?,
        hashes: proven(r, "deposit hashes root")?,
    };
    let batch = BatchSource {
        version: r.u8("batch version")?,
        root: r.b256("batch root")?,
        item_count: r.u64("batch item count")?,
        first: r.u64("block item")?,
        count: r.u64("block entry count")?,
        next: r.u64("next entry")?,
        blobs: r.b256("blob hashes digest")?,
        length: r.u64("blob payload length")?,
        tx_total: r.u64("batch transaction count")?,
        first_tx: r.u64("block first transaction")?,
    };
    let chunk = if r.flag("deposit data flag")? { Some(chunk_cursor(r, "deposit data cursor")?) } else { None };
    let entry = if r.flag("entry flag")? {
        Some(Entry {
            len: r.u64("entry length")?,
            start: r.u64("entry payload offset")?,
            raw: proven(r, "entry bytes root")?,
            body_start: r.u64("signed body start")?,
            stage: entry_stage(r)?,
        })
    } else {
        None
    };
    Ok(Inputs::L1(Box::new(L1Inputs { started, deposits, batch, chunk, entry, data: None, skipped: Vec::new() })))
}

fn source(r: &mut Reader) -> Result<Source, StepError> {
    Ok(match r.tag("copy source", 4)? {
        0 => Source::Calldata,
        1 => Source::Code,
        2 => Source::Returndata,
        3 => Source::Memory,
        _ => Source::ExtCode { hash: r.b256("code hash")?, len: r.u64("code length")? },
    })
}

fn sponge(r: &mut Reader) -> Result<Sponge, StepError> {
    let mut s = Sponge::default();
    for lane in s.0.iter_mut() {
        *lane = u64::from_le_bytes(r.array("sponge lane")?);
    }
    Ok(s)
}

fn topics(r: &mut Reader) -> Result<Vec<B256>, StepError> {
    let n = r.u8("topic count")? as usize;
    let n = r.count(n, "topics", 4, 32)?;
    (0..n).map(|_| r.b256("topic")).collect()
}

/// A frame's pending micro-step (`0`: none). One variant, one arm.
fn pending(r: &mut Reader) -> Result<Option<Pending>, StepError> {
    Ok(match r.tag("pending micro-step", 3)? {
        0 => None,
        1 => Some(Pending::Copy {
            src: source(r)?,
            from: r.u64("copy source offset")?,
            to: r.u64("copy memory offset")?,
            left: r.u64("copy bytes left")?,
            backwards: r.flag("copy direction")?,
        }),
        2 => Some(Pending::Hash {
            sponge: sponge(r)?,
            at: r.u64("hash memory offset")?,
            left: r.u64("hash bytes left")?,
            done: r.u64("hash bytes done")?,
            then: match r.tag("hash use", 2)? {
                0 => AfterHash::Push,
                1 => AfterHash::Log { topics: topics(r)? },
                _ => AfterHash::Create2 { value: r.u256("CREATE2 value")?, salt: r.u256("CREATE2 salt")? },
            },
        }),
        _ => Some(Pending::CopyView {
            view: slice(r, "copied view")?,
            from: r.u64("copy source offset")?,
            to: r.u64("copy memory offset")?,
            left: r.u64("copy bytes left")?,
        }),
    })
}

fn status(r: &mut Reader) -> Result<Status, StepError> {
    Ok(match r.tag("frame status", 3)? {
        0 => Status::Running,
        1 => Status::Success(slice(r, "output")?),
        2 => Status::Revert(slice(r, "output")?),
        _ => {
            let code = r.u8("halt code")?;
            Status::Halt(Halt::from_code(code).ok_or_else(|| malformed(format!("halt code {code} is out of range")))?)
        }
    })
}

fn stack_header<T: Encode + Clone>(r: &mut Reader, what: &str) -> Result<HashStack<T>, StepError> {
    Ok(HashStack::witness(r.b256(what)?, r.u64(what)?, Vec::new()))
}

/// A frame ([`Frame`]'s encoding): trees as roots, its stack as its header.
pub(crate) fn frame(r: &mut Reader) -> Result<Frame, StepError> {
    let kind = if r.flag("frame kind")? { FrameKind::Create } else { FrameKind::Call };
    let hash = r.b256("code hash")?;
    let len = r.u64("code length")?;
    let chunks = if r.flag("code chunks flag")? { Some(proven(r, "code chunks root")?) } else { None };
    let init = if r.flag("init code flag")? { Some(slice(r, "init code")?) } else { None };
    let loading = if r.flag("code loading flag")? { Some((proven(r, "chunks so far")?, r.u64("bytes chunked")?, r.u8("push data carried")?)) } else { None };
    Ok(Frame {
        kind,
        code: FrameCode { hash, len, chunks, init, loading },
        code_address: r.address("code address")?,
        pc: r.u64("pc")?,
        gas: r.u64("gas")?,
        refund: r.i64("refund")?,
        stack: stack_header(r, "EVM stack")?,
        memory: proven(r, "memory root")?,
        memory_len: r.u64("memory size")?,
        calldata: slice(r, "call data")?,
        returndata: slice(r, "return data")?,
        address: r.address("frame address")?,
        caller: r.address("caller")?,
        value: r.u256("call value")?,
        is_static: r.flag("static flag")?,
        checkpoint: r.u64("checkpoint")?,
        ret_offset: r.u64("return offset")?,
        ret_size: r.u64("return size")?,
        status: status(r)?,
        pending: pending(r)?,
    })
}

fn account_record(r: &mut Reader) -> Result<AccountRecord, StepError> {
    let bytes = r.take(80, "account record")?;
    AccountRecord::decode(bytes).ok_or_else(|| malformed("account record"))
}

fn undo(r: &mut Reader) -> Result<Undo, StepError> {
    Ok(match r.tag("journal record", 7)? {
        0 => {
            let a = r.address("account")?;
            Undo::Account(a, if r.flag("account present")? { Some(account_record(r)?) } else { None })
        }
        1 => Undo::Storage(r.address("account")?, r.u256("slot")?, r.u256("value")?),
        2 => Undo::Transient(r.address("account")?, r.u256("slot")?, r.u256("value")?),
        3 => Undo::WarmAddress(r.address("account")?),
        4 => Undo::WarmSlot(r.address("account")?, r.u256("slot")?),
        5 => Undo::Log,
        6 => Undo::MarkedCreated(r.address("account")?),
        _ => Undo::MarkedDestructed(r.address("account")?),
    })
}

fn log_item(r: &mut Reader) -> Result<LogItem, StepError> {
    Ok(LogItem { address: r.address("log address")?, topics: topics(r)?, data_hash: r.b256("log data hash")?, data_len: r.u64("log data length")?, data: None })
}

fn phase(r: &mut Reader) -> Result<Phase, StepError> {
    Ok(match r.tag("phase", 8)? {
        0 => Phase::NextTx,
        1 => Phase::Begin,
        2 => Phase::Warm { next: r.u64("next access-list item")? },
        3 => Phase::Enter,
        4 => Phase::Run,
        5 => Phase::End { gas_left: r.u64("gas left")?, refund: r.i64("refund")?, success: r.flag("success")? },
        6 => Phase::Sweep,
        7 => Phase::Bloom { keep: r.flag("bloom keep")? },
        _ => Phase::Done { block_hash: r.b256("block hash")?, output_root: r.b256("output root")? },
    })
}

/// A hash stack's header, then its carried items (a count, then each item with the chain
/// value below it, bottom first). `min_size` bounds an item's encoding from below.
fn stack<T: Encode + Clone>(r: &mut Reader, what: &str, min_size: usize, item: fn(&mut Reader) -> Result<T, StepError>) -> Result<HashStack<T>, StepError> {
    let head = r.b256(what)?;
    let len = r.u64(what)?;
    let mut s = HashStack::witness(head, len, Vec::new());
    carry(r, &mut s, what, min_size, item)?;
    Ok(s)
}

fn carry<T: Encode + Clone>(
    r: &mut Reader,
    s: &mut HashStack<T>,
    what: &str,
    min_size: usize,
    item: fn(&mut Reader) -> Result<T, StepError>,
) -> Result<(), StepError> {
    let n = r.u16(what)? as usize;
    let n = r.count(n, what, MAX_STACK_ITEMS, 32 + min_size)?;
    if n as u64 > s.len() {
        return Err(malformed(format!("{what}: {n} items carried of a stack of {}", s.len())));
    }
    let mut top = Vec::with_capacity(n);
    for _ in 0..n {
        let below = r.b256(what)?;
        top.push((below, item(r)?));
    }
    *s = HashStack::witness(s.head(&mut Meter::default()), s.len(), top);
    Ok(())
}

// ---- accesses ----------------------------------------------------------------------

fn access(r: &mut Reader) -> Result<Access, StepError> {
    let at = r.offset();
    let tag = r.u8("access tag")?;
    match tag {
        TAG_RANGE => {
            let first = r.u64("range first word")?;
            let count = r.u32("range word count")? as usize;
            if count == 0 {
                return Err(malformed("a range of no words"));
            }
            let count = r.count(count, "range words", 1 << 20, 32)?;
            let heights = sibling_heights(first, count as u64);
            if heights.is_empty() {
                return Err(malformed(format!("a range of {count} words at {first} is outside the tree")));
            }
            let words = (0..count).map(|_| r.b256("range word")).collect::<Result<Vec<_>, _>>()?;
            let mut siblings = Vec::with_capacity(heights.len());
            for h in heights {
                siblings.push(if r.flag("range sibling flag")? {
                    let s = r.b256("range sibling")?;
                    if s == zero_hash(h) {
                        return Err(malformed(format!("a range sibling of height {h} flagged present is the zero subtree")));
                    }
                    Some(s)
                } else {
                    None
                });
            }
            Ok(Access::Range { first, words, proof: RangeProof { siblings } })
        }
        TAG_SMT => {
            let depth = r.u16("proof depth")?;
            if depth > 256 {
                return Err(malformed(format!("proof depth {depth} is over 256")));
            }
            let bitmap = r.u256("proof bitmap")?;
            if depth < 256 && (bitmap << depth as usize) != U256::ZERO {
                return Err(malformed("a proof bitmap marks a sibling below the terminal"));
            }
            let n = r.count(bitmap.count_ones(), "proof siblings", 256, 32)?;
            let mut siblings = Vec::with_capacity(n);
            for _ in 0..n {
                let s = r.b256("proof sibling")?;
                if s == faultline_state::smt::EMPTY_ROOT {
                    return Err(malformed("a proof sibling marked non-empty is the empty hash"));
                }
                siblings.push(s);
            }
            let leaf_key = r.b256("proof leaf key")?;
            let leaf_value_hash = r.b256("proof leaf value hash")?;
            let account = if r.flag("account record flag")? { Some(account_record(r)?) } else { None };
            let sibling = if r.flag("sibling node flag")? {
                Some(Node::decode(r.take(65, "sibling node")?).ok_or_else(|| malformed("sibling node tag is neither 0 (leaf) nor 1 (internal)"))?)
            } else {
                None
            };
            let proof = faultline_state::smt::Proof { depth, bitmap, siblings, leaf_key, leaf_value_hash };
            Ok(Access::Smt(Box::new(SmtAccess { proof, account, sibling })))
        }
        TAG_CODE | TAG_PREIMAGE => {
            let what = if tag == TAG_CODE { "code" } else { "preimage" };
            let n = r.u32(what)? as usize;
            let n = r.count(n, what, MAX_WITNESS_LEN, 1)?;
            let bytes = r.take(n, what)?.to_vec();
            Ok(if tag == TAG_CODE { Access::Code(Bytes::from(bytes)) } else { Access::Preimage(bytes) })
        }
        TAG_BLOB => Ok(Access::Blob {
            commitment: alloy_primitives::FixedBytes(r.array("blob commitment")?),
            y: r.b256("blob element value")?,
            proof: alloy_primitives::FixedBytes(r.array("blob element proof")?),
        }),
        t => Err(malformed(format!("access tag {t} at offset {at} is out of range (1 to 5)"))),
    }
}

fn put_access(out: &mut Vec<u8>, a: &Access) -> Result<(), StepError> {
    match a {
        Access::Range { first, words, proof } => {
            out.push(TAG_RANGE);
            put_u64(out, *first);
            let n = u32::try_from(words.len()).map_err(|_| StepError::Inconsistent("a range access of over 2^32 words"))?;
            out.extend_from_slice(&n.to_be_bytes());
            for w in words {
                out.extend_from_slice(w.as_slice());
            }
            for s in &proof.siblings {
                match s {
                    Some(s) => {
                        out.push(1);
                        out.extend_from_slice(s.as_slice());
                    }
                    None => out.push(0),
                }
            }
        }
        Access::Smt(a) => {
            out.push(TAG_SMT);
            out.extend_from_slice(&a.proof.depth.to_be_bytes());
            out.extend_from_slice(&a.proof.bitmap.to_be_bytes::<32>());
            for s in &a.proof.siblings {
                out.extend_from_slice(s.as_slice());
            }
            out.extend_from_slice(a.proof.leaf_key.as_slice());
            out.extend_from_slice(a.proof.leaf_value_hash.as_slice());
            match &a.account {
                Some(r) => {
                    out.push(1);
                    out.extend_from_slice(&r.encode());
                }
                None => out.push(0),
            }
            match &a.sibling {
                Some(n) => {
                    out.push(1);
                    out.extend_from_slice(&n.encode());
                }
                None => out.push(0),
            }
        }
        Access::Code(bytes) => put_bytes(out, TAG_CODE, bytes)?,
        Access::Preimage(bytes) => put_bytes(out, TAG_PREIMAGE, bytes)?,
        Access::Blob { commitment, y, proof } => {
            out.push(TAG_BLOB);
            out.extend_from_slice(commitment.as_slice());
            out.extend_from_slice(y.as_slice());
            out.extend_from_slice(proof.as_slice());
        }
    }
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, tag: u8, bytes: &[u8]) -> Result<(), StepError> {
    out.push(tag);
    let n = u32::try_from(bytes.len()).map_err(|_| StepError::Inconsistent("an access of over 2^32 bytes"))?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

// ---- the whole witness -------------------------------------------------------------

/// A hash stack as a witness carries it: its header, then the count of carried items and
/// each with the chain value below it, bottom first.
fn put_stack<T: Encode + Clone>(out: &mut Vec<u8>, s: &HashStack<T>) -> Result<(), StepError> {
    if !matches!(s, HashStack::Witness { .. }) {
        return Err(StepError::Inconsistent("a witness holds every hash stack as a witness stack"));
    }
    s.encode(out, &mut Meter::default());
    let items = s.carried_items();
    let n = u16::try_from(items.len()).map_err(|_| StepError::Inconsistent("a witness stack carrying over 65,535 items"))?;
    out.extend_from_slice(&n.to_be_bytes());
    for (below, item) in items {
        out.extend_from_slice(below.as_slice());
        item.encode(out, &mut Meter::default());
    }
    Ok(())
}

/// The witness bytes of `w`, a witness machine (every tree a root, every stack a witness
/// stack carrying what its step pops, [`IoMode::Witness`] holding the step's accesses): the
/// canonical encoding [`decode`] reads back.
pub fn encode(w: &Machine) -> Result<Vec<u8>, StepError> {
    let IoMode::Witness(accesses) = &w.io.mode else {
        return Err(StepError::Inconsistent("encode() takes a witness machine"));
    };
    // The prover's: every tree is a root, and nothing is counted.
    let m = &mut Meter::default();
    let mut out = Vec::with_capacity(2048);
    w.block.encode(&mut out, m);
    w.inputs.encode(&mut out, m);
    w.acc.encode(&mut out, m);
    match &w.tx {
        Some(t) => {
            out.push(1);
            t.encode(&mut out, m);
        }
        None => out.push(0),
    }
    out.extend_from_slice(w.world.root()?.as_slice());
    out.extend_from_slice(w.substate.root()?.as_slice());
    put_stack(&mut out, &w.frames)?;
    match &w.top {
        Some(f) => {
            out.push(1);
            f.encode(&mut out, m);
            let mut items = Vec::new();
            put_stack(&mut items, &f.stack)?;
            // The frame's encoding holds its stack's header; only the items follow it.
            out.extend_from_slice(&items[40..]);
        }
        None => out.push(0),
    }
    put_stack(&mut out, &w.journal)?;
    put_stack(&mut out, &w.logs)?;
    put_stack(&mut out, &w.destructed)?;
    put_stack(&mut out, &w.created_slots)?;
    w.phase.encode(&mut out, m);
    let n = u16::try_from(accesses.len()).map_err(|_| StepError::Inconsistent("a witness of over 65,535 accesses"))?;
    out.extend_from_slice(&n.to_be_bytes());
    for a in accesses {
        put_access(&mut out, a)?;
    }
    Ok(out)
}

/// Where a witness's parts are: the byte range of each access, in order (for tools and
/// tests that cut witnesses apart, such as the mutation test).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Offset of the transaction flag (0: no transaction, 1: one follows).
    pub tx_flag: usize,
    /// Offset of the access count.
    pub access_count: usize,
    /// Each access's bytes, tag first.
    pub accesses: Vec<std::ops::Range<usize>>,
}

fn read(bytes: &[u8]) -> Result<(Machine, Layout), StepError> {
    if bytes.len() > MAX_WITNESS_LEN {
        return Err(malformed(format!("{} bytes is over the witness bound of {MAX_WITNESS_LEN}", bytes.len())));
    }
    let mut r = Reader::new(bytes);
    let block = block_ctx(&mut r)?;
    let inputs = inputs(&mut r)?;
    let acc = block_acc(&mut r)?;
    let tx_flag = r.offset();
    let tx = if r.flag("transaction flag")? { Some(tx_ctx(&mut r)?) } else { None };
    let world = World::Proven(r.b256("world root")?);
    let substate = Substate::Proven(r.b256("substate root")?);
    let frames = stack(&mut r, "suspended frames", 1, frame)?;
    let top = if r.flag("running frame flag")? {
        let mut f = frame(&mut r)?;
        carry(&mut r, &mut f.stack, "EVM stack", 32, |r| r.u256("stack item"))?;
        Some(Box::new(f))
    } else {
        None
    };
    let journal = stack(&mut r, "journal", 1, undo)?;
    let logs = stack(&mut r, "logs", 61, log_item)?;
    let destructed = stack(&mut r, "destroyed accounts", 20, |r| r.address("destroyed account"))?;
    let created_slots = stack(&mut r, "created slots", 52, |r| Ok(SlotRef(r.address("created slot account")?, r.u256("created slot")?)))?;
    let phase = phase(&mut r)?;
    let access_count = r.offset();
    let n = r.u16("access count")? as usize;
    let n = r.count(n, "accesses", MAX_ACCESSES, 5)?;
    let mut accesses = std::collections::VecDeque::with_capacity(n);
    let mut spans = Vec::with_capacity(n);
    for _ in 0..n {
        let from = r.offset();
        accesses.push_back(access(&mut r)?);
        spans.push(from..r.offset());
    }
    r.finish("the last access")?;
    let m = Machine {
        block,
        inputs,
        acc,
        tx,
        world,
        substate,
        frames,
        top,
        journal,
        logs,
        destructed,
        created_slots,
        phase,
        io: Io::witness(accesses),
        outcomes: Vec::new(),
    };
    Ok((m, Layout { tx_flag, access_count, accesses: spans }))
}

/// Decodes witness bytes into the witness machine the reference step runs: every tree a
/// root, every stack a witness stack, no prover-only field (no inputs list, no
/// access-list items, no log data), [`IoMode::Witness`] holding the accesses. Refuses
/// ([`StepError::Malformed`]) anything but the one canonical encoding.
pub fn decode(bytes: &[u8]) -> Result<Machine, StepError> {
    let (m, _) = read(bytes)?;
    if encode(&m)? != bytes {
        return Err(malformed("not the canonical encoding (a field behind a clear flag is not zero)"));
    }
    Ok(m)
}

/// The layout of canonical witness bytes ([`decode`]'s checks first).
pub fn layout(bytes: &[u8]) -> Result<Layout, StepError> {
    decode(bytes)?;
    Ok(read(bytes)?.1)
}

/// The number of stack items a witness machine carries, over every stack (the suspended
/// frames' own stacks carry none: their encoding holds their headers only).
pub(crate) fn carried_items(m: &Machine) -> u64 {
    (m.frames.carried()
        + m.top.as_ref().map_or(0, |f| f.stack.carried())
        + m.journal.carried()
        + m.logs.carried()
        + m.destructed.carried()
        + m.created_slots.carried()) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_input_panics_and_short_inputs_are_malformed() {
        for n in [0usize, 1, 7, 100, 600, 2000] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            assert!(matches!(decode(&bytes), Err(StepError::Malformed(_))), "{n} bytes");
        }
        assert!(matches!(decode(&vec![0u8; MAX_WITNESS_LEN + 1]), Err(StepError::Malformed(_))));
    }

    #[test]
    fn a_huge_length_prefix_is_refused_before_allocating() {
        let mut r = Reader::new(&[0xff; 8]);
        assert!(r.count(usize::MAX, "items", usize::MAX, 32).is_err());
        let mut bytes = vec![TAG_CODE];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(access(&mut Reader::new(&bytes)), Err(StepError::Malformed(_))));
        let mut bytes = vec![TAG_RANGE];
        bytes.extend_from_slice(&0u64.to_be_bytes());
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(access(&mut Reader::new(&bytes)), Err(StepError::Malformed(_))));
    }

    #[test]
    fn every_halt_code_round_trips() {
        for h in Halt::ALL {
            assert_eq!(Halt::from_code(h as u8), Some(h));
        }
        assert_eq!(Halt::from_code(Halt::ALL.len() as u8), None);
    }
}
