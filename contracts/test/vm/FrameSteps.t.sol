// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {FrameSteps} from "../../src/vm/steps/FrameSteps.sol";
import {FrameCopySteps} from "../../src/vm/steps/FrameCopySteps.sol";
import {FrameUndoSteps} from "../../src/vm/steps/FrameUndoSteps.sol";
import {FrameHashSteps} from "../../src/vm/steps/FrameHashSteps.sol";
import {FrameStartSteps} from "../../src/vm/steps/FrameStartSteps.sol";
import {FrameSponge} from "../../src/vm/steps/FrameSponge.sol";
import {KeccakEngine} from "../../src/vm/KeccakEngine.sol";
import {PrecompileOps} from "../../src/vm/steps/PrecompileOps.sol";
import {FrameOps} from "../../src/vm/steps/FrameOps.sol";
import {WitnessDecoder} from "../../src/vm/WitnessDecoder.sol";
import {Machine} from "../../src/vm/Machine.sol";
import {BuiltTree} from "../../src/vm/lib/BuiltTree.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";

/// @notice Exposes the frame module's pure pieces.
contract FrameProbe {
    address internal runner = address(new KeccakEngine());

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

    function chunks(bytes memory code, uint256 pending)
        external
        view
        returns (bytes memory w, uint256 carry, uint256 g)
    {
        g = gasleft();
        (w, carry) = FrameOps.chunksFrom(code, pending);
        g -= gasleft();
    }

    /// @notice `chunks_from` as code.rs writes it, byte by byte.
    function chunksReference(bytes memory code, uint256 pending) external pure returns (bytes memory w, uint256) {
        uint256 count = (code.length + 30) / 31;
        w = new bytes(count * 32);
        for (uint256 c = 0; c < count; ++c) {
            uint256 start = c * 31;
            uint256 partLen = code.length - start < 31 ? code.length - start : 31;
            w[c * 32] = bytes1(uint8(pending < 31 ? pending : 31));
            for (uint256 i = 0; i < partLen; ++i) {
                w[c * 32 + 1 + i] = code[start + i];
            }
            uint256 pc = start + (pending < 31 ? pending : 31);
            pending = pending > 31 ? pending - 31 : 0;
            while (pc < start + partLen) {
                uint8 op = uint8(code[pc]);
                pc += 1 + (op >= 0x60 && op <= 0x7f ? op - 0x5f : 0);
            }
            if (pc > start + partLen) pending = pc - (start + partLen);
        }
        return (w, pending);
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
        m = new address[](Route.COUNT);
        m[Route.FRAMES] = address(new FrameSteps(engine));
        m[Route.FRAME_UNDO] = address(new FrameUndoSteps(engine));
        m[Route.FRAME_COPY] = address(new FrameCopySteps(engine));
        m[Route.FRAME_HASH] = address(new FrameHashSteps(engine));
        m[Route.FRAME_START] = address(new FrameStartSteps(engine));
        frameProbe = new FrameProbe();
    }

    function bytesOf(uint256 n, uint256 seed) internal pure returns (bytes memory b) {
        b = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            b[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i)))));
        }
    }

    /// @notice Each vector of the module's kinds, by name, steps to its post (and its gas).
    function test_frameVectorsOneByOne() public view {
        uint256 passed = runSelected(isFrameKind);
        console.log("frame-module vectors passed", passed);
        assertEq(passed, 16);
    }

    function isFrameKind(string memory kind, string memory) internal pure returns (bool) {
        bytes32 h = keccak256(bytes(kind));
        if (h == keccak256("CodeLoad") || h == keccak256("Copy") || h == keccak256("Hash")) return true;
        if (h == keccak256("Undo") || h == keccak256("FrameExit")) return true;
        return vm.indexOf(kind, "Precompile(") == 0;
    }

    // ---- code chunks -------------------------------------------------------------------

    function test_chunksFromMatchesTheReference() public view {
        uint256[7] memory lens = [uint256(0), 1, 30, 31, 32, 62, 1000];
        for (uint256 i = 0; i < lens.length; ++i) {
            for (uint256 pend = 0; pend < 34; pend += 11) {
                bytes memory code = bytesOf(lens[i], i * 100 + pend);
                // Many pushes, PUSH32 at chunk ends.
                for (uint256 k = 30; k < code.length; k += 31) {
                    if (k % 3 == 0) code[k] = 0x7f;
                }
                (bytes memory w, uint256 carry,) = frameProbe.chunks(code, pend);
                (bytes memory r, uint256 rc) = frameProbe.chunksReference(code, pend);
                assertEq(w, r, vm.toString(lens[i]));
                assertEq(carry, rc, vm.toString(lens[i]));
            }
        }
        (,, uint256 g) = frameProbe.chunks(bytesOf(16_368, 9), 0);
        console.log("chunks of 16,368 random bytes, gas", g);
        (,, g) = frameProbe.chunks(new bytes(24_576), 0);
        console.log("chunks of 24,576 zero bytes, gas", g);
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
        bytes memory modInput =
            bytes.concat(header(1024, 32, 1024), bytesOf(1024, 2), bytes32(uint256(0x40000000)), bytesOf(1024, 3));
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

    function frames() internal view returns (FrameSteps) {
        return FrameSteps(verifier.modulesInOrder()[Route.FRAMES]);
    }

    /// @notice Each contract of the module refuses a step of another module or contract.
    function test_refusesAnotherModulesStep() public {
        (bytes32 pre, bytes memory w,) = vector("done-no-op");
        address[] memory ms = verifier.modulesInOrder();
        FrameSteps f = FrameSteps(ms[Route.FRAMES]);
        FrameUndoSteps undo = FrameUndoSteps(ms[Route.FRAME_UNDO]);
        FrameCopySteps copy = FrameCopySteps(ms[Route.FRAME_COPY]);
        FrameHashSteps hash = FrameHashSteps(ms[Route.FRAME_HASH]);
        FrameStartSteps pc = FrameStartSteps(ms[Route.FRAME_START]);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        f.step(pre, w);
        (pre, w,) = vector("frame-exit");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        undo.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        copy.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        hash.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        pc.step(pre, w);
        (pre, w,) = vector("precompile-08-bn-pairing");
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        copy.step(pre, w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, 4));
        hash.step(pre, w);
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
        (bool callOk,) =
            address(frameProbe).call{gas: 50_000}(abi.encodeCall(FrameProbe.call, (8, new bytes(192 * 2), 1_000_000)));
        assertFalse(callOk, "out of gas, not a failed pairing");
    }

    // ---- modexp's prices against revm's (cases from a scratch Rust run of vm-core's
    // `run_precompile` and `l1_precompile_gas` at 1 M gas) -------------------------------

    function c(
        uint256 b,
        uint256 e,
        uint256 m_,
        uint256 shift,
        bytes memory head,
        uint256 cut,
        bool rustOk,
        uint256 rustGas,
        uint256 rustL1
    ) internal view {
        bytes memory input = bytes.concat(header(b, e, m_), new bytes(b + shift), head, hex"1111111111111111");
        assembly {
            mstore(input, cut)
        }
        (bool ok, uint256 price, uint256 l1) = frameProbe.pricing(5, input);
        string memory what = string.concat(vm.toString(b), "/", vm.toString(e), "/", vm.toString(m_));
        if (rustOk) {
            assertTrue(ok && price <= PrecompileOps.MAX_GAS, what);
            assertEq(price, rustGas, what);
            assertEq(l1, rustL1, what);
        } else {
            assertTrue(!ok || price > PrecompileOps.MAX_GAS, what);
        }
    }

    function test_modexpPricesMatchRevm() public view {
        c(100, 0, 1025, 3, hex"8245d1a42b45f512bce94aa4e594217b874a22", 161, false, 0, 0);
        c(1024, 1000, 1025, 2, hex"c051834084876636c2f97a961381ea", 1145, false, 0, 0);
        c(31, 8, 1024, 22, hex"5486513f43", 162, true, 5461, 32768);
        c(8, 255, 100, 10, hex"00ac6551497def90a7c847", 133, false, 0, 0);
        c(1024, 1, 1025, 7, hex"a7981129d7786eb227a75a", 1146, false, 0, 0);
        c(1025, 1024, 31, 24, hex"545c50fab3684aec05b9c091128e115de97e94e9b2eb96ad147a1cb0c76c0e", 893, false, 0, 0);
        c(256, 32, 100, 31, hex"669221635131254b0b3b0b", 402, true, 2048, 12288);
        c(8, 1, 1025, 19, hex"c9cecd36a8cbcccd765eb64703a518", 146, false, 0, 0);
        c(33, 255, 64, 5, hex"70ba559f6652de15172573", 153, true, 42624, 484096);
        c(255, 1024, 1, 21, hex"20a8e32038162cc4d3d63d837ca08748521a76f267a38651b3f0b38e2fb7", 410, false, 0, 0);
        c(33, 1024, 100, 0, hex"f0b536ded10ca22b67552dbdbca9ea29290b6f73e33620d2", 159, false, 0, 0);
        c(100, 1000, 32, 1, hex"db", 206, false, 0, 0);
        c(1025, 0, 31, 0, hex"4965c1fa1f25cdc4e9c453", 1140, false, 0, 0);
        c(1024, 32, 255, 0, hex"7ab4d10890ddbe6129e9", 1138, false, 0, 0);
        c(33, 31, 0, 8, hex"fab7e6c94a98a9e889d86be5426ca45f", 161, true, 1525, 9150);
        c(1000, 31, 1, 5, hex"f59a", 342, true, 5208, 31250);
        c(0, 100, 64, 8, hex"4c2892055b8b1e8ef16adca7e6f32c90a5cc57d7ecf9ce2d9f", 137, true, 15658, 163584);
        c(1024, 0, 64, 32, hex"9d2a84", 1163, true, 5461, 32768);
        c(256, 512, 255, 3, hex"3bf16c049865", 369, false, 0, 0);
        c(1025, 255, 64, 26, hex"37cda873", 1159, false, 0, 0);
        c(33, 255, 1000, 19, hex"3ed4f966b2f15294556925f95a34f0f7defb", 129, false, 0, 0);
        c(32, 256, 31, 29, hex"28ae69b1165082971e6ebc6f999639695dc7d0e968a6", 187, true, 9669, 57680);
        c(8, 31, 64, 8, hex"6064803729bff8e12a9e1905e30642e6ab3448462e", 141, true, 3882, 23296);
        c(100, 32, 1, 6, hex"0153e33a4a1412f23b4b4fcd22282a32a6b700a891e46b134d1d5f1339bf", 240, true, 11266, 67600);
        c(8, 256, 512, 2, hex"", 114, false, 0, 0);
        c(64, 33, 1025, 24, hex"8bc2db8c05a126162c143cb607bd3854d4e1ba6911479d", 151, false, 0, 0);
        c(32, 32, 0, 1, hex"1369bf86cb0c049445eb88ddb8a96ea2250117", 156, true, 1301, 3904);
        c(100, 1024, 1025, 11, hex"8e19d96c92cd8e3bcbb0596d4bcbb87f55dd50dc1539f15a322886c1d0", 244, false, 0, 0);
        c(100, 1000, 255, 17, hex"7c34d0edb89d945b65add82dff7026b8e56ac6e56e", 242, false, 0, 0);
        c(1025, 8, 1, 27, hex"9a35055b5d", 1161, false, 0, 0);
        c(100, 1000, 31, 24, hex"c0c9f4bdb2937ab243332d77698d6e6c00346af005e76610a4c1048681aa63ad", 244, false, 0, 0);
        c(8, 100, 8, 2, hex"3dfb029023c1800f0995b6894c6e624aea657df1", 134, true, 260, 21200);
        c(1024, 0, 512, 27, hex"3ed281ae936a465288fb685a68f24fab928d4c9263", 1176, true, 5461, 32768);
        c(100, 100, 1024, 32, hex"8a17e30cd283a831531557abbca3140ab80d9510e4c11ace8fae57", 263, false, 0, 0);
        c(255, 1025, 64, 14, hex"f7768caf", 377, false, 0, 0);
        c(64, 1, 64, 30, hex"9f324c3240f20779518394cbd661a76cb4e9188e1ba90a6ce42bd3", 185, true, 200, 500);
        c(512, 256, 256, 29, hex"", 645, false, 0, 0);
        c(32, 255, 255, 18, hex"ab2ae2e9f60b", 160, false, 0, 0);
        c(31, 64, 0, 3, hex"e43d5b", 141, true, 2597, 11888);
        c(33, 1024, 512, 2, hex"b4b7e6c5b49b485616743a9ee77a02fab78c830ea23f9f", 162, false, 0, 0);
        c(1025, 1000, 256, 25, hex"2f75a3f47b899a87ca5d9754", 222, false, 0, 0);
        c(255, 8, 1024, 21, hex"5a0e929bde91805f", 388, true, 5461, 32768);
        c(1000, 0, 256, 13, hex"d19e6b8f904d49f544d6f55e4ac41b9158fe555d1b638f26c215d3e49d1e", 1147, true, 5208, 31250);
        c(31, 1024, 512, 20, hex"672b31cbe2", 160, false, 0, 0);
        c(64, 31, 32, 13, hex"3949aba4798fbe23cf82133783969f9c2dadb06f", 201, true, 3008, 18048);
        c(1000, 255, 1024, 1, hex"0b3f1b5f7d69d342e8e196f7d82357359b005230cc7b", 39, true, 5208, 31250);
        c(256, 1000, 32, 30, hex"204032cc4503", 396, false, 0, 0);
        c(1024, 1024, 255, 1, hex"3b6d55cd763800d28366c477e5ece5c6a9208acdc2c78c5b31", 1154, false, 0, 0);
        c(64, 8, 0, 2, hex"23b32a385a42f85179ad2082b35ae4a1fc23e5e09914b0", 193, true, 960, 5760);
        c(256, 1, 1, 14, hex"b0dd84134bf372d6c38aadbeedd0071f91", 391, true, 341, 2048);
        c(1024, 8, 0, 28, hex"80", 424, true, 5461, 32768);
        c(
            64,
            512,
            8,
            15,
            hex"15bb6c20ac373f65f59cdbb211879a71b706de21ab10a499160674ae2b477b55",
            215,
            true,
            84736,
            999936
        );
        c(1, 1025, 8, 11, hex"672511bf4afe2b97c0c9", 126, false, 0, 0);
        c(1025, 1, 0, 22, hex"2e", 1152, false, 0, 0);
        c(8, 512, 8, 18, hex"d209e5d4d12612b4", 138, true, 1317, 124656);
        c(1024, 32, 8, 5, hex"9bde35f3260cc669e11a287850380a0e9429e7fa", 910, true, 5461, 32768);
        c(1, 256, 1024, 15, hex"0ff3b8eb7ccc55eb7cfa95e8315589a807f5240096d5e2cbc6557d", 147, false, 0, 0);
        c(256, 255, 0, 20, hex"8ae780ad7ea6af7480a55c8ead98d9984f45fb", 399, false, 0, 0);
        c(256, 0, 0, 9, hex"495f7b0b4333598128f2f5e6e1ae", 383, true, 341, 2048);
        c(8, 31, 32, 19, hex"d782dde06d63f18ae13a", 141, true, 506, 1520);
        c(512, 100, 32, 1, hex"89ce4bcd78", 510, false, 0, 0);
        c(100, 1000, 1024, 29, hex"999aebcae1a615936ad8492915d31abce708949714688065", 257, false, 0, 0);
        c(256, 33, 1000, 14, hex"a7508c35e1009e653749a7ec016725bd44d2110dbff2", 396, false, 0, 0);
        c(100, 64, 100, 13, hex"91c85df10cd4db96f94c12542a", 230, true, 22927, 224094);
        c(31, 32, 1024, 19, hex"", 154, false, 0, 0);
        c(31, 33, 255, 8, hex"162a000ed2", 56, true, 200, 500);
        c(31, 1025, 33, 8, hex"f3f2d7f243d17490d39acf42882f0ff70266284a", 163, false, 0, 0);
        c(1000, 256, 32, 6, hex"23815426ac73d98c2d058192d33a32", 1125, false, 0, 0);
        c(255, 8, 1024, 7, hex"222ab0df1a9ad5c0bd", 375, true, 27306, 163840);
        c(100, 8, 1025, 13, hex"c59ed13eecedc67d", 225, false, 0, 0);
        c(31, 64, 1025, 3, hex"0ffdf48912b83f0d8d2ecce3c01f9bf2ff10ac61e326f0af2eba1be76c78", 96, false, 0, 0);
        c(1024, 32, 33, 21, hex"f15e4a0a20464206cc31f51cde7385483c2ca88fb439555b", 1173, false, 0, 0);
        c(1, 1024, 1024, 6, hex"47676b958241a10ef41bff9eb7ca07377b7f95cc25dfd8", 134, false, 0, 0);
        c(255, 512, 256, 29, hex"102a7c505806bc5331a7926ff708ec", 403, false, 0, 0);
        c(1024, 32, 512, 10, hex"b9f227ffb6c53a70ae4d6751", 1150, false, 0, 0);
        c(32, 256, 8, 14, hex"447eeeb56c66b4638b18729a132703d9c6a32ef45f613d1145b1ace7", 126, true, 9557, 57344);
        c(1024, 1000, 8, 26, hex"0ebadffe299736a8", 1162, false, 0, 0);
        c(1, 8, 255, 10, hex"5df5bc138908820d2f41ebc6d9967b3b", 131, true, 341, 2048);
        c(1024, 256, 1025, 11, hex"d32cb41b", 1143, false, 0, 0);
        c(512, 33, 1000, 25, hex"e6a74cdc61ef549ccf663ab6", 653, false, 0, 0);
        c(255, 256, 256, 25, hex"c083", 284, false, 0, 0);
        c(1, 255, 256, 30, hex"0593e039a1", 140, false, 0, 0);
        c(255, 256, 8, 8, hex"a9024a6830e45b", 374, false, 0, 0);
        c(256, 64, 0, 21, hex"d6a11a248273ab5c226836642246", 395, false, 0, 0);
        c(1024, 64, 8, 0, hex"f5dcd984711d5ffb9cafc81deb040ab61d2f", 1146, false, 0, 0);
        c(255, 1, 31, 1, hex"d398a3be256f79d984b5b677c768ceeb6a4a", 1, true, 200, 500);
        c(31, 0, 255, 21, hex"610105cb72243e2420928f104028dcc76caa89ae7f4d1bdfb811870a9079454b", 188, true, 341, 2048);
        c(0, 1025, 64, 8, hex"917444ba734fc9f2e9587e16187a8abf946d43f35e445ce4418ff8c1", 140, false, 0, 0);
        c(100, 1025, 1000, 20, hex"751ddb30a4679ba4d702647eae4f3d7d71f36068ae6b51", 247, false, 0, 0);
        c(0, 8, 0, 10, hex"48e055194da73ebe6d59cdc0fd1e", 128, true, 200, 500);
        c(1000, 0, 512, 13, hex"", 154, true, 5208, 31250);
        c(32, 33, 1000, 15, hex"1d2b113b9fca735923b3ded1481e4c50a20b311f017ba73e6232", 177, false, 0, 0);
        c(1025, 1000, 33, 25, hex"6a22943d0105eb2e54b2159d1646442e7cf6c1f4abb66b7705dfd4875030", 1184, false, 0, 0);
        c(8, 100, 33, 32, hex"68ca432ff302acbd24801127899a9dd045", 161, true, 4533, 54400);
        c(1000, 31, 8, 23, hex"bad140defd2cfe39c1d2fb4216e8d7", 1142, false, 0, 0);
        c(64, 1025, 1, 25, hex"d851", 115, false, 0, 0);
        c(64, 32, 32, 21, hex"", 189, true, 1792, 10752);
        c(32, 64, 1000, 18, hex"9fbaa5bc87c22bf1d2f9701cb8d594f144ccdbe46b0149b94e2ae2e9c0", 183, false, 0, 0);
        c(256, 0, 0, 28, hex"a8b5e8f5eaa794a798031f21", 400, true, 341, 2048);
        c(31, 64, 1024, 23, hex"c3f02d9d28c0696b49d718e01f2707e3bc1b5bb94ecc2d0515b1b2691ba1d2", 189, false, 0, 0);
        c(33, 32, 33, 12, hex"262486ad920d214b69a19a35a536", 33, true, 200, 500);
        c(33, 256, 1000, 18, hex"6ca07fd100c203bfc0657957ab9209cd16723484f9b8c390a914407c94fb38", 186, false, 0, 0);
        c(8, 32, 256, 25, hex"a33230449c41b3b6c79c8b46c2", 150, true, 18773, 112640);
        c(1000, 1025, 1024, 19, hex"39d112164458f07b1391b4359da8f75a087ac83b", 1143, false, 0, 0);
        c(32, 1024, 31, 30, hex"b54a3cd6d996c9fe9f", 175, true, 42405, 254192);
        c(33, 1000, 32, 24, hex"c126fc6f8d", 24, true, 200, 500);
        c(256, 1024, 255, 10, hex"5f5f61a3dab134e6e7dcb524323e9c5d13cda4c17ca879d9d63b5153", 398, false, 0, 0);
        c(1025, 1024, 0, 12, hex"8fc4c1fc3f0b8b22d8b7aa8f966917e10c28841d57", 1162, false, 0, 0);
        c(8, 255, 1000, 7, hex"946729e91482ada2892856", 130, false, 0, 0);
        c(8, 32, 8, 3, hex"673ba1debf7cb6b736b0c964dc55", 129, true, 200, 3680);
        c(33, 1, 1024, 19, hex"b9d01de5388a858a3b0be9c625cbe8453d81b073579f9aaf3ebed9fcdff0fd", 142, true, 5461, 32768);
        c(255, 256, 1, 23, hex"9f64801931a3", 388, false, 0, 0);
        c(33, 1024, 100, 16, hex"8bcacde05391caab26ec57bf70946951c9c2698bc0", 174, false, 0, 0);
        c(33, 1000, 1000, 26, hex"6e1e6a90", 167, false, 0, 0);
        c(256, 255, 256, 0, hex"0802a8cfd687e809d594512335c1", 374, false, 0, 0);
        c(1000, 0, 100, 22, hex"098b7c12ce93bc952e1058ec8ff4d1384eb27db1b84b074d55a3", 594, true, 5208, 31250);
        c(31, 1025, 512, 8, hex"2a8263cb40e2b7f0c3", 152, false, 0, 0);
        c(1025, 1, 512, 6, hex"bc11ddde0fe7641a44ecc9423630", 1149, false, 0, 0);
        c(1024, 256, 512, 25, hex"4b9b80c366440c9a033559778512ced74a90670b3bffe40f", 1177, false, 0, 0);
        c(8, 1024, 1000, 27, hex"74be739390", 144, false, 0, 0);
    }
}
