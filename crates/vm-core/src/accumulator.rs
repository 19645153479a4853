//! A binary Merkle root built one leaf at a time (docs/fault-vm.md, "Block-end"): the
//! L2 header's transactions and receipts roots, which the step machine extends by one leaf
//! per transaction and closes at the end of the block. It keeps one pending node per
//! level (the binary counter of the leaf count), so its state is a few hundred bytes at
//! most, and it closes to exactly [`faultline_primitives::batch::merkle_root`]: nodes
//! paired left to right, a level's odd last node paired with zero, one leaf its own root,
//! none zero.

use crate::meter::Meter;
use alloy_primitives::B256;

fn pair(l: &B256, r: &B256, m: &mut Meter) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(l.as_slice());
    buf[32..].copy_from_slice(r.as_slice());
    m.keccak(&buf)
}

/// The pending nodes of a left-to-right Merkle build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MerkleBuilder {
    /// Leaves added.
    pub count: u64,
    /// `peaks[l]`: the complete subtree of height `l` waiting for its right neighbour
    /// (present exactly where bit `l` of `count` is set).
    pub peaks: Vec<Option<B256>>,
}

impl MerkleBuilder {
    /// Adds a leaf (`m` counts the hashes).
    pub fn push(&mut self, leaf: B256, m: &mut Meter) {
        let mut carry = leaf;
        let mut l = 0;
        loop {
            if self.peaks.len() == l {
                self.peaks.push(None);
            }
            match self.peaks[l].take() {
                Some(p) => {
                    carry = pair(&p, &carry, m);
                    l += 1;
                }
                None => {
                    self.peaks[l] = Some(carry);
                    break;
                }
            }
        }
        self.count += 1;
    }

    /// The root over the leaves so far (`m` counts the hashes).
    pub fn root(&self, m: &mut Meter) -> B256 {
        if self.count == 0 {
            return B256::ZERO;
        }
        let top = (u64::BITS - (self.count - 1).leading_zeros()) as usize; // ceil(log2 count)
        let mut acc: Option<B256> = None;
        for l in 0..top {
            let peak = self.peaks.get(l).copied().flatten();
            acc = match (peak, acc) {
                (Some(p), Some(a)) => Some(pair(&p, &a, m)),
                (Some(p), None) => Some(pair(&p, &B256::ZERO, m)),
                (None, Some(a)) => Some(pair(&a, &B256::ZERO, m)),
                (None, None) => None,
            };
        }
        match self.peaks.get(top).copied().flatten() {
            Some(p) if acc.is_none() => p,
            _ => acc.unwrap_or_default(),
        }
    }

    /// Canonical encoding, by bit position: the count, then for each bit `l` of the count
    /// that is set, from the lowest, the peak of height `l`. The peaks are placed by the
    /// count alone, so one encoding is one builder (a decoder cannot put a peak at a level
    /// whose bit is clear).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_be_bytes());
        for l in (0..u64::BITS as usize).filter(|l| self.count >> l & 1 == 1) {
            out.extend_from_slice(self.peaks.get(l).copied().flatten().unwrap_or_default().as_slice());
        }
    }

    /// The builder with `count` leaves whose peaks, one per set bit of `count` from the
    /// lowest, are `peaks` (the inverse of [`Self::encode`]); `None` unless there is
    /// exactly one peak per set bit.
    pub fn from_peaks(count: u64, peaks: &[B256]) -> Option<Self> {
        if peaks.len() != count.count_ones() as usize {
            return None;
        }
        let levels = (u64::BITS - count.leading_zeros()) as usize;
        let mut at = peaks.iter();
        let placed = (0..levels).map(|l| if count >> l & 1 == 1 { at.next().copied() } else { None }).collect();
        Some(Self { count, peaks: placed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_primitives::batch::merkle_root;

    #[test]
    fn builds_the_batch_merkle_root() {
        let leaves: Vec<B256> = (0..70u8).map(|i| alloy_primitives::keccak256([i])).collect();
        let mut b = MerkleBuilder::default();
        assert_eq!(b.root(&mut Meter::default()), merkle_root(vec![]));
        for n in 1..=leaves.len() {
            b.push(leaves[n - 1], &mut Meter::default());
            assert_eq!(b.root(&mut Meter::default()), merkle_root(leaves[..n].to_vec()), "{n} leaves");
            // The encoding places the peaks by the count's bits: decoding it gives the
            // same builder, which goes on to the same roots.
            let mut enc = Vec::new();
            b.encode(&mut enc);
            let peaks: Vec<B256> = enc[8..].chunks(32).map(B256::from_slice).collect();
            let mut back = MerkleBuilder::from_peaks(b.count, &peaks).expect("one peak per set bit");
            assert_eq!(back, b);
            back.push(leaves[0], &mut Meter::default());
            let mut again = b.clone();
            again.push(leaves[0], &mut Meter::default());
            assert_eq!(back.root(&mut Meter::default()), again.root(&mut Meter::default()));
        }
        assert!(MerkleBuilder::from_peaks(5, &[B256::ZERO]).is_none(), "5 has two set bits");
    }
}
