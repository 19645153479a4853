// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The host module's calls, creates and RETURN (docs/verifier.md, "Modules"), four
// modules of the router: `CallSteps` (HOST_CALL: CALL, CALLCODE, DELEGATECALL,
// STATICCALL), `CreateSteps` (HOST_CREATE: CREATE, CREATE2), `ReturnSteps`
// (HOST_RETURN: RETURN) and `Create2HashSteps` (HOST_CREATE2_HASH: a CREATE2's pending
// Hash micro-steps, the last of which starts its frame). Each is a whole `IFaultVM` of
// its own steps and refuses a step routed elsewhere as `Inconsistent(WRONG_MODULE)`.
// Rust twin: `run_step` and `resume` (crates/vm-core/src/step/frame.rs: the pending
// branch, the opcode branch from `opcode_at` on, its halt arm) and `exec`'s `f.pc += 1`
// (step/instructions/mod.rs), over CallOps.sol, CreateOps.sol and ReturnOps.sol; vectors:
// opcode-f0-create, opcode-f1-call, opcode-f3-return and opcode-f5-create2 of
// docs/vectors/vm/steps.json, run by contracts/test/vm/CallSteps.t.sol.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {FrameOps} from "./FrameOps.sol";
import {Route} from "../Route.sol";
import {OpcodeStep} from "./OpcodeStep.sol";
import {CallOps} from "./CallOps.sol";
import {CreateOps} from "./CreateOps.sol";
import {ReturnOps} from "./ReturnOps.sol";
import {Machine, Frame} from "../Machine.sol";

/// @title CallStep
/// @notice The opening of an opcode step of these modules (`OpcodeStep.begin` with its
///         routing check inlined and an opcode mask for the part: through
///         `Route.opcodeModule` CreateSteps would be 500 bytes over EIP-170); the closing is
///         `OpcodeStep.end`.
library CallStep {
    /// @notice Opens the witness, requires its step to be an opcode of the module, one of
    ///         the set bits of `ops` (else `Inconsistent(WRONG_MODULE)`), and moves the
    ///         pc past it: `Route.moduleOf`'s verdict on the opcode read from its checked
    ///         chunk.
    function begin(bytes32 pre, bytes calldata witness, uint256 ops)
        internal
        pure
        returns (Machine memory m, Frame memory f, uint256 op)
    {
        m = StepBase.open(pre, witness);
        f = m.top;
        // `Route.isOpcodeStep` but its last two conditions (CreateSteps has no room for
        // the call): a frame without its code loaded is refused by `chunkAt`, and a
        // precompile's call frame has no code (`CallOps.call` and `TxOps` give it none,
        // as Rust does), so its chunk's byte is 0, no opcode of these modules.
        if (m.phase.tag != StepBase.RUN || !m.hasTop || f.status != StepBase.RUNNING || f.pending.tag != 0) wrong();
        uint256 pc = f.pc;
        // Past the code's end the chunks hold zeros (`opcode_at`: STOP), no opcode of
        // these modules.
        unchecked {
            // Byte 1 + pc % 31 of the chunk.
            op = (uint256(FrameOps.chunkAt(m, f, pc)) >> (8 * (30 - pc % FrameOps.CHUNK))) & 0xff;
        }
        if ((ops >> op) & 1 == 0) wrong();
        f.pc = pc + 1;
    }

    /// @notice Refuses a step the module does not take (`Inconsistent(WRONG_MODULE)`).
    function wrong() internal pure {
        revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
    }
}

/// @title CallSteps
/// @notice HOST_CALL: CALL, CALLCODE, DELEGATECALL, STATICCALL.
contract CallSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op) = CallStep.begin(
            pre,
            witness,
            (1 << CallOps.CALL) | (1 << CallOps.CALLCODE) | (1 << CallOps.DELEGATECALL) | (1 << CallOps.STATICCALL)
        );
        return OpcodeStep.end(m, f, CallOps.call(m, f, op));
    }
}

/// @title CreateSteps
/// @notice HOST_CREATE: CREATE, CREATE2 (up to the pending hash of a long init code).
contract CreateSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        (Machine memory m, Frame memory f, uint256 op) =
            CallStep.begin(pre, witness, (1 << CreateOps.CREATE) | (1 << CreateOps.CREATE2));
        return OpcodeStep.end(m, f, CreateOps.create(m, f, op));
    }
}

/// @title ReturnSteps
/// @notice HOST_RETURN: RETURN (a create frame's deposits its code).
contract ReturnSteps is IFaultVM {
    /// @param engine The KeccakEngine (unused: every module is built with it).
    constructor(address engine) {
        engine;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external pure returns (bytes32) {
        (Machine memory m, Frame memory f,) = CallStep.begin(pre, witness, 1 << 0xf3);
        return OpcodeStep.end(m, f, ReturnOps.ret(m, f));
    }
}

/// @title Create2HashSteps
/// @notice HOST_CREATE2_HASH: one chunk (1,088 bytes) of a CREATE2's pending hash of its
///         init code; the last starts the create frame.
contract Create2HashSteps is IFaultVM {
    /// @notice The KeccakEngine the sponge's permutations run in.
    address public immutable engine;

    /// @param engine_ The KeccakEngine.
    constructor(address engine_) {
        engine = engine_;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32) {
        // `run_step`'s pending branch, a hash whose continuation is a CREATE2's.
        Machine memory m = StepBase.open(pre, witness, engine);
        Frame memory f = m.top;
        if (
            m.phase.tag != StepBase.RUN || !m.hasTop || f.status != StepBase.RUNNING
                || f.pending.tag != MicroOps.PENDING_HASH || f.pending.then != MicroOps.THEN_CREATE2
        ) CallStep.wrong();
        CreateOps.hashStep(m, f);
        return StepBase.close(m);
    }
}
