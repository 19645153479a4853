//! The producer of a node that follows L1 deposits holds its blocks while the follower
//! has not read L1 through `block time − sequencing window` (an L1 outage, or a follower
//! behind its confirmation depth): nothing is sealed, transactions stay pooled, and once
//! the follower catches up the next block carries the deposits the window forces in.

use alloy_primitives::{Address, Bytes, TxKind, U256};
use faultline_primitives::{deposit_cursor, dev::DEV_ACCOUNTS, ChainConfig, Deposit};
use faultline_sequencer::{now, Chain, PoolConfig, ProducerError};
use std::time::Duration;

fn transfer(chain_id: u64, nonce: u64) -> Vec<u8> {
    let signer = alloy::signers::local::PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).expect("dev key");
    faultline_primitives::dev::sign_eip1559(&signer, chain_id, nonce, TxKind::Call(Address::repeat_byte(0xb0)), U256::from(1), Bytes::new(), 21_000)
}

fn deposit(index: u64, l1_block: u64, l1_timestamp: u64) -> Deposit {
    Deposit {
        index,
        from: Address::repeat_byte(0xd0),
        to: Address::repeat_byte(0xca),
        mint: U256::from(1_000u64),
        value: U256::ZERO,
        gas_limit: 100_000,
        l1_block,
        l1_timestamp,
        data: Bytes::new(),
    }
}

/// At the boundary: a block at `t` waits until L1 is read through a block later than
/// `t − window` (L1 timestamps never decrease, so every deposit in a block at or before
/// that time has then been read); a block at `t − window` itself is not enough, as anvil
/// may mine the next block with the same timestamp.
#[test]
fn a_block_is_held_until_l1_is_read_through_its_time_minus_the_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = ChainConfig { sequencing_window_secs: 60, ..ChainConfig::devnet() };
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open");
    let t = 1_800_000_000;
    // A chain that does not follow L1 deposits never holds.
    assert_eq!(chain.l1_read_status(), None);
    chain.require_l1_read();
    // A block younger than the window cannot have a deposit forced in: never held.
    chain.produce_block(59).expect("block at time 59");
    chain.submit_raw(&transfer(cfg.chain_id, 0)).expect("accepted");
    // Nothing read yet: held.
    let e = chain.produce_block(t).expect_err("held before the follower read anything");
    assert!(matches!(e, ProducerError::BehindL1 { timestamp, l1_block: 0, l1_time: 0, after, window: 60 } if timestamp == t && after == t - 60), "{e}");
    chain.set_l1_read(10, t - 60);
    let e = chain.produce_block(t).expect_err("read through t − 60 only: a block after it at the same time may hold a deposit");
    assert!(matches!(e, ProducerError::BehindL1 { l1_block: 10, l1_time, .. } if l1_time == t - 60), "{e}");
    assert!(e.to_string().contains("L1 deposits read only through L1 block 10"), "{e}");
    let status = chain.l1_read_status().expect("required");
    assert!(status.held && status.block == 10 && status.time == t - 60, "{status:?}");
    assert_eq!((chain.head(), chain.pool_len()), (1, 1), "nothing sealed at t, the transaction still pooled");
    // The follower never moves back.
    chain.set_l1_read(9, t - 70);
    assert_eq!(chain.l1_read_status().map(|s| (s.block, s.time)), Some((10, t - 60)));
    // L1 block 11, also at t − 60, holds deposit 0 (forced into a block at t); block 12
    // comes a second later.
    chain.add_deposits([deposit(0, 11, t - 60)]);
    chain.set_l1_read(12, t - 59);
    let b = chain.produce_block(t).expect("L1 read far enough");
    assert_eq!(deposit_cursor(&b.record.header.extra_data), 1, "the forced deposit is in");
    assert_eq!(b.record.body.transactions.len(), 1, "the held transaction is in");
    assert!(!chain.l1_read_status().expect("required").held);
    // The next second needs L1 read one second further.
    assert!(matches!(chain.produce_block(t + 1), Err(ProducerError::BehindL1 { .. })));
}

/// The real producer loop (its own thread, on the wall clock; no timing is asserted): held
/// while the follower's L1 view is two windows old, as after a long L1 outage; resumed
/// as soon as the follower reads L1 through the present, with the deposit made a window
/// ago and the pooled transaction in its first block.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_producer_loop_holds_while_the_follower_lags_and_resumes_with_the_forced_deposit() {
    for block_time in [Some(Duration::from_millis(20)), None] {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = ChainConfig::devnet();
        let window = cfg.sequencing_window_secs;
        let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).expect("open");
        chain.require_l1_read();
        let start = now();
        chain.set_l1_read(10, start - 2 * window);
        chain.submit_raw(&transfer(cfg.chain_id, 0)).expect("accepted");
        let mut blocks = chain.subscribe();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let producer = tokio::spawn(chain.clone().run(block_time, async move {
            let _ = stopped.await;
        }));
        let held = async {
            while !chain.l1_read_status().is_some_and(|s| s.held) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), held).await.expect("the producer tried a block and held it");
        assert_eq!((chain.head(), chain.pool_len()), (0, 1), "{block_time:?}: nothing sealed, the transaction still pooled");
        assert!(blocks.try_recv().is_err());
        // L1 is back: the follower reads through the present, with a deposit made just
        // over a window ago (forced into any block from now on).
        chain.add_deposits([deposit(0, 11, start - window - 1)]);
        chain.set_l1_read(20, now());
        let b = tokio::time::timeout(Duration::from_secs(30), blocks.recv()).await.expect("a block once L1 is read").expect("block");
        assert_eq!(b.record.header.number, 1, "{block_time:?}");
        assert_eq!(deposit_cursor(&b.record.header.extra_data), 1, "{block_time:?}: the forced deposit is in the first block");
        assert_eq!(b.record.body.transactions.len(), 1, "{block_time:?}: so is the held transaction");
        assert!(!chain.l1_read_status().expect("required").held);
        let _ = stop.send(());
        producer.await.expect("producer stopped");
    }
}
