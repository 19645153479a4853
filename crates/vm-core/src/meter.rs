//! Counts of what checking a step costs on L1 (docs/fault-vm.md, "Bounds"): keccak256
//! calls and the bytes they hash, keccak-f permutations of an incremental hash, and the gas
//! of precompiles the step calls. [`measure`] runs a closure with fresh counts, so the
//! reference `step` on a witness is measured exactly as the L1 verifier would run it.

use std::cell::Cell;

/// What a measured closure did.
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

thread_local! {
    static COUNTS: Cell<Counts> = const { Cell::new(Counts { hashes: 0, hashed_bytes: 0, permutations: 0, precompile_gas: 0, analysed_bytes: 0 }) };
}

fn bump(f: impl FnOnce(&mut Counts)) {
    COUNTS.with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
}

/// Records one keccak256 call over `bytes` bytes.
pub fn hashed(bytes: usize) {
    bump(|c| {
        c.hashes += 1;
        c.hashed_bytes += bytes as u64;
    });
}

/// Records `n` keccak-f permutations.
pub fn permuted(n: u64) {
    bump(|c| c.permutations += n);
}

/// Records a precompile call costing `gas`.
pub fn precompile(gas: u64) {
    bump(|c| c.precompile_gas += gas);
}

/// Records a scan of `n` code bytes.
pub fn analysed(n: usize) {
    bump(|c| c.analysed_bytes += n as u64);
}

thread_local! {
    static BOUND_HIT: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Records that a call of precompile `id` failed because of the L2's bounds (not of its
/// own).
pub fn hit_bound(id: u8) {
    BOUND_HIT.with(|b| b.set(Some(id)));
}

/// The precompile whose call hit the L2's bounds since [`clear_bound_hit`], if any.
pub fn bound_hit() -> Option<u8> {
    BOUND_HIT.with(|b| b.get())
}

/// Forgets earlier [`hit_bound`] calls.
pub fn clear_bound_hit() {
    BOUND_HIT.with(|b| b.set(None));
}

/// Runs `f` and returns its result with what it counted.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Counts) {
    let before = COUNTS.with(|c| c.replace(Counts::default()));
    let out = f();
    let counted = COUNTS.with(|c| c.replace(before));
    (out, counted)
}

/// keccak256 of `data`, counted.
pub fn keccak(data: &[u8]) -> alloy_primitives::B256 {
    hashed(data.len());
    alloy_primitives::keccak256(data)
}
