// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFaultDisputeGame} from "../interfaces/IFaultDisputeGame.sol";
import {IFaultVM} from "../interfaces/IFaultVM.sol";
import {IBlockStart} from "../interfaces/IBlockStart.sol";
import {OutputOracle} from "../L1/OutputOracle.sol";
import {RollupConfig} from "../L1/RollupConfig.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {Positions} from "./lib/Positions.sol";

/// @title FaultDisputeGame
/// @notice Every dispute game of one rollup (docs/dispute.md is its spec). A game disputes
///         output `i` from the agreed output `i - 1`:
///         - level 1 (depths 1 … `splitDepth`) bisects the per-block output roots of the
///           output's blocks, padded to `2^splitDepth` by repeating the last;
///         - level 2 (depths `splitDepth + 1` … `maxDepth`) bisects one block's machine
///           commitments from its initial state, which `blockStart` computes from L1
///           data, down to one step that `vm` (the one-step verifier) decides.
///         Claims form a tree (attack and defend moves, any number of parties); a claim is
///         countered if any child stands, and its bond goes to the leftmost standing child
///         (or the stepper); resolution is bottom-up once each claim's clock has run out.
/// @dev A claim takes two storage slots (its value; then its parent, parties, clock, time,
///      position, child count and state), the parties named by their index in a
///      registry that every game shares (an address's first claim or step in any game
///      registers it, once): a move writes the two and its parent's count.
contract FaultDisputeGame is IFaultDisputeGame, ReentrancyGuard {
    using Positions for uint128;

    /// @notice Deployment parameters.
    /// @param execDepth Depth of a block's machine trace: `2^execDepth` steps (at least the
    ///        most steps an L2 block can take, docs/dispute.md "Depths").
    /// @param maxClockDuration Seconds each side may use on a path of the claim tree.
    /// @param clockExtension Seconds a side is always left to counter a child.
    /// @param splitExtension The same before the first claim of a block's machine trace.
    /// @param stepExtension The same before a step.
    /// @param baseBond Bond at depth 0 (wei); depth `d` costs `baseBond * growth^d`.
    /// @param bondGrowthBps The growth per depth in basis points (10,900: 1.09x).
    struct Params {
        uint8 execDepth;
        uint32 maxClockDuration;
        uint32 clockExtension;
        uint32 splitExtension;
        uint32 stepExtension;
        uint128 baseBond;
        uint16 bondGrowthBps;
    }

    /// @notice One claim, as `claim` returns it.
    struct Claim {
        uint32 parentIndex;
        address claimant;
        uint32 clock;
        uint32 timestamp;
        bytes32 value;
        uint64 position;
        address counteredBy;
        uint24 unresolvedChildren;
        bool resolved;
    }

    /// @dev One claim as stored: slot 1 the value; slot 2 the parent, the claimant's and
    ///      the counter's party ids (`parties`), the claimant's side clock at posting,
    ///      the posting time, the position, the unresolved children and the state.
    struct StoredClaim {
        bytes32 value;
        uint32 parentIndex;
        uint32 claimant;
        uint32 counteredBy;
        uint32 clock;
        uint32 timestamp;
        uint64 position;
        uint24 unresolvedChildren;
        bool resolved;
    }

    /// @dev One game. `openingBond` is what the challenger's first claim (claim 1) locked,
    ///      `challengeBond()` at the opening, paid back by exactly that amount.
    struct Game {
        uint64 outputIndex;
        uint64 nonce;
        uint64 startBlock;
        Status status;
        bytes32 startOutput;
        uint64 startNonce;
        uint128 openingBond;
    }

    /// @notice Parent index of the root claim.
    uint32 public constant NO_PARENT = type(uint32).max;
    /// @notice The largest bond at depth 0 a deployment may set (OP's is 0.08 ETH): past
    ///         it, honest parties could not afford to counter.
    uint256 public constant MAX_BASE_BOND = 10 ether;
    /// @notice The fastest bond growth per depth a deployment may set (2x; OP's is 1.09x):
    ///         past it, the deepest claims would price honest counters out.
    uint256 public constant MAX_BOND_GROWTH_BPS = 20_000;

    OutputOracle public immutable oracle;
    RollupConfig public immutable config;
    IFaultVM public immutable vm;
    IBlockStart public immutable blockStart;
    /// @notice Depth of the per-block output claims (level 1's leaves).
    uint256 public immutable splitDepth;
    /// @notice Depth of the leaf claims (level 2's), countered by `step`.
    uint256 public immutable maxDepth;
    /// @notice Blocks per output: level 1's real trace length.
    uint256 public immutable blocksPerOutput;
    uint256 public immutable maxClockDuration;
    uint256 public immutable clockExtension;
    uint256 public immutable splitExtension;
    uint256 public immutable stepExtension;
    uint256 public immutable baseBond;
    uint256 public immutable bondGrowthBps;

    Game[] internal _games;
    mapping(uint256 gameId => StoredClaim[]) internal _claims;
    /// @notice Every address that has claimed or stepped, by party id (id 0: none).
    address[] public parties;
    /// @notice The party id of an address (0: not registered yet).
    mapping(address => uint32) public partyId;
    /// @dev The leftmost standing child of each claim so far, as index + 1 (0: none).
    mapping(uint256 gameId => mapping(uint256 claimIndex => uint256)) internal _bestChild;
    /// @notice Wei each account may claim.
    mapping(address => uint256) public credit;

    constructor(OutputOracle oracle_, IFaultVM vm_, IBlockStart blockStart_, Params memory p) {
        if (address(oracle_) == address(0) || address(vm_) == address(0) || address(blockStart_) == address(0)) {
            revert BadParameter("zero address");
        }
        oracle = oracle_;
        config = oracle_.config();
        parties.push(address(0));
        vm = vm_;
        blockStart = blockStart_;
        uint256 n = config.proposalInterval();
        uint256 s = 1;
        while ((uint256(1) << s) < n) ++s;
        if (p.execDepth == 0) revert BadParameter("execDepth");
        uint256 m = s + 1 + p.execDepth;
        if (m > 62) revert BadParameter("depth");
        splitDepth = s;
        maxDepth = m;
        blocksPerOutput = n;
        if (p.clockExtension == 0 || p.splitExtension < p.clockExtension || p.stepExtension < p.clockExtension) {
            revert BadParameter("extensions");
        }
        if (p.maxClockDuration <= p.splitExtension || p.maxClockDuration <= p.stepExtension) {
            revert BadParameter("maxClockDuration");
        }
        if (p.baseBond == 0 || p.baseBond > MAX_BASE_BOND) revert BadParameter("bond");
        if (p.bondGrowthBps < 10_000 || p.bondGrowthBps > MAX_BOND_GROWTH_BPS) revert BadParameter("bond");
        maxClockDuration = p.maxClockDuration;
        clockExtension = p.clockExtension;
        splitExtension = p.splitExtension;
        stepExtension = p.stepExtension;
        baseBond = p.baseBond;
        bondGrowthBps = p.bondGrowthBps;
    }

    // ---------------------------------------------------------------- views

    /// @notice Games opened so far.
    function gameCount() external view returns (uint256) {
        return _games.length;
    }

    /// @notice Game `gameId`.
    function game(uint256 gameId) external view returns (Game memory) {
        return _game(gameId);
    }

    /// @notice Claims in game `gameId`.
    function claimCount(uint256 gameId) external view returns (uint256) {
        _game(gameId);
        return _claims[gameId].length;
    }

    /// @notice Claim `claimIndex` of game `gameId`.
    function claim(uint256 gameId, uint256 claimIndex) external view returns (Claim memory) {
        StoredClaim storage c = _claim(gameId, claimIndex);
        return Claim({
            parentIndex: c.parentIndex,
            claimant: parties[c.claimant],
            clock: c.clock,
            timestamp: c.timestamp,
            value: c.value,
            position: c.position,
            counteredBy: parties[c.counteredBy],
            unresolvedChildren: c.unresolvedChildren,
            resolved: c.resolved
        });
    }

    /// @notice The bond a claim at `depth` locks: `baseBond * (bondGrowthBps / 10^4)^depth`
    ///         (the power in 18-decimal fixed point).
    function bondAt(uint256 depth) public view returns (uint256 bond) {
        // (bondGrowthBps / 10^4)^depth in 18-decimal fixed point, by squaring (each product
        // rounded down), so a move's cost does not grow with its depth. Cannot overflow:
        // the ratio is at most 2 (MAX_BOND_GROWTH_BPS), the depth is capped at 63 (past
        // any maxDepth: only a view caller asks), so every factor stays below 2^64 * 10^18
        // and the base bond below 10^19.
        uint256 e = depth > 63 ? 63 : depth;
        unchecked {
            uint256 factor = bondGrowthBps * 1e14;
            uint256 ratio = 1e18;
            while (e != 0) {
                if (e & 1 == 1) ratio = ratio * factor / 1e18;
                e >>= 1;
                if (e != 0) factor = factor * factor / 1e18;
            }
            bond = baseBond * ratio / 1e18;
        }
    }

    /// @notice The bond `challenge` locks for the game's first claim (depth 1): the larger of
    ///         `bondAt(1)` and the oracle's current proposer bond. Opening a game holds every
    ///         later output's finality for up to `maxGameDuration`, so it costs as much as the
    ///         bond it puts at stake; a lying challenger loses it to the claim that counters
    ///         it (the defender). Later moves at depth 1 (against the root of an open game)
    ///         open no dispute and cost `bondAt(1)`.
    /// @return bond The bond in wei.
    function challengeBond() public view returns (uint256 bond) {
        bond = bondAt(1);
        uint256 proposer = config.proposerBond();
        if (proposer > bond) bond = proposer;
    }

    /// @notice The clock of the side countering claim `claimIndex`: its time used on this
    ///         path, capped at `maxClockDuration` (then the claim can no longer be
    ///         countered and can be resolved).
    function challengerClock(uint256 gameId, uint256 claimIndex) public view returns (uint256) {
        StoredClaim storage c = _claim(gameId, claimIndex);
        uint256 before = c.parentIndex == NO_PARENT ? 0 : _claims[gameId][c.parentIndex].clock;
        uint256 used = before + (block.timestamp - c.timestamp);
        return used > maxClockDuration ? maxClockDuration : used;
    }

    /// @notice The longest a game can last from its opening until every claim in it can be
    ///         resolved: both sides' clocks plus one extension per depth
    ///         (docs/dispute.md, "Clocks").
    function maxGameDuration() public view returns (uint256 d) {
        d = 2 * maxClockDuration;
        for (uint256 depth = 1; depth <= maxDepth; ++depth) {
            d += _extension(depth);
        }
    }

    // ---------------------------------------------------------------- moves

    /// @inheritdoc IFaultDisputeGame
    function challenge(uint256 outputIndex, bytes32 root, bytes32 value) external payable returns (uint256 gameId) {
        // `output` reverts for an unknown index.
        OutputOracle.Output memory o = oracle.output(outputIndex);
        if (outputIndex == 0 || o.root != root) revert WrongOutput(outputIndex, root);
        OutputOracle.Output memory start = oracle.output(outputIndex - 1);
        uint256 bond = challengeBond();
        if (msg.value != bond) revert WrongBond(bond);
        // Reverts once the output's window has passed, and for an unknown one.
        uint64 nonce = oracle.openDispute(outputIndex, root);
        gameId = _games.length;
        _games.push(
            Game({
                // forge-lint: disable-next-line(unsafe-typecast) output indices are below 2^64 (one per proposal)
                outputIndex: uint64(outputIndex),
                nonce: nonce,
                startBlock: start.l2Block,
                status: Status.InProgress,
                startOutput: start.root,
                startNonce: start.nonce,
                // forge-lint: disable-next-line(unsafe-typecast) equals msg.value, far below 2^128 wei
                openingBond: uint128(bond)
            })
        );
        _claims[gameId].push(
            StoredClaim({
                parentIndex: NO_PARENT,
                claimant: _party(o.proposer),
                clock: 0,
                // forge-lint: disable-next-line(unsafe-typecast) seconds since 1970 fit 32 bits until 2106
                timestamp: uint32(block.timestamp),
                value: root,
                position: uint64(Positions.ROOT),
                counteredBy: 0,
                unresolvedChildren: 0,
                resolved: false
            })
        );
        emit GameOpened(gameId, outputIndex, root, msg.sender);
        _move(gameId, 0, root, 1, true, value, "", bond);
    }

    /// @inheritdoc IFaultDisputeGame
    function move(
        uint256 gameId,
        uint256 parentIndex,
        bytes32 parentValue,
        uint64 parentPosition,
        bool isAttack,
        bytes32 value,
        bytes calldata proof
    ) external payable returns (uint256 claimIndex) {
        return _move(gameId, parentIndex, parentValue, parentPosition, isAttack, value, proof, 0);
    }

    /// @dev A move locking `bond` (0: `bondAt` the new claim's depth).
    function _move(
        uint256 gameId,
        uint256 parentIndex,
        bytes32 parentValue,
        uint64 parentPosition,
        bool isAttack,
        bytes32 value,
        bytes memory proof,
        uint256 bond
    ) internal returns (uint256 claimIndex) {
        _live(gameId);
        (uint128 next, uint256 clock) = _placement(gameId, parentIndex, parentValue, parentPosition, isAttack);
        uint256 depth = Positions.depth(next);
        if (depth == splitDepth + 1) {
            _checkExecRoot(gameId, parentIndex, next, value, proof);
        } else if (proof.length != 0) {
            revert UnexpectedProof();
        }
        if (bond == 0) bond = bondAt(depth);
        if (msg.value != bond) revert WrongBond(bond);

        StoredClaim[] storage claims = _claims[gameId];
        claimIndex = claims.length;
        claims.push(
            StoredClaim({
                // forge-lint: disable-next-line(unsafe-typecast) claim indices stay far below 2^32 (each costs a bond)
                parentIndex: uint32(parentIndex),
                claimant: _party(msg.sender),
                // forge-lint: disable-next-line(unsafe-typecast) clock <= maxClockDuration, a uint32
                clock: uint32(clock),
                // forge-lint: disable-next-line(unsafe-typecast) seconds since 1970 fit 32 bits until 2106
                timestamp: uint32(block.timestamp),
                value: value,
                // forge-lint: disable-next-line(unsafe-typecast) depth <= maxDepth <= 62
                position: uint64(next),
                counteredBy: 0,
                unresolvedChildren: 0,
                resolved: false
            })
        );
        ++claims[parentIndex].unresolvedChildren;
        emit Move(gameId, parentIndex, claimIndex, next, value, msg.sender);
    }

    /// @dev Where a move against claim `parentIndex` goes, and the mover's side clock:
    ///      its time used so far on the path, lowered to leave it the extension of the new
    ///      claim's depth.
    function _placement(uint256 gameId, uint256 parentIndex, bytes32 parentValue, uint64 parentPosition, bool isAttack)
        internal
        view
        returns (uint128 next, uint256 clock)
    {
        uint128 pos = _named(gameId, parentIndex, parentValue, parentPosition).position;
        uint256 depth = pos.depth();
        if (depth >= maxDepth) revert MaxDepthReached();
        if (!isAttack && lastOfLevel(pos)) revert CannotDefend();
        next = isAttack ? pos.attack() : pos.defend();
        clock = challengerClock(gameId, parentIndex);
        if (clock >= maxClockDuration) revert ClockExpired();
        uint256 ext = _extension(depth + 1);
        if (clock > maxClockDuration - ext) clock = maxClockDuration - ext;
    }

    /// @dev The first claim of a block's machine trace, at `next` (depth `splitDepth + 1`):
    ///      its block must exist, and `value` must be a Done state (its preimage `proof`
    ///      ends with phase tag 8, block hash, output root: docs/fault-vm.md "Byte
    ///      encodings") whose output root differs from the disputed output's if that
    ///      output is the other side's, and equals it if it is the mover's.
    function _checkExecRoot(uint256 gameId, uint256 parentIndex, uint128 next, bytes32 value, bytes memory proof)
        internal
        view
    {
        uint256 t = (next >> 1).indexAtDepth();
        if (t >= blocksPerOutput) revert PaddedBlock(t);
        // The disputed output: the claim at trace index t on the path (the parent for an
        // attack; for a defence, the ancestor to the parent's right).
        (bool found, uint256 disputed) = _outputAncestor(gameId, parentIndex, t);
        if (!found) revert WrongDoneState();
        StoredClaim storage d = _claims[gameId][disputed];
        uint256 n = proof.length;
        if (n < 15 + 65 || keccak256(proof) != value) revert WrongDoneState();
        bytes32 outputRoot;
        uint8 tag;
        assembly ("memory-safe") {
            outputRoot := mload(add(proof, n))
            tag := byte(0, mload(add(proof, sub(n, 33))))
        }
        if (tag != 8) revert WrongDoneState();
        bool othersSide = (splitDepth + 1 - Positions.depth(d.position)) % 2 == 1;
        if (othersSide == (outputRoot == d.value)) revert WrongDoneState();
    }

    // ---------------------------------------------------------------- steps

    /// @inheritdoc IFaultDisputeGame
    function step(
        uint256 gameId,
        uint256 claimIndex,
        bytes32 claimValue,
        uint64 claimPosition,
        bool isAttack,
        bytes calldata witness,
        bytes calldata startProof
    ) external {
        _live(gameId);
        StoredClaim storage c = _counterable(gameId, claimIndex, claimValue, claimPosition, maxDepth);
        (bytes32 pre, uint256 postIndex) = _stepEnds(gameId, claimIndex, isAttack, startProof);
        StoredClaim storage post = _claims[gameId][postIndex];
        bool valid = vm.step(pre, witness) == post.value;
        _counter(gameId, claimIndex, c, post, valid);
    }

    /// @dev The step's pre-state, and the claim holding its post-state: an attack ends at
    ///      the leaf (from the state before it: the block's start for its first step), a
    ///      defence starts at the leaf and ends at the next claim on the path.
    function _stepEnds(uint256 gameId, uint256 claimIndex, bool isAttack, bytes calldata startProof)
        internal
        view
        returns (bytes32 pre, uint256 postIndex)
    {
        StoredClaim storage c = _claims[gameId][claimIndex];
        uint128 pos = c.position;
        if (!isAttack && lastOfLevel(pos)) revert CannotDefend();
        uint256 k = execTraceIndex(pos);
        postIndex = claimIndex;
        if (isAttack) {
            pre = k == 0
                ? _blockStart(gameId, claimIndex, startProof)
                : _claims[gameId][_execAncestor(gameId, c.parentIndex, k - 1)].value;
        } else {
            pre = c.value;
            postIndex = _execAncestor(gameId, c.parentIndex, k + 1);
        }
    }

    /// @inheritdoc IFaultDisputeGame
    function stepPadding(uint256 gameId, uint256 claimIndex, bytes32 claimValue, uint64 claimPosition, bool isAttack)
        external
    {
        _live(gameId);
        StoredClaim storage c = _counterable(gameId, claimIndex, claimValue, claimPosition, splitDepth);
        uint128 pos = c.position;
        if (!isAttack && lastOfLevel(pos)) revert CannotDefend();
        uint256 tc = pos.indexAtDepth();
        uint256 t = isAttack ? tc : tc + 1;
        if (t < blocksPerOutput) revert NotPadding(t);
        // t >= blocksPerOutput >= 1, so the output before it is a claim on the path.
        bytes32 pre;
        uint256 postIndex = claimIndex;
        if (isAttack) {
            pre = _outputValueFrom(gameId, c.parentIndex, t - 1);
        } else {
            pre = c.value;
            (bool found, uint256 a) = _outputAncestor(gameId, c.parentIndex, t);
            if (!found) revert NoTraceAncestor(t);
            postIndex = a;
        }
        StoredClaim storage post = _claims[gameId][postIndex];
        _counter(gameId, claimIndex, c, post, pre == post.value);
    }

    /// @dev Marks `c` countered by the caller if the step's verdict shows `c`'s side wrong:
    ///      `post` on `c`'s side and the step invalid, or on the other side and valid.
    function _counter(uint256 gameId, uint256 claimIndex, StoredClaim storage c, StoredClaim storage post, bool valid)
        internal
    {
        bool sameSide = (Positions.depth(c.position) - Positions.depth(post.position)) % 2 == 0;
        if (valid == sameSide) revert ValidStep();
        c.counteredBy = _party(msg.sender);
        emit Stepped(gameId, claimIndex, msg.sender);
    }

    /// @dev The initial commitment of the block the leaf claim `claimIndex` disputes.
    function _blockStart(uint256 gameId, uint256 claimIndex, bytes calldata proof) internal view returns (bytes32) {
        Game storage g = _games[gameId];
        StoredClaim storage c = _claims[gameId][claimIndex];
        uint128 execRoot = Positions.ancestorAt(c.position, splitDepth + 1);
        uint256 t = (execRoot >> 1).indexAtDepth();
        // Walk up to the exec root's parent, the level-1 leaf claim it counters.
        uint256 i = claimIndex;
        while (Positions.depth(_claims[gameId][i].position) > splitDepth) {
            i = _claims[gameId][i].parentIndex;
        }
        bytes32 parentOutput = t == 0 ? g.startOutput : _outputValueFrom(gameId, i, t - 1);
        return blockStart.initialCommitment(parentOutput, uint256(g.startBlock) + 1 + t, proof);
    }

    // ---------------------------------------------------------------- resolution

    /// @inheritdoc IFaultDisputeGame
    function resolveClaim(uint256 gameId, uint256 claimIndex) external {
        Game storage g = _live(gameId);
        StoredClaim storage c = _claim(gameId, claimIndex);
        if (c.resolved) revert AlreadyResolved();
        if (challengerClock(gameId, claimIndex) < maxClockDuration) revert ClockNotExpired();
        if (c.unresolvedChildren != 0) revert ChildrenUnresolved(c.unresolvedChildren);
        bool void = _void(g);
        uint32 counterId = void ? 0 : c.counteredBy;
        uint256 best = _bestChild[gameId][claimIndex];
        if (!void && counterId == 0 && best != 0) {
            counterId = _claims[gameId][best - 1].claimant;
            c.counteredBy = counterId;
        }
        c.resolved = true;
        address counter = parties[counterId];
        emit ClaimResolved(gameId, claimIndex, counter);
        if (c.parentIndex == NO_PARENT) {
            _resolveGame(gameId, g, counter, void);
            return;
        }
        // Claim 1 is the challenger's opening claim, with the bond it locked then.
        uint256 bond = claimIndex == 1 ? g.openingBond : bondAt(Positions.depth(c.position));
        credit[counterId == 0 ? parties[c.claimant] : counter] += bond;
        uint256 parentIndex = c.parentIndex;
        StoredClaim storage parent = _claims[gameId][parentIndex];
        --parent.unresolvedChildren;
        if (!void && counterId == 0) {
            // A standing child counters its parent; the leftmost one (lowest position,
            // then earliest) takes the parent's bond.
            uint256 cur = _bestChild[gameId][parentIndex];
            uint64 bestPos = cur == 0 ? 0 : _claims[gameId][cur - 1].position;
            if (cur == 0 || c.position < bestPos || (c.position == bestPos && claimIndex < cur - 1)) {
                _bestChild[gameId][parentIndex] = claimIndex + 1;
            }
        }
    }

    /// @dev Whether the game's start is void: the trace ran from output `i - 1`, which must
    ///      be final before anything in the game is decided (else a wrong `i - 1` would
    ///      disprove a right `i`). Deleted since, the game decides nothing and every bond
    ///      goes back to its claimant.
    function _void(Game storage g) internal view returns (bool) {
        uint256 startIndex = g.outputIndex - 1;
        if (startIndex == 0) return false;
        if (!oracle.isLive(startIndex, g.startNonce)) return true;
        if (!oracle.isFinalized(startIndex)) revert StartNotFinal(startIndex);
        return false;
    }

    /// @dev The root is resolved: countered, the output is wrong and is deleted (its bond
    ///      to the counter); standing, the dispute closes; on a void start, the dispute
    ///      closes (a no-op: deleting `i - 1` deleted `i` too).
    function _resolveGame(uint256 gameId, Game storage g, address counter, bool void) internal {
        if (void) {
            g.status = Status.Void;
            emit GameResolved(gameId, Status.Void);
            oracle.closeDispute(g.outputIndex, g.nonce);
            return;
        }
        Status status = counter == address(0) ? Status.DefenderWins : Status.ChallengerWins;
        g.status = status;
        emit GameResolved(gameId, status);
        if (status == Status.ChallengerWins && oracle.isLive(g.outputIndex, g.nonce)) {
            oracle.deleteOutputs(g.outputIndex, counter);
        } else {
            oracle.closeDispute(g.outputIndex, g.nonce);
        }
    }

    /// @inheritdoc IFaultDisputeGame
    function claimCredit() external nonReentrant {
        uint256 amount = credit[msg.sender];
        if (amount == 0) revert NoCredit();
        credit[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit CreditClaimed(msg.sender, amount);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The party id of `a`, registered on its first claim or step (in any game).
    function _party(address a) internal returns (uint32 id) {
        id = partyId[a];
        if (id == 0 && a != address(0)) {
            // forge-lint: disable-next-line(unsafe-typecast) one id per address that paid a bond or stepped: far below 2^32
            id = uint32(parties.length);
            parties.push(a);
            partyId[a] = id;
        }
    }

    function _game(uint256 gameId) internal view returns (Game storage) {
        if (gameId >= _games.length) revert UnknownGame(gameId);
        return _games[gameId];
    }

    function _live(uint256 gameId) internal view returns (Game storage g) {
        g = _game(gameId);
        if (g.status != Status.InProgress) revert GameOver();
    }

    function _claim(uint256 gameId, uint256 claimIndex) internal view returns (StoredClaim storage) {
        StoredClaim[] storage claims = _claims[gameId];
        if (claimIndex >= claims.length) revert UnknownClaim(claimIndex);
        return claims[claimIndex];
    }

    /// @dev Claim `claimIndex`, if it holds `value` at `position`.
    function _named(uint256 gameId, uint256 claimIndex, bytes32 value, uint64 position)
        internal
        view
        returns (StoredClaim storage c)
    {
        c = _claim(gameId, claimIndex);
        if (c.value != value || c.position != position) revert WrongClaim(claimIndex, value, position);
    }

    /// @dev Claim `claimIndex` named by `value` and `position`, at `depth`, not countered
    ///      yet and still within its challenger's clock.
    function _counterable(uint256 gameId, uint256 claimIndex, bytes32 value, uint64 position, uint256 depth)
        internal
        view
        returns (StoredClaim storage c)
    {
        c = _named(gameId, claimIndex, value, position);
        uint256 d = Positions.depth(c.position);
        if (d != depth) revert WrongDepth(d);
        if (c.counteredBy != 0) revert AlreadyCountered();
        if (challengerClock(gameId, claimIndex) >= maxClockDuration) revert ClockExpired();
    }

    /// @dev Time a side is left to counter a child of a claim at `depth`: more before the
    ///      first claim of a machine trace (depth `splitDepth + 1`, two moves on) and
    ///      before a step (against a claim at `maxDepth`).
    function _extension(uint256 depth) internal view returns (uint256) {
        if (depth + 2 == splitDepth + 1) return splitExtension;
        if (depth + 1 == maxDepth) return stepExtension;
        return clockExtension;
    }

    /// @notice Whether `pos` is the last position of its level (level 1: its depth; level 2:
    ///         its block's machine trace), which nothing lies to the right of.
    function lastOfLevel(uint128 pos) public view returns (bool) {
        uint256 d = pos.depth();
        if (d <= splitDepth) return pos.isRightmost();
        uint256 rel = d - (splitDepth + 1);
        return (uint256(pos) + 1) & ((uint256(1) << rel) - 1) == 0;
    }

    /// @notice The trace index, within its block's machine trace, of a level-2 position.
    function execTraceIndex(uint128 pos) public view returns (uint256) {
        uint256 d = pos.depth();
        uint256 rel = d - (splitDepth + 1);
        uint256 idx = uint256(pos) & ((uint256(1) << rel) - 1);
        return ((idx + 1) << (maxDepth - d)) - 1;
    }

    /// @dev The nearest level-2 claim at or above `from` committing to machine trace index
    ///      `k` (bisection keeps every bound of a leaf's interval on its path).
    function _execAncestor(uint256 gameId, uint256 from, uint256 k) internal view returns (uint256 i) {
        i = from;
        while (true) {
            StoredClaim storage a = _claims[gameId][i];
            if (Positions.depth(a.position) <= splitDepth) revert NoTraceAncestor(k);
            if (execTraceIndex(a.position) == k) return i;
            i = a.parentIndex;
        }
    }

    /// @dev The nearest level-1 claim at or above `from` committing to output trace index
    ///      `t` (claims below the split are skipped).
    function _outputAncestor(uint256 gameId, uint256 from, uint256 t) internal view returns (bool, uint256) {
        uint256 i = from;
        while (i != NO_PARENT) {
            StoredClaim storage a = _claims[gameId][i];
            uint128 p = a.position;
            if (p.depth() <= splitDepth && p.traceIndex(splitDepth) == t) return (true, i);
            i = a.parentIndex;
        }
        return (false, 0);
    }

    /// @dev The output root at trace index `t` on the path from `from`: an ancestor claim.
    function _outputValueFrom(uint256 gameId, uint256 from, uint256 t) internal view returns (bytes32) {
        (bool found, uint256 i) = _outputAncestor(gameId, from, t);
        if (!found) revert NoTraceAncestor(t);
        return _claims[gameId][i].value;
    }
}
