//! The fault VM's prover (docs/fault-vm.md) over `faultline-vm-core`:
//!
//! - [`trace`]: step counts, the commitment and witness at step k, checked runs and the
//!   L1 cost of a step (from the core's meter);
//! - [`block`]: a block's positions, with checkpoints;
//! - [`l1`]: a block's inputs as L1 holds them (deposits, a calldata batch);
//! - [`l2`]: an L2 block of the node as machine inputs;
//! - [`store`]: the world of a node's store at a block, the pre-state of a replay.

pub mod block;
pub mod l1;
pub mod l2;
pub mod store;
pub mod trace;
