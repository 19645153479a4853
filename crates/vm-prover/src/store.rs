//! The world of a node's store ([`StoreWorld`]): accounts, slots, code and SMT nodes
//! read from `faultline_state::Store` at a block, the pre-state a challenger replays a
//! running L2's block over.

use alloy_primitives::{Address, Bytes, B256, U256};
use faultline_state::{
    smt::{Node, NodeStore, SmtError},
    AccountRecord,
};
use faultline_vm_core::{error::StepError, world::WorldBase};

/// The world after block `number` of a node's store (`faultline_state::Store`): what a
/// challenger replays a block of a running L2 over. Reads accounts and slots from the
/// store's history and SMT nodes from its node table, all at that block.
#[derive(Debug)]
pub struct StoreWorld {
    store: std::sync::Arc<faultline_state::Store>,
    number: u64,
    root: B256,
}

fn store_err(e: impl std::fmt::Display) -> StepError {
    StepError::Store(e.to_string())
}

impl StoreWorld {
    /// The world after block `number` (its header's state root).
    pub fn new(store: std::sync::Arc<faultline_state::Store>, number: u64) -> Result<Self, StepError> {
        let (_, header) = store.header(number).map_err(store_err)?.ok_or_else(|| StepError::Store(format!("no block {number}")))?;
        Ok(Self { store, number, root: header.state_root })
    }
}

impl NodeStore for StoreWorld {
    fn node(&self, hash: &B256) -> Result<Option<Node>, SmtError> {
        self.store.node_store().node(hash)
    }
}

impl WorldBase for StoreWorld {
    fn root(&self) -> B256 {
        self.root
    }
    fn account(&self, a: &Address) -> Result<Option<AccountRecord>, StepError> {
        use faultline_state::overlay::StateReader;
        self.store.state_at(self.number).account_record(a).map_err(store_err)
    }
    fn storage(&self, a: &Address, slot: &U256) -> Result<U256, StepError> {
        use revm::database_interface::DatabaseRef;
        self.store.state_at(self.number).storage_ref(*a, *slot).map_err(store_err)
    }
    fn code(&self, hash: &B256) -> Result<Option<Bytes>, StepError> {
        Ok(self.store.code(hash).map_err(store_err)?.map(|c| c.original_bytes()))
    }
}
