// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The pending micro-steps the frame module takes: a copy's chunk and a hash's chunk (not
// a CREATE2's, which the host module finishes). Rust twin:
// crates/vm-core/src/step/micro.rs (`pending_step`; its Hash arm with `after_hash`'s
// push and log arms); vectors: `copy` and `hash` of docs/vectors/vm/steps.json.

import {IFaultVM} from "../../interfaces/IFaultVM.sol";
import {Io} from "../Io.sol";
import {StepBase} from "../StepBase.sol";
import {MicroOps} from "./MicroOps.sol";
import {FrameSponge} from "./FrameSponge.sol";
import {Machine, Frame, Pending} from "../Machine.sol";

/// @title PendingOps
/// @notice `pending_step`: one chunk of the running frame's pending copy or hash.
library PendingOps {
    /// @notice Bytes one hash micro-step absorbs (8 keccak blocks).
    uint256 internal constant SPONGE_CHUNK = 8 * 136;

    /// @notice `pending_step` for the frame module's kinds (Copy, Hash).
    function pendingStep(Machine memory m, Frame memory f, address runner) internal view {
        Pending memory p = f.pending;
        if (p.tag == MicroOps.PENDING_COPY) MicroOps.copyStep(m, f, p);
        else if (p.tag == MicroOps.PENDING_COPY_VIEW) MicroOps.copyViewStep(m, f, p);
        else if (p.tag == MicroOps.PENDING_HASH && p.then != MicroOps.THEN_CREATE2) hashStep(m, f, p, runner);
        else revert IFaultVM.Inconsistent(StepBase.WRONG_MODULE);
    }

    /// @notice `pending_step`'s Hash arm: absorbs the next `SPONGE_CHUNK` bytes of memory,
    ///         or finishes with the rest and pushes the hash or appends the log; the sponge
    ///         runs in `runner` (a SpongeRunner).
    function hashStep(Machine memory m, Frame memory f, Pending memory p, address runner) internal view {
        uint256 left = p.left;
        uint256 n = left < SPONGE_CHUNK ? left : SPONGE_CHUNK;
        bytes memory data = Io.read(m.accesses, f.mem, p.at, n);
        f.pending = MicroOps.none();
        if (left > n) {
            FrameSponge.absorb(runner, p.sponge, data);
            Pending memory q;
            q.tag = MicroOps.PENDING_HASH;
            q.sponge = p.sponge;
            q.at = p.at + n;
            q.left = left - n;
            q.done = p.done + n;
            q.then = p.then;
            q.topics = p.topics;
            f.pending = q;
        } else {
            bytes32 h = FrameSponge.finish(runner, p.sponge, data);
            MicroOps.afterHash(m, f, h, p.done + n, p.then, p.topics);
        }
    }
}
