// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, console} from "forge-std/Test.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {Route} from "../../src/vm/Route.sol";
import {OpcodeSteps} from "../../src/vm/steps/OpcodeSteps.sol";
import {OpcodeEnvSteps} from "../../src/vm/steps/OpcodeEnvSteps.sol";
import {OpcodeCopySteps} from "../../src/vm/steps/OpcodeCopySteps.sol";
import {OpcodeMemorySteps} from "../../src/vm/steps/OpcodeMemorySteps.sol";
import {VmVectorsTest} from "./VmVectors.t.sol";
import {StepBase} from "../../src/vm/StepBase.sol";
import {Stacks} from "../../src/vm/Stacks.sol";
import {Arithmetic} from "../../src/vm/steps/opcodes/Arithmetic.sol";
import {Bitwise} from "../../src/vm/steps/opcodes/Bitwise.sol";
import {StackOps} from "../../src/vm/steps/opcodes/StackOps.sol";
import {Control} from "../../src/vm/steps/opcodes/Control.sol";
import {Copies} from "../../src/vm/steps/opcodes/Copies.sol";
import {System} from "../../src/vm/steps/opcodes/System.sol";
import {MemoryOps} from "../../src/vm/steps/opcodes/MemoryOps.sol";
import {BlockInfo} from "../../src/vm/steps/opcodes/BlockInfo.sol";
import {Operands} from "../../src/vm/steps/opcodes/Operands.sol";
import {Machine, Frame, HashStack, Tally} from "../../src/vm/Machine.sol";

/// @notice The vectors of the OPCODES module's kinds (docs/vectors/vm/steps.json's
///         Opcode(n) vectors of the opcodes `Route.isHostOpcode` leaves to it, and
///         errors.json's ADD witnesses) through the router with the OPCODES module's four
///         parts only.
contract OpcodeStepsVectorsTest is VmVectorsTest {
    function modules() internal virtual override returns (address[] memory m) {
        m = new address[](Route.COUNT);
        m[Route.OPCODES] = address(new OpcodeSteps(engine));
        m[Route.OPCODE_ENV] = address(new OpcodeEnvSteps(engine));
        m[Route.OPCODE_COPY] = address(new OpcodeCopySteps(engine));
        m[Route.OPCODE_MEMORY] = address(new OpcodeMemorySteps(engine));
    }

    /// @notice The opcode of an `Opcode(n)` kind, or 256 for another kind.
    function opcodeOf(string memory kind) internal pure returns (uint256 op) {
        bytes memory k = bytes(kind);
        bytes memory tag = bytes("Opcode(");
        if (k.length <= tag.length + 1) return 256;
        for (uint256 i = 0; i < tag.length; ++i) {
            if (k[i] != tag[i]) return 256;
        }
        for (uint256 i = tag.length; i < k.length - 1; ++i) {
            op = op * 10 + (uint8(k[i]) - 48);
        }
    }

    /// @notice Every Opcode(n) vector of a non-host opcode steps to its post through the
    ///         router (none is unsupported), and its part alone gives the same post; the
    ///         gas of each (routed, alone) is logged.
    function test_everyOpcodeVectorOfTheModule() public view {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        address[] memory parts = verifier.modulesInOrder();
        uint256 seen;
        for (uint256 i = 0; i < n; ++i) {
            uint256 op = opcodeOf(vm.parseJsonString(json, key(i, "kind")));
            if (op == 256 || Route.isHostOpcode(op)) continue;
            string memory name = vm.parseJsonString(json, key(i, "name"));
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes32 post = vm.parseJsonBytes32(json, key(i, "post"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            uint256 g = gasleft();
            assertEq(verifier.step(pre, witness), post, name);
            uint256 routed = g - gasleft();
            address part = parts[Route.opcodeModule(op)];
            g = gasleft();
            assertEq(IFaultVM(part).step(pre, witness), post, name);
            uint256 alone = g - gasleft();
            console.log(name, routed, alone);
            ++seen;
        }
        assertEq(seen, 26, "the module's Opcode(n) vectors");
    }

    /// @notice Each part refuses the steps of the other parts as `Inconsistent(WRONG_MODULE)`.
    function test_eachPartRefusesTheOthersSteps() public view {
        string memory json = vm.readFile(path("steps"));
        uint256 n = count(json);
        address[] memory parts = verifier.modulesInOrder();
        uint256[4] memory ids = [Route.OPCODES, Route.OPCODE_ENV, Route.OPCODE_COPY, Route.OPCODE_MEMORY];
        for (uint256 i = 0; i < n; ++i) {
            uint256 op = opcodeOf(vm.parseJsonString(json, key(i, "kind")));
            if (op == 256) continue;
            bytes32 pre = vm.parseJsonBytes32(json, key(i, "pre"));
            bytes memory witness = vm.parseJsonBytes(json, key(i, "witness"));
            for (uint256 j = 0; j < ids.length; ++j) {
                if (Route.opcodeModule(op) == ids[j]) continue;
                try IFaultVM(parts[ids[j]]).step(pre, witness) returns (bytes32) {
                    revert(string.concat(vm.parseJsonString(json, key(i, "name")), ": taken by another part"));
                } catch (bytes memory err) {
                    assertEq(err, abi.encodeWithSelector(IFaultVM.Inconsistent.selector, uint256(4)));
                }
            }
        }
    }

    /// @notice Every opcode goes to exactly one module: the host's list, the three parts'
    ///         lists, the rest (defined and undefined) to OPCODES.
    function test_opcodeModules() public pure {
        uint256[4] memory copies = [uint256(0x37), 0x39, 0x3e, 0x5e];
        for (uint256 i = 0; i < copies.length; ++i) {
            assertEq(Route.opcodeModule(copies[i]), Route.OPCODE_COPY);
        }
        for (uint256 op = 0x51; op <= 0x53; ++op) {
            assertEq(Route.opcodeModule(op), Route.OPCODE_MEMORY);
        }
        uint256[9] memory env = [uint256(0x20), 0x30, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a];
        for (uint256 i = 0; i < env.length; ++i) {
            assertEq(Route.opcodeModule(env[i]), Route.OPCODE_ENV);
        }
        assertEq(Route.opcodeModule(0x3d), Route.OPCODE_ENV);
        for (uint256 op = 0x40; op <= 0x4a; ++op) {
            assertEq(Route.opcodeModule(op), op == 0x47 ? Route.HOST : Route.OPCODE_ENV);
        }
        uint256[10] memory here = [uint256(0x00), 0x01, 0x1d, 0x50, 0x56, 0x5a, 0x5f, 0x9f, 0xfd, 0xfe];
        for (uint256 i = 0; i < here.length; ++i) {
            assertEq(Route.opcodeModule(here[i]), Route.OPCODES);
        }
        // Undefined opcodes halt in OPCODES.
        uint256[6] memory undefined = [uint256(0x0c), 0x1e, 0x21, 0x4b, 0xa5, 0xef];
        for (uint256 i = 0; i < undefined.length; ++i) {
            assertEq(Route.opcodeModule(undefined[i]), Route.OPCODES);
        }
    }
}

/// @notice The families of steps/opcodes/ on frames built in memory (no witness): the
///         values against a transcription of Rust's arithmetic (arithmetic.rs,
///         bitwise.rs), and each halt at the point Rust's `?` stops, keeping what was
///         done before it (gas charged, items popped).
contract OpcodeFamiliesTest is Test {
    using Stacks for HashStack;

    uint256 internal constant MIN = 1 << 255;

    function frame(uint256 gas, uint256[] memory items) internal pure returns (Frame memory f) {
        f.gas = gas;
        f.stack.tally = Tally(0, 0);
        // items[0] is the top: push the deepest first.
        for (uint256 i = items.length; i > 0; --i) {
            f.stack.pushWord(items[i - 1]);
        }
    }

    function stack(uint256 a) internal pure returns (uint256[] memory s) {
        s = new uint256[](1);
        s[0] = a;
    }

    function stack(uint256 a, uint256 b) internal pure returns (uint256[] memory s) {
        s = new uint256[](2);
        (s[0], s[1]) = (a, b);
    }

    function stack(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory s) {
        s = new uint256[](3);
        (s[0], s[1], s[2]) = (a, b, c);
    }

    function neg(uint256 x) internal pure returns (bool) {
        return x >= MIN;
    }

    function abs(uint256 x) internal pure returns (uint256) {
        unchecked {
            return neg(x) ? 0 - x : x;
        }
    }

    /// @notice Rust's `arithmetic` values, transcribed.
    function rustArith(uint256 op, uint256 a, uint256 b, uint256 m) internal pure returns (uint256) {
        unchecked {
            if (op == 0x01) return a + b;
            if (op == 0x02) return a * b;
            if (op == 0x03) return a - b;
            if (op == 0x04) return b == 0 ? 0 : a / b;
            if (op == 0x05) {
                if (b == 0) return 0;
                uint256 q = abs(a) / abs(b);
                return neg(a) != neg(b) ? 0 - q : q;
            }
            if (op == 0x06) return b == 0 ? 0 : a % b;
            if (op == 0x07) {
                if (b == 0) return 0;
                uint256 r = abs(a) % abs(b);
                return neg(a) ? 0 - r : r;
            }
            if (op == 0x08) return m == 0 ? 0 : addmod(a, b, m);
            if (op == 0x09) return m == 0 ? 0 : mulmod(a, b, m);
            if (op == 0x0a) {
                uint256 r = 1;
                uint256 x = a;
                for (uint256 e = b; e != 0; e >>= 1) {
                    if (e & 1 == 1) r *= x;
                    x *= x;
                }
                return r;
            }
            // SIGNEXTEND
            if (a >= 31) return b;
            uint256 bit = a * 8 + 7;
            uint256 mask = (uint256(1) << (bit + 1)) - 1;
            return (b >> bit) & 1 == 1 ? b | ~mask : b & mask;
        }
    }

    /// @notice Rust's `bitwise` values, transcribed.
    function rustBitwise(uint256 op, uint256 a, uint256 b) internal pure returns (uint256) {
        bool sa = neg(a);
        bool sb = neg(b);
        bool slt_ = sa != sb ? sa : a < b;
        bool sgt_ = sa != sb ? sb : b < a;
        if (op == 0x10) return a < b ? 1 : 0;
        if (op == 0x11) return a > b ? 1 : 0;
        if (op == 0x12) return slt_ ? 1 : 0;
        if (op == 0x13) return sgt_ ? 1 : 0;
        if (op == 0x14) return a == b ? 1 : 0;
        if (op == 0x15) return a == 0 ? 1 : 0;
        if (op == 0x16) return a & b;
        if (op == 0x17) return a | b;
        if (op == 0x18) return a ^ b;
        if (op == 0x19) return ~a;
        if (op == 0x1a) return a < 32 ? (b >> (8 * (31 - a))) & 0xff : 0;
        if (op == 0x1b) return a < 256 ? b << a : 0;
        if (op == 0x1c) return a < 256 ? b >> a : 0;
        if (a >= 256) return sb ? type(uint256).max : 0;
        return sb ? ~((~b) >> a) : b >> a;
    }

    function pick(uint256 x, uint256 seed) internal pure returns (uint256) {
        // Edge values as often as random ones.
        uint256 k = seed % 8;
        if (k == 0) return 0;
        if (k == 1) return MIN;
        if (k == 2) return type(uint256).max;
        if (k == 3) return x % 300;
        if (k == 4) return MIN - 1;
        return x;
    }

    function testFuzz_arithmeticIsRusts(uint8 o, uint256 a, uint256 b, uint256 m, uint256 seed) public pure {
        uint256 op = 1 + (uint256(o) % 11);
        (a, b, m) = (pick(a, seed), pick(b, seed >> 8), pick(m, seed >> 16));
        Frame memory f = frame(1 << 40, stack(a, b, m));
        assertEq(Arithmetic.run(f, op), 0);
        assertEq(f.stack.popWord(0), rustArith(op, a, b, m));
        assertEq(f.stack.len, op == 0x08 || op == 0x09 ? 0 : 1);
    }

    function testFuzz_bitwiseIsRusts(uint8 o, uint256 a, uint256 b, uint256 seed) public pure {
        uint256 op = 0x10 + (uint256(o) % 14);
        (a, b) = (pick(a, seed), pick(b, seed >> 8));
        Frame memory f = frame(1 << 40, stack(a, b));
        assertEq(Bitwise.run(f, op), 0);
        assertEq(f.gas, (1 << 40) - 3);
        assertEq(f.stack.popWord(0), rustBitwise(op, a, b));
        assertEq(f.stack.len, op == 0x15 || op == 0x19 ? 1 : 0);
    }

    function testFuzz_expGas(uint256 e) public pure {
        uint256 bits;
        for (uint256 x = e; x != 0; x >>= 1) {
            ++bits;
        }
        assertEq(Arithmetic.expGas(e), 50 * ((bits + 7) / 8));
    }

    /// @notice Out of gas before any pop: the gas and the stack as they were.
    function test_outOfGasBeforeThePops() public pure {
        Frame memory f = frame(2, stack(1, 2));
        assertEq(Arithmetic.run(f, 0x01), StepBase.OUT_OF_GAS);
        assertEq(f.gas, 2);
        assertEq(f.stack.len, 2);
    }

    /// @notice A second pop under the stack: the gas charged, the first item popped.
    function test_underflowAtTheSecondPop() public pure {
        Frame memory f = frame(100, stack(7));
        assertEq(Bitwise.run(f, 0x16), StepBase.STACK_UNDERFLOW);
        assertEq(f.gas, 97);
        assertEq(f.stack.len, 0);
        // ADDMOD: two popped, the third missing.
        f = frame(100, stack(7, 8));
        assertEq(Arithmetic.run(f, 0x08), StepBase.STACK_UNDERFLOW);
        assertEq(f.gas, 92);
        assertEq(f.stack.len, 0);
        // ISZERO pops one only.
        f = frame(100, stack(0));
        assertEq(Bitwise.run(f, 0x15), 0);
        assertEq(f.stack.popWord(0), 1);
    }

    /// @notice EXP's byte gas after both pops: out of gas there keeps them popped.
    function test_expOutOfGasAfterThePops() public pure {
        Frame memory f = frame(10 + 99, stack(3, 0x100));
        assertEq(Arithmetic.run(f, 0x0a), StepBase.OUT_OF_GAS);
        assertEq(f.gas, 99);
        assertEq(f.stack.len, 0);
        f = frame(10 + 100, stack(3, 0x100));
        assertEq(Arithmetic.run(f, 0x0a), 0);
        assertEq(f.gas, 0);
        unchecked {
            assertEq(f.stack.popWord(0), uint256(3) ** 0x100);
        }
    }

    /// @notice DUPn and SWAPn check their depth (and DUP the limit) after the gas, before
    ///         any pop; a full stack overflows on a push, after the gas.
    function test_stackHalts() public pure {
        Machine memory m;
        Frame memory f = frame(100, stack(1, 2));
        assertEq(StackOps.run(m, f, 0x82, 0), StepBase.STACK_UNDERFLOW); // DUP3
        assertEq(f.gas, 97);
        assertEq(f.stack.len, 2);
        assertEq(StackOps.run(m, f, 0x91, 0), StepBase.STACK_UNDERFLOW); // SWAP2
        assertEq(f.gas, 94);
        assertEq(f.stack.len, 2);
        assertEq(StackOps.run(m, f, 0x90, 0), 0); // SWAP1: (2, 1)
        assertEq(StackOps.run(m, f, 0x81, 0), 0); // DUP2: (1, 2, 1)
        assertEq(f.stack.len, 3);
        assertEq(f.stack.popWord(0), 1);
        assertEq(f.stack.popWord(0), 2);
        assertEq(f.stack.popWord(0), 1);
        // A stack of 1,024: DUP1 and PUSH0 overflow after their gas.
        f = frame(100, stack(5));
        f.stack.len = StepBase.STACK_LIMIT;
        assertEq(StackOps.run(m, f, 0x80, 0), StepBase.STACK_OVERFLOW);
        assertEq(f.gas, 97);
        assertEq(StackOps.run(m, f, 0x5f, 0), StepBase.STACK_OVERFLOW);
        assertEq(f.gas, 95);
        assertEq(f.stack.len, StepBase.STACK_LIMIT);
        // POP of an empty stack.
        f = frame(100, new uint256[](0));
        assertEq(StackOps.run(m, f, 0x50, 0), StepBase.STACK_UNDERFLOW);
        assertEq(f.gas, 98);
    }

    /// @notice A jump beyond u64 or the code is a bad jump before any access (the machine
    ///         has none); JUMPI of a zero condition does not jump; STOP succeeds.
    function test_control() public pure {
        Machine memory m;
        Frame memory f = frame(100, stack(type(uint256).max));
        f.codeLen = 10;
        f.pc = 4;
        assertEq(Control.run(m, f, 0x56, 3), StepBase.BAD_JUMP);
        assertEq(f.gas, 92);
        f = frame(100, stack(10));
        f.codeLen = 10;
        assertEq(Control.run(m, f, 0x56, 3), StepBase.BAD_JUMP);
        f = frame(100, stack(1 << 64, 0));
        f.pc = 4;
        assertEq(Control.run(m, f, 0x57, 3), 0);
        assertEq(f.pc, 4);
        assertEq(f.gas, 90);
        assertEq(f.stack.len, 0);
        f = frame(100, stack(1, 1));
        f.codeLen = 0;
        assertEq(Control.run(m, f, 0x57, 3), StepBase.BAD_JUMP);
        // PC, MSIZE, GAS.
        f = frame(100, new uint256[](0));
        f.memLen = 64;
        assertEq(Control.run(m, f, 0x58, 3), 0);
        assertEq(Control.run(m, f, 0x59, 3), 0);
        assertEq(Control.run(m, f, 0x5a, 3), 0);
        assertEq(f.stack.popWord(0), 94);
        assertEq(f.stack.popWord(0), 64);
        assertEq(f.stack.popWord(0), 3);
        assertEq(Control.run(m, f, 0x00, 3), 0);
        assertEq(f.status, StepBase.SUCCESS);
        assertEq(f.gas, 94);
    }

    /// @notice REVERT's expansion beyond u64 is out of gas, after both pops; a zero size
    ///         reverts with an empty output whatever the offset.
    function test_revert() public pure {
        Machine memory m;
        Frame memory f = frame(100, stack(1 << 64, 1));
        assertEq(Control.run(m, f, 0xfd, 0), StepBase.OUT_OF_GAS);
        assertEq(f.stack.len, 0);
        f = frame(100, stack(1 << 200, 0));
        assertEq(Control.run(m, f, 0xfd, 0), 0);
        assertEq(f.status, StepBase.REVERT);
        assertEq(f.output.len, 0);
        assertEq(f.output.offset, 0);
        assertEq(f.gas, 100);
    }

    /// @notice The copies' size saturates at u64 (out of gas); RETURNDATACOPY past the
    ///         return data, or with `offset + size` past U256, halts after the gas.
    function test_copyHalts() public pure {
        // A size past u64 is u64::MAX: 3 + 3 * 2^59 gas, more than any frame has.
        assertEq(Operands.copyGas(1 << 200), 3 + 3 * (1 << 59));
        assertEq(Operands.copyGas(33), 3 + 2 * 3);
        Machine memory m;
        Frame memory f = frame(1 << 40, stack(0, 0, 1 << 200));
        assertEq(Copies.run(m, f, 0x37), StepBase.OUT_OF_GAS);
        assertEq(f.stack.len, 0);
        f = frame(100, stack(0, type(uint256).max, 2));
        f.returnData.len = 4;
        assertEq(Copies.run(m, f, 0x3e), StepBase.RETURN_DATA_OUT_OF_BOUNDS);
        assertEq(f.gas, 94);
        f = frame(100, stack(0, 3, 2));
        f.returnData.len = 4;
        assertEq(Copies.run(m, f, 0x3e), StepBase.RETURN_DATA_OUT_OF_BOUNDS);
        // In bounds with a zero size: no copy, no access.
        f = frame(100, stack(1 << 100, 4, 0));
        f.returnData.len = 4;
        assertEq(Copies.run(m, f, 0x3e), 0);
        assertEq(f.gas, 97);
        // MCOPY of zero bytes expands nothing; of a source beyond u64 is out of gas.
        f = frame(100, stack(1 << 100, 1 << 100, 0));
        assertEq(Copies.run(m, f, 0x5e), 0);
        assertEq(f.memLen, 0);
        f = frame(100, stack(0, 1 << 64, 1));
        assertEq(Copies.run(m, f, 0x5e), StepBase.OUT_OF_GAS);
        assertEq(f.memLen, 0);
    }

    /// @notice KECCAK256's word gas saturates; MLOAD beyond u64 is out of gas after its
    ///         pop (no access).
    function test_memoryHalts() public pure {
        Machine memory m;
        Frame memory f = frame(1 << 40, stack(0, 1 << 70));
        assertEq(System.run(m, f, 0x20), StepBase.OUT_OF_GAS);
        assertEq(f.gas, 1 << 40);
        assertEq(f.stack.len, 0);
        f = frame(100, stack(1 << 64));
        assertEq(MemoryOps.run(m, f, 0x51), StepBase.OUT_OF_GAS);
        assertEq(f.gas, 97);
        assertEq(f.stack.len, 0);
    }

    /// @notice BLOCKHASH of this block, a later one, one beyond u64 or one more than 256
    ///         back is 0 with no access; BLOBHASH is 0.
    function test_blockHashOutOfWindow() public pure {
        Machine memory m;
        m.block_.number = 1000;
        uint256[4] memory ns = [uint256(1000), 1001, 1 << 64, 743];
        for (uint256 i = 0; i < ns.length; ++i) {
            Frame memory f = frame(100, stack(ns[i]));
            assertEq(BlockInfo.run(m, f, 0x40), 0);
            assertEq(f.gas, 80);
            assertEq(f.stack.popWord(0), 0);
        }
        Frame memory g = frame(100, stack(5));
        assertEq(BlockInfo.run(m, g, 0x49), 0);
        assertEq(g.gas, 97);
        assertEq(g.stack.popWord(0), 0);
        assertEq(g.stack.len, 0);
    }
}
