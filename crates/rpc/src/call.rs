//! `eth_call` and `eth_estimateGas`: a transaction request simulated over the state at
//! any block, with geth's error shapes (code 3 with revert data for a revert).

use crate::{blocks::internal, eth::EthApi};
use alloy_eips::BlockId;
use alloy_primitives::{TxKind, U256};
use alloy_rpc_types_eth::TransactionRequest;
use faultline_executor::{simulate, BlockInputs, ExecError, SimulateOptions};
use faultline_rpc_server::{Params, RpcError};
use faultline_state::overlay::StateReader;
use revm::context::{
    result::{ExecutionResult, HaltReason, InvalidTransaction},
    TxEnv,
};
use serde_json::{json, Value};
use std::sync::Arc;

struct Prepared {
    n: u64,
    inputs: BlockInputs,
    env: TxEnv,
    opts: SimulateOptions,
    /// The gas cap that applied (RPC cap and block gas limit).
    cap: u64,
}

fn prepare(api: &EthApi, req: TransactionRequest, block: Option<BlockId>, deadline: (std::time::Instant, std::time::Duration)) -> Result<Prepared, RpcError> {
    let n = api.resolve(block)?;
    let (_, header) = api.chain.store().header(n).map_err(internal)?.ok_or_else(|| RpcError::server("header not found"))?;
    let inputs = BlockInputs {
        number: header.number,
        timestamp: header.timestamp,
        parent_hash: header.parent_hash,
        base_fee: header.base_fee_per_gas.unwrap_or_default(),
        gas_limit: header.gas_limit,
        beneficiary: header.beneficiary,
        deposit_cursor: faultline_primitives::deposit_cursor(&header.extra_data),
        l1_fee: faultline_primitives::l1fee::l1_fee_inputs(&header.extra_data),
    };
    let cap = header.gas_limit.min(api.calls.limits.gas_cap);
    let price_given = req.gas_price.is_some() || req.max_fee_per_gas.is_some();
    let (tx_type, gas_price, priority) = if let Some(max) = req.max_fee_per_gas {
        (2u8, max, Some(req.max_priority_fee_per_gas.unwrap_or(0).min(max)))
    } else if let Some(p) = req.gas_price {
        (if req.access_list.is_some() { 1 } else { 0 }, p, None)
    } else {
        (if req.access_list.is_some() { 1 } else { 2 }, 0, None)
    };
    if req.blob_versioned_hashes.is_some() || req.authorization_list.is_some() {
        return Err(RpcError::server("transaction type not supported"));
    }
    let data = req.input.input().cloned().unwrap_or_default();
    let env = TxEnv {
        tx_type,
        caller: req.from.unwrap_or_default(),
        gas_limit: req.gas.unwrap_or(cap).min(cap),
        gas_price,
        kind: req.to.unwrap_or(TxKind::Create),
        value: req.value.unwrap_or_default(),
        data,
        nonce: req.nonce.unwrap_or_default(),
        chain_id: Some(api.chain.config().chain_id),
        access_list: req.access_list.clone().unwrap_or_default(),
        gas_priority_fee: priority,
        ..Default::default()
    };
    // The nonce check is skipped even when a nonce is given, as geth and anvil do: wallets
    // send the nonce the transaction will use (viem) or the pending nonce (ethers), which
    // is ahead of the queried state while an earlier transaction waits in the pool.
    let opts = SimulateOptions { skip_nonce: true, zero_base_fee: !price_given, deadline: Some(deadline) };
    Ok(Prepared { n, inputs, env, opts, cap })
}

fn run(api: &EthApi, p: &Prepared, gas: u64) -> Result<Result<ExecutionResult, InvalidTransaction>, RpcError> {
    let mut env = p.env.clone();
    env.gas_limit = gas;
    simulate(api.chain.config(), &p.inputs, api.chain.store().state_at(p.n), env, p.opts).map_err(|e| match e {
        ExecError::Timeout(_) => RpcError::server(e.to_string()),
        other => RpcError::internal(other.to_string()),
    })
}

/// The L1 fee the request would pay in the next block, on the length of its signed
/// form with the largest signature (an upper bound by a few bytes).
fn estimated_l1_fee(api: &EthApi, env: &TxEnv) -> U256 {
    use alloy_consensus::{Signed, TxEip1559, TxEnvelope};
    use alloy_eips::eip2718::Encodable2718;
    let tx = TxEip1559 {
        chain_id: api.chain.config().chain_id,
        nonce: env.nonce,
        gas_limit: env.gas_limit,
        max_fee_per_gas: env.gas_price,
        max_priority_fee_per_gas: env.gas_priority_fee.unwrap_or(env.gas_price),
        to: env.kind,
        value: env.value,
        access_list: env.access_list.clone(),
        input: env.data.clone(),
    };
    let sig = alloy_primitives::Signature::new(U256::MAX, U256::MAX, true);
    let size = TxEnvelope::Eip1559(Signed::new_unchecked(tx, sig, Default::default())).encode_2718_len() as u64;
    faultline_primitives::l1fee::l1_fee(size, &api.chain.next_l1_fee(), &api.chain.config().l1_fee_scalars())
}

/// geth's wording for a transaction the call cannot even start.
fn invalid(e: InvalidTransaction) -> RpcError {
    let msg = match e {
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            format!("insufficient funds for gas * price + value: have {balance} want {fee}")
        }
        InvalidTransaction::NonceTooLow { tx, state } => format!("nonce too low: next nonce {state}, tx nonce {tx}"),
        InvalidTransaction::NonceTooHigh { tx, state } => format!("nonce too high: next nonce {state}, tx nonce {tx}"),
        InvalidTransaction::GasPriceLessThanBasefee => "max fee per gas less than block base fee".to_string(),
        InvalidTransaction::CallGasCostMoreThanGasLimit { .. } => "intrinsic gas too low".to_string(),
        InvalidTransaction::CallerGasLimitMoreThanBlock => "exceeds block gas limit".to_string(),
        other => other.to_string(),
    };
    RpcError::server(msg)
}

fn halt(reason: HaltReason) -> RpcError {
    let msg = match reason {
        HaltReason::OutOfGas(_) => "out of gas".to_string(),
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode => "invalid opcode".to_string(),
        HaltReason::StackUnderflow => "stack underflow".to_string(),
        HaltReason::StackOverflow => "stack limit reached 1024 (1023)".to_string(),
        HaltReason::InvalidJump => "invalid jump destination".to_string(),
        HaltReason::StateChangeDuringStaticCall => "write protection".to_string(),
        other => format!("execution halted: {other:?}"),
    };
    RpcError::server(msg)
}

/// `eth_call(request, block?, overrides?)`.
pub async fn eth_call(api: Arc<EthApi>, params: Params) -> Result<Value, RpcError> {
    let (req, block, overrides): (TransactionRequest, Option<BlockId>, Option<Value>) = params.parse()?;
    if overrides.is_some_and(|o| !o.is_null()) {
        return Err(RpcError::invalid_params("state overrides are not supported"));
    }
    let (permit, deadline) = api.calls.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let p = prepare(&api, req, block, deadline)?;
        match run(&api, &p, p.env.gas_limit)? {
            Ok(ExecutionResult::Success { output, .. }) => Ok(json!(output.into_data())),
            Ok(ExecutionResult::Halt { reason: HaltReason::OutOfGas(_), .. }) if p.env.gas_limit == p.cap => {
                Err(RpcError::server(format!("out of gas: the call used all {} gas of the RPC gas cap", p.cap)))
            }
            Ok(ExecutionResult::Revert { output, .. }) => Err(RpcError::execution_reverted(output)),
            Ok(ExecutionResult::Halt { reason, .. }) => Err(halt(reason)),
            Err(e) => Err(invalid(e)),
        }
    })
    .await
    .map_err(|e| RpcError::internal(e.to_string()))?
}

/// `eth_estimateGas(request, block?)`: the gas the call spends at the cap when it succeeds
/// with exactly that, else the smallest gas limit (within 1.5%) at which it succeeds,
/// found by binary search above it.
pub async fn estimate_gas(api: Arc<EthApi>, params: Params) -> Result<Value, RpcError> {
    let (req, block): (TransactionRequest, Option<BlockId>) = params.parse()?;
    let (permit, deadline) = api.calls.acquire().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let p = prepare(&api, req, block, deadline)?;
        let mut hi = p.env.gas_limit;
        // With a gas price, the sender's balance bounds the gas it can buy.
        if p.env.gas_price > 0 {
            let bal = api.chain.store().state_at(p.n).account_record(&p.env.caller).map_err(internal)?.map(|a| a.balance).unwrap_or_default();
            // The L1 fee is bought with the gas (docs/chain.md, "L1 fee").
            let l1_fee = estimated_l1_fee(&api, &p.env);
            // Not even a plain transfer's 21,000 gas fits beside the value and the L1 fee.
            let least = p.env.value.saturating_add(l1_fee).saturating_add(U256::from(21_000u64) * U256::from(p.env.gas_price));
            if !l1_fee.is_zero() && bal < least {
                return Err(RpcError::server(format!("insufficient funds for gas * price + value + l1 fee: have {bal} want {least} (l1 fee {l1_fee})")));
            }
            let avail = bal.saturating_sub(p.env.value).saturating_sub(l1_fee) / U256::from(p.env.gas_price);
            hi = hi.min(avail.try_into().unwrap_or(u64::MAX));
        }
        let first = match run(&api, &p, hi)? {
            Ok(ExecutionResult::Success { gas, .. }) => gas,
            Ok(ExecutionResult::Revert { output, .. }) => return Err(RpcError::execution_reverted(output)),
            Ok(ExecutionResult::Halt { reason: HaltReason::OutOfGas(_), .. }) => {
                return Err(RpcError::server(format!("gas required exceeds allowance ({hi})")))
            }
            Ok(ExecutionResult::Halt { reason, .. }) => return Err(halt(reason)),
            Err(e) => return Err(invalid(e)),
        };
        // The gas spent before refunds is the least limit the call can succeed with, and
        // most calls (every plain transfer: exactly 21,000) succeed at it, as geth's first
        // probe finds.
        let spent = first.total_gas_spent();
        if spent < hi {
            if let Ok(ExecutionResult::Success { .. }) = run(&api, &p, spent)? {
                return Ok(json!(format!("{spent:#x}")));
            }
        }
        let mut lo = spent.min(hi.saturating_sub(1));
        // Most other calls succeed with what they spent plus the 63/64 reserve.
        let mut mid = (spent * 64 / 63 + 2_300).min(hi);
        while lo + 1 < hi && (hi - lo) * 1000 / hi > 15 {
            match run(&api, &p, mid)? {
                Ok(ExecutionResult::Success { .. }) => hi = mid,
                _ => lo = mid,
            }
            mid = lo + (hi - lo) / 2;
        }
        Ok(json!(format!("{hi:#x}")))
    })
    .await
    .map_err(|e| RpcError::internal(e.to_string()))?
}
