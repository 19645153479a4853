// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A part of the OPCODES module: MLOAD, MSTORE and MSTORE8 (one range read or write of the
// memory tree). Rust twin: crates/vm-core/src/step/instructions/mod.rs (`exec`'s arm for
// them) with memory.rs (`memory`'s MLOAD, MSTORE and MSTORE8 arms). Vectors:
// docs/vectors/vm/steps.json (opcode-51-memory-mload, opcode-52-memory-mstore); run by
// contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {MemoryOps} from "./opcodes/MemoryOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeMemorySteps
/// @notice MLOAD, MSTORE and MSTORE8: the opcodes `Route.opcodeModule` gives OPCODE_MEMORY.
contract OpcodeMemorySteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.OPCODE_MEMORY);
        return OpcodeStep.end(m, f, MemoryOps.run(m, f, op));
    }
}
