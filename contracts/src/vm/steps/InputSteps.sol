// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/step/input.rs (`next_l1_input`, `l1_step`,
// `deposit_link`, `deposit_open`, `deposit_data`) and `parse_deposit` of
// crates/vm-core/src/inputs.rs; the entry steps are in EntrySteps.sol. Vectors:
// docs/vectors/vm/l1-inputs.json (all 27: deposit-link, deposit-open*, deposit-data,
// tx-open-*, tx-chunk, tx-access-*, tx-signature-*, tx-sign-hash*, blob-tx-*,
// block-end-from-l1), through contracts/test/vm/InputSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Inputs, DepositSource, TxCtx, ChunkCursor} from "../Machine.sol";
import {InputBase} from "./InputBase.sol";
import {InputWitness} from "./InputWitness.sol";
import {InputTailSteps} from "./InputTailSteps.sol";
import {EntrySteps} from "./EntrySteps.sol";
import {BlockOps} from "./BlockOps.sol";

/// @title InputSteps
/// @notice The INPUTS module of the verifier (docs/verifier.md, "Modules"): every step of
///         a block whose inputs come from L1 while its phase is NextTx. An entry's stages
///         after its bytes are taken by its second contract, InputTailSteps, which it
///         deploys and forwards those steps to.
contract InputSteps is IFaultVM {
    /// @notice The module's second contract, which takes an entry's stages after its bytes.
    address public immutable tail;

    constructor() {
        tail = address(new InputTailSteps());
    }

    /// @inheritdoc IFaultVM
    /// @param pre The claimed pre-state commitment.
    /// @param witness The step's witness.
    /// @return The post-state commitment.
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        unchecked {
            if (toTail(witness)) {
                address t = tail;
                assembly ("memory-safe") {
                    let p := mload(0x40)
                    calldatacopy(p, 0, calldatasize())
                    let ok := staticcall(gas(), t, p, calldatasize(), 0, 0)
                    returndatacopy(p, 0, returndatasize())
                    if iszero(ok) { revert(p, returndatasize()) }
                    return(p, returndatasize())
                }
            }
            Machine memory m = InputWitness.open(pre, witness);
            // `Route.moduleOf` of a frameless state.
            if (m.phase.tag != StepBase.NEXT_TX || !m.inputs.l1) {
                revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
            }
            L1Input.step(m);
            return InputWitness.close(m);
        }
    }

    /// @notice Whether the witness's step is one of InputTailSteps': by the bytes at the
    ///         fixed offsets of the fields `l1_step` branches on (docs/fault-vm.md, "Byte
    ///         encodings"), unchecked; the tail decodes and checks them all, and refuses
    ///         a step that is not its own, so a witness is forwarded exactly when its
    ///         canonical decoding is a tail stage.
    function toTail(bytes calldata w) private pure returns (bool yes) {
        assembly ("memory-safe") {
            let o := w.offset
            let n := w.length
            // The block context is 181 bytes, and 32 more with a tree of recent hashes.
            let i := add(o, 181)
            if iszero(byte(0, calldataload(add(o, 180)))) { i := add(i, 32) }
            // inputs: tag 1, started, from, next, end, unlinked, ..., hasChunk at 251,
            // hasEntry at 252, the entry's stage at 309.
            if lt(add(sub(i, o), 310), add(n, 1)) {
                let word := shr(240, calldataload(i))
                let next := shr(192, calldataload(add(i, 10)))
                let end := shr(192, calldataload(add(i, 18)))
                let unlinked := shr(192, calldataload(add(i, 26)))
                let flags := shr(240, calldataload(add(i, 251)))
                let stage := byte(0, calldataload(add(i, 309)))
                yes := and(
                    and(eq(word, 0x0101), and(iszero(unlinked), iszero(lt(next, end)))),
                    and(eq(flags, 0x0001), and(gt(stage, 0), lt(stage, 6)))
                )
            }
        }
    }
}

/// @title L1Input
/// @notice The next step of a block with L1 inputs (`l1_step`) and the deposit steps.
library L1Input {
    /// @notice `l1_step`: the block's first writes once, then a link, a deposit's data, a
    ///         deposit, an entry's next part, the next entry, or the block's end.
    function step(Machine memory m) internal view {
        unchecked {
            Inputs memory l = m.inputs;
            if (!l.started) {
                BlockOps.firstWrites(m);
                l.started = true;
            }
            if (l.deposits.unlinked > 0) return depositLink(m, l.deposits);
            if (l.hasChunk) return depositData(m, l);
            if (l.deposits.next < l.deposits.end) return depositOpen(m, l);
            if (l.hasEntry) return EntrySteps.entryStep(m, l);
            if (l.batch.next < l.batch.count) return EntrySteps.entryOpen(m, l);
            BlockOps.blockEnd(m);
        }
    }

    /// @notice `deposit_link`: `acc[i] = keccak256(acc[i − 1] ‖ h_i)` from the later end;
    ///         `h_i` goes into the hashes tree at word `i`.
    function depositLink(Machine memory m, DepositSource memory d) internal pure {
        unchecked {
            uint256 i = d.unlinked - 1;
            (uint256 at, uint256 len) = Io.preimage(m.accesses, d.acc);
            if (len != 64) InputBase.missing(m);
            bytes32 prev;
            bytes memory h = new bytes(32);
            assembly ("memory-safe") {
                prev := calldataload(at)
                mstore(add(h, 32), calldataload(add(at, 32)))
            }
            if (i > InputBase.U64 / 32) InputBase.inconsistent();
            Io.write(m.accesses, d.hashes, i * 32, h);
            d.acc = prev;
            d.unlinked = i;
            if (i == 0 && prev != d.accFrom) InputBase.missing(m);
        }
    }

    /// @notice `deposit_open`: deposit `next`'s fields against the hash its link gave, and
    ///         its data's first chunk.
    function depositOpen(Machine memory m, Inputs memory l) internal pure {
        unchecked {
            DepositSource memory d = l.deposits;
            if (d.next < d.from) InputBase.inconsistent();
            bytes memory hw = Io.read(m.accesses, d.hashes, (d.next - d.from) * 32, 32);
            (uint256 at, uint256 plen) = Io.preimage(m.accesses, bytes32(hw));
            TxCtx memory t;
            (uint256 index, uint256 len, bytes32 chunked) = parseDeposit(m, t, at, plen);
            if (index != d.next) InputBase.missing(m);
            d.next += 1;
            t.data.tree = StepBase.builtTree("");
            t.data.len = len;
            t.access = StepBase.emptyTree();
            l.hasChunk = false;
            if (len > 0) {
                (bytes memory b, bool more, ChunkCursor memory next) =
                    InputBase.openChunk(m, t.data.tree, ChunkCursor(chunked, 0, len));
                t.dataZeros = InputBase.zeros(b, 0, b.length);
                if (more) {
                    l.hasChunk = true;
                    l.chunk = next;
                }
            }
            m.tx_ = t;
            m.hasTx = true;
            if (!l.hasChunk) m.phase.tag = StepBase.BEGIN;
        }
    }

    /// @notice `parse_deposit`: a deposit hash's preimage, nine canonical words (index,
    ///         from, to, mint, value, gasLimit, l1Block, data length, chunked(data)), into
    ///         the deposit's context `t`; `Missing` unless it parses.
    function parseDeposit(Machine memory m, TxCtx memory t, uint256 at, uint256 len)
        private
        pure
        returns (uint256 index, uint256 dataLen, bytes32 chunked)
    {
        unchecked {
            if (len != 9 * 32) InputBase.missing(m);
            uint256[9] memory w;
            assembly ("memory-safe") {
                calldatacopy(w, at, 288)
            }
            // Words 0, 5, 6, 7 are u64, 1 and 2 addresses.
            uint256 high = (w[0] | w[5] | w[6] | w[7]) >> 64 | (w[1] | w[2]) >> 160;
            if (high != 0) InputBase.missing(m);
            index = w[0];
            t.sender = address(uint160(w[1]));
            t.hasTo = true;
            t.to = address(uint160(w[2]));
            t.hasMint = true;
            t.mint = w[3];
            t.value = w[4];
            t.gasLimit = w[5];
            dataLen = w[7];
            chunked = bytes32(w[8]);
        }
    }

    /// @notice `deposit_data`: the current deposit's next data chunk.
    function depositData(Machine memory m, Inputs memory l) internal pure {
        unchecked {
            if (l.deposits.next < InputBase.sat(l.deposits.from, 1)) InputBase.inconsistent();
            if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
            TxCtx memory t = m.tx_;
            (bytes memory b, bool more, ChunkCursor memory next) = InputBase.openChunk(m, t.data.tree, l.chunk);
            t.dataZeros += InputBase.zeros(b, 0, b.length);
            if (t.dataZeros > InputBase.U64) InputBase.inconsistent();
            l.hasChunk = more;
            if (more) l.chunk = next;
            else m.phase.tag = StepBase.BEGIN;
        }
    }
}
