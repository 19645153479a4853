//! End to end on a real anvil, as an attacker holding the sequencer key: blob batches
//! whose payload is garbage (random offset tables, random bytes, field elements with a
//! non-zero first byte) are accepted by the inbox (it cannot read blobs), and derivation,
//! fetching the blobs from anvil's beacon API, gives them their one meaning: every entry
//! that does not decode to a signed transaction is skipped, the blocks exist with their
//! headers' timestamps and cursors, and an honest batch on top derives normally. A
//! malformed header never lands.

mod harness;

use alloy::{
    network::ReceiptResponse,
    primitives::{Address, Bytes, TxKind, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use alloy_eips::eip7594::BlobTransactionSidecarEip7594;
use faultline_l1::{bindings::BatchInbox, AddressBook};
use faultline_primitives::{
    batch::{Batch, BatchBlock, BLOB_BATCH_VERSION},
    blob,
    dev::{roles, sign_eip1559, DEV_ACCOUNTS},
};
use harness::{faultline, Anvil};

/// A blob batch header (docs/batches.md, "Blob batches") for blocks with these tx counts.
fn header(first: u64, length: u32, timestamp: u64, l1_origin: u64, counts: &[u16]) -> Vec<u8> {
    let mut h = vec![BLOB_BATCH_VERSION];
    h.extend_from_slice(&first.to_be_bytes());
    h.extend_from_slice(&(counts.len() as u32).to_be_bytes());
    h.extend_from_slice(&length.to_be_bytes());
    for n in counts {
        h.extend_from_slice(&timestamp.to_be_bytes());
        h.extend_from_slice(&0u64.to_be_bytes());
        h.extend_from_slice(&l1_origin.to_be_bytes());
        h.extend_from_slice(&n.to_be_bytes());
    }
    h
}

/// Deterministic garbage.
fn garbage(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(151).wrapping_add(seed) ^ (i >> 3) as u8).collect()
}

/// Posts a blob batch and waits for its receipt (a transaction anvil does not mine is an
/// error after 30 s, not a hang).
async fn post<P: Provider>(
    inbox: &BatchInbox::BatchInboxInstance<P>,
    header: Vec<u8>,
    sidecar: BlobTransactionSidecarEip7594,
) -> alloy::rpc::types::TransactionReceipt {
    inbox
        .submitBlobBatch(header.into())
        .sidecar_7594(sidecar)
        .send()
        .await
        .expect("sent")
        .with_timeout(Some(std::time::Duration::from_secs(30)))
        .get_receipt()
        .await
        .expect("mined")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_blob_batches_are_skipped_entry_by_entry_and_an_honest_batch_follows() {
    let Some(anvil) = Anvil::start(0) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let book_path = tmp.path().join("book.json");
    let (ok, out, err) = faultline(&["deploy", "--l1-rpc", &anvil.url, "--out", book_path.to_str().unwrap()]);
    assert!(ok, "deploy failed:\n{out}\n{err}");
    let book = AddressBook::load(&book_path).unwrap();
    let sequencer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[roles::SEQUENCER].1).unwrap();
    // Nonces from the node for every transaction (as the batcher's provider): the
    // refused send below must not leave a cached nonce behind.
    let l1 = faultline_l1::sender(&sequencer, anvil.url.parse().unwrap());
    let inbox = BatchInbox::new(book.batch_inbox, &l1);
    let now = l1.get_block_by_number(Default::default()).await.unwrap().unwrap().header.timestamp;
    // The L1 fee origin every block names: the inbox's deployment block, which it recorded.
    let l1_origin = inbox.latestL1Fee().call().await.unwrap();

    // A malformed header reverts (the inbox checks every header byte).
    let sidecar = BlobTransactionSidecarEip7594::try_from_blobs(blob::encode(&[1, 2, 3])).unwrap();
    let bad = inbox.submitBlobBatch(Bytes::from(vec![BLOB_BATCH_VERSION, 0, 0])).sidecar_7594(sidecar).send().await;
    assert!(bad.is_err(), "a truncated header must be refused");

    // Batch 0, blocks 1-2 (3 + 2 entries): a random offset table and random bytes, laid
    // into a blob whose field elements also carry non-zero first bytes (ignored).
    let payload = garbage(700, 7);
    let mut blobs = blob::encode(&payload);
    for e in 0..40 {
        blobs[0][32 * e] = (e as u8) % 0x70;
    }
    let sidecar = BlobTransactionSidecarEip7594::try_from_blobs(blobs).unwrap();
    let r = post(&inbox, header(1, payload.len() as u32, now, l1_origin, &[3, 2]), sidecar).await;
    assert!(r.status(), "the inbox cannot tell garbage blobs from good ones");
    assert_eq!(r.blob_gas_used(), Some(131_072));

    // Batch 1, block 3: an offset table that is fine but all of whose entries are void
    // (empty, backwards, past the data).
    let mut payload = Vec::new();
    for end in [0u32, 5, 2, 9_999] {
        payload.extend_from_slice(&end.to_be_bytes()[1..]);
    }
    payload.extend_from_slice(&[0xaa; 8]);
    let sidecar = BlobTransactionSidecarEip7594::try_from_blobs(blob::encode(&payload)).unwrap();
    let r = post(&inbox, header(3, payload.len() as u32, now, l1_origin, &[4]), sidecar).await;
    assert!(r.status());

    // Batch 2, block 4: two real transfers, encoded by the codec the batcher uses.
    let alice = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).unwrap();
    let txs: Vec<Bytes> =
        (0..2).map(|n| sign_eip1559(&alice, 64023, n, TxKind::Call(Address::repeat_byte(0xb0)), U256::from(7), Bytes::new(), 21_000).into()).collect();
    let honest = Batch { first_block: 4, blocks: vec![BatchBlock { timestamp: now + 1, deposit_cursor: 0, l1_origin, txs }] }.encode_blob().unwrap();
    let sidecar = faultline_batcher::blob_sidecar(&honest.payload).unwrap();
    let r = post(&inbox, honest.header, sidecar).await;
    assert!(r.status());

    // Derivation from L1 alone: four blocks, only the two honest transactions.
    let vdir = tempfile::tempdir().unwrap();
    let (ok, out, err) = faultline(&[
        "verify",
        "--l1-rpc",
        &anvil.url,
        "--address-book",
        book_path.to_str().unwrap(),
        "--data-dir",
        tmp.path().to_str().unwrap(),
        "--verifier-dir",
        vdir.path().to_str().unwrap(),
    ]);
    assert!(ok, "verify failed:\n{out}\n{err}");
    assert!(out.contains("derived 4 L2 blocks (2 txs)"), "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let store = faultline_state::Store::open(&vdir.path().join("db")).unwrap();
    for (n, want) in [(1u64, 0usize), (2, 0), (3, 0), (4, 2)] {
        let (_, h) = store.header(n).unwrap().unwrap();
        assert_eq!(h.timestamp, if n == 4 { now + 1 } else { now }, "block {n} keeps its header's timestamp");
        assert_eq!(store.body(n).unwrap().unwrap().transactions.len(), want, "block {n}");
    }
    assert_eq!(store.account(&alice.address()).unwrap().unwrap().nonce, 2);
    drop(store);

    // The fault VM from L1 alone reaches the same four blocks: each block's initial state
    // as the dispute game computes it from the contracts, the garbage entries opened from
    // the blobs by point evaluation and skipped as derivation skips them, every step
    // checked.
    let out = harness::vm_block_from_l1(vdir.path(), &anvil.url, &["--address-book", book_path.to_str().unwrap()]);
    assert_eq!(out.lines().filter(|l| l.contains("agrees with the node")).count(), 4, "{out}");
    assert!(
        out.contains("block 3: from L1 (blob batch 1") && out.contains("block 3: from L1 (blob batch 1, deposits 0..0): 0 inputs, 4 entries skipped"),
        "{out}"
    );
    assert!(out.contains("block 4: from L1 (blob batch 2, deposits 0..0): 2 inputs, 0 entries skipped"), "{out}");
}
