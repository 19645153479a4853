//! Arithmetic opcodes: ADD through SIGNEXTEND (0x01..=0x0b).

use crate::{
    gas::{G_EXP_BYTE, G_HIGH, G_LOW, G_MID, G_VERYLOW},
    machine::{Frame, Halt},
    opcode::*,
    step::{abs, halt, is_neg, pop, push, use_gas, Ev},
};
use alloy_primitives::U256;

/// One arithmetic opcode.
pub(super) fn arithmetic(f: &mut Frame, op: u8) -> Ev<()> {
    let cost = match op {
        ADD | SUB => G_VERYLOW,
        ADDMOD | MULMOD => G_MID,
        EXP => G_HIGH,
        _ => G_LOW,
    };
    use_gas(f, cost)?;
    let a = pop(f)?;
    let b = pop(f)?;
    let v = match op {
        ADD => a.wrapping_add(b),
        MUL => a.wrapping_mul(b),
        SUB => a.wrapping_sub(b),
        DIV => a.checked_div(b).unwrap_or_default(),
        SDIV => {
            if b.is_zero() {
                U256::ZERO
            } else {
                let q = abs(a) / abs(b);
                if is_neg(a) != is_neg(b) {
                    q.wrapping_neg()
                } else {
                    q
                }
            }
        }
        MOD => a.checked_rem(b).unwrap_or_default(),
        SMOD => {
            if b.is_zero() {
                U256::ZERO
            } else {
                let r = abs(a) % abs(b);
                if is_neg(a) {
                    r.wrapping_neg()
                } else {
                    r
                }
            }
        }
        ADDMOD | MULMOD => {
            let m = pop(f)?;
            if m.is_zero() {
                U256::ZERO
            } else if op == ADDMOD {
                a.add_mod(b, m)
            } else {
                a.mul_mod(b, m)
            }
        }
        EXP => {
            use_gas(f, G_EXP_BYTE * (b.bit_len() as u64).div_ceil(8))?;
            a.wrapping_pow(b)
        }
        SIGNEXTEND => {
            // SIGNEXTEND(b = byte index a, x = b)
            if a < U256::from(31) {
                let bit = a.to::<usize>() * 8 + 7;
                let mask = (U256::from(1) << (bit + 1)) - U256::from(1);
                if b.bit(bit) {
                    b | !mask
                } else {
                    b & mask
                }
            } else {
                b
            }
        }
        _ => return halt(Halt::InvalidOpcode),
    };
    push(f, v)
}
