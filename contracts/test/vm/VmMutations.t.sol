// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {FaultVM} from "../../src/vm/FaultVM.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";

/// @notice The mutations of crates/vm-prover/tests/wire.rs
///         (`mutated_witnesses_never_give_the_honest_post`) made to the vectors' witnesses
///         and run through the Solidity verifier: flipped bits, truncation, extension,
///         inserted and removed bytes, two accesses swapped, a bit flipped among the
///         accesses. Each mutated witness is refused or gives another post, never the
///         honest one, and is never refused by anything but an `IFaultVM` error.
contract VmMutationsTest is VmVectorsTest {
    struct Vector {
        bytes32 pre;
        bytes32 post;
        bytes witness;
    }

    Vector[] internal vectors;

    function setUp() public virtual override {
        super.setUp();
        string[3] memory files = ["steps", "inputs", "l1-inputs"];
        for (uint256 f = 0; f < files.length; ++f) {
            string memory json = vm.readFile(path(files[f]));
            uint256 n = count(json);
            for (uint256 i = 0; i < n; ++i) {
                bytes memory w = vm.parseJsonBytes(json, key(i, "witness"));
                // Like Rust's pick, witnesses under 20 kB (the long ones cost the fuzzer
                // time and add no new kind of byte).
                if (w.length >= 20_000) continue;
                bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
                // Only the steps this build of the verifier takes.
                try verifier.step(pre, w) returns (bytes32 post) {
                    vectors.push(Vector(pre, post, w));
                } catch {}
            }
        }
    }

    /// @notice Access offsets of a witness (through the decoder).
    function accessSpans(bytes memory w) internal view returns (uint256[] memory ats, uint256 end) {
        (ats, end) = probe.accessOffsets(w);
    }

    function mutate(bytes memory w, uint256 class, uint256 a, uint256 b, bytes memory extra)
        internal
        view
        returns (bytes memory m)
    {
        uint256 n = w.length;
        if (class == 0) {
            m = bytes.concat(w);
            m[a % n] = m[a % n] ^ bytes1(uint8(1 << (b % 8)));
        } else if (class == 1) {
            m = slice(w, 0, a % n);
        } else if (class == 2) {
            m = bytes.concat(w, extra);
        } else if (class == 3) {
            uint256 at = a % (n + 1);
            m = bytes.concat(slice(w, 0, at), extra, slice(w, at, n));
        } else if (class == 4) {
            uint256 at = a % n;
            uint256 len = 1 + ((b % 64) < n - at - 1 ? b % 64 : n - at - 1);
            if (at + len > n) len = n - at;
            m = bytes.concat(slice(w, 0, at), slice(w, at + len, n));
        } else {
            (uint256[] memory ats, uint256 end) = accessSpans(w);
            if (ats.length == 0) return w;
            if (class == 6) {
                uint256 from = ats[0] - 2;
                m = bytes.concat(w);
                uint256 at = from + a % (n - from);
                m[at] = m[at] ^ bytes1(uint8(1 << (b % 8)));
            } else {
                m = swap(w, ats, end, a, b);
            }
        }
    }

    /// @notice Two accesses swapped (or `w` if there are fewer than two).
    function swap(bytes memory w, uint256[] memory ats, uint256 end, uint256 a, uint256 b)
        internal
        pure
        returns (bytes memory)
    {
        if (ats.length < 2) return w;
        uint256 x = a % ats.length;
        uint256 y = b % ats.length;
        if (x == y) return w;
        if (x > y) (x, y) = (y, x);
        uint256[4] memory at = [ats[x], ats[x + 1], ats[y], y + 1 < ats.length ? ats[y + 1] : end];
        bytes memory head = bytes.concat(slice(w, 0, at[0]), slice(w, at[2], at[3]));
        bytes memory tail = bytes.concat(slice(w, at[1], at[2]), slice(w, at[0], at[1]));
        return bytes.concat(head, tail, slice(w, at[3], w.length));
    }

    function slice(bytes memory w, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = 0; i < to - from; ++i) {
            out[i] = w[from + i];
        }
    }

    /// @notice A mutated witness never gives the honest post.
    function testFuzz_mutatedWitnessesNeverGiveTheHonestPost(
        uint256 pick,
        uint8 class,
        uint256 a,
        uint256 b,
        bytes memory extra
    ) public view {
        if (vectors.length == 0) return;
        Vector memory v = vectors[pick % vectors.length];
        if (extra.length == 0) extra = hex"00";
        if (extra.length > 40) extra = slice(extra, 0, 40);
        bytes memory m = mutate(v.witness, class % 7, a, b, extra);
        if (keccak256(m) == keccak256(v.witness)) return;
        try verifier.step(v.pre, m) returns (bytes32 post) {
            assertTrue(post != v.post, "a mutation gave the honest post");
        } catch (bytes memory err) {
            bytes4 s = bytes4(err);
            if (err.length < 4) console.logBytes(err);
            assertTrue(
                s == IFaultVM.Malformed.selector || s == IFaultVM.WrongPreState.selector
                    || s == IFaultVM.Missing.selector || s == IFaultVM.Unused.selector
                    || s == IFaultVM.Inconsistent.selector
                    // A mutation the router sends to a module this build lacks.
                    || s == FaultVM.Unsupported.selector,
                "refused by something other than an IFaultVM error"
            );
        }
    }
}
