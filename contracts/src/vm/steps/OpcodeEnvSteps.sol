// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A part of the OPCODES module: the frame's and the transaction's environment and the
// block's context. Rust twin: crates/vm-core/src/step/instructions/mod.rs (`exec`'s arms
// for them) with system.rs (`system`: KECCAK256, ADDRESS, ORIGIN, CALLER, CALLVALUE,
// CALLDATALOAD, CALLDATASIZE, CODESIZE, GASPRICE, RETURNDATASIZE) and block_info.rs
// (`block_info` but SELFBALANCE). Vectors: docs/vectors/vm/steps.json (opcode-20-sha3,
// opcode-30-env-address, opcode-33-env-caller, opcode-35-env-calldataload,
// opcode-40-block-blockhash, opcode-42-block-timestamp, opcode-43-block-number); run by
// contracts/test/vm/OpcodeSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {System} from "./opcodes/System.sol";
import {BlockInfo} from "./opcodes/BlockInfo.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title OpcodeEnvSteps
/// @notice KECCAK256, the environment reads and BLOCKHASH..BLOBBASEFEE (but SELFBALANCE):
///         the opcodes `Route.opcodeModule` gives OPCODE_ENV.
contract OpcodeEnvSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.OPCODE_ENV);
        uint256 h = op >= 0x40 ? BlockInfo.run(m, f, op) : System.run(m, f, op);
        return OpcodeStep.end(m, f, h);
    }
}
