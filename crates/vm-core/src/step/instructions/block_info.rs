//! The block's context: BLOCKHASH through BLOBBASEFEE (0x40..=0x4a), with SELFBALANCE,
//! which the opcode table puts among them.

use crate::{
    gas::{G_BASE, G_BLOCKHASH, G_LOW, G_VERYLOW},
    machine::{BlockHashes, Frame, Halt, Machine},
    opcode::*,
    step::{halt, pop, push, use_gas, word_of, Ev},
};
use alloy_primitives::U256;

impl Machine {
    /// One block-context opcode.
    pub(super) fn block_info(&mut self, f: &mut Frame, op: u8) -> Ev<()> {
        match op {
            BLOCKHASH => {
                use_gas(f, G_BLOCKHASH)?;
                let n = pop(f)?;
                let cur = self.block.number;
                let v = match u64::try_from(n) {
                    Ok(n) if n < cur && cur - n <= 256 => match &self.block.block_hashes {
                        BlockHashes::State => self.io.storage(
                            &self.world,
                            &faultline_primitives::history::HISTORY_STORAGE_ADDRESS,
                            &faultline_primitives::history::history_slot(n),
                        )?,
                        BlockHashes::Tree(t) => U256::from_be_bytes(self.io.words(t, 256 - (cur - n), 1)?[0].0),
                    },
                    _ => U256::ZERO,
                };
                push(f, v)?;
            }
            COINBASE => {
                use_gas(f, G_BASE)?;
                push(f, word_of(self.block.coinbase))?;
            }
            TIMESTAMP => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.block.timestamp))?;
            }
            NUMBER => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.block.number))?;
            }
            PREVRANDAO => {
                use_gas(f, G_BASE)?;
                push(f, U256::from_be_bytes(self.block.prevrandao.0))?;
            }
            GASLIMIT => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.block.gas_limit))?;
            }
            CHAINID => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.block.chain_id))?;
            }
            SELFBALANCE => {
                use_gas(f, G_LOW)?;
                let b = self.balance(f.address)?;
                push(f, b)?;
            }
            BASEFEE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.basefee()))?;
            }
            BLOBHASH => {
                // BLOBHASH: L2 transactions carry no blobs.
                use_gas(f, G_VERYLOW)?;
                pop(f)?;
                push(f, U256::ZERO)?;
            }
            BLOBBASEFEE => {
                use_gas(f, G_BASE)?;
                push(f, U256::from(self.block.blob_basefee))?;
            }
            _ => return halt(Halt::InvalidOpcode),
        }
        Ok(())
    }
}
