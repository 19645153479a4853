//! The output root: the L2 commitment a proposer posts to L1 (see `docs/state.md` and
//! `docs/contracts.md`).

use alloy_primitives::{keccak256, B256};

/// Version of the output root preimage.
pub const OUTPUT_VERSION: B256 = B256::ZERO;

/// `keccak256(version ‖ stateRoot ‖ l2BlockHash)`, 96 bytes hashed, which is
/// `keccak256(abi.encode(bytes32, bytes32, bytes32))` in Solidity.
pub fn output_root(state_root: B256, block_hash: B256) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(OUTPUT_VERSION.as_slice());
    buf[32..64].copy_from_slice(state_root.as_slice());
    buf[64..].copy_from_slice(block_hash.as_slice());
    keccak256(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolValue;

    #[test]
    fn output_root_is_abi_encoded_triple() {
        let s = B256::repeat_byte(0x11);
        let b = B256::repeat_byte(0x22);
        let abi = (OUTPUT_VERSION, s, b).abi_encode();
        assert_eq!(output_root(s, b), keccak256(abi));
    }
}
