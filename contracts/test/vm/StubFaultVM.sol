// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";

/// @title StubFaultVMModule
/// @notice A stand-in module of the one-step verifier, for the Rust driver's tests
///         (crates/vm-verifier/tests/driver.rs): deployed with no constructor arguments,
///         as the real modules are, and called by the router.
contract StubFaultVMModule {
    /// @notice A commitment that is not the machine's: keccak256(pre ‖ witness).
    /// @param pre The claimed pre-state.
    /// @param witness The witness bytes.
    /// @return post keccak256(abi.encodePacked(pre, witness)).
    function hashOf(bytes32 pre, bytes calldata witness) external pure returns (bytes32 post) {
        post = keccak256(abi.encodePacked(pre, witness));
    }
}

/// @title StubFaultVM
/// @notice A throwaway IFaultVM for the Rust driver (crates/vm-verifier), not the
///         verifier: it exercises deployment with a module list, calls, each revert the
///         driver decodes and gas accounting. A `pre` of 1 to 8 picks a behaviour;
///         any other `pre` (a real commitment) is refused with `Unsupported`, the first
///         witness byte as the kind, as an incomplete verifier refuses what it lacks.
contract StubFaultVM is IFaultVM {
    /// @notice A step kind the verifier does not implement yet.
    /// @param kind The kind.
    error Unsupported(uint8 kind);

    /// @notice The module the router calls.
    StubFaultVMModule public immutable module;

    /// @param modules The module contracts, in order (one: a StubFaultVMModule).
    constructor(address[] memory modules) {
        require(modules.length == 1, "one module");
        module = StubFaultVMModule(modules[0]);
    }

    /// @inheritdoc IFaultVM
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32 post) {
        uint256 p = uint256(pre);
        if (p == 1) return module.hashOf(pre, witness);
        if (p == 2) revert Malformed(witness.length);
        if (p == 3) revert WrongPreState(keccak256(witness), pre);
        if (p == 4) revert Missing(7);
        if (p == 5) revert Unused(2, 3);
        if (p == 6) revert("not a verifier error");
        if (p == 7) {
            // Burns every bit of gas: an exceptional halt.
            assembly {
                invalid()
            }
        }
        if (p == 8) {
            // Memory expansion over the witness, hashed 16 times: execution gas that
            // grows with the witness.
            bytes memory w = witness;
            for (uint256 i = 0; i < 16; ++i) {
                post = keccak256(abi.encodePacked(post, w));
            }
            return post;
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        revert Unsupported(witness.length == 0 ? 0 : uint8(witness[0]));
    }
}
