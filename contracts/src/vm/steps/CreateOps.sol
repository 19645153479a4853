// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The creates of the host module: CREATE and CREATE2 (the static check, EIP-3860's init
// code bound and word cost, CREATE2's hash cost, the depth, balance and nonce checks),
// the CREATE2 address's hash (with the EVM's keccak256 up to 4,096 bytes of init code,
// else in pending Hash micro-steps whose last one starts the frame), and the rest once
// the address is known (the child's gas, the creator's nonce, the collision check, the
// new account, the value, the create frame). Rust twin: `Machine::create` and
// `create_at` in crates/vm-core/src/step/instructions/contract.rs, `pending_step`'s Hash
// arm, `after_hash`'s Create2 arm and `hash_memory` in crates/vm-core/src/step/micro.rs,
// `collides` and `start_account` in crates/vm-core/src/step/tx.rs; vectors: opcode-f0-create
// and opcode-f5-create2 of docs/vectors/vm/steps.json, run by
// contracts/test/vm/CallSteps.t.sol.

import {StepBase} from "../StepBase.sol";
import {Io} from "../Io.sol";
import {Stacks} from "../Stacks.sol";
import {TxOps} from "./TxOps.sol";
import {CallOps} from "./CallOps.sol";
import {MicroOps} from "./MicroOps.sol";
import {HashOps} from "./HashOps.sol";
import {Machine, Frame, Pending, AccountRecord, HashStack} from "../Machine.sol";

/// @title CreateOps
/// @notice `Machine::create`, `create_at` and a CREATE2's pending hash.
library CreateOps {
    using Stacks for HashStack;

    uint256 internal constant CREATE = 0xf0;
    uint256 internal constant CREATE2 = 0xf5;

    /// @notice `Machine::create`: CREATE or CREATE2 on the running frame `f` (its pc
    ///         already past the opcode). Returns the halt word; a step that starts
    ///         the child frame suspends `f` under it (`CallOps.suspend`) (a CREATE2 of more than 4,096 bytes leaves a pending
    ///         hash instead; a failed create pushes 0).
    function create(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256 h) {
        unchecked {
            if (f.isStatic) return StepBase.STATIC_WRITE;
            bool two = op == CREATE2;
            uint256[7] memory v;
            for (uint256 i = 0; i < (two ? 4 : 3); ++i) {
                (v[i], h) = StepBase.pop(f);
                if (h != 0) return h;
            }
            // v: value, offset, size, salt.
            if (v[2] > StepBase.MAX_INITCODE_SIZE) return StepBase.INIT_CODE_TOO_LARGE;
            // EIP-3860's 2 a word, and CREATE2's hash 6 a word.
            h = StepBase.useGas(
                f,
                StepBase.G_CREATE + (v[2] + 31) / 32
                    * (two ? StepBase.G_INITCODE_WORD + StepBase.G_KECCAK256_WORD : StepBase.G_INITCODE_WORD)
            );
            if (h != 0) return h;
            (v[1], v[2], h) = StepBase.expand(f, v[1], v[2]);
            if (h != 0) return h;
            f.returnData = TxOps.emptySlice();
            {
                // An absent account's record reads as zeros.
                (, AccountRecord memory r) = StepBase.account(m, f.addr);
                v[4] = r.nonce;
                if (m.frames.len >= StepBase.MAX_DEPTH || r.balance < v[0] || v[4] == type(uint64).max) {
                    // The opcode popped at least three items: there is room.
                    f.stack.pushWord(0);
                    return 0;
                }
            }
            // v: value, memory offset and size of the init code, salt, nonce.
            address target;
            if (!two) {
                target = createAddress(f.addr, v[4]);
            } else if (v[2] <= StepBase.CHUNK) {
                // `hash_memory`: the EVM's keccak256 if it fits a step, else a pending hash.
                target = create2Address(f.addr, v[3], keccak256(Io.read(m.accesses, f.mem, v[1], v[2])));
            } else {
                // A pending hash, its sponge empty: the frame's pending record, which is
                // none (all zero, as the decoder leaves it), filled in.
                Pending memory p = f.pending;
                p.tag = MicroOps.PENDING_HASH;
                p.sponge = new bytes(200);
                p.at = v[1];
                p.left = v[2];
                p.then = MicroOps.THEN_CREATE2;
                p.value = v[0];
                p.salt = v[3];
                return 0;
            }
            createAt(m, f, target, v[0], v[1], v[2]);
        }
    }

    /// @notice `pending_step`'s Hash arm for a CREATE2's init code: absorbs the next
    ///         1,088 bytes of memory, or finishes with the rest and goes on as
    ///         `after_hash`'s Create2 arm (`create_at` at the address the hash gives). The
    ///         pending hash is taken off the frame first.
    function hashStep(Machine memory m, Frame memory f) internal view {
        Pending memory p = f.pending;
        (bool finished, bytes32 hash, uint256 total) = HashOps.absorb(m, f, p);
        if (!finished) return;
        unchecked {
            // The init code's start: the pending hash's first byte (`at` never falls
            // below `done` in a state the machine reaches).
            createAt(m, f, create2Address(f.addr, p.salt, hash), p.value, p.at - p.done, total);
        }
    }

    /// @notice `Address::create`: the last 20 bytes of keccak256(rlp([creator, nonce]))
    ///         (`nonce` a u64: at most 8 bytes, so the list is under 56 bytes).
    function createAddress(address me, uint256 nonce) internal pure returns (address a) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(add(p, 2), shl(96, and(me, 0xffffffffffffffffffffffffffffffffffffffff)))
            mstore8(add(p, 1), 0x94)
            // The nonce's bytes; one below 0x80 is its own encoding (0: 0x80).
            let n := 0
            for { let x := nonce } x { x := shr(8, x) } { n := add(n, 1) }
            let b := add(0x80, n)
            if lt(nonce, 0x80) {
                b := nonce
                if iszero(b) { b := 0x80 }
                n := 0
            }
            mstore8(add(p, 22), b)
            mstore(add(p, 23), shl(sub(256, shl(3, n)), nonce))
            let len := add(23, n)
            mstore8(p, add(0xc0, sub(len, 1)))
            a := and(keccak256(p, len), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @notice `Address::create2`: the last 20 bytes of keccak256(0xff ‖ creator ‖ salt ‖
    ///         keccak256(init code)).
    function create2Address(address me, uint256 salt, bytes32 hash) internal pure returns (address a) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore8(p, 0xff)
            mstore(add(p, 1), shl(96, and(me, 0xffffffffffffffffffffffffffffffffffffffff)))
            mstore(add(p, 21), salt)
            mstore(add(p, 53), hash)
            a := and(keccak256(p, 85), 0xffffffffffffffffffffffffffffffffffffffff)
        }
    }

    /// @notice `create_at`: the rest of CREATE or CREATE2 once the new address is known
    ///         (the opcode's checks passed): the child's gas (all but a 64th), the
    ///         creator's nonce, the address warmed, the collision check (EIP-7610 on the
    ///         L2: a nonce or code; it pushes 0 and keeps the gas), the new account, the
    ///         value, and the create frame over init code `[o, o + n)` of memory.
    function createAt(Machine memory m, Frame memory f, address target, uint256 value, uint256 o, uint256 n)
        internal
        pure
    {
        unchecked {
            uint256 gas = f.gas - f.gas / StepBase.CALL_GAS_RETAINED_DIVISOR;
            f.gas -= gas;
            address me = f.addr;
            {
                (bool existed, AccountRecord memory old, AccountRecord memory nw) = StepBase.load(m, me);
                if (nw.nonce < type(uint64).max) nw.nonce += 1;
                StepBase.store(m, me, existed, old, nw);
            }
            StepBase.warmAddress(m, target, true);
            {
                // An absent account's record reads as zeros.
                (, AccountRecord memory r) = StepBase.account(m, target);
                if (r.nonce != 0 || r.codeSize != 0) {
                    // The opcode popped at least three items: there is room.
                    f.stack.pushWord(0);
                    return;
                }
            }
            uint256 checkpoint = m.journal.len;
            TxOps.startAccount(m, target);
            StepBase.transfer(m, me, target, value);
            Frame memory c = TxOps.newFrame(m, target, me, value, gas, checkpoint);
            c.create = true;
            c.codeLen = n;
            if (n == 0) {
                c.hasChunks = true;
                c.chunks = StepBase.emptyTree();
            }
            c.hasInit = true;
            c.init = CallOps.memView(f, o, n);
            c.callData = TxOps.emptySlice();
            CallOps.suspend(m, f, c);
        }
    }
}
