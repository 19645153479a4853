// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A part of the OPCODES module: the copies into memory (a copy over 4,096 bytes goes on in
// Copy micro-steps, FrameCopySteps). Rust twin: crates/vm-core/src/step/instructions/
// mod.rs (`exec`'s arms for them) with the CALLDATACOPY | CODECOPY | RETURNDATACOPY arm of
// system.rs's `system` and the MCOPY arm of memory.rs's `memory`. Vectors:
// docs/vectors/vm/steps.json (opcode-37-env-calldatacopy-long, opcode-39-env-codecopy,
// opcode-5e-memory-mcopy); run by contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {Copies} from "./opcodes/Copies.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeCopySteps
/// @notice CALLDATACOPY, CODECOPY, RETURNDATACOPY and MCOPY: the opcodes
///         `Route.opcodeModule` gives OPCODE_COPY.
contract OpcodeCopySteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.OPCODE_COPY);
        return OpcodeStep.end(m, f, Copies.run(m, f, op));
    }
}
