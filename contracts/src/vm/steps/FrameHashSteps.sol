// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's Hash micro-steps, but a CREATE2's (docs/verifier.md, "Modules").
// Rust twin: `pending_step`'s Hash arm with `after_hash`'s push and log arms in
// crates/vm-core/src/step/micro.rs; vectors: `hash` of docs/vectors/vm/steps.json, run by
// contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {HashOps} from "./HashOps.sol";
import {Route} from "../Route.sol";
import {Machine} from "../Machine.sol";

/// @title FrameHashSteps
/// @notice One chunk (1,088 bytes) of the running frame's pending hash of memory; the last
///         pushes the hash or appends the log.
contract FrameHashSteps is IFaultVM {
    /// @notice The KeccakEngine the sponge's permutations run in.
    address public immutable engine;

    /// @param engine_ The KeccakEngine.
    constructor(address engine_) {
        engine = engine_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness, engine);
        if (Route.moduleOf(m) != Route.FRAME_HASH) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        HashOps.hashStep(m, m.top, m.top.pending);
        return StepBase.close(m);
    }
}
