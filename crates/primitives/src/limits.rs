//! Bounds faultline's L2 puts on what the EVM otherwise allows, so that every step of the
//! fault proof fits one L1 transaction (docs/fault-vm.md, "Precompiles"). Applied alike
//! by the sequencer's revm (crates/executor) and the step machine (crates/vm-core).

/// Longest input a precompile call may have: a call with more fails (as an exceptional
/// halt: the gas given to it is consumed). The one-step proof passes the input to the L1
/// precompile as calldata, 16 gas a byte.
pub const PRECOMPILE_MAX_INPUT: usize = 32 * 1024;

/// Most gas a precompile call may use: a call that would need more fails (consuming the
/// gas given to it), even with more gas available. The one-step proof runs the same
/// precompile on L1 at the same price.
pub const PRECOMPILE_MAX_GAS: u64 = 1_000_000;

/// Longest code an account may hold (EIP-170; also binding on genesis code, so that any
/// code a call loads fits one fault-proof step).
pub const MAX_CODE_SIZE: usize = 24_576;

/// Longest base, exponent or modulus a modexp call (precompile 0x05) may declare
/// (EIP-7823, Osaka's rule, applied on the L2 although it runs Cancun): a call declaring
/// a longer one fails (an exceptional halt: the gas given to it is consumed). The L1's
/// modexp refuses the same calls, so the one-step proof can replay every modexp the L2
/// accepts.
pub const MODEXP_MAX_OPERAND: usize = 1_024;

/// The three lengths a modexp input declares (its first three 32-byte words, read as
/// zero past the input's end; EIP-198).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModexpHeader {
    /// Length of the base in bytes.
    pub base_len: alloy_primitives::U256,
    /// Length of the exponent in bytes.
    pub exp_len: alloy_primitives::U256,
    /// Length of the modulus in bytes.
    pub mod_len: alloy_primitives::U256,
}

/// 32 bytes of `input` from `at`, zero past its end.
fn word_at(input: &[u8], at: usize) -> [u8; 32] {
    let mut w = [0u8; 32];
    if let Some(rest) = input.get(at..) {
        let n = rest.len().min(32);
        w[..n].copy_from_slice(&rest[..n]);
    }
    w
}

impl ModexpHeader {
    /// The lengths `input` declares.
    pub fn of(input: &[u8]) -> Self {
        let len = |i: usize| alloy_primitives::U256::from_be_bytes(word_at(input, 32 * i));
        Self { base_len: len(0), exp_len: len(1), mod_len: len(2) }
    }

    /// Whether every length is at most [`MODEXP_MAX_OPERAND`] (EIP-7823).
    pub fn within_bound(&self) -> bool {
        let max = alloy_primitives::U256::from(MODEXP_MAX_OPERAND);
        self.base_len <= max && self.exp_len <= max && self.mod_len <= max
    }

    /// The lengths as integers, if [`Self::within_bound`].
    pub fn lengths(&self) -> Option<(u64, u64, u64)> {
        self.within_bound().then(|| (self.base_len.to::<u64>(), self.exp_len.to::<u64>(), self.mod_len.to::<u64>()))
    }

    /// The exponent's first `min(exp_len, 32)` bytes as a number (zero past the input's
    /// end), which the modexp price depends on (EIP-2565, EIP-7883); `None` unless
    /// [`Self::within_bound`].
    pub fn exp_head(&self, input: &[u8]) -> Option<alloy_primitives::U256> {
        let (base, exp, _) = self.lengths()?;
        let n = exp.min(32) as usize;
        let bytes = word_at(input, 96 + base as usize);
        let mut w = [0u8; 32];
        w[32 - n..].copy_from_slice(&bytes[..n]);
        Some(alloy_primitives::U256::from_be_bytes(w))
    }
    /// What the L1's modexp charges for `input` at Osaka's price (EIP-7883; the L2 charges
    /// Cancun's, EIP-2565), or `None` if the L1 refuses it for its operand lengths
    /// (EIP-7823).
    pub fn l1_gas(&self, input: &[u8]) -> Option<u64> {
        let (base, exp, modulus) = self.lengths()?;
        let head = self.exp_head(input)?;
        let longest = base.max(modulus);
        let complexity = if longest <= 32 { 16 } else { 2 * longest.div_ceil(8).pow(2) };
        let head_bits = head.bit_len() as u64;
        let iterations = if exp <= 32 { head_bits.saturating_sub(1) } else { 16 * (exp - 32) + head_bits.max(1) - 1 };
        Some((complexity * iterations.max(1)).max(500))
    }
}

/// The modexp precompile's address.
pub const MODEXP: alloy_primitives::Address = alloy_primitives::Address::with_last_byte(5);

/// Whether the L2 refuses a call of precompile `address` with `input` before running it
/// (docs/fault-vm.md, "Precompiles and the L2's bounds"): more input than
/// [`PRECOMPILE_MAX_INPUT`], or a modexp declaring an operand over
/// [`MODEXP_MAX_OPERAND`] bytes (EIP-7823) or one the L1 prices over
/// [`PRECOMPILE_MAX_GAS`] (EIP-7883). A refused call fails as an exceptional halt. The
/// other Cancun precompiles cost the same on the L1 (Osaka) as on the L2, so the gas
/// bound on what they used covers the L1's price.
pub fn precompile_refused(address: &alloy_primitives::Address, input: &[u8]) -> bool {
    if input.len() > PRECOMPILE_MAX_INPUT {
        return true;
    }
    *address == MODEXP && ModexpHeader::of(input).l1_gas(input).is_none_or(|g| g > PRECOMPILE_MAX_GAS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;

    fn header(lens: [usize; 3]) -> Vec<u8> {
        lens.iter().flat_map(|l| U256::from(*l).to_be_bytes::<32>()).collect()
    }

    #[test]
    fn modexp_operands_up_to_1024_bytes_are_within_the_bound() {
        assert!(ModexpHeader::of(&header([1024, 1024, 1024])).within_bound());
        for i in 0..3 {
            let mut lens = [1, 1, 1];
            lens[i] = 1025;
            assert!(!ModexpHeader::of(&header(lens)).within_bound(), "operand {i} at 1,025 bytes");
        }
        // A length word cut short reads as zero-padded on the right: 0x04 then zeros.
        let mut short = header([1, 1, 0]);
        short.truncate(64 + 31);
        short[64 + 30] = 0x04;
        assert_eq!(ModexpHeader::of(&short).mod_len, U256::from(0x0400));
        assert!(ModexpHeader::of(&short).within_bound());
        short[64 + 29] = 0x01;
        assert!(!ModexpHeader::of(&short).within_bound());
        assert!(ModexpHeader::of(&[]).within_bound(), "an empty input declares zero lengths");
        // The exponent's head: its first min(len, 32) bytes, zero past the input.
        let mut input = header([1, 2, 1]);
        input.extend([0xaa, 0x12, 0x34]);
        assert_eq!(ModexpHeader::of(&input).exp_head(&input), Some(U256::from(0x1234)));
        input.pop();
        assert_eq!(ModexpHeader::of(&input).exp_head(&input), Some(U256::from(0x1200)));
    }
}
