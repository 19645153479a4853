// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {GasPriceOracle} from "../../src/L2/GasPriceOracle.sol";

/// @notice The oracle's answers against the formula of docs/chain.md ("L1 fee"), with its
///         storage set as the L2 state transition sets it.
contract GasPriceOracleTest is Test {
    GasPriceOracle internal oracle;

    function setUp() public {
        oracle = new GasPriceOracle();
        _set(1 gwei, 1, 20_000, 1_200_000);
    }

    function _set(uint256 baseFee, uint256 blobBaseFee, uint256 baseScalar, uint256 blobScalar) internal {
        vm.store(address(oracle), bytes32(uint256(0)), bytes32(baseFee));
        vm.store(address(oracle), bytes32(uint256(1)), bytes32(blobBaseFee));
        vm.store(address(oracle), bytes32(uint256(2)), bytes32(uint256(77)));
        vm.store(address(oracle), bytes32(uint256(3)), bytes32(baseScalar));
        vm.store(address(oracle), bytes32(uint256(4)), bytes32(blobScalar));
    }

    function test_getters() public view {
        assertEq(oracle.l1BaseFee(), 1 gwei);
        assertEq(oracle.blobBaseFee(), 1);
        assertEq(oracle.l1BlockNumber(), 77);
        assertEq(oracle.baseFeeScalar(), 20_000);
        assertEq(oracle.blobBaseFeeScalar(), 1_200_000);
        assertEq(oracle.decimals(), 6);
        assertTrue(oracle.isEcotone());
        assertFalse(oracle.isFjord());
    }

    /// Hand-computed: 112 × (16 × 20,000 × 1e9 + 1,200,000 × 1) / 1e6 = 35,840,000,134 (floored).
    function test_getL1Fee_handComputed() public view {
        assertEq(oracle.getL1Fee(new bytes(112)), 35_840_000_134);
        assertEq(oracle.getL1GasUsed(new bytes(112)), 1_792);
        assertEq(oracle.getL1FeeUpperBound(44), 35_840_000_134);
    }

    function testFuzz_getL1Fee_matchesFormula(uint64 baseFee, uint64 blobBaseFee, uint32 s1, uint32 s2, uint16 len)
        public
    {
        _set(baseFee, blobBaseFee, s1, s2);
        uint256 want = uint256(len) * (16 * uint256(s1) * baseFee + uint256(s2) * blobBaseFee) / 1e6;
        assertEq(oracle.getL1Fee(new bytes(len)), want);
    }

    function test_gasPrice_isTheBaseFee() public {
        vm.fee(5);
        assertEq(oracle.gasPrice(), 5);
        assertEq(oracle.baseFee(), 5);
    }
}
