// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ReentrancyGuard
/// @notice A reentrancy lock in transient storage (EIP-1153, Cancun): no storage write,
///         cleared at the end of the call and, at the latest, of the transaction.
abstract contract ReentrancyGuard {
    error Reentrancy();

    modifier nonReentrant() {
        bool locked;
        assembly ("memory-safe") {
            locked := tload(0)
        }
        if (locked) revert Reentrancy();
        assembly ("memory-safe") {
            tstore(0, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(0, 0)
        }
    }
}
