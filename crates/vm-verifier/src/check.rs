//! The L1 verifier beside Rust's reference step: each step's verdict compared, its gas
//! recorded, as an observer of the checked runs.

use crate::{Error, L1Stats, L1Verifier, Refusal, Verdict, ENV_ALLOW_UNSUPPORTED, ENV_DUMP, ENV_L1};
use alloy_primitives::B256;
use faultline_vm_core::step::StepKind;
use faultline_vm_prover::trace::{CheckedStep, StepObserver, L1_STEP_GAS_TARGET};

/// Whether [`ENV_L1`] is set to `1`.
pub fn enabled() -> bool {
    std::env::var(ENV_L1).is_ok_and(|v| v == "1")
}

/// Whether [`ENV_ALLOW_UNSUPPORTED`] is set to `1`.
pub fn allow_unsupported() -> bool {
    std::env::var(ENV_ALLOW_UNSUPPORTED).is_ok_and(|v| v == "1")
}

/// How the L1 verifier's answer compares with Rust's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// The same post, or an error of the same category.
    Agree,
    /// The router refused the step kind (`Unsupported(kind)`).
    Unsupported(u8),
    /// Anything else: what differs.
    Mismatch(String),
}

/// Compares `l1` with Rust's result, an error given by its `StepError::code()`.
pub fn compare(rust: Result<B256, &str>, l1: &Result<B256, Refusal>) -> Agreement {
    match (rust, l1) {
        (_, Err(Refusal::Unsupported { kind })) => Agreement::Unsupported(*kind),
        (Ok(want), Ok(got)) if want == *got => Agreement::Agree,
        (Ok(want), Ok(got)) => Agreement::Mismatch(format!("the L1 verifier's post is {got}, Rust's {want}")),
        (Ok(want), Err(r)) => Agreement::Mismatch(format!("the L1 verifier refused with {r}, Rust's post is {want}")),
        (Err(code), Ok(got)) => Agreement::Mismatch(format!("the L1 verifier gave post {got}, Rust refused with {code}")),
        (Err(code), Err(r)) if r.code() == Some(code) => Agreement::Agree,
        (Err(code), Err(r)) => Agreement::Mismatch(format!("the L1 verifier refused with {r}, Rust with {code}")),
    }
}

/// The L1 verifier and its figures: hand it each step with Rust's result
/// ([`L1Check::check`]), or give it to a checked run as its
/// [`StepObserver`] (which ends the run at the first mismatch).
#[derive(Debug)]
pub struct L1Check {
    /// The deployed verifier.
    pub verifier: L1Verifier,
    /// What it cost, by kind.
    pub stats: L1Stats,
    /// Steps written to [`ENV_DUMP`] so far.
    dumped: u64,
}

impl L1Check {
    /// A check over [`L1Verifier::new`].
    pub fn new() -> Result<Self, Error> {
        Ok(Self::with_verifier(L1Verifier::new()?))
    }

    /// A check over a verifier already deployed.
    pub fn with_verifier(verifier: L1Verifier) -> Self {
        Self { verifier, stats: L1Stats::default(), dumped: 0 }
    }

    /// [`Self::new`] if [`ENV_L1`] is `1`, else `None`.
    pub fn from_env() -> Result<Option<Self>, Error> {
        if enabled() {
            Self::new().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Runs one step through the verifier and compares it with Rust's `rust` (an error by
    /// its `StepError::code()`), recording it in [`Self::stats`].
    pub fn check(&mut self, kind: StepKind, pre: B256, witness: &[u8], rust: Result<B256, &str>) -> Result<(Agreement, Verdict), Error> {
        let verdict = self.verifier.verify(pre, witness)?;
        let agreement = compare(rust, &verdict.result);
        let gas = (!matches!(agreement, Agreement::Unsupported(_))).then_some(verdict.gas_used);
        let mismatch = matches!(agreement, Agreement::Mismatch(_));
        self.stats.record(kind, witness.len(), gas, mismatch);
        if mismatch || gas.is_some_and(|g| g > L1_STEP_GAS_TARGET) {
            self.dump(kind, pre, witness, verdict.gas_used);
        }
        Ok((agreement, verdict))
    }

    /// Writes a step to [`ENV_DUMP`]'s folder, if set (a failure to write is reported,
    /// not fatal: the run's verdict does not depend on it).
    fn dump(&mut self, kind: StepKind, pre: B256, witness: &[u8], gas: u64) {
        let Some(dir) = std::env::var_os(ENV_DUMP) else { return };
        self.dumped += 1;
        let name = format!("{kind:?}-{gas}-{}.json", self.dumped).replace(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.', "_");
        let path = std::path::Path::new(&dir).join(name);
        let body = serde_json::json!({
            "kind": format!("{kind:?}"),
            "pre": pre,
            "witness": alloy_primitives::Bytes::copy_from_slice(witness),
            "gas": gas,
        });
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, body.to_string())) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write a dumped step");
        }
    }

    /// Whether the run passes: see [`L1Stats::verdict`], with [`allow_unsupported`].
    pub fn finish(&self) -> Result<(), String> {
        self.stats.verdict(allow_unsupported())
    }
}

impl StepObserver for L1Check {
    fn observe(&mut self, step: &CheckedStep<'_>) -> Result<(), String> {
        let rust = step.rust.map_err(|e| e.code());
        match self.check(step.kind, step.pre, step.witness, rust) {
            Ok((Agreement::Agree | Agreement::Unsupported(_), _)) => Ok(()),
            Ok((Agreement::Mismatch(why), v)) => Err(format!("on L1 ({} gas): {why}", v.gas_used)),
            Err(e) => Err(format!("on L1: {e}")),
        }
    }
}
