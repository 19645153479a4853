// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The fault VM's state as the one-step verifier holds it in memory (docs/fault-vm.md,
// "Machine state" and "Byte encodings"; the Solidity layout in docs/verifier.md).
// Rust twins: crates/vm-core/src/machine.rs (the machine, frames, journal, phase) and
// crates/vm-core/src/inputs.rs (the block's inputs). A witness holds every tree as its
// root and every hash stack as its header with the items the step pops; the decoder is
// WitnessDecoder.sol, the encoder Commitment.sol, tied to Rust by docs/vectors/vm/.
//
// Integers are held in uint256 slots; the decoder reads them at their encoded width and
// the encoder writes them back at it (a step that overflows a width is a bug the vectors
// catch, never a truncation). Sponge states and absorbers are kept as their encodings
// (200 bytes of little-endian lanes; sponge ‖ bufLen ‖ buf): the steps that hash open
// them with lib/Sponge.sol.

/// @notice A word tree (docs/fault-vm.md, "Word trees"): its root, or (`full`) the bytes of
///         a tree the step built itself (`Io::new_tree`), whose accesses need no proof and
///         whose root the encoder computes.
struct Tree {
    bytes32 root;
    bool full;
    bytes data;
}

/// @notice A view `(tree, offset, len)`: bytes past `len` read as zero.
struct Slice {
    Tree tree;
    uint256 offset;
    uint256 len;
}

/// @notice The block context (`BlockCtx`), fixed for the block.
struct BlockCtx {
    uint256 number;
    uint256 timestamp;
    uint256 gasLimit;
    uint256 basefee;
    address coinbase;
    bytes32 prevrandao;
    uint256 chainId;
    uint256 blobBasefee;
    bytes32 parentHash;
    uint256 depositCursor;
    uint256 l1Origin;
    uint256 l1BaseFee;
    uint256 l1BlobBaseFee;
    uint256 baseFeeScalar;
    uint256 blobBaseFeeScalar;
    /// True: BLOCKHASH reads the EIP-2935 history in L2 state (tag 1); false: a word tree
    /// of the 256 most recent hashes, `hashesRoot` (tag 0).
    bool hashesInState;
    bytes32 hashesRoot;
}

/// @notice The deposit source of a block whose inputs come from L1 (`DepositSource`).
struct DepositSource {
    uint256 from;
    uint256 next;
    uint256 end;
    uint256 unlinked;
    bytes32 acc;
    bytes32 accFrom;
    Tree hashes;
}

/// @notice The batch source (`BatchSource`).
struct BatchSource {
    uint256 version;
    bytes32 root;
    uint256 itemCount;
    uint256 first;
    uint256 count;
    uint256 next;
    bytes32 blobs;
    uint256 length;
    uint256 txTotal;
    uint256 firstTx;
}

/// @notice A chunk cursor (`ChunkCursor`): `expected = chunked(d[at..])`.
struct ChunkCursor {
    bytes32 expected;
    uint256 at;
    uint256 len;
}

/// @notice An entry being opened (`Entry` and its `EntryStage`). Fields a stage lacks are
///         zero; `stage` is the tag (0 Load, 1 AccessList, 2 AccessItem, 3 AccessKey,
///         4 Signature, 5 SignHash).
struct Entry {
    uint256 len;
    uint256 start;
    Tree raw;
    uint256 bodyStart;
    uint256 stage;
    /// Load: the chunk cursor.
    ChunkCursor cursor;
    /// Load (the transaction hash) and SignHash (the signing hash): the absorber's
    /// encoding, `sponge:200 ‖ bufLen:u8 ‖ buf`.
    bytes absorber;
    /// AccessList, AccessItem, AccessKey, Signature, SignHash: the position.
    uint256 at;
    /// AccessItem, AccessKey: the list's end.
    uint256 end;
    /// AccessKey: the keys' end.
    uint256 keysEnd;
    /// AccessKey: the item's address.
    address itemAddress;
    /// SignHash: the signed body's end, the EIP-155 tail, the signature.
    uint256 bodyEnd;
    bytes tail;
    bool yParity;
    uint256 r;
    uint256 s;
}

/// @notice The block's inputs (`Inputs`): given (`l1 == false`: the state tests) or from L1.
struct Inputs {
    bool l1;
    /// Given: the tree of input hashes and their count.
    bytes32 givenRoot;
    uint256 givenCount;
    /// From L1.
    bool started;
    DepositSource deposits;
    BatchSource batch;
    bool hasChunk;
    ChunkCursor chunk;
    bool hasEntry;
    Entry entry;
}

/// @notice A binary Merkle root being built (`MerkleBuilder`): `peaks[l]` is the pending
///         node of height `l`, present where bit `l` of `count` is set.
struct MerkleBuilder {
    uint256 count;
    bytes32[64] peaks;
}

/// @notice What the block has accumulated (`BlockAcc`).
struct BlockAcc {
    uint256 next;
    uint256 gasUsed;
    bytes bloom;
    MerkleBuilder txs;
    MerkleBuilder receipts;
}

/// @notice The current transaction (`TxCtx`); absent fields are `hasX == false`.
struct TxCtx {
    uint256 txType;
    bytes32 hash;
    address sender;
    bool hasTo;
    address to;
    uint256 value;
    Slice data;
    uint256 dataZeros;
    uint256 gasLimit;
    uint256 maxFee;
    bool hasTip;
    uint256 tip;
    uint256 nonce;
    bool hasChainId;
    uint256 chainId;
    Tree access;
    uint256 accessLen;
    uint256 accessAddresses;
    bool hasMint;
    uint256 mint;
    uint256 size;
}

/// @notice A hash stack as a witness holds it (`HashStack::Witness`): the head and length,
///         and the items the step may pop, bottom first, each with the chain value below
///         it. Items are memory pointers to their typed structs (a uint256[] of words for
///         the EVM stack: the item itself). Pushes append; `top` counts the live entries,
///         `carried` those of them that came with the witness.
struct HashStack {
    bytes32 head;
    uint256 len;
    bytes32[] belows;
    uint256[] items;
    uint256 top;
    uint256 carried;
    /// Shared by every stack of the machine: the carried items popped so far.
    Tally tally;
}

/// @notice The carried items every stack of a witness holds, and those its step popped.
struct Tally {
    uint256 carried;
    uint256 popped;
}

/// @notice A frame's pending micro-step (`Pending`): tag 0 none, 1 copy, 2 hash, 3 a copy
///         from a view.
struct Pending {
    uint256 tag;
    /// Copy: the source (0 call data, 1 code, 2 return data, 3 memory, 4 another
    /// account's code by hash and length).
    uint256 src;
    bytes32 srcHash;
    uint256 srcLen;
    /// Copy, copy from a view: next source offset, next memory offset, bytes left.
    uint256 from;
    uint256 to;
    uint256 left;
    bool backwards;
    /// Hash: the sponge's 200 bytes, next memory offset (`at`), bytes left (`left`),
    /// bytes done, and what it is for (0 push, 1 a log with topics, 2 CREATE2).
    bytes sponge;
    uint256 at;
    uint256 done;
    uint256 then;
    bytes32[] topics;
    uint256 value;
    uint256 salt;
    /// Copy from a view: the view.
    Slice viewed;
}

/// @notice One call frame (`Frame`). `status`: 0 running, 1 success, 2 revert (both with
///         `output`), 3 halt (`haltCode`).
struct Frame {
    bool create;
    bytes32 codeHash;
    uint256 codeLen;
    bool hasChunks;
    Tree chunks;
    bool hasInit;
    Slice init;
    bool loading;
    Tree loadChunks;
    uint256 loadDone;
    uint256 loadCarry;
    address codeAddress;
    uint256 pc;
    uint256 gas;
    int256 refund;
    HashStack stack;
    Tree mem;
    uint256 memLen;
    Slice callData;
    Slice returnData;
    address addr;
    address caller;
    uint256 value;
    bool isStatic;
    uint256 checkpoint;
    uint256 retOffset;
    uint256 retSize;
    uint256 status;
    Slice output;
    uint256 haltCode;
    Pending pending;
}

/// @notice One journal record (`Undo`): tag 0 an account before a write (`hasRecord`
///         and the record), 1 storage and 2 transient (`slot`, `value`: the previous),
///         3 warmed address, 4 warmed slot, 5 a log, 6 marked created, 7 marked destroyed.
struct Undo {
    uint256 tag;
    address addr;
    bool hasRecord;
    AccountRecord record;
    uint256 slot;
    uint256 value;
}

/// @notice An account leaf's record (docs/state.md, 80 bytes).
struct AccountRecord {
    uint256 nonce;
    uint256 balance;
    bytes32 codeHash;
    uint256 codeSize;
}

/// @notice A log as the machine keeps it (`LogItem`, the L2's log leaf).
struct LogItem {
    address addr;
    bytes32[] topics;
    bytes32 dataHash;
    uint256 dataLen;
}

/// @notice A slot written in an account created in this transaction (`SlotRef`).
struct SlotRef {
    address addr;
    uint256 slot;
}

/// @notice Where the machine is (`Phase`): tag 0 NextTx, 1 Begin, 2 Warm (`next`),
///         3 Enter, 4 Run, 5 End (`gasLeft`, `refund`, `success`), 6 Sweep, 7 Bloom
///         (`keep`), 8 Done (`blockHash`, `outputRoot`).
struct Phase {
    uint256 tag;
    uint256 next;
    uint256 gasLeft;
    int256 refund;
    bool success;
    bool keep;
    bytes32 blockHash;
    bytes32 outputRoot;
}

/// @notice The whole machine as a witness holds it (`Machine`), with the cursor over the
///         step's accesses.
struct Machine {
    BlockCtx block_;
    Inputs inputs;
    BlockAcc acc;
    bool hasTx;
    TxCtx tx_;
    bytes32 worldRoot;
    bytes32 substateRoot;
    /// Items: Frame pointers.
    HashStack frames;
    bool hasTop;
    Frame top;
    /// Items: Undo pointers.
    HashStack journal;
    /// Items: LogItem pointers.
    HashStack logs;
    /// Items: addresses.
    HashStack destroyed;
    /// Items: SlotRef pointers.
    HashStack createdSlots;
    Phase phase;
    Accesses accesses;
    /// @notice Not committed: the KeccakEngine the module hashes in pieces with (like
    ///         Rust's `Io`, how the step reaches what is not state).
    address engine;
}

/// @notice The step's accesses (docs/fault-vm.md, "Accesses"), parsed whole when the
///         witness is decoded (as Rust's decoder does, so a malformed access is refused
///         before the step runs) and consumed in order: entry `i` has its tag, the witness
///         offset of its tag byte, and `ptrs[i]`: for a range (0x01) a `WordTree.Range`
///         and for a keyed-tree proof (0x02) an `Smt.Access` (memory pointers); for code
///         (0x03) and a preimage (0x04) the calldata offset of the bytes, `lens[i]` long;
///         for a blob element (0x05) the calldata offset of `commitment ‖ y ‖ proof`.
struct Accesses {
    uint256[] tags;
    uint256[] ats;
    uint256[] ptrs;
    uint256[] lens;
    uint256 next;
    uint256 end;
    /// @notice The calldata offsets of the access count and of the witness's end (for
    ///         `Route.peekOpcode`, which reads the first access's chunk unparsed).
    uint256 countAt;
    uint256 witnessEnd;
}
