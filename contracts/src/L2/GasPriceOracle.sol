// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title GasPriceOracle
/// @notice L2 predeploy at 0x420000000000000000000000000000000000000F (OP Stack's address
///         and ABI subset), so wallets read the L1 fee as on OP Stack (viem's
///         `estimateL1Fee`). Its storage is written by the state transition, never by a
///         transaction: at the start of every block that has an L1 fee origin, slot 0 is
///         the origin's L1 base fee, slot 1 its blob base fee, slot 2 its number; slots 3
///         and 4 are the chain's scalars (genesis, equal to `RollupConfig`'s). The fee of
///         a signed transaction is
///         `len(tx) × (16 × baseFeeScalar × l1BaseFee + blobBaseFeeScalar × blobBaseFee) / 1e6`
///         (docs/chain.md, "L1 fee"): no compression, the batch carries the bytes as they are.
contract GasPriceOracle {
    /// @notice The L1 base fee of the current block's L1 fee origin (wei).
    uint256 public l1BaseFee;
    /// @notice The L1 blob base fee of the current block's L1 fee origin (wei).
    uint256 public blobBaseFee;
    /// @notice The current block's L1 fee origin: the L1 block whose fees it prices with.
    uint256 public l1BlockNumber;
    /// @notice Weight of the L1 base fee, millionths per 16 gas of a byte.
    uint256 internal _baseFeeScalar;
    /// @notice Weight of the L1 blob base fee, millionths per byte.
    uint256 internal _blobBaseFeeScalar;

    /// @notice The scalars' divisor as a number of decimals (1e6).
    uint256 public constant DECIMALS = 6;

    /// @notice The L1 fee a transaction whose signed EIP-2718 bytes are `data` pays in
    ///         the current block (exactly what its receipt's `l1Fee` reports while the L1
    ///         values do not move). Passed the unsigned serialization (as viem's
    ///         `estimateL1Fee` does), it prices those bytes: about 67 fewer than signed.
    /// @param data The transaction's bytes.
    /// @return The fee in wei.
    function getL1Fee(bytes calldata data) external view returns (uint256) {
        return data.length * _weightedPrice() / 1e6;
    }

    /// @notice An upper bound of the L1 fee of a transaction whose unsigned serialization
    ///         has `unsignedTxSize` bytes: the signature adds at most 68 bytes.
    /// @param unsignedTxSize Bytes of the unsigned transaction.
    /// @return The fee in wei.
    function getL1FeeUpperBound(uint256 unsignedTxSize) external view returns (uint256) {
        return (unsignedTxSize + 68) * _weightedPrice() / 1e6;
    }

    /// @notice The L1 gas a transaction of these bytes is reported to use (16 per byte).
    /// @param data The transaction's bytes.
    /// @return The L1 gas.
    function getL1GasUsed(bytes calldata data) external pure returns (uint256) {
        return data.length * 16;
    }

    /// @notice Weight of the L1 base fee (millionths per 16 gas of a byte).
    /// @return The scalar.
    function baseFeeScalar() external view returns (uint32) {
        // forge-lint: disable-next-line(unsafe-typecast) genesis writes a u32 scalar
        return uint32(_baseFeeScalar);
    }

    /// @notice Weight of the L1 blob base fee (millionths per byte).
    /// @return The scalar.
    function blobBaseFeeScalar() external view returns (uint32) {
        // forge-lint: disable-next-line(unsafe-typecast) genesis writes a u32 scalar
        return uint32(_blobBaseFeeScalar);
    }

    /// @notice The scalars' decimals, as OP Stack's oracle answers it.
    /// @return 6.
    function decimals() external pure returns (uint256) {
        return DECIMALS;
    }

    /// @notice OP Stack's hardfork flags: the fee follows Ecotone's two-scalar shape.
    /// @return true.
    function isEcotone() external pure returns (bool) {
        return true;
    }

    /// @notice OP Stack's Fjord flag: false, there is no compression estimate.
    /// @return false.
    function isFjord() external pure returns (bool) {
        return false;
    }

    /// @notice The L2 gas price (the block's base fee), as OP Stack's oracle answers it.
    /// @return The base fee in wei.
    function gasPrice() external view returns (uint256) {
        return block.basefee;
    }

    /// @notice The L2 base fee.
    /// @return The base fee in wei.
    function baseFee() external view returns (uint256) {
        return block.basefee;
    }

    function _weightedPrice() internal view returns (uint256) {
        return 16 * _baseFeeScalar * l1BaseFee + _blobBaseFeeScalar * blobBaseFee;
    }
}
