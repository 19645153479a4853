// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {CallSteps, CreateSteps, ReturnSteps, Create2HashSteps} from "../../src/vm/steps/CallSteps.sol";
import {CreateOps} from "../../src/vm/steps/CreateOps.sol";
import {CallHaltVectors} from "./CallHaltVectors.sol";
import {EdgeVector} from "./EdgeVector.sol";

/// @notice Exposes CreateOps' address derivations.
contract AddressProbe {
    function create(address me, uint256 nonce) external pure returns (address) {
        return CreateOps.createAddress(me, nonce);
    }

    function create2(address me, uint256 salt, bytes32 hash) external pure returns (address) {
        return CreateOps.create2Address(me, salt, hash);
    }
}

/// @notice The calls, creates and RETURN (steps/CallSteps.sol) on the Rust-written vectors
///         (opcode-f0-create, opcode-f1-call, opcode-f3-return, opcode-f5-create2 of
///         docs/vectors/vm/steps.json), on Rust-stepped edge witnesses (CallHaltVectors
///         below: halts, a failed call or create, a pending CREATE2 hash) and on hostile
///         witnesses.
contract CallStepsTest is VmVectorsTest {
    CallSteps internal calls;
    CreateSteps internal creates;
    ReturnSteps internal returns_;
    Create2HashSteps internal hashes;

    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        calls = new CallSteps(engine);
        creates = new CreateSteps(engine);
        returns_ = new ReturnSteps(engine);
        hashes = new Create2HashSteps(engine);
        m[Route.HOST_CALL] = address(calls);
        m[Route.HOST_CREATE] = address(creates);
        m[Route.HOST_RETURN] = address(returns_);
        m[Route.HOST_CREATE2_HASH] = address(hashes);
    }

    /// @notice Every edge witness Rust stepped (halts, failed calls and creates, a
    ///         pending CREATE2 hash) gives Rust's post.
    function test_edgesGiveRustsPost() public view {
        EdgeVector[] memory vs = CallHaltVectors.all();
        checkEdges(vs);
        assertEq(vs.length, 18);
    }

    /// @notice Each vector of these modules gives its post through its own contract too.
    function test_eachContractTakesItsVector() public view {
        (bytes32 pre, bytes memory w, bytes32 post) = vector("steps", "opcode-f1-call");
        assertEq(calls.step(pre, w), post);
        (pre, w, post) = vector("steps", "opcode-f0-create");
        assertEq(creates.step(pre, w), post);
        (pre, w, post) = vector("steps", "opcode-f5-create2");
        assertEq(creates.step(pre, w), post);
        (pre, w, post) = vector("steps", "opcode-f3-return");
        assertEq(returns_.step(pre, w), post);
    }

    /// @notice Each contract refuses the others' steps, and steps of other modules, as
    ///         `Inconsistent(WRONG_MODULE)`.
    function test_contractsRefuseOtherSteps() public {
        string[4] memory names = ["opcode-f1-call", "opcode-f0-create", "opcode-f3-return", "hash"];
        IFaultVM[4] memory own = [IFaultVM(calls), IFaultVM(creates), IFaultVM(returns_), IFaultVM(hashes)];
        for (uint256 i = 0; i < 4; ++i) {
            (bytes32 pre, bytes memory w,) = vector("steps", names[i]);
            for (uint256 j = 0; j < 4; ++j) {
                if (i == j) continue;
                vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
                own[j].step(pre, w);
            }
        }
        string[4] memory others = ["opcode-01-arith-add", "tx-begin", "frame-exit", "copy"];
        for (uint256 i = 0; i < others.length; ++i) {
            (bytes32 pre, bytes memory w,) = vector("steps", others[i]);
            for (uint256 j = 0; j < 4; ++j) {
                vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
                own[j].step(pre, w);
            }
        }
    }

    /// @notice A witness whose last access is cut off (the account, tree or frame the step
    ///         needs) is refused, never stepped.
    function test_witnessesWithoutTheirLastAccessAreRefused() public {
        string[4] memory names = ["opcode-f1-call", "opcode-f0-create", "opcode-f5-create2", "opcode-f3-return"];
        // Through the module itself: the router reads the opcode off the first access.
        IFaultVM[4] memory own = [IFaultVM(calls), IFaultVM(creates), IFaultVM(creates), IFaultVM(returns_)];
        for (uint256 i = 0; i < names.length; ++i) {
            (bytes32 pre, bytes memory w,) = vector("steps", names[i]);
            (uint256[] memory ats,) = probe.accessOffsets(w);
            // The access count (2 bytes before the first access) one less, the last cut.
            bytes memory cut = new bytes(ats[ats.length - 1]);
            for (uint256 k = 0; k < cut.length; ++k) {
                cut[k] = w[k];
            }
            uint256 c = ats[0] - 2;
            uint256 n = (uint256(uint8(cut[c])) << 8 | uint256(uint8(cut[c + 1]))) - 1;
            cut[c] = bytes1(uint8(n >> 8));
            cut[c + 1] = bytes1(uint8(n));
            try own[i].step(pre, cut) returns (bytes32) {
                revert(string.concat(names[i], ": stepped without its last access"));
            } catch (bytes memory err) {
                assertEq(bytes4(err), IFaultVM.Missing.selector, names[i]);
            }
        }
    }

    /// @notice `Address::create` and `Address::create2` against forge-std's derivations.
    function testFuzz_addresses(address me, uint64 nonce, uint256 salt, bytes32 hash) public {
        AddressProbe p = new AddressProbe();
        uint64[6] memory nonces = [uint64(0), 1, 0x7f, 0x80, 0x1234, type(uint64).max - 1];
        for (uint256 i = 0; i < nonces.length; ++i) {
            assertEq(p.create(me, nonces[i]), computeCreateAddress(me, nonces[i]));
        }
        if (nonce < type(uint64).max) assertEq(p.create(me, nonce), computeCreateAddress(me, nonce));
        assertEq(p.create2(me, salt, hash), computeCreate2Address(bytes32(salt), hash, me));
    }
}
