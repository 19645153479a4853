// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Route} from "../../src/vm/Route.sol";
import {CoreSteps, CoreBeginSteps, CoreWarmSteps, CoreEnterSteps, CoreEndSteps} from "../../src/vm/steps/CoreSteps.sol";
import {InputSteps} from "../../src/vm/steps/InputSteps.sol";
import {InputTailSteps} from "../../src/vm/steps/InputTailSteps.sol";
import {FrameSteps} from "../../src/vm/steps/FrameSteps.sol";
import {FrameUndoSteps} from "../../src/vm/steps/FrameUndoSteps.sol";
import {FrameCopySteps} from "../../src/vm/steps/FrameCopySteps.sol";
import {FrameHashSteps} from "../../src/vm/steps/FrameHashSteps.sol";
import {FrameStartSteps} from "../../src/vm/steps/FrameStartSteps.sol";
import {CallSteps, CreateSteps, ReturnSteps, Create2HashSteps} from "../../src/vm/steps/CallSteps.sol";
import {OpcodeSteps} from "../../src/vm/steps/OpcodeSteps.sol";
import {OpcodeEnvSteps} from "../../src/vm/steps/OpcodeEnvSteps.sol";
import {OpcodeCopySteps} from "../../src/vm/steps/OpcodeCopySteps.sol";
import {OpcodeMemorySteps} from "../../src/vm/steps/OpcodeMemorySteps.sol";
import {HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps} from "../../src/vm/steps/HostSteps.sol";

/// @notice Every module written so far, deployed at its `Route` index (the list
///         crates/vm-verifier/src/artifacts.rs's `MODULES` deploys; zero where none is).
library VmModules {
    function all(address engine) internal returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.CORE] = address(new CoreSteps());
        m[Route.CORE_BEGIN] = address(new CoreBeginSteps());
        m[Route.CORE_WARM] = address(new CoreWarmSteps());
        m[Route.CORE_ENTER] = address(new CoreEnterSteps());
        m[Route.CORE_END] = address(new CoreEndSteps());
        m[Route.INPUTS] = address(new InputSteps(engine));
        m[Route.INPUT_TAIL] = address(new InputTailSteps(engine));
        m[Route.FRAMES] = address(new FrameSteps(engine));
        m[Route.FRAME_UNDO] = address(new FrameUndoSteps(engine));
        m[Route.FRAME_COPY] = address(new FrameCopySteps(engine));
        m[Route.FRAME_HASH] = address(new FrameHashSteps(engine));
        m[Route.FRAME_START] = address(new FrameStartSteps(engine));
        m[Route.OPCODES] = address(new OpcodeSteps(engine));
        m[Route.OPCODE_ENV] = address(new OpcodeEnvSteps(engine));
        m[Route.OPCODE_COPY] = address(new OpcodeCopySteps(engine));
        m[Route.OPCODE_MEMORY] = address(new OpcodeMemorySteps(engine));
        m[Route.HOST] = address(new HostSteps(engine));
        m[Route.HOST_STORAGE] = address(new HostStorageSteps(engine));
        m[Route.HOST_COPY] = address(new HostCopySteps(engine));
        m[Route.HOST_DESTRUCT] = address(new HostDestructSteps(engine));
        m[Route.HOST_CALL] = address(new CallSteps(engine));
        m[Route.HOST_CREATE] = address(new CreateSteps(engine));
        m[Route.HOST_RETURN] = address(new ReturnSteps(engine));
        m[Route.HOST_CREATE2_HASH] = address(new Create2HashSteps(engine));
    }
}
