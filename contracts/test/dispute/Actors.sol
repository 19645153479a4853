// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FaultDisputeGame} from "../../src/dispute/FaultDisputeGame.sol";
import {Positions} from "../../src/dispute/lib/Positions.sol";
import {TableVM} from "./doubles/TableVM.sol";
import {IFaultDisputeGame} from "../../src/interfaces/IFaultDisputeGame.sol";

/// @notice What a player knows of a game's trace: the value at every position, each
///         block's Done state preimage (for the move to the split) and what a step at a
///         leaf needs. `TraceModel` is one over the test doubles; `RealTrace`
///         (RealTrace.t.sol) one over a Rust-written trace for the real verifier.
abstract contract GameTrace {
    using Positions for uint128;

    FaultDisputeGame public immutable game;
    uint256 public immutable split;
    uint256 public immutable blocks;

    constructor(FaultDisputeGame game_) {
        game = game_;
        split = game_.splitDepth();
        blocks = game_.blocksPerOutput();
    }

    /// @notice The value this view holds at position `pos`.
    function valueAt(uint128 pos) public view virtual returns (bytes32);

    /// @notice The Done state's preimage of block `t` (ends with tag 8, block hash, output).
    function donePreimage(uint256 t) public view virtual returns (bytes memory);

    /// @notice The witness and `BlockStart` proof of the step at leaf `pos` (an attack
    ///         steps into it, a defence out of it); empty unless the VM needs them.
    function stepProof(uint128 pos, bool isAttack) public view virtual returns (bytes memory, bytes memory) {
        (pos, isAttack);
        return ("", "");
    }

    /// @notice The block index a level-2 position's trace is of.
    function blockOf(uint128 pos) public view returns (uint256) {
        return (pos.ancestorAt(split + 1) >> 1).indexAtDepth();
    }
}

/// @notice One party's view of a game's trace (over the test doubles' step function): the
///         per-block output roots from the agreed start, and each block's machine states.
///         An honest model is the truth; a lying one departs from it at block `lieBlock`
///         (index in the game's trace), machine step `lieStep`, or only in the padding.
contract TraceModel is GameTrace {
    using Positions for uint128;

    uint256 public constant STEPS_TO_DONE = 5;
    uint256 public constant NONE = type(uint256).max;

    uint256 public immutable startBlock;
    bytes32 public immutable startOutput;
    uint256 public immutable lieBlock;
    uint256 public immutable lieStep;
    bool public immutable liesInPadding;

    constructor(
        FaultDisputeGame game_,
        uint256 startBlock_,
        bytes32 startOutput_,
        uint256 lieBlock_,
        uint256 lieStep_,
        bool pad
    ) GameTrace(game_) {
        startBlock = startBlock_;
        startOutput = startOutput_;
        lieBlock = lieBlock_;
        lieStep = lieStep_;
        liesInPadding = pad;
    }

    /// @notice The true output of block `b` on parent output `p`.
    function trueOutput(bytes32 p, uint256 b) public pure returns (bytes32) {
        return keccak256(abi.encode("out", p, b));
    }

    /// @notice The output root at trace index `t` (padded past the last block).
    function output(uint256 t) public view returns (bytes32 o) {
        if (t >= blocks && liesInPadding) return keccak256(abi.encode("padding lie", t));
        uint256 last = t < blocks ? t : blocks - 1;
        o = startOutput;
        for (uint256 i = 0; i <= last; ++i) {
            o = i < lieBlock ? trueOutput(o, startBlock + 1 + i) : keccak256(abi.encode("bad", i, o));
        }
    }

    function parentOf(uint256 t) public view returns (bytes32) {
        return t == 0 ? startOutput : output(t - 1);
    }

    /// @inheritdoc GameTrace
    function donePreimage(uint256 t) public view override returns (bytes memory) {
        bytes32 p = parentOf(t);
        return abi.encodePacked(
            bytes15("faultline.vm.v2"),
            keccak256(abi.encode("rest", p)),
            uint8(8),
            keccak256(abi.encode("bh", p)),
            output(t)
        );
    }

    /// @notice The machine state of block `t` after `k` steps.
    function state(uint256 t, uint256 k) public view returns (bytes32 s) {
        if (k >= STEPS_TO_DONE) return keccak256(donePreimage(t));
        if (t == lieBlock && k >= lieStep) return keccak256(abi.encode("bad state", k));
        s = keccak256(abi.encode(parentOf(t), startBlock + 1 + t));
        for (uint256 i = 0; i < k; ++i) {
            s = keccak256(abi.encode(s));
        }
    }

    /// @inheritdoc GameTrace
    function valueAt(uint128 pos) public view override returns (bytes32) {
        if (pos.depth() <= split) return output(pos.traceIndex(split));
        return state(blockOf(pos), game.execTraceIndex(pos) + 1);
    }

    /// @notice Registers the honest machine's Done transitions with the test VM.
    function teach(TableVM vm) external {
        for (uint256 t = 0; t < blocks; ++t) {
            bytes32 done = keccak256(donePreimage(t));
            vm.set(state(t, STEPS_TO_DONE - 1), done);
            vm.set(done, done);
        }
    }
}

/// @notice A player of the game by the rules of docs/dispute.md, "The honest strategy",
///         over its `TraceModel`: it counters every claim against one of its own (or
///         against the root it agrees with), attacks a root it disagrees with, and attacks
///         wrong freeloaders that would take the bond of a claim it countered. Given a
///         lying model it is the colluding proposer or challenger.
contract Actor {
    using Positions for uint128;

    FaultDisputeGame public immutable game;
    GameTrace public immutable model;
    uint256 public moves;
    /// @notice Calls the game refused (a lying model's hopeless steps; never an honest one's).
    uint256 public refused;
    /// @notice Wei locked in bonds so far.
    uint256 public spent;
    /// @notice Steps (at a leaf, or over level 1's padding) the game took, and refused.
    uint256 public steps;
    uint256 public refusedSteps;

    constructor(FaultDisputeGame game_, GameTrace model_) payable {
        game = game_;
        model = model_;
    }

    receive() external payable {}

    function agrees(uint256 gameId, uint256 i) public view returns (bool) {
        FaultDisputeGame.Claim memory c = game.claim(gameId, i);
        return c.value == model.valueAt(c.position);
    }

    function _mine(uint256 gameId, uint256 i) internal view returns (bool) {
        FaultDisputeGame.Claim memory c = game.claim(gameId, i);
        if (c.claimant == address(this)) return true;
        return c.parentIndex == game.NO_PARENT() && agrees(gameId, i);
    }

    function _hasChild(uint256 gameId, uint256 parent, uint128 pos) internal view returns (bool) {
        uint256 n = game.claimCount(gameId);
        for (uint256 j = parent + 1; j < n; ++j) {
            FaultDisputeGame.Claim memory c = game.claim(gameId, j);
            if (c.parentIndex == parent && c.claimant == address(this) && c.position == pos) return true;
        }
        return false;
    }

    /// @notice Opens a game on output `index` (root `root`), attacking with this model's value.
    function challenge(uint256 index, bytes32 root) external returns (uint256 gameId) {
        uint256 bond = game.challengeBond();
        gameId = game.challenge{value: bond}(index, root, model.valueAt(2));
        ++moves;
        spent += bond;
    }

    /// @notice Makes every move this actor's rules call for now; returns how many.
    function act(uint256 gameId) external returns (uint256 made) {
        if (game.game(gameId).status != IFaultDisputeGame.Status.InProgress) return 0;
        uint256 n = game.claimCount(gameId);
        for (uint256 i = 0; i < n; ++i) {
            if (_respond(gameId, i)) ++made;
        }
        moves += made;
    }

    function _shouldCounter(uint256 gameId, uint256 i, FaultDisputeGame.Claim memory c, bool agree)
        internal
        view
        returns (bool)
    {
        if (c.parentIndex == game.NO_PARENT()) return !agree;
        if (_mine(gameId, c.parentIndex)) return true;
        // A wrong freeloader at the attack position of a claim this actor attacked.
        FaultDisputeGame.Claim memory p = game.claim(gameId, c.parentIndex);
        uint128 atk = uint128(p.position).attack();
        return !agree && c.position == atk && !agrees(gameId, c.parentIndex) && _hasChild(gameId, c.parentIndex, atk)
            && i != 0;
    }

    function _respond(uint256 gameId, uint256 i) internal returns (bool) {
        FaultDisputeGame.Claim memory c = game.claim(gameId, i);
        if (c.resolved || c.counteredBy != address(0) || c.claimant == address(this)) return false;
        if (game.challengerClock(gameId, i) >= game.maxClockDuration()) return false;
        bool agree = agrees(gameId, i);
        if (!_shouldCounter(gameId, i, c, agree)) return false;
        bool isAttack = !agree;
        uint128 pos = c.position;
        uint256 d = pos.depth();
        if (!isAttack && (i == 0 || game.lastOfLevel(pos))) return false; // nothing to its right
        if (d == game.maxDepth()) {
            (bytes memory witness, bytes memory startProof) = model.stepProof(pos, isAttack);
            try game.step(gameId, i, c.value, c.position, isAttack, witness, startProof) {
                ++steps;
                return true;
            } catch {
                ++refused;
                ++refusedSteps;
                return false;
            }
        }
        uint128 next = isAttack ? pos.attack() : pos.defend();
        if (_hasChild(gameId, i, next)) return false;
        bytes memory proof;
        if (d == model.split()) {
            uint256 t = isAttack ? pos.indexAtDepth() : pos.indexAtDepth() + 1;
            if (t >= model.blocks()) {
                try game.stepPadding(gameId, i, c.value, c.position, isAttack) {
                    ++steps;
                    return true;
                } catch {
                    ++refused;
                    ++refusedSteps;
                    return false;
                }
            }
            proof = model.donePreimage(t);
        }
        try game.move{value: game.bondAt(d + 1)}(gameId, i, c.value, c.position, isAttack, model.valueAt(next), proof) {
            spent += game.bondAt(d + 1);
            return true;
        } catch {
            ++refused;
            return false;
        }
    }

    /// @notice Takes this actor's credit from the game.
    function claim() external {
        if (game.credit(address(this)) != 0) game.claimCredit();
    }
}

/// @notice A player with no strategy: random attacks and defences of random claims with
///         the truth's value or garbage (freeloaders and duplicates among them), random
///         Done states at the split, random steps; the game refuses what the rules forbid.
contract Adversary {
    using Positions for uint128;

    FaultDisputeGame public immutable game;
    GameTrace public immutable truth;

    constructor(FaultDisputeGame game_, GameTrace truth_) payable {
        game = game_;
        truth = truth_;
    }

    receive() external payable {}

    function challenge(uint256 index, bytes32 root, bytes32 value) external returns (bool) {
        try game.challenge{value: game.challengeBond()}(index, root, value) {
            return true;
        } catch {
            return false;
        }
    }

    /// @notice One random action on game `gameId`, chosen by `seed`.
    function act(uint256 gameId, uint256 seed) external returns (bool) {
        uint256 n = game.claimCount(gameId);
        uint256 i = seed % n;
        FaultDisputeGame.Claim memory c = game.claim(gameId, i);
        uint128 pos = c.position;
        uint256 d = pos.depth();
        bool isAttack = (seed >> 8) % 3 != 0;
        bool useTruth = (seed >> 16) % 2 == 0;
        if (d == game.maxDepth()) {
            (bytes memory witness, bytes memory startProof) =
                useTruth ? truth.stepProof(pos, isAttack) : (bytes(""), bytes(""));
            try game.step(gameId, i, c.value, c.position, isAttack, witness, startProof) {
                return true;
            } catch {
                return false;
            }
        }
        if (d == game.splitDepth() && (seed >> 24) % 4 == 0) {
            try game.stepPadding(gameId, i, c.value, c.position, isAttack) {
                return true;
            } catch {
                return false;
            }
        }
        if (!isAttack && (i == 0 || pos.isRightmost())) isAttack = true;
        uint128 next = isAttack ? pos.attack() : pos.defend();
        bytes32 value = useTruth ? truth.valueAt(next) : keccak256(abi.encode("garbage", seed));
        bytes memory proof;
        if (d == game.splitDepth()) {
            uint256 t = (next >> 1).indexAtDepth();
            if (t >= truth.blocks()) t = truth.blocks() - 1;
            proof = useTruth
                ? truth.donePreimage(t)
                : abi.encodePacked(bytes15("faultline.vm.v2"), uint8(8), bytes32(seed), keccak256(abi.encode(seed)));
            value = keccak256(proof);
        }
        try game.move{value: game.bondAt(d + 1)}(gameId, i, c.value, c.position, isAttack, value, proof) {
            return true;
        } catch {
            return false;
        }
    }

    function claim() external {
        if (game.credit(address(this)) != 0) game.claimCredit();
    }
}
