// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmMutationsTest} from "./VmMutations.t.sol";
import {Route} from "../../src/vm/Route.sol";
import {FrameSteps} from "../../src/vm/steps/FrameSteps.sol";
import {FrameUndoSteps} from "../../src/vm/steps/FrameUndoSteps.sol";
import {FrameCopySteps} from "../../src/vm/steps/FrameCopySteps.sol";
import {FrameHashSteps} from "../../src/vm/steps/FrameHashSteps.sol";
import {FrameStartSteps} from "../../src/vm/steps/FrameStartSteps.sol";

/// @notice The witness mutations of VmMutations.t.sol on the vectors the FRAMES module
///         (FrameSteps and the four contracts it forwards to) takes: never the honest
///         post, never a refusal but an `IFaultVM` error, whichever contract the entry's
///         reading of the mutated bytes sends them to.
contract FrameMutationsTest is VmMutationsTest {
    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.FRAMES] = address(new FrameSteps(engine));
        m[Route.FRAME_UNDO] = address(new FrameUndoSteps(engine));
        m[Route.FRAME_COPY] = address(new FrameCopySteps(engine));
        m[Route.FRAME_HASH] = address(new FrameHashSteps(engine));
        m[Route.FRAME_START] = address(new FrameStartSteps(engine));
    }
}

