//! The L2 state transition function (`docs/chain.md`): one deterministic function that
//! the sequencer, the verifier and the fault prover all run.
//!
//! [`execute_block`] takes a block's environment and its candidate transactions, runs
//! them with revm under Cancun's rules over an [`Overlay`] of the parent state, skips
//! every transaction that is invalid at its position (a deterministic rule, never fatal),
//! and returns receipts and the block's [`StateChanges`]. [`assemble_header`] turns the
//! result into an Ethereum header. [`simulate`] runs a call without committing (for
//! `eth_call` and `eth_estimateGas`).

mod env;
pub mod genesis;
mod header;
pub mod precompiles;

pub use env::{tx_env, BlockInputs};
pub use header::assemble_header;

use alloy_consensus::{Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom, TxEnvelope, TxType};
use alloy_primitives::{Address, Log, B256};
use faultline_primitives::{ChainConfig, Deposit};
use faultline_state::{overlay::StateReader, Overlay, StateChanges};
use revm::{
    context::{
        result::{EVMError, ExecutionResult, InvalidTransaction},
        Context, TxEnv,
    },
    database_interface::DBErrorMarker,
    handler::{ExecuteEvm, MainBuilder, MainnetContext},
    primitives::hardfork::SpecId,
};

/// The fork whose rules the L2 runs.
pub const SPEC: SpecId = SpecId::CANCUN;

/// Failures that stop block execution (never caused by a transaction's content).
#[derive(Debug, thiserror::Error)]
pub enum ExecError<E> {
    /// The state store failed.
    #[error("state store: {0}")]
    Store(E),
    /// revm reported an error that is not a transaction's fault.
    #[error("evm: {0}")]
    Evm(String),
    /// A simulation ran past its deadline and was aborted (geth's wording).
    #[error("execution aborted (timeout = {0:?})")]
    Timeout(std::time::Duration),
}

/// Why a candidate transaction was left out of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// It does not fit in the gas left in the block.
    BlockFull,
    /// The transaction type is not supported on this chain.
    UnsupportedType,
    /// It is invalid at this point of the block (nonce, balance, fee, chain id, ...).
    Invalid(InvalidTransaction),
    /// Its sender cannot pay `gasLimit × maxFee + value + l1Fee`.
    CannotPayL1Fee,
}

/// The L1 fee of a signed transaction in a block with these inputs (zero for a block
/// without an L1 fee origin).
pub fn tx_l1_fee(config: &ChainConfig, inputs: &BlockInputs, tx: &TxEnvelope) -> alloy_primitives::U256 {
    use alloy_eips::eip2718::Encodable2718;
    faultline_primitives::l1fee::l1_fee(tx.encode_2718_len() as u64, &inputs.l1_fee, &config.l1_fee_scalars())
}

/// What a sender must hold for a transaction to be valid: `gasLimit × maxFee + value +
/// l1Fee` (`None` on overflow, which no balance covers).
pub fn required_balance(env: &TxEnv, l1_fee: alloy_primitives::U256) -> Option<alloy_primitives::U256> {
    use alloy_primitives::U256;
    U256::from(env.gas_limit).checked_mul(U256::from(env.gas_price))?.checked_add(env.value)?.checked_add(l1_fee)
}

/// One included transaction and its outcome.
#[derive(Clone, Debug)]
pub struct IncludedTx {
    /// Recovered sender.
    pub sender: Address,
    /// The transaction.
    pub tx: TxEnvelope,
    /// Its receipt (cumulative gas, status, logs, bloom).
    pub receipt: ReceiptEnvelope,
    /// Gas used by this transaction alone.
    pub gas_used: u64,
    /// The created contract, for a successful creation.
    pub contract_address: Option<Address>,
    /// The L1 fee it paid (`docs/chain.md`, "L1 fee").
    pub l1_fee: alloy_primitives::U256,
}

/// Result of executing a block.
#[derive(Clone, Debug, Default)]
pub struct BlockExecution {
    /// Included transactions, in order.
    pub included: Vec<IncludedTx>,
    /// Candidates left out, with the reason.
    pub skipped: Vec<(B256, SkipReason)>,
    /// Total gas used.
    pub gas_used: u64,
    /// Net state changes of the block.
    pub changes: StateChanges,
}

fn context<DB: revm::Database>(config: &ChainConfig, inputs: &BlockInputs, db: DB) -> MainnetContext<DB> {
    let ctx: MainnetContext<DB> = Context::new(db, SPEC);
    ctx.modify_cfg_chained(|cfg| {
        cfg.chain_id = config.chain_id;
    })
    .with_block(inputs.block_env())
}

/// Executes the block `inputs` over the parent state `base`: first `deposits` (the
/// portal deposits this block includes, in index order), then `candidates` (sender
/// already recovered) in order. Invalid candidates are skipped and reported, never fatal.
///
/// A deposit (`docs/bridge.md`) mints `mint` to `from`, then runs the call `from → to`
/// with `value`, `gas_limit` and `data` at gas price zero (the block's `BASEFEE` reads 0
/// during deposits); if the call is invalid or fails, the mint stays. Deposits have no
/// receipts and do not count toward the block's gas (the portal caps their gas per L1
/// block).
pub fn execute_block<B>(
    config: &ChainConfig,
    inputs: &BlockInputs,
    base: B,
    deposits: &[Deposit],
    candidates: impl IntoIterator<Item = (Address, TxEnvelope)>,
) -> Result<BlockExecution, ExecError<B::Error>>
where
    B: StateReader,
    B::Error: DBErrorMarker,
{
    let mut evm = context(config, inputs, Overlay::new(base)).build_mainnet().with_precompiles(precompiles::BoundedPrecompiles::new(SPEC));
    let mut out = BlockExecution::default();
    // The parent's hash into the block-hash history (EIP-2935's layout), where the fault
    // VM proves what BLOCKHASH returns.
    if let Some((slot, value)) = faultline_primitives::history::history_write(inputs.number, inputs.parent_hash) {
        evm.ctx.journaled_state.database.set_storage(faultline_primitives::history::HISTORY_STORAGE_ADDRESS, slot, value);
    }
    // The L1 fee parameters the block prices with, readable from the GasPriceOracle.
    for (slot, value) in faultline_primitives::l1fee::oracle_writes(&inputs.l1_fee) {
        evm.ctx.journaled_state.database.set_storage(faultline_primitives::GAS_PRICE_ORACLE, slot, value);
    }
    if !deposits.is_empty() {
        evm.ctx.block.basefee = 0;
        for d in deposits {
            evm.ctx.journaled_state.database.credit(d.from, d.mint).map_err(ExecError::Store)?;
            let nonce = revm::Database::basic(&mut evm.ctx.journaled_state.database, d.from).map_err(ExecError::Store)?.map(|a| a.nonce).unwrap_or(0);
            let env = TxEnv {
                tx_type: 0,
                caller: d.from,
                gas_limit: d.gas_limit,
                gas_price: 0,
                kind: alloy_primitives::TxKind::Call(d.to),
                value: d.value,
                data: d.data.clone(),
                nonce,
                chain_id: None,
                ..Default::default()
            };
            match evm.transact(env) {
                Ok(r) => evm.ctx.journaled_state.database.try_commit(r.state).map_err(ExecError::Store)?,
                Err(EVMError::Transaction(invalid)) => {
                    tracing::debug!(index = d.index, ?invalid, "deposit call invalid; mint kept");
                }
                Err(EVMError::Database(e)) => return Err(ExecError::Store(e)),
                Err(other) => return Err(ExecError::Evm(other.to_string())),
            }
        }
        evm.ctx.block.basefee = inputs.base_fee;
    }
    for (sender, tx) in candidates {
        let hash = *tx.tx_hash();
        let Some(env) = tx_env(sender, &tx) else {
            out.skipped.push((hash, SkipReason::UnsupportedType));
            continue;
        };
        if env.gas_limit > inputs.gas_limit.saturating_sub(out.gas_used) {
            out.skipped.push((hash, SkipReason::BlockFull));
            continue;
        }
        // The L1 fee is bought with the gas (docs/chain.md, "L1 fee"): the sender must
        // hold gas × maxFee + value + l1Fee; it goes to the vault before execution and
        // stays paid whatever the execution does. Taken here, revm then checks the rest
        // against what is left; an invalid transaction gets it back.
        let l1_fee = tx_l1_fee(config, inputs, &tx);
        let mut undo = None;
        if !l1_fee.is_zero() {
            let db = &mut evm.ctx.journaled_state.database;
            let balance = revm::Database::basic(db, sender).map_err(ExecError::Store)?.map(|a| a.balance).unwrap_or_default();
            if required_balance(&env, l1_fee).is_none_or(|need| need > balance) {
                out.skipped.push((hash, SkipReason::CannotPayL1Fee));
                continue;
            }
            let vault = faultline_primitives::L1_FEE_VAULT;
            undo = Some((db.account_entry(&sender), db.account_entry(&vault)));
            db.debit(sender, l1_fee).map_err(ExecError::Store)?;
            db.credit(vault, l1_fee).map_err(ExecError::Store)?;
        }
        let result = match evm.transact(env) {
            Ok(r) => r,
            Err(EVMError::Transaction(invalid)) => {
                if let Some((s, v)) = undo {
                    let db = &mut evm.ctx.journaled_state.database;
                    db.restore_account(sender, s);
                    db.restore_account(faultline_primitives::L1_FEE_VAULT, v);
                }
                out.skipped.push((hash, SkipReason::Invalid(invalid)));
                continue;
            }
            Err(EVMError::Database(e)) => return Err(ExecError::Store(e)),
            Err(other) => return Err(ExecError::Evm(other.to_string())),
        };
        evm.ctx.journaled_state.database.try_commit(result.state).map_err(ExecError::Store)?;
        let exec = result.result;
        let gas_used = exec.tx_gas_used();
        out.gas_used += gas_used;
        let contract_address = exec.created_address().filter(|_| exec.is_success());
        let receipt = receipt(tx.tx_type(), exec.is_success(), out.gas_used, exec.into_logs());
        out.included.push(IncludedTx { sender, tx, receipt, gas_used, contract_address, l1_fee });
    }
    out.changes = evm.ctx.journaled_state.database.into_changes().map_err(ExecError::Store)?;
    Ok(out)
}

/// Builds the typed receipt of a transaction.
pub fn receipt(ty: TxType, success: bool, cumulative_gas_used: u64, logs: Vec<Log>) -> ReceiptEnvelope {
    let receipt = Receipt { status: Eip658Value::Eip658(success), cumulative_gas_used, logs };
    let with_bloom = ReceiptWithBloom::from(receipt);
    match ty {
        TxType::Legacy => ReceiptEnvelope::Legacy(with_bloom),
        TxType::Eip2930 => ReceiptEnvelope::Eip2930(with_bloom),
        TxType::Eip4844 => ReceiptEnvelope::Eip4844(with_bloom),
        TxType::Eip7702 => ReceiptEnvelope::Eip7702(with_bloom),
        TxType::Eip1559 => ReceiptEnvelope::Eip1559(with_bloom),
    }
}

/// How a simulated call is run.
#[derive(Clone, Copy, Debug, Default)]
pub struct SimulateOptions {
    /// Skip the nonce check (eth_call without an explicit nonce).
    pub skip_nonce: bool,
    /// Run with a zero base fee (eth_call with no gas price, as geth does).
    pub zero_base_fee: bool,
    /// Abort past this instant (an RPC time budget, `budget` long):
    /// [`ExecError::Timeout`].
    pub deadline: Option<(std::time::Instant, std::time::Duration)>,
}

/// Halts execution once a deadline has passed: checks the clock every 1,024 steps,
/// then halts every frame still running so the whole call unwinds.
struct Deadline {
    at: std::time::Instant,
    steps: u32,
    hit: bool,
}

impl<CTX> revm::inspector::Inspector<CTX> for Deadline {
    fn step(&mut self, interp: &mut revm::interpreter::Interpreter, _: &mut CTX) {
        if !self.hit {
            self.steps = self.steps.wrapping_add(1);
            if self.steps & 1023 != 0 || std::time::Instant::now() < self.at {
                return;
            }
            self.hit = true;
        }
        interp.halt(revm::interpreter::InstructionResult::OutOfGas);
    }
}

/// Runs one transaction over `base` without committing anything.
pub fn simulate<B>(
    config: &ChainConfig,
    inputs: &BlockInputs,
    base: B,
    tx: TxEnv,
    opts: SimulateOptions,
) -> Result<Result<ExecutionResult, InvalidTransaction>, ExecError<B::Error>>
where
    B: StateReader,
    B::Error: DBErrorMarker,
{
    let mut inputs = inputs.clone();
    if opts.zero_base_fee {
        inputs.base_fee = 0;
    }
    let ctx = context(config, &inputs, Overlay::new(base)).modify_cfg_chained(|cfg| {
        cfg.disable_nonce_check = opts.skip_nonce;
    });
    let result = match opts.deadline {
        None => ctx.build_mainnet().with_precompiles(precompiles::BoundedPrecompiles::new(SPEC)).transact(tx),
        Some((at, budget)) => {
            use revm::inspector::InspectEvm;
            let inspector = Deadline { at, steps: 0, hit: false };
            let mut evm = ctx.build_mainnet_with_inspector(inspector).with_precompiles(precompiles::BoundedPrecompiles::new(SPEC));
            let r = evm.inspect_tx(tx);
            if evm.inspector.hit {
                return Err(ExecError::Timeout(budget));
            }
            r
        }
    };
    match result {
        Ok(r) => Ok(Ok(r.result)),
        Err(EVMError::Transaction(invalid)) => Ok(Err(invalid)),
        Err(EVMError::Database(e)) => Err(ExecError::Store(e)),
        Err(other) => Err(ExecError::Evm(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_eips::eip2718::Decodable2718;
    use alloy_primitives::{Bytes, TxKind, U256};
    use faultline_primitives::{
        dev::{sign_eip1559, DEV_ACCOUNTS, DEV_FEE_CAP},
        l1fee::L1FeeInputs,
        L1_FEE_VAULT,
    };

    fn signed(i: usize, nonce: u64, to: Address, value: U256) -> (Address, TxEnvelope) {
        let signer = alloy::signers::local::PrivateKeySigner::from_bytes(&DEV_ACCOUNTS[i].1).unwrap();
        let raw = sign_eip1559(&signer, ChainConfig::devnet().chain_id, nonce, TxKind::Call(to), value, Bytes::new(), 21_000);
        (signer.address(), TxEnvelope::decode_2718_exact(&raw).unwrap())
    }

    /// The L1 fee is taken with the gas and paid to the vault; a sender who cannot pay it
    /// is skipped, and a transaction invalid for another reason leaves both accounts as
    /// they were (docs/chain.md, "L1 fee").
    #[test]
    fn the_l1_fee_is_charged_into_the_vault_and_undone_for_an_invalid_transaction() {
        let config = ChainConfig::devnet();
        let dir = tempfile::tempdir().unwrap();
        let store = faultline_state::Store::open(&dir.path().join("db")).unwrap();
        genesis::init_genesis(&store, &config).unwrap();
        let l1_fee = L1FeeInputs { origin: 9, base_fee: 1_000_000_000, blob_base_fee: 1 };
        let inputs = BlockInputs { number: 1, base_fee: 1_000_000_000, l1_fee, ..genesis::genesis_inputs(&config) };
        let bob = Address::repeat_byte(0xb0);
        let good = signed(0, 0, bob, U256::from(5u64));
        let fee = tx_l1_fee(&config, &inputs, &good.1);
        // 111 bytes × (16 × 20,000 × 1 gwei + 1,200,000 × 1) / 1e6 = 35,520,000,133.2.
        assert_eq!(alloy_eips::eip2718::Encodable2718::encode_2718_len(&good.1), 111);
        assert_eq!(fee, U256::from(35_520_000_133u64));
        let bad_nonce = signed(1, 7, bob, U256::ZERO);
        let out = execute_block(&config, &inputs, store.latest(), &[], [good.clone(), bad_nonce]).unwrap();
        assert_eq!(out.included.len(), 1);
        assert_eq!(out.included[0].l1_fee, fee);
        assert!(matches!(out.skipped[0].1, SkipReason::Invalid(_)), "{:?}", out.skipped);
        let vault = out.changes.accounts.get(&L1_FEE_VAULT).copied().flatten().map(|r| r.balance);
        assert_eq!(vault, Some(fee), "the vault holds exactly the one fee paid");
        let alice = out.changes.accounts.get(&good.0).copied().flatten().unwrap().balance;
        let price = U256::from(1_000_000_000u64 + faultline_primitives::dev::DEV_TIP as u64);
        assert_eq!(crate::genesis::genesis_changes(&config).accounts[&good.0].unwrap().balance - alice, U256::from(21_000u64) * price + U256::from(5u64) + fee);
        assert!(!out.changes.accounts.contains_key(&DEV_ACCOUNTS[1].0), "the invalid transaction's sender is untouched");
        // A sender with the gas and the value but not the L1 fee: skipped.
        let poor = alloy::signers::local::PrivateKeySigner::random();
        let gas = U256::from(21_000u64) * U256::from(DEV_FEE_CAP);
        let fund = signed(2, 0, poor.address(), gas + fee / U256::from(2u64));
        let raw = sign_eip1559(&poor, config.chain_id, 0, TxKind::Call(bob), U256::ZERO, Bytes::new(), 21_000);
        let spend = (poor.address(), TxEnvelope::decode_2718_exact(&raw).unwrap());
        let out = execute_block(&config, &inputs, store.latest(), &[], [fund, spend]).unwrap();
        assert_eq!(out.included.len(), 1);
        assert_eq!(out.skipped[0].1, SkipReason::CannotPayL1Fee);
        // No origin, no fee.
        let none = BlockInputs { l1_fee: L1FeeInputs::default(), ..inputs };
        assert_eq!(tx_l1_fee(&config, &none, &good.1), U256::ZERO);
    }
}
