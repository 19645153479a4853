//! Named gas constants (Cancun; the yellow paper's names, as revm's `interpreter::gas`):
//! the prices the step machine charges, which the Solidity verifier mirrors.

/// Gas of the cheapest environment reads (ADDRESS, CALLER, PC, ...): G_base.
pub const G_BASE: u64 = 2;
/// ADD, SUB, comparisons, bitwise, PUSH, DUP, SWAP, MLOAD, MSTORE: G_verylow.
pub const G_VERYLOW: u64 = 3;
/// MUL, DIV, MOD, SIGNEXTEND, SELFBALANCE: G_low.
pub const G_LOW: u64 = 5;
/// ADDMOD, MULMOD, JUMP: G_mid.
pub const G_MID: u64 = 8;
/// EXP (its base price), JUMPI: G_high.
pub const G_HIGH: u64 = 10;
/// JUMPDEST.
pub const G_JUMPDEST: u64 = 1;
/// EXP's price per byte of the exponent.
pub const G_EXP_BYTE: u64 = 50;
/// KECCAK256's base price.
pub const G_KECCAK256: u64 = 30;
/// KECCAK256's (and CREATE2's) price per word hashed.
pub const G_KECCAK256_WORD: u64 = 6;
/// Price per word copied (CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY, MCOPY).
pub const G_COPY: u64 = 3;
/// Price per word of memory (the linear part of its cost).
pub const G_MEMORY: u64 = 3;
/// Divisor of the quadratic part of memory's cost.
pub const MEMORY_QUAD_DIVISOR: u64 = 512;
/// BLOCKHASH.
pub const G_BLOCKHASH: u64 = 20;
/// Access to a warm account or slot (EIP-2929), TLOAD and TSTORE (EIP-1153).
pub const G_WARM_ACCESS: u64 = 100;
/// First access to an account in a transaction (EIP-2929).
pub const COLD_ACCOUNT_ACCESS: u64 = 2_600;
/// First access to a slot in a transaction (EIP-2929).
pub const COLD_SLOAD: u64 = 2_100;
/// SSTORE of a non-zero value into a slot zero at the transaction's start.
pub const G_SSTORE_SET: u64 = 20_000;
/// SSTORE changing a slot non-zero at the transaction's start (EIP-2929: 5,000 − 2,100).
pub const G_SSTORE_RESET: u64 = 2_900;
/// Refund for clearing a slot (EIP-3529).
pub const R_SSTORE_CLEARS: i64 = 4_800;
/// SSTORE fails with no more gas than this left (EIP-2200).
pub const SSTORE_SENTRY: u64 = 2_300;
/// LOG's base price.
pub const G_LOG: u64 = 375;
/// LOG's price per topic.
pub const G_LOG_TOPIC: u64 = 375;
/// LOG's price per data byte.
pub const G_LOG_DATA: u64 = 8;
/// SELFDESTRUCT's base price.
pub const G_SELFDESTRUCT: u64 = 5_000;
/// Sending value to an empty account (CALL, SELFDESTRUCT).
pub const G_NEW_ACCOUNT: u64 = 25_000;
/// A call sending value.
pub const G_CALL_VALUE: u64 = 9_000;
/// The gas a call sending value adds for its callee.
pub const CALL_STIPEND: u64 = 2_300;
/// CREATE and CREATE2, and a creating transaction's extra intrinsic gas.
pub const G_CREATE: u64 = 32_000;
/// Price per init-code word (EIP-3860).
pub const G_INITCODE_WORD: u64 = 2;
/// Price per byte of deposited code.
pub const G_CODE_DEPOSIT: u64 = 200;
/// A transaction's base intrinsic gas.
pub const G_TRANSACTION: u64 = 21_000;
/// Intrinsic gas per zero byte of call data.
pub const G_TX_DATA_ZERO: u64 = 4;
/// Intrinsic gas per non-zero byte of call data (EIP-2028).
pub const G_TX_DATA_NONZERO: u64 = 16;
/// Intrinsic gas per access-list address (EIP-2930).
pub const G_ACCESS_LIST_ADDRESS: u64 = 2_400;
/// Intrinsic gas per access-list storage key (EIP-2930).
pub const G_ACCESS_LIST_STORAGE_KEY: u64 = 1_900;
/// Largest refund: the gas used over this (EIP-3529).
pub const MAX_REFUND_QUOTIENT: u64 = 5;
/// A call or create keeps 1/64 of the gas left (EIP-150).
pub const CALL_GAS_RETAINED_DIVISOR: u64 = 64;

/// The `ecrecover` precompile's gas (an input step recovers a sender with it).
pub const ECRECOVER: u64 = 3_000;

/// The point-evaluation precompile's gas (an input step opens a blob element with it).
pub const POINT_EVALUATION: u64 = 50_000;
