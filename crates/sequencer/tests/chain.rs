//! The sequencer over a real RocksDB store: blocks execute and commit, state is readable
//! at every block, SMT proofs verify against each block's state root, and a reopened
//! store (as after a crash) continues the chain with its journaled pool.

use alloy::{
    consensus::{SignableTransaction, Transaction, TxEnvelope, TxLegacy},
    eips::eip2718::Encodable2718,
    network::TxSignerSync,
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use faultline_primitives::{dev::DEV_ACCOUNTS, ChainConfig};
use faultline_sequencer::{Chain, PoolConfig, PoolError};
use faultline_state::{overlay::StateReader, smt};
use revm::database_interface::DatabaseRef;

fn dev(i: usize) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1).expect("dev key")
}

fn tx(signer: &PrivateKeySigner, chain_id: u64, nonce: u64, to: TxKind, value: u64, input: Vec<u8>, gas: u64) -> Vec<u8> {
    faultline_primitives::dev::sign_eip1559(signer, chain_id, nonce, to, U256::from(value), Bytes::from(input), gas)
}

/// Init code that stores 0x2a in slot 0 and returns runtime code that emits LOG1 with
/// topic 0x01 and stores CALLVALUE in slot 1.
fn init_code() -> Vec<u8> {
    // runtime: CALLVALUE PUSH1 1 SSTORE  PUSH1 1 PUSH1 0 PUSH1 0 LOG1  STOP
    let runtime: Vec<u8> = vec![0x34, 0x60, 0x01, 0x55, 0x60, 0x01, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x00];
    let mut code = vec![0x60, 0x2a, 0x60, 0x00, 0x55]; // SSTORE(0, 0x2a)
                                                       // CODECOPY(0, offset, len); RETURN(0, len)
    let len = runtime.len() as u8;
    let offset = 5 + 12;
    code.extend_from_slice(&[0x60, len, 0x60, offset, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3]);
    code.extend_from_slice(&runtime);
    code
}

#[test]
fn blocks_history_proofs_and_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let id = cfg.chain_id;
    let (alice, bob) = (dev(0), dev(1));
    let carol = Address::repeat_byte(0xca);

    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open");
    assert_eq!(chain.head(), 0);
    let genesis_root = chain.store().header(0).unwrap().unwrap().1.state_root;

    // Block 1: a transfer and a contract creation.
    chain.submit_raw(&tx(&alice, id, 0, TxKind::Call(carol), 1_000, vec![], 21_000)).expect("transfer accepted");
    chain.submit_raw(&tx(&alice, id, 1, TxKind::Create, 0, init_code(), 200_000)).expect("create accepted");
    let b1 = chain.produce_block(100).expect("block 1");
    assert_eq!(b1.record.body.transactions.len(), 2);
    let contract = alice.address().create(1);
    assert!(b1.record.receipts.iter().all(|r| r.status()));

    // Block 2: call the contract with value (stores it, emits a log); bob pays carol.
    chain.submit_raw(&tx(&alice, id, 2, TxKind::Call(contract), 7, vec![], 100_000)).expect("call accepted");
    chain.submit_raw(&tx(&bob, id, 0, TxKind::Call(carol), 5, vec![], 21_000)).expect("bob accepted");
    let b2 = chain.produce_block(101).expect("block 2");
    assert_eq!(b2.record.body.transactions.len(), 2);
    assert_eq!(b2.record.receipts.iter().map(|r| r.logs().len()).sum::<usize>(), 1);
    let root2 = b2.record.header.state_root;

    let store = chain.store();
    // History: carol's balance at each block; the contract's storage at each block.
    let bal = |n: u64| store.state_at(n).account_record(&carol).unwrap().map(|a| a.balance).unwrap_or_default();
    assert_eq!((bal(0), bal(1), bal(2)), (U256::ZERO, U256::from(1_000), U256::from(1_005)));
    let slot = |n: u64, s: u64| store.state_at(n).storage_ref(contract, U256::from(s)).unwrap();
    assert_eq!((slot(1, 0), slot(1, 1), slot(2, 1)), (U256::from(0x2a), U256::ZERO, U256::from(7)));
    assert_eq!(store.state_at(0).account_record(&contract).unwrap(), None);
    let code = store.state_at(2).account_record(&contract).unwrap().expect("contract");
    assert_eq!(code.code_size, 12);

    // Proofs against each block's own root.
    let key = smt::account_key(&carol);
    let (r0, p0) = store.prove(0, &key).unwrap();
    assert_eq!(r0, genesis_root);
    assert_eq!(p0.verify(r0, &key).unwrap(), None, "carol absent at genesis");
    let (r2, p2) = store.prove(2, &key).unwrap();
    assert_eq!(r2, root2);
    let rec = store.state_at(2).account_record(&carol).unwrap().unwrap();
    assert_eq!(p2.verify(r2, &key).unwrap(), Some(rec.value_hash()));
    let skey = smt::storage_key(&contract, &B256::with_last_byte(1));
    let (_, sp) = store.prove(2, &skey).unwrap();
    assert_eq!(sp.verify(root2, &skey).unwrap(), Some(B256::from(U256::from(7))));

    // Indexes.
    let h = *b2.record.body.transactions[0].1.tx_hash();
    assert_eq!(store.tx_location(&h).unwrap(), Some((2, 0)));
    assert_eq!(store.blocks_with_logs_from(&contract, 0, 10).unwrap(), vec![2]);

    // Pending pool txs survive a crash: accept one, drop everything without producing.
    let pending = chain.submit_raw(&tx(&bob, id, 1, TxKind::Call(carol), 1, vec![], 21_000)).expect("accepted");
    drop(chain);
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("reopen");
    assert_eq!(chain.head(), 2);
    assert!(chain.pooled(&pending).is_some(), "journaled tx back in the pool");
    let b3 = chain.produce_block(102).expect("block 3");
    assert_eq!(b3.record.body.transactions.len(), 1);
    drop(chain);
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("reopen again");
    assert_eq!(chain.pool_len(), 0, "included tx left the journal");

    // A different genesis config refuses this data dir.
    let mut other = cfg;
    other.chain_id += 1;
    drop(chain);
    assert!(Chain::open(dir.path(), other, PoolConfig::default()).is_err());
}

#[test]
fn rejections_carry_geth_messages_and_invalid_txs_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let id = cfg.chain_id;
    let chain = Chain::open(dir.path(), cfg, PoolConfig::default()).expect("open");
    let alice = dev(0);
    let to = TxKind::Call(Address::repeat_byte(1));

    let wrong_chain = tx(&alice, 1, 0, to, 1, vec![], 21_000);
    assert!(chain.submit_raw(&wrong_chain).unwrap_err().to_string().starts_with("invalid chain id"));
    assert_eq!(chain.submit_raw(&[0xde, 0xad]).unwrap_err().to_string().split(':').next(), Some("transaction could not be decoded"));
    let low_gas = tx(&alice, id, 0, to, 1, vec![], 20_000);
    assert!(matches!(chain.submit_raw(&low_gas), Err(PoolError::IntrinsicGas { .. })));
    let big = tx(&alice, id, 0, to, 1, vec![1u8; 130 * 1024], 5_000_000);
    assert!(matches!(chain.submit_raw(&big), Err(PoolError::Oversized { .. })));
    let broke = PrivateKeySigner::random();
    let e = chain.submit_raw(&tx(&broke, id, 0, to, 1, vec![], 21_000)).unwrap_err();
    assert!(e.to_string().starts_with("insufficient funds for gas * price + value"), "{e}");

    // Unprotected legacy transaction.
    let mut legacy = TxLegacy { chain_id: None, nonce: 0, gas_price: 10_000_000_000, gas_limit: 21_000, to, value: U256::from(1), input: Bytes::new() };
    let sig = alice.sign_transaction_sync(&mut legacy).expect("sign");
    let raw = TxEnvelope::from(legacy.into_signed(sig)).encoded_2718();
    assert_eq!(chain.submit_raw(&raw), Err(PoolError::Unprotected));

    // Two transactions that each pass the pool but together overspend: the second is
    // skipped at execution and dropped from the pool, and the block still seals.
    let poor = PrivateKeySigner::random();
    let fund = 21_000u64 * 10_000_000_000 + 15;
    chain.submit_raw(&tx(&alice, id, 0, TxKind::Call(poor.address()), fund, vec![], 21_000)).unwrap();
    chain.produce_block(1).unwrap();
    chain.submit_raw(&tx(&poor, id, 0, to, 10, vec![], 21_000)).unwrap();
    chain.submit_raw(&tx(&poor, id, 1, to, 10, vec![], 21_000)).unwrap();
    let b = chain.produce_block(2).unwrap();
    assert_eq!(b.record.body.transactions.len(), 1);
}

/// The block byte budget (set when a batcher posts the chain) keeps a block's
/// transaction bytes, 3 + encoded length each, within it; the rest wait, in order, for
/// the next blocks.
#[test]
fn blocks_stay_within_the_byte_budget() {
    let cfg = ChainConfig::devnet();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    let alice = dev(0);
    let raws: Vec<Vec<u8>> = (0..10).map(|n| tx(&alice, cfg.chain_id, n, TxKind::Call(Address::repeat_byte(0xb0)), 1, vec![], 21_000)).collect();
    for r in &raws {
        chain.submit_raw(r).unwrap();
    }
    let one = 3 + raws[0].len();
    chain.set_max_block_bytes(4 * one + one / 2);
    let mut counts = Vec::new();
    for t in 1..=3u64 {
        counts.push(chain.produce_block(1_800_000_000 + t).unwrap().record.body.transactions.len());
    }
    assert_eq!(counts, vec![4, 4, 2]);
    let b = chain.store().body(1).unwrap().unwrap();
    let bytes: usize = b.transactions.iter().map(|(_, t)| 3 + t.encode_2718_len()).sum();
    assert!(bytes <= 4 * one + one / 2, "{bytes}");
}

/// One large transaction with the highest tip must not empty every block: it waits (with
/// its sender's later nonces) while smaller ones behind it fill the block; and one larger
/// than any block can carry is refused at submission (review of issue 13: a single
/// 125 kB transaction sorted first stopped every block in calldata mode).
#[test]
fn a_transaction_over_the_budget_left_does_not_stop_the_others() {
    let cfg = ChainConfig::devnet();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    let (alice, bob) = (dev(0), dev(1));
    let small: Vec<Vec<u8>> = (0..3).map(|n| tx(&bob, cfg.chain_id, n, TxKind::Call(Address::repeat_byte(0xb0)), 1, vec![], 21_000)).collect();
    let one = 3 + small[0].len();
    chain.set_max_block_bytes(8 * one);
    // Over the whole budget: refused outright.
    let huge = tx(&alice, cfg.chain_id, 0, TxKind::Call(Address::repeat_byte(0xb1)), 1, vec![1u8; 8 * one], 1_000_000);
    assert!(matches!(chain.submit_raw(&huge), Err(PoolError::Oversized { .. })), "a transaction no block can carry is refused");
    // Fits an empty block but not what is left: it waits, the small ones go in.
    let big = tx(&alice, cfg.chain_id, 0, TxKind::Call(Address::repeat_byte(0xb1)), 1, vec![1u8; 6 * one], 1_000_000);
    let after_big = tx(&alice, cfg.chain_id, 1, TxKind::Call(Address::repeat_byte(0xb1)), 1, vec![], 21_000);
    for r in small.iter().chain([&big, &after_big]) {
        chain.submit_raw(r).unwrap();
    }
    let mut seen = Vec::new();
    for t in 1..=4u64 {
        let b = chain.produce_block(1_800_000_000 + t).unwrap();
        let bytes: usize = b.record.body.transactions.iter().map(|(_, t)| 3 + t.encode_2718_len()).sum();
        assert!(bytes <= 8 * one, "block {t}: {bytes} bytes");
        seen.extend(b.record.body.transactions.iter().map(|(s, t)| (*s, t.nonce())));
    }
    assert_eq!(seen.len(), 5, "every transaction was included in some block: {seen:?}");
    let alice_nonces: Vec<u64> = seen.iter().filter(|(s, _)| *s == alice.address()).map(|(_, n)| *n).collect();
    assert_eq!(alice_nonces, vec![0, 1], "a sender's nonces stay in order");
}

/// A data dir belongs to the chain it was first opened with: reopening it with another
/// chain id is refused and names both, and leaves the recorded id as it was.
#[test]
fn a_data_dir_refuses_another_chain_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let id = cfg.chain_id;
    drop(Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open"));
    let other = ChainConfig { chain_id: id + 1, ..cfg.clone() };
    match Chain::open(dir.path(), other, PoolConfig::default()) {
        Err(faultline_sequencer::ChainError::ChainIdMismatch { stored, expected }) => assert_eq!((stored, expected), (id, id + 1)),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("opened a data dir of chain {id} as chain {}", id + 1),
    }
    let chain = Chain::open(dir.path(), cfg, PoolConfig::default()).expect("the recorded chain still opens");
    assert_eq!(chain.store().chain_id().expect("read"), Some(id));
}

/// Issue 13, item 2: senders fill the pool with nonce-gapped transactions; a transfer
/// that can execute next still gets in (evicting a gapped one), so does the one that
/// closes a gap, and the journal holds exactly what the pool holds, across a restart.
#[test]
fn a_pool_full_of_gapped_transactions_still_takes_executable_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let id = cfg.chain_id;
    let limits = PoolConfig { max_total: 16, max_queued_per_sender: 4, max_queued_total: 16, ..Default::default() };
    let chain = Chain::open(dir.path(), cfg.clone(), limits).expect("open");
    let to = TxKind::Call(Address::repeat_byte(0xbb));
    for a in 0..4 {
        for n in 1..=4 {
            chain.submit_raw(&tx(&dev(a), id, n, to, 1, vec![], 21_000)).expect("gapped accepted while there is room");
        }
    }
    assert_eq!(chain.pool_stats(), (16, 16, chain.pool_stats().2));
    // Past the per-sender queued limit, with a clear error.
    let e = chain.submit_raw(&tx(&dev(0), id, 5, to, 1, vec![], 21_000)).unwrap_err();
    assert!(matches!(e, PoolError::QueuedFull { limit: 4 }), "{e}");
    assert!(e.to_string().starts_with("txpool is full"));
    // A gapped transaction of a new sender only takes the place of a sender's 4th.
    chain.submit_raw(&tx(&dev(4), id, 3, to, 1, vec![], 21_000)).expect("displaces a sender holding more");
    // A normal transfer gets in, and so does the one that closes sender 0's gap.
    let user = chain.submit_raw(&tx(&dev(5), id, 0, to, 1, vec![], 21_000)).expect("executable transfer gets in");
    let closing = chain.submit_raw(&tx(&dev(0), id, 0, to, 1, vec![], 21_000)).expect("gap-closing transfer gets in");
    assert_eq!(chain.pool_len(), 16);
    assert_eq!(chain.store().journaled_txs().unwrap().len(), chain.pool_len(), "the journal holds what the pool holds");
    let b = chain.produce_block(100).expect("block");
    let included: Vec<B256> = b.record.body.transactions.iter().map(|(_, t)| *t.tx_hash()).collect();
    assert!(included.contains(&user) && included.contains(&closing));
    assert!(included.len() >= 2, "sender 0's promoted ones come along");
    let before = chain.pool_len();
    assert_eq!(chain.store().journaled_txs().unwrap().len(), before);
    drop(chain);
    let chain = Chain::open(dir.path(), cfg, limits).expect("reopen");
    assert_eq!(chain.pool_len(), before, "a restart reloads what the pool held");
    assert_eq!(chain.store().journaled_txs().unwrap().len(), before);
}

/// Issue 13, item 4: `gas * fee + value` with value 2^256 - 1 wraps in unchecked
/// arithmetic; the pool refuses it for insufficient funds.
#[test]
fn a_value_of_2_pow_256_minus_1_is_refused_for_insufficient_funds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig::devnet();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open");
    let raw = faultline_primitives::dev::sign_eip1559(&dev(0), cfg.chain_id, 0, TxKind::Call(Address::ZERO), U256::MAX, Bytes::new(), 21_000);
    let e = chain.submit_raw(&raw).unwrap_err();
    assert!(matches!(e, PoolError::InsufficientFunds { cost, .. } if cost == U256::MAX), "{e}");
    assert!(e.to_string().starts_with("insufficient funds for gas * price + value"));
    assert_eq!(chain.pool_len(), 0);
}
