//! The fault-proof VM (docs/fault-vm.md): an instruction-level step machine for L2
//! transactions (signed ones and portal deposits) under Cancun rules, and for blocks of
//! them.
//!
//! - [`machine`]: the state, split into separately hashed parts, and its commitment;
//! - [`step`]: one step (tx-begin, opcode, precompile, undo, frame-exit, tx-end) and the
//!   reference `step(pre, witness) -> post` the Solidity verifier will mirror;
//! - [`trace`]: step counts, the commitment and witness at step k, checked runs;
//! - [`block`]: a block's transactions as one numbered sequence of positions, with
//!   checkpoints for the commitment and witness at any position;
//! - [`l2`]: an L2 block of the node as machine inputs, and a world's L2 state root;
//! - [`statetest`]: the Ethereum state tests, run with revm and with the machine.

pub mod block;
pub mod l2;
pub mod machine;
pub mod statetest;
pub mod step;
pub mod trace;
