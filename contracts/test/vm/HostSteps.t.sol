// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {HostSteps, HostStorageSteps, HostCopySteps, HostDestructSteps} from "../../src/vm/steps/HostSteps.sol";
import {HostHaltVectors} from "./HostHaltVectors.sol";
import {EdgeVector} from "./EdgeVector.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";

/// @notice The HOST module's state opcodes on the Rust-written vectors of
///         docs/vectors/vm/, on Rust-stepped halting witnesses (HostHaltVectors.sol), and
///         on hostile witnesses.
contract HostStepsTest is VmVectorsTest {
    HostSteps internal host;
    HostStorageSteps internal storage_;
    HostCopySteps internal copy;
    HostDestructSteps internal destruct;

    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        host = new HostSteps(engine);
        storage_ = new HostStorageSteps(engine);
        copy = new HostCopySteps(engine);
        destruct = new HostDestructSteps(engine);
        m[Route.HOST] = address(host);
        m[Route.HOST_STORAGE] = address(storage_);
        m[Route.HOST_COPY] = address(copy);
        m[Route.HOST_DESTRUCT] = address(destruct);
    }

    function halt(string memory name) internal pure returns (EdgeVector memory) {
        return edge(HostHaltVectors.all(), name);
    }

    // ---- halts -------------------------------------------------------------------------

    /// @notice Every halt Rust stepped (static writes, out of gas before and after the
    ///         accesses, stack underflows) gives Rust's post.
    function test_haltsGiveRustsPost() public view {
        EdgeVector[] memory vs = HostHaltVectors.all();
        checkEdges(vs);
        assertEq(vs.length, 16);
    }

    // ---- hostile witnesses ------------------------------------------------------------

    /// @notice Each part refuses the steps of the others as `Inconsistent(WRONG_MODULE)`.
    function test_partsRefuseTheOthersSteps() public {
        (bytes32 pre, bytes memory w,) = vector("opcode-55-storage-sstore");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        host.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        copy.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        destruct.step(pre, w);
        (pre, w,) = vector("opcode-ff-selfdestruct");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        storage_.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        host.step(pre, w);
        (pre, w,) = vector("opcode-31-env-balance");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        destruct.step(pre, w);
        // Another module's step (ADD).
        (pre, w,) = vector("opcode-01-arith-add");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        host.step(pre, w);
    }

    /// @notice A witness without its last access (the pre-state does not bind the
    ///         accesses) is refused as `Missing`, for every vector and halt of the module
    ///         that has more than the opcode's chunk.
    function test_aDroppedAccessIsMissing() public view {
        string[8] memory names = hostVectors();
        for (uint256 i = 0; i < names.length; ++i) {
            (bytes32 pre, bytes memory w,) = vector(names[i]);
            expectMissing(pre, dropLast(w), names[i]);
        }
        EdgeVector memory h = halt("sstore-out-of-gas");
        expectMissing(h.pre, dropLast(h.witness), h.name);
        h = halt("selfdestruct-out-of-gas");
        expectMissing(h.pre, dropLast(h.witness), h.name);
    }

    function expectMissing(bytes32 pre, bytes memory w, string memory name) internal view {
        try verifier.step(pre, w) returns (bytes32) {
            revert(string.concat(name, ": stepped without its last access"));
        } catch (bytes memory err) {
            assertEq(bytes4(err), IFaultVM.Missing.selector, name);
        }
    }

    /// @notice `w` with its last access cut and the access count one less.
    function dropLast(bytes memory w) internal view returns (bytes memory out) {
        (uint256[] memory ats,) = probe.accessOffsets(w);
        uint256 last = ats[ats.length - 1];
        out = new bytes(last);
        for (uint256 i = 0; i < last; ++i) {
            out[i] = w[i];
        }
        uint256 at = ats[0] - 2;
        uint256 n = (uint256(uint8(out[at])) << 8 | uint8(out[at + 1])) - 1;
        out[at] = bytes1(uint8(n >> 8));
        out[at + 1] = bytes1(uint8(n));
    }

    /// @notice A halt before the accesses with the accesses it would have used after is
    ///         refused as `Unused`: a static SSTORE carrying the honest SSTORE's accesses.
    function test_aStaticWriteUsesNoSlot() public {
        EdgeVector memory h = halt("sstore-static");
        (, bytes memory honest,) = vector("opcode-55-storage-sstore");
        (uint256[] memory ats,) = probe.accessOffsets(honest);
        (uint256[] memory hats,) = probe.accessOffsets(h.witness);
        // The halt's witness up to its accesses, then the honest step's accesses.
        bytes memory w = new bytes(hats[0] + honest.length - ats[0]);
        for (uint256 i = 0; i < hats[0]; ++i) {
            w[i] = h.witness[i];
        }
        for (uint256 i = ats[0]; i < honest.length; ++i) {
            w[hats[0] + i - ats[0]] = honest[i];
        }
        uint256 n = ats.length;
        w[hats[0] - 2] = bytes1(uint8(n >> 8));
        w[hats[0] - 1] = bytes1(uint8(n));
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Unused.selector, n - 1, 0));
        verifier.step(h.pre, w);
    }

    /// @notice Each vector of the module's opcodes, by name, steps to its post (and its gas).
    function test_hostVectorsOneByOne() public view {
        uint256 passed = runSelected(isHostVector);
        console.log("host vectors passed", passed);
        assertEq(passed, 8);
    }

    /// @notice The steps.json vectors of the module's opcodes.
    function hostVectors() internal pure returns (string[8] memory) {
        return [
            "opcode-31-env-balance",
            "opcode-3b-env-extcodesize",
            "opcode-54-storage-sload",
            "opcode-55-storage-sstore",
            "opcode-5c-transient-tload",
            "opcode-5d-transient-tstore",
            "opcode-a1-log1",
            "opcode-ff-selfdestruct"
        ];
    }

    function isHostVector(string memory, string memory name) internal pure returns (bool) {
        string[8] memory names = hostVectors();
        for (uint256 i = 0; i < names.length; ++i) {
            if (keccak256(bytes(name)) == keccak256(bytes(names[i]))) return true;
        }
        return false;
    }
}
