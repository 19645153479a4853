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
        assertEq(oracle.getOperatorFee(21_000), 0, "no operator fee");
    }

    /// Hand-computed: 112 × (16 × 20,000 × 1e9 + 1,200,000 × 1) / 1e6 = 35,840,000,134 (floored).
    function test_getL1Fee_handComputed() public view {
        assertEq(oracle.getL1Fee(new bytes(112)), 35_840_000_134);
        assertEq(oracle.getL1GasUsed(new bytes(112)), 1_792);
        assertEq(oracle.getL1FeeUpperBound(44), 35_840_000_134);
    }

    /// A signed EIP-1559 transfer is priced as it is; its unsigned form (what viem's
    /// estimateL1Fee passes) with the 68-byte signature allowance, so never below it.
    function test_getL1Fee_unsignedGetsTheSignatureAllowance() public view {
        // type 2 ‖ rlp([chainId, nonce, tip, maxFee, gas, to, value, data, accessList]).
        bytes memory body = abi.encodePacked(
            hex"82fa17", hex"80", hex"830f4240", hex"8502540be400", hex"825208", hex"94", bytes20(uint160(0xb0b0)), hex"01", hex"80", hex"c0"
        );
        bytes memory unsigned = abi.encodePacked(hex"02", uint8(0xc0 + body.length), body);
        // Signed: + yParity, r and s (32 bytes each): 67 bytes.
        bytes memory sbody = abi.encodePacked(body, hex"01", hex"a0", bytes32(uint256(1) << 255), hex"a0", bytes32(uint256(1) << 254));
        bytes memory signed = abi.encodePacked(hex"02", hex"f8", uint8(sbody.length), sbody);
        uint256 price = 16 * 20_000 * 1 gwei + 1_200_000;
        assertEq(oracle.getL1Fee(signed), signed.length * price / 1e6, "signed: as it is");
        assertEq(oracle.getL1Fee(unsigned), (unsigned.length + 68) * price / 1e6, "unsigned: + 68");
        assertGe(oracle.getL1Fee(unsigned), oracle.getL1Fee(signed));
        // Legacy EIP-155 unsigned: [nonce, gasPrice, gas, to, value, data, chainId, 0, 0].
        bytes memory lbody = abi.encodePacked(hex"80", hex"8502540be400", hex"825208", hex"94", bytes20(uint160(0xb0b0)), hex"01", hex"80", hex"82fa17", hex"80", hex"80");
        bytes memory legacy = abi.encodePacked(uint8(0xc0 + lbody.length), lbody);
        assertEq(oracle.getL1Fee(legacy), (legacy.length + 68) * price / 1e6, "legacy unsigned: + 68");
        // Garbage is priced as it is.
        assertEq(oracle.getL1Fee(hex"02ff"), 2 * price / 1e6);
    }

    function testFuzz_getL1Fee_neverRevertsOnGarbage(bytes calldata data) public view {
        uint256 fee = oracle.getL1Fee(data);
        assertGe(fee, data.length * (16 * 20_000 * 1 gwei + 1_200_000) / 1e6);
    }

    function testFuzz_getL1Fee_matchesFormula(uint64 baseFee, uint64 blobBaseFee, uint32 s1, uint32 s2, uint16 len)
        public
    {
        _set(baseFee, blobBaseFee, s1, s2);
        uint256 want = uint256(len) * (16 * uint256(s1) * baseFee + uint256(s2) * blobBaseFee) / 1e6;
        assertEq(oracle.getL1Fee(new bytes(len)), want); // zero bytes: not a transaction
    }

    function test_gasPrice_isTheBaseFee() public {
        vm.fee(5);
        assertEq(oracle.gasPrice(), 5);
        assertEq(oracle.baseFee(), 5);
    }
}
