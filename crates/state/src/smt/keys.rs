//! Leaf keys and account value hashes (`docs/state.md`, "Keys" and "Leaf values").

use alloy_primitives::{keccak256, Address, B256, U256};

/// `keccak256(0x01 ‖ address)`.
pub fn account_key(address: &Address) -> B256 {
    let mut buf = [0u8; 21];
    buf[0] = 0x01;
    buf[1..].copy_from_slice(address.as_slice());
    keccak256(buf)
}

/// `keccak256(0x02 ‖ address ‖ slot)`.
pub fn storage_key(address: &Address, slot: &B256) -> B256 {
    let mut buf = [0u8; 53];
    buf[0] = 0x02;
    buf[1..21].copy_from_slice(address.as_slice());
    buf[21..].copy_from_slice(slot.as_slice());
    keccak256(buf)
}

/// `keccak256(nonce:u64 ‖ balance:u256 ‖ codeHash ‖ codeSize:u64)`.
pub fn account_value_hash(nonce: u64, balance: &U256, code_hash: &B256, code_size: u64) -> B256 {
    let mut buf = [0u8; 80];
    buf[..8].copy_from_slice(&nonce.to_be_bytes());
    buf[8..40].copy_from_slice(&balance.to_be_bytes::<32>());
    buf[40..72].copy_from_slice(code_hash.as_slice());
    buf[72..].copy_from_slice(&code_size.to_be_bytes());
    keccak256(buf)
}
