// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VmVectorsTest} from "./VmVectors.t.sol";
import {console} from "forge-std/Test.sol";
import {Route} from "../../src/vm/Route.sol";
import {InputSteps} from "../../src/vm/steps/InputSteps.sol";
import {InputBase} from "../../src/vm/steps/InputBase.sol";
import {EntrySteps} from "../../src/vm/steps/EntrySteps.sol";
import {TxDecode, Buf, Sig} from "../../src/vm/steps/TxDecode.sol";
import {TxCtx} from "../../src/vm/Machine.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {StepBase} from "../../src/vm/StepBase.sol";
import {InputTailSteps} from "../../src/vm/steps/InputTailSteps.sol";

/// @notice What the prefix piece gives, for the tests.
struct Prefix {
    bool ok;
    uint256 bodyStart;
    uint256 txType;
    uint256 nonce;
    uint256 maxFee;
    uint256 gasLimit;
    address to;
    uint256 value;
    uint256 dataStart;
    uint256 dataLen;
}

/// @notice Exposes the input steps' pure pieces.
contract InputProbe {
    function zeros(bytes memory b, uint256 from, uint256 to) external pure returns (uint256) {
        return InputBase.zeros(b, from, to);
    }

    function point(uint256 g) external pure returns (bytes32) {
        return EntrySteps.evaluationPoint(g);
    }

    function depth(uint256 n) external pure returns (uint256) {
        return InputBase.itemDepth(n);
    }

    function prefix(bytes memory raw) external pure returns (Prefix memory x) {
        uint256 n = raw.length < TxDecode.PREFIX_MAX ? raw.length : TxDecode.PREFIX_MAX;
        TxCtx memory t;
        (x.ok, x.bodyStart) = TxDecode.decodePrefix(Buf(raw, 0, n), raw.length, t);
        (x.txType, x.nonce, x.maxFee, x.gasLimit, x.to, x.value) =
        (t.txType, t.nonce, t.maxFee, t.gasLimit, t.to, t.value);
        (x.dataStart, x.dataLen) = (t.data.offset, t.data.len);
    }

    /// @notice The signature piece of `raw` from `at` (the window holds `raw[at..]`).
    function signature(bytes memory raw, uint256 at, uint256 txType) external pure returns (Sig memory) {
        bytes memory w = new bytes(raw.length - at);
        for (uint256 i = 0; i < w.length; ++i) {
            w[i] = raw[at + i];
        }
        return TxDecode.decodeSignature(Buf(w, at, raw.length), at, raw.length, txType);
    }

    function encodeUint(uint256 v) external pure returns (bytes memory) {
        return TxDecode.encodeUint(v);
    }

    function listHeader(uint256 v) external pure returns (bytes memory) {
        return TxDecode.listHeader(v);
    }

    function recover(bytes32 h, bool y, uint256 r, uint256 s) external view returns (bool, address) {
        return TxDecode.recover(h, y, r, s);
    }
}

/// @notice The INPUTS module (contracts/src/vm/steps/InputSteps.sol) on the vectors of
///         docs/vectors/vm/l1-inputs.json, and its pure pieces on their own.
contract InputStepsTest is VmVectorsTest {
    InputProbe internal p;

    InputSteps internal inputs;
    InputTailSteps internal tail;

    function modules() internal override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        inputs = new InputSteps(engine);
        m[Route.INPUTS] = address(inputs);
        tail = new InputTailSteps(engine);
        m[Route.INPUT_TAIL] = address(tail);
        p = new InputProbe();
    }

    function test_zeros() public view {
        bytes memory b = new bytes(100);
        assertEq(p.zeros(b, 0, 100), 100);
        assertEq(p.zeros(b, 3, 67), 64);
        b[5] = 0x01;
        b[40] = 0x80;
        b[99] = 0xff;
        assertEq(p.zeros(b, 0, 100), 97);
        assertEq(p.zeros(b, 5, 6), 0);
        assertEq(p.zeros(b, 6, 6), 0);
        assertEq(p.zeros(b, 41, 99), 58);
    }

    function test_evaluationPoints() public view {
        uint256 r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
        assertEq(uint256(p.point(0)), 1);
        assertEq(uint256(p.point(1)), r - 1);
        // ω^bitrev(2) = ω^1024, a fourth root of unity: its square is −1.
        uint256 z = uint256(p.point(2));
        assertEq(mulmod(z, z, r), r - 1);
        // Every point is a 4096th root of unity.
        for (uint256 g = 0; g < 4096; g += 311) {
            uint256 x = uint256(p.point(g));
            for (uint256 k = 0; k < 12; ++k) {
                x = mulmod(x, x, r);
            }
            assertEq(x, 1);
        }
    }

    function test_itemDepth() public view {
        uint256[9] memory n = [uint256(0), 1, 2, 3, 4, 5, 8, 9, 1 << 40];
        uint256[9] memory d = [uint256(0), 0, 1, 2, 2, 3, 3, 4, 40];
        for (uint256 i = 0; i < 9; ++i) {
            assertEq(p.depth(n[i]), d[i]);
        }
    }

    function test_rlpEncoders() public view {
        assertEq(p.encodeUint(0), hex"80");
        assertEq(p.encodeUint(1), hex"01");
        assertEq(p.encodeUint(0x7f), hex"7f");
        assertEq(p.encodeUint(0x80), hex"8180");
        assertEq(p.encodeUint(0x1234), hex"821234");
        assertEq(p.encodeUint(type(uint64).max), hex"88ffffffffffffffff");
        assertEq(p.listHeader(0), hex"c0");
        assertEq(p.listHeader(55), hex"f7");
        assertEq(p.listHeader(56), hex"f838");
        assertEq(p.listHeader(0x1234), hex"f91234");
    }

    /// @notice A legacy EIP-155 transfer (the EIP-155 example transaction).
    function test_legacyEip155() public view {
        bytes memory raw =
            hex"f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83";
        Prefix memory x = p.prefix(raw);
        assertTrue(x.ok);
        assertEq(x.txType, 0);
        assertEq(x.nonce, 9);
        assertEq(x.maxFee, 20 gwei);
        assertEq(x.gasLimit, 21000);
        assertEq(x.to, 0x3535353535353535353535353535353535353535);
        assertEq(x.value, 1 ether);
        assertEq(x.bodyStart, 2);
        assertEq(x.dataLen, 0);
        uint256 at = x.dataStart + x.dataLen;
        Sig memory g = p.signature(raw, at, 0);
        assertTrue(g.ok);
        assertTrue(g.hasChainId);
        assertEq(g.chainId, 1);
        assertFalse(g.yParity);
        // The signing hash of the example: keccak256 of the body with (1, 0, 0).
        (bool ok, address sender) =
            p.recover(0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53, g.yParity, g.r, g.s);
        assertTrue(ok);
        assertEq(sender, 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F);
        // A high s is refused before the precompile (EIP-2).
        (ok,) = p.recover(bytes32(0), false, 1, TxDecode.SECP256K1N_HALF + 1);
        assertFalse(ok);
    }

    function test_prefixSkips() public view {
        assertFalse(p.prefix(hex"03c0").ok, "blob type");
        assertFalse(p.prefix(hex"04c0").ok, "7702 type");
        assertFalse(p.prefix(hex"00c0").ok, "type 0 byte");
        assertFalse(p.prefix(hex"c0").ok, "empty list");
        assertFalse(p.prefix(hex"83010203").ok, "a string");
        assertFalse(p.prefix(hex"02").ok, "type only");
        // Bytes after the list.
        assertFalse(p.prefix(hex"c3010203ff").ok, "trailing");
    }

    /// @notice Each l1-inputs vector on its own, with the gas of its step (a vector that
    ///         is refused is logged, not failed: `test_l1InputVectors` is the check).
    function test_eachL1Vector() public {
        string memory json = vm.readFile(path("l1-inputs"));
        uint256 n = count(json);
        for (uint256 i = 0; i < n; ++i) {
            string memory name = vm.parseJsonString(json, key(i, "name"));
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            try verifier.step(pre, witness) returns (bytes32 post) {
                g -= gasleft();
                bool same = post == vm.parseJsonBytes32(json, key(i, "post"));
                console.log(same ? "ok  " : "DIFF", name, g);
            } catch (bytes memory err) {
                console.log("ERR ", name);
                console.logBytes(err);
            }
        }
    }

    function cut(bytes memory w, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = w[from + i];
        }
    }

    /// @notice A step of another phase, and a step the tail does not take, are refused
    ///         as another module's.
    function test_wrongModule() public {
        (, bytes memory w,) = vector("l1-inputs", "tx-open-legacy-eip155");
        (uint256[] memory ats,) = probe.accessOffsets(w);
        // The phase tag is the byte before the access count: NextTx → Begin.
        w[ats[0] - 3] = 0x01;
        (bytes32 pre,) = probe.commitments(w);
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.WRONG_MODULE));
        inputs.step(pre, w);
        (bytes32 pre2, bytes memory w2,) = vector("l1-inputs", "tx-open-legacy-eip155");
        InputTailSteps t = tail;
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Inconsistent.selector, StepBase.WRONG_MODULE));
        t.step(pre2, w2);
    }

    /// @notice A witness short of its last access is `Missing`; one with an access more is
    ///         `Unused`; one of another state is `WrongPreState`.
    function test_accessesCountExactly() public {
        (bytes32 pre, bytes memory w,) = vector("l1-inputs", "tx-open-legacy-eip155");
        (uint256[] memory ats, uint256 end) = probe.accessOffsets(w);
        uint256 n = ats.length;
        uint256 countAt = ats[0] - 2;
        bytes memory shorter = bytes.concat(cut(w, 0, countAt), bytes2(uint16(n - 1)), cut(w, ats[0], ats[n - 1]));
        vm.expectPartialRevert(IFaultVM.Missing.selector);
        inputs.step(pre, shorter);
        bytes memory longer =
            bytes.concat(cut(w, 0, countAt), bytes2(uint16(n + 1)), cut(w, ats[0], end), cut(w, ats[n - 1], end));
        vm.expectRevert(abi.encodeWithSelector(IFaultVM.Unused.selector, 1, 0));
        inputs.step(pre, longer);
        vm.expectPartialRevert(IFaultVM.WrongPreState.selector);
        inputs.step(bytes32(uint256(pre) ^ 1), w);
    }
}
