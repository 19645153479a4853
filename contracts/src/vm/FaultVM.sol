// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {WitnessDecoder} from "./WitnessDecoder.sol";
import {Route} from "./Route.sol";
import {Machine} from "./Machine.sol";

/// @title FaultVM
/// @notice The one-step verifier of fault VM v2 (docs/fault-vm.md; its Solidity layout
///         in docs/verifier.md): `step(pre, witness)` recomputes one step of the machine
///         on L1. Rust twin: `faultline_vm_core::step::step`; vectors: docs/vectors/vm/.
///         The step kinds live in module contracts (each under EIP-170's limit, each a
///         whole `IFaultVM` of its own kinds); this router decodes the witness's state
///         (not its accesses), picks the module (`Route.moduleOf`) and forwards the call
///         unchanged, returning its post or its error.
contract FaultVM is IFaultVM {
    /// @notice A module is not deployed (the verifier is being built: a step of its
    ///         kinds cannot be checked yet).
    /// @param module The module's index (`Route`).
    error Unsupported(uint8 module);

    /// @notice A module list of the wrong length.
    /// @param given How many addresses the constructor got.
    error ModuleCount(uint256 given);

    /// @notice Room for this many modules (`Route.COUNT` of them are used).
    uint256 internal constant SLOTS = 24;

    // The module table, one immutable per `Route` index (immutables are code: reading one
    // costs no storage access).
    address internal immutable m0;
    address internal immutable m1;
    address internal immutable m2;
    address internal immutable m3;
    address internal immutable m4;
    address internal immutable m5;
    address internal immutable m6;
    address internal immutable m7;
    address internal immutable m8;
    address internal immutable m9;
    address internal immutable m10;
    address internal immutable m11;
    address internal immutable m12;
    address internal immutable m13;
    address internal immutable m14;
    address internal immutable m15;
    address internal immutable m16;
    address internal immutable m17;
    address internal immutable m18;
    address internal immutable m19;
    address internal immutable m20;
    address internal immutable m21;
    address internal immutable m22;
    address internal immutable m23;

    /// @param modules The module contracts in `Route`'s order (`Route.COUNT` of them); a
    ///        zero address leaves that module's steps unsupported.
    constructor(address[] memory modules) {
        uint256 n = modules.length;
        if (n != Route.COUNT || n > SLOTS) revert ModuleCount(n);
        m0 = 0 < n ? modules[0] : address(0);
        m1 = 1 < n ? modules[1] : address(0);
        m2 = 2 < n ? modules[2] : address(0);
        m3 = 3 < n ? modules[3] : address(0);
        m4 = 4 < n ? modules[4] : address(0);
        m5 = 5 < n ? modules[5] : address(0);
        m6 = 6 < n ? modules[6] : address(0);
        m7 = 7 < n ? modules[7] : address(0);
        m8 = 8 < n ? modules[8] : address(0);
        m9 = 9 < n ? modules[9] : address(0);
        m10 = 10 < n ? modules[10] : address(0);
        m11 = 11 < n ? modules[11] : address(0);
        m12 = 12 < n ? modules[12] : address(0);
        m13 = 13 < n ? modules[13] : address(0);
        m14 = 14 < n ? modules[14] : address(0);
        m15 = 15 < n ? modules[15] : address(0);
        m16 = 16 < n ? modules[16] : address(0);
        m17 = 17 < n ? modules[17] : address(0);
        m18 = 18 < n ? modules[18] : address(0);
        m19 = 19 < n ? modules[19] : address(0);
        m20 = 20 < n ? modules[20] : address(0);
        m21 = 21 < n ? modules[21] : address(0);
        m22 = 22 < n ? modules[22] : address(0);
        m23 = 23 < n ? modules[23] : address(0);
    }

    /// @notice The module contracts in `Route`'s order.
    /// @return modules Their addresses (zero: not deployed).
    function modulesInOrder() external view returns (address[] memory modules) {
        modules = new address[](Route.COUNT);
        for (uint256 i = 0; i < Route.COUNT; ++i) {
            modules[i] = moduleAt(i);
        }
    }

    /// @notice The module with `Route` index `id` (`id` < SLOTS).
    function moduleAt(uint256 id) internal view returns (address) {
        if (id < 12) {
            if (id < 6) {
                if (id < 3) {
                    if (id < 1) {
                        return m0;
                    }
                    if (id < 2) {
                        return m1;
                    }
                    return m2;
                }
                if (id < 4) {
                    return m3;
                }
                if (id < 5) {
                    return m4;
                }
                return m5;
            }
            if (id < 9) {
                if (id < 7) {
                    return m6;
                }
                if (id < 8) {
                    return m7;
                }
                return m8;
            }
            if (id < 10) {
                return m9;
            }
            if (id < 11) {
                return m10;
            }
            return m11;
        }
        if (id < 18) {
            if (id < 15) {
                if (id < 13) {
                    return m12;
                }
                if (id < 14) {
                    return m13;
                }
                return m14;
            }
            if (id < 16) {
                return m15;
            }
            if (id < 17) {
                return m16;
            }
            return m17;
        }
        if (id < 21) {
            if (id < 19) {
                return m18;
            }
            if (id < 20) {
                return m19;
            }
            return m20;
        }
        if (id < 22) {
            return m21;
        }
        if (id < 23) {
            return m22;
        }
        return m23;
    }

    /// @inheritdoc IFaultVM
    function step(bytes32, bytes calldata witness) external view returns (bytes32) {
        Machine memory m = WitnessDecoder.decodeState(witness);
        uint256 id = Route.moduleOf(m);
        address target = moduleAt(id);
        if (target == address(0)) revert Unsupported(uint8(id));
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, 0, calldatasize())
            let ok := staticcall(gas(), target, p, calldatasize(), 0, 0)
            returndatacopy(p, 0, returndatasize())
            if iszero(ok) { revert(p, returndatasize()) }
            return(p, returndatasize())
        }
    }
}
