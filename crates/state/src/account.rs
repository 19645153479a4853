//! The stored form of an account: what its SMT leaf commits to.

use crate::smt::account_value_hash;
use alloy_primitives::{B256, KECCAK256_EMPTY, U256};
use revm::state::AccountInfo;

/// An account as stored and committed: nonce, balance, code hash and code size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    /// Nonce.
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// keccak256 of the code (`KECCAK256_EMPTY` for none).
    pub code_hash: B256,
    /// Length of the code in bytes.
    pub code_size: u64,
}

impl AccountRecord {
    /// The 80-byte encoding, which is also the preimage of the leaf's value hash.
    pub fn encode(&self) -> [u8; 80] {
        let mut buf = [0u8; 80];
        buf[..8].copy_from_slice(&self.nonce.to_be_bytes());
        buf[8..40].copy_from_slice(&self.balance.to_be_bytes::<32>());
        buf[40..72].copy_from_slice(self.code_hash.as_slice());
        buf[72..].copy_from_slice(&self.code_size.to_be_bytes());
        buf
    }

    /// Decodes [`AccountRecord::encode`]'s output.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 80 {
            return None;
        }
        Some(Self {
            nonce: u64::from_be_bytes(bytes[..8].try_into().ok()?),
            balance: U256::from_be_slice(&bytes[8..40]),
            code_hash: B256::from_slice(&bytes[40..72]),
            code_size: u64::from_be_bytes(bytes[72..].try_into().ok()?),
        })
    }

    /// The SMT leaf value hash.
    pub fn value_hash(&self) -> B256 {
        account_value_hash(self.nonce, &self.balance, &self.code_hash, self.code_size)
    }

    /// The revm view of this account. Code is left out (`None`, not the default empty
    /// code) so that revm loads it by hash when it needs it.
    pub fn to_info(&self) -> AccountInfo {
        let mut info = AccountInfo { balance: self.balance, nonce: self.nonce, code_hash: self.code_hash, ..Default::default() };
        info.code = (self.code_hash == KECCAK256_EMPTY).then(Default::default);
        info
    }

    /// Whether the account is empty per EIP-161 (and so has no leaf).
    pub fn is_empty(&self) -> bool {
        self.nonce == 0 && self.balance.is_zero() && self.code_hash == KECCAK256_EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_roundtrips_and_is_the_value_hash_preimage() {
        let a = AccountRecord { nonce: 7, balance: U256::from(99u64), code_hash: B256::repeat_byte(3), code_size: 12 };
        assert_eq!(AccountRecord::decode(&a.encode()), Some(a));
        assert_eq!(a.value_hash(), alloy_primitives::keccak256(a.encode()));
        assert_eq!(AccountRecord::decode(&[0u8; 79]), None);
    }
}
