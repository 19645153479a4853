//! Building batches from a real sequencer store: the batch decodes to the blocks'
//! transactions, timestamps and deposit cursors, and is cut at block boundaries by size.

use alloy::signers::local::PrivateKeySigner;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use faultline_batcher::{build_batch, DataAvailability};
use faultline_primitives::{
    batch::Batch,
    dev::{sign_eip1559, DEV_ACCOUNTS},
    ChainConfig,
};
use faultline_sequencer::{Chain, PoolConfig};

fn transfer(nonce: u64, chain_id: u64) -> Vec<u8> {
    let signer = PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[0].1).unwrap();
    sign_eip1559(&signer, chain_id, nonce, TxKind::Call(Address::repeat_byte(0xb0)), U256::from(1), Bytes::new(), 21_000)
}

#[test]
fn batches_carry_the_blocks_and_cut_at_block_boundaries() {
    let cfg = ChainConfig::devnet();
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain::open(dir.path(), cfg.clone(), PoolConfig::default()).unwrap();
    let mut nonce = 0;
    for n in 1..=4u64 {
        for _ in 0..n {
            chain.submit_raw(&transfer(nonce, cfg.chain_id)).unwrap();
            nonce += 1;
        }
        chain.produce_block(1_800_000_000 + n).unwrap();
    }
    let store = chain.store();
    let calldata = DataAvailability::Calldata;
    assert!(build_batch(store, 5, 4, calldata, 1 << 20).unwrap().is_none(), "nothing past the head");

    let all = build_batch(store, 1, 4, calldata, 1 << 20).unwrap().unwrap();
    assert_eq!(all.first_block, 1);
    assert_eq!(all.blocks.len(), 4);
    let decoded = Batch::decode(&all.encode().unwrap()).unwrap();
    assert_eq!(decoded, all);
    for (i, b) in all.blocks.iter().enumerate() {
        let n = i as u64 + 1;
        let (_, h) = store.header(n).unwrap().unwrap();
        assert_eq!(b.timestamp, h.timestamp);
        assert_eq!(b.txs.len(), n as usize);
    }

    // A small limit cuts after the block that would overflow it, never inside a block,
    // and always takes at least one block.
    let one_block = 13 + 18 + (3 + all.blocks[0].txs[0].len());
    let cut = build_batch(store, 1, 4, calldata, one_block + 10).unwrap().unwrap();
    assert_eq!(cut.blocks.len(), 1);
    let tiny = build_batch(store, 3, 4, calldata, 1).unwrap().unwrap();
    assert_eq!((tiny.first_block, tiny.blocks.len()), (3, 1));

    // Blob batches count only the payload (offset table and transactions): the same
    // blocks, the same cut rule, and the header + payload decode back to them.
    let blobs = DataAvailability::Blobs;
    let all_blobs = build_batch(store, 1, 4, blobs, 1 << 20).unwrap().unwrap();
    assert_eq!(all_blobs, all);
    let bb = all_blobs.encode_blob().unwrap();
    assert_eq!(bb.payload.len(), (1..=4).map(|n| n * (3 + all.blocks[0].txs[0].len())).sum::<usize>());
    assert_eq!(Batch::decode_blob(&bb.header, &bb.payload).unwrap(), all);
    let tx = 3 + all.blocks[0].txs[0].len();
    let cut = build_batch(store, 1, 4, blobs, 3 * tx).unwrap().unwrap();
    assert_eq!(cut.blocks.len(), 2, "1 + 2 transactions fit, the third block's would not");
}
