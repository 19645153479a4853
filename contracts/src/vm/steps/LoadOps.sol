// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Loading a frame's code into chunks (docs/fault-vm.md, "Code"). Rust twin:
// crates/vm-core/src/step/frame.rs (`code_load`) with crates/vm-core/src/code.rs
// (`chunks`, `chunks_from`); vectors: `code-load-call` and `code-load-init-code-part` of
// docs/vectors/vm/steps.json.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {FrameOps} from "./FrameOps.sol";
import {Machine, Frame, Tree} from "../Machine.sol";

/// @title LoadOps
/// @notice CodeLoad: a call frame's code whole from the witness, a create frame's init
///         code from its view in parts of `INIT_LOAD_CHUNK` bytes.
library LoadOps {
    /// @notice Init code bytes one load step chunks (528 chunks of 31 bytes).
    uint256 internal constant INIT_LOAD_CHUNK = 528 * 31;

    /// @notice `code_load`: loads (a part of) the frame's code and chunks it. A call
    ///         frame's code comes with the witness, checked against the code hash, and its
    ///         chunks are a tree built in the step; a create frame's part `k` is read from
    ///         the init-code view and written into the loading tree (built in the step for
    ///         `k = 0`, proven for `k > 0`), the push data past its end carried.
    function codeLoad(Machine memory m, Frame memory f) internal pure {
        if (!f.hasInit) {
            bytes memory code = Io.code(m.accesses, f.codeHash, f.codeLen);
            (bytes memory words,) = FrameOps.chunksFrom(code, 0);
            f.chunks = StepBase.builtTree(words);
            f.hasChunks = true;
            return;
        }
        Tree memory tree;
        uint256 done;
        uint256 carry;
        if (f.loading) {
            (tree, done, carry) = (f.loadChunks, f.loadDone, f.loadCarry);
            f.loading = false;
        } else {
            tree = StepBase.builtTree("");
        }
        uint256 total = f.init.len;
        if (done > total) revert IFaultVM.Inconsistent(StepBase.OTHER);
        uint256 n = total - done < INIT_LOAD_CHUNK ? total - done : INIT_LOAD_CHUNK;
        bytes memory part = Io.read(m.accesses, f.init.tree, f.init.offset + done, n);
        bytes memory words;
        (words, carry) = FrameOps.chunksFrom(part, carry);
        Io.write(m.accesses, tree, (done / FrameOps.CHUNK) * 32, words);
        if (done + n == total) {
            f.chunks = tree;
            f.hasChunks = true;
            f.loadChunks = Tree(bytes32(0), false, "");
            f.loadDone = 0;
            f.loadCarry = 0;
        } else {
            f.loading = true;
            f.loadChunks = tree;
            f.loadDone = done + n;
            f.loadCarry = carry > 255 ? 255 : carry;
        }
    }
}
