// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice What the factory deploys: keeps a value, can be told to selfdestruct.
contract Child {
    address public immutable owner;
    uint256 public value;

    constructor(uint256 v) payable {
        owner = msg.sender;
        value = v;
    }

    function set(uint256 v) external {
        value = v;
    }

    function destroy() external {
        selfdestruct(payable(owner));
    }
}

/// @title Create2Factory
/// @notice Deploys `Child` contracts at CREATE2 addresses, including the cases the fault
///         VM must get right: a second deployment at a taken address (collision), and a
///         child created and destroyed in one transaction (EIP-6780). A load for the
///         fault-VM differential tests; not for any real deployment.
contract Create2Factory {
    event Deployed(address indexed child, bytes32 salt);

    function deploy(bytes32 salt, uint256 v) public payable returns (address child) {
        child = address(new Child{salt: salt, value: msg.value}(v));
        emit Deployed(child, salt);
    }

    function predict(bytes32 salt, uint256 v) external view returns (address) {
        bytes32 init = keccak256(abi.encodePacked(type(Child).creationCode, abi.encode(v)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, init)))));
    }

    /// @notice Deploys at `salt`, then tries again at the same address: the second try
    ///         must fail. Returns whether it did.
    function deployTwice(bytes32 salt, uint256 v) external returns (bool secondFailed) {
        deploy(salt, v);
        try this.deploy(salt, v) {
            secondFailed = false;
        } catch {
            secondFailed = true;
        }
    }

    /// @notice Deploys a child with value and destroys it in the same transaction: the
    ///         account is removed and its balance returns here.
    function deployAndDestroy(bytes32 salt, uint256 v) external payable returns (address child) {
        child = deploy(salt, v);
        Child(child).destroy();
    }
}
