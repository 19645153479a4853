// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// RETURN: a call frame's output as a view of its memory; a create frame's returned code
// deposited (EIP-170's bound, EIP-3541's 0xef, 200 gas a byte, the code's hash into the
// account). Rust twin: the RETURN arm of `Machine::control` in
// crates/vm-core/src/step/instructions/control.rs and `Machine::deposit_code` in
// step/instructions/contract.rs; vectors: opcode-f3-return of docs/vectors/vm/steps.json,
// run by contracts/test/vm/CallSteps.t.sol.

import {StepBase} from "../StepBase.sol";
import {Io} from "../Io.sol";
import {TxOps} from "./TxOps.sol";
import {CallOps} from "./CallOps.sol";
import {Machine, Frame, AccountRecord} from "../Machine.sol";

/// @title ReturnOps
/// @notice RETURN and `deposit_code`.
library ReturnOps {
    /// @notice RETURN on the running frame `f`: pops the offset and size, expands memory,
    ///         and ends the frame with its output (a create frame deposits it as code).
    ///         Returns the halt word.
    function ret(Machine memory m, Frame memory f) internal pure returns (uint256 h) {
        uint256[7] memory v;
        h = CallOps.pops(f, v, 2);
        if (h != 0) return h;
        uint256 o;
        uint256 n;
        (o, n, h) = StepBase.expand(f, v[0], v[1]);
        if (h != 0) return h;
        if (f.create) return depositCode(m, f, o, n);
        f.status = StepBase.SUCCESS;
        f.output = CallOps.memView(f, o, n);
    }

    /// @notice `deposit_code`: a successful create's returned code `[o, o + n)` of memory
    ///         becomes the account's code (its hash and size), or the frame halts.
    function depositCode(Machine memory m, Frame memory f, uint256 o, uint256 n) internal pure returns (uint256 h) {
        unchecked {
            if (n > StepBase.MAX_CODE_SIZE) return StepBase.CODE_TOO_LARGE;
            bytes memory code = Io.read(m.accesses, f.mem, o, n);
            if (n != 0 && uint8(code[0]) == 0xef) return StepBase.CODE_STARTS_WITH_EF;
            h = StepBase.useGas(f, StepBase.G_CODE_DEPOSIT * n);
            if (h != 0) return h;
            bytes32 hash = n == 0 ? Io.EMPTY_CODE : keccak256(code);
            (bool existed, AccountRecord memory old, AccountRecord memory nw) = StepBase.load(m, f.addr);
            nw.codeHash = hash;
            nw.codeSize = n;
            StepBase.store(m, f.addr, existed, old, nw);
            f.status = StepBase.SUCCESS;
            f.output = TxOps.emptySlice();
        }
    }
}
