//! Comparison and bitwise opcodes: LT through SAR (0x10..=0x1d).

use crate::{
    gas::G_VERYLOW,
    machine::{Frame, Halt},
    opcode::*,
    step::{b2u, halt, is_neg, pop, push, slt, use_gas, Ev},
};
use alloy_primitives::U256;

/// One comparison or bitwise opcode.
pub(super) fn bitwise(f: &mut Frame, op: u8) -> Ev<()> {
    use_gas(f, G_VERYLOW)?;
    let a = pop(f)?;
    if op == ISZERO || op == NOT {
        return push(f, if op == ISZERO { b2u(a.is_zero()) } else { !a });
    }
    let b = pop(f)?;
    let v = match op {
        LT => b2u(a < b),
        GT => b2u(a > b),
        SLT => b2u(slt(a, b)),
        SGT => b2u(slt(b, a)),
        EQ => b2u(a == b),
        AND => a & b,
        OR => a | b,
        XOR => a ^ b,
        BYTE => {
            if a < U256::from(32) {
                (b >> (8 * (31 - a.to::<usize>()))) & U256::from(0xff)
            } else {
                U256::ZERO
            }
        }
        SHL => {
            if a < U256::from(256) {
                b << a.to::<usize>()
            } else {
                U256::ZERO
            }
        }
        SHR => {
            if a < U256::from(256) {
                b >> a.to::<usize>()
            } else {
                U256::ZERO
            }
        }
        SAR => {
            let neg = is_neg(b);
            if a >= U256::from(256) {
                if neg {
                    U256::MAX
                } else {
                    U256::ZERO
                }
            } else {
                let s = a.to::<usize>();
                if neg {
                    !((!b) >> s)
                } else {
                    b >> s
                }
            }
        }
        _ => return halt(Halt::InvalidOpcode),
    };
    push(f, v)
}
