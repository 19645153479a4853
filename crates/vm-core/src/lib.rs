//! The fault-proof VM's core (docs/fault-vm.md): an instruction-level step machine for
//! L2 blocks (portal deposits and signed transactions, Cancun rules, then the block's
//! end), whose every step is checked from a bounded witness. Everything here is what the
//! Solidity one-step verifier mirrors; the prover (`faultline-vm-prover`) and the state
//! tests (`faultline-vm-statetest`) build on it.
//!
//! - [`machine`]: the state and its commitment; [`encode`]: the byte encodings' trait;
//!   [`error`]: why a step fails;
//! - [`step`]: one step and the reference `step(pre, witness) -> post` the Solidity
//!   verifier will mirror, opcodes by family under `step::instructions`; [`opcode`] and
//!   [`gas`]: the named opcodes and gas prices;
//! - [`witness`]: the witness wire format, the bytes `step` reads;
//! - [`txdecode`]: a batch entry decoded in bounded pieces, exactly as derivation does;
//! - [`io`]: what a step opens (tree ranges, keyed-tree proofs, code, preimages), the
//!   same calls for the prover and the verifier;
//! - [`world`], [`words`], [`stack`], [`code`], [`sponge`], [`accumulator`]: the
//!   Merkle structures behind the state;
//! - [`meter`]: the counts of what checking a step costs on L1, passed explicitly (the
//!   core holds no thread-local or global state).

pub mod accumulator;
pub mod code;
pub mod encode;
pub mod error;
pub mod gas;
pub mod initial;
pub mod inputs;
pub mod io;
pub mod machine;
pub mod meter;
pub mod opcode;
pub mod sponge;
pub mod stack;
pub mod step;
pub mod txdecode;
pub mod witness;
pub mod words;
pub mod world;
