//! The L1 fee (`docs/chain.md`, "L1 fee"): what a signed transaction pays for the bytes
//! the batcher posts to L1, on top of its L2 gas.
//!
//! Every L2 block names the L1 block whose base fee and blob base fee it prices with (its
//! *L1 fee origin*); those values are recorded on L1 by `BatchInbox` when the L1 block
//! includes a batch (or deploys the inbox), and derivation checks the name against that
//! record. The charge is OP Stack's Ecotone/Fjord shape without compression:
//!
//! ```text
//! l1Fee = size × (16 × baseFeeScalar × l1BaseFee + blobBaseFeeScalar × l1BlobBaseFee) / 1e6
//! ```
//!
//! where `size` is the length of the signed transaction's EIP-2718 bytes (a batch carries
//! exactly those bytes, uncompressed) and the two scalars are `RollupConfig` immutables.

use alloy_primitives::U256;
use serde::{Deserialize, Serialize};

/// The divisor of the scalars: a scalar of 1,000,000 is a factor of 1.
pub const SCALAR_DECIMALS: u64 = 1_000_000;

/// The L1 values one L2 block prices its transactions' data with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct L1FeeInputs {
    /// The L1 block whose values these are (0: the chain has no L1 fee, as on an L2-only
    /// node or in the state tests).
    pub origin: u64,
    /// That L1 block's base fee (wei, saturated at `u64::MAX` by the inbox).
    pub base_fee: u64,
    /// That L1 block's blob base fee (wei, saturated at `u64::MAX` by the inbox).
    pub blob_base_fee: u64,
}

/// The chain's two L1 fee scalars (millionths).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct L1FeeScalars {
    /// Weight of the L1 base fee, per 16 gas of a byte (OP Stack's `baseFeeScalar`).
    pub base_fee_scalar: u32,
    /// Weight of the L1 blob base fee, per byte (OP Stack's `blobBaseFeeScalar`).
    pub blob_base_fee_scalar: u32,
}

/// The L1 fee of `size` bytes of a signed transaction (exact integer arithmetic, floored).
pub fn l1_fee(size: u64, inputs: &L1FeeInputs, scalars: &L1FeeScalars) -> U256 {
    U256::from(size) * weighted_price(inputs, scalars) / U256::from(SCALAR_DECIMALS)
}

/// `16 × baseFeeScalar × l1BaseFee + blobBaseFeeScalar × l1BlobBaseFee`: the price of one
/// byte, times 1e6.
pub fn weighted_price(inputs: &L1FeeInputs, scalars: &L1FeeScalars) -> U256 {
    U256::from(16u64) * U256::from(scalars.base_fee_scalar) * U256::from(inputs.base_fee)
        + U256::from(scalars.blob_base_fee_scalar) * U256::from(inputs.blob_base_fee)
}

/// The "L1 gas used" a receipt reports (OP Stack's `l1GasUsed`): 16 per byte.
pub fn l1_gas_used(size: u64) -> u64 {
    size.saturating_mul(16)
}

/// An L2 header's `extraData`: `depositCursor:u64 ‖ l1Origin:u64 ‖ l1BaseFee:u64 ‖
/// l1BlobBaseFee:u64` (32 bytes, big-endian).
pub fn encode_extra_data(deposit_cursor: u64, l1: &L1FeeInputs) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&deposit_cursor.to_be_bytes());
    out[8..16].copy_from_slice(&l1.origin.to_be_bytes());
    out[16..24].copy_from_slice(&l1.base_fee.to_be_bytes());
    out[24..].copy_from_slice(&l1.blob_base_fee.to_be_bytes());
    out
}

/// The L1 fee inputs an L2 header's `extraData` carries; zero when absent or malformed.
pub fn l1_fee_inputs(extra_data: &[u8]) -> L1FeeInputs {
    let word = |i: usize| extra_data.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()).map(u64::from_be_bytes).unwrap_or(0);
    if extra_data.len() != 32 {
        return L1FeeInputs::default();
    }
    L1FeeInputs { origin: word(8), base_fee: word(16), blob_base_fee: word(24) }
}

/// `GasPriceOracle` storage (`contracts/src/L2/GasPriceOracle.sol`): slot 0 the L1 base
/// fee, 1 the L1 blob base fee, 2 the L1 fee origin's number (written by the state
/// transition at the start of every block that has an L1 fee origin), 3 and 4 the base fee
/// and blob base fee scalars (genesis).
pub mod oracle_slots {
    /// `l1BaseFee`.
    pub const BASE_FEE: u64 = 0;
    /// `blobBaseFee`.
    pub const BLOB_BASE_FEE: u64 = 1;
    /// `l1BlockNumber`.
    pub const ORIGIN: u64 = 2;
    /// `baseFeeScalar`.
    pub const BASE_FEE_SCALAR: u64 = 3;
    /// `blobBaseFeeScalar`.
    pub const BLOB_BASE_FEE_SCALAR: u64 = 4;
}

/// The `GasPriceOracle` slots the state transition writes at the start of a block, in
/// this order, or none when the block has no L1 fee origin (`origin == 0`).
pub fn oracle_writes(inputs: &L1FeeInputs) -> Vec<(U256, U256)> {
    if inputs.origin == 0 {
        return Vec::new();
    }
    vec![
        (U256::from(oracle_slots::BASE_FEE), U256::from(inputs.base_fee)),
        (U256::from(oracle_slots::BLOB_BASE_FEE), U256::from(inputs.blob_base_fee)),
        (U256::from(oracle_slots::ORIGIN), U256::from(inputs.origin)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_against_hand_computed_values() {
        let s = L1FeeScalars { base_fee_scalar: 20_000, blob_base_fee_scalar: 1_100_000 };
        // 112 bytes at 1 gwei L1 base fee, 1 wei blob base fee:
        // 112 × (16 × 20,000 × 1e9 + 1,100,000 × 1) / 1e6 = 112 × 320,000,001,100,000 / 1e6
        //   = 35,840,000,123,200,000 / 1e6 = 35,840,000,123.2 → 35,840,000,123 wei.
        let i = L1FeeInputs { origin: 7, base_fee: 1_000_000_000, blob_base_fee: 1 };
        assert_eq!(l1_fee(112, &i, &s), U256::from(35_840_000_123u64));
        // Blob-only: 100 bytes, base fee 0, blob base fee 3 wei, scalar 1.1: 330 wei.
        let i = L1FeeInputs { origin: 7, base_fee: 0, blob_base_fee: 3 };
        assert_eq!(l1_fee(100, &i, &s), U256::from(330u64));
        // Floors: 1 byte at 1 wei blob base fee, scalar 0.5 → 0.5 → 0.
        let half = L1FeeScalars { base_fee_scalar: 0, blob_base_fee_scalar: 500_000 };
        assert_eq!(l1_fee(1, &L1FeeInputs { origin: 1, base_fee: 0, blob_base_fee: 1 }, &half), U256::ZERO);
        // No L1 inputs, no fee.
        assert_eq!(l1_fee(1_000, &L1FeeInputs::default(), &s), U256::ZERO);
        // The largest values do not overflow: 2^24 bytes at u64::MAX fees and u32::MAX scalars.
        let max = L1FeeInputs { origin: 1, base_fee: u64::MAX, blob_base_fee: u64::MAX };
        let smax = L1FeeScalars { base_fee_scalar: u32::MAX, blob_base_fee_scalar: u32::MAX };
        let expect = U256::from(1u64 << 24) * (U256::from(17u64) * U256::from(u32::MAX) * U256::from(u64::MAX)) / U256::from(1_000_000u64);
        assert_eq!(l1_fee(1 << 24, &max, &smax), expect);
        assert_eq!(l1_gas_used(112), 1_792);
    }

    #[test]
    fn extra_data_round_trips_and_keeps_the_cursor_first() {
        let i = L1FeeInputs { origin: 0x0102, base_fee: 3, blob_base_fee: u64::MAX };
        let e = encode_extra_data(9, &i);
        assert_eq!(crate::deposit_cursor(&e), 9);
        assert_eq!(l1_fee_inputs(&e), i);
        assert_eq!(l1_fee_inputs(&9u64.to_be_bytes()), L1FeeInputs::default());
        assert_eq!(l1_fee_inputs(&[1, 2, 3]), L1FeeInputs::default());
    }
}
