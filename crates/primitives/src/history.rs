//! The L2's block-hash history: EIP-2935's contract, at its address and with its storage
//! layout, in every genesis. Before its first input every block writes its parent's hash
//! into slot `(number − 1) mod 8191`, as Prague's system call does on L1, so the hashes
//! BLOCKHASH can return live in L2 state, where the fault VM proves them with a world
//! proof (docs/fault-vm-inputs.md, "The 256 block hashes"). BLOCKHASH itself keeps its
//! Cancun meaning (the last 256 blocks); the contract's `get` serves 8,191.

pub use alloy_eips::eip2935::{HISTORY_SERVE_WINDOW, HISTORY_STORAGE_ADDRESS, HISTORY_STORAGE_CODE};
use alloy_primitives::{B256, U256};

/// The slot holding block `n`'s hash.
pub fn history_slot(n: u64) -> U256 {
    U256::from(n % HISTORY_SERVE_WINDOW as u64)
}

/// The write block `number` makes before its first input: its parent's hash into the
/// parent's slot (none for genesis).
pub fn history_write(number: u64, parent_hash: B256) -> Option<(U256, U256)> {
    number.checked_sub(1).map(|parent| (history_slot(parent), U256::from_be_bytes(parent_hash.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_of_8191_slots() {
        assert_eq!(history_write(0, B256::repeat_byte(1)), None);
        assert_eq!(history_write(1, B256::repeat_byte(1)), Some((U256::ZERO, U256::from_be_bytes([1; 32]))));
        assert_eq!(history_slot(8191), U256::ZERO);
        assert_eq!(history_slot(8192 + 5), U256::from(6));
    }
}
