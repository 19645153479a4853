// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's third contract (docs/verifier.md, "Modules"): a precompile frame's
// step. Rust twin: `run_precompile` in crates/vm-core/src/step/precompile.rs; vectors:
// `precompile-01-ecrecover` … `precompile-0a-point-evaluation-fails` of
// docs/vectors/vm/steps.json, run by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {PrecompileOps} from "./PrecompileOps.sol";
import {FrameKinds} from "./FrameKinds.sol";
import {Machine} from "../Machine.sol";

/// @title FramePrecompileSteps
/// @notice A call frame at a Cancun precompile's address runs it on its call data.
contract FramePrecompileSteps is IFaultVM {
    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        if (FrameKinds.kindOf(m) != FrameKinds.PRECOMPILE) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        PrecompileOps.run(m, m.top);
        return StepBase.close(m);
    }
}
