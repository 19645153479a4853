// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The HOST module's state opcodes (docs/verifier.md, "Modules"). Rust twin: `run_step`
// (crates/vm-core/src/step/frame.rs) and `exec` (step/instructions/mod.rs) for the
// opcodes of step/instructions/system.rs (BALANCE, EXTCODESIZE, EXTCODECOPY,
// EXTCODEHASH), block_info.rs (SELFBALANCE), storage.rs (SLOAD, SSTORE, TLOAD, TSTORE)
// and host.rs (LOG0–LOG4, SELFDESTRUCT). Vectors: opcode-31-env-balance,
// opcode-3b-env-extcodesize, opcode-54-storage-sload, opcode-55-storage-sstore,
// opcode-5c-transient-tload, opcode-5d-transient-tstore, opcode-a1-log1 and
// opcode-ff-selfdestruct of docs/vectors/vm/steps.json and the SLOAD witnesses of
// errors.json, run by contracts/test/vm/HostSteps.t.sol.
//
// Beside the decoder, the encoder and the tree libraries every module carries, the
// opcodes are more code than EIP-170 allows one contract, so they are four modules of
// the router (`Route.hostModule`): `HostSteps` (HOST: the account reads and the logs),
// `HostStorageSteps` (HOST_STORAGE), `HostCopySteps` (HOST_COPY: EXTCODECOPY) and
// `HostDestructSteps` (HOST_DESTRUCT: SELFDESTRUCT). Each is a whole `IFaultVM` of its own opcodes and refuses a step routed
// elsewhere as `Inconsistent(WRONG_MODULE)`.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {HostAccountOps} from "./HostAccountOps.sol";
import {HostStorageOps} from "./HostStorageOps.sol";
import {HostLogOps} from "./HostLogOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title HostSteps
/// @notice HOST: BALANCE, EXTCODESIZE, EXTCODEHASH, SELFBALANCE, LOG0–LOG4.
contract HostSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.HOST);
        uint256 h = HostAccountOps.isRead(op) ? HostAccountOps.runRead(m, f, op) : HostLogOps.runLog(m, f, op);
        return OpcodeStep.end(m, f, h);
    }
}

/// @title HostStorageSteps
/// @notice HOST_STORAGE: SLOAD, SSTORE, TLOAD, TSTORE.
contract HostStorageSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.HOST_STORAGE);
        return OpcodeStep.end(m, f, HostStorageOps.run(m, f, op));
    }
}

/// @title HostCopySteps
/// @notice HOST_COPY: EXTCODECOPY.
contract HostCopySteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.HOST_COPY);
        return OpcodeStep.end(m, f, HostAccountOps.runCopy(m, f, op));
    }
}

/// @title HostDestructSteps
/// @notice HOST_DESTRUCT: SELFDESTRUCT.
contract HostDestructSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op,) = OpcodeStep.begin(pre, witness, Route.HOST_DESTRUCT);
        return OpcodeStep.end(m, f, HostLogOps.runSelfDestruct(m, f, op));
    }
}
