// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {Route} from "../src/vm/Route.sol";

/// @notice Deploys the one-step verifier (the keccak-f engine, every module at its `Route`
///         index, the `FaultVM` router) from its build artifacts, for Deploy.s.sol and the
///         Forge tests. By artifact, not by `new`: the modules and the router are built at 1
///         optimizer run (foundry.toml's `vm-size` profile) and everything else at 20,000; a
///         file that named them with `new` would be compiled, with all it imports, in both
///         profiles, and the rollup's other contracts would deploy from the 1-run build.
///         Rust deploys the same table from crates/vm-verifier/src/artifacts.rs's `MODULES`
///         (`faultline deploy`); `forge_script_deploys_the_same_contracts` (tests/l1.rs)
///         runs every step vector through both deployments' routers.
library VmArtifacts {
    error CreateFailed(string artifact);

    function _create(Vm vm, string memory artifact, bytes memory args) private returns (address a) {
        bytes memory code = bytes.concat(vm.getCode(artifact), args);
        assembly ("memory-safe") {
            a := create(0, add(code, 32), mload(code))
        }
        if (a == address(0)) revert CreateFailed(artifact);
    }

    /// @notice The router, over a fresh engine and modules.
    /// @param vm Foundry's cheatcodes (`getCode` reads contracts/out).
    /// @return verifier The `FaultVM` router.
    /// @return engine The keccak-f engine the modules call.
    function deploy(Vm vm) internal returns (address verifier, address engine) {
        engine = _create(vm, "KeccakEngine.sol:KeccakEngine", "");
        verifier = _create(vm, "FaultVM.sol:FaultVM", abi.encode(modules(vm, engine)));
    }

    /// @notice Every module, at its `Route` index, over `engine`.
    /// @param vm Foundry's cheatcodes.
    /// @param engine The keccak-f engine.
    /// @return m The modules, as the router's constructor takes them.
    function modules(Vm vm, address engine) internal returns (address[] memory m) {
        bytes memory e = abi.encode(engine);
        m = new address[](Route.COUNT);
        m[Route.CORE] = _create(vm, "CoreSteps.sol:CoreSteps", "");
        m[Route.CORE_BEGIN] = _create(vm, "CoreSteps.sol:CoreBeginSteps", "");
        m[Route.CORE_WARM] = _create(vm, "CoreSteps.sol:CoreWarmSteps", "");
        m[Route.CORE_ENTER] = _create(vm, "CoreSteps.sol:CoreEnterSteps", "");
        m[Route.CORE_END] = _create(vm, "CoreSteps.sol:CoreEndSteps", "");
        m[Route.INPUTS] = _create(vm, "InputSteps.sol:InputSteps", e);
        m[Route.INPUT_TAIL] = _create(vm, "InputTailSteps.sol:InputTailSteps", e);
        m[Route.FRAMES] = _create(vm, "FrameSteps.sol:FrameSteps", e);
        m[Route.FRAME_UNDO] = _create(vm, "FrameUndoSteps.sol:FrameUndoSteps", e);
        m[Route.FRAME_COPY] = _create(vm, "FrameCopySteps.sol:FrameCopySteps", e);
        m[Route.FRAME_HASH] = _create(vm, "FrameHashSteps.sol:FrameHashSteps", e);
        m[Route.FRAME_START] = _create(vm, "FrameStartSteps.sol:FrameStartSteps", e);
        m[Route.OPCODES] = _create(vm, "OpcodeSteps.sol:OpcodeSteps", e);
        m[Route.OPCODE_ENV] = _create(vm, "OpcodeEnvSteps.sol:OpcodeEnvSteps", e);
        m[Route.OPCODE_COPY] = _create(vm, "OpcodeCopySteps.sol:OpcodeCopySteps", e);
        m[Route.OPCODE_MEMORY] = _create(vm, "OpcodeMemorySteps.sol:OpcodeMemorySteps", e);
        m[Route.HOST] = _create(vm, "HostSteps.sol:HostSteps", e);
        m[Route.HOST_STORAGE] = _create(vm, "HostSteps.sol:HostStorageSteps", e);
        m[Route.HOST_COPY] = _create(vm, "HostSteps.sol:HostCopySteps", e);
        m[Route.HOST_DESTRUCT] = _create(vm, "HostSteps.sol:HostDestructSteps", e);
        m[Route.HOST_CALL] = _create(vm, "CallSteps.sol:CallSteps", e);
        m[Route.HOST_CREATE] = _create(vm, "CallSteps.sol:CreateSteps", e);
        m[Route.HOST_RETURN] = _create(vm, "CallSteps.sol:ReturnSteps", e);
        m[Route.HOST_CREATE2_HASH] = _create(vm, "CallSteps.sol:Create2HashSteps", e);
    }
}
