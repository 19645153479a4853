//! Bounds faultline's L2 puts on what the EVM otherwise allows, so that every step of the
//! fault proof fits one L1 transaction (docs/fault-vm.md, "Precompiles"). Applied alike
//! by the sequencer's revm (crates/executor) and the step machine (crates/fault-vm).

/// Longest input a precompile call may have: a call with more fails (as an exceptional
/// halt: the gas given to it is consumed). The one-step proof passes the input to the L1
/// precompile as calldata, 16 gas a byte.
pub const PRECOMPILE_MAX_INPUT: usize = 32 * 1024;

/// Most gas a precompile call may use: a call that would need more fails (consuming the
/// gas given to it), even with more gas available. The one-step proof runs the same
/// precompile on L1 at the same price.
pub const PRECOMPILE_MAX_GAS: u64 = 1_000_000;

/// Longest code an account may hold (EIP-170; also binding on genesis code, so that any
/// code a call loads fits one fault-proof step).
pub const MAX_CODE_SIZE: usize = 24_576;
