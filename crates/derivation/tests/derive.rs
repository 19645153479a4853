//! Derivation against the real sequencer: blocks rebuilt from their batch form (plus
//! deposits) into a separate store have the sequencer's hashes; garbage entries in a
//! batch are skipped without changing the block; a deposit the batch leaves out past the
//! sequencing window is forced in; blocks price their L1 fees with the L1 values they
//! name, which must be recorded on L1.

use alloy::{eips::eip2718::Encodable2718, signers::local::PrivateKeySigner};
use alloy_primitives::{Address, Bytes, TxKind, U256};
use faultline_derivation::{derive_block, DeriveError};
use faultline_primitives::{
    batch::BatchBlock,
    deposit_cursor,
    dev::{sign_eip1559, DEV_ACCOUNTS},
    l1fee::L1FeeInputs,
    ChainConfig, Deposit, L1_FEE_VAULT,
};
use faultline_sequencer::{Chain, PoolConfig};
use faultline_state::Store;
use std::collections::BTreeMap;

fn transfer(i: usize, nonce: u64, to: Address, chain_id: u64) -> Vec<u8> {
    let signer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1).unwrap();
    sign_eip1559(&signer, chain_id, nonce, TxKind::Call(to), U256::from(7), Bytes::new(), 21_000)
}

fn deposit(index: u64, to: Address, l1_timestamp: u64) -> Deposit {
    Deposit {
        index,
        from: Address::repeat_byte(0xd0),
        to,
        mint: U256::from(1_000_000u64),
        value: U256::from(1_000u64),
        gas_limit: 100_000,
        l1_block: 10 + index,
        l1_timestamp,
        data: Bytes::new(),
    }
}

/// The batch form of sequencer block `n`.
fn batch_block(store: &Store, n: u64) -> BatchBlock {
    let (_, h) = store.header(n).unwrap().unwrap();
    let body = store.body(n).unwrap().unwrap();
    BatchBlock::of_block(&h, body.transactions.iter().map(|(_, t)| Bytes::from(t.encoded_2718())).collect())
}

#[test]
fn derived_blocks_match_the_sequencer_and_skip_garbage() {
    let cfg = ChainConfig::devnet();
    let seq_dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(seq_dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    let bob = Address::repeat_byte(0xb0);
    let now = 1_800_000_000;
    let deposits: BTreeMap<u64, Deposit> = (0..2).map(|i| (i, deposit(i, bob, now))).collect();

    // The L1 fee records an inbox made in L1 blocks 7 and 8.
    let l1_fees: BTreeMap<u64, L1FeeInputs> =
        [7, 8].into_iter().map(|o| (o, L1FeeInputs { origin: o, base_fee: o * 1_000_000_000, blob_base_fee: 3 })).collect();
    chain.set_l1_fee(l1_fees[&7]);
    chain.add_deposits(deposits.values().cloned());
    chain.submit_raw(&transfer(0, 0, bob, cfg.chain_id)).unwrap();
    chain.produce_block(now).unwrap(); // block 1: 2 deposits + 1 transfer
    chain.set_l1_fee(l1_fees[&8]);
    chain.submit_raw(&transfer(1, 0, bob, cfg.chain_id)).unwrap();
    chain.submit_raw(&transfer(0, 1, bob, cfg.chain_id)).unwrap();
    chain.produce_block(now + 1).unwrap(); // block 2: 2 transfers
    chain.produce_block(now + 2).unwrap(); // block 3: empty

    let ver_dir = tempfile::tempdir().unwrap();
    let store = Store::open(&ver_dir.path().join("db")).unwrap();
    faultline_executor::genesis::init_genesis(&store, &cfg).unwrap();
    for n in 1..=3 {
        let mut b = batch_block(chain.store(), n);
        if n == 2 {
            // Garbage a sequencer could post: not a transaction, a replay, a wrong chain id.
            b.txs.insert(0, Bytes::from_static(b"\x02garbage"));
            b.txs.push(Bytes::from(transfer(1, 0, bob, cfg.chain_id))); // nonce already used
            b.txs.push(Bytes::from(transfer(2, 0, bob, 1))); // chain id 1
        }
        let d = derive_block(&store, &cfg, n, &b, &deposits, 20, &l1_fees).unwrap();
        let (seq_hash, _) = chain.store().header(n).unwrap().unwrap();
        assert_eq!(d.hash, seq_hash, "block {n} differs");
        if n == 2 {
            assert_eq!((d.txs, d.skipped), (2, 3));
        }
    }
    // The three transfers paid L1 fees into the vault, the same on both sides.
    let vault = store.account(&L1_FEE_VAULT).unwrap().unwrap().balance;
    assert!(vault > U256::ZERO);
    assert_eq!(chain.store().account(&L1_FEE_VAULT).unwrap().unwrap().balance, vault);
    // Gaps are refused.
    let b = batch_block(chain.store(), 3);
    assert!(matches!(derive_block(&store, &cfg, 5, &b, &deposits, 20, &l1_fees), Err(DeriveError::Gap { number: 5, head: 3 })));
    // An origin the inbox never recorded, or one recorded only after the batch, is refused.
    let mut b = batch_block(chain.store(), 3);
    b.l1_origin = 9;
    assert!(matches!(derive_block(&store, &cfg, 4, &b, &deposits, 20, &l1_fees), Err(DeriveError::BadL1Origin { origin: 9, .. })));
    b.l1_origin = 8;
    assert!(matches!(derive_block(&store, &cfg, 4, &b, &deposits, 7, &l1_fees), Err(DeriveError::BadL1Origin { origin: 8, .. })));
    b.l1_origin = 7;
    assert!(matches!(derive_block(&store, &cfg, 4, &b, &deposits, 20, &l1_fees), Err(DeriveError::BadL1Origin { origin: 7, .. })), "older than the parent's");
}

#[test]
fn a_deposit_left_out_past_the_window_is_forced_in() {
    let mut cfg = ChainConfig::devnet();
    cfg.sequencing_window_secs = 60;
    let carol = Address::repeat_byte(0xca);
    let now = 1_800_000_000;
    let deposits: BTreeMap<u64, Deposit> = [(0, deposit(0, carol, now - 61)), (1, deposit(1, carol, now - 10))].into();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db")).unwrap();
    faultline_executor::genesis::init_genesis(&store, &cfg).unwrap();
    // The batch includes no deposit; deposit 0 is 61 s old (forced), deposit 1 only 10 s.
    let b = BatchBlock { timestamp: now, deposit_cursor: 0, l1_origin: 1, txs: vec![] };
    let l1_fees = BTreeMap::from([(1, L1FeeInputs { origin: 1, base_fee: 1, blob_base_fee: 1 })]);
    derive_block(&store, &cfg, 1, &b, &deposits, 2, &l1_fees).unwrap();
    let (_, h) = store.header(1).unwrap().unwrap();
    assert_eq!(deposit_cursor(&h.extra_data), 1, "exactly the deposit past the window is forced in");
    let acc = store.account(&carol).unwrap().unwrap();
    assert_eq!(acc.balance, U256::from(1_000u64), "its call ran: value reached the recipient");
}

/// An honest sequencer whose deposit follower lags (confirmations deeper than the
/// window): without waiting it seals a block at `t` that lacks a deposit L1 already had a
/// window before `t`, and derivation forces the deposit in, so the block is provably
/// wrong. With the producer waiting for the follower (`Chain::require_l1_read`), the
/// block is held until the follower has read that far, and then derives to itself.
#[test]
fn a_producer_that_waits_for_its_follower_makes_the_block_derivation_makes() {
    let mut cfg = ChainConfig::devnet();
    cfg.sequencing_window_secs = 60;
    let carol = Address::repeat_byte(0xca);
    let t = 1_800_000_000;
    let l1_fees = BTreeMap::from([(7, L1FeeInputs { origin: 7, base_fee: 1_000_000_000, blob_base_fee: 1 })]);
    // On L1: deposit 0 at time t − 65 (forced into a block at t), deposit 1 at t − 5.
    let on_l1: BTreeMap<u64, Deposit> = [(0, deposit(0, carol, t - 65)), (1, deposit(1, carol, t - 5))].into();
    let derive = |chain: &Chain| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db")).unwrap();
        faultline_executor::genesis::init_genesis(&store, &cfg).unwrap();
        let d = derive_block(&store, &cfg, 1, &batch_block(chain.store(), 1), &on_l1, 20, &l1_fees).unwrap();
        (d.hash, deposit_cursor(&store.header(1).unwrap().unwrap().1.extra_data))
    };
    // The follower, 12 confirmations of 12 s behind, has read L1 only through t − 150.
    let lagging = |chain: &Chain| {
        chain.set_l1_fee(l1_fees[&7]);
        chain.set_l1_read(5, t - 150);
        chain.submit_raw(&transfer(0, 0, carol, cfg.chain_id)).unwrap();
    };

    // Before the fix: the block at t is sealed without deposit 0.
    let dir = tempfile::tempdir().unwrap();
    let unguarded = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    lagging(&unguarded);
    unguarded.produce_block(t).unwrap();
    let (derived, cursor) = derive(&unguarded);
    assert_eq!(cursor, 1, "derivation forces deposit 0 in");
    assert_ne!(derived, unguarded.store().header(1).unwrap().unwrap().0, "the sequencer's block is not the derived one");

    // With the producer waiting: held until L1 is read past t − 60, then the same block.
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    chain.require_l1_read();
    lagging(&chain);
    assert!(matches!(chain.produce_block(t), Err(faultline_sequencer::ProducerError::BehindL1 { .. })));
    assert_eq!(chain.pool_len(), 1, "the transaction waits in the pool");
    chain.add_deposits([on_l1[&0].clone()]);
    chain.set_l1_read(9, t - 59);
    let b = chain.produce_block(t).unwrap();
    assert_eq!(deposit_cursor(&b.record.header.extra_data), 1, "the producer includes the forced deposit");
    assert_eq!(b.record.body.transactions.len(), 1);
    assert_eq!(derive(&chain), (b.record.hash, 1), "the derived block is the sequencer's");
}
