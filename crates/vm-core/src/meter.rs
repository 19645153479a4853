//! What checking a step costs on L1 (docs/fault-vm.md, "Bounds"): keccak256 calls and the
//! bytes they hash, keccak-f permutations of an incremental hash, the gas of precompiles
//! the step calls and the code bytes it chunks, with which precompile call (if any) failed
//! only because of the L2's bounds.
//!
//! A [`Meter`] is plain state, passed explicitly: a machine carries one in its
//! [`Io`](crate::machine::Io) (not committed), every hash site of a step reports to it,
//! and a function that hashes outside the machine takes it as `&mut Meter`. The reference
//! `step_metered(pre, witness, &mut meter)` ([`crate::step::step_metered`]) measures a
//! step exactly as the L1 verifier would run it; `step` uses a throwaway meter.

use crate::encode::Encode;
use alloy_primitives::B256;

/// What a metered run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// keccak256 calls.
    pub hashes: u64,
    /// Bytes they hashed.
    pub hashed_bytes: u64,
    /// keccak-f[1600] permutations run outside a keccak256 call (incremental hashing).
    pub permutations: u64,
    /// Gas of the precompiles called.
    pub precompile_gas: u64,
    /// Code bytes scanned for push data (the chunking of loaded code).
    pub analysed_bytes: u64,
}

/// The counts of a run and the precompile call that hit the L2's bounds. A fresh meter
/// ([`Meter::default`]) counts nothing yet; one whose counts nobody reads is the no-op.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meter {
    counts: Counts,
    bound_hit: Option<u8>,
}

impl Meter {
    /// What was counted.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The precompile whose call last failed because of the L2's bounds (not of its own),
    /// if any.
    pub fn bound_hit(&self) -> Option<u8> {
        self.bound_hit
    }

    /// keccak256 of `data`, counted.
    pub fn keccak(&mut self, data: &[u8]) -> B256 {
        self.hashed(data.len());
        alloy_primitives::keccak256(data)
    }

    /// keccak256 of `x`'s encoding, counted (with what encoding it hashed: the roots of
    /// the trees it holds).
    pub fn hash<T: Encode + ?Sized>(&mut self, x: &T) -> B256 {
        let mut v = Vec::new();
        x.encode(&mut v, self);
        self.keccak(&v)
    }

    /// Records one keccak256 call over `bytes` bytes (one the caller makes itself).
    pub fn hashed(&mut self, bytes: usize) {
        self.counts.hashes += 1;
        self.counts.hashed_bytes += bytes as u64;
    }

    /// Records `n` keccak-f permutations.
    pub fn permuted(&mut self, n: u64) {
        self.counts.permutations += n;
    }

    /// Records a precompile call costing `gas`.
    pub fn precompile(&mut self, gas: u64) {
        self.counts.precompile_gas += gas;
    }

    /// Records a scan of `n` code bytes.
    pub fn analysed(&mut self, n: usize) {
        self.counts.analysed_bytes += n as u64;
    }

    /// Records that a call of precompile `id` failed because of the L2's bounds (not of
    /// its own).
    pub fn hit_bound(&mut self, id: u8) {
        self.bound_hit = Some(id);
    }

    /// Adds what `other` counted (a later bound hit replaces an earlier one).
    pub fn add(&mut self, other: &Meter) {
        let (c, o) = (&mut self.counts, other.counts);
        c.hashes += o.hashes;
        c.hashed_bytes += o.hashed_bytes;
        c.permutations += o.permutations;
        c.precompile_gas += o.precompile_gas;
        c.analysed_bytes += o.analysed_bytes;
        self.bound_hit = other.bound_hit.or(self.bound_hit);
    }
}
