// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {console} from "forge-std/Test.sol";
import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {BlockStart} from "../../src/dispute/BlockStart.sol";
import {Positions} from "../../src/dispute/lib/Positions.sol";
import {IFaultDisputeGame} from "../../src/interfaces/IFaultDisputeGame.sol";
import {IFaultVM} from "../../src/interfaces/IFaultVM.sol";
import {VmArtifacts} from "../../script/VmArtifacts.sol";
import {DevChain} from "../helpers/DevChain.sol";
import {GameFixture} from "./FaultDisputeGame.t.sol";
import {GameTrace, Actor} from "./Actors.sol";

/// @notice Where `RealTraceTest` keeps the vector's bytes: as the code of accounts named
///         by what they hold (`vm.etch` puts them there once; reading is `EXTCODECOPY`),
///         so that the many models of a test share one copy.
library TraceData {
    function at(string memory what, uint256 t, uint256 k) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("faultline.test.trace", what, t, k)))));
    }
}

/// @notice A view of the trace of docs/vectors/dispute/game.json (three real L2 blocks,
///         written by crates/vm-prover/tests/game_vectors.rs): the output roots, each
///         block's commitment at every position and the witness of every step, for the
///         real verifier and `BlockStart`. Honest, or lying from block `lieBlock` (index in
///         the game's trace) at machine step `lieStep` on (the states after it are
///         garbage, its Done state carries a wrong output), or only in level 1's padding.
contract RealTrace is GameTrace {
    uint256 public constant NONE = type(uint256).max;

    bytes32 public immutable startOutput;
    uint256 public immutable lieBlock;
    uint256 public immutable lieStep;
    bool public immutable liesInPadding;

    constructor(FaultDisputeGame game_, bytes32 startOutput_, uint256 lieBlock_, uint256 lieStep_, bool pad)
        GameTrace(game_)
    {
        startOutput = startOutput_;
        lieBlock = lieBlock_;
        lieStep = lieStep_;
        liesInPadding = pad;
    }

    /// @notice Steps in block `t`'s machine trace (the last position is the Done state).
    function steps(uint256 t) public view returns (uint256) {
        return TraceData.at("trace", t, 0).code.length / 32 - 1;
    }

    /// @notice The true commitment of block `t` after `j` steps (padded with the last).
    function trueState(uint256 t, uint256 j) public view returns (bytes32 s) {
        uint256 n = steps(t);
        if (j > n) j = n;
        address a = TraceData.at("trace", t, 0);
        assembly ("memory-safe") {
            let p := mload(0x40)
            extcodecopy(a, p, mul(j, 32), 32)
            s := mload(p)
        }
    }

    /// @notice The true Done state preimage of block `t`.
    function trueDone(uint256 t) public view returns (bytes memory) {
        return TraceData.at("done", t, 0).code;
    }

    /// @notice The output root this view holds at level-1 trace index `t`.
    function output(uint256 t) public view returns (bytes32 o) {
        if (t >= blocks && liesInPadding) return keccak256(abi.encode("padding lie", t));
        if (t >= blocks) t = blocks - 1;
        if (t >= lieBlock) return keccak256(abi.encode("bad output", t));
        bytes memory d = trueDone(t);
        assembly ("memory-safe") {
            o := mload(add(d, mload(d)))
        }
    }

    /// @inheritdoc GameTrace
    function donePreimage(uint256 t) public view override returns (bytes memory d) {
        d = trueDone(t);
        if (t < lieBlock) return d;
        bytes32 o = output(t);
        assembly ("memory-safe") {
            mstore(add(d, mload(d)), o)
        }
    }

    /// @notice This view's commitment of block `t` after `j` steps.
    function state(uint256 t, uint256 j) public view returns (bytes32) {
        if (t < lieBlock || (t == lieBlock && j <= lieStep)) return trueState(t, j);
        if (j >= steps(t)) return keccak256(donePreimage(t));
        return keccak256(abi.encode("bad state", t, j));
    }

    /// @inheritdoc GameTrace
    function valueAt(uint128 pos) public view override returns (bytes32) {
        if (Positions.depth(pos) <= split) return output(Positions.traceIndex(pos, split));
        return state(blockOf(pos), game.execTraceIndex(pos) + 1);
    }

    /// @inheritdoc GameTrace
    /// @dev The witness of the step from this view's state: step `k` for an attack on the
    ///      leaf at trace index `k`, `k + 1` for a defence; `BlockStart`'s proof for the
    ///      block's first step.
    function stepProof(uint128 pos, bool isAttack) public view override returns (bytes memory, bytes memory) {
        uint256 t = blockOf(pos);
        uint256 k = game.execTraceIndex(pos);
        uint256 s = isAttack ? k : k + 1;
        uint256 n = steps(t);
        if (s > n) s = n;
        bytes memory start = isAttack && k == 0 ? TraceData.at("startProof", t, 0).code : bytes("");
        return (TraceData.at("witness", t, s).code, start);
    }
}

/// @notice The rollup on L1 as production deploys it (config, portal, inbox, oracle) for
///         the blocks of docs/vectors/dispute/game.json, with the real one-step verifier
///         (every module) and `BlockStart`: the vector's deposit made through the portal,
///         its batch posted to the inbox, its trace and witnesses where `RealTrace` reads
///         them.
abstract contract RealTraceFixture is GameFixture {
    uint64 internal constant BLOCKS = 3;

    string internal vectors;
    IFaultVM internal verifier;
    address internal engine;
    BlockStart internal realStart;
    bytes32 internal genesisOutput;

    /// @dev Reads the vector and deploys the verifier (once per test).
    function _loadVectors() internal {
        vectors = vm.readFile("docs/vectors/dispute/game.json");
        assertEq(vm.parseJsonUint(vectors, ".chain.chainId"), L2_CHAIN_ID, "the vector's chain id");
        assertEq(vm.parseJsonUint(vectors, ".chain.blockGasLimit"), DevChain.params().blockGasLimit);
        assertEq(vm.parseJsonUint(vectors, ".chain.sequencingWindow"), DevChain.params().sequencingWindow);
        genesisOutput = vm.parseJsonBytes32(vectors, ".genesis.outputRoot");
        address v;
        (v, engine) = VmArtifacts.deploy(vm);
        verifier = IFaultVM(v);
        for (uint256 t = 0; t < BLOCKS; ++t) {
            string memory b = string.concat(".blocks[", vm.toString(t), "]");
            vm.etch(TraceData.at("trace", t, 0), vm.parseJsonBytes(vectors, string.concat(b, ".trace")));
            vm.etch(TraceData.at("done", t, 0), vm.parseJsonBytes(vectors, string.concat(b, ".done")));
            vm.etch(TraceData.at("startProof", t, 0), vm.parseJsonBytes(vectors, string.concat(b, ".startProof")));
            uint256 n = vm.parseJsonUint(vectors, string.concat(b, ".steps"));
            for (uint256 k = 0; k <= n; ++k) {
                string memory w = string.concat(b, ".witnesses[", vm.toString(k), "]");
                assertEq(vm.parseJsonUint(vectors, string.concat(w, ".step")), k);
                vm.etch(TraceData.at("witness", t, k), vm.parseJsonBytes(vectors, string.concat(w, ".witness")));
            }
        }
    }

    /// @dev The L1 of the vector: its fee record, deposit and batch, on the rollup's real
    ///      contracts, and the game over the real verifier and `BlockStart`.
    function _deployReal(uint8 execDepth) internal {
        vm.roll(vm.parseJsonUint(vectors, ".l1.block"));
        vm.warp(vm.parseJsonUint(vectors, ".l1.timestamp"));
        vm.fee(vm.parseJsonUint(vectors, ".l1.baseFee"));
        // The blob base fee is the minimum, 1 wei, where forge's test EVM keeps it.
        assertEq(block.blobbasefee, vm.parseJsonUint(vectors, ".l1.blobBaseFee"), "the vector's blob base fee");
        _deployRollupWith(BLOCKS, genesisOutput);
        // The deposit, from an EOA as the vector has it (so not aliased).
        address from = vm.parseJsonAddress(vectors, ".l1.deposit.from");
        uint256 mint = vm.parseJsonUint(vectors, ".l1.deposit.mint");
        vm.deal(from, mint);
        vm.prank(from, from);
        portal.depositTransaction{value: mint}(
            vm.parseJsonAddress(vectors, ".l1.deposit.to"),
            vm.parseJsonUint(vectors, ".l1.deposit.value"),
            uint64(vm.parseJsonUint(vectors, ".l1.deposit.gasLimit")),
            vm.parseJsonBytes(vectors, ".l1.deposit.data")
        );
        vm.roll(block.number + 1);
        vm.warp(block.timestamp + 12);
        vm.prank(sequencer);
        assertEq(inbox.submitBatch(vm.parseJsonBytes(vectors, ".l1.batch")), 0, "batch 0");
        realStart = new BlockStart(inbox);
        _installGame(verifier, realStart, execDepth);
    }

    function _realModel(uint256 lieBlock, uint256 lieStep, bool pad) internal returns (RealTrace) {
        return new RealTrace(game, genesisOutput, lieBlock, lieStep, pad);
    }

    function _steps(uint256 t) internal view returns (uint256) {
        return vm.parseJsonUint(vectors, string.concat(".blocks[", vm.toString(t), "].steps"));
    }
}

/// @notice Whole games on real L2 blocks (docs/dispute.md, "Tests"): an honest actor
///         playing from the Rust prover's commitments and witnesses wins against a wrong
///         output and against a wrong challenge, whichever step of whichever block the
///         other side lies at, with either side holding the leaves.
contract RealTraceTest is RealTraceFixture {
    function setUp() public {
        _loadVectors();
    }

    /// @dev The lies a block's trace is tried with: at every step, at the Done state's
    ///      first no-op, and at the last position of the padding.
    function _lieSteps(uint256 t) internal view returns (uint256[] memory s) {
        uint256 n = _steps(t);
        s = new uint256[](n + 2);
        for (uint256 k = 0; k <= n; ++k) {
            s[k] = k;
        }
        s[n + 1] = (uint256(1) << (game.maxDepth() - game.splitDepth() - 1)) - 2;
    }

    function test_theHonestTraceIsTheChains() public {
        _deployReal(5);
        RealTrace truth = _realModel(type(uint256).max, 0, false);
        for (uint256 t = 0; t < BLOCKS; ++t) {
            string memory b = string.concat(".blocks[", vm.toString(t), "]");
            assertEq(truth.output(t), vm.parseJsonBytes32(vectors, string.concat(b, ".outputRoot")));
            // BlockStart on the real inbox and portal computes the prover's start.
            bytes32 parent = t == 0 ? genesisOutput : truth.output(t - 1);
            assertEq(
                realStart.initialCommitment(parent, t + 1, TraceData.at("startProof", t, 0).code),
                truth.trueState(t, 0),
                "BlockStart: the block's start"
            );
            assertEq(keccak256(truth.trueDone(t)), truth.trueState(t, truth.steps(t)), "Done's preimage");
            // Every witness steps the real verifier from one commitment to the next.
            for (uint256 k = 0; k <= truth.steps(t); ++k) {
                assertEq(
                    verifier.step(truth.trueState(t, k), TraceData.at("witness", t, k).code),
                    truth.trueState(t, k + 1),
                    string.concat("block ", vm.toString(t + 1), " step ", vm.toString(k))
                );
            }
        }
    }

    // ---------------------------------------------------------------- whole games

    /// @dev A wrong output (its proposer's trace departs at block index `lieBlock`, step
    ///      `lieStep`, or only in level 1's padding) defended by its proposer's agent loses
    ///      to one honest challenger; returns the honest side's moves.
    function _wrongOutputLoses(uint256 lieBlock, uint256 lieStep, bool pad) internal returns (uint256) {
        RealTrace truth = _realModel(type(uint256).max, 0, false);
        RealTrace lie = _realModel(lieBlock, lieStep, pad);
        Actor honest = _actor(truth);
        Actor liar = _actor(lie);
        bytes32 wrong = lie.output(BLOCKS);
        assertTrue(wrong != truth.output(BLOCKS), "a wrong output");
        uint256 index = _propose(address(liar), wrong);
        uint256 gameId = honest.challenge(index, wrong);
        _play(gameId, liar, honest);
        string memory at = _lie(lieBlock, lieStep);
        assertEq(honest.refused(), 0, string.concat(at, ": the game refused no honest move"));
        assertEq(uint8(game.game(gameId).status), uint8(IFaultDisputeGame.Status.ChallengerWins), at);
        _decidedAtALeaf(honest, liar, at);
        assertEq(oracle.outputCount(), 1, "output deleted");
        assertEq(oracle.credit(address(honest)), _prize(), "half the proposer bond to the challenger");
        assertEq(game.credit(address(liar)), 0, "liar keeps nothing");
        _conserved(honest, liar);
        return honest.moves();
    }

    /// @dev The honest output, defended by its proposer, survives a challenger lying at
    ///      block `lieBlock`, step `lieStep`, and then finalizes.
    function _wrongChallengeLoses(uint256 lieBlock, uint256 lieStep, bool pad) internal returns (uint256) {
        RealTrace truth = _realModel(type(uint256).max, 0, false);
        Actor honest = _actor(truth);
        Actor liar = _actor(_realModel(lieBlock, lieStep, pad));
        bytes32 root = truth.output(BLOCKS);
        uint256 index = _propose(address(honest), root);
        uint256 gameId = liar.challenge(index, root);
        _play(gameId, honest, liar);
        string memory at = _lie(lieBlock, lieStep);
        assertEq(honest.refused(), 0, string.concat(at, ": the game refused no honest move"));
        assertEq(uint8(game.game(gameId).status), uint8(IFaultDisputeGame.Status.DefenderWins), at);
        _decidedAtALeaf(honest, liar, at);
        assertTrue(oracle.isFinalized(index), "final once the game is resolved and the window passed");
        assertEq(game.credit(address(liar)), 0, "liar keeps nothing");
        assertEq(game.credit(address(honest)), honest.spent() + liar.spent(), "every bond to the defender");
        _conserved(honest, liar);
        return honest.moves();
    }

    /// @dev Games decided at a leaf by the real verifier: by an honest step, or by the
    ///      other side's step the verifier refused.
    uint256 internal honestSteps;
    uint256 internal refusedSteps;

    /// @dev That the game went down to a leaf and the verifier (level 2) or the padding
    ///      rule (level 1) decided it: the honest side's step countered the liar's leaf, or
    ///      the liar's step against the honest leaf was refused.
    function _decidedAtALeaf(Actor honest, Actor liar, string memory at) internal {
        assertEq(honest.refusedSteps(), 0, at);
        if (honest.steps() > 0) ++honestSteps;
        else if (liar.refusedSteps() > 0) ++refusedSteps;
        assertTrue(honest.steps() + liar.refusedSteps() > 0, string.concat(at, ": decided at a leaf"));
        assertEq(liar.steps(), 0, string.concat(at, ": no step of the liar's stands"));
    }

    function _lie(uint256 lieBlock, uint256 lieStep) internal pure returns (string memory) {
        if (lieBlock == type(uint256).max) return "lie in the padding";
        return string.concat("lie at block ", vm.toString(lieBlock + 1), " step ", vm.toString(lieStep));
    }

    /// @dev Every lie of `_lieSteps` in block `t`, each game from the same start.
    function _everyLie(uint256 t, bool wrongOutput) internal {
        (honestSteps, refusedSteps) = (0, 0);
        uint256[] memory s = _lieSteps(t);
        uint256 claims;
        for (uint256 i = 0; i < s.length; ++i) {
            uint256 snap = vm.snapshotState();
            if (wrongOutput) _wrongOutputLoses(t, s[i], false);
            else _wrongChallengeLoses(t, s[i], false);
            claims += game.claimCount(game.gameCount() - 1);
            // Keep the tallies across the revert.
            (uint256 h, uint256 r) = (honestSteps, refusedSteps);
            vm.revertToState(snap);
            (honestSteps, refusedSteps) = (h, r);
        }
        console.log("games at max depth", game.maxDepth(), s.length);
        console.log("  decided by an honest step", honestSteps);
        console.log("  decided by the liar's refused step", refusedSteps);
        console.log("  claims per game (mean)", claims / s.length);
    }

    /// @dev `_everyLie` with level 2 five levels deep (the defender's side holds the
    ///      leaves, so the challenger steps) and six (the challenger's side holds them).
    function _everyLieBothParities(uint256 t, bool wrongOutput) internal {
        _deployReal(5);
        _everyLie(t, wrongOutput);
        _deployReal(6);
        _everyLie(t, wrongOutput);
    }

    function test_wrongOutput_lieAtEveryStepOfBlock1() public {
        _everyLieBothParities(0, true);
    }

    function test_wrongOutput_lieAtEveryStepOfBlock2() public {
        _everyLieBothParities(1, true);
    }

    function test_wrongOutput_lieAtEveryStepOfBlock3() public {
        _everyLieBothParities(2, true);
    }

    function test_wrongOutput_lieOnlyInPadding() public {
        _deployReal(5);
        _wrongOutputLoses(type(uint256).max, 0, true);
    }

    function test_wrongChallenge_lieAtEveryStepOfBlock1() public {
        _everyLieBothParities(0, false);
    }

    function test_wrongChallenge_lieAtEveryStepOfBlock2() public {
        _everyLieBothParities(1, false);
    }

    function test_wrongChallenge_lieAtEveryStepOfBlock3() public {
        _everyLieBothParities(2, false);
    }

    function test_wrongChallenge_lieOnlyInPadding() public {
        _deployReal(5);
        _wrongChallengeLoses(type(uint256).max, 0, true);
    }

    /// @dev The devnet's geometry (level 2 sized for its 300 Mgas blocks: 30 levels): the
    ///      same games, a lie at block 3's storage write and at its Done transition.
    function test_devnetDepth_wrongOutputAndWrongChallenge() public {
        _deployReal(30);
        uint256 n = _steps(2);
        uint256 snap = vm.snapshotState();
        console.log("devnet depth: honest moves against a lie at the SSTORE", _wrongOutputLoses(2, 8, false));
        vm.revertToState(snap);
        console.log("devnet depth: honest moves against a lie at Done", _wrongOutputLoses(2, n - 1, false));
        vm.revertToState(snap);
        console.log("devnet depth: honest moves defending against a lie at step 0", _wrongChallengeLoses(0, 0, false));
    }
}
