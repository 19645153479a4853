// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {WitnessDecoder} from "./WitnessDecoder.sol";
import {Route} from "./Route.sol";
import {Machine} from "./Machine.sol";

/// @title FaultVM
/// @notice The one-step verifier of fault VM v2 (docs/fault-vm.md; its Solidity layout
///         in docs/verifier.md): `step(pre, witness)` recomputes one step of the machine
///         on L1. Rust twin: `faultline_vm_core::step::step`; vectors: docs/vectors/vm/.
///         The step kinds live in module contracts (each under EIP-170's limit, each a
///         whole `IFaultVM` of its own kinds); this router decodes the witness's state
///         (not its accesses), picks the module (`Route.moduleOf`) and forwards the call
///         unchanged, returning its post or its error.
contract FaultVM is IFaultVM {
    /// @notice A module is not deployed (the verifier is being built: a step of its
    ///         kinds cannot be checked yet).
    /// @param module The module's index (`Route`).
    error Unsupported(uint8 module);

    /// @notice A module list of the wrong length.
    /// @param given How many addresses the constructor got.
    error ModuleCount(uint256 given);

    address internal immutable core;
    address internal immutable inputs;
    address internal immutable frames;
    address internal immutable opcodes;
    address internal immutable host;
    address internal immutable inputTail;
    address internal immutable coreBegin;
    address internal immutable coreWarm;
    address internal immutable coreEnter;
    address internal immutable coreEnd;

    /// @param modules The module contracts in `Route`'s order (CORE, INPUTS, FRAMES,
    ///        OPCODES, HOST, INPUT_TAIL, CORE_BEGIN, CORE_WARM, CORE_ENTER, CORE_END); a
    ///        zero address leaves that module's steps unsupported.
    constructor(address[] memory modules) {
        if (modules.length != Route.COUNT) revert ModuleCount(modules.length);
        core = modules[Route.CORE];
        inputs = modules[Route.INPUTS];
        frames = modules[Route.FRAMES];
        opcodes = modules[Route.OPCODES];
        host = modules[Route.HOST];
        inputTail = modules[Route.INPUT_TAIL];
        coreBegin = modules[Route.CORE_BEGIN];
        coreWarm = modules[Route.CORE_WARM];
        coreEnter = modules[Route.CORE_ENTER];
        coreEnd = modules[Route.CORE_END];
    }

    /// @notice The module contracts in `Route`'s order.
    /// @return modules Their addresses (zero: not deployed).
    function modulesInOrder() external view returns (address[] memory modules) {
        modules = new address[](Route.COUNT);
        modules[Route.CORE] = core;
        modules[Route.INPUTS] = inputs;
        modules[Route.FRAMES] = frames;
        modules[Route.OPCODES] = opcodes;
        modules[Route.HOST] = host;
        modules[Route.INPUT_TAIL] = inputTail;
        modules[Route.CORE_BEGIN] = coreBegin;
        modules[Route.CORE_WARM] = coreWarm;
        modules[Route.CORE_ENTER] = coreEnter;
        modules[Route.CORE_END] = coreEnd;
    }

    /// @notice The part of CORE with module index `id` (CORE_BEGIN … CORE_END).
    function coreModule(uint256 id) internal view returns (address) {
        if (id == Route.CORE_BEGIN) return coreBegin;
        if (id == Route.CORE_WARM) return coreWarm;
        return id == Route.CORE_ENTER ? coreEnter : coreEnd;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = WitnessDecoder.decodeState(witness);
        uint256 id = Route.moduleOf(m);
        address target = id == Route.CORE
            ? core
            : id == Route.INPUTS
                ? inputs
                : id == Route.FRAMES
                    ? frames
                    : id == Route.OPCODES
                        ? opcodes
                        : id == Route.HOST ? host : id == Route.INPUT_TAIL ? inputTail : coreModule(id);
        if (target == address(0)) revert Unsupported(uint8(id));
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := staticcall(gas(), target, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }
}
