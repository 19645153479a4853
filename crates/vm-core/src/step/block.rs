//! The block's steps: the next input (with the block's first writes: the EIP-2935
//! history and the L1 fee parameters) and the block's end (the header, the block hash
//! and the output root).

use super::StepKind;
use crate::{
    encode::Encode,
    error::StepError,
    machine::{BlockHashes, Inputs, Machine, Phase, TxCtx},
    meter::Meter,
};

impl Machine {
    pub(super) fn next_tx(&mut self) -> Result<StepKind, StepError> {
        let given = match &self.inputs {
            Inputs::L1(_) => return self.next_l1_input(),
            Inputs::Given(g) => g.clone(),
        };
        if self.acc.next == 0 {
            self.first_writes()?;
        }
        if self.acc.next >= given.count {
            self.block_end()?;
            return Ok(StepKind::BlockEnd);
        }
        let i = self.acc.next;
        let word = self.io.words(&given.tree, i, 1)?[0];
        // The prover's inputs list is not committed: a witness decodes the preimage.
        let full = if self.io.is_witness() { None } else { given.txs.as_ref().and_then(|t| t.get(i as usize)).cloned() };
        let bytes = self.io.preimage(word, || {
            let mut v = Vec::new();
            if let Some(t) = &full {
                t.encode(&mut v, &mut Meter::default());
            }
            v
        })?;
        self.tx = Some(match full {
            Some(t) => t,
            None => TxCtx::decode(&bytes)?,
        });
        self.phase = Phase::Begin;
        Ok(StepKind::NextTx)
    }

    /// The block's first writes, before its first input: the parent's hash into the
    /// block-hash history (EIP-2935's layout), then the L1 fee parameters the block
    /// prices with into the GasPriceOracle predeploy, as the executor does.
    pub(super) fn first_writes(&mut self) -> Result<(), StepError> {
        if self.block.block_hashes == BlockHashes::State {
            if let Some((slot, value)) = faultline_primitives::history::history_write(self.block.number, self.block.parent_hash) {
                self.io.put_storage(&mut self.world, &faultline_primitives::history::HISTORY_STORAGE_ADDRESS, &slot, value)?;
            }
        }
        for (slot, value) in faultline_primitives::l1fee::oracle_writes(&self.block.l1_fee) {
            self.io.put_storage(&mut self.world, &faultline_primitives::GAS_PRICE_ORACLE, &slot, value)?;
        }
        Ok(())
    }

    /// The header of the block as the node assembles it (crates/executor/src/header.rs),
    /// from the context and the accumulators; its hash and the output root end the block.
    pub(super) fn block_end(&mut self) -> Result<(), StepError> {
        let state_root = self.world.root()?;
        let header = faultline_primitives::commitments::l2_header(&faultline_primitives::commitments::HeaderFields {
            parent_hash: self.block.parent_hash,
            beneficiary: self.block.coinbase,
            state_root,
            transactions_root: self.acc.txs.root(&mut self.io.meter),
            receipts_root: self.acc.receipts.root(&mut self.io.meter),
            logs_bloom: self.acc.bloom,
            number: self.block.number,
            gas_limit: self.block.gas_limit,
            gas_used: self.acc.gas_used,
            timestamp: self.block.timestamp,
            deposit_cursor: self.block.deposit_cursor,
            l1_fee: self.block.l1_fee,
            base_fee: self.block.basefee,
        });
        self.io.meter.hashed(alloy_rlp::Encodable::length(&header));
        let block_hash = header.hash_slow();
        self.io.meter.hashed(96);
        let output_root = faultline_primitives::output_root(state_root, block_hash);
        self.phase = Phase::Done { block_hash, output_root };
        Ok(())
    }
}
