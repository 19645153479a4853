// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module of the one-step verifier (docs/verifier.md, "Modules"): its entry
// contract, which takes Undo and FrameExit and forwards Copy to FrameCopySteps, Hash (not
// a CREATE2's) to FrameHashSteps, CodeLoad and Precompile to FrameStartSteps. Rust twin:
// the branches of `run_step` in crates/vm-core/src/step/frame.rs that are not an opcode,
// with crates/vm-core/src/step/exit.rs (`undo_one`, `frame_exit`); vectors: `undo`,
// `frame-exit` (and through the other contracts every other frame-module vector) of
// docs/vectors/vm/steps.json, run by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {ExitOps} from "./ExitOps.sol";
import {FrameKinds} from "./FrameKinds.sol";
import {Machine} from "../Machine.sol";

/// @title FrameSteps
/// @notice The FRAMES module's entry: the undo micro-steps and the exit of a finished
///         frame; the module's other steps go to its other contracts.
contract FrameSteps is IFaultVM {
    /// @notice The contract taking Copy steps (FrameCopySteps).
    address public immutable copy;
    /// @notice The contract taking Hash steps (FrameHashSteps).
    address public immutable hash;
    /// @notice The contract taking CodeLoad and Precompile steps (FrameStartSteps).
    address public immutable start;

    /// @param engine The KeccakEngine (unused here: FrameHashSteps has it).
    /// @param copy_ A FrameCopySteps.
    /// @param hash_ A FrameHashSteps.
    /// @param start_ A FrameStartSteps.
    constructor(address engine, address copy_, address hash_, address start_) {
        engine;
        copy = copy_;
        hash = hash_;
        start = start_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        uint256 kind = FrameKinds.kindOf(m);
        if (kind == FrameKinds.COPY) FrameKinds.forward(copy);
        if (kind == FrameKinds.HASH) FrameKinds.forward(hash);
        if (kind != FrameKinds.UNDO_OR_EXIT) FrameKinds.forward(start);
        ExitOps.finished(m, m.top);
        return StepBase.close(m);
    }
}
