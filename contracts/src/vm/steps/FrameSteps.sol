// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module of the one-step verifier (docs/verifier.md, "Modules"): its entry
// contract, which takes FrameExit and forwards Undo to FrameUndoSteps, Copy to
// FrameCopySteps, Hash (not a CREATE2's) to FrameHashSteps, CodeLoad and Precompile to
// FrameStartSteps. Rust twin: the branches of `run_step` in
// crates/vm-core/src/step/frame.rs that are not an opcode, with `frame_exit` of
// crates/vm-core/src/step/exit.rs; vectors: `frame-exit` (and through the other
// contracts every other frame-module vector) of docs/vectors/vm/steps.json, run by
// contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {ExitOps} from "./ExitOps.sol";
import {FrameKinds} from "./FrameKinds.sol";
import {Machine} from "../Machine.sol";

/// @title FrameSteps
/// @notice The FRAMES module's entry: the exit of a finished frame; the module's other
///         steps go to its other contracts.
contract FrameSteps is IFaultVM {
    /// @notice The contract taking Undo steps (FrameUndoSteps).
    address public immutable undo;
    /// @notice The contract taking Copy steps (FrameCopySteps).
    address public immutable copy;
    /// @notice The contract taking Hash steps (FrameHashSteps).
    address public immutable hash;
    /// @notice The contract taking CodeLoad and Precompile steps (FrameStartSteps).
    address public immutable start;

    /// @param engine The KeccakEngine (unused here: FrameHashSteps has it).
    /// @param undo_ A FrameUndoSteps.
    /// @param copy_ A FrameCopySteps.
    /// @param hash_ A FrameHashSteps.
    /// @param start_ A FrameStartSteps.
    constructor(address engine, address undo_, address copy_, address hash_, address start_) {
        engine;
        undo = undo_;
        copy = copy_;
        hash = hash_;
        start = start_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        // The kind from the witness's bytes (FrameKinds.peek), so that a forwarded step
        // is decoded once here less; a frame-exit is decoded and checked here.
        uint256 kind = FrameKinds.peek(witness);
        if (kind == FrameKinds.FRAME_EXIT) {
            Machine memory m = StepBase.open(pre, witness);
            kind = FrameKinds.kindOf(m);
            if (kind == FrameKinds.FRAME_EXIT) {
                ExitOps.frameExit(m, m.top);
                return StepBase.close(m);
            }
        }
        if (kind == FrameKinds.UNDO) FrameKinds.forward(undo);
        if (kind == FrameKinds.COPY) FrameKinds.forward(copy);
        if (kind == FrameKinds.HASH) FrameKinds.forward(hash);
        FrameKinds.forward(start);
    }
}
