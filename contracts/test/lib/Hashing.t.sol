// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {Hashing} from "../../src/lib/Hashing.sol";
import {BatchReader} from "../../src/L1/BatchReader.sol";

/// @notice The chunked hash, the deposit hash and the calldata transaction leaf against
///         the vectors the Rust side wrote (docs/vectors/chunked.json,
///         crates/primitives/src/chunked.rs), at and around every chunk boundary, and the
///         chunked hash against a plain recursive reference for fuzzed lengths. (The
///         inbox's calldata copy of the chunked hash is tested in BatchInbox.t.sol.)
contract HashingTest is Test {
    uint256 internal constant CHUNK = 4352;

    function _vectors() internal view returns (string memory) {
        return vm.readFile("docs/vectors/chunked.json");
    }

    function _count(string memory json, string memory key) internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(key, "[", vm.toString(n), "]"))) ++n;
    }

    /// @dev `d[from:]`, copied.
    function _tail(bytes memory d, uint256 from) internal pure returns (bytes memory out) {
        out = new bytes(d.length - from);
        for (uint256 i = 0; i < out.length; ++i) out[i] = d[from + i];
    }

    /// @dev The definition, recursively: keccak256(d) up to CHUNK bytes, else
    ///      keccak256(d[:CHUNK] ‖ ref(d[CHUNK:])).
    function _ref(bytes memory d) internal pure returns (bytes32) {
        if (d.length <= CHUNK) return keccak256(d);
        bytes memory head = new bytes(CHUNK);
        for (uint256 i = 0; i < CHUNK; ++i) head[i] = d[i];
        return keccak256(abi.encodePacked(head, _ref(_tail(d, CHUNK))));
    }

    function test_vectors_chunkedHash() public view {
        string memory json = _vectors();
        assertEq(vm.parseJsonUint(json, ".chunk"), CHUNK, "chunk size");
        assertEq(Hashing.CHUNK, CHUNK, "library chunk size");
        uint256 n = _count(json, ".cases");
        assertEq(n, 8, "cases");
        uint256[8] memory lengths = [uint256(0), 1, 4351, 4352, 4353, 8704, 8705, 20_000];
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".cases[", vm.toString(i), "]");
            bytes memory data = vm.parseJsonBytes(json, string.concat(p, ".data"));
            bytes32 want = vm.parseJsonBytes32(json, string.concat(p, ".chunked"));
            string memory what = string.concat("length ", vm.toString(data.length));
            assertEq(data.length, lengths[i], what);
            assertEq(vm.parseJsonUint(json, string.concat(p, ".length")), data.length, what);
            assertEq(Hashing.chunkedHash(data), want, what);
            assertEq(_ref(data), want, what);
            if (data.length <= CHUNK) assertEq(want, keccak256(data), what);
            else assertTrue(want != keccak256(data), what);
            // Chunk j's hash is the chunked hash of the data from j·CHUNK on, and there
            // are max(1, ceil(length / CHUNK)) of them.
            bytes32[] memory chunks = vm.parseJsonBytes32Array(json, string.concat(p, ".chunks"));
            uint256 count = data.length == 0 ? 1 : (data.length + CHUNK - 1) / CHUNK;
            assertEq(chunks.length, count, what);
            assertEq(chunks[0], want, what);
            for (uint256 j = 1; j < count; ++j) {
                assertEq(Hashing.chunkedHash(_tail(data, j * CHUNK)), chunks[j], what);
            }
        }
    }

    function test_emptyDataIsKeccakOfNothing() public pure {
        bytes32 empty = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;
        assertEq(keccak256(""), empty);
        assertEq(Hashing.chunkedHash(""), empty);
    }

    function test_vectors_depositHashAndAccumulator() public view {
        string memory json = _vectors();
        uint256 n = _count(json, ".deposits");
        assertGt(n, 3, "deposits");
        bytes32 acc;
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".deposits[", vm.toString(i), "]");
            bytes memory data = vm.parseJsonBytes(json, string.concat(p, ".data"));
            assertEq(Hashing.chunkedHash(data), vm.parseJsonBytes32(json, string.concat(p, ".chunked")), "chunked");
            bytes32 h = Hashing.depositHash(
                vm.parseJsonUint(json, string.concat(p, ".index")),
                vm.parseJsonAddress(json, string.concat(p, ".from")),
                vm.parseJsonAddress(json, string.concat(p, ".to")),
                vm.parseJsonUint(json, string.concat(p, ".mint")),
                vm.parseJsonUint(json, string.concat(p, ".value")),
                // forge-lint: disable-next-line(unsafe-typecast) the vectors' values fit
                uint64(vm.parseJsonUint(json, string.concat(p, ".gasLimit"))),
                // forge-lint: disable-next-line(unsafe-typecast) the vectors' values fit
                uint64(vm.parseJsonUint(json, string.concat(p, ".l1BlockNumber"))),
                data
            );
            assertEq(h, vm.parseJsonBytes32(json, string.concat(p, ".hash")), string.concat("deposit hash ", vm.toString(i)));
            acc = Hashing.accumulate(acc, h);
            assertEq(acc, vm.parseJsonBytes32(json, string.concat(p, ".accumulator")), string.concat("accumulator ", vm.toString(i)));
        }
    }

    function test_vectors_txLeaf() public view {
        string memory json = _vectors();
        uint256 n = _count(json, ".txLeaves");
        assertGt(n, 1, "tx leaves");
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".txLeaves[", vm.toString(i), "]");
            bytes memory tx_ = vm.parseJsonBytes(json, string.concat(p, ".tx"));
            bytes32 chunked = vm.parseJsonBytes32(json, string.concat(p, ".chunked"));
            bytes32 leaf = vm.parseJsonBytes32(json, string.concat(p, ".leaf"));
            assertEq(vm.parseJsonUint(json, string.concat(p, ".length")), tx_.length, "length");
            assertEq(Hashing.chunkedHash(tx_), chunked, "chunked");
            // forge-lint: disable-next-line(unsafe-typecast) test inputs are short
            assertEq(BatchReader.txLeaf(uint32(tx_.length), chunked), leaf, "leaf");
            // By hand: 0x02 ‖ length:u32 ‖ chunked.
            // forge-lint: disable-next-line(unsafe-typecast) test inputs are short
            assertEq(keccak256(abi.encodePacked(uint8(2), uint32(tx_.length), chunked)), leaf, "leaf layout");
        }
    }

    /// @dev Deterministic bytes from `seed`, 32 at a time.
    function _bytes(uint256 seed, uint256 len) internal pure returns (bytes memory d) {
        d = new bytes(len);
        // The last word may run past the end into unallocated memory; the next
        // allocation writes its own bytes before it reads them.
        for (uint256 o = 0; o < len; o += 32) {
            bytes32 w = keccak256(abi.encode(seed, o));
            assembly ("memory-safe") {
                mstore(add(add(d, 0x20), o), w)
            }
        }
    }

    /// @notice The library equals the recursive definition for random lengths up to 20,000
    ///         bytes; a quarter of the runs land within one byte of a chunk boundary.
    function testFuzz_chunkedHash_equalsReference(uint256 seed, uint256 len) public pure {
        if (seed % 4 == 0) {
            len = bound(len, 0, 11);
            len = (len / 3 + 1) * CHUNK + (len % 3) - 1; // k·CHUNK − 1, k·CHUNK or k·CHUNK + 1, k in 1..4
        } else {
            len = bound(len, 0, 20_000);
        }
        bytes memory data = _bytes(seed, len);
        bytes32 before = keccak256(data);
        bytes32 want = _ref(data);
        assertEq(Hashing.chunkedHash(data), want, "memory");
        assertEq(keccak256(data), before, "the data is left as it was");
    }
}
