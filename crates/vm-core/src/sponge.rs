//! keccak256 taken in pieces (docs/fault-vm.md, "Micro-steps"): the sponge's 200-byte
//! state between micro-steps, so hashing a range longer than one step may read is spread
//! over several steps. The L1 verifier runs keccak-f[1600] for these (the EVM's KECCAK256
//! opcode cannot resume a sponge); ranges short enough for one step use the opcode.

use crate::meter::Meter;
use alloy_primitives::B256;

/// keccak256's rate: bytes absorbed per permutation.
pub const RATE: usize = 136;

/// A keccak256 sponge between blocks: the 25 lanes of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sponge(pub [u64; 25]);

impl Sponge {
    fn absorb_block(&mut self, block: &[u8], m: &mut Meter) {
        for (i, lane) in block.chunks_exact(8).enumerate() {
            self.0[i] ^= u64::from_le_bytes(lane.try_into().expect("8-byte lane"));
        }
        keccak::f1600(&mut self.0);
        m.permuted(1);
    }

    /// Absorbs whole blocks (`data.len()` a multiple of [`RATE`]; `m` counts the
    /// permutations).
    pub fn absorb(&mut self, data: &[u8], m: &mut Meter) {
        debug_assert!(data.len().is_multiple_of(RATE));
        for block in data.chunks_exact(RATE) {
            self.absorb_block(block, m);
        }
    }

    /// Absorbs the last bytes (any length), pads and returns the hash (`m` counts the
    /// permutations).
    pub fn finish(mut self, tail: &[u8], m: &mut Meter) -> B256 {
        let full = tail.len() / RATE * RATE;
        self.absorb(&tail[..full], m);
        let mut block = [0u8; RATE];
        let rest = &tail[full..];
        block[..rest.len()].copy_from_slice(rest);
        block[rest.len()] ^= 0x01;
        block[RATE - 1] ^= 0x80;
        self.absorb_block(&block, m);
        let mut out = [0u8; 32];
        for (i, lane) in self.0[..4].iter().enumerate() {
            out[8 * i..8 * i + 8].copy_from_slice(&lane.to_le_bytes());
        }
        B256::from(out)
    }

    /// The 200-byte encoding (lanes little-endian, as keccak-f lays them out).
    pub fn encode(&self, out: &mut Vec<u8>) {
        for lane in &self.0 {
            out.extend_from_slice(&lane.to_le_bytes());
        }
    }
}

/// A sponge that takes bytes in any pieces: the lanes and the bytes (fewer than
/// [`RATE`]) not yet absorbed. An input step hashes an L1 entry with it, whatever the
/// size of the chunks the entry arrives in (docs/fault-vm-inputs.md).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Absorber {
    /// The sponge after the whole blocks so far.
    pub sponge: Sponge,
    /// The bytes after them (fewer than [`RATE`]).
    pub buf: Vec<u8>,
}

impl Absorber {
    /// Takes `data`: whole blocks are absorbed, the rest is kept (`m` counts the
    /// permutations).
    pub fn update(&mut self, data: &[u8], m: &mut Meter) {
        let mut data = data;
        if !self.buf.is_empty() {
            let n = (RATE - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() < RATE {
                return;
            }
            let block = std::mem::take(&mut self.buf);
            self.sponge.absorb(&block, m);
        }
        let whole = data.len() / RATE * RATE;
        self.sponge.absorb(&data[..whole], m);
        self.buf = data[whole..].to_vec();
    }

    /// The keccak256 of everything taken (`m` counts the permutations).
    pub fn finish(&self, m: &mut Meter) -> B256 {
        self.sponge.finish(&self.buf, m)
    }

    /// The encoding: the lanes, the count of kept bytes (a byte), the kept bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.sponge.encode(out);
        out.push(self.buf.len() as u8);
        out.extend_from_slice(&self.buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn pieces_give_keccak256() {
        for len in [0usize, 1, 135, 136, 137, 271, 272, 1088, 1089, 5000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let mut s = Sponge::default();
            let mut at = 0;
            // In steps of 2 blocks, the rest at the end.
            while data.len() - at > 2 * RATE {
                s.absorb(&data[at..at + 2 * RATE], &mut Meter::default());
                at += 2 * RATE;
            }
            assert_eq!(s.finish(&data[at..], &mut Meter::default()), keccak256(&data), "len {len}");
        }
    }

    #[test]
    fn an_absorber_takes_any_pieces() {
        let data: Vec<u8> = (0..5000).map(|i| (i * 13 + 5) as u8).collect();
        for piece in [1usize, 31, 135, 136, 137, 744, 4352] {
            let mut a = Absorber::default();
            for c in data.chunks(piece) {
                a.update(c, &mut Meter::default());
                assert!(a.buf.len() < RATE);
            }
            assert_eq!(a.finish(&mut Meter::default()), keccak256(&data), "pieces of {piece}");
        }
        assert_eq!(Absorber::default().finish(&mut Meter::default()), keccak256([]));
    }
}
