//! Batch entries through the machine's input steps against alloy, the decoder
//! derivation runs (docs/fault-vm-inputs.md, "Batch entries"): random valid transactions
//! of every type the L2 runs (with access lists, with data over several chunks), and
//! their mutations (a byte changed, inserted or removed, truncation, extension), each the
//! only entry of a calldata batch (and, for some, of a blob batch). The machine must skip
//! exactly the entries alloy refuses (or whose type the L2 does not run, or whose
//! signature recovers no sender under EIP-2), and for every other entry build the
//! transaction context alloy's fields give: hash, sender, type, chain id, nonce, fees,
//! gas, recipient, value, data with its zero count, the access list and the size. The
//! whole-entry decoder (`txdecode::decode`) is held to alloy on the same entries.

use alloy_consensus::{SignableTransaction, Transaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, Bytes, Signature, TxKind, B256, U256};
use faultline_primitives::batch::{block_leaf, tx_leaf};
use faultline_vm_core::{
    machine::{AccessItem, BlockCtx, BlockHashes, Inputs, Machine, Phase, TxCtx},
    world::{FullWorld, MemWorld, World},
};
use faultline_vm_prover::l1::{BlobPayload, L1Block};
use proptest::prelude::*;
use std::{collections::BTreeMap, rc::Rc};

/// What derivation makes of an entry: the envelope and its sender, if it runs it.
fn alloy_view(raw: &[u8]) -> Option<(TxEnvelope, Address)> {
    let tx = TxEnvelope::decode_2718_exact(raw).ok()?;
    if !matches!(tx, TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_)) {
        return None;
    }
    let sender = alloy_consensus::transaction::SignerRecoverable::recover_signer(&tx).ok()?;
    Some((tx, sender))
}

/// A block whose one entry is `raw`, in a calldata or a blob batch.
fn machine(raw: &[u8], blobs: bool) -> Machine {
    let entries = vec![Bytes::copy_from_slice(raw)];
    let mut l1 = L1Block { entries: entries.clone(), batch_leaves: vec![block_leaf(1, 0, 0, 0, 1), tx_leaf(raw)], ..Default::default() };
    if blobs {
        l1.batch_leaves = vec![faultline_primitives::batch::blob_block_leaf(1, 0, 0, 0, 1, 0)];
        l1.blob = Some(BlobPayload::of(&entries, 0));
    }
    let ctx = BlockCtx { number: 1, gas_limit: 30_000_000, chain_id: 64023, block_hashes: BlockHashes::State, ..Default::default() };
    let world = World::Full(Box::new(FullWorld::new(Rc::new(MemWorld::new(&BTreeMap::new())))));
    Machine::from_l1(ctx, l1.inputs().expect("blobs commit"), world)
}

/// Steps until the entry is a transaction about to begin, or was skipped: the context.
fn decoded(mut m: Machine) -> Result<Option<TxCtx>, TestCaseError> {
    for _ in 0..10_000 {
        if m.phase == Phase::Begin {
            return Ok(m.tx.clone());
        }
        if let Inputs::L1(l) = &m.inputs {
            if l.batch.next == 1 && l.entry.is_none() && m.tx.is_none() {
                return Ok(None);
            }
        }
        m.step().map_err(|e| TestCaseError::fail(format!("step: {e}")))?;
    }
    Err(TestCaseError::fail("no end to the entry's steps"))
}

/// `txdecode` on the whole entry (the decoder the input steps read in pieces): the same
/// decision and fields as alloy.
fn check_whole(raw: &[u8]) -> Result<bool, TestCaseError> {
    use faultline_vm_core::txdecode;
    let ours = txdecode::decode(raw).and_then(|d| {
        let h = txdecode::signing_hash(raw, &d.signing);
        txdecode::recover(&d, h).map(|s| (d, s))
    });
    match (&ours, alloy_view(raw)) {
        (Ok((d, sender)), Some((tx, s))) => {
            prop_assert_eq!(*sender, s);
            prop_assert_eq!(d.tx_type, tx.tx_type() as u8);
            prop_assert_eq!(d.chain_id, tx.chain_id());
            prop_assert_eq!(d.nonce, tx.nonce());
            prop_assert_eq!(d.gas_limit, tx.gas_limit());
            prop_assert_eq!(d.max_fee, tx.max_fee_per_gas());
            prop_assert_eq!(d.to, tx.kind().to().copied());
            prop_assert_eq!(d.value, tx.value());
            prop_assert_eq!(&raw[d.data.start..d.data.end()], tx.input().as_ref());
            if d.tx_type != 0 {
                let (_, items, _) = txdecode::decode_access_list(raw, d.data.end(), raw.len()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let list = tx.access_list().cloned().unwrap_or_default();
                prop_assert_eq!(items.len(), list.0.len());
                for (ours, theirs) in items.iter().zip(list.0.iter()) {
                    prop_assert_eq!(ours.address, theirs.address);
                    let keys: Vec<B256> = ours.keys.iter().map(|k| B256::from_slice(&raw[*k..*k + 32])).collect();
                    prop_assert_eq!(&keys, &theirs.storage_keys);
                }
            }
            Ok(true)
        }
        (Err(_), None) => Ok(false),
        (ours, theirs) => Err(TestCaseError::fail(format!("txdecode {:?}, alloy {}", ours.as_ref().map(|(_, s)| *s), theirs.is_some()))),
    }
}

/// The machine's input steps and the whole-entry decoder on `raw`, each against alloy.
fn check(raw: &[u8], blobs: bool) -> Result<bool, TestCaseError> {
    let whole = check_whole(raw)?;
    let machine = check_machine(raw, blobs)?;
    prop_assert_eq!(whole, machine);
    Ok(machine)
}

fn check_machine(raw: &[u8], blobs: bool) -> Result<bool, TestCaseError> {
    let ours = decoded(machine(raw, blobs))?;
    match (ours, alloy_view(raw)) {
        (None, None) => Ok(false),
        (Some(t), Some((tx, sender))) => {
            prop_assert_eq!(t.hash, *tx.tx_hash());
            prop_assert_eq!(t.sender, sender);
            prop_assert_eq!(t.tx_type, tx.tx_type() as u8);
            prop_assert_eq!(t.chain_id, tx.chain_id());
            prop_assert_eq!(t.nonce, tx.nonce());
            prop_assert_eq!(t.gas_limit, tx.gas_limit());
            prop_assert_eq!(t.max_fee, tx.max_fee_per_gas());
            prop_assert_eq!(t.max_priority_fee, if t.tx_type == 2 { tx.max_priority_fee_per_gas() } else { None });
            prop_assert_eq!(t.to, tx.kind().to().copied());
            prop_assert_eq!(t.value, tx.value());
            prop_assert_eq!(t.data.bytes().expect("a full tree"), tx.input().to_vec());
            prop_assert_eq!(t.data_zeros, tx.input().iter().filter(|b| **b == 0).count() as u64);
            prop_assert_eq!(t.size, raw.len() as u64);
            let mut items = Vec::new();
            for i in tx.access_list().map(|l| l.0.clone()).unwrap_or_default() {
                items.push(AccessItem { address: i.address, slot: None });
                items.extend(i.storage_keys.iter().map(|k| AccessItem { address: i.address, slot: Some(*k) }));
            }
            prop_assert_eq!(t.access_len, items.len() as u64);
            prop_assert_eq!(t.access_addresses, tx.access_list().map_or(0, |l| l.0.len() as u64));
            prop_assert_eq!(t.access_items.as_ref(), Some(&items));
            Ok(true)
        }
        (ours, theirs) => Err(TestCaseError::fail(format!("machine {:?}, alloy {:?}", ours.map(|t| t.hash), theirs.map(|(t, _)| *t.tx_hash())))),
    }
}

fn sign<T: SignableTransaction<Signature>>(tx: T, key: &[u8; 32]) -> alloy_consensus::Signed<T> {
    use alloy::signers::SignerSync;
    let signer = alloy::signers::local::PrivateKeySigner::from_bytes(&B256::from(*key)).expect("key");
    let sig = signer.sign_hash_sync(&tx.signature_hash()).expect("sign");
    tx.into_signed(sig)
}

prop_compose! {
    fn access_list()(items in proptest::collection::vec((any::<[u8; 20]>(), proptest::collection::vec(any::<[u8; 32]>(), 0..4)), 0..4)) -> alloy_eips::eip2930::AccessList {
        alloy_eips::eip2930::AccessList(items.into_iter().map(|(a, ks)| alloy_eips::eip2930::AccessListItem { address: Address::from(a), storage_keys: ks.into_iter().map(B256::from).collect() }).collect())
    }
}

fn widths() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), Just(1), Just(0x7f), Just(0x80), any::<u8>().prop_map(u64::from), any::<u64>()]
}

prop_compose! {
    fn entry()(
        ty in 0u8..4,
        chain_id in prop_oneof![Just(64023u64), Just(1u64), Just(0u64), any::<u64>()],
        nonce in widths(), gas in widths(), fee in any::<u128>(), tip in any::<u128>(),
        create in any::<bool>(), to in any::<[u8; 20]>(), value in any::<[u8; 32]>(),
        data in prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..200),
            1 => (4_300usize..9_000, any::<u8>()).prop_map(|(n, b)| (0..n).map(|i| if i % 3 == 0 { 0 } else { b ^ i as u8 }).collect()),
        ],
        list in access_list(),
        key in any::<[u8; 31]>(),
    ) -> Vec<u8> {
        let mut k = [1u8; 32];
        k[1..].copy_from_slice(&key);
        let kind = if create { TxKind::Create } else { TxKind::Call(Address::from(to)) };
        let (value, input) = (U256::from_be_bytes(value), Bytes::from(data));
        let env: TxEnvelope = match ty {
            0 => sign(TxLegacy { chain_id: Some(chain_id), nonce, gas_price: fee, gas_limit: gas, to: kind, value, input }, &k).into(),
            1 => sign(TxLegacy { chain_id: None, nonce, gas_price: fee, gas_limit: gas, to: kind, value, input }, &k).into(),
            2 => sign(TxEip2930 { chain_id, nonce, gas_price: fee, gas_limit: gas, to: kind, value, input, access_list: list }, &k).into(),
            _ => sign(TxEip1559 { chain_id, nonce, max_priority_fee_per_gas: tip, max_fee_per_gas: fee, gas_limit: gas, to: kind, value, input, access_list: list }, &k).into(),
        };
        env.encoded_2718()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Valid transactions of every kind become the contexts alloy's fields give.
    #[test]
    fn valid_entries_become_alloys_transactions(raw in entry(), blobs in proptest::bool::weighted(0.05)) {
        prop_assert!(check(&raw, blobs)?, "a valid entry was skipped");
    }

    /// Mutated entries are skipped exactly when alloy refuses them, and otherwise become
    /// the context alloy's fields give.
    #[test]
    fn mutated_entries_are_skipped_exactly_when_alloy_refuses_them(
        raw in entry(), at in any::<prop::sample::Index>(), byte in any::<u8>(), how in 0u8..5, blobs in proptest::bool::weighted(0.05),
    ) {
        let mut m = raw.clone();
        let i = at.index(m.len());
        match how {
            0 => m[i] = byte,
            1 => m.insert(i, byte),
            2 => { m.remove(i); }
            3 => m.truncate(i.max(1)),
            _ => m.push(byte),
        }
        check(&m, blobs)?;
    }
}

#[test]
fn a_high_s_is_refused_as_alloy_refuses_it() {
    let tx = sign(TxEip1559 { chain_id: 64023, gas_limit: 21_000, to: TxKind::Call(Address::repeat_byte(1)), ..Default::default() }, &[7u8; 32]);
    let n = U256::from_str_radix("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16).unwrap();
    let sig = tx.signature();
    let flipped = Signature::new(sig.r(), n - sig.s(), !sig.v());
    let raw = TxEnvelope::from(tx.tx().clone().into_signed(flipped)).encoded_2718();
    assert!(alloy_view(&raw).is_none(), "alloy refuses a high s");
    let d = faultline_vm_core::txdecode::decode(&raw).expect("well-formed");
    let h = faultline_vm_core::txdecode::signing_hash(&raw, &d.signing);
    assert_eq!(faultline_vm_core::txdecode::recover(&d, h).err(), Some(faultline_vm_core::txdecode::Skip::BadSignature("s above secp256k1n/2 (EIP-2)")));
    for blobs in [false, true] {
        assert!(!check(&raw, blobs).expect("agrees"), "the machine skips it too (blobs: {blobs})");
    }
}

#[test]
fn the_widest_prefix_fits_its_bound() {
    // Every field of an EIP-1559 transaction at its widest, and data over many chunks.
    let tx = sign(
        TxEip1559 {
            chain_id: u64::MAX,
            nonce: u64::MAX,
            max_priority_fee_per_gas: u128::MAX,
            max_fee_per_gas: u128::MAX,
            gas_limit: u64::MAX,
            to: TxKind::Call(Address::repeat_byte(0xff)),
            value: U256::MAX,
            input: Bytes::from(vec![0xab; 70_000]),
            access_list: Default::default(),
        },
        &[9u8; 32],
    );
    let raw = TxEnvelope::from(tx).encoded_2718();
    let p = faultline_vm_core::txdecode::decode_prefix(&raw[..faultline_vm_core::txdecode::PREFIX_MAX], raw.len()).expect("prefix");
    assert!(p.fields.data.start <= faultline_vm_core::txdecode::PREFIX_MAX, "{}", p.fields.data.start);
    assert_eq!(p.fields.data.len, 70_000);
    assert!(check(&raw, false).expect("agrees"));
}

#[test]
fn entries_the_l2_does_not_run_are_skipped() {
    for raw in [vec![3u8, 0xc0], vec![4u8, 0xc0], vec![0x7f, 0xc0], vec![0x83, 1, 2, 3], vec![0xc0], vec![0xff; 5_000]] {
        for blobs in [false, true] {
            assert_eq!(decoded(machine(&raw, blobs)).expect("steps"), None, "{:02x?}… (blobs: {blobs})", &raw[..raw.len().min(4)]);
        }
    }
}
