// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The block's first writes and its end, shared by the given-inputs step (CoreSteps) and the
// L1-inputs steps (InputSteps). Rust twins: crates/vm-core/src/step/block.rs
// (`Machine::first_writes`, `Machine::block_end`), crates/primitives/src/history.rs
// (`history_write`), crates/primitives/src/l1fee.rs (`oracle_writes`, `encode_extra_data`),
// crates/primitives/src/commitments.rs (`l2_header`, RLP-encoded as alloy's `Header`) and
// crates/primitives/src/output.rs (`output_root`). Vectors: docs/vectors/vm/steps.json
// (next-tx: the first writes; block-end), inputs.json (deposit-next-tx) and l1-inputs.json
// (the block's end).

import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {Commitment} from "../Commitment.sol";
import {MerkleOps} from "./MerkleOps.sol";
import {Machine, BlockCtx, Phase} from "../Machine.sol";

/// @title BlockOps
/// @notice The block's first writes (before its first input: the parent's hash into the
///         EIP-2935 history, the L1 fee parameters into the GasPriceOracle) and the
///         block's end (the L2 header, its hash, the output root).
library BlockOps {
    /// @notice EIP-2935's history contract and its ring of 8,191 slots.
    address internal constant HISTORY_STORAGE_ADDRESS = address(uint160(0x0000F90827F1C53a10cb7A02335B175320002935));
    uint256 internal constant HISTORY_SERVE_WINDOW = 8191;
    /// @notice The GasPriceOracle predeploy (`faultline_primitives::GAS_PRICE_ORACLE`).
    address internal constant GAS_PRICE_ORACLE = address(uint160(0x420000000000000000000000000000000000000F));
    /// @notice `oracle_slots`: the L1 base fee, the L1 blob base fee, the L1 fee origin.
    uint256 internal constant ORACLE_BASE_FEE = 0;
    uint256 internal constant ORACLE_BLOB_BASE_FEE = 1;
    uint256 internal constant ORACLE_ORIGIN = 2;

    /// @notice keccak256(rlp([])): the header's ommers hash.
    bytes32 internal constant EMPTY_OMMER_ROOT_HASH =
        0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347;
    /// @notice The empty trie's root: the header's withdrawals root.
    bytes32 internal constant EMPTY_WITHDRAWALS = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice `Machine::first_writes`: the parent's hash into slot `(number − 1) mod
    ///         8191` of the history (blocks whose hashes live in L2 state; none for
    ///         genesis), then, when the block has an L1 fee origin, the oracle's slots 0, 1
    ///         and 2, in that order.
    function firstWrites(Machine memory m) internal pure {
        BlockCtx memory b = m.block_;
        if (b.hashesInState && b.number != 0) {
            m.worldRoot = Io.writeSlot(
                m.accesses,
                m.worldRoot,
                HISTORY_STORAGE_ADDRESS,
                (b.number - 1) % HISTORY_SERVE_WINDOW,
                uint256(b.parentHash)
            );
        }
        if (b.l1Origin != 0) {
            m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, GAS_PRICE_ORACLE, ORACLE_BASE_FEE, b.l1BaseFee);
            m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, GAS_PRICE_ORACLE, ORACLE_BLOB_BASE_FEE, b.l1BlobBaseFee);
            m.worldRoot = Io.writeSlot(m.accesses, m.worldRoot, GAS_PRICE_ORACLE, ORACLE_ORIGIN, b.l1Origin);
        }
    }

    /// @notice `Machine::block_end`: the header from the context and the accumulators,
    ///         its hash (the block hash) and the output root; the phase becomes Done.
    function blockEnd(Machine memory m) internal pure {
        bytes32 stateRoot = m.worldRoot;
        bytes32 blockHash = headerHash(m, stateRoot);
        bytes32 outputRoot;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 0)
            mstore(add(p, 32), stateRoot)
            mstore(add(p, 64), blockHash)
            outputRoot := keccak256(p, 96)
        }
        Phase memory done;
        done.tag = StepBase.DONE;
        done.blockHash = blockHash;
        done.outputRoot = outputRoot;
        m.phase = done;
    }

    /// @notice keccak256 of the RLP of `l2_header` (alloy's `Header` encoding: a Cancun
    ///         header with base fee, withdrawals root, blob gas fields and beacon root).
    function headerHash(Machine memory m, bytes32 stateRoot) internal pure returns (bytes32 h) {
        BlockCtx memory b = m.block_;
        bytes32 txsRoot = MerkleOps.root(m.acc.txs);
        bytes32 receiptsRoot = MerkleOps.root(m.acc.receipts);
        bytes memory bloom = m.acc.bloom;
        uint256 buf;
        assembly ("memory-safe") {
            buf := mload(0x40)
            // At most 634 payload bytes and a 3-byte list header (and a word of slack).
            mstore(0x40, add(buf, 704))
        }
        // The payload is between 594 and 634 bytes: a list header of 0xf9 and two bytes.
        uint256 w = buf + 3;
        w = str32(w, b.parentHash);
        w = str32(w, EMPTY_OMMER_ROOT_HASH);
        w = Commitment.putU(w, 0x94, 1);
        w = Commitment.putA(w, b.coinbase);
        w = str32(w, stateRoot);
        w = str32(w, txsRoot);
        w = str32(w, receiptsRoot);
        // The bloom: a 256-byte string.
        w = Commitment.putU(w, 0xb90100, 3);
        w = Commitment.putBytes(w, bloom);
        // Difficulty 0.
        w = Commitment.putU(w, 0x80, 1);
        w = uintRlp(w, b.number);
        w = uintRlp(w, b.gasLimit);
        w = uintRlp(w, m.acc.gasUsed);
        w = uintRlp(w, b.timestamp);
        // extraData: depositCursor:u64 ‖ l1Origin:u64 ‖ l1BaseFee:u64 ‖ l1BlobBaseFee:u64.
        w = Commitment.putU(w, 0xa0, 1);
        w = Commitment.putU(w, b.depositCursor, 8);
        w = Commitment.putU(w, b.l1Origin, 8);
        w = Commitment.putU(w, b.l1BaseFee, 8);
        w = Commitment.putU(w, b.l1BlobBaseFee, 8);
        // mixHash: the parent hash (PREVRANDAO).
        w = str32(w, b.parentHash);
        // nonce: 8 zero bytes.
        w = Commitment.putU(w, 0x88, 1);
        w = Commitment.putU(w, 0, 8);
        w = uintRlp(w, b.basefee);
        w = str32(w, EMPTY_WITHDRAWALS);
        // blobGasUsed 0, excessBlobGas 0.
        w = Commitment.putU(w, 0x8080, 2);
        // parentBeaconBlockRoot: zero.
        w = str32(w, bytes32(0));
        uint256 payload = w - buf - 3;
        assembly ("memory-safe") {
            // Byte stores: a word store would overwrite the payload's start.
            mstore8(buf, 0xf9)
            mstore8(add(buf, 1), shr(8, payload))
            mstore8(add(buf, 2), and(payload, 0xff))
            h := keccak256(buf, sub(w, buf))
        }
    }

    /// @notice A 32-byte RLP string.
    function str32(uint256 w, bytes32 v) private pure returns (uint256) {
        w = Commitment.putU(w, 0xa0, 1);
        return Commitment.putB(w, v);
    }

    /// @notice An RLP unsigned integer (0 is the empty string; below 0x80 one byte).
    function uintRlp(uint256 w, uint256 v) internal pure returns (uint256) {
        if (v == 0) return Commitment.putU(w, 0x80, 1);
        if (v < 0x80) return Commitment.putU(w, v, 1);
        uint256 n = 0;
        for (uint256 x = v; x != 0; x >>= 8) {
            ++n;
        }
        w = Commitment.putU(w, 0x80 + n, 1);
        return Commitment.putU(w, v, n);
    }
}
