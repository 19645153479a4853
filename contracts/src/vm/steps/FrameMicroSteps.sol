// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The frame module's second contract (docs/verifier.md, "Modules"): Copy and Hash (not a
// CREATE2's) micro-steps. Rust twin: `pending_step` in crates/vm-core/src/step/micro.rs
// (the copy arms and the Hash arm with `after_hash`'s push and log); vectors: `copy` and
// `hash` of docs/vectors/vm/steps.json, run by contracts/test/vm/FrameSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {PendingOps} from "./PendingOps.sol";
import {FrameKinds} from "./FrameKinds.sol";
import {SpongeRunner} from "./FrameSponge.sol";
import {Machine} from "../Machine.sol";

/// @title FrameMicroSteps
/// @notice One chunk of the running frame's pending copy or hash.
contract FrameMicroSteps is IFaultVM {
    /// @notice The contract running the sponge (keccak-f) for the Hash steps.
    address public immutable sponge;

    constructor() {
        sponge = address(new SpongeRunner());
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = StepBase.open(pre, witness);
        uint256 kind = FrameKinds.kindOf(m);
        if (kind != FrameKinds.COPY && kind != FrameKinds.HASH) revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
        PendingOps.pendingStep(m, m.top, sponge);
        return StepBase.close(m);
    }
}
