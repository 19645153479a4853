// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The opcodes that read another account: BALANCE, EXTCODESIZE, EXTCODEHASH and
// EXTCODECOPY (EIP-2929 access costs), and SELFBALANCE. Rust twin: the BALANCE |
// EXTCODESIZE | EXTCODEHASH and EXTCODECOPY arms of `Machine::system`
// (crates/vm-core/src/step/instructions/system.rs) and the SELFBALANCE arm of
// `Machine::block_info` (block_info.rs); vectors: opcode-31-env-balance and
// opcode-3b-env-extcodesize of docs/vectors/vm/steps.json, run by
// contracts/test/vm/HostSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {Machine, Frame, AccountRecord, Pending, Slice} from "../Machine.sol";

/// @title HostAccountOps
/// @notice BALANCE (0x31), EXTCODESIZE (0x3b), EXTCODECOPY (0x3c), EXTCODEHASH (0x3f),
///         SELFBALANCE (0x47).
library HostAccountOps {
    uint256 internal constant BALANCE = 0x31;
    uint256 internal constant EXTCODESIZE = 0x3b;
    uint256 internal constant EXTCODECOPY = 0x3c;
    uint256 internal constant EXTCODEHASH = 0x3f;
    uint256 internal constant SELFBALANCE = 0x47;

    /// @notice Whether `op` is BALANCE, EXTCODESIZE, EXTCODEHASH or SELFBALANCE.
    function isRead(uint256 op) internal pure returns (bool) {
        return op == BALANCE || op == EXTCODESIZE || op == EXTCODEHASH || op == SELFBALANCE;
    }

    /// @notice BALANCE, EXTCODESIZE, EXTCODEHASH or SELFBALANCE (the pc already past it);
    ///         its halt word.
    function runRead(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        return op == SELFBALANCE ? selfBalance(m, f) : read(m, f, op);
    }

    /// @notice EXTCODECOPY (the pc already past it); its halt word.
    /// @dev `op` is EXTCODECOPY: `OpcodeStep.begin` checked that HOST_COPY takes it.
    function runCopy(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        op;
        return extCodeCopy(m, f);
    }

    /// @notice BALANCE, EXTCODESIZE, EXTCODEHASH: `warm(a) A(a)`; an absent account reads
    ///         zero (its code hash too).
    function read(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256 h) {
        uint256 w;
        (w, h) = StepBase.pop(f);
        if (h != 0) return h;
        address a = address(uint160(w));
        h = StepBase.useGas(f, StepBase.accessCost(m, a));
        if (h != 0) return h;
        (bool exists, AccountRecord memory r) = StepBase.account(m, a);
        uint256 v;
        if (exists) {
            if (op == BALANCE) v = r.balance;
            else if (op == EXTCODESIZE) v = r.codeSize;
            else v = uint256(r.codeHash);
        }
        return StepBase.push(f, v);
    }

    /// @notice EXTCODECOPY: `warm(a)`, then with a non-zero size `A(a)` and the copy: of
    ///         at most 4,096 bytes (or of no code) as a Copy from the code bytes, longer
    ///         from the code loaded once into a tree the pending copy holds.
    function extCodeCopy(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        uint256 w;
        (w, h) = StepBase.pop(f);
        if (h != 0) return h;
        address a = address(uint160(w));
        uint256 memOff;
        (memOff, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 codeOff;
        (codeOff, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 size;
        (size, h) = StepBase.pop(f);
        if (h != 0) return h;
        uint256 len = size > type(uint64).max ? type(uint64).max : size;
        uint256 cost = StepBase.accessCost(m, a);
        unchecked {
            // At most 2,600 + 3 · 2^59: no u64 saturates.
            cost += StepBase.G_COPY * ((len + 31) >> 5);
        }
        h = StepBase.useGas(f, cost);
        if (h != 0) return h;
        uint256 n;
        (memOff, n, h) = StepBase.expand(f, memOff, size);
        if (h != 0 || n == 0) return h;
        copyCode(m, f, a, codeOff, memOff, n);
    }

    /// @notice EXTCODECOPY's copy of `n > 0` bytes of `a`'s code from `codeOff` to memory
    ///         at `to`: `A(a)`, then the copy.
    function copyCode(Machine memory m, Frame memory f, address a, uint256 codeOff, uint256 to, uint256 n)
        private
        pure
    {
        (bool exists, AccountRecord memory r) = StepBase.account(m, a);
        bytes32 hash = exists ? r.codeHash : Io.EMPTY_CODE;
        uint256 clen = exists ? r.codeSize : 0;
        // Past the end of the code reads zeros: an offset beyond u64 is past it.
        uint256 from = codeOff > type(uint64).max ? type(uint64).max : codeOff;
        unchecked {
            // n is at most 2^32 (memory's bound).
            if (from > type(uint64).max - n) from = type(uint64).max - n;
        }
        // `copy` from `Source::ExtCode`: at most a step's bytes at once (the code whole
        // in the step, checked against its hash), more of no code as a pending copy.
        if (n <= StepBase.CHUNK) {
            bytes memory code = Io.code(m.accesses, hash, clen);
            bytes memory out = new bytes(n);
            if (from < clen) {
                uint256 k;
                unchecked {
                    k = clen - from < n ? clen - from : n;
                }
                assembly ("memory-safe") {
                    mcopy(add(out, 32), add(add(code, 32), from), k)
                }
            }
            Io.write(m.accesses, f.mem, to, out);
            return;
        }
        Pending memory p;
        p.from = from;
        p.to = to;
        p.left = n;
        if (clen == 0) {
            p.tag = MicroOps.PENDING_COPY;
            p.src = MicroOps.SRC_EXTCODE;
            p.srcHash = hash;
        } else {
            // Longer than a step copies: the code comes once, in this step, into a word
            // tree the copy's micro-steps read from.
            bytes memory code = Io.code(m.accesses, hash, clen);
            p.tag = MicroOps.PENDING_COPY_VIEW;
            p.viewed = Slice(StepBase.builtTree(code), 0, clen);
        }
        f.pending = p;
    }

    /// @notice SELFBALANCE: `A(self)`.
    function selfBalance(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        h = StepBase.useGas(f, StepBase.G_LOW);
        if (h != 0) return h;
        return StepBase.push(f, StepBase.balance(m, f.addr));
    }
}
