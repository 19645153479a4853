//! The end of a frame: the undo micro-steps of a failed frame (one journal record a
//! step) and the frame-exit handing its result to its caller or to tx-end.

use super::{b2u, word_of};
use crate::{
    error::StepError,
    io::tags,
    machine::{FrameKind, Machine, Pending, Phase, Slice, Source, Status, Undo},
};
use alloy_primitives::{B256, U256};

impl Machine {
    /// Pops the top journal record and restores what it records (one undo micro-step).
    pub(super) fn undo_one(&mut self) -> Result<(), StepError> {
        match self.journal.pop()? {
            Undo::Account(a, r) => self.io.put_account(&mut self.world, &a, r)?,
            Undo::Storage(a, s, v) => self.io.put_storage(&mut self.world, &a, &s, v)?,
            Undo::Transient(a, s, v) => self.sub_set(tags::TRANSIENT, &a, Some(&s), B256::from(v))?,
            Undo::WarmAddress(a) => self.sub_set(tags::WARM_ADDRESS, &a, None, B256::ZERO)?,
            Undo::WarmSlot(a, s) => self.sub_set(tags::WARM_SLOT, &a, Some(&s), B256::ZERO)?,
            Undo::Log => {
                self.logs.pop()?;
            }
            Undo::MarkedCreated(a) => self.sub_set(tags::CREATED, &a, None, B256::ZERO)?,
            Undo::MarkedDestructed(a) => {
                self.sub_set(tags::DESTRUCTED, &a, None, B256::ZERO)?;
                if self.destructed.pop()? != a {
                    return Err(StepError::Inconsistent("the destroyed list and the journal disagree"));
                }
            }
        }
        Ok(())
    }

    /// Pops the finished innermost frame and hands its result to the caller. A failed
    /// frame's journal records were undone by the steps before.
    pub(super) fn frame_exit(&mut self) -> Result<(), StepError> {
        let f = self.top.take().ok_or(StepError::Inconsistent("no frame to exit"))?;
        let (success, gas_left, refund) = match &f.status {
            Status::Success(_) => (true, f.gas, f.refund),
            Status::Revert(_) => (false, f.gas, 0),
            Status::Halt(_) => (false, 0, 0),
            Status::Running => return Err(StepError::Inconsistent("exit of a running frame")),
        };
        if !success && self.journal.len() != f.checkpoint {
            return Err(StepError::Inconsistent("exit of a failed frame with records left to undo"));
        }
        if self.frames.is_empty() {
            self.phase = Phase::End { gas_left, refund, success };
            return Ok(());
        }
        let mut p = self.frames.pop()?;
        p.gas += gas_left;
        p.refund += refund;
        let output = match &f.status {
            Status::Success(o) | Status::Revert(o) => o.clone(),
            _ => Slice::default(),
        };
        let pushed = match f.kind {
            FrameKind::Call => {
                let n = p.ret_size.min(output.len);
                let to = p.ret_offset;
                p.returndata = output;
                if n > 0 {
                    p.pending = Some(Pending::Copy { src: Source::Returndata, from: 0, to, left: n, backwards: false });
                }
                b2u(success)
            }
            FrameKind::Create => {
                p.returndata = if success { Slice::default() } else { output };
                if success {
                    word_of(f.address)
                } else {
                    U256::ZERO
                }
            }
        };
        // The caller's stack had room: the call opcode popped at least 3 items.
        p.stack.push(pushed);
        self.top = Some(Box::new(p));
        Ok(())
    }
}
