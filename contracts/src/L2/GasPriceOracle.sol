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

    /// @notice Bytes a signature adds to an unsigned transaction, at most (OP Stack's
    ///         allowance): yParity or v, r and s with their RLP headers.
    uint256 public constant SIGNATURE_ALLOWANCE = 68;

    /// @notice The L1 fee a transaction whose signed EIP-2718 bytes are `data` pays in
    ///         the current block (exactly what its receipt's `l1Fee` reports while the L1
    ///         values do not move). Passed an unsigned EIP-1559, EIP-2930 or EIP-155
    ///         transaction (as viem's `estimateL1Fee` passes it), it prices the bytes plus
    ///         SIGNATURE_ALLOWANCE: at most 68 more than signed, never less. Bytes that are
    ///         neither are priced as they are.
    /// @param data The transaction's bytes.
    /// @return The fee in wei.
    function getL1Fee(bytes calldata data) external view returns (uint256) {
        uint256 size = data.length;
        if (_isUnsigned(data)) size += SIGNATURE_ALLOWANCE;
        return size * _weightedPrice() / 1e6;
    }

    /// @dev Whether `data` is an unsigned transaction: a typed one (0x01, 0x02) whose
    ///      RLP list has 8 or 9 items (11 or 12 signed), or a legacy EIP-155 one whose
    ///      last two items (r, s) are empty. Anything that does not parse is not.
    function _isUnsigned(bytes calldata data) internal pure returns (bool) {
        if (data.length == 0) return false;
        uint8 ty = uint8(data[0]);
        uint256 start = ty < 0x7f ? 1 : 0;
        if (start == 1 && ty != 1 && ty != 2) return false;
        (bool ok, uint256 offset, uint256 end) = _listBody(data, start);
        if (!ok || end != data.length) return false;
        uint256 items;
        uint256 prevEmpty;
        uint256 lastEmpty;
        while (offset < end) {
            uint256 next;
            bool empty;
            (ok, next, empty) = _skipItem(data, offset, end);
            if (!ok) return false;
            (prevEmpty, lastEmpty) = (lastEmpty, empty ? 1 : 0);
            offset = next;
            ++items;
        }
        if (ty == 2) return items == 9;
        if (ty == 1) return items == 8;
        return items == 9 && prevEmpty == 1 && lastEmpty == 1;
    }

    /// @dev The body of the RLP list at `at`: (well formed, first byte, end).
    function _listBody(bytes calldata data, uint256 at) internal pure returns (bool, uint256, uint256) {
        if (at >= data.length) return (false, 0, 0);
        uint8 b = uint8(data[at]);
        if (b < 0xc0) return (false, 0, 0);
        if (b <= 0xf7) return (true, at + 1, at + 1 + (b - 0xc0));
        uint256 n = b - 0xf7;
        if (at + 1 + n > data.length || n > 4) return (false, 0, 0);
        uint256 len;
        for (uint256 i = 0; i < n; ++i) {
            len = (len << 8) | uint8(data[at + 1 + i]);
        }
        return (true, at + 1 + n, at + 1 + n + len);
    }

    /// @dev Skips the RLP item at `at` (before `end`): (well formed, next offset, empty string).
    function _skipItem(bytes calldata data, uint256 at, uint256 end) internal pure returns (bool, uint256, bool) {
        uint8 b = uint8(data[at]);
        uint256 next;
        if (b < 0x80) {
            next = at + 1;
        } else if (b <= 0xb7) {
            next = at + 1 + (b - 0x80);
        } else if (b < 0xc0 || b > 0xf7) {
            uint256 n = b < 0xc0 ? b - 0xb7 : b - 0xf7;
            if (at + 1 + n > end || n > 4) return (false, 0, false);
            uint256 len;
            for (uint256 i = 0; i < n; ++i) {
                len = (len << 8) | uint8(data[at + 1 + i]);
            }
            next = at + 1 + n + len;
        } else {
            next = at + 1 + (b - 0xc0);
        }
        if (next > end) return (false, 0, false);
        return (true, next, b == 0x80);
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

    /// @notice OP Stack's operator fee (Isthmus) for a transaction using the given gas:
    ///         faultline charges none (viem's `estimateTotalFee` asks for it).
    /// @return 0.
    function getOperatorFee(uint256) external pure returns (uint256) {
        return 0;
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
