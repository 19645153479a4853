// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {InitialState} from "../../src/dispute/lib/InitialState.sol";
import {BlockCtx} from "../../src/vm/Machine.sol";

/// @dev Calls the library externally, so that its reverts can be expected.
contract InitialStateHarness {
    /// @dev One case's inputs.
    struct Input {
        bytes header;
        InitialState.Record record;
        InitialState.Leaf leaf;
        uint256 forced;
        uint256 l1BaseFee;
        uint256 l1BlobBaseFee;
        InitialState.Chain chain;
        bytes32 accFrom;
        bytes32 accTo;
    }

    function run(Input memory i)
        external
        pure
        returns (bytes32 commitment, InitialState.Deposits memory d, uint256 basefee, uint256 timestamp)
    {
        InitialState.Parent memory p = InitialState.parent(i.header);
        BlockCtx memory ctx;
        (ctx, d.from, d.to) = InitialState.blockCtx(p, i.leaf, i.forced, i.l1BaseFee, i.l1BlobBaseFee, i.chain);
        (d.accFrom, d.accTo) = (i.accFrom, i.accTo);
        commitment = InitialState.commitment(ctx, i.record, i.leaf, d, p.stateRoot);
        (basefee, timestamp) = (ctx.basefee, ctx.timestamp);
    }

    function parent(bytes memory header) external pure returns (InitialState.Parent memory) {
        return InitialState.parent(header);
    }
}

/// @notice The Rust-written cases of docs/vectors/dispute/block-start.json
///         (crates/vm-core/tests/initial_vectors.rs): the same commitment, or the same
///         refusal, as `faultline_vm_core::initial`.
contract InitialStateTest is Test {
    InitialStateHarness internal h;
    string internal json;

    function setUp() public {
        h = new InitialStateHarness();
        json = vm.readFile("docs/vectors/dispute/block-start.json");
    }

    function _count() internal view returns (uint256 n) {
        while (vm.keyExistsJson(json, string.concat(".cases[", vm.toString(n), "]"))) ++n;
    }

    function _u(string memory p, string memory k) internal view returns (uint256) {
        return vm.parseJsonUint(json, string.concat(p, k));
    }

    function _b(string memory p, string memory k) internal view returns (bytes32) {
        return vm.parseJsonBytes32(json, string.concat(p, k));
    }

    function _chain(string memory p) internal view returns (InitialState.Chain memory c) {
        string memory q = string.concat(p, ".chain");
        c.chainId = _u(q, ".chainId");
        c.blockGasLimit = _u(q, ".blockGasLimit");
        c.baseFeeFloor = _u(q, ".baseFeeFloor");
        c.baseFeeChangeDenominator = _u(q, ".baseFeeChangeDenominator");
        c.elasticityMultiplier = _u(q, ".elasticityMultiplier");
        c.feeRecipient = vm.parseJsonAddress(json, string.concat(q, ".feeRecipient"));
        c.l1BaseFeeScalar = _u(q, ".l1BaseFeeScalar");
        c.l1BlobBaseFeeScalar = _u(q, ".l1BlobBaseFeeScalar");
    }

    function _record(string memory p) internal view returns (InitialState.Record memory r) {
        string memory q = string.concat(p, ".record");
        r.root = _b(q, ".root");
        r.itemCount = _u(q, ".itemCount");
        r.length = _u(q, ".length");
        r.txCount = _u(q, ".txCount");
        r.blobs = _b(q, ".blobs");
    }

    function _leaf(string memory p) internal view returns (InitialState.Leaf memory l) {
        string memory q = string.concat(p, ".leaf");
        l.index = _u(q, ".index");
        l.number = _u(q, ".number");
        l.timestamp = _u(q, ".timestamp");
        l.depositCursor = _u(q, ".depositCursor");
        l.l1Origin = _u(q, ".l1Origin");
        l.txCount = _u(q, ".txCount");
        l.firstTx = _u(q, ".firstTx");
    }

    function test_vectors() public {
        uint256 n = _count();
        assertGt(n, 8, "the vectors have their cases");
        uint256 refused;
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".cases[", vm.toString(i), "]");
            string memory name = vm.parseJsonString(json, string.concat(p, ".name"));
            bytes memory header = vm.parseJsonBytes(json, string.concat(p, ".header"));
            InitialState.Parent memory parent = h.parent(header);
            assertEq(parent.hash, _b(p, ".parentHash"), name);
            assertEq(parent.stateRoot, _b(p, ".stateRoot"), name);
            bool refusedCase = vm.keyExistsJson(json, string.concat(p, ".error"));
            InitialStateHarness.Input memory input = InitialStateHarness.Input({
                header: header,
                record: _record(p),
                leaf: _leaf(p),
                forced: _u(p, ".forcedCursor"),
                l1BaseFee: _u(p, ".l1BaseFee"),
                l1BlobBaseFee: _u(p, ".l1BlobBaseFee"),
                chain: _chain(p),
                accFrom: refusedCase ? bytes32(0) : _b(p, ".accFrom"),
                accTo: refusedCase ? bytes32(0) : _b(p, ".accTo")
            });
            if (refusedCase) {
                string memory err = vm.parseJsonString(json, string.concat(p, ".error"));
                bytes4 sel = keccak256(bytes(err)) == keccak256("NotTheNextBlock")
                    ? InitialState.NotTheNextBlock.selector
                    : InitialState.OriginDecreased.selector;
                vm.expectPartialRevert(sel);
                h.run(input);
                ++refused;
                continue;
            }
            (bytes32 got, InitialState.Deposits memory d, uint256 basefee, uint256 timestamp) = h.run(input);
            assertEq(d.from, _u(p, ".from"), name);
            assertEq(d.to, _u(p, ".to"), name);
            assertEq(basefee, _u(p, ".basefee"), name);
            assertEq(timestamp, _u(p, ".timestamp"), name);
            assertEq(got, _b(p, ".commitment"), name);
        }
        assertEq(refused, 2, "both refusals ran");
    }

    /// @notice A header that is not one RLP list, or is cut short, is refused with
    ///         `MalformedHeader`, never read past.
    function test_malformedHeaders() public {
        bytes memory header = vm.parseJsonBytes(json, ".cases[0].header");
        bytes[] memory bad = new bytes[](4);
        bad[0] = "";
        bad[1] = hex"80"; // a string, not a list
        bytes memory cut = new bytes(header.length - 1);
        for (uint256 i = 0; i < cut.length; ++i) {
            cut[i] = header[i];
        }
        bad[2] = cut;
        bad[3] = hex"c3010203"; // a list of three items
        for (uint256 i = 0; i < bad.length; ++i) {
            vm.expectPartialRevert(InitialState.MalformedHeader.selector);
            h.parent(bad[i]);
        }
    }

    /// @notice Any mutation of a header is refused or changes its hash (which the game ties
    ///         to the agreed output): decoding never reverts without a reason, nor panics.
    function testFuzz_mutatedHeader(uint256 at, uint8 x) public view {
        bytes memory header = vm.parseJsonBytes(json, ".cases[0].header");
        at = bound(at, 0, header.length - 1);
        vm.assume(x != 0);
        header[at] = bytes1(uint8(header[at]) ^ x);
        try h.parent(header) returns (InitialState.Parent memory p) {
            assertTrue(p.hash != _b(".cases[0]", ".parentHash"));
        } catch (bytes memory reason) {
            assertEq(bytes4(reason), InitialState.MalformedHeader.selector, "only MalformedHeader");
        }
    }
}
