//! Property tests: raw-transaction decoding never panics, whatever the bytes, and
//! every rejection is a typed error; mutations of a valid transaction are either
//! rejected or decode to a transaction whose hash is that of the bytes.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    network::TxSignerSync,
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{keccak256, Address, TxKind, U256};
use faultline_primitives::{dev::DEV_ACCOUNTS, ChainConfig};
use faultline_sequencer::{Chain, PoolConfig};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

fn chain() -> &'static Arc<Chain> {
    static CHAIN: OnceLock<(tempfile::TempDir, Arc<Chain>)> = OnceLock::new();
    &CHAIN
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let c = Chain::open(dir.path(), ChainConfig::devnet(), PoolConfig::default()).expect("open");
            (dir, c)
        })
        .1
}

fn valid_raw(nonce: u64, input: Vec<u8>) -> Vec<u8> {
    let signer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[3].1).expect("key");
    let mut t = TxEip1559 {
        chain_id: 64023,
        nonce,
        gas_limit: 100_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(Address::repeat_byte(7)),
        value: U256::from(1),
        input: input.into(),
        access_list: Default::default(),
    };
    let sig = signer.sign_transaction_sync(&mut t).expect("sign");
    TxEnvelope::from(t.into_signed(sig)).encoded_2718()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = chain().decode_and_recover(&bytes);
    }

    #[test]
    fn typed_prefixes_never_panic(ty in 0u8..0x80, body in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut raw = vec![ty];
        raw.extend(body);
        let _ = chain().decode_and_recover(&raw);
    }

    #[test]
    fn mutated_valid_transactions(nonce in 0u64..1000, input in prop::collection::vec(any::<u8>(), 0..64),
                                  at in any::<prop::sample::Index>(), xor in 1u8..=255, cut in any::<prop::sample::Index>()) {
        let raw = valid_raw(nonce, input);
        let mut flipped = raw.clone();
        let i = at.index(flipped.len());
        flipped[i] ^= xor;
        if let Ok(p) = chain().decode_and_recover(&flipped) {
            prop_assert_eq!(p.hash, keccak256(&flipped));
        }
        let truncated = &raw[..cut.index(raw.len())];
        prop_assert!(chain().decode_and_recover(truncated).is_err());
        let ok = chain().decode_and_recover(&raw);
        prop_assert!(ok.is_ok(), "{:?}", ok.err());
    }
}
