//! Reading the output oracle's state that several commands need.

use crate::bindings::OutputOracle;
use alloy::providers::Provider;
use alloy_primitives::U256;

/// The newest final output as (index, L2 block). Outputs become final oldest first and
/// output 0 (genesis) always is, so a binary search needs `log2(count)` calls.
pub async fn newest_final_output<P: Provider>(oracle: &OutputOracle::OutputOracleInstance<P>) -> Result<(u64, u64), alloy::contract::Error> {
    let count: u64 = oracle.outputCount().call().await?.saturating_to();
    if count == 0 {
        return Ok((0, 0));
    }
    let (mut lo, mut hi) = (0u64, count);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if oracle.isFinalized(U256::from(mid)).call().await? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok((lo, oracle.output(U256::from(lo)).call().await?.l2Block))
}
