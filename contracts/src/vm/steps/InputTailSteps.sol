// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/step/input.rs (`entry_step` of the stages after Load,
// `next_access`, `append_access`, `window`, `signature`, `recover`, `skip_entry`); the RLP
// pieces are TxDecode.sol. Vectors: docs/vectors/vm/l1-inputs.json (tx-access-*,
// tx-signature-*, tx-sign-hash*).

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {Machine, Inputs, Entry, TxCtx} from "../Machine.sol";
import {InputBase} from "./InputBase.sol";
import {InputHash} from "./InputHash.sol";
import {InputWitness} from "./InputWitness.sol";
import {EntrySteps} from "./EntrySteps.sol";
import {TxDecode, Buf, Sig} from "./TxDecode.sol";

/// @title InputTailSteps
/// @notice The second contract of the INPUTS module: an entry's stages after its bytes
///         (TxAccess, TxSignature, TxSignHash, the sender), which InputSteps forwards here
///         so that each contract stays under EIP-170. A whole `IFaultVM` of these steps.
contract InputTailSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    /// @param pre The claimed pre-state commitment.
    /// @param witness The step's witness.
    /// @return The post-state commitment.
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        unchecked {
            Machine memory m = InputWitness.open(pre, witness);
            Inputs memory l = m.inputs;
            // `l1_step` down to `entry_step` of a stage after Load.
            if (
                m.phase.tag != StepBase.NEXT_TX || !l.l1 || !l.started || l.deposits.unlinked != 0 || l.hasChunk
                    || l.deposits.next < l.deposits.end || !l.hasEntry || l.entry.stage == EntrySteps.LOAD
            ) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
            EntryTail.step(m, l);
            return InputWitness.close(m);
        }
    }
}

/// @title EntryTail
/// @notice The entry stages AccessList, AccessItem, AccessKey, Signature and SignHash.
library EntryTail {
    /// @notice `entry_step` of a stage after Load.
    function step(Machine memory m, Inputs memory l) internal view {
        unchecked {
            Entry memory e = l.entry;
            l.hasEntry = false;
            uint256 st = e.stage;
            if (st == EntrySteps.ACCESS_LIST) return accessList(m, l, e);
            if (st == EntrySteps.ACCESS_ITEM) return accessItem(m, l, e);
            if (st == EntrySteps.ACCESS_KEY) return accessKey(m, l, e);
            if (st == EntrySteps.SIGNATURE) return signature(m, l, e, e.at);
            signHash(m, l, e);
        }
    }

    /// @notice `window`: bytes `[at, min(at + n, len))` of the entry, at their positions.
    function window(Machine memory m, Entry memory e, uint256 at, uint256 n) internal pure returns (Buf memory w) {
        unchecked {
            if (at > e.len || e.len > InputBase.U32) InputBase.inconsistent();
            uint256 end = InputBase.sat(at, n);
            if (end > e.len) end = e.len;
            w = Buf(Io.read(m.accesses, e.raw, at, end - at), at, end);
        }
    }

    /// @notice AccessList: the list's header; an empty list goes on to the signature in
    ///         the same step.
    function accessList(Machine memory m, Inputs memory l, Entry memory e) internal view {
        unchecked {
            uint256 at = e.at;
            Buf memory w = window(m, e, at, 9);
            (bool ok, uint256 start, uint256 len) = TxDecode.listPayload(w, at, e.len);
            if (!ok) return EntrySteps.skip(m, l);
            if (len == 0) return signature(m, l, e, start);
            nextAccess(l, e, start, start + len);
        }
    }

    /// @notice AccessItem: an item's address and its keys' header.
    function accessItem(Machine memory m, Inputs memory l, Entry memory e) internal pure {
        unchecked {
            Buf memory w = window(m, e, e.at, TxDecode.ACCESS_ITEM_HEAD_MAX);
            (bool ok, address a, uint256 keysStart, uint256 keysLen, uint256 itemEnd) =
                TxDecode.accessItemHead(w, e.at, e.end);
            if (!ok) return EntrySteps.skip(m, l);
            appendAccess(m, a, false, 0);
            if (keysLen > 0) {
                e.stage = EntrySteps.ACCESS_KEY;
                e.at = keysStart;
                e.keysEnd = itemEnd;
                e.itemAddress = a;
                l.hasEntry = true;
            } else {
                nextAccess(l, e, itemEnd, e.end);
            }
        }
    }

    /// @notice AccessKey: one storage key of the current item.
    function accessKey(Machine memory m, Inputs memory l, Entry memory e) internal pure {
        unchecked {
            Buf memory w = window(m, e, e.at, TxDecode.STORAGE_KEY_LEN);
            (bool ok, uint256 key, uint256 next) = TxDecode.storageKey(w, e.at, e.keysEnd);
            if (!ok) return EntrySteps.skip(m, l);
            appendAccess(m, e.itemAddress, true, key);
            if (next < e.keysEnd) {
                e.at = next;
                l.hasEntry = true;
            } else {
                nextAccess(l, e, e.keysEnd, e.end);
            }
        }
    }

    /// @notice `next_access`: the access list goes on at `at`, or the signature follows.
    function nextAccess(Inputs memory l, Entry memory e, uint256 at, uint256 end) internal pure {
        unchecked {
            if (at < end) {
                e.stage = EntrySteps.ACCESS_ITEM;
                e.at = at;
                e.end = end;
            } else {
                e.stage = EntrySteps.SIGNATURE;
                e.at = end;
            }
            l.hasEntry = true;
        }
    }

    /// @notice `append_access`: one item's word, keccak256 of its encoding `address ‖ 0`
    ///         or `address ‖ 1 ‖ key`, onto the transaction's access-list tree.
    function appendAccess(Machine memory m, address a, bool hasSlot, uint256 key) internal pure {
        unchecked {
            if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
            TxCtx memory t = m.tx_;
            bytes memory word = new bytes(32);
            assembly ("memory-safe") {
                let p := mload(0x40)
                mstore(p, shl(96, a))
                mstore8(add(p, 20), hasSlot)
                mstore(add(p, 21), key)
                mstore(add(word, 32), keccak256(p, add(21, mul(hasSlot, 32))))
            }
            if (t.accessLen > InputBase.U64 / 32) InputBase.inconsistent();
            Io.write(m.accesses, t.access, t.accessLen * 32, word);
            t.accessLen += 1;
            if (!hasSlot) t.accessAddresses += 1;
        }
    }

    /// @notice `signature`: the signature at `at`, then the signing hash, at once if the
    ///         body fits a chunk.
    function signature(Machine memory m, Inputs memory l, Entry memory e, uint256 at) internal view {
        unchecked {
            if (e.bodyStart > at || at > e.len) InputBase.inconsistent();
            if (e.len - at > TxDecode.SIGNATURE_MAX) return EntrySteps.skip(m, l);
            Buf memory w = window(m, e, at, TxDecode.SIGNATURE_MAX);
            uint256 txType = m.hasTx ? m.tx_.txType : 0;
            Sig memory g = TxDecode.decodeSignature(w, at, e.len, txType);
            if (!g.ok) return EntrySteps.skip(m, l);
            if (txType == 0 && m.hasTx) {
                m.tx_.hasChainId = g.hasChainId;
                m.tx_.chainId = g.chainId;
            }
            uint256 bodyLen = at - e.bodyStart;
            (bytes memory head, bytes memory tail) = TxDecode.signing(txType, g, bodyLen);
            if (bodyLen <= InputBase.CHUNK) {
                bytes memory body = Io.read(m.accesses, e.raw, e.bodyStart, bodyLen);
                return recover(m, l, e, keccak256(bytes.concat(head, body, tail)), g.yParity, g.r, g.s);
            }
            e.absorber = InputHash.update(InputHash.empty(), head);
            e.stage = EntrySteps.SIGN_HASH;
            e.at = e.bodyStart;
            e.bodyEnd = at;
            e.tail = tail;
            e.yParity = g.yParity;
            e.r = g.r;
            e.s = g.s;
            l.hasEntry = true;
        }
    }

    /// @notice SignHash: the next chunk of the signed body into the sponge; after the
    ///         last, the tail, the hash and the sender.
    function signHash(Machine memory m, Inputs memory l, Entry memory e) internal view {
        unchecked {
            uint256 at = e.at;
            if (e.bodyEnd <= at) InputBase.inconsistent();
            uint256 n = e.bodyEnd - at;
            if (n > InputBase.CHUNK) n = InputBase.CHUNK;
            bytes memory ab = InputHash.update(e.absorber, Io.read(m.accesses, e.raw, at, n));
            if (at + n < e.bodyEnd) {
                e.absorber = ab;
                e.at = at + n;
                l.hasEntry = true;
                return;
            }
            recover(m, l, e, InputHash.finish(InputHash.update(ab, e.tail)), e.yParity, e.r, e.s);
        }
    }

    /// @notice `recover`: the sender by `ecrecover` of the signing hash `h`; the
    ///         transaction is complete and tx-begin follows, or the entry is skipped.
    function recover(Machine memory m, Inputs memory l, Entry memory e, bytes32 h, bool yParity, uint256 r, uint256 s)
        internal
        view
    {
        unchecked {
            (bool ok, address sender) = TxDecode.recover(h, yParity, r, s);
            if (!ok) return EntrySteps.skip(m, l);
            if (!m.hasTx) revert IFaultVM.Inconsistent(StepBase.NO_TX);
            m.tx_.sender = sender;
            m.tx_.data.tree = e.raw;
            l.hasEntry = false;
            l.batch.next += 1;
            m.phase.tag = StepBase.BEGIN;
        }
    }
}
