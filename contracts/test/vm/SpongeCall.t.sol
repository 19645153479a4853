// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {KeccakEngine} from "../../src/vm/KeccakEngine.sol";
import {Sponge} from "../../src/vm/lib/Sponge.sol";
import {SpongeCall} from "../../src/vm/lib/SpongeCall.sol";

/// @notice The sponge over the deployed KeccakEngine gives keccak256 (and the same lanes as
///         the in-code sponge), for data taken whole or in pieces.
contract SpongeCallTest is Test {
    address internal engine;

    function setUp() public {
        engine = address(new KeccakEngine());
    }

    function hashInPieces(bytes memory data, uint256 cut) internal view returns (bytes32) {
        Sponge.Absorber memory a;
        cut = data.length == 0 ? 0 : cut % (data.length + 1);
        bytes memory first = new bytes(cut);
        bytes memory second = new bytes(data.length - cut);
        for (uint256 i = 0; i < data.length; ++i) {
            if (i < cut) first[i] = data[i];
            else second[i - cut] = data[i];
        }
        SpongeCall.update(engine, a, first);
        SpongeCall.update(engine, a, second);
        return SpongeCall.finish(engine, a);
    }

    function testFuzz_piecesGiveKeccak256(bytes memory data, uint256 cut) public view {
        assertEq(hashInPieces(data, cut), keccak256(data));
    }

    function test_lengthsAroundTheRate() public view {
        uint256[8] memory lengths = [uint256(0), 1, 135, 136, 137, 272, 1088, 5000];
        for (uint256 k = 0; k < lengths.length; ++k) {
            bytes memory data = new bytes(lengths[k]);
            for (uint256 i = 0; i < data.length; ++i) {
                data[i] = bytes1(uint8(i * 7 + 3));
            }
            assertEq(hashInPieces(data, lengths[k] / 3), keccak256(data));
        }
    }

    function test_sameLanesAsTheInCodeSponge() public view {
        bytes memory data = new bytes(1088);
        for (uint256 i = 0; i < data.length; ++i) {
            data[i] = bytes1(uint8(i));
        }
        uint256[25] memory a;
        uint256[25] memory b;
        Sponge.absorb(a, data);
        SpongeCall.absorb(engine, b, data);
        for (uint256 i = 0; i < 25; ++i) {
            assertEq(a[i], b[i]);
        }
    }

    function test_gas_engine1088() public view {
        bytes memory data = new bytes(1088);
        uint256[25] memory s;
        uint256 g = gasleft();
        SpongeCall.absorb(engine, s, data);
        console.log("engine: 8 blocks (1,088 bytes) absorbed, gas", g - gasleft());
    }
}
