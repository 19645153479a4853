// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The router's fast path: the routing fields of a witness read from its bytes at the
// offsets docs/fault-vm.md ("Witness wire format", "Byte encodings") gives them, without
// building the machine. Rust twin: none (the wire format's encoder is
// crates/vm-core/src/witness.rs; this walks what WitnessDecoder.sol parses, field for
// field). Tests: contracts/test/vm/RoutePeek.t.sol checks, on every vector of
// docs/vectors/vm/, that the peeked key routes where the decoded machine does.

import {Route} from "./Route.sol";

/// @title RoutePeek
/// @notice `keyAt(witness)` walks the state part of a witness in calldata, reading only
///         what `Route.ofKey` needs. It checks nothing: the module it picks decodes the
///         witness and refuses a step of another module, and the router then routes on
///         the decoded state (FaultVM.sol), so a wrong peek costs gas, never a verdict.
library RoutePeek {
    /// @notice The routing key of `witness`, and whether the walk stayed inside it (a
    ///         walk past the end gives `ok == false`: route on the decoded state).
    function keyAt(bytes calldata witness) internal pure returns (Route.Key memory k, bool ok) {
        uint256 o;
        uint256 end;
        assembly ("memory-safe") {
            o := witness.offset
            end := add(o, witness.length)
        }
        uint256 i;
        (k, i) = prefix(o);
        if (i > end) return (k, false);
        uint256 pc;
        uint256 codeLen;
        (i, pc, codeLen) = frames(k, i, end);
        if (i > end) return (k, false);
        i = tail(k, i, end, pc, codeLen);
        ok = i <= end;
    }

    /// @notice The block context, the inputs, the block accumulators and the
    ///         transaction: their routing fields, and the offset after them.
    function prefix(uint256 o) private pure returns (Route.Key memory k, uint256 i) {
        uint256 l1;
        uint256 dNext;
        uint256 dEnd;
        uint256 dUnlinked;
        uint256 hasChunk;
        uint256 hasEntry;
        uint256 stage;
        uint256 bNext;
        uint256 bCount;
        assembly ("memory-safe") {
            function u8(p) -> v {
                v := byte(0, calldataload(p))
            }
            function u64(p) -> v {
                v := shr(192, calldataload(p))
            }
            function popcount(x) -> n {
                for {} x {} {
                    x := and(x, sub(x, 1))
                    n := add(n, 1)
                }
            }
            function absorberLen(p) -> n {
                n := add(201, u8(add(p, 200)))
            }
            // The block context: 181 bytes, 32 more with a tree of recent hashes.
            i := add(o, 181)
            if iszero(u8(add(o, 180))) { i := add(i, 32) }
            // The inputs: given (tag, root, count) or from L1.
            l1 := u8(i)
            switch l1
            case 0 { i := add(i, 41) }
            default {
                // tag, started, deposits (from, next, end, unlinked, acc, accFrom,
                // hashes: 128), batch (version, root, itemCount, first, count, next, blobs,
                // length, txTotal, firstTx: 121), then the chunk's flag.
                dNext := u64(add(i, 10))
                dEnd := u64(add(i, 18))
                dUnlinked := u64(add(i, 26))
                bCount := u64(add(i, 179))
                bNext := u64(add(i, 187))
                hasChunk := u8(add(i, 251))
                i := add(i, 252)
                if hasChunk { i := add(i, 48) }
                hasEntry := u8(i)
                i := add(i, 1)
                if hasEntry {
                    // len, start, raw root, body start, then the stage.
                    stage := u8(add(i, 56))
                    i := add(i, 57)
                    switch stage
                    case 0 { i := add(add(i, 48), absorberLen(add(i, 48))) }
                    case 2 { i := add(i, 16) }
                    case 3 { i := add(i, 44) }
                    case 5 {
                        i := add(i, absorberLen(i))
                        // at, body end, the tail's length and bytes, y parity, r, s.
                        i := add(add(i, 17), add(u8(add(i, 16)), 65))
                    }
                    default { i := add(i, 8) }
                }
            }
            // The block accumulators: next, gas used, the bloom, two Merkle builders.
            i := add(i, 272)
            i := add(add(i, 8), shl(5, popcount(u64(i))))
            i := add(add(i, 8), shl(5, popcount(u64(i))))
            // The transaction (289 bytes, 309 with a recipient).
            let hasTx := u8(i)
            i := add(i, 1)
            if hasTx {
                let t := 289
                if u8(add(i, 53)) { t := 309 }
                i := add(i, t)
            }
        }
        k.l1 = l1 == 1;
        k.depositNext = dNext;
        k.depositEnd = dEnd;
        k.depositUnlinked = dUnlinked;
        k.hasChunk = hasChunk == 1;
        k.hasEntry = hasEntry == 1;
        k.entryStage = stage;
        k.batchNext = bNext;
        k.batchCount = bCount;
    }

    /// @notice The world's and the substate's roots, the frames (the carried ones and the
    ///         running one with its carried words): the running frame's routing fields,
    ///         the offset after them, and the running frame's pc and code length.
    function frames(Route.Key memory k, uint256 i, uint256 end)
        private
        pure
        returns (uint256, uint256 pcAt, uint256 codeLen)
    {
        assembly ("memory-safe") {
            function u8(p) -> v {
                v := byte(0, calldataload(p))
            }
            function u16(p) -> v {
                v := shr(240, calldataload(p))
            }
            function u64(p) -> v {
                v := shr(192, calldataload(p))
            }
            // `Route.Key`'s field `n` (a word each, in declaration order).
            function put(key, n, v) {
                mstore(add(key, shl(5, n)), v)
            }
            // The end of a frame's encoding at `f`, with the offsets of its status and of
            // its pending step's tag.
            function frameEnd(f) -> e, st, pend {
                e := add(f, 42)
                if u8(sub(e, 1)) { e := add(e, 32) }
                if u8(e) { e := add(e, 48) }
                e := add(e, 1)
                if u8(e) { e := add(e, 41) }
                e := add(e, 1)
                // codeAddress … retSize, then the status.
                st := add(e, 317)
                let s := u8(st)
                e := add(e, 318)
                switch s
                case 0 {}
                case 3 { e := add(e, 1) }
                default { e := add(e, 48) }
                pend := e
                let tag := u8(e)
                e := add(e, 1)
                switch tag
                case 0 {}
                case 1 {
                    // src (with a hash and a length for a viewed one), from, to, left,
                    // backwards.
                    if eq(u8(e), 4) { e := add(e, 40) }
                    e := add(e, 26)
                }
                case 2 {
                    // sponge, at, left, done, then (topics or value and salt).
                    let cont := u8(add(e, 224))
                    e := add(e, 225)
                    switch cont
                    case 1 { e := add(add(e, 1), shl(5, u8(e))) }
                    case 2 { e := add(e, 64) }
                }
                default { e := add(e, 72) }
            }
            // Roots (64), the frames' header (40) and its carried frames.
            i := add(i, 104)
            let n := u16(i)
            i := add(i, 2)
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                if gt(i, end) { break }
                let e, st, pend := frameEnd(add(i, 32))
                i := e
            }
            let hasTop := iszero(iszero(u8(i)))
            put(k, 10, hasTop)
            i := add(i, 1)
            if and(hasTop, iszero(gt(i, end))) {
                let f := i
                let e, st, pend := frameEnd(f)
                codeLen := u64(add(f, 33))
                // The code address sits 317 bytes before the status, the pc after it,
                // the checkpoint 24 bytes before the status.
                pcAt := u64(sub(st, 297))
                put(k, 11, u8(st))
                put(k, 13, u64(sub(st, 24)))
                let pending := u8(pend)
                put(k, 14, pending)
                if eq(pending, 2) { put(k, 15, u8(add(pend, 225))) }
                put(k, 16, iszero(iszero(u8(add(f, 41)))))
                put(k, 17, iszero(iszero(u8(f))))
                put(k, 18, shr(96, calldataload(sub(st, 317))))
                i := e
                // The running frame's carried stack words.
                i := add(add(i, 2), shl(6, u16(i)))
            }
        }
        return (i, pcAt, codeLen);
    }

    /// @notice The journal, the logs, the destroyed accounts, the created slots and the
    ///         phase: the journal's length and the phase, then the opcode at the running
    ///         frame's pc from the first access; the offset of the accesses.
    function tail(Route.Key memory k, uint256 i, uint256 end, uint256 pc, uint256 codeLen)
        private
        pure
        returns (uint256)
    {
        uint256 journalLen;
        uint256 phase;
        assembly ("memory-safe") {
            function u8(p) -> v {
                v := byte(0, calldataload(p))
            }
            function u16(p) -> v {
                v := shr(240, calldataload(p))
            }
            // The journal: header, carried records (below, then the record).
            journalLen := shr(192, calldataload(add(i, 32)))
            i := add(i, 40)
            let n := u16(i)
            i := add(i, 2)
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                if gt(i, end) { break }
                let tag := u8(add(i, 32))
                i := add(i, 33)
                if iszero(eq(tag, 5)) {
                    // The address, then: an account record behind a flag; a slot and a
                    // value; a slot.
                    i := add(i, 20)
                    switch tag
                    case 0 {
                        let has := u8(i)
                        i := add(i, 1)
                        if has { i := add(i, 80) }
                    }
                    case 1 { i := add(i, 64) }
                    case 2 { i := add(i, 64) }
                    case 4 { i := add(i, 32) }
                }
            }
            // The logs: header, carried items (below, address, topics, data hash, length).
            i := add(i, 40)
            n := u16(i)
            i := add(i, 2)
            for { let j := 0 } lt(j, n) { j := add(j, 1) } {
                if gt(i, end) { break }
                i := add(i, 52)
                i := add(add(i, 41), shl(5, u8(i)))
            }
            // The destroyed accounts (below, address) and the created slots (below,
            // address, slot).
            i := add(i, 40)
            i := add(add(i, 2), mul(52, u16(i)))
            i := add(i, 40)
            i := add(add(i, 2), mul(84, u16(i)))
            // The phase.
            phase := u8(i)
            i := add(i, 1)
            switch phase
            case 2 { i := add(i, 8) }
            case 5 { i := add(i, 17) }
            case 7 { i := add(i, 1) }
            case 8 { i := add(i, 64) }
        }
        k.journalLen = journalLen;
        k.phase = phase;
        k.op = k.hasTop ? Route.opcodeAt(i, end, pc, codeLen) : 0;
        return i;
    }
}
