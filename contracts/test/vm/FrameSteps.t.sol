// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {FrameSteps} from "../../src/vm/steps/FrameSteps.sol";
import {FrameMicroSteps} from "../../src/vm/steps/FrameMicroSteps.sol";
import {FramePrecompileSteps} from "../../src/vm/steps/FramePrecompileSteps.sol";
import {FrameSponge, SpongeRunner} from "../../src/vm/steps/FrameSponge.sol";
import {PrecompileOps} from "../../src/vm/steps/PrecompileOps.sol";
import {BuiltTree} from "../../src/vm/lib/BuiltTree.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";

/// @notice Exposes the frame module's pure pieces.
contract FrameProbe {
    address internal runner = address(new SpongeRunner());

    function sponge(bytes memory data, uint256 blocksPerStep) external view returns (bytes32) {
        bytes memory s = new bytes(200);
        uint256 at = 0;
        uint256 step = blocksPerStep * 136;
        while (data.length - at > step) {
            bytes memory part = new bytes(step);
            for (uint256 i = 0; i < step; ++i) {
                part[i] = data[at + i];
            }
            FrameSponge.absorb(runner, s, part);
            at += step;
        }
        bytes memory tail = new bytes(data.length - at);
        for (uint256 i = 0; i < tail.length; ++i) {
            tail[i] = data[at + i];
        }
        return FrameSponge.finish(runner, s, tail);
    }

    /// @notice The gas of absorbing 8 blocks (a Hash step's chunk).
    function absorbGas() external view returns (uint256 g) {
        bytes memory s = new bytes(200);
        bytes memory part = new bytes(1088);
        g = gasleft();
        FrameSponge.absorb(runner, s, part);
        g -= gasleft();
    }

    function pricing(uint256 id, bytes memory input) external pure returns (bool, uint256, uint256) {
        return PrecompileOps.pricing(id, input);
    }

    /// @notice A precompile call as the step makes it once the input is read: pricing, the
    ///         L1 call (identity: none) and the output's tree root, with the gas it took.
    function call(uint256 id, bytes memory input, uint256 gas_)
        external
        view
        returns (bool ok, uint256 price, bytes memory out, uint256 used)
    {
        used = gasleft();
        uint256 l1Gas;
        (ok, price, l1Gas) = PrecompileOps.pricing(id, input);
        uint256 limit = gas_ < PrecompileOps.MAX_GAS ? gas_ : PrecompileOps.MAX_GAS;
        if (ok && price <= limit) {
            if (id == 4) out = input;
            else (ok, out) = PrecompileOps.callL1(id, input, l1Gas);
            if (ok) BuiltTree.rootOf(out);
        } else {
            ok = false;
        }
        used -= gasleft();
    }
}

/// @notice The FRAMES module (Undo, FrameExit, CodeLoad, Copy, Hash, Precompile) on the
///         Rust-written vectors of docs/vectors/vm/, with unit tests of its pieces.
contract FrameStepsTest is VmVectorsTest {
    FrameProbe internal frameProbe;

    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](5);
        address micro = address(new FrameMicroSteps());
        address pre = address(new FramePrecompileSteps());
        m[Route.FRAMES] = address(new FrameSteps(micro, pre));
        frameProbe = new FrameProbe();
    }

    function bytesOf(uint256 n, uint256 seed) internal pure returns (bytes memory b) {
        b = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            b[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
    }

    /// @notice Each vector of the module's kinds, by name, steps to its post (and its gas).
    function test_frameVectorsOneByOne() public {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        uint256 passed;
        for (uint256 i = 0; i < n; ++i) {
            string memory kind = vm.parseJsonString(json, key(i, "kind"));
            if (!isFrameKind(kind)) continue;
            string memory name = vm.parseJsonString(json, key(i, "name"));
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            try verifier.step(pre, witness) returns (bytes32 post) {
                g -= gasleft();
                assertEq(post, vm.parseJsonBytes32(json, key(i, "post")), name);
                console.log(name, "gas", g);
                ++passed;
            } catch (bytes memory err) {
                console.log(name, "refused");
                console.logBytes(err);
                fail();
            }
        }
        console.log("frame-module vectors passed", passed);
        assertEq(passed, 15);
    }

    function isFrameKind(string memory kind) internal pure returns (bool) {
        bytes32 h = keccak256(bytes(kind));
        if (h == keccak256("CodeLoad") || h == keccak256("Copy") || h == keccak256("Hash")) return true;
        if (h == keccak256("Undo") || h == keccak256("FrameExit")) return true;
        return vm.indexOf(kind, "Precompile(") == 0;
    }

    // ---- the sponge ------------------------------------------------------------------

    function test_spongeGivesKeccak256() public view {
        uint256[11] memory lens = [uint256(0), 1, 135, 136, 137, 271, 272, 1088, 1089, 2177, 5000];
        for (uint256 i = 0; i < lens.length; ++i) {
            bytes memory d = bytesOf(lens[i], i);
            assertEq(frameProbe.sponge(d, 8), keccak256(d), vm.toString(lens[i]));
            assertEq(frameProbe.sponge(d, 1), keccak256(d), vm.toString(lens[i]));
        }
    }

    function test_spongeStepGas() public view {
        console.log("absorb 1,088 bytes, gas", frameProbe.absorbGas());
    }

    // ---- precompile prices (Cancun) and the L2's bounds --------------------------------

    function header(uint256 b, uint256 e, uint256 m_) internal pure returns (bytes memory) {
        return abi.encode(b, e, m_);
    }

    function test_linearPrices() public view {
        bytes memory d = new bytes(33);
        (bool ok, uint256 p,) = frameProbe.pricing(2, d);
        assertTrue(ok);
        assertEq(p, 60 + 24);
        (, p,) = frameProbe.pricing(3, d);
        assertEq(p, 600 + 240);
        (, p,) = frameProbe.pricing(4, d);
        assertEq(p, 15 + 6);
        (, p,) = frameProbe.pricing(1, d);
        assertEq(p, 3000);
        (, p,) = frameProbe.pricing(6, d);
        assertEq(p, 150);
        (, p,) = frameProbe.pricing(7, d);
        assertEq(p, 6000);
    }

    function test_pairingBlakeKzgRules() public view {
        (bool ok, uint256 p,) = frameProbe.pricing(8, "");
        assertTrue(ok);
        assertEq(p, 45_000);
        (ok, p,) = frameProbe.pricing(8, new bytes(384));
        assertEq(p, 45_000 + 68_000);
        (ok,,) = frameProbe.pricing(8, new bytes(191));
        assertFalse(ok);
        bytes memory b = new bytes(213);
        b[3] = 0x0c;
        (ok, p,) = frameProbe.pricing(9, b);
        assertTrue(ok);
        assertEq(p, 12);
        b[212] = 0x02;
        (ok,,) = frameProbe.pricing(9, b);
        assertFalse(ok, "final-block flag 2");
        (ok,,) = frameProbe.pricing(9, new bytes(212));
        assertFalse(ok, "212 bytes");
        (ok, p,) = frameProbe.pricing(10, new bytes(192));
        assertTrue(ok);
        assertEq(p, 50_000);
        (ok,,) = frameProbe.pricing(10, new bytes(193));
        assertFalse(ok);
    }

    function test_modexpPrices() public view {
        // EIP-198's example 1: B = 3, E = p - 2 (32 bytes, top bit set), M = p.
        bytes memory input = bytes.concat(
            header(1, 32, 32),
            hex"03",
            hex"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e",
            hex"fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
        );
        (bool ok, uint256 p, uint256 l1) = frameProbe.pricing(5, input);
        assertTrue(ok);
        // words = 4, mc = 16, iterations = 255: 16 * 255 / 3 = 1,360; Osaka 16 * 255 * ... = 4,080.
        assertEq(p, 1360);
        assertEq(l1, 16 * 255);
        // An empty input: 200 (Cancun), 500 (Osaka).
        (ok, p, l1) = frameProbe.pricing(5, "");
        assertTrue(ok);
        assertEq(p, 200);
        assertEq(l1, 500);
        // A length word cut short reads zero-padded: 0x04 then zeros is 0x0400.
        bytes memory shortLen = bytes.concat(header(1, 1, 0));
        assembly {
            mstore(shortLen, 95)
        }
        shortLen[94] = 0x04;
        (ok,,) = frameProbe.pricing(5, shortLen);
        assertTrue(ok, "1,024 bytes");
        shortLen[93] = 0x01;
        (ok,,) = frameProbe.pricing(5, shortLen);
        assertFalse(ok, "over 1,024 bytes");
        // Operands over 1,024 bytes are refused.
        (ok,,) = frameProbe.pricing(5, header(1025, 1, 1));
        assertFalse(ok);
        (ok,,) = frameProbe.pricing(5, header(1, 1025, 1));
        assertFalse(ok);
        (ok,,) = frameProbe.pricing(5, header(1, 1, 1025));
        assertFalse(ok);
        // The doc's case: 256-byte base and modulus, a 366-byte exponent of high bits all
        // set: 999,082 at Cancun's price, 11,466,752 at Osaka's: refused.
        bytes memory big = bytes.concat(header(256, 366, 256), new bytes(256), bytes32(type(uint256).max));
        (ok,,) = frameProbe.pricing(5, big);
        assertFalse(ok);
    }

    function test_modexpCancunMatchesTheDocsCase() public pure {
        // Cancun: words 32, mc 1,024, iterations 8 * 334 + 255 = 2,927: 1,024 * 2,927 / 3.
        assertEq(uint256(1024) * (8 * 334 + 255) / 3, 999_082);
        // Osaka: 2 * 1,024 * (16 * 334 + 255).
        assertEq(uint256(2 * 1024) * (16 * 334 + 255), 11_466_752);
    }

    // ---- the L1 gas of the big cases ---------------------------------------------------

    function test_bigCasesGas() public view {
        (bool ok, uint256 p, bytes memory out, uint256 used) = frameProbe.call(4, bytesOf(32 * 1024, 1), 1_000_000);
        assertTrue(ok);
        assertEq(out.length, 32 * 1024);
        console.log("identity 32 KiB: price", p, "gas", used);
        // modexp at the bound: 1,024-byte operands and an exponent whose Osaka price is
        // just under 1 M: 2 * 128^2 * iterations <= 1e6: iterations 30: a 31-bit exponent
        // head in a 32-byte exponent.
        bytes memory modInput = bytes.concat(
            header(1024, 32, 1024), bytesOf(1024, 2), bytes32(uint256(0x40000000)), bytesOf(1024, 3)
        );
        (ok, p, out, used) = frameProbe.call(5, modInput, 1_000_000);
        assertTrue(ok);
        console.log("modexp at the bound: price", p, "gas", used);
        // A failing pairing of 28 pairs (the most under 1 M): points off the curve.
        bytes memory pairs = bytesOf(28 * 192, 4);
        (ok, p, out, used) = frameProbe.call(8, pairs, 1_000_000);
        assertFalse(ok);
        console.log("failing pairing (28 pairs): price", p, "gas", used);
    }

    // ---- refusals ------------------------------------------------------------------------

    function vector(string memory name) internal view returns (bytes32 pre, bytes memory witness, bytes32 post) {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            if (keccak256(bytes(vm.parseJsonString(json, key(i, "name")))) == keccak256(bytes(name))) {
                return (
                    vm.parseJsonBytes32(json, key(i, "pre")),
                    vm.parseJsonBytes(json, key(i, "witness")),
                    vm.parseJsonBytes32(json, key(i, "post"))
                );
            }
        }
        revert(string.concat("no vector ", name));
    }

    function frames() internal view returns (FrameSteps) {
        return FrameSteps(verifier.modulesInOrder()[Route.FRAMES]);
    }

    /// @notice Each contract of the module refuses a step of another module or contract.
    function test_refusesAnotherModulesStep() public {
        (bytes32 pre, bytes memory w,) = vector("done-no-op");
        FrameSteps f = frames();
        FrameMicroSteps micro = FrameMicroSteps(f.micro());
        FramePrecompileSteps pc = FramePrecompileSteps(f.precompiles());
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        f.step(pre, w);
        (pre, w,) = vector("frame-exit");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        micro.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        pc.step(pre, w);
        (pre, w,) = vector("precompile-08-bn-pairing");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        micro.step(pre, w);
    }

    /// @notice A frame-exit takes no access: one more is unused.
    function test_frameExitRefusesAnExtraAccess() public {
        (bytes32 pre, bytes memory w,) = vector("frame-exit");
        // accessCount 0 → 1, then a code access of one byte.
        w[w.length - 1] = 0x01;
        w = bytes.concat(w, hex"0300000001ff");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Unused.selector, 1, 0));
        verifier.step(pre, w);
    }

    /// @notice A witness of another state is refused.
    function test_frameExitRefusesAnotherPreState() public {
        (bytes32 pre, bytes memory w,) = vector("frame-exit");
        bytes32 other = bytes32(uint256(pre) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.WrongPreState.selector, pre, other));
        verifier.step(other, w);
    }

    /// @notice The precompile's L1 call is never made with less gas than it is priced at:
    ///         too little gas for the step runs out, never halts the frame.
    function test_tooLittleGasIsNeverAPrecompileFailure() public {
        (bool ok,,,) = frameProbe.call{gas: 3_000_000}(8, new bytes(192), 1_000_000);
        assertTrue(ok, "the point at infinity twice pairs to one");
        (bool callOk,) = address(frameProbe).call{gas: 50_000}(
            abi.encodeCall(FrameProbe.call, (8, new bytes(192 * 2), 1_000_000))
        );
        assertFalse(callOk, "out of gas, not a failed pairing");
    }
}
