// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IFaultVM
/// @notice The one-step verifier of fault VM v2 (docs/fault-vm.md; its Solidity layout in
///         docs/verifier.md): L1 recomputes one step of the machine from its witness. The
///         Rust twin is `faultline_vm_core::step::step` (crates/vm-core/src/step/mod.rs);
///         both are tied by the vectors under docs/vectors/vm/.
/// @dev A step either returns the commitment after it or reverts with one of the four
///      errors below (and `Inconsistent`, which only a state no run reaches can
///      give), the categories of Rust's `StepError` (`StepError::code()`:
///      `malformed`, `wrong-pre-state`, `missing`, `unused`). Offsets are byte offsets
///      into the witness.
interface IFaultVM {
    /// @notice The witness bytes are not the canonical encoding of a witness (a field cut
    ///         short, a trailing byte, a flag other than 0 or 1, a tag out of range, a
    ///         count over its bound, a present sibling equal to the zero subtree...).
    /// @param at The witness offset where decoding failed.
    error Malformed(uint256 at);

    /// @notice The witness is of another state: its commitment is not the claimed one.
    /// @param got The commitment the witness hashes to.
    /// @param claimed The pre-state the caller claimed.
    error WrongPreState(bytes32 got, bytes32 claimed);

    /// @notice The witness lacks what the step reads, or cannot prove it (an access of
    ///         another kind or against another root, a forged stack item, a wrong
    ///         preimage, code bytes of another hash, a blob element the precompile refuses).
    /// @param at The witness offset of the access or item that failed (the end of the
    ///        witness when one is missing).
    error Missing(uint256 at);

    /// @notice The witness carries something the step does not use.
    /// @param accesses Accesses left over.
    /// @param items Carried stack items not popped.
    error Unused(uint256 accesses, uint256 items);

    /// @notice The witness decodes to a state no run of the machine reaches (a phase
    ///         that needs a transaction or a frame without one, a pop of an empty stack):
    ///         Rust's `StepError::Inconsistent`.
    /// @param what A code naming the inconsistency (docs/verifier.md, "Errors").
    error Inconsistent(uint256 what);

    /// @notice Takes one step of the machine from the witness of its pre-state.
    /// @param pre The commitment of the state before the step.
    /// @param witness The step's witness (docs/fault-vm.md, "Witness wire format").
    /// @return post The commitment of the state after the step (`pre` for a finished
    ///         block: "Done stays Done").
    function step(bytes32 pre, bytes calldata witness) external view returns (bytes32 post);
}
