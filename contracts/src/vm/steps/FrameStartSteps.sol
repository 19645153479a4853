// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's third contract (docs/verifier.md, "Modules"): a frame's code load
// and a precompile frame's step. Rust twin: `code_load` in
// crates/vm-core/src/step/frame.rs and `run_precompile` in
// crates/vm-core/src/step/precompile.rs; vectors: `code-load-call`,
// `code-load-init-code-part` and `precompile-01-ecrecover` …
// `precompile-0a-point-evaluation-fails` of docs/vectors/vm/steps.json, run by
// contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {LoadOps} from "./LoadOps.sol";
import {PrecompileOps} from "./PrecompileOps.sol";
import {Route} from "../Route.sol";
import {Machine} from "../Machine.sol";

/// @title FrameStartSteps
/// @notice What a frame does before its first opcode: load (a part of) its code into
///         chunks; or, a call frame at a Cancun precompile's address, run it on its call
///         data.
contract FrameStartSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        if (Route.moduleOf(m) != Route.FRAME_START) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        // `run_step`: a frame without its code's chunks loads them; one with them is a
        // precompile's (Route sends no other here).
        if (!m.top.hasChunks) LoadOps.codeLoad(m, m.top);
        else PrecompileOps.run(m, m.top);
        return StepBase.close(m);
    }
}
