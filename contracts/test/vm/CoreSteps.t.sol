// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";
import {CoreSteps, CoreBeginSteps, CoreWarmSteps, CoreEnterSteps, CoreEndSteps} from "../../src/vm/steps/CoreSteps.sol";
import {Route} from "../../src/vm/Route.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {StepBase} from "../../src/vm/StepBase.sol";
import {WitnessDecoder} from "../../src/vm/WitnessDecoder.sol";
import {Machine, TxCtx} from "../../src/vm/Machine.sol";
import {Commitment} from "../../src/vm/Commitment.sol";
import {MerkleOps} from "../../src/vm/steps/MerkleOps.sol";
import {BlockOps} from "../../src/vm/steps/BlockOps.sol";

/// @notice The router's modules with CORE deployed: the module and its four parts.
library CoreDeploy {
    function modules() internal returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.CORE] = address(new CoreSteps());
        m[Route.CORE_BEGIN] = address(new CoreBeginSteps());
        m[Route.CORE_WARM] = address(new CoreWarmSteps());
        m[Route.CORE_ENTER] = address(new CoreEnterSteps());
        m[Route.CORE_END] = address(new CoreEndSteps());
    }
}

/// @notice Exposes the block end's parts for debugging.
contract BlockProbe {
    function parts(bytes calldata witness) external pure returns (bytes32 txs, bytes32 receipts, bytes32 blockHash) {
        (Machine memory m,) = WitnessDecoder.decode(witness);
        txs = MerkleOps.root(m.acc.txs);
        receipts = MerkleOps.root(m.acc.receipts);
        blockHash = BlockOps.headerHash(m, m.worldRoot);
    }
}

/// @notice Decodes a transaction context from calldata (an input's preimage).
contract TxCtxProbe {
    function decode(bytes calldata b) external pure returns (uint256 tip) {
        uint256 at;
        assembly ("memory-safe") {
            at := b.offset
        }
        tip = WitnessDecoder.txCtxAt(at, b.length, at).tip;
    }

    function encode(TxCtx memory t) external pure returns (bytes memory out) {
        out = new bytes(400);
        uint256 p;
        assembly ("memory-safe") {
            p := add(out, 32)
        }
        uint256 w = Commitment.putTx(p, t);
        assembly ("memory-safe") {
            mstore(out, sub(w, p))
        }
    }
}

/// @notice The transaction's access-list root and the phase's `next` a witness holds.
contract WarmProbe {
    function parts(bytes calldata witness) external pure returns (bytes32 root, uint256 next) {
        (Machine memory m,) = WitnessDecoder.decode(witness);
        return (m.tx_.access.root, m.phase.next);
    }
}

/// @notice The vectors through the router with the CORE module deployed (NextTx and
///         BlockEnd of given inputs, TxBegin, Warm, Enter, TxEnd, Sweep, Bloom, Done).
contract CoreStepsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory) {
        return CoreDeploy.modules();
    }

    /// @notice Steps the vector `name` of `file` and checks its post.
    function runNamed(string memory file, string memory name) internal view {
        (bytes32 pre, bytes memory witness, bytes32 post) = vector(file, name);
        uint256 g = gasleft();
        bytes32 got = verifier.step(pre, witness);
        console.log(name, "gas", g - gasleft());
        assertEq(got, post, name);
    }

    // ---- refusals, on the Done witness with another phase (no transaction, no frame, empty
    // ---- stacks) ----------------------------------------------------------------------

    /// @notice The done-no-op witness with its phase replaced (and `accesses` appended after
    ///         the access count `n`), and its pre-state.
    function withPhase(bytes memory phase, uint16 n, bytes memory accesses)
        internal
        view
        returns (bytes32 pre, bytes memory w)
    {
        bytes memory done = vm.parseJsonBytes(vm.readFile(path("steps")), key(64, "witness"));
        require(uint8(done[done.length - 67]) == 8, "the done-no-op vector moved");
        bytes memory head = new bytes(done.length - 67);
        for (uint256 i = 0; i < head.length; ++i) {
            head[i] = done[i];
        }
        w = bytes.concat(head, phase, bytes2(n), accesses);
        (pre,) = probe.commitments(w);
    }

    function expectRevert(bytes memory phase, uint16 n, bytes memory accesses, bytes memory err) internal {
        (bytes32 pre, bytes memory w) = withPhase(phase, n, accesses);
        vm.expectRevert(err);
        verifier.step(pre, w);
    }

    function test_doneWithAnExtraAccessIsUnused() public {
        bytes memory done = vm.parseJsonBytes(vm.readFile(path("steps")), key(64, "witness"));
        (bytes32 pre, bytes memory w) = withPhase(slice(done, done.length - 67, done.length - 2), 1, hex"0400000000");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Unused.selector, 1, 0));
        verifier.step(pre, w);
    }

    function test_phasesWithoutATransactionAreInconsistent() public {
        bytes memory noTx = abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.NO_TX);
        expectRevert(hex"01", 0, "", noTx); // Begin
        expectRevert(hex"020000000000000000", 0, "", noTx); // Warm{0}
        expectRevert(hex"03", 0, "", noTx); // Enter
        expectRevert(hex"050000000000000000000000000000000001", 0, "", noTx); // End
    }

    function test_runWithoutAFrameIsInconsistent() public {
        expectRevert(hex"04", 0, "", abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.NO_FRAME));
    }

    function test_sweepAndBloomOfEmptyStacksAreInconsistent() public {
        bytes memory empty = abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.EMPTY_STACK);
        expectRevert(hex"06", 0, "", empty);
        expectRevert(hex"0701", 0, "", empty);
        expectRevert(hex"0700", 0, "", empty);
    }

    function test_aPartRefusesAnotherPhase() public {
        bytes memory done = vm.parseJsonBytes(vm.readFile(path("steps")), key(64, "witness"));
        bytes32 pre = vm.parseJsonBytes32(vm.readFile(path("steps")), key(64, "pre"));
        address[] memory mods = verifier.modulesInOrder();
        bytes memory wrong = abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.WRONG_MODULE);
        uint256[4] memory parts = [Route.CORE_BEGIN, Route.CORE_WARM, Route.CORE_ENTER, Route.CORE_END];
        for (uint256 i = 0; i < 4; ++i) {
            vm.expectRevert(wrong);
            IFaultVM(mods[parts[i]]).step(pre, done);
        }
        assertEq(IFaultVM(mods[Route.CORE]).step(pre, done), pre, "Done stays Done");
    }

    function test_anotherStateIsRefused() public {
        bytes memory done = vm.parseJsonBytes(vm.readFile(path("steps")), key(64, "witness"));
        (bytes32 got,) = probe.commitments(done);
        IFaultVM core = IFaultVM(verifier.modulesInOrder()[Route.CORE]);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.WrongPreState.selector, got, bytes32(uint256(1))));
        core.step(bytes32(uint256(1)), done);
    }

    function slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) {
            out[i - from] = b[i];
        }
    }

    function test_gasOfEachCoreVector() public view {
        string[2] memory files = ["steps", "inputs"];
        for (uint256 f = 0; f < 2; ++f) {
            string memory json = vm.readFile(path(files[f]));
            uint256 n = count(json);
            for (uint256 i = 0; i < n; ++i) {
                bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
                bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
                uint256 g = gasleft();
                try verifier.step(pre, witness) returns (bytes32) {
                    g -= gasleft();
                    console.log(vm.parseJsonString(json, key(i, "name")), witness.length, g);
                } catch {}
            }
        }
    }

    /// @notice An input's preimage with a non-zero field behind a clear flag is refused
    ///         (Rust's decode_tx_ctx re-encodes and compares), at the preimage's start.
    function test_aNonCanonicalContextIsMalformed() public {
        TxCtxProbe p = new TxCtxProbe();
        TxCtx memory t;
        t.sender = address(0xaa);
        t.gasLimit = 21_000;
        bytes memory enc = p.encode(t);
        assertEq(p.decode(enc), 0);
        // The tip sits after type, hash, sender, the recipient flag, value, the data view,
        // zeros, gas limit, max fee and the tip flag: 167 bytes in.
        enc[182] = 0x01;
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 0));
        p.decode(enc);
        enc[182] = 0x00;
        enc[enc.length - 9] = 0x01; // the mint's last byte, its flag clear
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Malformed.selector, 0));
        p.decode(enc);
    }

    /// @notice Where a step's gas goes: the router (its decode and forward), the module.
    function test_gasBreakdown() public view {
        string memory json = vm.readFile(path("steps"));
        address[] memory mods = verifier.modulesInOrder();
        uint256[3] memory at = [uint256(2), 6, 64]; // tx-begin, enter-create, done-no-op
        uint256[3] memory ids = [Route.CORE_BEGIN, Route.CORE_ENTER, Route.CORE];
        for (uint256 j = 0; j < 3; ++j) {
            bytes memory w = vm.parseJsonBytes(json, key(at[j], "witness"));
            bytes32 pre = vm.parseJsonBytes32(json, key(at[j], "pre"));
            uint256 g0 = gasleft();
            verifier.step(pre, w);
            uint256 g1 = gasleft();
            IFaultVM(mods[ids[j]]).step(pre, w);
            uint256 g2 = gasleft();
            console.log(vm.parseJsonString(json, key(at[j], "name")), g0 - g1, g1 - g2);
        }
    }

    function test_blockEnd() public {
        string memory json = vm.readFile(path("steps"));
        BlockProbe probe_ = new BlockProbe();
        (bytes32 a, bytes32 b, bytes32 c) = probe_.parts(vm.parseJsonBytes(json, key(1, "witness")));
        console.logBytes32(a);
        console.logBytes32(b);
        console.logBytes32(c);
        runNamed("steps", "block-end");
    }

    function test_doneNoOp() public view {
        runNamed("steps", "done-no-op");
    }

    function test_bloom() public view {
        runNamed("steps", "bloom");
    }
}
