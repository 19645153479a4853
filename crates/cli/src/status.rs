//! `faultline status`: where L1, L2 and the pipeline between them stand: heads, the
//! safe L2 block (batched on L1) and the finalized one (covered by a final output), the
//! last batch, the last output, and withdrawals started on L2 and not yet paid on L1.

use crate::bridge::Endpoints;
use alloy::{
    providers::{Provider, ProviderBuilder},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use alloy_primitives::U256;
use clap::Args;
use faultline_l1::bindings::{BatchInbox, OutputOracle, Portal};
use faultline_primitives::{predeploys::L2ToL1MessagePasser, MESSAGE_PASSER};

/// Flags of `faultline status`.
#[derive(Args, Debug, Clone)]
pub struct StatusArgs {
    #[command(flatten)]
    pub endpoints: Endpoints,
}

/// `faultline status`.
pub async fn run(args: StatusArgs) -> eyre::Result<()> {
    let e = &args.endpoints;
    let book = e.book().await?;
    let l1 = ProviderBuilder::new().connect_http(e.l1_rpc.parse()?);
    let l2 = ProviderBuilder::new().connect_http(e.l2_rpc.parse()?);
    let inbox = BatchInbox::new(book.batch_inbox, &l1);
    let oracle = OutputOracle::new(book.output_oracle, &l1);
    let portal = Portal::new(book.portal, &l1);

    let l1_head = l1.get_block_number().await?;
    let l2_head = l2.get_block_number().await?;
    let safe = inbox.nextBlock().call().await?.saturating_sub(1);
    let batches: u64 = inbox.batchCount().call().await?.saturating_to();
    let outputs: u64 = oracle.outputCount().call().await?.saturating_to();
    let (_, finalized) = faultline_l1::outputs::newest_final_output(&oracle).await?;
    println!("L1 head            {l1_head} (chain {})", book.l1_chain_id);
    println!("L2 head            {l2_head} (chain {})", book.l2_chain_id);
    println!("L2 safe            {safe} (its batch is on L1)");
    println!("L2 finalized       {finalized} (covered by a final output)");
    if batches > 0 {
        let b = inbox.batch(U256::from(batches - 1)).call().await?;
        let form = if b.blobs == alloy_primitives::B256::ZERO {
            format!("{} calldata bytes", b.length)
        } else {
            format!("{} payload bytes in {} blob(s)", b.length, faultline_primitives::blob::blobs_for(b.length as usize))
        };
        println!(
            "last batch         #{} : L2 blocks {}..={} ({} txs, {form}) in L1 block {}",
            batches - 1,
            b.firstBlock,
            b.firstBlock + b.blockCount as u64 - 1,
            b.txCount,
            b.l1Block
        );
    } else {
        println!("last batch         none");
    }
    let o = oracle.output(U256::from(outputs - 1)).call().await?;
    let final_ = oracle.isFinalized(U256::from(outputs - 1)).call().await?;
    println!("last output        #{} : L2 block {} root {} ({})", outputs - 1, o.l2Block, o.root, if final_ { "final" } else { "in challenge window" });
    // Withdrawals: MessagePassed on L2, not yet finalized on L1 (scanned in 10k-block windows).
    let mut pending = Vec::new();
    let mut from = 0u64;
    while from <= l2_head {
        let to = (from + 9_999).min(l2_head);
        let logs = l2
            .get_logs(&Filter::new().address(MESSAGE_PASSER).event_signature(L2ToL1MessagePasser::MessagePassed::SIGNATURE_HASH).from_block(from).to_block(to))
            .await?;
        for log in logs {
            let block = log.block_number.unwrap_or_default();
            let ev = log.log_decode::<L2ToL1MessagePasser::MessagePassed>()?.inner.data;
            if !portal.finalizedWithdrawals(ev.withdrawalHash).call().await? {
                pending.push((ev.withdrawalHash, ev.target, ev.value, block));
            }
        }
        from = to + 1;
    }
    println!("pending withdrawals {}", pending.len());
    for (hash, target, value, block) in pending.iter().take(20) {
        let state = if *block <= finalized { "provable now" } else { "waiting for a final output" };
        println!("  {hash} {value} wei to {target} (L2 block {block}, {state})");
    }
    Ok(())
}
