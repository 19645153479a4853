//! The L2 chain parameters `RollupConfig` fixes at deployment (`L2Chain`), built from the
//! node's [`ChainConfig`] for a deployment and compared with it when a node starts: a
//! dispute game computes a block's context from these immutables
//! (docs/fault-vm-inputs.md), so a node whose `[chain]` config differs from them would
//! produce blocks the game proves wrong.

use crate::{
    bindings::{BatchInbox, OutputOracle, Portal, RollupConfig},
    AddressBook,
};
use alloy::{providers::Provider, transports::TransportError};
use alloy_primitives::{Address, B256, U256};
use faultline_primitives::ChainConfig;

/// `RollupConfig.L2Chain` for a chain config.
pub fn l2_chain_of(chain: &ChainConfig) -> RollupConfig::L2Chain {
    RollupConfig::L2Chain {
        blockGasLimit: chain.block_gas_limit,
        baseFeeFloor: chain.base_fee_floor,
        baseFeeChangeDenominator: chain.base_fee_change_denominator,
        elasticityMultiplier: chain.elasticity_multiplier,
        feeRecipient: chain.fee_recipient,
        sequencingWindow: chain.sequencing_window_secs,
        l1BaseFeeScalar: chain.l1_base_fee_scalar,
        l1BlobBaseFeeScalar: chain.l1_blob_base_fee_scalar,
    }
}

/// Why a node's chain config cannot run against a deployment.
#[derive(Debug, thiserror::Error)]
pub enum ChainCheckError {
    /// The L1 endpoint failed (transient: retry).
    #[error("L1 RPC: {0}")]
    Rpc(#[from] TransportError),
    /// A call to a deployment's contract failed (no code there, or an older contract).
    #[error("reading the deployment's contract at {address}: {source}")]
    Call {
        /// The contract.
        address: Address,
        /// The cause.
        source: alloy::contract::Error,
    },
    /// A parameter differs.
    #[error(
        "the node's chain config has {field} = {node}, but the deployment's RollupConfig ({address}) fixes {l1}; \
         run the node with the [chain] config the contracts were deployed with"
    )]
    Mismatch {
        /// The parameter.
        field: &'static str,
        /// The node's value.
        node: String,
        /// The deployment's value.
        l1: String,
        /// The contract.
        address: Address,
    },
    /// A contract of the address book reads another rollup config than the book's.
    #[error("{what} ({address}) reads RollupConfig {reads}, not the address book's {book}: the address book mixes deployments")]
    MixedDeployment {
        /// Which contract.
        what: &'static str,
        /// Its address.
        address: Address,
        /// The config it reads.
        reads: Address,
        /// The book's.
        book: Address,
    },
    /// The deployment's genesis output (output 0) is not the node's genesis.
    #[error(
        "the deployment's genesis output root is {l1}, but the node's chain config makes {node}: its genesis (alloc, \
         preinstalls, predeploys, genesis base fee or timestamp) differs from the deployment's"
    )]
    Genesis {
        /// `OutputOracle.outputRoot(0)`.
        l1: B256,
        /// The node's.
        node: B256,
    },
}

impl ChainCheckError {
    /// Whether retrying may help: the L1 could not be reached. A call the node answered
    /// with an error (a revert: no such function, no code) is the deployment's answer.
    pub fn is_transient(&self) -> bool {
        let transient = |e: &TransportError| e.as_error_resp().is_none();
        match self {
            ChainCheckError::Rpc(e) => transient(e),
            ChainCheckError::Call { source: alloy::contract::Error::TransportError(e), .. } => transient(e),
            _ => false,
        }
    }
}

/// Checks that the deployment in `book` is the chain `chain` runs: its portal, inbox and
/// output oracle read the book's rollup config, which fixes exactly `chain`'s parameters
/// (chain id and [`l2_chain_of`]), and its output 0 is `genesis_output_root`, the node's
/// genesis (alloc, preinstalls, predeploys, genesis base fee and timestamp).
pub async fn check_chain<P: Provider>(provider: &P, book: &AddressBook, chain: &ChainConfig, genesis_output_root: B256) -> Result<(), ChainCheckError> {
    let address = book.rollup_config;
    for (what, at) in [("Portal", book.portal), ("BatchInbox", book.batch_inbox), ("OutputOracle", book.output_oracle)] {
        let call = |source| ChainCheckError::Call { address: at, source };
        let reads = match what {
            "Portal" => Portal::new(at, provider).config().call().await.map_err(call)?,
            "BatchInbox" => BatchInbox::new(at, provider).config().call().await.map_err(call)?,
            _ => OutputOracle::new(at, provider).config().call().await.map_err(call)?,
        };
        if reads != address {
            return Err(ChainCheckError::MixedDeployment { what, address: at, reads, book: address });
        }
    }
    let genesis = OutputOracle::new(book.output_oracle, provider)
        .outputRoot(U256::ZERO)
        .call()
        .await
        .map_err(|source| ChainCheckError::Call { address: book.output_oracle, source })?;
    if genesis != genesis_output_root {
        return Err(ChainCheckError::Genesis { l1: genesis, node: genesis_output_root });
    }
    let config = RollupConfig::new(address, provider);
    let call = |source| ChainCheckError::Call { address, source };
    let l1_id = config.l2ChainId().call().await.map_err(call)?;
    let on_l1 = config.l2Chain().call().await.map_err(call)?;
    let node = l2_chain_of(chain);
    let mismatch = |field: &'static str, node: String, l1: String| Err(ChainCheckError::Mismatch { field, node, l1, address });
    if l1_id != U256::from(chain.chain_id) {
        return mismatch("chain_id", chain.chain_id.to_string(), l1_id.to_string());
    }
    let fields: [(&'static str, String, String); 8] = [
        ("block_gas_limit", node.blockGasLimit.to_string(), on_l1.blockGasLimit.to_string()),
        ("base_fee_floor", node.baseFeeFloor.to_string(), on_l1.baseFeeFloor.to_string()),
        ("base_fee_change_denominator", node.baseFeeChangeDenominator.to_string(), on_l1.baseFeeChangeDenominator.to_string()),
        ("elasticity_multiplier", node.elasticityMultiplier.to_string(), on_l1.elasticityMultiplier.to_string()),
        ("fee_recipient", node.feeRecipient.to_string(), on_l1.feeRecipient.to_string()),
        ("sequencing_window_secs", node.sequencingWindow.to_string(), on_l1.sequencingWindow.to_string()),
        ("l1_base_fee_scalar", node.l1BaseFeeScalar.to_string(), on_l1.l1BaseFeeScalar.to_string()),
        ("l1_blob_base_fee_scalar", node.l1BlobBaseFeeScalar.to_string(), on_l1.l1BlobBaseFeeScalar.to_string()),
    ];
    for (field, n, l) in fields {
        if n != l {
            return mismatch(field, n, l);
        }
    }
    Ok(())
}
