//! The devnet's well-known accounts: anvil's default mnemonic
//! (`test test test test test test test test test test test junk`), indexes 0 to 9.
//! They are prefunded on L2 genesis and used by the devnet services and tests.
//! Never use these keys on a real network.

use alloy_primitives::{address, b256, Address, B256};

/// (address, private key) of the ten anvil dev accounts.
pub const DEV_ACCOUNTS: [(Address, B256); 10] = [
    (address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")),
    (address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"), b256!("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")),
    (address!("3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"), b256!("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")),
    (address!("90F79bf6EB2c4f870365E785982E1f101E93b906"), b256!("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6")),
    (address!("15d34AAf54267DB7D7c367839AAf71A00a2C6A65"), b256!("47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a")),
    (address!("9965507D1a55bcC2695C58ba16FB37d819B0A4dc"), b256!("8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba")),
    (address!("976EA74026E726554dB657fA54763abd0C3a0aa9"), b256!("92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e")),
    (address!("14dC79964da2C08b23698B3D3cc7Ca32193d9955"), b256!("4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356")),
    (address!("23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"), b256!("dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97")),
    (address!("a0Ee7A142d267C1f36714E4a8F75612F20a79720"), b256!("2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6")),
];

/// Devnet roles on L1, as indexes into [`DEV_ACCOUNTS`]: account 0 deploys and owns the
/// rollup config, 1 is the sequencer (posts batches), 2 the proposer, 3 the challenger.
/// Users and tests are free to use any of them on L2.
pub mod roles {
    /// Deploys the L1 contracts and owns the rollup config.
    pub const DEPLOYER: usize = 0;
    /// Signs batches for the inbox.
    pub const SEQUENCER: usize = 1;
    /// Posts output roots with a bond.
    pub const PROPOSER: usize = 2;
    /// Disputes output roots.
    pub const CHALLENGER: usize = 3;
}

/// The mnemonic the dev accounts derive from.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Fee cap of the transactions [`sign_eip1559`] builds (10 gwei).
pub const DEV_FEE_CAP: u128 = 10_000_000_000;
/// Tip of the transactions [`sign_eip1559`] builds (0.001 gwei).
pub const DEV_TIP: u128 = 1_000_000;

/// An EIP-1559 transaction signed by `signer`, EIP-2718 encoded, with the dev fee cap and
/// tip: the one transaction builder of tests and examples.
pub fn sign_eip1559(
    signer: &alloy::signers::local::PrivateKeySigner,
    chain_id: u64,
    nonce: u64,
    to: alloy_primitives::TxKind,
    value: alloy_primitives::U256,
    input: alloy_primitives::Bytes,
    gas_limit: u64,
) -> Vec<u8> {
    let tx = alloy_consensus::TxEip1559 {
        chain_id,
        nonce,
        gas_limit,
        max_fee_per_gas: DEV_FEE_CAP,
        max_priority_fee_per_gas: DEV_TIP,
        to,
        value,
        input,
        access_list: Default::default(),
    };
    sign_tx(signer, tx)
}

/// `tx` signed by `signer`, EIP-2718 encoded (for loads that set their own fees).
pub fn sign_tx(signer: &alloy::signers::local::PrivateKeySigner, mut tx: alloy_consensus::TxEip1559) -> Vec<u8> {
    use alloy::network::TxSignerSync;
    use alloy_consensus::{SignableTransaction, TxEnvelope};
    use alloy_eips::Encodable2718;
    let sig = signer.sign_transaction_sync(&mut tx).expect("signing with a local key cannot fail");
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::signers::local::PrivateKeySigner;

    #[test]
    fn keys_match_addresses() {
        for (addr, key) in DEV_ACCOUNTS {
            let signer = PrivateKeySigner::from_bytes(&key).expect("valid key");
            assert_eq!(signer.address(), addr);
        }
    }
}
