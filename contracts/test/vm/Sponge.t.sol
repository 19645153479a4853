// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Solidity twin of crates/vm-core/src/sponge.rs; vectors docs/vectors/vm/sponge.json
// (written by crates/vm-core/tests/sponge_vectors.rs).

import {Test} from "forge-std/Test.sol";
import {console2} from "forge-std/console2.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {Sponge} from "../../src/vm/lib/Sponge.sol";
import {WitnessReader} from "../../src/vm/lib/WitnessReader.sol";

/// @dev The calldata entry points, and the readers (so reverts can be expected).
contract SpongeHarness {
    using WitnessReader for WitnessReader.Cursor;

    function read(bytes calldata w) external pure returns (uint256[25] memory s, uint256 used) {
        WitnessReader.Cursor memory c = WitnessReader.open(w);
        s = Sponge.read(c);
        used = c.at - c.base;
    }

    /// @dev Reads an absorber that must be the whole of `w` and returns its encoding.
    function readAbsorber(bytes calldata w) external pure returns (bytes memory enc) {
        WitnessReader.Cursor memory c = WitnessReader.open(w);
        Sponge.Absorber memory a = Sponge.readAbsorber(c);
        c.finish();
        enc = new bytes(201 + a.buf.length);
        uint256 p;
        assembly {
            p := add(enc, 32)
        }
        assert(Sponge.writeAbsorber(a, p) == p + enc.length);
    }

    function absorbCalldata(uint256[25] memory s, bytes calldata data) external pure returns (uint256[25] memory) {
        Sponge.absorbCalldata(s, data);
        return s;
    }

    function finishCalldata(uint256[25] memory s, bytes calldata tail) external pure returns (bytes32) {
        return Sponge.finishCalldata(s, tail);
    }

    function updateCalldata(Sponge.Absorber memory a, bytes calldata data)
        external
        pure
        returns (Sponge.Absorber memory)
    {
        Sponge.updateCalldata(a, data);
        return a;
    }

    function absorb(uint256[25] memory s, bytes memory data) external pure returns (uint256[25] memory) {
        Sponge.absorb(s, data);
        return s;
    }
}

/// @notice The sponge and the absorber against the Rust vectors (encodings after each
///         piece, hashes), against keccak256 for fuzzed data and splits, the readers'
///         Malformed reverts, and the gas of the Hash step's 1,088 bytes.
contract SpongeTest is Test {
    SpongeHarness internal h = new SpongeHarness();

    function _json() internal view returns (string memory) {
        return vm.readFile("docs/vectors/vm/sponge.json");
    }

    function _count(string memory json, string memory key) internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(key, "[", vm.toString(n), "]"))) ++n;
    }

    function _data(uint256 len) internal pure returns (bytes memory d) {
        d = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            d[i] = bytes1(uint8(i * 7 + 1));
        }
    }

    function _slice(bytes memory d, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = d[i];
        }
    }

    function _enc(uint256[25] memory s) internal pure returns (bytes memory out) {
        out = new bytes(200);
        uint256 p;
        assembly {
            p := add(out, 32)
        }
        assertEq(Sponge.write(s, p), p + 200, "write returns the end");
    }

    function _encAbsorber(Sponge.Absorber memory a) internal pure returns (bytes memory out) {
        out = new bytes(201 + a.buf.length);
        uint256 p;
        assembly {
            p := add(out, 32)
        }
        assertEq(Sponge.writeAbsorber(a, p), p + out.length, "writeAbsorber returns the end");
    }

    function test_vectors_sponges() public view {
        string memory json = _json();
        assertEq(vm.parseJsonUint(json, ".rate"), Sponge.RATE, "rate");
        uint256 n = _count(json, ".sponges");
        assertEq(n, 8, "cases");
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".sponges[", vm.toString(i), "]");
            bytes memory data = vm.parseJsonBytes(json, string.concat(p, ".data"));
            string memory what = string.concat("length ", vm.toString(data.length));
            assertEq(data, _data(data.length), what);
            uint256 whole = data.length - data.length % Sponge.RATE;
            assertEq(vm.parseJsonUint(json, string.concat(p, ".blocks")), whole / Sponge.RATE, what);
            bytes memory enc = vm.parseJsonBytes(json, string.concat(p, ".sponge"));
            bytes memory tail = vm.parseJsonBytes(json, string.concat(p, ".tail"));
            bytes32 hash = vm.parseJsonBytes32(json, string.concat(p, ".hash"));
            assertEq(hash, keccak256(data), what);
            // Memory: absorb the whole blocks, encode, finish.
            uint256[25] memory s;
            Sponge.absorb(s, _slice(data, 0, whole));
            assertEq(_enc(s), enc, what);
            assertEq(_slice(data, whole, data.length), tail, what);
            assertEq(Sponge.finish(s, tail), hash, what);
            assertEq(_enc(s), enc, "finish leaves the sponge");
            uint256[25] memory empty;
            assertEq(Sponge.finish(empty, data), hash, "finish takes any tail");
            // Calldata, and the encoding read back.
            uint256[25] memory zero;
            uint256[25] memory s2 = h.absorbCalldata(zero, _slice(data, 0, whole));
            assertEq(_enc(s2), enc, what);
            assertEq(h.finishCalldata(s2, tail), hash, what);
            (uint256[25] memory s3, uint256 used) = h.read(enc);
            assertEq(used, 200);
            for (uint256 j = 0; j < 25; ++j) {
                assertEq(s3[j], s[j], what);
            }
        }
    }

    function test_vectors_absorbers() public view {
        string memory json = _json();
        uint256 n = _count(json, ".absorbers");
        assertEq(n, 12, "cases");
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".absorbers[", vm.toString(i), "]");
            uint256 len = vm.parseJsonUint(json, string.concat(p, ".length"));
            bytes memory data = _data(len);
            uint256[] memory pieces = vm.parseJsonUintArray(json, string.concat(p, ".pieces"));
            bytes[] memory after_ = vm.parseJsonBytesArray(json, string.concat(p, ".after"));
            bytes32 hash = vm.parseJsonBytes32(json, string.concat(p, ".hash"));
            assertEq(after_.length, pieces.length);
            Sponge.Absorber memory a;
            Sponge.Absorber memory b;
            uint256 at = 0;
            for (uint256 j = 0; j < pieces.length; ++j) {
                string memory what = string.concat("case ", vm.toString(i), " piece ", vm.toString(j));
                bytes memory piece = _slice(data, at, at + pieces[j]);
                at += pieces[j];
                Sponge.update(a, piece);
                b = h.updateCalldata(b, piece);
                assertEq(_encAbsorber(a), after_[j], what);
                assertEq(_encAbsorber(b), after_[j], what);
                assertEq(h.readAbsorber(after_[j]), after_[j], what);
            }
            assertEq(at, len);
            assertEq(Sponge.finish(a), hash);
            assertEq(Sponge.finish(b), hash);
            assertEq(hash, keccak256(data));
        }
    }

    function testFuzz_finishOfAbsorbIsKeccak256(bytes memory data) public view {
        uint256 whole = data.length - data.length % Sponge.RATE;
        uint256[25] memory s;
        Sponge.absorb(s, _slice(data, 0, whole));
        assertEq(Sponge.finish(s, _slice(data, whole, data.length)), keccak256(data));
        uint256[25] memory zero;
        uint256[25] memory s2 = h.absorbCalldata(zero, _slice(data, 0, whole));
        assertEq(h.finishCalldata(s2, _slice(data, whole, data.length)), keccak256(data));
    }

    function testFuzz_absorberAnySplits(bytes memory data, uint256 seed) public pure {
        Sponge.Absorber memory a;
        uint256 at = 0;
        while (at < data.length) {
            seed = uint256(keccak256(abi.encode(seed)));
            // Pieces of 0..300 bytes, often around a block.
            uint256 n = seed % 4 == 0 ? 136 - (seed >> 8) % 3 : (seed >> 8) % 301;
            if (n > data.length - at) n = data.length - at;
            Sponge.update(a, _slice(data, at, at + n));
            at += n;
            assertLt(a.buf.length, Sponge.RATE);
        }
        assertEq(Sponge.finish(a), keccak256(data));
    }

    function test_absorbRefusesPartialBlocks() public {
        uint256[25] memory s;
        vm.expectRevert(abi.encodeWithSelector(Sponge.NotWholeBlocks.selector, 137));
        h.absorb(s, new bytes(137));
    }

    function test_readAbsorber_malformed() public {
        bytes memory w = bytes.concat(new bytes(200), bytes1(uint8(136)), new bytes(136));
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 201));
        h.readAbsorber(w);
        // 135 is the most a buffer holds.
        w = bytes.concat(new bytes(200), bytes1(uint8(135)), new bytes(135));
        assertEq(h.readAbsorber(w), w);
        // Cut short: the buffer, the length, the lanes.
        w = bytes.concat(new bytes(200), bytes1(uint8(5)), new bytes(4));
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 201));
        h.readAbsorber(w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 200));
        h.readAbsorber(new bytes(200));
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 0));
        h.read(new bytes(199));
    }

    function testFuzz_encodingRoundTrip(bytes32 seed) public view {
        bytes memory enc = new bytes(200);
        for (uint256 i = 0; i < 200; i += 32) {
            bytes32 r = keccak256(abi.encode(seed, i));
            for (uint256 j = 0; j < 32 && i + j < 200; ++j) {
                enc[i + j] = r[j];
            }
        }
        (uint256[25] memory s,) = h.read(enc);
        for (uint256 i = 0; i < 25; ++i) {
            assertLt(s[i], 1 << 64);
        }
        assertEq(_enc(s), enc);
    }

    /// @notice `write` appends 200 bytes and leaves the bytes after them.
    function test_writeLeavesWhatFollows() public pure {
        bytes memory buf = new bytes(232);
        for (uint256 i = 0; i < 232; ++i) {
            buf[i] = 0xee;
        }
        uint256[25] memory s;
        s[0] = 1;
        s[24] = 0x0102030405060708;
        uint256 p;
        assembly {
            p := add(buf, 32)
        }
        Sponge.write(s, p);
        assertEq(uint8(buf[0]), 1);
        assertEq(uint8(buf[192]), 8);
        assertEq(uint8(buf[199]), 1);
        for (uint256 i = 200; i < 232; ++i) {
            assertEq(uint8(buf[i]), 0xee);
        }
    }

    /// @notice Gas of the Hash step's chunk: 1,088 bytes (8 blocks) absorbed, and 1,088
    ///         bytes finished (8 blocks and the padding block: 9 permutations).
    function test_gas_sponge1088() public {
        bytes memory data = _data(1088);
        uint256[25] memory s;
        Sponge.absorb(s, data);
        uint256 g = gasleft();
        Sponge.absorb(s, data);
        g -= gasleft();
        uint256 f = gasleft();
        bytes32 hash = Sponge.finish(s, data);
        f -= gasleft();
        assertTrue(hash != bytes32(0));
        uint256[25] memory zero;
        assertEq(Sponge.finish(zero, data), keccak256(data));
        console2.log("absorb 1088 bytes (8 permutations) gas", g);
        console2.log("finish 1088 bytes (9 permutations) gas", f);
    }
}
