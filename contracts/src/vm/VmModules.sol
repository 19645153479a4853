// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Route} from "./Route.sol";
import {CoreSteps, CoreBeginSteps, CoreWarmSteps, CoreEnterSteps, CoreEndSteps} from "./steps/CoreSteps.sol";
import {InputSteps} from "./steps/InputSteps.sol";
import {InputTailSteps} from "./steps/InputTailSteps.sol";
import {FrameSteps} from "./steps/FrameSteps.sol";
import {FrameUndoSteps} from "./steps/FrameUndoSteps.sol";
import {FrameCopySteps} from "./steps/FrameCopySteps.sol";
import {FrameHashSteps} from "./steps/FrameHashSteps.sol";
import {FrameStartSteps} from "./steps/FrameStartSteps.sol";
import {CallSteps, CreateSteps, ReturnSteps, Create2HashSteps} from "./steps/CallSteps.sol";
import {OpcodeSteps} from "./steps/OpcodeSteps.sol";
import {OpcodeEnvSteps} from "./steps/OpcodeEnvSteps.sol";
import {OpcodeCopySteps} from "./steps/OpcodeCopySteps.sol";
import {OpcodeMemorySteps} from "./steps/OpcodeMemorySteps.sol";
import {HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps} from "./steps/HostSteps.sol";

/// @notice The one-step verifier's modules, each deployed at its `Route` index, for the
///         `FaultVM` router's constructor: what contracts/script/Deploy.s.sol and the
///         Forge tests deploy. Rust deploys the same table from
///         crates/vm-verifier/src/artifacts.rs's `MODULES` (`faultline deploy`); the
///         end-to-end test `forge_script_deploys_the_same_contracts` runs every vector of
///         docs/vectors/vm/steps.json through both deployments' routers.
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
