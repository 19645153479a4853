// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Solidity twin of the `keccak::f1600` call in crates/vm-core/src/sponge.rs; vectors
// docs/vectors/vm/sponge.json (written by crates/vm-core/tests/sponge_vectors.rs).

import {Test} from "forge-std/Test.sol";
import {console2} from "forge-std/console2.sol";
import {KeccakF} from "../../src/vm/lib/KeccakF.sol";
import {Sponge} from "../../src/vm/lib/Sponge.sol";

/// @notice keccak-f[1600] against the Rust vectors and against the KECCAK256 opcode (one
///         padded block), that it leaves Solidity's memory as it was, and its gas.
contract KeccakFTest is Test {
    function _json() internal view returns (string memory) {
        return vm.readFile("docs/vectors/vm/sponge.json");
    }

    function _count(string memory json, string memory key) internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(key, "[", vm.toString(n), "]"))) ++n;
    }

    /// @dev Lanes from a 200-byte encoding (little-endian u64s).
    function _lanes(bytes memory enc) internal pure returns (uint256[25] memory a) {
        assertEq(enc.length, 200, "encoding length");
        for (uint256 i = 0; i < 25; ++i) {
            uint256 lane = 0;
            for (uint256 j = 0; j < 8; ++j) {
                lane |= uint256(uint8(enc[8 * i + j])) << (8 * j);
            }
            a[i] = lane;
        }
    }

    /// @dev The first 32 bytes of the state, as a hash.
    function _squeeze(uint256[25] memory a) internal pure returns (bytes32 h) {
        bytes memory out = new bytes(32);
        for (uint256 i = 0; i < 32; ++i) {
            out[i] = bytes1(uint8(a[i / 8] >> (8 * (i % 8))));
        }
        h = bytes32(out);
    }

    /// @dev The state after absorbing `data` (shorter than a block) with keccak's padding.
    function _padded(bytes memory data) internal pure returns (uint256[25] memory a) {
        assertLt(data.length, 136);
        bytes memory block_ = new bytes(136);
        for (uint256 i = 0; i < data.length; ++i) {
            block_[i] = data[i];
        }
        block_[data.length] = bytes1(uint8(block_[data.length]) ^ 0x01);
        block_[135] = bytes1(uint8(block_[135]) ^ 0x80);
        for (uint256 i = 0; i < 17; ++i) {
            uint256 lane = 0;
            for (uint256 j = 0; j < 8; ++j) {
                lane |= uint256(uint8(block_[8 * i + j])) << (8 * j);
            }
            a[i] = lane;
        }
    }

    function test_vectors_permutations() public view {
        string memory json = _json();
        uint256 n = _count(json, ".permutations");
        assertEq(n, 3, "cases");
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".permutations[", vm.toString(i), "]");
            uint256[25] memory a = _lanes(vm.parseJsonBytes(json, string.concat(p, ".in")));
            uint256[25] memory want = _lanes(vm.parseJsonBytes(json, string.concat(p, ".out")));
            KeccakF.permute(a);
            for (uint256 j = 0; j < 25; ++j) {
                assertEq(a[j], want[j], string.concat("case ", vm.toString(i), " lane ", vm.toString(j)));
            }
        }
    }

    function test_empty_string() public pure {
        uint256[25] memory a = _padded("");
        KeccakF.permute(a);
        assertEq(_squeeze(a), keccak256(""));
    }

    function testFuzz_oneBlock(bytes memory data) public pure {
        vm.assume(data.length < 136);
        uint256[25] memory a = _padded(data);
        KeccakF.permute(a);
        assertEq(_squeeze(a), keccak256(data));
        for (uint256 i = 0; i < 25; ++i) {
            assertLt(a[i], 1 << 64, "lanes stay u64");
        }
    }

    /// @notice Bits above a lane's 64 are ignored.
    function testFuzz_highBitsIgnored(uint256 seed) public pure {
        uint256[25] memory a;
        uint256[25] memory b;
        for (uint256 i = 0; i < 25; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            a[i] = r;
            b[i] = uint64(r);
        }
        KeccakF.permute(a);
        KeccakF.permute(b);
        for (uint256 i = 0; i < 25; ++i) {
            assertEq(a[i], b[i]);
        }
    }

    /// @notice The workspace is low memory, saved and put back: the free memory pointer,
    ///         the zero slot and data allocated there (the lanes included) are intact.
    function testFuzz_memoryRestored(bytes32 salt) public pure {
        bytes memory before = abi.encodePacked(salt, keccak256(abi.encode(salt)));
        uint256[25] memory a;
        for (uint256 i = 0; i < 25; ++i) {
            a[i] = uint64(uint256(keccak256(abi.encode(salt, i))));
        }
        uint256[25] memory expect;
        for (uint256 i = 0; i < 25; ++i) {
            expect[i] = a[i];
        }
        bytes memory filler = new bytes(3000);
        for (uint256 i = 0; i < 3000; i += 97) {
            filler[i] = bytes1(uint8(i));
        }
        bytes32 fillerHash = keccak256(filler);
        uint256 fmp;
        uint256 zero;
        uint256 scratch0;
        assembly {
            mstore(0, 0x1234)
            fmp := mload(0x40)
        }
        uint256 fmpAfter;
        KeccakF.permute(a);
        assembly {
            scratch0 := mload(0)
            zero := mload(0x60)
            fmpAfter := mload(0x40)
        }
        assertEq(scratch0, 0x1234, "scratch space");
        assertEq(fmpAfter, fmp, "free memory pointer");
        assertEq(zero, 0, "zero slot");
        assertEq(before, abi.encodePacked(salt, keccak256(abi.encode(salt))), "data before the lanes");
        assertEq(keccak256(filler), fillerHash, "data after the lanes");
        KeccakF.permute(expect);
        for (uint256 i = 0; i < 25; ++i) {
            assertEq(a[i], expect[i]);
        }
    }

    /// @notice Gas of one permutation (the first call pays for the memory it expands).
    function test_gas_permute() public {
        uint256[25] memory a;
        KeccakF.permute(a);
        uint256 g = gasleft();
        KeccakF.permute(a);
        g -= gasleft();
        uint256 save = KeccakF.scratch(0);
        KeccakF.enter(a, save);
        uint256 c = gasleft();
        KeccakF.core();
        c -= gasleft();
        KeccakF.leave(a, save);
        console2.log("keccak-f permute gas (enter, 24 rounds, leave)", g);
        console2.log("keccak-f 24 rounds alone (per block in a run of blocks)", c);
    }
}
