//! The sequencer's L1 deposit follower: reads the portal's deposits once they are
//! `confirmations` L1 blocks deep and hands them to the block producer, which includes
//! them in index order (`docs/bridge.md`), together with the time of the last L1 block
//! read, which the producer waits on (`docs/pipeline.md`, "Forced inclusion"). It
//! rescans from the deployment block on start; deposits already included are ignored by
//! the chain.

use faultline_derivation::L1Reader;
use faultline_l1::L1Health;
use faultline_sequencer::Chain;
use std::{sync::Arc, time::Duration};
use tracing::Instrument;

/// Reads L1 in confirmed ranges: each poll, the blocks from `start_block` (then from
/// where the last read ended) up to `confirmations` below L1's head go to `read`, which
/// hands what it found on; a failed read is retried over the same range. `health`, if
/// given, hears of L1's reachability. The one loop of the deposit and L1 fee followers.
#[allow(clippy::too_many_arguments)]
async fn follow_confirmed<P, F, Fut>(
    provider: P,
    what: &'static str,
    health: Option<Arc<L1Health>>,
    start_block: u64,
    confirmations: u64,
    poll: Duration,
    shutdown: impl std::future::Future<Output = ()>,
    mut read: F,
) where
    P: alloy::providers::Provider,
    F: FnMut(u64, u64) -> Fut,
    Fut: std::future::Future<Output = Result<(), faultline_derivation::ReadError>>,
{
    tokio::pin!(shutdown);
    let mut next = start_block;
    loop {
        match provider.get_block_number().await {
            Ok(head) => {
                if let Some(h) = &health {
                    h.ok();
                }
                let safe = head.saturating_sub(confirmations);
                if safe >= next {
                    match read(next, safe).await {
                        Ok(()) => next = safe + 1,
                        Err(e) => tracing::warn!(error = %e, "reading {what} failed; retrying"),
                    }
                }
            }
            Err(e) => match &health {
                // The outage is logged (once, then every few seconds) by `health`.
                Some(h) => {
                    h.failed(&e);
                    tracing::debug!(error = %e, "L1 head unavailable; retrying");
                }
                None => tracing::warn!(error = %e, "L1 head unavailable; retrying"),
            },
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Follows L1 deposits into `chain` until `shutdown` resolves; after each range, the
/// chain learns the range's last block and its time ([`Chain::set_l1_read`]).
pub async fn follow_deposits<P: alloy::providers::Provider + Clone>(
    reader: L1Reader<P>,
    chain: Arc<Chain>,
    health: Arc<L1Health>,
    start_block: u64,
    confirmations: u64,
    poll: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let span = tracing::info_span!("deposits", confirmations);
    let provider = reader.provider().clone();
    let read = move |from, to| {
        let (reader, chain) = (reader.clone(), chain.clone());
        async move {
            let deposits = reader.deposits(from, to).await?;
            let time = reader.block_time(to).await?;
            if !deposits.is_empty() {
                tracing::info!(count = deposits.len(), first = deposits[0].index, "deposits confirmed on L1");
            }
            // The deposits first: the producer may seal a block once it sees the time.
            chain.add_deposits(deposits);
            chain.set_l1_read(to, time);
            Ok(())
        }
    };
    async move {
        follow_confirmed(provider, "deposits", Some(health), start_block, confirmations, poll, shutdown, read).await;
        tracing::info!("deposit follower stopped");
    }
    .instrument(span)
    .await
}

/// Follows the L1 fee values the inbox records (`L1FeeRecorded`), `confirmations` L1
/// blocks deep, and hands the newest to `chain`: the next blocks name it as their L1 fee
/// origin (`docs/chain.md`, "L1 fee"). A record younger than the confirmation depth is
/// not used, so an L1 reorg within that depth cannot drop an origin a block named.
pub async fn follow_l1_fees<P: alloy::providers::Provider + Clone>(
    reader: L1Reader<P>,
    chain: Arc<Chain>,
    start_block: u64,
    confirmations: u64,
    poll: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let span = tracing::info_span!("l1_fees", confirmations);
    let provider = reader.provider().clone();
    let read = move |from, to| {
        let (reader, chain) = (reader.clone(), chain.clone());
        async move {
            if let Some(newest) = reader.l1_fees(from, to).await?.last() {
                tracing::debug!(origin = newest.origin, base_fee = newest.base_fee, blob_base_fee = newest.blob_base_fee, "L1 fee origin");
                chain.set_l1_fee(*newest);
            }
            Ok(())
        }
    };
    follow_confirmed(provider, "L1 fee records", None, start_block, confirmations, poll, shutdown, read).instrument(span).await
}

/// Keeps the chain's `safe` and `finalized` heads in step with L1: the inbox's last
/// batched block and the newest final output's block. Reports L1's reachability to
/// `health`, which warns when L1 goes away, while it stays away, and when it is back.
pub async fn track_l1_progress<P: alloy::providers::Provider + Clone>(
    provider: P,
    book: faultline_l1::AddressBook,
    chain: Arc<Chain>,
    health: Arc<L1Health>,
    poll: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use faultline_l1::bindings::{BatchInbox, OutputOracle};
    let inbox = BatchInbox::new(book.batch_inbox, provider.clone());
    let oracle = OutputOracle::new(book.output_oracle, provider);
    async move {
        tokio::pin!(shutdown);
        loop {
            let progress = async {
                let safe = inbox.nextBlock().call().await?.saturating_sub(1);
                let (_, finalized) = faultline_l1::outputs::newest_final_output(&oracle).await?;
                Ok::<_, alloy::contract::Error>((safe, finalized))
            };
            match progress.await {
                Ok((safe, finalized)) => {
                    health.ok();
                    chain.set_l1_progress(safe, finalized);
                }
                Err(e) => {
                    health.failed(&e);
                    tracing::debug!(error = %e, "L1 progress unavailable");
                }
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(poll) => {}
            }
        }
    }
    .instrument(tracing::info_span!("l1_progress"))
    .await
}
