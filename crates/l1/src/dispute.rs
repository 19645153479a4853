//! The dispute game as a deployment sees it (docs/dispute.md): its parameters with named
//! defaults for the devnet and for production, and the encoding of the proof
//! `BlockStart.initialCommitment` takes (`BlockStart.Proof`,
//! contracts/src/dispute/BlockStart.sol).

use crate::bindings::FaultDisputeGame;
use alloy::sol_types::SolValue;
use alloy_primitives::{Bytes, B256, U256};
use faultline_vm_core::initial::BlockLeaf;

/// Steps a block may take per unit of its gas, at most, that the trace depth is sized
/// for: the worst case measured is one step per gas (a transaction looping over
/// JUMPDESTs: 29,968,037 steps in 30 Mgas, docs/fault-vm.md), so twice that leaves room
/// for the block's input steps (docs/dispute.md, "Depths and moves").
pub const STEPS_PER_GAS_BOUND: u64 = 2;

/// The smallest machine trace depth `V` with `2^V >= STEPS_PER_GAS_BOUND × gas limit`.
pub fn exec_depth_for(block_gas_limit: u64) -> u8 {
    let steps = u128::from(block_gas_limit).saturating_mul(u128::from(STEPS_PER_GAS_BOUND)).max(2);
    (128 - (steps - 1).leading_zeros()) as u8
}

/// The devnet's clock: seconds each side may use on a path, short enough that a silent
/// side loses within a couple of minutes.
pub const DEVNET_MAX_CLOCK: u32 = 90;
/// The devnet's clock extensions: a side is always left this long to counter a child;
/// more before a block's first machine claim (it needs the block's trace) and before a
/// step (it needs the witness).
pub const DEVNET_CLOCK_EXTENSION: u32 = 5;
/// See [`DEVNET_CLOCK_EXTENSION`].
pub const DEVNET_SPLIT_EXTENSION: u32 = 10;
/// See [`DEVNET_CLOCK_EXTENSION`].
pub const DEVNET_STEP_EXTENSION: u32 = 20;
/// The devnet's bond at depth 0 (tiny: 0.0001 ETH).
pub const DEVNET_BASE_BOND: u128 = 100_000_000_000_000;

/// Production: OP's clock (3.5 days a side, 3 h extension, twice that at the split); the
/// step's extension is the split's, since a step's witness fits one transaction (no
/// preimage to load first).
pub const PRODUCTION_MAX_CLOCK: u32 = 302_400;
/// See [`PRODUCTION_MAX_CLOCK`].
pub const PRODUCTION_CLOCK_EXTENSION: u32 = 10_800;
/// See [`PRODUCTION_MAX_CLOCK`].
pub const PRODUCTION_SPLIT_EXTENSION: u32 = 21_600;
/// See [`PRODUCTION_MAX_CLOCK`].
pub const PRODUCTION_STEP_EXTENSION: u32 = 21_600;
/// Production's bond at depth 0: OP's 0.08 ETH.
pub const PRODUCTION_BASE_BOND: u128 = 80_000_000_000_000_000;
/// The bond's growth per depth, in basis points (OP's 1.09x).
pub const BOND_GROWTH_BPS: u16 = 10_900;

/// `FaultDisputeGame.Params` (contracts/src/dispute/FaultDisputeGame.sol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GameParams {
    /// Depth of a block's machine trace: `2^exec_depth` steps.
    pub exec_depth: u8,
    /// Seconds each side may use on a path.
    pub max_clock_duration: u32,
    /// Seconds a side is always left to counter a child.
    pub clock_extension: u32,
    /// The same before a block's first machine claim.
    pub split_extension: u32,
    /// The same before a step.
    pub step_extension: u32,
    /// Bond at depth 0, wei.
    pub base_bond: u128,
    /// Bond growth per depth, basis points.
    pub bond_growth_bps: u16,
}

impl GameParams {
    /// The devnet's: short clocks, tiny bonds, a trace deep enough for `block_gas_limit`.
    pub fn devnet(block_gas_limit: u64) -> Self {
        Self {
            exec_depth: exec_depth_for(block_gas_limit),
            max_clock_duration: DEVNET_MAX_CLOCK,
            clock_extension: DEVNET_CLOCK_EXTENSION,
            split_extension: DEVNET_SPLIT_EXTENSION,
            step_extension: DEVNET_STEP_EXTENSION,
            base_bond: DEVNET_BASE_BOND,
            bond_growth_bps: BOND_GROWTH_BPS,
        }
    }

    /// Production's: OP's clocks and bond curve.
    pub fn production(block_gas_limit: u64) -> Self {
        Self {
            exec_depth: exec_depth_for(block_gas_limit),
            max_clock_duration: PRODUCTION_MAX_CLOCK,
            clock_extension: PRODUCTION_CLOCK_EXTENSION,
            split_extension: PRODUCTION_SPLIT_EXTENSION,
            step_extension: PRODUCTION_STEP_EXTENSION,
            base_bond: PRODUCTION_BASE_BOND,
            bond_growth_bps: BOND_GROWTH_BPS,
        }
    }

    /// As the constructor takes them.
    pub fn to_sol(&self) -> FaultDisputeGame::Params {
        FaultDisputeGame::Params {
            execDepth: self.exec_depth,
            maxClockDuration: self.max_clock_duration,
            clockExtension: self.clock_extension,
            splitExtension: self.split_extension,
            stepExtension: self.step_extension,
            baseBond: self.base_bond,
            bondGrowthBps: self.bond_growth_bps,
        }
    }
}

alloy::sol! {
    /// `InitialState.Leaf`.
    struct StartLeaf {
        uint256 index;
        uint256 number;
        uint256 timestamp;
        uint256 depositCursor;
        uint256 l1Origin;
        uint256 txCount;
        uint256 firstTx;
    }

    /// `BlockStart.Proof`.
    struct StartProof {
        bytes header;
        uint256 batchIndex;
        StartLeaf leaf;
        bytes32[] itemProof;
    }
}

/// The `proof` of `BlockStart.initialCommitment`: `abi.encode(Proof)` of the parent
/// header's RLP, the batch holding the block, the block's leaf and its Merkle proof.
pub fn block_start_proof(parent_header_rlp: &[u8], batch_index: u64, leaf: &BlockLeaf, item_proof: &[B256]) -> Bytes {
    let u = U256::from;
    StartProof {
        header: Bytes::copy_from_slice(parent_header_rlp),
        batchIndex: u(batch_index),
        leaf: StartLeaf {
            index: u(leaf.index),
            number: u(leaf.number),
            timestamp: u(leaf.timestamp),
            depositCursor: u(leaf.deposit_cursor),
            l1Origin: u(leaf.l1_origin),
            txCount: u(leaf.tx_count),
            firstTx: u(leaf.first_tx),
        },
        itemProof: item_proof.to_vec(),
    }
    .abi_encode()
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_depth_holds_twice_the_gas_limit() {
        assert_eq!(exec_depth_for(30_000_000), 26, "docs/dispute.md: 30 Mgas blocks, V = 26");
        assert_eq!(exec_depth_for(300_000_000), 30);
        for gas in [1u64, 2, 10_000_000, 30_000_000, 300_000_000, u64::MAX / 4] {
            let v = exec_depth_for(gas);
            assert!(1u128 << v >= 2 * u128::from(gas), "{gas}: 2^{v} holds it");
            assert!(v == 1 || 1u128 << (v - 1) < 2 * u128::from(gas), "{gas}: {v} is the smallest");
        }
    }

    #[test]
    fn proof_is_abi_encode_of_the_struct() {
        let p = block_start_proof(&[0xc0], 3, &BlockLeaf { number: 7, ..Default::default() }, &[B256::repeat_byte(1)]);
        // abi.encode of a dynamic struct: one head word (the offset 0x20), then the tuple.
        assert_eq!(U256::from_be_slice(&p[..32]), U256::from(32));
        let back = StartProof::abi_decode(&p).expect("decodes");
        assert_eq!(back.batchIndex, U256::from(3));
        assert_eq!(back.leaf.number, U256::from(7));
        assert_eq!(back.itemProof, vec![B256::repeat_byte(1)]);
    }
}
