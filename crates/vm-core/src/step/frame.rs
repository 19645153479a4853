//! The running frame's step: what it is (an undo or a frame-exit of a finished frame, a
//! pending micro-step, a code load, a precompile call, or one opcode), reading the
//! frame's code from its chunks, and loading code into chunks.

use super::{is_precompile, Child, Exit, StepKind, INIT_LOAD_CHUNK};
use crate::{
    error::StepError,
    machine::{Frame, FrameKind, IoMode, Machine, Status, Tree},
};

impl Machine {
    /// Puts the frame that stepped back on top, or suspends it under the child frame its
    /// step started (a call or a create).
    fn resume(&mut self, f: Box<Frame>, child: Option<Child>) {
        match child {
            Some(Child(c)) => {
                self.frames.push(*f);
                self.top = Some(Box::new(c));
            }
            None => self.top = Some(f),
        }
    }

    pub(super) fn run_step(&mut self) -> Result<StepKind, StepError> {
        let mut f = self.top.take().ok_or(StepError::Inconsistent("running without a frame"))?;
        if f.status != Status::Running {
            // A failed frame's writes are undone one journal record per step, then it exits.
            let failed = matches!(f.status, Status::Revert(_) | Status::Halt(_));
            let checkpoint = f.checkpoint;
            self.top = Some(f);
            if failed && self.journal.len() > checkpoint {
                self.undo_one()?;
                return Ok(StepKind::Undo);
            }
            self.frame_exit()?;
            return Ok(StepKind::FrameExit);
        }
        if let Some(p) = f.pending.take() {
            let (kind, child) = match self.pending_step(&mut f, p) {
                Ok(k) => k,
                Err(e) => {
                    self.top = Some(f);
                    return Err(e);
                }
            };
            // A CREATE2 whose init code was hashed in micro-steps starts its frame here.
            self.resume(f, child);
            return Ok(kind);
        }
        if f.code.chunks.is_none() {
            let r = self.code_load(&mut f);
            self.top = Some(f);
            r?;
            return Ok(StepKind::CodeLoad);
        }
        if f.kind == FrameKind::Call && is_precompile(&f.code_address) {
            let id = f.code_address.as_slice()[19];
            let r = self.run_precompile(&mut f);
            self.top = Some(f);
            r?;
            return Ok(StepKind::Precompile(id));
        }
        let op = match self.opcode_at(&f) {
            Ok(op) => op,
            Err(e) => {
                self.top = Some(f);
                return Err(e);
            }
        };
        let depth = self.frames.len() as usize + 1;
        let result = self.exec(&mut f, op, depth);
        let child = match result {
            Ok(c) => c,
            Err(Exit::Halt(h)) => {
                f.status = Status::Halt(h);
                f.pending = None;
                None
            }
            Err(Exit::Step(e)) => {
                self.top = Some(f);
                return Err(e);
            }
        };
        self.resume(f, child);
        Ok(StepKind::Opcode(op))
    }

    /// The opcode at the frame's pc (STOP past the code's end).
    pub(super) fn opcode_at(&mut self, f: &Frame) -> Result<u8, StepError> {
        if f.pc >= f.code.len {
            return Ok(0);
        }
        // A plain run reads the chunk directly; a recorded or witnessed one opens it.
        if let (IoMode::Plain, Some(Tree::Full(t))) = (&self.io.mode, &f.code.chunks) {
            return Ok(crate::code::byte_in_tree(t, f.pc));
        }
        Ok(self.code_bytes(f, f.pc, 1)?[0])
    }

    /// Bytes `[at, at + n)` of the frame's code (zero past its end), from its chunks.
    pub(super) fn code_bytes(&mut self, f: &Frame, at: u64, n: u64) -> Result<Vec<u8>, StepError> {
        let mut out = vec![0u8; n as usize];
        let end = (at.saturating_add(n)).min(f.code.len);
        if at >= end {
            return Ok(out);
        }
        let chunks = f.code.chunks.as_ref().ok_or(StepError::Inconsistent("code not loaded"))?;
        if let (IoMode::Plain, Tree::Full(t)) = (&self.io.mode, chunks) {
            for pc in at..end {
                out[(pc - at) as usize] = crate::code::byte_in_tree(t, pc);
            }
            return Ok(out);
        }
        let c = crate::code::CHUNK as u64;
        let (first, last) = (at / c, (end - 1) / c);
        let words = self.io.words(chunks, first, last - first + 1)?;
        for pc in at..end {
            out[(pc - at) as usize] = crate::code::byte_of(&words, first, pc);
        }
        Ok(out)
    }

    /// Loads the frame's code: a call frame's from the world's code store (the witness
    /// carries it, checked against the hash) in one step; a create frame's init code
    /// from its view, [`INIT_LOAD_CHUNK`] bytes per step; then chunks it.
    pub(super) fn code_load(&mut self, f: &mut Frame) -> Result<(), StepError> {
        let Some(init) = f.code.init.clone() else {
            let world = &self.world;
            let code = self.io.code(f.code.hash, f.code.len, || world.full().map_or(Ok(None), |w| w.code(&f.code.hash)))?;
            let chunks = crate::code::chunks(&code, &mut self.io.meter);
            f.code.chunks = Some(self.io.new_tree_of_words(&chunks));
            return Ok(());
        };
        let (mut tree, done, carry) = f.code.loading.take().unwrap_or_else(|| (self.io.new_tree(&[]), 0, 0));
        let n = (init.len - done).min(INIT_LOAD_CHUNK);
        let part = self.io.read(&init.tree, init.offset + done, n as usize)?;
        let (words, carry) = crate::code::chunks_from(&part, carry as usize, &mut self.io.meter);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.0).collect();
        self.io.write(&mut tree, done / crate::code::CHUNK as u64 * 32, &bytes)?;
        if done + n == init.len {
            f.code.chunks = Some(tree);
        } else {
            f.code.loading = Some((tree, done + n, carry.min(u8::MAX as usize) as u8));
        }
        Ok(())
    }
}
