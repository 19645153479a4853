//! A transaction's phases: tx-begin (validation, gas purchase, the L1 fee, the warm
//! sets), the warm micro-steps of its access list, the enter step (value transfer and
//! first frame), tx-end (refunds, fees, the receipt) and the sweep and bloom micro-steps.

use super::{call_code, new_frame, words, MAX_INITCODE_SIZE};
use crate::{
    encode::Encode,
    error::StepError,
    gas::{G_ACCESS_LIST_ADDRESS, G_ACCESS_LIST_STORAGE_KEY, G_CREATE, G_INITCODE_WORD, G_TRANSACTION, G_TX_DATA_NONZERO, G_TX_DATA_ZERO, MAX_REFUND_QUOTIENT},
    io::{tags, ONE},
    machine::{AccessItem, FrameCode, FrameKind, Machine, Phase, Slice, SlotRef, Substate, Tree, TxCtx, TxOutcome, Undo},
};
use alloy_primitives::{Address, Log, LogData, B256, U256};

impl Machine {
    /// Intrinsic gas (Cancun), saturating: a count no reachable state holds (more zeros
    /// than bytes, a length past any gas) gives more gas than any limit.
    pub fn intrinsic_gas(tx: &TxCtx) -> u64 {
        let zeros = tx.data_zeros.min(tx.data.len);
        let nonzeros = tx.data.len - zeros;
        let mut g = G_TRANSACTION.saturating_add(G_TX_DATA_ZERO.saturating_mul(zeros)).saturating_add(G_TX_DATA_NONZERO.saturating_mul(nonzeros));
        if tx.to.is_none() {
            g = g.saturating_add(G_CREATE).saturating_add(G_INITCODE_WORD.saturating_mul(words(tx.data.len)));
        }
        let keys = tx.access_len.saturating_sub(tx.access_addresses);
        g.saturating_add(G_ACCESS_LIST_ADDRESS.saturating_mul(tx.access_addresses)).saturating_add(G_ACCESS_LIST_STORAGE_KEY.saturating_mul(keys))
    }

    /// The L1 fee of the current input (docs/chain.md, "L1 fee"): zero for a deposit.
    pub fn l1_fee(&self) -> U256 {
        match &self.tx {
            Some(t) if t.mint.is_none() => faultline_primitives::l1fee::l1_fee(t.size, &self.block.l1_fee, &self.block.l1_scalars),
            _ => U256::ZERO,
        }
    }

    pub(super) fn validate(&mut self, nonce: u64) -> Result<Option<String>, StepError> {
        let tx = self.tx()?.clone();
        if let Some(tip) = tx.max_priority_fee {
            if tip > tx.max_fee {
                return Ok(Some("priority fee above max fee".into()));
            }
        }
        if tx.max_fee < self.basefee() as u128 {
            return Ok(Some("max fee below base fee".into()));
        }
        if tx.chain_id.is_some_and(|c| c != self.block.chain_id) {
            return Ok(Some("wrong chain id".into()));
        }
        if tx.gas_limit > self.block.gas_limit {
            return Ok(Some("gas limit above the block's".into()));
        }
        if tx.mint.is_none() && tx.gas_limit > self.block.gas_limit.saturating_sub(self.acc.gas_used) {
            return Ok(Some("gas limit above the gas left in the block".into()));
        }
        if tx.to.is_none() && tx.data.len > MAX_INITCODE_SIZE as u64 {
            return Ok(Some("init code too large".into()));
        }
        if Self::intrinsic_gas(&tx) > tx.gas_limit {
            return Ok(Some("intrinsic gas above gas limit".into()));
        }
        let rec = self.account(tx.sender)?;
        let (have, balance, has_code) = rec.map_or((0, U256::ZERO, false), |r| (r.nonce, r.balance, r.code_size > 0));
        if has_code {
            return Ok(Some("sender has code (EIP-3607)".into()));
        }
        if have != nonce {
            return Ok(Some(format!("nonce {nonce} != account nonce {have}")));
        }
        if nonce == u64::MAX {
            return Ok(Some("nonce at maximum".into()));
        }
        let cost =
            U256::from(tx.gas_limit).checked_mul(U256::from(tx.max_fee)).and_then(|c| c.checked_add(tx.value)).and_then(|c| c.checked_add(self.l1_fee()));
        if cost.is_none_or(|c| c > balance) {
            return Ok(Some("insufficient funds for gas * price + value + l1 fee".into()));
        }
        Ok(None)
    }

    pub(super) fn tx_begin(&mut self) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        if let Some(mint) = tx.mint {
            self.modify_raw(tx.sender, |r| r.balance = r.balance.saturating_add(mint))?;
        }
        // A deposit runs with the sender's current nonce (it never fails on it).
        let nonce = match tx.mint {
            Some(_) => self.account(tx.sender)?.map_or(0, |r| r.nonce),
            None => tx.nonce,
        };
        if let Some(why) = self.validate(nonce)? {
            self.outcomes.push(TxOutcome::Invalid(why));
            self.finish_tx();
            return Ok(());
        }
        let price = U256::from(self.effective_gas_price());
        let l1_fee = self.l1_fee();
        self.modify_raw(tx.sender, |r| {
            r.nonce = nonce + 1;
            r.balance -= U256::from(tx.gas_limit) * price + l1_fee;
        })?;
        // The L1 fee goes to the vault now; nothing the execution does returns it.
        if !l1_fee.is_zero() {
            self.modify_raw(faultline_primitives::L1_FEE_VAULT, |r| r.balance = r.balance.saturating_add(l1_fee))?;
        }
        let target = tx.to.unwrap_or_else(|| tx.sender.create(nonce));
        for a in [tx.sender, target, self.block.coinbase] {
            self.warm_address(a, false)?;
        }
        for i in 1..=10u8 {
            self.warm_address(Address::with_last_byte(i), false)?;
        }
        self.phase = if tx.access_len > 0 { Phase::Warm { next: 0 } } else { Phase::Enter };
        Ok(())
    }

    pub(super) fn warm(&mut self, next: u64) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let word = self.io.words(&tx.access, next, 1)?[0];
        // The prover's items are not committed: a witness decodes the preimage.
        let item = if self.io.is_witness() { None } else { tx.access_items.as_ref().and_then(|l| l.get(next as usize)).copied() };
        let bytes = self.io.preimage(word, || {
            let mut v = Vec::new();
            if let Some(i) = &item {
                i.encode(&mut v, &mut crate::meter::Meter::default());
            }
            v
        })?;
        let item = match item {
            Some(i) => i,
            None => match bytes.len() {
                21 if bytes[20] == 0 => AccessItem { address: Address::from_slice(&bytes[..20]), slot: None },
                53 if bytes[20] == 1 => AccessItem { address: Address::from_slice(&bytes[..20]), slot: Some(B256::from_slice(&bytes[21..])) },
                _ => return Err(StepError::Missing("a well-formed access-list item".into())),
            },
        };
        match item.slot {
            None => {
                self.warm_address(item.address, false)?;
            }
            Some(s) => {
                self.warm_slot(item.address, U256::from_be_bytes(s.0), false)?;
            }
        }
        self.phase = if next + 1 < tx.access_len { Phase::Warm { next: next + 1 } } else { Phase::Enter };
        Ok(())
    }

    pub(super) fn enter(&mut self) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let gas = tx.gas_limit - Self::intrinsic_gas(&tx);
        let nonce = self.account(tx.sender)?.map_or(0, |r| r.nonce).saturating_sub(1);
        let frame = match tx.to {
            Some(to) => {
                let checkpoint = self.journal.len();
                self.transfer(tx.sender, to, tx.value)?;
                let code = call_code(self.account(to)?, &to);
                new_frame(FrameKind::Call, code, to, to, tx.sender, tx.value, gas, tx.data.clone(), checkpoint)
            }
            None => {
                let target = tx.sender.create(nonce);
                if self.collides(target)? {
                    self.phase = Phase::End { gas_left: 0, refund: 0, success: false };
                    return Ok(());
                }
                let checkpoint = self.journal.len();
                self.start_account(target)?;
                self.transfer(tx.sender, target, tx.value)?;
                let code = FrameCode {
                    hash: B256::ZERO,
                    len: tx.data.len,
                    chunks: if tx.data.len == 0 { Some(Tree::default()) } else { None },
                    init: Some(tx.data.clone()),
                    loading: None,
                };
                new_frame(FrameKind::Create, code, target, target, tx.sender, tx.value, gas, Slice::default(), checkpoint)
            }
        };
        self.top = Some(Box::new(frame));
        self.phase = Phase::Run;
        Ok(())
    }

    /// EIP-7610 on the L2: a create collides with an account that has a nonce or code
    /// (an account with storage but neither cannot exist on faultline's L2;
    /// docs/fault-vm.md, "EIP-7610").
    pub(super) fn collides(&mut self, a: Address) -> Result<bool, StepError> {
        Ok(self.account(a)?.is_some_and(|r| r.nonce != 0 || r.code_size != 0))
    }

    /// A new contract account: marked created, nonce 1 (EIP-161).
    pub(super) fn start_account(&mut self, a: Address) -> Result<(), StepError> {
        self.sub_set(tags::CREATED, &a, None, ONE)?;
        self.journal.push(Undo::MarkedCreated(a));
        self.modify(a, |r| r.nonce = 1)
    }

    pub(super) fn tx_end(&mut self, gas_left: u64, refund: i64, success: bool) -> Result<(), StepError> {
        let tx = self.tx()?.clone();
        let price = self.effective_gas_price();
        let mut gas_used = tx.gas_limit - gas_left;
        if success {
            gas_used -= (refund.max(0) as u64).min(gas_used / MAX_REFUND_QUOTIENT);
        }
        self.modify_raw(tx.sender, |r| r.balance += U256::from(tx.gas_limit - gas_used) * U256::from(price))?;
        let tip = U256::from(gas_used) * U256::from(price - self.basefee() as u128);
        let coinbase = self.block.coinbase;
        // A zero tip to an absent coinbase must not create it (EIP-161).
        if !tip.is_zero() {
            self.modify_raw(coinbase, |r| r.balance += tip)?;
        }
        if tx.mint.is_none() {
            let cumulative = self.acc.gas_used + gas_used;
            self.acc.gas_used = cumulative;
            let leaf = faultline_primitives::commitments::receipt_leaf(tx.tx_type, success, cumulative, self.logs.head(&mut self.io.meter), self.logs.len());
            self.io.meter.hashed(faultline_primitives::commitments::RECEIPT_LEAF_PREIMAGE);
            self.acc.receipts.push(leaf, &mut self.io.meter);
            self.acc.txs.push(tx.hash, &mut self.io.meter);
        }
        let logs = self
            .logs
            .items()
            .map(|items| {
                items.iter().map(|l| Log { address: l.address, data: LogData::new_unchecked(l.topics.clone(), l.data.clone().unwrap_or_default()) }).collect()
            })
            .unwrap_or_default();
        self.outcomes.push(TxOutcome::Ran { success, gas_used, logs });
        self.after_end(tx.mint.is_none());
        Ok(())
    }

    /// What follows tx-end: the sweep, the bloom, or the next input.
    pub(super) fn after_end(&mut self, keep_logs: bool) {
        self.phase = if !self.created_slots.is_empty() || !self.destructed.is_empty() {
            Phase::Sweep
        } else if keep_logs && !self.logs.is_empty() {
            Phase::Bloom { keep: true }
        } else {
            self.finish_tx();
            return;
        };
    }

    pub(super) fn sweep(&mut self) -> Result<(), StepError> {
        if !self.created_slots.is_empty() {
            let SlotRef(a, s) = self.created_slots.pop()?;
            if self.sub_get(tags::DESTRUCTED, &a, None)? != B256::ZERO {
                self.io.put_storage(&mut self.world, &a, &s, U256::ZERO)?;
            }
        } else {
            let a = self.destructed.pop()?;
            self.io.put_account(&mut self.world, &a, None)?;
        }
        if self.created_slots.is_empty() && self.destructed.is_empty() {
            let keep = self.tx()?.mint.is_none();
            self.after_end(keep);
        }
        Ok(())
    }

    pub(super) fn bloom(&mut self, keep: bool) -> Result<(), StepError> {
        let log = self.logs.pop()?;
        if keep {
            self.acc.bloom.accrue(alloy_primitives::BloomInput::Raw(log.address.as_slice()));
            self.io.meter.hashed(20);
            for t in &log.topics {
                self.acc.bloom.accrue(alloy_primitives::BloomInput::Raw(t.as_slice()));
                self.io.meter.hashed(32);
            }
        }
        if self.logs.is_empty() {
            self.finish_tx();
        }
        Ok(())
    }

    /// Clears the transaction's state and moves to the next input.
    pub(super) fn finish_tx(&mut self) {
        self.journal.clear();
        self.logs.clear();
        self.substate = match self.substate {
            Substate::Full(_) => Substate::default(),
            Substate::Proven(_) => Substate::Proven(faultline_state::smt::EMPTY_ROOT),
        };
        self.tx = None;
        self.acc.next += 1;
        self.phase = Phase::NextTx;
    }
}

/// The intrinsic data gas counts of `data`: (zero bytes, length).
pub fn data_counts(data: &[u8]) -> (u64, u64) {
    (data.iter().filter(|b| **b == 0).count() as u64, data.len() as u64)
}
