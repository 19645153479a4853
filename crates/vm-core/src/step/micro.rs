//! Micro-steps (docs/fault-vm.md, "Micro-steps"): copies of [`CHUNK`] bytes a step and
//! the incremental hash of memory, [`SPONGE_CHUNK`] bytes a step, with what a finished
//! hash does (push it, a log, a CREATE2's frame).

use super::{Child, StepKind, CHUNK, SPONGE_CHUNK};
use crate::{
    error::StepError,
    machine::{AfterHash, Frame, LogItem, Machine, Pending, Slice, Source, Undo},
    sponge::Sponge,
};
use alloy_primitives::{Bytes, B256, U256};

impl Machine {
    /// One chunk of a pending copy or hash; the frame a finished CREATE2 hash starts.
    pub(super) fn pending_step(&mut self, f: &mut Frame, p: Pending) -> Result<(StepKind, Option<Child>), StepError> {
        match p {
            Pending::Copy { src, from, to, left, backwards } => {
                let n = left.min(CHUNK);
                let (from_here, to_here) = if backwards { (from + left - n, to + left - n) } else { (from, to) };
                let bytes = self.read_source(f, src, from_here, n)?;
                self.io.write(&mut f.memory, to_here, &bytes)?;
                if left > n {
                    let (from, to) = if backwards { (from, to) } else { (from + n, to + n) };
                    f.pending = Some(Pending::Copy { src, from, to, left: left - n, backwards });
                }
                Ok((StepKind::Copy, None))
            }
            Pending::CopyView { view, from, to, left } => {
                let n = left.min(CHUNK);
                let bytes = self.read_slice(&view, from, n)?;
                self.io.write(&mut f.memory, to, &bytes)?;
                if left > n {
                    f.pending = Some(Pending::CopyView { view, from: from.saturating_add(n), to: to + n, left: left - n });
                }
                Ok((StepKind::Copy, None))
            }
            Pending::Hash { mut sponge, at, left, done, then } => {
                let n = left.min(SPONGE_CHUNK);
                let bytes = self.io.read(&f.memory, at, n as usize)?;
                let mut child = None;
                if left > n {
                    sponge.absorb(&bytes, &mut self.io.meter);
                    f.pending = Some(Pending::Hash { sponge, at: at + n, left: left - n, done: done + n, then });
                } else {
                    let hash = sponge.finish(&bytes, &mut self.io.meter);
                    child = self.after_hash(f, hash, at - done, done + n, then)?;
                }
                Ok((StepKind::Hash, child))
            }
        }
    }

    /// Finishes a hash of memory `[start, start + len)`; a CREATE2's gives its frame.
    pub(super) fn after_hash(&mut self, f: &mut Frame, hash: B256, start: u64, len: u64, then: AfterHash) -> Result<Option<Child>, StepError> {
        match then {
            AfterHash::Push => {
                // The opcode popped two items and pushes one: there is room.
                f.stack.push(U256::from_be_bytes(hash.0));
            }
            AfterHash::Log { topics } => {
                // The prover keeps the bytes beside the hash (not committed).
                let data = f.memory.full().map(|t| Bytes::from(t.read(start, len as usize)));
                self.logs.push(LogItem { address: f.address, topics, data_hash: hash, data_len: len, data });
                self.journal.push(Undo::Log);
            }
            AfterHash::Create2 { value, salt } => {
                let address = f.address.create2(B256::from(salt.to_be_bytes::<32>()), hash);
                return self.create_at(f, address, value, start, len);
            }
        }
        Ok(None)
    }

    /// `n` bytes at `at` of a copy's source.
    pub(super) fn read_source(&mut self, f: &Frame, src: Source, at: u64, n: u64) -> Result<Vec<u8>, StepError> {
        match src {
            Source::Calldata => self.read_slice(&f.calldata, at, n),
            Source::Returndata => self.read_slice(&f.returndata, at, n),
            Source::Memory => self.io.read(&f.memory, at, n as usize),
            Source::Code => self.code_bytes(f, at, n),
            Source::ExtCode { hash, len } => {
                let world = &self.world;
                let code = self.io.code(hash, len, || world.full().map_or(Ok(None), |w| w.code(&hash)))?;
                let mut out = vec![0u8; n as usize];
                if at < code.len() as u64 {
                    let k = (n as usize).min(code.len() - at as usize);
                    out[..k].copy_from_slice(&code[at as usize..at as usize + k]);
                }
                Ok(out)
            }
        }
    }

    /// `n` bytes at `p` of a view (zero past its length).
    pub(super) fn read_slice(&mut self, s: &Slice, p: u64, n: u64) -> Result<Vec<u8>, StepError> {
        let mut out = vec![0u8; n as usize];
        if p >= s.len || n == 0 {
            return Ok(out);
        }
        let m = n.min(s.len - p);
        let bytes = self.io.read(&s.tree, s.offset + p, m as usize)?;
        out[..m as usize].copy_from_slice(&bytes);
        Ok(out)
    }

    /// Starts a copy of `n` bytes into memory at `to`: at once if it fits a step, else as
    /// a pending copy.
    pub(super) fn copy(&mut self, f: &mut Frame, src: Source, from: u64, to: u64, n: u64) -> Result<(), StepError> {
        if n == 0 {
            return Ok(());
        }
        let backwards = src == Source::Memory && to > from && to < from + n;
        let p = Pending::Copy { src, from, to, left: n, backwards };
        if n <= CHUNK {
            self.pending_step(f, p)?;
        } else {
            f.pending = Some(p);
        }
        Ok(())
    }

    /// Starts hashing memory `[at, at + n)`: with the EVM's keccak256 if it fits a step,
    /// else as a pending incremental hash (a CREATE2's frame then starts in its last step).
    pub(super) fn hash_memory(&mut self, f: &mut Frame, at: u64, n: u64, then: AfterHash) -> Result<Option<Child>, StepError> {
        if n <= CHUNK {
            let bytes = self.io.read(&f.memory, at, n as usize)?;
            let hash = self.io.meter.keccak(&bytes);
            self.after_hash(f, hash, at, n, then)
        } else {
            f.pending = Some(Pending::Hash { sponge: Sponge::default(), at, left: n, done: 0, then });
            Ok(None)
        }
    }
}
