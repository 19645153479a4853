// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashing} from "../lib/Hashing.sol";

/// @title L2ToL1MessagePasser
/// @notice L2 predeploy at 0x4200000000000000000000000000000000000016. A withdrawal is a
///         storage write here: `sentMessages[withdrawalHash] = true` (mapping at slot 0),
///         which the L1 portal proves with an SMT proof against a finalized output root
///         (docs/bridge.md, "Withdrawals"). The ETH sent with a withdrawal stays locked in
///         this contract: it leaves L2's circulating supply and is paid out of the L1
///         portal's balance.
contract L2ToL1MessagePasser {
    /// @notice Withdrawal hashes initiated here (slot 0: proven on L1).
    mapping(bytes32 => bool) public sentMessages;
    /// @notice Nonce of the next withdrawal (slot 1).
    uint256 public messageNonce;

    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice A withdrawal with no explicit target pays the sender on L1.
    receive() external payable {
        initiateWithdrawal(msg.sender, 100_000, "");
    }

    /// @notice Starts a withdrawal: on L1, `target` is called with `msg.value` wei,
    ///         `gasLimit` gas and `data` once the output containing this block is final.
    function initiateWithdrawal(address target, uint256 gasLimit, bytes memory data) public payable {
        uint256 nonce = messageNonce;
        bytes32 h = Hashing.withdrawalHash(
            Hashing.Withdrawal({
                nonce: nonce,
                sender: msg.sender,
                target: target,
                value: msg.value,
                gasLimit: gasLimit,
                data: data
            })
        );
        sentMessages[h] = true;
        unchecked {
            messageNonce = nonce + 1;
        }
        emit MessagePassed(nonce, msg.sender, target, msg.value, gasLimit, data, h);
    }
}
