//! Portal deposits as L2 sees them (`docs/bridge.md`, "Deposits"): the fields of the
//! L1 `DepositQueued` event, the deposit hash and the accumulator, computed exactly as
//! `contracts/src/lib/Hashing.sol` does.

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
    /// `keccak256(abi.encode(index, from, to, mint, value, gasLimit, l1BlockNumber, keccak256(data)))`.
    pub fn hash(&self) -> B256 {
        keccak256((U256::from(self.index), self.from, self.to, self.mint, self.value, self.gas_limit, self.l1_block, keccak256(&self.data)).abi_encode())
    }

    /// The accumulator after this deposit, given the one before it.
    pub fn accumulate(&self, previous: B256) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(previous.as_slice());
        buf[32..].copy_from_slice(self.hash().as_slice());
        keccak256(buf)
    }
}
