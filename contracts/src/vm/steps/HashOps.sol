// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// A pending hash's chunk (not a CREATE2's, which the host module finishes); a copy's
// chunk is MicroOps'. Rust twin: crates/vm-core/src/step/micro.rs (`pending_step`'s Hash
// arm with `after_hash`'s push and log arms); vectors: `hash` of
// docs/vectors/vm/steps.json.

import {Io} from "../Io.sol";
import {MicroOps} from "./MicroOps.sol";
import {FrameSponge} from "./FrameSponge.sol";
import {Machine, Frame, Pending} from "../Machine.sol";

/// @title HashOps
/// @notice `pending_step`'s Hash arm: one chunk of the running frame's pending hash.
library HashOps {
    /// @notice Bytes one hash micro-step absorbs (8 keccak blocks).
    uint256 internal constant SPONGE_CHUNK = 8 * 136;

    /// @notice `pending_step`'s Hash arm: absorbs the next `SPONGE_CHUNK` bytes of memory,
    ///         or finishes with the rest and pushes the hash or appends the log; the sponge's
    ///         permutations run in the machine's KeccakEngine.
    function hashStep(Machine memory m, Frame memory f, Pending memory p) internal view {
        (bool finished, bytes32 h, uint256 total) = absorb(m, f, p);
        if (finished) MicroOps.afterHash(m, f, h, total, p.then, p.topics);
    }

    /// @notice One chunk of the pending hash `p` (the frame's, taken off it first): with
    ///         memory left after it, absorbed and the rest left pending (its continuation
    ///         kept); else the hash of all `total` bytes, for the continuation to use
    ///         (`hashStep`'s push or log, a CREATE2's address in CreateOps).
    function absorb(Machine memory m, Frame memory f, Pending memory p)
        internal
        view
        returns (bool finished, bytes32 hash, uint256 total)
    {
        uint256 left = p.left;
        uint256 n = left < SPONGE_CHUNK ? left : SPONGE_CHUNK;
        bytes memory data = Io.read(m.accesses, f.mem, p.at, n);
        f.pending = MicroOps.none();
        if (left > n) {
            FrameSponge.absorb(m.engine, p.sponge, data);
            Pending memory q;
            q.tag = MicroOps.PENDING_HASH;
            q.sponge = p.sponge;
            q.at = p.at + n;
            q.left = left - n;
            q.done = p.done + n;
            q.then = p.then;
            q.topics = p.topics;
            q.value = p.value;
            q.salt = p.salt;
            f.pending = q;
            return (false, bytes32(0), 0);
        }
        return (true, FrameSponge.finish(m.engine, p.sponge, data), p.done + n);
    }
}
