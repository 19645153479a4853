//! Measures the sequencer's two hot paths in-process, without HTTP:
//! admission (decode, sender recovery, pool, journal) and block production (revm,
//! SMT root, one RocksDB write batch). Prints numbers; asserts nothing.
//!
//! `cargo run --release -p faultline-sequencer --example pipeline -- [TXS] [SENDERS]`

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::eip2718::Encodable2718,
    network::TxSignerSync,
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{keccak256, Address, Bytes, TxKind, U256};
use faultline_primitives::{ChainConfig, GenesisAccount};
use faultline_sequencer::{Chain, PoolConfig};
use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let txs: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let senders: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let signers: Vec<_> = (0..senders).map(|i| PrivateKeySigner::from_bytes(&keccak256(format!("pipeline-{i}"))).expect("key")).collect();
    let mut cfg = ChainConfig::devnet();
    cfg.block_gas_limit = 1_000_000_000;
    for s in &signers {
        cfg.alloc.insert(s.address(), GenesisAccount { balance: U256::from(10u64).pow(U256::from(24)), ..Default::default() });
    }
    let per = txs / senders;
    let t = Instant::now();
    let raws: Vec<Bytes> = signers
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, s)| {
            (0..per).map(move |n| {
                let mut tx = TxEip1559 {
                    chain_id: 64023,
                    nonce: n as u64,
                    gas_limit: 21_000,
                    max_fee_per_gas: 50_000_000_000,
                    max_priority_fee_per_gas: 1_000_000,
                    to: TxKind::Call(Address::from_slice(&keccak256((i * per + n).to_be_bytes())[12..])),
                    value: U256::from(1),
                    input: Bytes::new(),
                    access_list: Default::default(),
                };
                let sig = s.sign_transaction_sync(&mut tx).expect("sign");
                Bytes::from(TxEnvelope::from(tx.into_signed(sig)).encoded_2718())
            })
        })
        .collect();
    println!("signed {} txs in {:.2}s", raws.len(), t.elapsed().as_secs_f64());

    let dir = tempfile::tempdir().expect("tempdir");
    let chain = Chain::open(dir.path(), cfg, PoolConfig { max_per_sender: per + 1, max_total: txs + 1, ..Default::default() }).expect("open");

    let t = Instant::now();
    for r in raws.iter().take(200) {
        let _ = chain.decode_and_recover(r);
    }
    let one = t.elapsed().as_secs_f64() / 200.0;
    println!("decode+recover, one thread: {:.1} us/tx", one * 1e6);

    let t = Instant::now();
    let mut ok = 0;
    for chunk in raws.chunks(100) {
        ok += chain.submit_raw_many(chunk).iter().filter(|r| r.is_ok()).count();
    }
    let admit = t.elapsed().as_secs_f64();
    println!("admission (batches of 100, parallel recovery, journaled): {ok} in {admit:.2}s = {:.0} tx/s", ok as f64 / admit);

    let t = Instant::now();
    let mut included = 0;
    let mut blocks = 0;
    while chain.pool_len() > 0 {
        let b = chain.produce_block(1).expect("block");
        included += b.record.body.transactions.len();
        blocks += 1;
    }
    let prod = t.elapsed().as_secs_f64();
    println!("production: {included} txs in {blocks} blocks, {prod:.2}s = {:.0} tx/s", included as f64 / prod);
}
