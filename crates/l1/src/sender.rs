//! The L1 provider a process sends its transactions through (batcher, proposer, tests
//! that post to the inbox): nonces from the node for every transaction, not alloy's
//! default cache. After an L1 reorg drops a transaction, or a send is refused after its
//! nonce was taken, a cached nonce would leave every later transaction behind a gap.

use alloy::{
    network::EthereumWallet,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
    transports::http::reqwest::Url,
};

/// A provider that signs with `key`, estimates gas and blob gas, and asks `url` for the
/// nonce of every transaction.
pub fn sender(key: &PrivateKeySigner, url: Url) -> impl Provider + Clone {
    ProviderBuilder::new()
        .disable_recommended_fillers()
        .with_gas_estimation()
        .with_blob_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(EthereumWallet::from(key.clone()))
        .connect_http(url)
}
