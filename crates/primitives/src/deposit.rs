//! Portal deposits as L2 sees them (`docs/bridge.md`, "Deposits"): the fields of the
//! L1 `DepositQueued` event, the deposit hash and the accumulator, computed exactly as
//! `contracts/src/lib/Hashing.sol` does.

use crate::chunked;
use alloy::sol_types::SolValue;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};

/// One deposit of the L1 portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deposit {
    /// Index in the portal's accumulator.
    pub index: u64,
    /// L2 sender (aliased if the L1 sender is a contract).
    pub from: Address,
    /// L2 call target.
    pub to: Address,
    /// Wei minted to `from` on L2 (the ETH locked on L1).
    pub mint: U256,
    /// Wei `from` sends with the call.
    pub value: U256,
    /// Gas of the L2 call.
    pub gas_limit: u64,
    /// L1 block of the deposit.
    pub l1_block: u64,
    /// Timestamp of that L1 block (not hashed: read from L1 for the sequencing window).
    pub l1_timestamp: u64,
    /// Call data.
    pub data: Bytes,
}

impl Deposit {
    /// `keccak256(abi.encode(index, from, to, mint, value, gasLimit, l1BlockNumber,
    /// data.length, chunked(data)))` (`docs/bridge.md`, "Accumulator"): the length and
    /// the [`chunked`] hash of the data, so a one-step proof opens long data one
    /// checked chunk a step (`docs/fault-vm-inputs.md`, "One post per pre-state").
    pub fn hash(&self) -> B256 {
        keccak256(self.hash_preimage())
    }

    /// The nine words [`Self::hash`] hashes (what a one-step proof opens a deposit from).
    pub fn hash_preimage(&self) -> Vec<u8> {
        let data = (U256::from(self.data.len()), chunked::hash(&self.data));
        (U256::from(self.index), self.from, self.to, self.mint, self.value, self.gas_limit, self.l1_block, data.0, data.1).abi_encode()
    }

    /// The accumulator after this deposit, given the one before it.
    pub fn accumulate(&self, previous: B256) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(previous.as_slice());
        buf[32..].copy_from_slice(self.hash().as_slice());
        keccak256(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunked::CHUNK;

    fn deposit(len: usize) -> Deposit {
        Deposit {
            index: 3,
            from: Address::repeat_byte(1),
            to: Address::repeat_byte(2),
            mint: U256::from(4),
            value: U256::from(5),
            gas_limit: 60_000,
            l1_block: 7,
            l1_timestamp: 8,
            data: Bytes::from((0..len).map(|i| (i * 31 + 7) as u8).collect::<Vec<u8>>()),
        }
    }

    /// The nine words the hash is taken over, written out by hand.
    fn words(d: &Deposit, inner: B256) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&U256::from(d.index).to_be_bytes::<32>());
        out.extend_from_slice(d.from.into_word().as_slice());
        out.extend_from_slice(d.to.into_word().as_slice());
        out.extend_from_slice(&d.mint.to_be_bytes::<32>());
        out.extend_from_slice(&d.value.to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(d.gas_limit).to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(d.l1_block).to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(d.data.len()).to_be_bytes::<32>());
        out.extend_from_slice(inner.as_slice());
        out
    }

    #[test]
    fn hash_commits_length_and_chunked_hash() {
        // Empty data: its chunked hash is keccak256("").
        let empty = deposit(0);
        assert_eq!(chunked::hash(&empty.data), alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"));
        assert_eq!(empty.hash(), keccak256(words(&empty, keccak256([]))));
        for len in [1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1] {
            let d = deposit(len);
            assert_eq!(d.hash(), keccak256(words(&d, chunked::hash(&d.data))), "len {len}");
            if len > CHUNK {
                assert_ne!(d.hash(), keccak256(words(&d, keccak256(&d.data))), "len {len}: not plain keccak256");
            }
        }
        // The timestamp is not hashed; the accumulator chains the hash.
        let mut d = deposit(10);
        let h = d.hash();
        d.l1_timestamp += 1;
        assert_eq!(d.hash(), h);
        assert_eq!(d.accumulate(B256::ZERO), keccak256([B256::ZERO.as_slice(), h.as_slice()].concat()));
    }
}
