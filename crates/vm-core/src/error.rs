//! Why a step could not be taken ([`StepError`]): the machine-level errors of the
//! reference step (docs/fault-vm.md, "Errors"), apart from the EVM's, which are steps.

use alloy_primitives::B256;

/// Why a step could not be taken (never an EVM error: those are steps too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The witness does not hash to the claimed pre-state commitment.
    #[error("witness commitment {got} != claimed pre-state {claimed}")]
    WrongPreState {
        /// What the witness hashes to.
        got: B256,
        /// What was claimed.
        claimed: B256,
    },
    /// The witness lacks what the step needs, or what it carries does not prove it.
    #[error("witness lacks {0}")]
    Missing(String),
    /// The witness carries something its step does not use (an access or a stack item
    /// too many, a proof part the access does not need).
    #[error("witness carries {0} the step does not use")]
    Unused(String),
    /// The witness bytes are not the canonical encoding of a witness (docs/fault-vm.md,
    /// "Witness wire format"): truncated, trailing bytes, a flag or tag out of range, a
    /// length over its bound, or a non-canonical field.
    #[error("malformed witness: {0}")]
    Malformed(String),
    /// The machine is in a state no step can lead to.
    #[error("inconsistent machine state: {0}")]
    Inconsistent(&'static str),
    /// The prover's world (its store) could not be read.
    #[error("the world store failed: {0}")]
    Store(String),
}

impl StepError {
    /// A short stable name of the error's kind, as the test vectors record it
    /// (`docs/vectors/vm/`): `wrong-pre-state`, `missing`, `unused`, `malformed`,
    /// `inconsistent` or `store`.
    pub fn code(&self) -> &'static str {
        match self {
            StepError::WrongPreState { .. } => "wrong-pre-state",
            StepError::Missing(_) => "missing",
            StepError::Unused(_) => "unused",
            StepError::Malformed(_) => "malformed",
            StepError::Inconsistent(_) => "inconsistent",
            StepError::Store(_) => "store",
        }
    }
}
