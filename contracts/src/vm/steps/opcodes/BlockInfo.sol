// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// The block's context: BLOCKHASH, COINBASE, TIMESTAMP, NUMBER, PREVRANDAO, GASLIMIT,
// CHAINID, BASEFEE, BLOBHASH, BLOBBASEFEE (SELFBALANCE, among them in the opcode table,
// is the host's). Rust twin: crates/vm-core/src/step/instructions/block_info.rs
// (`block_info`, but its SELFBALANCE arm). Vectors: docs/vectors/vm/steps.json
// (opcode-40-block-blockhash, opcode-42-block-timestamp, opcode-43-block-number).

import {Io} from "../../Io.sol";
import {StepBase} from "../../StepBase.sol";
import {BlockOps} from "../BlockOps.sol";
import {Operands} from "./Operands.sol";
import {Machine, Frame, Tree} from "../../Machine.sol";

/// @title BlockInfo
/// @notice The block-context opcodes: BLOCKHASH of the 256 blocks before this one from
///         the EIP-2935 history in L2 state (a slot read) or from the block's tree of
///         hashes (a range read), 0 for any other; BASEFEE 0 for a deposit; BLOBHASH 0.
library BlockInfo {
    /// @notice One block-context opcode (`op` in 0x40..=0x4a but 0x47).
    function run(Machine memory m, Frame memory f, uint256 op) internal pure returns (uint256) {
        uint256 gas = op == 0x40 ? StepBase.G_BLOCKHASH : op == 0x49 ? StepBase.G_VERYLOW : StepBase.G_BASE;
        (uint256 a,,, uint256 h) = Operands.take(f, gas, op == 0x40 || op == 0x49 ? 1 : 0);
        if (h != 0) return h;
        uint256 v;
        if (op == 0x40) v = blockHash(m, a);
        else if (op == 0x41) v = uint160(m.block_.coinbase);
        else if (op == 0x42) v = m.block_.timestamp;
        else if (op == 0x43) v = m.block_.number;
        else if (op == 0x44) v = uint256(m.block_.prevrandao);
        else if (op == 0x45) v = m.block_.gasLimit;
        else if (op == 0x46) v = m.block_.chainId;
        else if (op == 0x48) v = StepBase.basefee(m);
        else if (op == 0x4a) v = m.block_.blobBasefee;
        // BLOBHASH (0x49): L2 transactions carry no blobs.
        return StepBase.push(f, v);
    }

    /// @notice BLOCKHASH of block `n`.
    function blockHash(Machine memory m, uint256 n) internal pure returns (uint256 v) {
        uint256 cur = m.block_.number;
        if (n >= cur || cur - n > 256) return 0;
        if (m.block_.hashesInState) {
            return
                Io.readSlot(
                    m.accesses, m.worldRoot, BlockOps.HISTORY_STORAGE_ADDRESS, n % BlockOps.HISTORY_SERVE_WINDOW
                );
        }
        Tree memory t;
        t.root = m.block_.hashesRoot;
        bytes memory w = Io.read(m.accesses, t, (256 - (cur - n)) * 32, 32);
        assembly ("memory-safe") {
            v := mload(add(w, 32))
        }
    }
}
